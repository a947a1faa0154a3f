package app

import (
	"fmt"
	"strings"
	"testing"

	"github.com/tessera-studio/tessera/engine/sampler"
	"github.com/tessera-studio/tessera/engine/sampling"
)

// A model of 64 MiB or more shows a progress line while it loads, except
// under --quiet (quietLog), which printed it anyway.
func TestLoadProgressQuiet(t *testing.T) {
	for _, quiet := range []bool{false, true} {
		var buf strings.Builder
		log := logFor(Env{Stderr: &buf}, quiet)
		progress, done := loadProgress(log, "rm/small")
		progress(0, 300<<20)
		progress(300<<20, 300<<20)
		done()
		fmt.Fprintln(log, "note: a note")
		got := buf.String()
		if shown := strings.Contains(got, "loading rm/small: 100% of"); shown == quiet || !strings.Contains(got, "note: a note") {
			t.Errorf("quiet %v: %q", quiet, got)
		}
	}
	var buf strings.Builder
	progress, done := loadProgress(&buf, "small")
	progress(1<<20, 1<<20)
	done()
	if buf.Len() != 0 {
		t.Errorf("a 1 MiB model: %q", buf.String())
	}
}

// The note on pictures drawn alike names the setting that varies them:
// under guidance min-p a confident model leaves one code whatever the
// temperature (the note said more --temperature would).
func TestVaryHintNamesWhatVaries(t *testing.T) {
	for _, c := range []struct {
		opt  sampler.Options
		want string
	}{
		{sampler.Options{Settings: sampling.Settings{Temperature: 0.8, Guidance: 3, GuidanceMinP: 0.5}}, "a lower --guidance-min-p (0 is off) or --guidance 1 varies it"},
		{sampler.Options{Settings: sampling.Settings{Temperature: 0, Guidance: 3, GuidanceMinP: 0.5}}, "more --temperature"},
		{sampler.Options{Settings: sampling.Settings{Temperature: 1, Guidance: 1, GuidanceMinP: 0.5}}, "more --temperature"},
		{sampler.Options{Settings: sampling.Settings{Temperature: 1, Guidance: 3}}, "more --temperature"},
	} {
		if got := varyHint(c.opt); !strings.HasPrefix(got, c.want) {
			t.Errorf("%+v: %q, want %q…", c.opt, got, c.want)
		}
	}
}
