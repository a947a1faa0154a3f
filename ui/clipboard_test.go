package ui

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"image"
	"image/png"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"testing"
	"time"
)

// TestClipboardToolThatForks: xclip forks a child that serves the
// clipboard and keeps its output open; copying returns when the tool
// itself exits, not when another program takes the clipboard (seconds or
// never).
func TestClipboardToolThatForks(t *testing.T) {
	if runtime.GOOS != "linux" {
		t.Skip("the xclip path is the Linux one")
	}
	bin := t.TempDir()
	script := "#!/bin/sh\n/bin/cat > /dev/null\n(/bin/sleep 20) &\nexit 0\n" // reads the PNG, leaves a child holding stdout
	must(t, os.WriteFile(filepath.Join(bin, "xclip"), []byte(script), 0o755))
	t.Setenv("PATH", bin)
	t.Setenv("WAYLAND_DISPLAY", "")
	start := time.Now()
	if err := systemClipboard(context.Background(), []byte("png")); err != nil {
		t.Fatal(err)
	}
	if d := time.Since(start); d > 5*time.Second {
		t.Fatalf("copying waited %v for the clipboard server's output", d)
	}
}

// A copy whose tool takes no image within its time limit is killed and
// says the copy timed out (it said "signal: killed", and the studio then
// put the file's path on the clipboard as if the tool were missing).
func TestCopyToolTimedOut(t *testing.T) {
	if runtime.GOOS != "linux" {
		t.Skip("the xclip path is the Linux one")
	}
	bin := t.TempDir()
	must(t, os.WriteFile(filepath.Join(bin, "xclip"), []byte("#!/bin/sh\nexec /bin/sleep 5\n"), 0o755))
	t.Setenv("PATH", bin)
	t.Setenv("WAYLAND_DISPLAY", "")
	ctx, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
	defer cancel()
	err := systemClipboard(ctx, []byte("png"))
	if !errors.Is(err, context.DeadlineExceeded) || !strings.Contains(err.Error(), "the copy timed out: xclip took no image") {
		t.Fatalf("a tool past its time limit: %v", err)
	}

	// The studio says so and leaves the clipboard alone: not the
	// image file's path in its place, as for a missing tool.
	s := newTestStudio(t)
	generate(t, s)
	s.app.Clipboard().SetContent("before")
	s.clip = func(context.Context, []byte) error { return err }
	s.CopyImage()
	s.Wait()
	if got := s.app.Clipboard().Content(); got != "before" {
		t.Errorf("after a copy that timed out the clipboard holds %q", got)
	}
	if e := s.LastError(); e == nil || !strings.Contains(e.Error(), "copy image: the copy timed out") || !strings.Contains(s.Status(), "timed out") {
		t.Errorf("a copy that timed out: error %v, status %q", e, s.Status())
	}
}

// Paste image opens the clipboard's PNG as opening a file does: a
// picture from elsewhere is encoded from its pixels, one of Tessera's
// exactly from its record; an empty clipboard says so and keeps the image.
func TestPasteImage(t *testing.T) {
	s := newTestStudio(t)
	setParams(t, s, "red cat", 3, nil)
	generate(t, s)
	made := s.Document().Tokens()
	saved := s.Document().Parent // the output the run saved
	data, err := os.ReadFile(saved)
	must(t, err)

	s.paste = func(context.Context) ([]byte, error) { return nil, errNoImagePasted }
	must(t, s.PasteImage())
	s.Wait()
	if err := s.LastError(); err == nil || !strings.Contains(err.Error(), "the clipboard holds no image") || !slices.Equal(s.Document().Tokens(), made) {
		t.Fatalf("pasting from a clipboard without an image: %v", err)
	}

	s.paste = func(context.Context) ([]byte, error) { return data, nil }
	must(t, s.PasteImage())
	s.Wait()
	if !slices.Equal(s.Document().Tokens(), made) || !strings.HasPrefix(s.Status(), "Opened the pasted image exactly") || s.Document().Parent != "" {
		t.Fatalf("pasting Tessera's picture: status %q, parent %q", s.Status(), s.Document().Parent)
	}
	var buf bytes.Buffer
	pic := image.NewNRGBA(image.Rect(0, 0, 40, 30))
	for i := range pic.Pix {
		pic.Pix[i] = uint8(i * 7)
	}
	must(t, png.Encode(&buf, pic))
	s.paste = func(context.Context) ([]byte, error) { return buf.Bytes(), nil }
	must(t, s.PasteImage())
	s.Wait()
	if !strings.HasPrefix(s.Status(), "Opened the pasted image (encoded from its pixels)") || s.Document().Empty() {
		t.Fatalf("pasting another program's picture: status %q", s.Status())
	}
	// It is scored under the prompt in the box, and the status says so.
	if !strings.Contains(s.Status(), `bits/patch under tiny and the prompt "red cat"`) {
		t.Errorf("the score of a picture without a prompt of its own does not name the prompt: %q", s.Status())
	}
	must(t, s.Undo()) // the paste is one undo step
	if !slices.Equal(s.Document().Tokens(), made) {
		t.Fatal("undo did not bring back the image before the paste")
	}

	// Text on the clipboard (xclip hands it over for image/png too): a
	// picture file's path, or its file:// URI as file managers copy it,
	// opens that file; other text says what the clipboard holds.
	for _, text := range []string{saved + "\n", "file://" + saved, `"` + saved + `"`} {
		s.paste = func(context.Context) ([]byte, error) { return []byte(text), nil }
		must(t, s.PasteImage())
		s.Wait()
		if !strings.HasPrefix(s.Status(), "Opened "+filepath.Base(saved)+" exactly") || s.Document().Parent != saved {
			t.Fatalf("pasting the path %q: status %q", text, s.Status())
		}
	}
	s.paste = func(context.Context) ([]byte, error) { return data[:len(data)/2], nil } // cut short
	must(t, s.PasteImage())
	s.Wait()
	if err := s.LastError(); err == nil || !strings.Contains(err.Error(), "paste image: the pasted image is incomplete") {
		t.Fatalf("pasting a broken picture: %v", err)
	}
	// No tool to read images from the clipboard (Copy image put the
	// file's path on it for want of one): the path there opens the file.
	s.paste = func(context.Context) ([]byte, error) {
		return nil, fmt.Errorf("%w (install wl-clipboard or xclip)", errNoPasteTool)
	}
	s.app.Clipboard().SetContent(saved)
	must(t, s.PasteImage())
	s.Wait()
	if !strings.HasPrefix(s.Status(), "Opened "+filepath.Base(saved)+" exactly") {
		t.Fatalf("pasting without a clipboard tool, the path on the clipboard: status %q, error %v", s.Status(), s.LastError())
	}
	s.app.Clipboard().SetContent("")
	s.paste = func(context.Context) ([]byte, error) { return []byte("hello world"), nil }
	before := s.Document().Tokens()
	must(t, s.PasteImage())
	s.Wait()
	if err := s.LastError(); err == nil || !strings.Contains(err.Error(), "the clipboard holds text, not an image") || !slices.Equal(s.Document().Tokens(), before) {
		t.Fatalf("pasting text: %v", err)
	}
}

// A clipboard tool killed at its time limit can leave the program that
// owns the clipboard stuck, and Fyne's read of the clipboard's text then
// blocked the UI thread for good: after a timeout the paste says it timed
// out and leaves the clipboard alone (the picture file's path there is not
// read).
func TestPasteTimedOutLeavesTheClipboardAlone(t *testing.T) {
	s := newTestStudio(t)
	path := exportThenRedraw(t, s, "on-the-clipboard.png")
	before := s.Document().Tokens()
	s.app.Clipboard().SetContent(path)
	s.paste = func(context.Context) ([]byte, error) {
		return nil, fmt.Errorf("the paste timed out: xclip handed no image over: %w", context.DeadlineExceeded)
	}
	must(t, s.PasteImage())
	s.Wait()
	if err := s.LastError(); err == nil || !strings.Contains(err.Error(), "paste image: the paste timed out") || !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("a paste that timed out: %v", err)
	}
	if !slices.Equal(s.Document().Tokens(), before) || strings.Contains(s.Status(), "Opened") {
		t.Errorf("after a paste that timed out the path on the clipboard was read and opened: status %q", s.Status())
	}
}

// systemPaste reads xclip's image/png output; a tool that fails (no image
// on the clipboard) is errNoImagePasted, and no tool says what to install.
func TestSystemPaste(t *testing.T) {
	if runtime.GOOS != "linux" {
		t.Skip("the xclip path is the Linux one")
	}
	t.Setenv("WAYLAND_DISPLAY", "")
	bin := t.TempDir()
	t.Setenv("PATH", bin)
	if _, err := systemPaste(context.Background()); err == nil || !strings.Contains(err.Error(), "install wl-clipboard or xclip") {
		t.Fatalf("no tool: %v", err)
	}
	must(t, os.WriteFile(filepath.Join(bin, "xclip"), []byte("#!/bin/sh\n/bin/echo -n PNGDATA\n"), 0o755))
	if data, err := systemPaste(context.Background()); err != nil || string(data) != "PNGDATA" {
		t.Fatalf("an image on the clipboard: %q, %v", data, err)
	}
	must(t, os.WriteFile(filepath.Join(bin, "xclip"), []byte("#!/bin/sh\necho 'Error: target image/png not available' >&2\nexit 1\n"), 0o755))
	if _, err := systemPaste(context.Background()); err != errNoImagePasted {
		t.Fatalf("no image on the clipboard: %v", err)
	}
	// A tool that hands nothing over in time is killed, and the paste
	// says it timed out (it said "context deadline exceeded").
	must(t, os.WriteFile(filepath.Join(bin, "xclip"), []byte("#!/bin/sh\nexec /bin/sleep 5\n"), 0o755))
	ctx, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
	defer cancel()
	if _, err := systemPaste(ctx); !errors.Is(err, context.DeadlineExceeded) || !strings.Contains(err.Error(), "the paste timed out: xclip handed no image over") {
		t.Fatalf("a tool past its time limit: %v", err)
	}
}

// On macOS and Windows the clipboard's image is written to a temporary
// file by osascript or PowerShell and read back; run here with a stand-in
// osascript that writes what a real one would (or fails, as it does on a
// clipboard without an image).
func TestPasteThroughFile(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("the stand-in is a shell script")
	}
	bin := t.TempDir()
	t.Setenv("PATH", bin)
	if _, err := pasteThroughFile(context.Background(), "darwin"); err == nil || !strings.Contains(err.Error(), "osascript") {
		t.Fatalf("no tool: %v", err)
	}
	// The file's path is in the AppleScript line that opens it for writing.
	script := "#!/bin/sh\nfor a in \"$@\"; do case \"$a\" in *'POSIX file'*) p=${a#*\\\"}; p=${p%%\\\"*};; esac; done\n" +
		"[ -n \"$PASTED\" ] || exit 1\nprintf %s \"$PASTED\" > \"$p\"\n"
	must(t, os.WriteFile(filepath.Join(bin, "osascript"), []byte(script), 0o755))
	t.Setenv("PASTED", "PNGDATA")
	if data, err := pasteThroughFile(context.Background(), "darwin"); err != nil || string(data) != "PNGDATA" {
		t.Fatalf("an image on the clipboard: %q, %v", data, err)
	}
	t.Setenv("PASTED", "")
	if _, err := pasteThroughFile(context.Background(), "darwin"); err != errNoImagePasted {
		t.Fatalf("no image on the clipboard: %v", err)
	}
	// PowerShell's single-quoted path doubles its quotes.
	if cmd := pasteToFile("windows", `C:\Users\o'brien\t.png`); cmd[0] != "powershell" || !strings.Contains(cmd[len(cmd)-1], `Save('C:\Users\o''brien\t.png'`) {
		t.Errorf("windows: %q", cmd)
	}
	if pasteToFile("linux", "/tmp/x.png") != nil {
		t.Error("Linux's tools write to standard output")
	}
}
