package app

import (
	"context"
	"encoding/json"
	"fmt"
	"image"
	"math"
	"path/filepath"

	"github.com/tessera-studio/tessera/engine/bundle"
	"github.com/tessera-studio/tessera/engine/codebook"
	"github.com/tessera-studio/tessera/engine/pngmeta"
	"github.com/tessera-studio/tessera/engine/psnr"
	"github.com/tessera-studio/tessera/engine/sampler"
	"github.com/tessera-studio/tessera/internal/plural"
)

// tokenizeLine is one image's result in --json output.
type tokenizeLine struct {
	Image     string `json:"image"`
	Model     string `json:"model"`     // whose tokenizer: --model, else the one the image records
	Tokenizer string `json:"tokenizer"` // "vit-vq" or "codebook"
	Grid      [2]int `json:"grid"`      // rows, cols of codes
	PatchSize int    `json:"patch_size"`
	Codes     []int  `json:"codes"`
	// PSNR is the reconstruction's against the image resized to the
	// model's size, in dB; null when the reconstruction is exact (Lossless:
	// an infinite PSNR, which JSON cannot hold).
	PSNR     *float64 `json:"psnr_db"`
	Lossless bool     `json:"lossless,omitempty"`
	Output   string   `json:"output,omitempty"`
}

// runTokenize encodes images with a model's image tokenizer and reports the
// codes and how well they reconstruct the image.
func runTokenize(ctx context.Context, env Env, args []string) error {
	fs := newFlags(env, "tokenize", "[--model M] [--json] [--out REC.png] IMAGE...")
	modelName := fs.String("model", "", "built-in model name or model folder (default: the model a Tessera PNG records, else the default model; its pixels are encoded, never its recorded codes: tokenize measures the round trip)")
	asJSON := fs.Bool("json", false, "one JSON object per line per image: image, model, tokenizer (vit-vq or codebook), grid (rows, cols), patch_size, codes (the code ids, row by row), psnr_db (over the picture itself, not the white bands a picture of another shape than the model's is fitted between), lossless, output (the --out file)")
	out := fs.String("out", "", "write the reconstruction here (with several images: REC-1.png, REC-2.png, …)")
	force := forceFlag(fs)
	images, err := parseFlags(fs, args)
	if err != nil {
		return helpOr(fs, err)
	}
	warnForceUnused(env.Stderr, *force, *out != "", "--out")
	if len(images) == 0 {
		return usageError{"no images given"}
	}
	if *out != "" {
		outs := numberedOuts(*out, len(images), false)
		if err := checkOuts("out", *out, outs, ".png", *force, images...); err != nil {
			return err
		}
		for _, o := range outs {
			if err := checkKeeps("out", o, "a reconstruction", *force, true); err != nil {
				return err
			}
		}
	}
	// The model: --model, else the one the images record (each its own
	// where they record different ones), as score reads them.
	models := newImageModels(env.Stderr, *modelName, "f32", false, images)
	var sum float64
	lossless, failed := 0, 0
	for i, path := range images {
		if err := ctx.Err(); err != nil {
			return err
		}
		b, ok, err := models.forImage(env, "tokenize", path, *asJSON)
		if err != nil {
			return err
		}
		if !ok {
			failed++
			noteOldReconstruction(env, *out, i, images)
			continue
		}
		kind := "codebook"
		if !b.Tokenizer.Local() {
			kind = "vit-vq"
		}
		rows, cols := b.Grid()
		w, h := b.ImageSize()
		img, codes, err := encodeImage(b, path)
		if err != nil {
			reportImageError(env, "tokenize", path, err, *asJSON)
			failed++
			noteOldReconstruction(env, *out, i, images)
			continue
		}
		noteResize(env.Stderr, b, path, img) // the PSNR is against the picture as encoded
		rec := b.Decode(codes)
		// Over the picture itself, as the studio measures it on opening:
		// not the white bands a picture of another shape is fitted between.
		at := codebook.PictureRect(img.Bounds().Dx(), img.Bounds().Dy(), w, h)
		db := psnr.Images(codebook.Fit(img, w, h).SubImage(at).(*image.NRGBA), rec.SubImage(at).(*image.NRGBA))
		line := tokenizeLine{Image: path, Model: b.Name, Tokenizer: kind, Grid: [2]int{rows, cols}, PatchSize: b.PatchSize(), Codes: codes}
		quality := "lossless (every pixel kept)"
		if math.IsInf(db, 1) {
			line.Lossless = true
			lossless++
		} else {
			line.PSNR, quality = &db, fmt.Sprintf("%.2f dB PSNR", db)
			sum += db
		}
		if *out != "" {
			line.Output = numberedPath(*out, i, len(images))
			// With its codes, as imported from the picture: it reopens
			// exactly, and says where it came from.
			r := record(b, sampler.Options{}, sampler.Image{Tokens: codes}) // nothing sampled: no settings
			r.Precision = ""                                                // nor a precision it was sampled in
			r.Extra = map[string]any{pngmeta.ExtraImported: filepath.Base(path)}
			noteReplacing(env, "out", []string{line.Output}) // file by file: an image that fails writes none
			if err := pngmeta.WriteFileAtomic(line.Output, rec, pngmeta.Metadata(r)); err != nil {
				return fmt.Errorf("write %s: %w", line.Output, err)
			}
		}
		if *asJSON {
			js, err := json.Marshal(line)
			if err != nil {
				return err
			}
			fmt.Fprintln(env.Stdout, string(js))
			continue
		}
		fmt.Fprintf(env.Stdout, "%s: %d codes (%d×%d, %s), reconstruction %s", path, len(codes), rows, cols, kind, quality)
		if line.Output != "" {
			fmt.Fprintf(env.Stdout, " → %s", line.Output)
		}
		fmt.Fprintln(env.Stdout)
	}
	if n := len(images) - lossless - failed; !*asJSON && len(images)-failed > 1 {
		if n > 0 {
			fmt.Fprintf(env.Stdout, "mean reconstruction %.2f dB PSNR over %s", sum/float64(n), plural.N(n, "image", "images"))
		}
		if lossless > 0 {
			fmt.Fprintf(env.Stdout, "%s%s reconstructed exactly", map[bool]string{true: "; ", false: ""}[n > 0], plural.N(lossless, "image", "images"))
		}
		fmt.Fprintln(env.Stdout)
	}
	if n := len(images); *out != "" && n > 1 {
		// An earlier run of more images left their numbered files, as
		// generate says of a larger batch's.
		if next := numberedPath(*out, n, n+1); fileExists(next) {
			noteLeftover(env, next, fmt.Sprintf("the reconstruction of one of these %d images", n))
		}
	}
	if failed > 0 {
		return notAll(failed, len(images), "tokenized")
	}
	return nil
}

// noteOldReconstruction says, where image i of images failed, that the
// file --out would have written it to (out, numbered for several images),
// when there, is an earlier run's and not that image's reconstruction.
func noteOldReconstruction(env Env, out string, i int, images []string) {
	if out == "" {
		return
	}
	if path := numberedPath(out, i, len(images)); fileExists(path) {
		noteLeftover(env, path, "the reconstruction of "+images[i])
	}
}

// encodeImage reads an image file and encodes it with b's tokenizer.
func encodeImage(b *bundle.Bundle, path string) (image.Image, []int, error) {
	img, err := codebook.LoadImage(path)
	if err != nil {
		return nil, nil, err
	}
	codes, err := b.Encode(img)
	if err != nil {
		return nil, nil, fmt.Errorf("encode %s: %w", path, err)
	}
	return img, codes, nil
}
