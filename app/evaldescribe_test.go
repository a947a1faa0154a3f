package app

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"image/png"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/tessera-studio/tessera/engine/bundle"
	"github.com/tessera-studio/tessera/engine/bundle/bundletest"
	"github.com/tessera-studio/tessera/engine/data"
	"github.com/tessera-studio/tessera/engine/sampler"
)

// ownSamples are the model's own samples of prompts (at the lowest
// temperature), as dataset samples captioned with their prompt; Key is the
// prompt without its style, as for emoji, where every style of one thing
// shares a Key.
func ownSamples(t *testing.T, b *bundle.Bundle, prompts ...string) []data.Sample {
	t.Helper()
	var out []data.Sample
	for i, p := range prompts {
		opt := sampler.Defaults()
		opt.Prompt, opt.Seed, opt.Workers, opt.Temperature = p, uint64(i+1), 1, 0.1
		res, err := sampler.Generate(context.Background(), b, opt, nil)
		if err != nil {
			t.Fatal(err)
		}
		base, style := p, ""
		for _, st := range []string{"google", "twitter"} {
			if cut, ok := strings.CutSuffix(p, " "+st); ok {
				base, style = cut, st
			}
		}
		out = append(out, data.Sample{Caption: p, Key: base, Style: style, Image: b.Decode(res.Images[0].Tokens)})
	}
	return out
}

// evalDescribe counts exactly what ranking every candidate one by one
// (ScoreTokens) gives: the rank of the first prompt naming the image among
// the five likeliest, top-1 and top-5 hits, unreachable images and the
// style of the likeliest prompt.
func TestEvalDescribeCounts(t *testing.T) {
	t.Setenv("XDG_CACHE_HOME", t.TempDir()) // no emoji names: the vocabulary
	ctx := context.Background()
	b := bundletest.Tiny(9)
	samples := ownSamples(t, b, "red cat google", "blue dog twitter", "cat dog google", "dog twitter", "blue red google", "red google")
	// A second picture of the first sample's Key under another caption
	// (as a skin tone of an emoji): its Key's names still count for it.
	tone := samples[0]
	tone.Caption, tone.Names = "red cat blue google", []string{"kitty google"}
	samples = append(samples, tone)
	// Unknown words: no candidate names it.
	samples = append(samples, data.Sample{Caption: "zebra google", Key: "zebra", Style: "google", Image: samples[1].Image})
	names := namesByKey(samples, []string{"google", "twitter"})
	if !names["red cat"]["red cat"] || !names["red cat"]["red cat blue"] || !names["red cat"]["kitty"] || names["red cat"]["red cat google"] {
		t.Fatalf("names of red cat: %v", names["red cat"])
	}
	cands, err := sampler.DescribeCandidates(ctx, b, "")
	if err != nil {
		t.Fatal(err)
	}
	usable, _ := sampler.UsablePrompts(b, cands.Prompts)
	got, err := evalDescribe(ctx, b, samples, cands, names, sampler.RankOptions{Workers: 1, Top: evalDescribeTop}, nil)
	if err != nil {
		t.Fatal(err)
	}
	styles := []string{"google", "twitter"}
	var top1, top5, styleHits, unreachable int
	for i, s := range samples {
		tokens, err := modelImage(b, s.Image)
		if err != nil {
			t.Fatal(err)
		}
		type scored struct {
			p   string
			nll float64
		}
		var all []scored
		for _, p := range usable {
			sc, err := sampler.ScoreTokens(ctx, b, p, tokens, 1)
			if err != nil {
				t.Fatal(err)
			}
			all = append(all, scored{p, sc.NLL})
		}
		slices.SortStableFunc(all, func(a, b scored) int {
			if a.nll < b.nll {
				return -1
			}
			if a.nll > b.nll {
				return 1
			}
			return 0
		})
		rank, missRank := 0, 0 // in the top five; else among every prompt (a random model rules none out early)
		for k, sc := range all {
			if names[s.Key][baseName(sc.p, styles)] {
				if k < 5 {
					rank = k + 1
				} else {
					missRank = k + 1
				}
				break
			}
		}
		r := got.Results[i]
		if r.Rank != rank || r.MissRank != missRank || r.Top[0] != all[0].p || len(r.Top) != 5 || r.Caption != s.Caption {
			t.Fatalf("%q: rank %d (miss %d), top %q; one by one rank %d (miss %d), top %q", s.Caption, r.Rank, r.MissRank, r.Top, rank, missRank, all[0].p)
		}
		if rank == 1 {
			top1++
		}
		if rank > 0 {
			top5++
		}
		if strings.HasSuffix(all[0].p, " "+s.Style) {
			styleHits++
		}
		if !r.Reachable {
			unreachable++
		}
		t.Logf("%-22q rank %d, likeliest %q", s.Caption, rank, all[0].p)
	}
	if got.Images != len(samples) || got.Top1 != top1 || got.Top5 != top5 || got.StyleTop1 != styleHits || unreachable != 1 || got.Unreachable != 1 {
		t.Fatalf("got %d images, top-1 %d, top-5 %d, style %d, unreachable %d; want %d, %d, %d, %d, 1",
			got.Images, got.Top1, got.Top5, got.StyleTop1, got.Unreachable, len(samples), top1, top5, styleHits)
	}
	if top1 == 0 || top5 == top1 && top5 == len(samples)-1 {
		t.Logf("top-1 %d, top-5 %d of %d: the counts are not exercised", top1, top5, len(samples))
	}
	if got.Top1Rate != float64(top1)/float64(len(samples)) || got.SecondsPerImage <= 0 {
		t.Errorf("rates %+v", got)
	}

	// Stopped (Ctrl-C) after two images: their figures, marked as a part
	// (it kept nothing).
	stopped, cancel := context.WithCancel(ctx)
	defer cancel()
	lines := 0
	log := writerFunc(func(p []byte) (int, error) {
		if lines++; lines == 2 {
			cancel()
		}
		return len(p), nil
	})
	part, err := evalDescribe(stopped, b, samples, cands, names, sampler.RankOptions{Workers: 1, Top: evalDescribeTop}, log)
	if !errors.Is(err, context.Canceled) || !part.Interrupted || part.Images != 2 || len(part.Results) != 2 {
		t.Fatalf("stopped after two images: %v, interrupted %v, %d images, %d results", err, part.Interrupted, part.Images, len(part.Results))
	}
	var hits1 int
	for i, r := range part.Results {
		if r.Rank != got.Results[i].Rank || r.Top[0] != got.Results[i].Top[0] {
			t.Errorf("stopped run's image %d: %+v, the whole run's %+v", i, r, got.Results[i])
		}
		if r.Rank == 1 {
			hits1++
		}
	}
	if part.Top1 != hits1 || part.Top1Rate != float64(hits1)/2 || part.SecondsPerImage <= 0 {
		t.Errorf("stopped run's figures %+v", part)
	}
}

// writerFunc is an io.Writer made of a function.
type writerFunc func([]byte) (int, error)

func (f writerFunc) Write(p []byte) (int, error) { return f(p) }

// eval-describe on a folder dataset: the held-out images of the folder (as
// train splits it), counted and reported.
func TestEvalDescribeCommand(t *testing.T) {
	t.Setenv("XDG_CACHE_HOME", t.TempDir())
	model := tinyModel(t)
	b := bundletest.Tiny(9)
	dir := filepath.Join(t.TempDir(), "pictures")
	if err := os.Mkdir(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	var prompts []string
	for _, a := range []string{"cat", "dog", "red", "blue"} {
		for _, st := range []string{"google", "twitter"} {
			prompts = append(prompts, a+" "+st, "red "+a+" "+st)
		}
	}
	for i, s := range ownSamples(t, b, prompts...) {
		name := fmt.Sprintf("p%02d", i)
		f, err := os.Create(filepath.Join(dir, name+".png"))
		if err != nil {
			t.Fatal(err)
		}
		if err := png.Encode(f, s.Image); err != nil {
			t.Fatal(err)
		}
		f.Close()
		if err := os.WriteFile(filepath.Join(dir, name+".txt"), []byte(s.Caption+"\n"), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	all, _, err := data.Folder(context.Background(), dir)
	if err != nil {
		t.Fatal(err)
	}
	_, val := data.Split(all, 0.1, 1)

	code, stdout, stderr := run(t, "eval-describe", "--model", model, "--data", dir, "--images", "0", "--json")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	var out describeEval
	if err := json.Unmarshal([]byte(stdout), &out); err != nil {
		t.Fatalf("%v in %q", err, stdout)
	}
	if out.HeldOut != len(val) || out.Images != len(val) || len(out.Results) != len(val) || out.Top1 > out.Top5 || out.Top5 > out.Images ||
		out.Candidates != 48 || !strings.Contains(out.Split, "each with chance 1/10") || out.Data != dir || out.SecondsPerImage <= 0 {
		t.Fatalf("%+v (want %d held-out images)", out, len(val))
	}
	for i, r := range out.Results {
		if r.Caption != val[i].Caption || !r.Reachable || len(r.Top) != 5 {
			t.Fatalf("image %d: %+v, held out %q", i, r, val[i].Caption)
		}
	}

	code, stdout, stderr = run(t, "eval-describe", "--model", model, "--data", dir, "--images", "1")
	if code != 0 || !strings.Contains(stdout, "top-1: ") || !strings.Contains(stdout, "top-5: ") || !strings.Contains(stdout, "s per image") ||
		!strings.Contains(stdout, "describing 1 of ") {
		t.Fatalf("exit %d, stdout %q, stderr %q", code, stdout, stderr)
	}

	for _, c := range []struct {
		args []string
		code int
		msg  string
	}{
		{[]string{"--model", model, "--images", "-1"}, 2, "--images"},
		{[]string{"--model", model, "--data", "birds"}, 2, "no held-out images"},
		{[]string{"--model", model}, 2, "does not record the pictures it was trained on"}, // the model's name says nothing
		{[]string{"--model", model, "extra"}, 2, "no arguments"},
	} {
		code, _, stderr := run(t, append([]string{"eval-describe"}, c.args...)...)
		if code != c.code || !strings.Contains(stderr, c.msg) {
			t.Errorf("%q: exit %d, stderr %q; want %d with %q", c.args, code, stderr, c.code, c.msg)
		}
	}
}
