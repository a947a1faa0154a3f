package widgets

import (
	"math"
)

// Brush size limits, in patches (the brush's diameter).
const (
	MinBrush = 1
	MaxBrush = 64
)

// brushPatches calls visit for each patch a round brush of diameter size
// patches covers when centred at (x, y), in patch units (1 = one patch
// side). The patch under the centre is always covered, so the smallest
// brush paints exactly one patch: the overlay snaps to the grid.
func brushPatches(x, y float64, size, rows, cols int, visit func(index int)) {
	if rows <= 0 || cols <= 0 {
		return
	}
	r := float64(size) / 2
	cr, cc := int(math.Floor(y)), int(math.Floor(x))
	if cr >= 0 && cr < rows && cc >= 0 && cc < cols {
		visit(cr*cols + cc)
	}
	for row := max(0, int(math.Floor(y-r))); row <= min(rows-1, int(math.Ceil(y+r))); row++ {
		for col := max(0, int(math.Floor(x-r))); col <= min(cols-1, int(math.Ceil(x+r))); col++ {
			if row == cr && col == cc {
				continue
			}
			dx, dy := float64(col)+0.5-x, float64(row)+0.5-y
			if dx*dx+dy*dy <= r*r {
				visit(row*cols + col)
			}
		}
	}
}

// strokePatches calls visit for every patch the brush covers moving from
// (x0, y0) to (x1, y1), in patch units, with dabs at most half a patch apart.
func strokePatches(x0, y0, x1, y1 float64, size, rows, cols int, visit func(index int)) {
	steps := int(math.Ceil(math.Hypot(x1-x0, y1-y0) * 2))
	steps = min(max(steps, 1), 4096)
	for i := 0; i <= steps; i++ {
		t := float64(i) / float64(steps)
		brushPatches(x0+(x1-x0)*t, y0+(y1-y0)*t, size, rows, cols, visit)
	}
}
