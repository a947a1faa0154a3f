package data

import (
	"context"
	"fmt"
	"path/filepath"
	"testing"

	"github.com/tessera-studio/tessera/engine/orient/orienttest"
)

// TestFolderImagesComeUpright: training images from a phone (JPEGs with an
// EXIF orientation) are learned upright, for all eight orientations.
func TestFolderImagesComeUpright(t *testing.T) {
	dir := t.TempDir()
	for o := 1; o <= 8; o++ {
		writeFile(t, filepath.Join(dir, fmt.Sprintf("photo%d.jpg", o)), orienttest.JPEG(orienttest.Stored(o), o, o > 4))
	}
	samples, rep, err := Folder(context.Background(), dir)
	if err != nil || rep.Loaded != 8 {
		t.Fatalf("Folder: %v, %+v", err, rep)
	}
	for i, s := range samples {
		if bad := orienttest.Mismatch(s.Image); bad != "" {
			t.Errorf("%s: %s", s.Key, bad)
		}
		if want := fmt.Sprintf("photo%d.jpg", i+1); s.Key != want {
			t.Errorf("sample %d is %s", i, s.Key)
		}
	}
}
