package ui

import (
	"context"
	"fmt"
	"math"
	"slices"
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/tessera-studio/tessera/engine/bundle"
	"github.com/tessera-studio/tessera/engine/bundle/bundletest"
	"github.com/tessera-studio/tessera/engine/sampler"
	"github.com/tessera-studio/tessera/ui/core"
)

// describeSample generates an image of prompt at the lowest temperature:
// the model's own sample, which its prompt should explain best. (The random
// Tiny model's prompt is the likeliest for about half of its samples; the
// tests take one for which it is.)
func describeSample(t *testing.T, s *Studio, prompt string, seed uint64) {
	t.Helper()
	p, err := s.Params()
	must(t, err)
	p.Prompt, p.Seed, p.SeedLocked, p.Temperature, p.Batch = prompt, seed, true, core.MinTemperature, 1
	s.SetParams(p)
	generate(t, s)
}

// bestPrompts scores every usable candidate of b on tokens one at a time
// (ScoreTokens) and returns them likeliest first with their bits per token:
// for candidates made of names, each name once, by its likeliest prompt
// (the name alone or in a style), as Describe lists them.
func bestPrompts(t *testing.T, b *bundle.Bundle, tokens []int) ([]string, []float64) {
	t.Helper()
	cands, err := sampler.DescribeCandidates(context.Background(), b, "")
	must(t, err)
	type scored struct {
		p    string
		bits float64
	}
	score := func(p string) scored {
		sc, err := sampler.ScoreTokens(context.Background(), b, p, tokens, 1)
		must(t, err)
		return scored{p, sc.BitsPerToken()}
	}
	var all []scored
	if names, _ := sampler.UsablePrompts(b, cands.Names); len(names) > 0 {
		for _, n := range names {
			ps, _ := sampler.UsablePrompts(b, append([]string{n}, sampler.WithStyles(b, []string{n})...))
			best := score(ps[0])
			for _, p := range ps[1:] {
				if s := score(p); s.bits < best.bits {
					best = s
				}
			}
			all = append(all, best)
		}
	} else {
		usable, _ := sampler.UsablePrompts(b, cands.Prompts)
		for _, p := range usable {
			all = append(all, score(p))
		}
	}
	slices.SortStableFunc(all, func(a, b scored) int {
		switch {
		case a.bits < b.bits:
			return -1
		case a.bits > b.bits:
			return 1
		}
		return 0
	})
	var ps []string
	var bits []float64
	for _, s := range all {
		ps = append(ps, s.p)
		bits = append(bits, s.bits)
	}
	return ps, bits
}

// checkDescribed checks the dialog's list against the prompts scored one
// by one: the same likeliest prompt, then the same bits per token in order.
func checkDescribed(t *testing.T, s *Studio) *describeView {
	t.Helper()
	v := s.describer.shown
	if v == nil || !hasDialog(s) {
		t.Fatal("no Describe dialog")
	}
	want, bits := bestPrompts(t, s.Bundle(), s.Document().Tokens())
	if len(v.rows) != min(describeTop, len(want)) {
		t.Fatalf("%d prompts listed of %d candidates (status %q)", len(v.rows), len(want), v.status.Text)
	}
	if v.rows[0].prompt != want[0] {
		t.Fatalf("first prompt %q, the likeliest scored one by one is %q", v.rows[0].prompt, want[0])
	}
	for i, r := range v.rows {
		if math.Abs(r.bits-bits[i]) > 1e-5 || i > 0 && r.bits < v.rows[i-1].bits {
			t.Fatalf("row %d: %q at %.6f bits/token, want %.6f (%q)", i, r.prompt, r.bits, bits[i], want[i])
		}
		if !strings.Contains(r.text.Text, r.prompt) || !strings.Contains(r.text.Tip(), r.prompt) || r.text.Truncation != fyne.TextTruncateOff || r.text.Wrapping != fyne.TextWrapWord {
			t.Fatalf("row %d shows %q (tooltip %q) for %q", i, r.text.Text, r.text.Tip(), r.prompt)
		}

	}
	return v
}

func TestDescribeListsPromptsAndUsesOne(t *testing.T) {
	t.Setenv("XDG_CACHE_HOME", t.TempDir()) // no emoji names: the vocabulary
	s := newTestStudio(t)
	btn := s.edit.describe
	if !btn.Disabled() || !strings.Contains(btn.Tip(), "no image") || s.describer.Describe() == nil {
		t.Fatalf("Describe without an image: disabled %v, tip %q", btn.Disabled(), btn.Tip())
	}
	describeSample(t, s, "cat red google", 1)
	if btn.Disabled() || s.menu["describe"].Disabled || btn.Tip() != describeTip {
		t.Fatalf("Describe on a finished image: disabled %v (menu %v), tip %q", btn.Disabled(), s.menu["describe"].Disabled, btn.Tip())
	}

	test.Tap(btn)
	// It runs in the background: the dialog is up, the list still empty,
	// the button disabled and saying why, until the UI loop hears the end.
	v := s.describer.running
	if v == nil || len(v.rows) != 0 || !hasDialog(s) || !btn.Disabled() || !strings.Contains(btn.Tip(), "already running") {
		t.Fatalf("while describing: view %v, disabled %v, tip %q", v, btn.Disabled(), btn.Tip())
	}
	s.Wait()
	must(t, s.LastError())
	v = checkDescribed(t, s)
	if v.rows[0].prompt != "cat red google" {
		t.Errorf("the model's own sample of %q is described first as %q", "cat red google", v.rows[0].prompt)
	}
	if s.describer.running != nil || btn.Disabled() || !v.stop.Hidden || v.close.Hidden {
		t.Fatal("Describe did not end")
	}
	if !strings.Contains(v.status.Text, "likeliest of 48 candidate prompts") || !strings.Contains(s.Status(), v.rows[0].prompt) {
		t.Errorf("status %q; dialog %q", s.Status(), v.status.Text)
	}

	// A long prompt is shown whole (a newcomer saw "large orange square
	// fluent m…": the dialog takes its minimum size, a cut label's few
	// letters); one longer than the column wraps
	// (TestDescribeShowsLongPromptsWhole).
	long := "large orange square fluent modern"
	v.showResult(s.describer, &describeResult{b: s.Bundle(), top: []sampler.PromptScore{{Prompt: long, NLL: 10, Tokens: 16}}, candidates: 1, uncond: 1, tokens: 16})
	if r := v.rows[0]; r.text.Size().Width < fyne.MeasureText(r.text.Text, theme.TextSize(), fyne.TextStyle{}).Width {
		t.Errorf("%q cut: %.0f px", r.text.Text, r.text.Size().Width)
	}
	// Its figures are tessera describe's: bits per patch (its bits/token)
	// and the gain over no prompt, above zero for a prompt that makes the
	// image likelier (it showed the opposite sign as "vs no prompt").
	if got, want := v.rows[0].figures.Text, fmt.Sprintf("0.902 bits/patch  gain %+.3f over no prompt", 1-10/math.Ln2/16); got != want {
		t.Errorf("the figures of a prompt at 0.902 bits per patch, 1 without a prompt: %q, want %q", got, want)
	}
	v.showResult(s.describer, s.describer.last)
	v = checkDescribed(t, s)

	// Tab to the last row's Use: the list scrolls it into view (rows 9
	// and 10 were Tab stops below the dialog's view).
	last := v.rows[len(v.rows)-1].use
	d := fyne.CurrentApp().Driver()
	inView := func() bool {
		y := d.AbsolutePositionForObject(last).Y - d.AbsolutePositionForObject(v.scroll).Y
		return y >= 0 && y+last.Size().Height <= v.scroll.Size().Height
	}
	if inView() {
		t.Fatalf("the last of %d rows is in view before it has the focus: the test shows nothing", len(v.rows))
	}
	s.Window().Canvas().Focus(last)
	s.revealFocused()
	if !inView() {
		t.Errorf("the last row's Use has the focus but stays out of the list's view (offset %v)", v.scroll.Offset)
	}

	// Use puts the prompt in the prompt field and closes the dialog; the
	// status keeps the prompt it replaced (the field's undo cannot).
	pick, was := v.rows[2].prompt, s.panel.prompt.Text
	s.panel.prompt.CursorColumn = 2 // the cursor mid-prompt, where a click left it
	test.Tap(v.rows[2].use)
	if p, _ := s.Params(); p.Prompt != pick || hasDialog(s) {
		t.Fatalf("after Use: prompt %q (want %q), dialog shown %v", p.Prompt, pick, hasDialog(s))
	}
	if want := fmt.Sprintf("Prompt set to %q from Describe (it was %q)", pick, was); s.Status() != want {
		t.Errorf("after Use: status %q, want %q", s.Status(), want)
	}
	if f := s.Window().Canvas().Focused(); f != fyne.Focusable(s.panel.prompt) {
		t.Errorf("after Use the focus is on %T, not the prompt", f)
	}
	// The cursor at the end of the prompt put there, to type on (it was
	// left mid-text).
	if e := s.panel.prompt; e.CursorRow != 0 || e.CursorColumn != len([]rune(pick)) {
		t.Errorf("after Use the cursor is at row %d column %d of %q", e.CursorRow, e.CursorColumn, pick)
	}

	// The same image again: the result is shown at once, no ranking runs.
	must(t, s.describer.Describe())
	if s.describer.running != nil {
		t.Fatal("describing the same image again ranked the prompts again")
	}
	checkDescribed(t, s)
}

func TestDescribeStop(t *testing.T) {
	t.Setenv("XDG_CACHE_HOME", t.TempDir())
	s := newTestStudio(t)
	describeSample(t, s, "red cat", 2)
	must(t, s.describer.Describe())
	v := s.describer.running
	test.Tap(v.stop)
	s.Wait()
	if len(v.rows) != 0 || !strings.Contains(v.status.Text, "Stopped") || s.describer.last != nil || s.LastError() != nil {
		t.Fatalf("after Stop: %d rows, status %q, error %v", len(v.rows), v.status.Text, s.LastError())
	}
	if s.edit.describe.Disabled() || v.close.Hidden {
		t.Fatal("Describe cannot be asked again after Stop")
	}
	// Closing a running description stops it too.
	must(t, s.describer.Describe())
	v = s.describer.running
	v.dlg.Hide()
	s.Wait()
	if !v.stopped || s.describer.last != nil || hasDialog(s) {
		t.Fatalf("closing a running Describe: stopped %v, dialog %v", v.stopped, hasDialog(s))
	}
	// Image › Stop (Ctrl+.) stops it too (it ran on).
	must(t, s.describer.Describe())
	v = s.describer.running
	s.Stop()
	s.Wait()
	if !v.stopped || len(v.rows) != 0 || !strings.Contains(v.status.Text, "Stopped") || s.describer.last != nil {
		t.Fatalf("Stop during Describe: stopped %v, %d rows, status %q", v.stopped, len(v.rows), v.status.Text)
	}
}

func TestDescribeWithoutPrompts(t *testing.T) {
	e := newEnv(t)
	e.models = tinyModels{b: unconditionalBundle(t)}
	s := e.open(t)
	generate(t, s)
	btn := s.edit.describe
	if !btn.Disabled() || !s.menu["describe"].Disabled || !strings.Contains(btn.Tip(), "takes no prompt") {
		t.Fatalf("a model without prompts: disabled %v (menu %v), tip %q", btn.Disabled(), s.menu["describe"].Disabled, btn.Tip())
	}
	if err := s.describer.Describe(); err == nil || hasDialog(s) {
		t.Fatalf("Describe on a model without prompts: %v", err)
	}
}

func TestDescribeViT(t *testing.T) {
	t.Setenv("XDG_CACHE_HOME", t.TempDir())
	s := newViTStudio(t)
	describeSample(t, s, "red cat google", 7)
	must(t, s.describer.Describe())
	s.Wait()
	must(t, s.LastError())
	checkDescribed(t, s)
}

// TestDescribedStatusSaysWhenNoPromptFits: a best prompt that explains the
// image no better than no prompt is not called a fit.
func TestDescribedStatusSaysWhenNoPromptFits(t *testing.T) {
	score := func(bits float64) sampler.PromptScore {
		return sampler.PromptScore{Prompt: "cat face", NLL: bits * 64 * math.Ln2, Tokens: 64}
	}
	if got := describedStatus(&describeResult{top: []sampler.PromptScore{score(1)}, uncond: 3, tokens: 64}); !strings.Contains(got, `"cat face" fits it best`) {
		t.Errorf("a fitting prompt: %q", got)
	}
	if got := describedStatus(&describeResult{top: []sampler.PromptScore{score(6.3)}, uncond: 6.05, tokens: 64}); !strings.Contains(got, "no prompt fits it") {
		t.Errorf("no fitting prompt: %q", got)
	}
	// More bits per code than a uniform guess (log2 of the tiny model's 16
	// codes is 4): the picture is unlike what the model draws.
	b := bundletest.Tiny(1)
	if got := describedStatus(&describeResult{b: b, top: []sampler.PromptScore{score(5)}, uncond: 6, tokens: 64}); !strings.Contains(got, "unlike what the model draws") {
		t.Errorf("a picture far from the model's: %q (codes %d)", got, b.Codes())
	}
	if got := describedStatus(&describeResult{b: b, top: []sampler.PromptScore{score(1)}, uncond: 3, tokens: 64}); !strings.Contains(got, "fits it best") {
		t.Errorf("a fitting prompt with the model known: %q", got)
	}
	// The dialog's own text says so too (the status line is cut short).
	for _, c := range []struct {
		r      *describeResult
		unlike bool
	}{
		{&describeResult{b: b, top: []sampler.PromptScore{score(5)}, uncond: 6, tokens: 64}, true},
		{&describeResult{b: b, top: []sampler.PromptScore{score(3.5)}, uncond: 3.4, tokens: 64}, true},
		{&describeResult{b: b, top: []sampler.PromptScore{score(1)}, uncond: 3, tokens: 64}, false},
		// Likelier than with no prompt by 0.007 bits a patch, 0.3 nats in
		// all: any prompt moves a picture that much (a smiley drawn by
		// hand, under the emoji model).
		{&describeResult{b: b, top: []sampler.PromptScore{score(2.993)}, uncond: 3, tokens: 64}, true},
		{&describeResult{b: b, top: []sampler.PromptScore{score(2.95)}, uncond: 3, tokens: 64}, false},
	} {
		if got := unlikeModel(c.r); got != c.unlike {
			t.Errorf("unlikeModel(best %.1f, none %.1f) = %v", c.r.top[0].BitsPerToken(), c.r.uncond, got)
		}
	}
}

// TestDescribeImageChanged: a picture opened or made while Describe runs
// is not credited with the prompts found for the one described.
func TestDescribeImageChanged(t *testing.T) {
	t.Setenv("XDG_CACHE_HOME", t.TempDir())
	s := newTestStudio(t)
	describeSample(t, s, "red cat", 2)
	describeSample(t, s, "blue dog", 3)
	described := s.Document().Tokens()
	must(t, s.describer.Describe())
	v := s.describer.running
	must(t, s.Undo()) // the canvas shows another picture before the ranking ends
	if slices.Equal(s.Document().Tokens(), described) {
		t.Fatal("undo left the picture described on the canvas")
	}
	s.Wait()
	if len(v.rows) != 0 || !strings.Contains(v.status.Text, "changed while Describe ran") || strings.HasPrefix(s.Status(), "Described") {
		t.Fatalf("after the picture changed: %d rows, dialog %q, status %q", len(v.rows), v.status.Text, s.Status())
	}
	// Back on the picture described, its result shows at once.
	must(t, s.Redo())
	must(t, s.describer.Describe())
	if s.describer.running != nil {
		t.Fatal("the picture described was ranked again")
	}
	checkDescribed(t, s)
}

// The Describe dialog tells the time left once a tenth of the ranking is
// done (it showed a bare percentage for 33 s on a busy machine).
func TestDescribeProgressTellsTheTimeLeft(t *testing.T) {
	v := &describeView{status: widget.NewLabel(""), bar: widget.NewProgressBar(), started: time.Now().Add(-10 * time.Second)}
	v.progress(5, 100)
	if strings.Contains(v.status.Text, "left") {
		t.Errorf("at 5%%: %q", v.status.Text)
	}
	v.progress(50, 100)
	if !strings.Contains(v.status.Text, "50%… about 10 seconds left") {
		t.Errorf("at 50%% after 10 s: %q", v.status.Text)
	}
}

// renderedText is the text obj draws, its widgets' renderers included.
func renderedText(obj fyne.CanvasObject) string {
	var parts []string
	switch v := obj.(type) {
	case *canvas.Text:
		parts = append(parts, v.Text)
	case fyne.Widget:
		for _, o := range test.WidgetRenderer(v).Objects() {
			parts = append(parts, renderedText(o))
		}
	case *fyne.Container:
		for _, o := range v.Objects {
			parts = append(parts, renderedText(o))
		}
	}
	return strings.Join(slices.DeleteFunc(parts, func(p string) bool { return p == "" }), " ")
}

// Describe's list shows each prompt whole, wrapped where the dialog is
// narrow, also in a window narrower than the dialog would be (a 1270×850
// window at FYNE_SCALE=1.5): "grinning cat with smiling eyes fluent fl…"
// and "man technologist fluent fl…" were cut beside figures at full width.
func TestDescribeShowsLongPromptsWhole(t *testing.T) {
	s := newTestStudio(t)
	describeSample(t, s, "cat red google", 1)
	s.Window().Resize(fyne.NewSize(640, 480))
	test.Tap(s.edit.describe)
	s.Wait()
	v := checkDescribed(t, s)
	// The first is wider than the prompts' column (describePromptWidth)
	// in any window; the window is narrower than the others' rows too.
	long := []string{"grinning cat with smiling eyes and a face with tears of joy fluent flat", "man technologist fluent flat", "smiling face with open hands fluent modern"}
	if w := fyne.MeasureText(long[0], theme.TextSize(), fyne.TextStyle{}).Width; w <= describePromptWidth {
		t.Fatalf("%q is %.0f wide, within the column: the test shows nothing", long[0], w)
	}
	var top []sampler.PromptScore
	for i, p := range long {
		top = append(top, sampler.PromptScore{Prompt: p, NLL: 10 + float64(i), Tokens: 16})
	}
	v.showResult(s.describer, &describeResult{b: s.Bundle(), top: top, candidates: 3, uncond: 1, tokens: 16})
	for i, r := range v.rows {
		got := strings.Join(strings.Fields(renderedText(r.text)), " ")
		if want := fmt.Sprintf("%d. %s", i+1, long[i]); got != want {
			t.Errorf("row %d shows %q, want %q", i+1, got, want)
		}
	}
}

// TestDescribedStatusBesideTheModelsOwnPictures: an image hardly likelier
// under its likeliest prompt than under none is like what the model draws
// where it costs no more than the model's own pictures of that prompt (a
// clean typed 7 under the MNIST model was called unlike), and unlike where
// it costs more.
func TestDescribedStatusBesideTheModelsOwnPictures(t *testing.T) {
	b := bundletest.Tiny(1) // 16 codes: a uniform guess is 4 bits
	score := sampler.PromptScore{Prompt: "red cat", NLL: 2.99 * 64 * math.Ln2, Tokens: 64}
	like := &describeResult{b: b, top: []sampler.PromptScore{score}, uncond: 3, tokens: 64, drawn: 3.2, drawnSet: true}
	if unlikeModel(like) || !strings.Contains(describedStatus(like), "like what the model draws") || strings.Contains(describedStatus(like), "unlike") {
		t.Errorf("an image no dearer than the model's own pictures: unlike %v, %q", unlikeModel(like), describedStatus(like))
	}
	unlike := &describeResult{b: b, top: []sampler.PromptScore{score}, uncond: 3, tokens: 64, drawn: 1.5, drawnSet: true}
	if !unlikeModel(unlike) || !strings.Contains(describedStatus(unlike), "unlike what the model draws") {
		t.Errorf("an image dearer than the model's own pictures: unlike %v, %q", unlikeModel(unlike), describedStatus(unlike))
	}
	// describeImage measures them where the gain alone would call the
	// image unlike: the model's own picture of a prompt is no dearer than
	// its own pictures.
	ctx := context.Background()
	opt := sampler.Defaults()
	opt.Prompt, opt.Seed = "red cat", 1
	res, err := sampler.Generate(ctx, b, opt, nil)
	if err != nil {
		t.Fatal(err)
	}
	r, err := describeImage(ctx, b, sampler.Candidates{Prompts: []string{"red cat"}}, res.Images[0].Tokens, 1, nil)
	if err != nil {
		t.Fatal(err)
	}
	if sampler.NeedsDrawnBits(r.top[0].BitsPerToken(), r.uncond, b.Codes(), r.tokens) != r.drawnSet {
		t.Errorf("drawn measured %v (%.3f), best %.3f, no prompt %.3f", r.drawnSet, r.drawn, r.top[0].BitsPerToken(), r.uncond)
	}
}
