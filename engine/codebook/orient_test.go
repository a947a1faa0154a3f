package codebook

import (
	"bytes"
	"fmt"
	"testing"

	"github.com/tessera-studio/tessera/engine/orient/orienttest"
)

// TestImagesComeUpright: LoadImage and DecodeImage, the path every command
// and the studio read images through, honour all eight EXIF orientations
// of JPEGs (and a PNG's eXIf chunk, a TIFF's directory), and Flatten keeps
// them upright.
func TestImagesComeUpright(t *testing.T) {
	for o := 1; o <= 8; o++ {
		for kind, data := range map[string][]byte{
			"jpg": orienttest.JPEG(orienttest.Stored(o), o, o%2 == 0),
			"png": orienttest.PNG(orienttest.Stored(o), o),
			"tif": orienttest.TIFF(orienttest.Stored(o), o, o%2 == 1),
		} {
			name := fmt.Sprintf("orientation%d.%s", o, kind)
			path := writeTemp(t, name, data)
			img, err := LoadImage(path)
			if err != nil {
				t.Fatal(err)
			}
			// ImageConfig gives the size LoadImage does, upright.
			if cfg, _, err := ImageConfig(path); err != nil || cfg.Width != img.Bounds().Dx() || cfg.Height != img.Bounds().Dy() {
				t.Errorf("ImageConfig %s: %d×%d, %v; LoadImage gives %v", name, cfg.Width, cfg.Height, err, img.Bounds().Size())
			}
			if bad := orienttest.Mismatch(img); bad != "" {
				t.Errorf("LoadImage %s: %s", name, bad)
			}
			if bad := orienttest.Mismatch(Flatten(img)); bad != "" {
				t.Errorf("Flatten %s: %s", name, bad)
			}
			img, err = DecodeImage(bytes.NewReader(data), name)
			if err != nil {
				t.Fatal(err)
			}
			if bad := orienttest.Mismatch(img); bad != "" {
				t.Errorf("DecodeImage %s: %s", name, bad)
			}
		}
	}
}
