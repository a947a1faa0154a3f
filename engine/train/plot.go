package train

import (
	"image/color"
	"io"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"

	"github.com/tessera-studio/tessera/engine/atomicfile"
)

// LossPlotFile is the loss curve's name inside Options.OutDir.
const LossPlotFile = "loss.png"

// PlotLoss draws the training loss (per step, lightly smoothed) and the
// validation loss against the step, in bits per token, as a PNG at path.
func PlotLoss(path string, train []float32, val []ValPoint) error {
	p := plot.New()
	p.Title.Text = "Loss"
	p.X.Label.Text = "step"
	p.Y.Label.Text = "bits per token"
	p.Add(plotter.NewGrid())
	if len(train) > 0 {
		// A moving average over a window that grows with the run.
		win := max(1, len(train)/100)
		pts := make(plotter.XYs, 0, len(train))
		var s float64
		for i, v := range train {
			s += float64(v)
			if i >= win {
				s -= float64(train[i-win])
			}
			n := min(i+1, win)
			pts = append(pts, plotter.XY{X: float64(i + 1), Y: s / float64(n)})
		}
		l, err := plotter.NewLine(pts)
		if err != nil {
			return err
		}
		l.Color = color.RGBA{R: 31, G: 119, B: 180, A: 255}
		p.Add(l)
		p.Legend.Add("train", l)
	}
	if len(val) > 0 {
		pts := make(plotter.XYs, len(val))
		for i, v := range val {
			pts[i] = plotter.XY{X: float64(v.Step), Y: v.Bits}
		}
		l, s, err := plotter.NewLinePoints(pts)
		if err != nil {
			return err
		}
		c := color.RGBA{R: 214, G: 39, B: 40, A: 255}
		l.Color, s.Color = c, c
		p.Add(l, s)
		p.Legend.Add("validation", l, s)
	}
	p.Legend.Top = true
	p.Legend.XOffs = -vg.Points(8) // its symbols clear of the right edge
	// A margin past the last step, so that the last validation point is not
	// cut in half by the plot's edge.
	last := len(train)
	for _, v := range val {
		last = max(last, v.Step)
	}
	if last > 0 {
		p.X.Max = float64(last) + max(1, 0.03*float64(last))
	}
	wt, err := p.WriterTo(8*vg.Inch, 5*vg.Inch, "png")
	if err != nil {
		return err
	}
	return atomicfile.Write(path, func(w io.Writer) error {
		_, err := wt.WriteTo(w)
		return err
	})
}
