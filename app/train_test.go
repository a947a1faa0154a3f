package app

import (
	"flag"
	"io"
	"testing"

	"github.com/tessera-studio/tessera/engine/trainjob"
)

// TestTrainFlagsKeepPresetDefaults: the sampling knobs a preset recommends
// reach the exported model unless a --default-* flag sets one (0: none).
func TestTrainFlagsKeepPresetDefaults(t *testing.T) {
	parse := func(args ...string) trainjob.Settings {
		t.Helper()
		fs := flag.NewFlagSet("train", flag.ContinueOnError)
		fs.SetOutput(io.Discard)
		var f trainFlags
		f.register(fs)
		if err := fs.Parse(args); err != nil {
			t.Fatal(err)
		}
		return f.settings(args)
	}
	preset := trainjob.Preset("shapes").Defaults
	if preset.TopP == 0 || preset.Guidance == 0 {
		t.Fatalf("the shapes preset recommends no top-p or guidance: %+v", preset)
	}
	if got := parse("--data", "shapes", "--out", "r").Defaults; got != preset {
		t.Errorf("no --default-* flag: %+v, want the preset's %+v", got, preset)
	}
	got := parse("--data", "shapes", "--out", "r", "--default-top-p", "0", "--default-temperature", "0.8").Defaults
	if got.TopP != 0 || got.Temperature != 0.8 || got.Guidance != preset.Guidance {
		t.Errorf("--default-top-p 0 --default-temperature 0.8: %+v, want top-p 0, temperature 0.8 and the preset's guidance %g", got, preset.Guidance)
	}
}
