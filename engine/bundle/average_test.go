package bundle_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/tessera-studio/tessera/engine/bundle"
	"github.com/tessera-studio/tessera/engine/bundle/bundletest"
	"github.com/tessera-studio/tessera/engine/model"
	"github.com/tessera-studio/tessera/engine/sampling"
)

// TestAverage: the mean of two checkpoints' weights, element by element;
// models of another architecture or image tokenizer are refused.
func TestAverage(t *testing.T) {
	a := bundletest.Tiny(1)
	other := bundletest.Tiny(2)
	b, err := bundle.FromParts("tiny", "test:tiny", other.Model, a.Codebook) // a's tokenizer, other weights
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	save := func(name string, m *bundle.Bundle) string {
		p := filepath.Join(dir, name)
		if err := m.Save(p, "F32"); err != nil {
			t.Fatal(err)
		}
		return p
	}
	pa, pb := save("a", a), save("b", b)
	avg, err := bundle.Average([]string{pa, pb})
	if err != nil {
		t.Fatal(err)
	}
	wa, wb, wm := a.Model.Weights(), b.Model.Weights(), avg.Model.Weights()
	for name, x := range wa {
		xs, ys, ms := x.Data().([]float32), wb[name].Data().([]float32), wm[name].Data().([]float32)
		for i := range xs {
			if want := (xs[i] + ys[i]) / 2; ms[i] != want {
				t.Fatalf("%s[%d] = %v, want (%v + %v)/2", name, i, ms[i], xs[i], ys[i])
			}
		}
	}
	// An export of the run that records other sampling defaults
	// (--default-guidance 2) is averaged, keeping the first's (it was
	// refused as differing in config.json).
	guided := bundletest.Tiny(2)
	guided.Model.Config.Tessera.Defaults = &sampling.Recommended{Guidance: 2}
	gb, err := bundle.FromParts("tiny", "test:tiny", guided.Model, a.Codebook)
	if err != nil {
		t.Fatal(err)
	}
	avg, err = bundle.Average([]string{pa, save("guided", gb)})
	if err != nil {
		t.Fatalf("an export with other sampling defaults: %v", err)
	}
	if got, want := avg.Model.Config.Recommended(), a.Model.Config.Recommended(); got != want {
		t.Errorf("the average's defaults %+v, want the first's %+v", got, want)
	}
	for _, c := range []struct {
		dirs []string
		want string
	}{
		{[]string{pa}, "at least two"},
		{[]string{pa, save("other-codebook", bundletest.Tiny(3))}, "different image tokenizers"},
		{[]string{pa, save("edit", bundletest.TinyEdit(1))}, "differ in config.json"},
		{[]string{pa, filepath.Join(dir, "missing")}, "missing"},
	} {
		if _, err := bundle.Average(c.dirs); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("Average(%v): %v, want an error with %q", c.dirs, err, c.want)
		}
	}
}

// A names file that is not UTF-8 text (damaged) is refused with what to
// do: its bytes were read as names no prompt has.
func TestLoadRefusesANamesFileThatIsNotText(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "m")
	if err := bundletest.Tiny(1).Save(dir, "F32"); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, bundle.NamesFile), []byte{0xff, 0xfe, 0x00, 0x81, 'c', 'a', 't', '\n'}, 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := bundle.Load(dir, model.LoadOptions{}); err == nil || !strings.Contains(err.Error(), "names.txt is not UTF-8 text") {
		t.Fatalf("Load: %v", err)
	}
}
