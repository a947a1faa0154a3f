//go:build unix

package codebook

import (
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// A device reads forever and a pipe blocks until written to: both are
// refused at once, by LoadImage and ReadImageFile alike (the studio's Open
// path of /dev/zero filled memory, and of a pipe hung without a word).
func TestReadImageFileRefusesWhatIsNoFile(t *testing.T) {
	pipe := filepath.Join(t.TempDir(), "pipe.png")
	if err := syscall.Mkfifo(pipe, 0o600); err != nil {
		t.Fatal(err)
	}
	for path, kind := range map[string]string{"/dev/zero": "device", pipe: "named pipe"} {
		done := make(chan error, 2)
		go func() {
			_, err := ReadImageFile(path, 1<<20)
			done <- err
			_, err = LoadImage(path)
			done <- err
		}()
		for range 2 {
			select {
			case err := <-done:
				if err == nil || !strings.Contains(err.Error(), "it is a "+kind+", not an image file") {
					t.Errorf("%s: %v", path, err)
				}
			case <-time.After(10 * time.Second):
				t.Fatalf("%s: still reading after 10 s", path)
			}
		}
	}
}
