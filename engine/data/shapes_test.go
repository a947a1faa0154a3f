package data

import (
	"image"
	"image/color"
	"math"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"

	"github.com/nfnt/resize"
)

func TestShapesCaptions(t *testing.T) {
	all := ShapesCaptions()
	if len(all) != 288 {
		t.Fatalf("%d combinations, want 7×3×3×5 − 27 = 288", len(all))
	}
	seen := map[string]bool{}
	for _, c := range all {
		s := c.String()
		if seen[s] {
			t.Fatalf("caption %q twice", s)
		}
		seen[s] = true
		back, err := ParseShapesCaption(strings.ToUpper(s))
		if err != nil || back != c {
			t.Fatalf("parse(%q) = %+v, %v; want %+v", s, back, err, c)
		}
		if c.Color == c.Background {
			t.Fatalf("%q: a shape on its own colour", s)
		}
	}
	for s, want := range map[string]string{
		"red circle": "red circle", "one red circle": "red circle", "two green triangles": "two green triangles",
		"three blue squares on yellow": "three blue squares on yellow", "  Black   Square  on  gray ": "black square on gray",
	} {
		c, err := ParseShapesCaption(s)
		if err != nil || c.String() != want {
			t.Errorf("parse(%q) = %q, %v; want %q", s, c.String(), err, want)
		}
	}
	for _, bad := range []string{"", "red", "two red circle", "red circles", "red circle on red", "pink circle",
		"red hexagon", "red circle on white", "four red circles", "red circle on", "red circle under blue", "yellow square on yellow"} {
		if c, err := ParseShapesCaption(bad); err == nil {
			t.Errorf("parse(%q) = %+v, want an error", bad, c)
		}
	}
}

func TestShapesDeterministic(t *testing.T) {
	a, b := Shapes(40, 3, 32), Shapes(40, 3, 32)
	c := Shapes(40, 4, 32)
	if len(a) != 40 {
		t.Fatalf("%d samples, want 40", len(a))
	}
	differ := 0
	for i := range a {
		if a[i].Caption != b[i].Caption || !slices.Equal(a[i].Image.Pix, b[i].Image.Pix) {
			t.Fatalf("sample %d differs between two calls with the same seed", i)
		}
		if a[i].Key != a[i].Caption || a[i].Style != "" || a[i].Image.Bounds() != image.Rect(0, 0, 32, 32) {
			t.Fatalf("sample %d: key %q caption %q style %q bounds %v", i, a[i].Key, a[i].Caption, a[i].Style, a[i].Image.Bounds())
		}
		if !slices.Equal(a[i].Image.Pix, c[i].Image.Pix) {
			differ++
		}
	}
	if differ < 35 {
		t.Errorf("only %d of 40 pictures change with the seed", differ)
	}
	// A prefix does not depend on n, and every combination comes up once per 288.
	long := Shapes(300, 3, 32)
	for i := range a {
		if long[i].Caption != a[i].Caption || !slices.Equal(long[i].Image.Pix, a[i].Image.Pix) {
			t.Fatalf("sample %d depends on n", i)
		}
	}
	count := map[string]int{}
	for _, s := range long[:288] {
		count[s.Caption]++
	}
	if len(count) != 288 {
		t.Errorf("the first 288 samples show %d combinations, want all 288", len(count))
	}
	if got := Shapes(0, 1, 32); got != nil {
		t.Errorf("Shapes(0) = %d samples", len(got))
	}
	if got := Shapes(1, 1, 3); got[0].Image.Bounds().Dx() != ShapesMinSize {
		t.Errorf("size 3 drew %v, want it raised to %d", got[0].Image.Bounds(), ShapesMinSize)
	}
}

func TestShapesLayout(t *testing.T) {
	for _, size := range []int{16, 32, 64} {
		s := float64(size)
		for count := 1; count <= 3; count++ {
			for seed := range uint64(300) {
				boxes := layoutShapes(count, size, rand.New(rand.NewPCG(seed, 9)))
				if len(boxes) != count {
					t.Fatalf("size %d count %d seed %d: %d boxes", size, count, seed, len(boxes))
				}
				for i, p := range boxes {
					if p.r < s/8-1e-9 {
						t.Fatalf("size %d: half side %.2f below size/8", size, p.r)
					}
					if p.x-p.r < s/32-1e-9 || p.y-p.r < s/32-1e-9 || p.x+p.r > s-s/32+1e-9 || p.y+p.r > s-s/32+1e-9 {
						t.Fatalf("size %d count %d seed %d: box %+v leaves the picture's margin", size, count, seed, p)
					}
					for _, q := range boxes[:i] {
						if math.Abs(p.x-q.x) < p.r+q.r+s/10-1e-9 && math.Abs(p.y-q.y) < p.r+q.r+s/10-1e-9 {
							t.Fatalf("size %d count %d seed %d: boxes %+v and %+v closer than size/10", size, count, seed, p, q)
						}
					}
				}
			}
		}
	}
}

func TestShapesHeldOut(t *testing.T) {
	held := ShapesHeldOutCaptions()
	if n := len(held); n < 15 || n > 45 {
		t.Fatalf("%d of 288 combinations held out, want about 10%%", n)
	}
	trainWords := map[string]bool{}
	for _, c := range ShapesCaptions() {
		if !ShapesHeldOut(c.String()) {
			for _, w := range strings.Fields(c.String()) {
				trainWords[w] = true
			}
		}
	}
	for _, c := range held {
		for _, w := range strings.Fields(c.String()) {
			if !trainWords[w] {
				t.Errorf("held-out %q: the word %q is in no training caption", c, w)
			}
		}
		if !ShapesHeldOut("  " + strings.ToUpper(c.String()) + " ") {
			t.Errorf("%q is held out but its spelling variant is not", c)
		}
	}
	if ShapesHeldOut("not a caption") {
		t.Error("a non-caption is held out")
	}
	tr, va, rep := ShapesDataset(16)
	if rep.Loaded != ShapesDefaultCount || len(va) < 450 || len(va) > 1050 || tr[0].Image.Bounds().Dx() != 16 {
		t.Fatalf("ShapesDataset: %d + %d of %d", len(tr), len(va), rep.Loaded)
	}
	// every 8th held-out picture validates; the others are neither trained on nor validated
	if held := ShapesDefaultCount - len(tr); (held+7)/8 != len(va) {
		t.Fatalf("%d validation pictures of %d held out", len(va), held)
	}
	for _, s := range va {
		if !ShapesHeldOut(s.Key) {
			t.Fatalf("validation picture %q of a trained-on combination", s.Key)
		}
	}
	samples := Shapes(600, 1, 16)
	tr, va = SplitShapes(samples)
	if len(tr)+len(va) != len(samples) || len(va) == 0 {
		t.Fatalf("split %d + %d of %d", len(tr), len(va), len(samples))
	}
	for _, s := range va {
		if !ShapesHeldOut(s.Key) {
			t.Fatalf("%q in the held-out side", s.Key)
		}
	}
	for _, s := range tr {
		if ShapesHeldOut(s.Key) {
			t.Fatalf("held-out %q in training", s.Key)
		}
	}
}

// mutations are captions that differ from c in exactly one attribute.
func mutations(c ShapesCaption) []string {
	var out []string
	try := func(m ShapesCaption) {
		if m.Valid() && m != c {
			out = append(out, m.String())
		}
	}
	for _, col := range ShapeColors() {
		m := c
		m.Color = col
		try(m)
	}
	for _, k := range ShapeKinds() {
		m := c
		m.Shape = k
		try(m)
	}
	for n := 1; n <= 3; n++ {
		m := c
		m.Count = n
		try(m)
	}
	for _, bg := range ShapeBackgrounds() {
		m := c
		m.Background = bg
		try(m)
	}
	return out
}

func TestCheckShapesDrawn(t *testing.T) {
	for _, size := range []int{32, 64} {
		for i, c := range ShapesCaptions() {
			img, err := DrawShapes(c, size, uint64(i))
			if err != nil {
				t.Fatal(err)
			}
			if ok, got := CheckShapes(img, c.String()); !ok {
				t.Errorf("%d×%d %q read as %q", size, size, c, got)
			}
			if size != 32 {
				continue // wrong captions once suffice
			}
			for _, wrong := range mutations(c) {
				if ok, _ := CheckShapes(img, wrong); ok {
					t.Errorf("%d×%d picture of %q accepted as %q", size, size, c, wrong)
				}
			}
		}
	}
}

// degrade downscales img to side×side (bilinear), blurs it with a 3×3
// kernel of weight centre 4, edges 2, corners 1, and adds Gaussian noise of
// sigma (0–255 scale) to each channel.
func degrade(img image.Image, side int, sigma float64, rng *rand.Rand) *image.NRGBA {
	small := opaque(resize.Resize(uint(side), uint(side), img, resize.Bilinear))
	out := image.NewNRGBA(small.Rect)
	for y := 0; y < side; y++ {
		for x := 0; x < side; x++ {
			var sum [3]float64
			var wsum float64
			for dy := -1; dy <= 1; dy++ {
				for dx := -1; dx <= 1; dx++ {
					nx, ny := min(max(x+dx, 0), side-1), min(max(y+dy, 0), side-1)
					wgt := float64(int(4) >> (abs(dx) + abs(dy)))
					o := small.PixOffset(nx, ny)
					for ch := range 3 {
						sum[ch] += wgt * float64(small.Pix[o+ch])
					}
					wsum += wgt
				}
			}
			o := out.PixOffset(x, y)
			for ch := range 3 {
				out.Pix[o+ch] = uint8(min(max(math.Round(sum[ch]/wsum+rng.NormFloat64()*sigma), 0), 255))
			}
			out.Pix[o+3] = 255
		}
	}
	return out
}

func abs(x int) int {
	if x < 0 {
		return -x
	}
	return x
}

func TestCheckShapesDegraded(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 6))
	for _, tc := range []struct {
		from, to int
		sigma    float64
	}{{64, 32, 8}, {64, 48, 8}, {32, 32, 10}} {
		right, total := 0, 0
		var misses []string
		for i, c := range ShapesCaptions() {
			img, err := DrawShapes(c, tc.from, uint64(1000+i))
			if err != nil {
				t.Fatal(err)
			}
			ok, got := CheckShapes(degrade(img, tc.to, tc.sigma, rng), c.String())
			total++
			if ok {
				right++
			} else if len(misses) < 8 {
				misses = append(misses, c.String()+" → "+got)
			}
		}
		rate := float64(right) / float64(total)
		t.Logf("%d→%d, blur, noise σ %g: %d of %d right (%.1f%%); misses %q", tc.from, tc.to, tc.sigma, right, total, 100*rate, misses)
		if rate < 0.95 {
			t.Errorf("%d→%d with blur and noise σ %g: %.1f%% right, want ≥ 95%%", tc.from, tc.to, tc.sigma, 100*rate)
		}
	}
}

func TestCheckShapesBadInput(t *testing.T) {
	blank := image.NewNRGBA(image.Rect(0, 0, 32, 32))
	for i := range blank.Pix {
		blank.Pix[i] = 255
	}
	if ok, got := CheckShapes(blank, "red circle"); ok || got != "nothing" {
		t.Errorf("blank picture: %v %q", ok, got)
	}
	tiny := image.NewNRGBA(image.Rect(0, 0, 2, 2))
	if ok, _ := CheckShapes(tiny, "red circle"); ok {
		t.Error("a 2×2 picture passed")
	}
	img, _ := DrawShapes(ShapesCaption{Color: "red", Shape: "circle", Count: 1}, 32, 1)
	for _, bad := range []string{"", "red", "red circle on white", "a red circle"} {
		if ok, _ := CheckShapes(img, bad); ok {
			t.Errorf("caption %q accepted", bad)
		}
	}
	// Transparent pixels count as white, and an offset bounds rectangle is fine.
	sub := image.NewNRGBA(image.Rect(10, 10, 42, 42))
	for y := 0; y < 32; y++ {
		for x := 0; x < 32; x++ {
			c := img.NRGBAAt(x, y)
			if c == (color.NRGBA{255, 255, 255, 255}) {
				c = color.NRGBA{}
			}
			sub.SetNRGBA(10+x, 10+y, c)
		}
	}
	if ok, got := CheckShapes(sub, "red circle"); !ok {
		t.Errorf("transparent, offset picture read as %q", got)
	}
	// Two colours, or a smear no template fits, are not a caption.
	mixed := image.NewNRGBA(image.Rect(0, 0, 32, 32))
	for i := range mixed.Pix {
		mixed.Pix[i] = 255
	}
	fill := func(x0, y0, x1, y1 int, c color.NRGBA) {
		for y := y0; y < y1; y++ {
			for x := x0; x < x1; x++ {
				mixed.SetNRGBA(x, y, c)
			}
		}
	}
	fill(2, 2, 12, 12, color.NRGBA{215, 35, 35, 255})
	fill(18, 18, 28, 28, color.NRGBA{35, 75, 220, 255})
	if ok, got := CheckShapes(mixed, "two red squares"); ok || got != "blue square + red square" {
		t.Errorf("red and blue squares: %v %q", ok, got)
	}
	fill(0, 0, 32, 32, color.NRGBA{255, 255, 255, 255})
	fill(2, 14, 30, 17, color.NRGBA{215, 35, 35, 255}) // a thin bar
	if ok, got := CheckShapes(mixed, "red square"); ok || got != "red blob" {
		t.Errorf("a thin bar: %v %q", ok, got)
	}
}
