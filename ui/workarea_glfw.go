//go:build linux || windows || darwin || freebsd || openbsd || netbsd

package ui

import "github.com/go-gl/glfw/v3.3/glfw"

// workArea is the primary monitor's work area (the screen less task bars)
// in screen pixels and its content scale (1 at 100%), read from GLFW on
// the main thread; ok is false where GLFW has no monitor to report (not
// initialised under another driver: its panic is caught).
func workArea() (w, h int, contentScale float32, ok bool) {
	defer func() {
		if recover() != nil {
			ok = false
		}
	}()
	m := glfw.GetPrimaryMonitor()
	if m == nil {
		return 0, 0, 0, false
	}
	_, _, w, h = m.GetWorkarea()
	_, sy := m.GetContentScale()
	return w, h, max(sy, 1), w > 0 && h > 0
}
