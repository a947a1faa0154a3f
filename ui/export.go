package ui

import (
	"errors"
	"fmt"
	"image"
	"io/fs"
	"maps"
	"os"
	"path/filepath"
	"strings"

	"github.com/tessera-studio/tessera/engine/atomicfile"
	"github.com/tessera-studio/tessera/engine/edit"
	"github.com/tessera-studio/tessera/engine/pngmeta"
	"github.com/tessera-studio/tessera/engine/render"
)

// Filter is the export upscaling filter.
type Filter int

// Export filters: Nearest keeps pixels crisp, Lanczos smooths them.
const (
	Nearest Filter = iota
	Lanczos
)

// MaxUpscale is the largest export scale factor.
const MaxUpscale = 16

// String names the filter as shown in the export panel.
func (f Filter) String() string {
	if f == Lanczos {
		return pngmeta.FilterLanczos
	}
	return pngmeta.FilterNearest
}

// parseFilter reads a Filter from its String.
func parseFilter(s string) Filter {
	if s == Lanczos.String() {
		return Lanczos
	}
	return Nearest
}

// upscale enlarges img k times (k = 1 returns img) with f
// (render.Upscale).
func upscale(img image.Image, k int, f Filter) image.Image {
	return render.Upscale(img, k, f == Lanczos)
}

// exportPNG upscales img k times (making the white around it transparent
// when rec's Extra asks) and writes it with rec's metadata to path
// atomically: a failed export leaves no file behind and an existing file
// untouched. The "parameters" text gives both sizes: Size is the exported
// picture's, "Native size" the model's (the record's width and height). A
// transparent background asked of a picture with no white around it (the
// MNIST model's, drawn on black) clears nothing and is not recorded (the
// file said "Background: transparent" of an opaque picture).
func exportPNG(path string, img image.Image, k int, f Filter, rec pngmeta.Record) error {
	if k < 1 || k > MaxUpscale {
		return fmt.Errorf("export: scale %d must be between 1 and %d", k, MaxUpscale)
	}
	rec.Extra = maps.Clone(rec.Extra) // the caller's stays as it was
	if rec.Extra == nil {
		rec.Extra = map[string]any{}
	}
	b := img.Bounds()
	w, h := b.Dx()*k, b.Dy()*k
	if clear, _ := rec.Extra[extraTransparent].(bool); clear {
		// At the model's size, where an edge pixel is one pixel: the
		// upscale then carries its alpha (Lanczos premultiplies).
		if t := edit.TransparentBackground(img); !t.Opaque() {
			img = t
		} else {
			delete(rec.Extra, extraTransparent)
		}
	}
	if err := pngmeta.WriteFileAtomic(path, upscale(img, k, f), pngmeta.UpscaledMetadata(rec, w, h, k, f.String())); err != nil {
		return fmt.Errorf("export: %w", err)
	}
	return nil
}

// transparencyNote says what a transparent background makes of img, a
// picture of model (its name): "transparent background", or none and why
// where no white is around the picture to clear (the model draws on a
// dark background, or no white touches the picture's border).
func transparencyNote(img image.Image, model string) string {
	if !edit.TransparentBackground(img).Opaque() {
		return "transparent background"
	}
	why := "no white touches the picture's border"
	if edit.DarkBorder(img) {
		why = fmt.Sprintf("model %s draws on a dark background, not white", model)
	}
	return "no transparent background: " + why
}

// expandHome puts "~" and "~/…" in the home folder, as people type paths
// (the studio once made a folder named "~" in the working folder); other
// paths are returned as they are.
func expandHome(p string) (string, error) {
	if p != "~" && !strings.HasPrefix(p, "~/") && !strings.HasPrefix(p, "~"+string(filepath.Separator)) {
		return p, nil
	}
	home, err := os.UserHomeDir()
	if err != nil {
		return "", fmt.Errorf("%s: no home folder: %w", p, err)
	}
	return filepath.Join(home, p[1:]), nil
}

// missingFolderError is resolveSavePath's error for a path whose folder
// does not exist (the save dialog offers to create it).
type missingFolderError struct{ dir, path string }

func (e *missingFolderError) Error() string {
	return fmt.Sprintf("the folder %s does not exist", e.dir)
}

// resolveSavePath turns what was typed as a destination into a path: a
// full path is taken as it is, "~/…" is in the home folder, a bare name or
// relative path goes into dir; ext is added when the name has none, and
// another extension is refused. The folder must exist (a
// *missingFolderError when it does not) and take new files.
func resolveSavePath(typed, dir, ext string) (string, error) {
	p := strings.TrimSpace(typed)
	if p == "" {
		return "", errors.New("type a file name or a full path")
	}
	p, err := expandHome(p)
	if err != nil {
		return "", err
	}
	if !filepath.IsAbs(p) {
		if dir == "" {
			if wd, err := os.Getwd(); err == nil {
				dir = wd
			}
		}
		p = filepath.Join(dir, p)
	}
	p = filepath.Clean(p)
	if info, err := os.Stat(p); err == nil && info.IsDir() {
		return "", fmt.Errorf("%s is a folder; add a file name", p)
	}
	if filepath.Ext(p) == "" {
		p += ext
	}
	if !strings.EqualFold(filepath.Ext(p), ext) {
		return "", fmt.Errorf("%s: this writes %s files", filepath.Base(p), ext)
	}
	if info, err := os.Stat(filepath.Dir(p)); errors.Is(err, fs.ErrNotExist) {
		return "", &missingFolderError{dir: filepath.Dir(p), path: p}
	} else if err != nil || !info.IsDir() {
		return "", fmt.Errorf("%s is not a folder one can save in", filepath.Dir(p))
	}
	// A background write (the time-lapse) would fail after its dialog closed.
	dir = filepath.Dir(atomicfile.Target(p)) // a link's file is written where it points
	if err := atomicfile.CheckFolder(dir); err != nil {
		return "", fmt.Errorf("cannot write in %s: %w", dir, err)
	}
	return p, nil
}
