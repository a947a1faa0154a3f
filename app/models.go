package app

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"path/filepath"
	"slices"
	"strings"
	"time"

	progressline "github.com/tessera-studio/tessera/internal/progress"

	"github.com/tessera-studio/tessera/assets"
	"github.com/tessera-studio/tessera/engine/bundle"
	"github.com/tessera-studio/tessera/engine/model"
	"github.com/tessera-studio/tessera/engine/pngmeta"
	"github.com/tessera-studio/tessera/engine/train"
	"github.com/tessera-studio/tessera/engine/trainjob"
	"github.com/tessera-studio/tessera/internal/plural"
)

// Catalog opens models by built-in name or folder path.
type Catalog struct {
	// Precision is the arithmetic models sample with: "auto" (the default
	// when empty: autoPrecision), "f16" (half-precision weights and KV
	// cache, half the memory traffic of a decode step), "int8" (int8
	// weights, half KV cache) or "f32" (float32 throughout).
	Precision string
}

// Builtin lists the embedded models, the default first.
func (Catalog) Builtin() []string { return assets.Models() }

// Open loads a model: a value containing '/' is a folder, anything else a
// built-in name, or a folder of that name where no built-in model has it;
// a training run's folder stands for its model (RUN/model); "" is the
// default built-in model.
func (c Catalog) Open(nameOrDir string, progress func(done, total int64)) (*bundle.Bundle, error) {
	prec, err := parsePrecision(c.Precision)
	if err != nil {
		return nil, err
	}
	nameOrDir = resolveModel(nameOrDir)
	if prec == precAuto && bundle.IsFolder(nameOrDir) {
		// resolved before loading, so a large model is reduced while it loads
		prec = precF16 // a folder without a readable config fails to load with its own error
		if cfg, err := model.LoadConfig(filepath.Join(nameOrDir, "config.json")); err == nil {
			prec = autoPrecision(cfg.Params())
		}
	}
	b, err := c.open(nameOrDir, prec, progress)
	if err != nil {
		// A training run folder holds its model in RUN/model (resolveModel
		// opens that one): here it has none yet, or a damaged one.
		if bundle.IsFolder(nameOrDir) && trainjob.IsRun(nameOrDir) {
			return nil, fmt.Errorf("%w (%s is a training run folder with no model in %s yet: its first validation pass exports one)", err, nameOrDir, train.RunModelDir(nameOrDir))
		}
		return nil, err
	}
	if prec == precAuto {
		prec = autoPrecision(b.Model.Config.Params())
	}
	if b.Model.Precision() != prec {
		setPrecision(b.Model, prec) // the built-ins load in float32
	}
	return b, nil
}

// Precisions of --precision: the arithmetic of cached decoding.
const (
	precF32  = "f32"  // float32 throughout
	precF16  = "f16"  // half-precision weights and key/value cache (Model.EnableHalf)
	precInt8 = "int8" // int8 weights, half key/value cache (Model.EnableInt8)
	precAuto = "auto" // int8 or f16 by the model's size (autoPrecision)
)

// precisionHelp describes --precision for a command's usage.
const precisionHelp = "sampling arithmetic: auto (int8 for models whose half-precision weights exceed 64 MiB, f16 for smaller ones), f16 (half-precision weights and KV cache), int8 (int8 weights, half KV cache: half the bytes of f16 a step; its batch kernels round the activations unlike its one-image ones, so an image of a batch can differ slightly from its seed drawn alone, and a style per seed can then pick another style) or f32 (float32 throughout)"

// parsePrecision checks a --precision value ("" is auto).
func parsePrecision(p string) (string, error) {
	switch p {
	case "":
		return precAuto, nil
	case precF16, precF32, precInt8, precAuto:
		return p, nil
	}
	return "", usageError{fmt.Sprintf("unknown precision %q: use auto, f16, int8 or f32", p)}
}

// recordedPrecision is the precision a command that samples again from
// the picture at path (branch, extend) opens its model in: flag when
// --precision was given, else the one the picture's record says it was
// sampled in (pngmeta.Record.Precision: the same seed and settings draw
// another picture in another precision), else flag (auto). recorded
// reports that the record's was taken. A record of no sampled picture (an
// edit's, whose precision is the edit model's; an imported one's), one
// written before precisions were recorded, or one naming no precision
// Tessera has, gives none.
func recordedPrecision(path, flag string, given bool) (prec string, recorded bool) {
	if given {
		return flag, false
	}
	text, err := pngmeta.ReadFile(path)
	if err != nil {
		return flag, false
	}
	rec, ok, err := pngmeta.ParseRecord(text)
	if err != nil || !ok || !rec.Sampled() {
		return flag, false
	}
	switch rec.Precision {
	case precF16, precF32, precInt8:
		return rec.Precision, true
	}
	return flag, false
}

// noteRecordedPrecision says on log that model b samples in the precision
// the picture at path records, where auto would have picked another.
func noteRecordedPrecision(log io.Writer, b *bundle.Bundle, path string) {
	if p := b.Model.Precision(); p != autoPrecision(b.Model.Config.Params()) {
		fmt.Fprintf(log, "note: sampling in %s, the precision %s was sampled in (--precision picks another)\n", p, path)
	}
}

// recordedPrecisionHelp is --precision's help for the commands that
// sample again from a picture (recordedPrecision).
const recordedPrecisionHelp = "sampling arithmetic (default: the one the image records it was sampled in, which draws it again; else auto): " + precisionHelp

// usePictureFlags gives fs's --model and --precision (registered by
// samplingFlags) the help of a command that samples again from the
// picture it is given (branch, extend): their defaults are the picture's.
func usePictureFlags(fs *flag.FlagSet) {
	fs.Lookup("model").Usage = recordedModelUsage("the image")
	fs.Lookup("precision").Usage = recordedPrecisionHelp
	fs.Lookup("precision").DefValue = "" // the image's, else auto: no "(default auto)"
}

// openPictureModel opens the model a command that samples again from the
// picture at from draws with (openImageModel, sf's --model), in the
// precision the picture records unless --precision was given (sf's, as
// given says: recordedPrecision), and says so on warn where auto would
// have picked another (noteRecordedPrecision); log takes the loading's
// messages.
func openPictureModel(log, warn io.Writer, sf samplingFlags, given bool, from string) (*bundle.Bundle, error) {
	prec, recorded := recordedPrecision(from, sf.precision, given)
	b, err := openImageModel(log, sf.model, prec, true, from)
	if err != nil {
		return nil, err
	}
	if recorded {
		noteRecordedPrecision(warn, b, from)
	}
	return b, nil
}

// int8Above is the size of a model's half-precision weights above which
// auto samples in int8. Such a model streams its weights from memory at
// every decode step, so half the bytes is up to twice the speed:
// imagegpt-small's shape (146 MiB in f16) ran 1.45–1.70× faster in int8 at
// batch 1 on a Zen 5 EPYC and 1.54× on a Xeon, as fast or faster at batch
// 8, for a change of at most 0.0005 bits per token in the likelihoods
// (README: Speed). A smaller model stays in the cores' caches, where the
// int8 kernels' extra widening step makes them no faster (the built-in
// models, 2–13 MiB, measured equal), so it keeps f16.
const int8Above = 64 << 20

// autoPrecision is what auto means for a model of params parameters:
// int8 above int8Above, else f16.
func autoPrecision(params int64) string {
	if 2*params > int8Above {
		return precInt8
	}
	return precF16
}

// releaseAbove is the float32 size of the weight matrices above which a
// model loaded in f16 or int8 keeps only the reduced copy
// (Model.ReleaseFloat32): imagegpt-medium and -large, not the built-ins.
const releaseAbove = 1 << 30

// setPrecision makes m decode in precision p (parsePrecision's); a model
// whose float32 weights exceed releaseAbove then drops them and returns
// the bytes freed.
func setPrecision(m *model.Model, p string) int64 {
	switch p {
	case precF16:
		m.EnableHalf()
	case precInt8:
		m.EnableInt8()
	default:
		return 0
	}
	if m.Config.Params()*4 > releaseAbove {
		return m.ReleaseFloat32()
	}
	return 0
}

// resolveModel is the model a user's --model names: a folder named
// without a '/' where no built-in model has that name ("run1", as train
// --out run1 wrote it, was refused with "a folder path needs a '/'"), and
// a training run's folder's model, RUN/model, which train prints (its run
// folder was refused); anything else as given.
func resolveModel(nameOrDir string) string {
	nameOrDir = asFolder(nameOrDir, assets.Models())
	if bundle.IsFolder(nameOrDir) && !model.IsFolder(nameOrDir) && model.IsFolder(train.RunModelDir(nameOrDir)) {
		nameOrDir = train.RunModelDir(nameOrDir)
	}
	return nameOrDir
}

func (Catalog) open(nameOrDir, prec string, progress func(done, total int64)) (*bundle.Bundle, error) {
	if nameOrDir == "" {
		nameOrDir = assets.Default()
		if nameOrDir == "" {
			return nil, fmt.Errorf("no model given and this build embeds none: pass --model FOLDER")
		}
	}
	if bundle.IsFolder(nameOrDir) {
		// reduced while loading: a large model never sits whole in float32
		return bundle.Load(nameOrDir, model.LoadOptions{Progress: progress, Precision: prec, ReleaseAbove: releaseAbove})
	}
	if !slices.Contains(assets.Models(), nameOrDir) {
		return nil, noModelNamed(nameOrDir)
	}
	return assets.Open(nameOrDir)
}

// noModelNamed says that a --model value without a '/' names neither a
// built-in model nor a folder (such a name is the folder of that name where
// no built-in model has it), and which built-in models there are.
func noModelNamed(name string) error {
	builtin := assets.Models()
	if len(builtin) == 0 {
		return fmt.Errorf("no built-in model or folder named %s: this build embeds no models; give a model folder", name)
	}
	return fmt.Errorf("no built-in model or folder named %s (built-in: %s; tessera models lists them)", name, strings.Join(builtin, ", "))
}

// quietLog is a command's log under --quiet: notes and warnings, but no
// progress line while a model loads (openModel).
type quietLog struct{ io.Writer }

// logFor is env's log for a command, quiet (quietLog) under --quiet.
func logFor(env Env, quiet bool) io.Writer {
	if quiet {
		return quietLog{env.Stderr}
	}
	return env.Stderr
}

// openModel opens a model for a command, showing load progress on log for
// large weight files (unless log is a quietLog), and noting there which
// weights f16 precision keeps in float32 because float16 cannot hold them.
func openModel(log io.Writer, nameOrDir, precision string) (*bundle.Bundle, error) {
	progress, done := loadProgress(log, nameOrDir)
	b, err := Catalog{Precision: precision}.Open(nameOrDir, progress)
	done()
	if err == nil {
		if r := b.Model.HalfReport().String(); r != "" { // empty unless f16 or int8 was asked for
			fmt.Fprintf(log, "note: model %s (--precision %s: %s): %s; those matrices are kept in float32, so results differ from --precision f32 by no more than the precision's rounding\n", b.Name, precision, b.Model.Precision(), r)
		}
		if u := b.Model.Unused; len(u) > 0 {
			// transformers warns of them too ("Some weights of the model
			// checkpoint were not used"); they were left out without a word.
			fmt.Fprintf(log, "note: model %s: its weights file holds %s that Image GPT has no place for, left out (as transformers leaves them out): %s\n",
				b.Name, plural.N(len(u), "tensor", "tensors"), firstFew(u, 4))
		}
		if b.Model.Released() > 0 {
			fmt.Fprintf(log, "note: model %s keeps only its %s weights (%s of float32 freed): scoring and long prompts run on them too\n",
				b.Name, b.Model.Precision(), plural.Bytes(b.Model.Released()))
		}
	}
	return b, err
}

// loadProgress is the progress line (progress.Line) of a model loading
// from weight files of 64 MiB or more ("  40% [=======>            ]
// loading DIR: 306.8 MB", redrawn at most five times a second), none on a
// quietLog; done ends the line with the time it took.
func loadProgress(log io.Writer, nameOrDir string) (progress func(done, total int64), done func()) {
	start := time.Now()
	_, quiet := log.(quietLog)
	line := progressline.NewLine(log, 200*time.Millisecond, 0)
	var size int64
	progress = func(done, total int64) {
		if quiet || total < 64<<20 {
			return
		}
		size = total
		line.Update(done, total, fmt.Sprintf("loading %s: %s", nameOrDir, plural.Bytes(total)))
	}
	return progress, func() {
		line.End(fmt.Sprintf("loading %s: %s in %.1f s", nameOrDir, plural.Bytes(size), time.Since(start).Seconds()))
	}
}

// openDrawingModel is openModel for the commands that draw or score images
// from a prompt: an edit model (which needs a source image) is refused
// before any work, saying which command it serves.
func openDrawingModel(log io.Writer, nameOrDir, precision string) (*bundle.Bundle, error) {
	b, err := openModel(log, nameOrDir, precision)
	if err == nil && b.Model.Config.IsEdit() {
		return nil, fmt.Errorf("model %s edits images by instruction and draws nothing from a prompt: use tessera edit --model %s --from IMAGE --instruction TEXT", b.Name, nameOrDir)
	}
	return b, err
}

// openImageModel opens the model for commands that read Tessera PNGs:
// --model (flag) when given, else the built-in model the images' records
// name (recordedModel), else the default; drawing refuses an edit model
// (openDrawingModel). A record whose weights hash differs from the
// built-in model of its name (a model trained into a folder of that name,
// runs/mnist, or the built-in of an earlier Tessera) is a notBuiltInError
// too: read with the built-in, its figures, kept codes and records would
// be another model's (it was only warned about, and score printed the
// built-in's figures with exit 0).
func openImageModel(log io.Writer, flag, precision string, drawing bool, images ...string) (*bundle.Bundle, error) {
	b, err := openRecordedModel(log, flag, precision, drawing, images...)
	if err != nil {
		return nil, err
	}
	if flag == "" {
		for _, path := range images {
			if err := otherWeights(b, path); err != nil {
				return nil, err
			}
		}
	}
	return b, nil
}

// openRecordedModel is openImageModel without the check of each image's
// weights hash (otherWeights).
func openRecordedModel(log io.Writer, flag, precision string, drawing bool, images ...string) (*bundle.Bundle, error) {
	name, _, err := recordedModel(log, flag, images...)
	if err != nil {
		return nil, err
	}
	open := openModel
	if drawing {
		open = openDrawingModel
	}
	return open(log, name, precision)
}

// otherWeights is a notBuiltInError when the image at path records the
// name of the built-in model b with other weights (each image its own: a
// batch was judged by its first image's hash alone).
func otherWeights(b *bundle.Bundle, path string) error {
	text, err := pngmeta.ReadFile(path)
	if err != nil {
		return nil
	}
	rec, ok, err := pngmeta.ParseRecord(text)
	if err != nil || !ok || rec.Model != b.Name || rec.ModelHash == "" || rec.ModelHash == b.Model.Hash || !slices.Contains(Catalog{}.Builtin(), b.Name) {
		return nil
	}
	return notBuiltInError{path: path, model: rec.Model, otherWeights: true}
}

// imageModels opens the models that commands reading several Tessera PNGs
// (score, describe) read each image with: --model (flag) for all when
// given; else, when the images record different built-in models, each
// image with the model it records (each model opened once: the default
// read a digit of the MNIST model as an emoji, 8 bits a token where its
// own model gave 1); else the one model of openImageModel.
type imageModels struct {
	log             io.Writer
	flag, precision string
	drawing         bool
	images          []string
	mixed           bool                      // the images record different models
	readWith        map[string]string         // by path: the model each is read with (readWith), when mixed
	opened          map[string]*bundle.Bundle // by recorded name ("": the one model)
}

// newImageModels reads which models images record and says on log when
// they differ.
func newImageModels(log io.Writer, flag, precision string, drawing bool, images []string) *imageModels {
	m := &imageModels{log: log, flag: flag, precision: precision, drawing: drawing, images: images, opened: map[string]*bundle.Bundle{}}
	if flag != "" || len(images) < 2 {
		return m
	}
	var names []string
	with := map[string]string{}
	hashes := map[string]string{} // a folder's weights hashed once, not once an image
	for _, path := range images {
		name := readWith(path, hashes)
		with[path] = name
		if !slices.Contains(names, name) {
			names = append(names, name)
		}
	}
	if m.mixed = len(names) > 1; m.mixed {
		m.readWith = with
		fmt.Fprintf(log, "note: the images record different models (%s): each is read with its own (--model reads all with one)\n", strings.Join(names, ", "))
	}
	return m
}

// For returns the model to read the image at path with.
func (m *imageModels) For(path string) (*bundle.Bundle, error) {
	key, images := "", m.images
	if m.mixed {
		key, images = m.readWith[path], []string{path}
	}
	b, ok := m.opened[key]
	if !ok {
		var err error
		b, err = openRecordedModel(m.log, m.flag, m.precision, m.drawing, images...)
		if nb := (notBuiltInError{}); errors.As(err, &nb) {
			nb.path = path // the first of the images named it; each is told about itself
			return nil, nb
		}
		if err != nil {
			return nil, err
		}
		m.opened[key] = b
	}
	if m.flag == "" {
		if err := otherWeights(b, path); err != nil {
			return nil, err // this image alone: the others of its model are read
		}
	}
	return b, nil
}

// forImage is For for a command that reads many images (cmd: its name in
// reports): an image recorded by a model that is not built in is reported
// as a bad image is (reportImageError) and skipped, ok false; other errors
// (a model that cannot be opened) end the command.
func (m *imageModels) forImage(env Env, cmd, path string, asJSON bool) (b *bundle.Bundle, ok bool, err error) {
	b, err = m.For(path)
	if nb := (notBuiltInError{}); errors.As(err, &nb) {
		reportImageError(env, cmd, path, err, asJSON)
		return nil, false, nil
	}
	return b, err == nil, err
}

// readWith is the model an image is read with when --model is not given:
// the one its record names (a model that is not built in too: For then
// reports that the image needs --model), else the default (an image
// without a record, an edit model's output).
// hashes, when set, keeps the weights hashes of the folders looked at.
func readWith(path string, hashes map[string]string) string {
	if name, _, _ := recordedModelMemo(io.Discard, "", hashes, path); name != "" {
		return name
	}
	return Catalog{}.Builtin()[0]
}

// folderOfRecord is the model folder here that made a picture recorded as
// made by a model that is not built in: the folder of the recorded name
// (resolveModel: a run's folder stands for its model) whose weights hash is
// the recorded one; ok false when there is none.
// hashes, when set, keeps the weights hashes of the folders looked at (a
// hash reads the whole weights file).
func folderOfRecord(rec pngmeta.Record, hashes map[string]string) (dir string, ok bool) {
	if rec.Model == "" || rec.ModelHash == "" {
		return "", false
	}
	dir = resolveModel(rec.Model)
	if !bundle.IsFolder(dir) || !model.IsFolder(dir) {
		return "", false
	}
	h, known := hashes[dir]
	if !known {
		h = model.WeightsHash(dir)
		if hashes != nil {
			hashes[dir] = h
		}
	}
	return dir, h == rec.ModelHash
}

// notBuiltInError is an image whose record names a model that is not
// built in (one trained or opened from a folder, which the record does
// not locate): read with the default model, its figures would be those of
// another model's pictures, so the command asks for --model instead.
// otherWeights says the model has a built-in's name but other weights.
type notBuiltInError struct {
	path, model  string
	otherWeights bool
	// changedFolder is the folder of the model's name here, whose weights
	// are not the ones the record names (trained further since).
	changedFolder string
}

func (e notBuiltInError) Error() string {
	if e.changedFolder != "" {
		return fmt.Sprintf("%s was made by model %s, and the model folder %s here holds other weights now (trained further since, or another model of that name): pass --model %s to read it with them all the same",
			e.path, e.model, e.changedFolder, e.changedFolder)
	}
	if e.otherWeights {
		return fmt.Sprintf("%s was made by a model named %s whose weights are not the built-in %s's (a model trained into a folder of that name, or the built-in of an earlier Tessera): pass --model with the folder of the model that made it (--model %s reads it with today's built-in all the same)",
			e.path, e.model, e.model, e.model)
	}
	return fmt.Sprintf("%s was made by model %s, which is not built in: pass --model with the folder of the model that made it (--model %s reads it with the default model all the same)",
		e.path, e.model, Catalog{}.Builtin()[0])
}

// Mixed reports whether the images are read with different models.
func (m *imageModels) Mixed() bool { return m.mixed }

// recordedModelUsage is the --model help of a command that reads Tessera
// PNGs with the model they record (openImageModel, newImageModels): whose
// names the images ("the image", "each image"). A recorded model folder is
// the default too (folderOfRecord), which the help left out.
func recordedModelUsage(whose string) string {
	return "built-in model name or model folder (default: the model " + whose + " records: a built-in one, or the model folder here of the name it records, a training run's folder standing for its model, when its weights are the recorded ones; " +
		"an image without a record: the embedded default model)"
}

// recordedModel is the model to open for images made by Tessera when
// --model is not given (flag ""): the built-in model their records name,
// when every image names the same one, with the weights hash the first
// record gives; else flag (the default model) and no hash. It says on log
// when it chose another model than the default and when the images name
// different models. An image naming a model that is not built in (a
// trained model's folder is not recorded) is a notBuiltInError, with that
// model's name.
func recordedModel(log io.Writer, flag string, images ...string) (name, hash string, err error) {
	return recordedModelMemo(log, flag, nil, images...)
}

// recordedModelMemo is recordedModel keeping the weights hashes of the
// folders it looks at in hashes (when set).
func recordedModelMemo(log io.Writer, flag string, hashes map[string]string, images ...string) (name, hash string, err error) {
	if flag != "" || len(images) == 0 {
		return flag, "", nil
	}
	for _, path := range images {
		text, err := pngmeta.ReadFile(path)
		if err != nil {
			return flag, "", nil
		}
		rec, ok, err := pngmeta.ParseRecord(text)
		if err != nil || !ok {
			return flag, "", nil
		}
		if em, _, own := rec.EditModel(); own {
			// tessera edit's output (the edit model's codes) is a picture
			// like any: read it with the default drawing model, not with
			// the edit model that made it. The studio's edits hold their
			// drawing model's codes, and are read with it as any image.
			fmt.Fprintf(log, "note: %s was made by edit model %s: it is read with the default model %s (--model picks another)\n",
				path, em, Catalog{}.Builtin()[0])
			return flag, "", nil
		}
		if strings.TrimSpace(rec.Model) == "" {
			// A record naming no model ({} written by another tool): the
			// picture is read as one without a record ("was made by model
			// , which is not built in" said nothing useful).
			fmt.Fprintf(log, "note: %s has a Tessera record that names no model: it is read with the default model %s (--model picks another)\n", path, Catalog{}.Builtin()[0])
			return flag, "", nil
		}
		recorded := rec.Model
		if !slices.Contains(Catalog{}.Builtin(), rec.Model) {
			// A model the user trained or opened from a folder: the record
			// names it but not where it is; a folder of that name here
			// (train --out NAME, run from where it ran) whose weights are
			// the ones the record names is it.
			dir, ok := folderOfRecord(*rec, hashes)
			if !ok {
				nb := notBuiltInError{path: path, model: rec.Model}
				if dir != "" && model.IsFolder(dir) {
					nb.changedFolder = dir // there, with other weights: retrained since
				}
				return rec.Model, "", nb
			}
			recorded = dir
		}
		if name != "" && recorded != name {
			fmt.Fprintf(log, "warning: the images record different models (%s, %s): all are read with the default model; --model picks one\n", name, recorded)
			return flag, "", nil
		}
		if name == "" {
			name, hash = recorded, rec.ModelHash
		}
	}
	if name != (Catalog{}).Builtin()[0] { // the default needs no note
		fmt.Fprintf(log, "model %s, as recorded in the image (--model picks another)\n", name)
	}
	return name, hash, nil
}

// firstFew joins the first n of names with commas, "…" standing for the
// rest.
func firstFew(names []string, n int) string {
	if len(names) <= n {
		return strings.Join(names, ", ")
	}
	return strings.Join(names[:n], ", ") + ", …"
}
