package ui

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"image"
	"image/png"
	"os"
	"os/exec"
	"runtime"
	"strings"
	"time"
)

// imageClipboard puts a PNG on the system clipboard. Fyne's clipboard
// holds text only, so the studio uses the platform's own tools.
type imageClipboard func(ctx context.Context, pngData []byte) error

// errNoImageClipboard reports that no clipboard tool was found.
var errNoImageClipboard = errors.New("no tool to put images on the clipboard was found (install wl-clipboard or xclip)")

// copyTimeLimit is the longest a copy waits for the clipboard tool.
const copyTimeLimit = 10 * time.Second

// copyToolEnded is the error of a clipboard tool that ctx ended while it
// took the image: a tool past its time limit (copyTimeLimit, or ctx's own
// deadline) says the copy timed out, as pasteToolEnded says of a paste.
// Such a tool was killed mid-transfer: the image is not on the clipboard,
// and the clipboard is not touched again after it (the file's path is not
// put there in its place).
func copyToolEnded(ctx context.Context, tool string) error {
	if errors.Is(ctx.Err(), context.DeadlineExceeded) {
		return fmt.Errorf("the copy timed out: %s took no image in time (the clipboard is left as it was; copy again): %w", tool, ctx.Err())
	}
	return fmt.Errorf("copying with %s: %w", tool, ctx.Err())
}

// systemClipboard copies PNG data with wl-copy (Wayland), xclip (X11),
// osascript (macOS) or PowerShell (Windows), whichever is there, within
// copyTimeLimit (copyToolEnded past it).
func systemClipboard(ctx context.Context, data []byte) error {
	ctx, cancel := context.WithTimeout(ctx, copyTimeLimit)
	defer cancel()
	var tries [][]string
	switch runtime.GOOS {
	case "darwin":
		tmp, err := tempPNG(data)
		if err != nil {
			return fmt.Errorf("copy image: %w", err)
		}
		defer os.Remove(tmp)
		tries = [][]string{{"osascript", "-e", fmt.Sprintf("set the clipboard to (read (POSIX file %q) as «class PNGf»)", tmp)}}
		data = nil
	case "windows":
		tmp, err := tempPNG(data)
		if err != nil {
			return fmt.Errorf("copy image: %w", err)
		}
		defer os.Remove(tmp)
		tries = [][]string{{"powershell", "-NoProfile", "-Command",
			fmt.Sprintf("Add-Type -AssemblyName System.Windows.Forms; [System.Windows.Forms.Clipboard]::SetImage([System.Drawing.Image]::FromFile('%s'))", tmp)}}
		data = nil
	default:
		if os.Getenv("WAYLAND_DISPLAY") != "" {
			tries = append(tries, []string{"wl-copy", "--type", "image/png"})
		}
		tries = append(tries, []string{"xclip", "-selection", "clipboard", "-t", "image/png", "-i"})
	}
	for _, args := range tries {
		path, err := exec.LookPath(args[0])
		if err != nil {
			continue
		}
		cmd := exec.CommandContext(ctx, path, args[1:]...)
		if data != nil {
			cmd.Stdin = bytes.NewReader(data)
		}
		// xclip and wl-copy fork a child that serves the clipboard and keeps
		// their output open until another program takes it: wait for the
		// tool itself, not for its output to close.
		cmd.WaitDelay = 500 * time.Millisecond
		out, err := cmd.CombinedOutput()
		switch {
		case err != nil && ctx.Err() != nil:
			// Killed at its time limit (or at quit): no success, whatever
			// it wrote.
			return copyToolEnded(ctx, args[0])
		case err != nil && !errors.Is(err, exec.ErrWaitDelay):
			return fmt.Errorf("copy image with %s: %w: %s", args[0], err, bytes.TrimSpace(out))
		}
		return nil
	}
	return errNoImageClipboard
}

// imagePaste reads the image on the system clipboard as PNG data.
type imagePaste func(ctx context.Context) ([]byte, error)

// errNoImagePasted says the clipboard holds no image.
var errNoImagePasted = errors.New("the clipboard holds no image (copy one in another program, or open a file with Ctrl+O)")

// errNoPasteTool says no tool to read images from the clipboard was found;
// the errors that say so name the tools to install.
var errNoPasteTool = errors.New("no tool to read images from the clipboard was found")

// pasteTimeLimit is the longest a paste waits for the clipboard tool.
const pasteTimeLimit = 10 * time.Second

// pasteToolEnded is the error of a clipboard tool that ctx ended: a tool
// past its time limit (pasteTimeLimit, or ctx's own deadline) says the
// paste timed out. Such a tool was killed mid-transfer, which can leave
// the program that owns the clipboard stuck: the clipboard is not read
// again after it.
func pasteToolEnded(ctx context.Context, tool string) error {
	if errors.Is(ctx.Err(), context.DeadlineExceeded) {
		return fmt.Errorf("the paste timed out: %s handed no image over (the program that copied it may be stuck; copy the image again): %w", tool, ctx.Err())
	}
	return fmt.Errorf("reading the clipboard with %s: %w", tool, ctx.Err())
}

// maxPastedImage is the most PNG data a paste reads (the size an opened
// file may have).
const maxPastedImage = maxImageFile

// pasteToFile is the command that writes the clipboard's image as a PNG
// file at path on macOS (osascript, AppleScript's «class PNGf») or Windows
// (PowerShell's System.Windows.Forms.Clipboard, in a single-threaded
// apartment as the clipboard needs); nil on other systems, whose tools
// write to standard output. The command fails when the clipboard holds no
// image.
func pasteToFile(goos, path string) []string {
	switch goos {
	case "darwin":
		return []string{"osascript",
			"-e", "set png to (the clipboard as «class PNGf»)",
			"-e", fmt.Sprintf("set f to open for access (POSIX file %q) with write permission", path),
			"-e", "write png to f",
			"-e", "close access f"}
	case "windows":
		return []string{"powershell", "-NoProfile", "-STA", "-Command",
			fmt.Sprintf("Add-Type -AssemblyName System.Windows.Forms; Add-Type -AssemblyName System.Drawing; "+
				"$img = [System.Windows.Forms.Clipboard]::GetImage(); if ($img -eq $null) { exit 1 }; "+
				"$img.Save('%s', [System.Drawing.Imaging.ImageFormat]::Png)", strings.ReplaceAll(path, "'", "''"))}
	}
	return nil
}

// pasteThroughFile runs pasteToFile's command and reads the PNG it wrote.
func pasteThroughFile(ctx context.Context, goos string) ([]byte, error) {
	f, err := os.CreateTemp("", "tessera-paste-*.png")
	if err != nil {
		return nil, fmt.Errorf("paste image: %w", err)
	}
	tmp := f.Name()
	f.Close()
	defer os.Remove(tmp)
	args := pasteToFile(goos, tmp)
	path, err := exec.LookPath(args[0])
	if err != nil {
		return nil, fmt.Errorf("%w (%s)", errNoPasteTool, args[0])
	}
	if err := exec.CommandContext(ctx, path, args[1:]...).Run(); err != nil {
		if ctx.Err() != nil {
			return nil, pasteToolEnded(ctx, args[0])
		}
		return nil, errNoImagePasted
	}
	if fi, err := os.Stat(tmp); err != nil || fi.Size() == 0 {
		return nil, errNoImagePasted
	} else if fi.Size() > maxPastedImage {
		return nil, fmt.Errorf("the image on the clipboard is more than the %d bytes accepted", maxPastedImage)
	}
	return os.ReadFile(tmp)
}

// systemPaste reads a PNG from the clipboard with wl-paste (Wayland) or
// xclip (X11), whichever is there, or osascript (macOS) or PowerShell
// (Windows) through a temporary file, within pasteTimeLimit.
func systemPaste(ctx context.Context) ([]byte, error) {
	ctx, cancel := context.WithTimeout(ctx, pasteTimeLimit)
	defer cancel()
	if pasteToFile(runtime.GOOS, "") != nil {
		return pasteThroughFile(ctx, runtime.GOOS)
	}
	var tries [][]string
	if os.Getenv("WAYLAND_DISPLAY") != "" {
		tries = append(tries, []string{"wl-paste", "--no-newline", "--type", "image/png"})
	}
	tries = append(tries, []string{"xclip", "-selection", "clipboard", "-t", "image/png", "-o"})
	ran := false
	for _, args := range tries {
		path, err := exec.LookPath(args[0])
		if err != nil {
			continue
		}
		ran = true
		var out, errOut bytes.Buffer
		cmd := exec.CommandContext(ctx, path, args[1:]...)
		cmd.Stdout, cmd.Stderr = &limitedWriter{w: &out, n: maxPastedImage + 1}, &errOut
		if err := cmd.Run(); err != nil || out.Len() == 0 {
			if ctx.Err() != nil {
				return nil, pasteToolEnded(ctx, args[0])
			}
			continue // the tools fail when the clipboard has no image/png target; try the next
		}
		if out.Len() > maxPastedImage {
			return nil, fmt.Errorf("the image on the clipboard is more than the %d bytes accepted", maxPastedImage)
		}
		return out.Bytes(), nil
	}
	if ran {
		return nil, errNoImagePasted
	}
	return nil, fmt.Errorf("%w (install wl-clipboard or xclip)", errNoPasteTool)
}

// limitedWriter keeps the first n bytes written to it and drops the rest
// (without failing the writer, so the tool ends normally).
type limitedWriter struct {
	w *bytes.Buffer
	n int
}

func (l *limitedWriter) Write(p []byte) (int, error) {
	if room := l.n - l.w.Len(); room > 0 {
		l.w.Write(p[:min(len(p), room)])
	}
	return len(p), nil
}

// encodePNG returns img as PNG bytes.
func encodePNG(img image.Image) ([]byte, error) {
	var buf bytes.Buffer
	if err := png.Encode(&buf, img); err != nil {
		return nil, fmt.Errorf("encode png: %w", err)
	}
	return buf.Bytes(), nil
}

// tempPNG writes data to a new temporary file and returns its path; the
// caller removes it.
func tempPNG(data []byte) (string, error) {
	f, err := os.CreateTemp("", "tessera-*.png")
	if err != nil {
		return "", err
	}
	_, err = f.Write(data)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		os.Remove(f.Name())
		return "", err
	}
	return f.Name(), nil
}
