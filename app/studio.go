package app

import (
	"context"
	"errors"
	"fmt"
	"image"
	"math"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"strconv"
	"strings"
	"time"

	"fyne.io/fyne/v2"
	fyneapp "fyne.io/fyne/v2/app"

	"github.com/tessera-studio/tessera/assets"
	"github.com/tessera-studio/tessera/engine/bundle"
	"github.com/tessera-studio/tessera/engine/model"
	"github.com/tessera-studio/tessera/engine/pngmeta"
	"github.com/tessera-studio/tessera/ui"
	"github.com/tessera-studio/tessera/ui/core"
)

// AppID is the application's unique ID (preferences and storage live under it).
const AppID = "studio.tessera.app"

// runStudio opens the desktop studio and returns when its window closes.
// With --screenshots DIR it drives the real window through a generation and
// a masked regeneration, saves screenshots of both into DIR, and quits.
func runStudio(ctx context.Context, env Env, args []string) error {
	fs := newFlags(env, "studio", "[--model M] [--edit-model M] [--screenshots DIR] [PICTURE]")
	modelName := fs.String("model", assets.Default(), "model to open first (built-in name or folder)")
	editModel := fs.String("edit-model", assets.EditModel(), "edit-by-instruction model of the Edit by instruction box (built-in name or folder; \"\" none)")
	shots := fs.String("screenshots", "", "drive the window and save screenshots into this folder, then quit")
	promptText := fs.String("prompt", "fox face", "prompt for --screenshots")
	instruction := fs.String("instruction", "make it blue", "the edit by instruction --screenshots makes")
	trainShot := fs.String("train-screenshot", "", "drive the Train tab through a small shapes run, save a screenshot of it mid-run as this PNG, then quit")
	precision := fs.String("precision", precAuto, precisionHelp)
	pos, err := parseFlags(fs, args)
	if err != nil {
		return helpOr(fs, err)
	}
	openModel, modelSet := *modelName, flagsSet(fs)["model"]
	var openImage string
	switch {
	case len(pos) > 1:
		return usageError{fmt.Sprintf("takes one picture to open at most (got %s): the model goes in --model", quoteFew(pos, 3))}
	case len(pos) == 1:
		// A picture to open once the model is in, as a drop of it: a file
		// manager's "Open with Tessera". A folder given so is a model
		// folder (or a run's), opened first, not after the last session's
		// model (unless --model names one).
		info, err := os.Stat(pos[0])
		if err != nil {
			return usageError{fmt.Sprintf("%s: there is no such file to open (the model goes in --model)", pos[0])}
		}
		abs, err := filepath.Abs(pos[0])
		if err != nil {
			return err
		}
		if info.IsDir() && !modelSet {
			openModel, modelSet = abs, true
		} else {
			openImage = abs
		}
	}
	if _, err := parsePrecision(*precision); err != nil {
		return err
	}
	if err := checkEditModel(*editModel); err != nil {
		return err
	}
	if err := checkDisplay(); err != nil {
		return err
	}
	prefsNote := guardPreferences(fynePreferencesPath(AppID)) // before Fyne reads them
	a := fyneapp.NewWithID(AppID)
	a.SetIcon(iconResource())
	opt := ui.Options{Version: Version, Models: Catalog{Precision: *precision}, DefaultModel: *modelName, EditModel: *editModel, EditModelSet: flagsSet(fs)["edit-model"], StartNote: prefsNote, OpenImage: openImage, LockSession: true}
	if modelSet {
		opt.Model = resolveModel(openModel) // over the last session's model
		if bundle.IsFolder(opt.Model) {
			if abs, err := filepath.Abs(opt.Model); err == nil {
				opt.Model = abs // the picker keeps folders by their absolute path
			}
		}
	}
	if *shots != "" || *trainShot != "" {
		// A throwaway state folder, so screenshots never touch the user's session.
		tmp, err := os.MkdirTemp("", "tessera-shots-")
		if err != nil {
			return err
		}
		defer os.RemoveAll(tmp)
		opt.StateDir, opt.OutputsDir = filepath.Join(tmp, "state"), filepath.Join(tmp, "outputs")
		opt.RunsDir = filepath.Join(tmp, "runs")
	}
	s := ui.NewStudio(a, opt)
	var shotErr error
	if *trainShot != "" {
		go func() {
			shotErr = driveTrainScreenshot(s, *trainShot)
			if shotErr != nil {
				fmt.Fprintln(env.Stderr, "train screenshot:", shotErr)
			}
			fyne.Do(a.Quit)
		}()
	} else if *shots != "" {
		go func() {
			shotErr = driveScreenshots(s, *shots, *modelName, *promptText, *instruction)
			if shotErr != nil {
				fmt.Fprintln(env.Stderr, "screenshots:", shotErr)
			}
			fyne.Do(a.Quit)
		}()
	}
	s.ShowAndRun()
	_ = ctx
	if shotErr == nil && !s.KeepsSession() {
		return errGuestWindow
	}
	return shotErr
}

// driveScreenshots generates an image, captures the window halfway through
// (stopped there, then resumed), masks the middle of the image, regenerates
// it and captures the candidates; with an edit model, it edits the image by
// instruction and captures that too (edited.png).
func driveScreenshots(s *ui.Studio, dir, modelName, promptText, instruction string) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	time.Sleep(time.Second) // let the window appear
	s.Wait()
	// The studio reopens the last model used; the screenshots want this one.
	var err error
	fyne.DoAndWait(func() { err = s.OpenModel(modelName) })
	if err != nil {
		return err
	}
	s.Wait()
	if s.Bundle() == nil {
		return fmt.Errorf("no model loaded")
	}
	fyne.DoAndWait(func() {
		p, _ := s.Params()
		p.Prompt, p.Seed, p.SeedLocked, p.Batch = promptText, 7, true, 1
		s.SetParams(p)
		// Stop halfway (generation is faster than a screen grab), capture
		// the partial image with its progress, then let it finish.
		s.StopAtPatch(s.Bundle().ImageTokens() / 2)
		err = s.Generate()
	})
	if err != nil {
		return err
	}
	s.Wait()
	time.Sleep(300 * time.Millisecond)
	if err := capture(s, filepath.Join(dir, "generating.png")); err != nil {
		return err
	}
	fyne.DoAndWait(func() {
		if paintedFraction(s.Canvas().Image()) < 1 {
			err = s.Resume()
		}
	})
	if err != nil {
		return err
	}
	s.Wait()
	time.Sleep(300 * time.Millisecond)
	var defaults core.Params // the panel's settings before the regeneration
	fyne.DoAndWait(func() {
		// At the model's defaults the emoji model redraws the patches it
		// knows by heart; the studio then draws them again with guidance
		// off and more temperature, and says so in the status.
		p, _ := s.Params()
		defaults = p
		rows, cols := s.Bundle().Grid()
		mask := make([]bool, rows*cols)
		for r := rows / 4; r < rows/2+1; r++ {
			for c := cols / 4; c < 3*cols/4; c++ {
				mask[r*cols+c] = true
			}
		}
		if err = s.SetMask(mask); err == nil {
			err = s.RegenerateMasked()
		}
	})
	if err != nil {
		return err
	}
	s.Wait()
	time.Sleep(500 * time.Millisecond)
	if err := capture(s, filepath.Join(dir, "regenerated.png")); err != nil {
		return err
	}
	if s.EditModel() == "" {
		return nil
	}
	// Edit by instruction, offered best first under the canvas.
	fyne.DoAndWait(func() {
		s.SetParams(defaults) // the edit at the model's settings
		if err = s.ClearMask(); err == nil {
			s.SetInstruction(instruction)
			err = s.EditByInstruction(instruction)
		}
	})
	if err != nil {
		return err
	}
	s.Wait()
	if err := s.LastError(); err != nil {
		return fmt.Errorf("edit by instruction: %w", err)
	}
	time.Sleep(500 * time.Millisecond)
	return capture(s, filepath.Join(dir, "edited.png"))
}

// paintedFraction is the share of opaque pixels (patches already drawn).
func paintedFraction(img *image.NRGBA) float64 {
	if img == nil || len(img.Pix) == 0 {
		return 0
	}
	n := 0
	for i := 3; i < len(img.Pix); i += 4 {
		if img.Pix[i] > 0 {
			n++
		}
	}
	return float64(n) / float64(len(img.Pix)/4)
}

// capture saves the window's current frame as a PNG. Under Xvfb it asks
// ImageMagick's import for the screen, cropped to the window (at the
// top-left corner there, without a window manager; the screen around it
// is black), as Fyne's own capture reads back an empty frame with software
// GL there; elsewhere it uses Fyne's capture.
func capture(s *ui.Studio, path string) error {
	if tool, err := exec.LookPath("import"); err == nil && os.Getenv("DISPLAY") != "" {
		time.Sleep(100 * time.Millisecond) // one more repaint
		var size fyne.Size
		var scale float32
		fyne.DoAndWait(func() { size, scale = s.Window().Canvas().Size(), s.Window().Canvas().Scale() })
		crop := fmt.Sprintf("%dx%d+0+0", int(math.Round(float64(size.Width*scale))), int(math.Round(float64(size.Height*scale))))
		if out, err := exec.Command(tool, "-window", "root", "-crop", crop, "+repage", path).CombinedOutput(); err != nil {
			return fmt.Errorf("import: %v: %s", err, out)
		}
		return nil
	}
	var shot image.Image
	fyne.DoAndWait(func() { shot = s.Window().Canvas().Capture() })
	return pngmeta.WriteFileAtomic(path, shot, nil)
}

// checkEditModel refuses, before the window opens, an --edit-model whose
// configuration says it draws from a prompt (the first edit said so); a
// model that cannot be read is left for the studio to report.
func checkEditModel(name string) error {
	if name == "" {
		return nil
	}
	resolved := resolveModel(name)
	var cfg model.Config
	var err error
	if bundle.IsFolder(resolved) {
		cfg, err = model.LoadConfig(filepath.Join(resolved, model.ConfigFile))
	} else {
		cfg, err = assets.ModelConfig(resolved)
	}
	if err != nil || cfg.IsEdit() {
		return nil
	}
	hint := "\"\" for none"
	if e := assets.EditModel(); e != "" {
		hint = fmt.Sprintf("the built-in %s, or %s", e, hint)
	}
	return usageError{fmt.Sprintf("--edit-model %s draws pictures from a text prompt and edits none by instruction: give an edit model (%s)", name, hint)}
}

// checkDisplay refuses to open a window where there is no desktop session
// (the GL driver would panic): it says what to do instead.
func checkDisplay() error {
	if runtime.GOOS != "linux" && runtime.GOOS != "freebsd" {
		return nil
	}
	display := os.Getenv("DISPLAY")
	switch {
	case display == "" && os.Getenv("WAYLAND_DISPLAY") != "":
		// Fyne's driver draws through X11 here: without DISPLAY it
		// panicked ("The GLFW library is not initialized").
		return errors.New("no display: the studio draws through X11 and DISPLAY is unset (a Wayland desktop provides one through XWayland); " +
			"run it under xvfb-run for a virtual one, or use the headless commands (tessera help)")
	case display == "":
		return fmt.Errorf("no display: the studio needs a desktop session (DISPLAY or WAYLAND_DISPLAY is unset); " +
			"run it under xvfb-run for a virtual one, or use the headless commands (tessera help)")
	}
	if err := reachX(display); err != nil {
		return fmt.Errorf("no display: DISPLAY=%s cannot be reached (%v): a stale DISPLAY (an ssh session without X forwarding, an X server that ended)? "+
			"run it under xvfb-run for a virtual one, or use the headless commands (tessera help)", display, err)
	}
	return nil
}

// xDisplay reads DISPLAY's usual forms, [host]:N[.S]: host "" or "unix"
// for the local socket.
var xDisplay = regexp.MustCompile(`^([A-Za-z0-9._-]*):([0-9]+)(\.[0-9]+)?$`)

// reachX connects to the X server display names and closes at once: a
// DISPLAY that names none made the window's driver panic. A socket's path
// (a launchd DISPLAY) is let through.
func reachX(display string) error {
	m := xDisplay.FindStringSubmatch(display)
	switch {
	case m == nil && strings.Contains(display, "/"):
		return nil // a socket's path (XQuartz's launchd DISPLAY)
	case m == nil:
		return errors.New("it is no X display name, [host]:N")
	}
	host, n := m[1], m[2]
	const wait = 2 * time.Second
	var conn net.Conn
	var err error
	if host == "" || host == "unix" {
		path := "/tmp/.X11-unix/X" + n
		if conn, err = net.DialTimeout("unix", path, wait); err != nil {
			// Linux servers listen on an abstract socket of that name too.
			conn, err = net.DialTimeout("unix", "@"+path, wait)
		}
	} else {
		port, _ := strconv.Atoi(n)
		conn, err = net.DialTimeout("tcp", net.JoinHostPort(host, strconv.Itoa(6000+port)), wait)
	}
	if err != nil {
		return err
	}
	return conn.Close()
}
