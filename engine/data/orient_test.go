package data

import (
	"context"
	"fmt"
	"path/filepath"
	"testing"

	"github.com/tessera-studio/tessera/engine/orient/orienttest"
)

// TestFolderImagesComeUpright: training images from a phone (JPEGs with an
// EXIF orientation) are learned upright, for all eight orientations: the
// eight files of one picture stored in each orientation load as one
// picture, upright (Folder trains identical images once).
func TestFolderImagesComeUpright(t *testing.T) {
	dir := t.TempDir()
	for o := 1; o <= 8; o++ {
		writeFile(t, filepath.Join(dir, fmt.Sprintf("photo%d.jpg", o)), orienttest.JPEG(orienttest.Stored(o), o, o > 4))
	}
	samples, rep, err := Folder(context.Background(), dir)
	if err != nil || rep.Loaded != 1 || rep.Merged != 7 {
		t.Fatalf("Folder: %v, %+v: the eight orientations did not all come out as one picture", err, rep)
	}
	if bad := orienttest.Mismatch(samples[0].Image); bad != "" || samples[0].Key != "photo1.jpg" {
		t.Errorf("%s: %s", samples[0].Key, bad)
	}
}
