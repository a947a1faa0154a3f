package widgets

import (
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/driver/desktop"
	"fyne.io/fyne/v2/widget"
	"github.com/hbollon/go-edlib"
)

// PromptEntry is a multi-line entry that generates on Ctrl+Enter and
// accepts the first completion with Tab.
type PromptEntry struct {
	widget.Entry
	// OnGenerate is called on Ctrl+Enter (Cmd+Enter on macOS).
	OnGenerate func()
	// OnComplete is called on Tab; it reports whether it used the key.
	OnComplete func() bool
	// HasCompletion reports whether Tab would complete a word.
	HasCompletion func() bool
	// Tip is the tooltip shown when the pointer rests on the entry.
	Tip string
	// OnEscape, when set, runs on Escape (a focused field gets every key:
	// the window's Escape, which stops a run, never comes).
	OnEscape func()
	// OnFocusChanged, when set, runs after the entry gains or loses the
	// keyboard focus.
	OnFocusChanged func()
	RedoRoute
	// typed is whether the text was last changed by the user (keys, a
	// paste), not set by the program (SetText).
	typed bool
	// focused is whether the entry has the keyboard focus.
	focused bool
}

// Focused reports whether the entry has the keyboard focus: completions
// are offered while a word is typed in it, not after a click elsewhere.
func (e *PromptEntry) Focused() bool { return e.focused }

// FocusGained is part of fyne.Focusable.
func (e *PromptEntry) FocusGained() {
	e.focused = true
	e.Entry.FocusGained()
	if e.OnFocusChanged != nil {
		e.OnFocusChanged()
	}
}

// FocusLost is part of fyne.Focusable.
func (e *PromptEntry) FocusLost() {
	e.focused = false
	e.Entry.FocusLost()
	if e.OnFocusChanged != nil {
		e.OnFocusChanged()
	}
}

// Typed reports whether the text was last changed by typing or pasting
// into the entry rather than by SetText: completions are offered to what
// is being typed, not to a prompt put there from the history or a file.
func (e *PromptEntry) Typed() bool { return e.typed }

// SetText replaces the text; it counts as not typed.
func (e *PromptEntry) SetText(text string) {
	e.typed = false
	e.Entry.SetText(text)
}

// MouseIn starts the tooltip.
func (e *PromptEntry) MouseIn(ev *desktop.MouseEvent) { tipIn(e, e.Tip, ev) }

// MouseMoved is part of desktop.Hoverable.
func (e *PromptEntry) MouseMoved(*desktop.MouseEvent) {}

// MouseOut hides the tooltip.
func (e *PromptEntry) MouseOut() { tipOut(e) }

// AtWordEnd reports whether the cursor is at the end of a word (nothing
// but a separator, or the end of the text, follows it).
func (e *PromptEntry) AtWordEnd() bool {
	off := e.CursorOffset()
	if off >= len(e.Text) {
		return true
	}
	r, _ := utf8.DecodeRuneInString(e.Text[off:])
	return isWordSeparator(r)
}

// NewPromptEntry returns an empty multi-line prompt entry.
func NewPromptEntry() *PromptEntry {
	e := &PromptEntry{}
	e.MultiLine = true
	e.Wrapping = fyne.TextWrapWord
	e.ExtendBaseWidget(e)
	e.SetMinRowsVisible(3)
	return e
}

// isGenerateShortcut reports whether s is Ctrl+Enter (or Cmd+Enter).
func isGenerateShortcut(s fyne.Shortcut) bool {
	cs, ok := s.(*desktop.CustomShortcut)
	if !ok || (cs.KeyName != fyne.KeyReturn && cs.KeyName != fyne.KeyEnter) {
		return false
	}
	return cs.Modifier == fyne.KeyModifierShortcutDefault || cs.Modifier == fyne.KeyModifierControl
}

// TypedShortcut generates on Ctrl+Enter; other shortcuts go to the entry.
func (e *PromptEntry) TypedShortcut(s fyne.Shortcut) {
	if isGenerateShortcut(s) {
		if e.OnGenerate != nil {
			e.OnGenerate()
		}
		return
	}
	if e.route(s) {
		return
	}
	e.EntryShortcut(s)
}

// RedoRoute, embedded in a text field, sends the redo shortcut the field
// gets (Ctrl+Y: the driver gives it to the focused widget) to OnRedo, as
// the window's Ctrl+Shift+Z goes to the studio, which redoes the typing
// there or the last image change (Ctrl+Y redid only the text, so nothing
// happened in a field with no typing to redo). OnRedo gives the field its
// own redo through the field's EntryShortcut, which is past the route.
type RedoRoute struct {
	OnRedo func()
}

// route calls OnRedo for a redo shortcut and reports whether it did.
func (r *RedoRoute) route(s fyne.Shortcut) bool {
	if _, redo := s.(*fyne.ShortcutRedo); !redo || r.OnRedo == nil {
		return false
	}
	r.OnRedo()
	return true
}

// EntryShortcut gives s to the text field itself, past OnRedo: the
// studio's Undo and Redo keys ask the field first, and a redo that went
// through OnRedo to them again redid the image twice.
func (e *PromptEntry) EntryShortcut(s fyne.Shortcut) {
	switch s.(type) {
	case *fyne.ShortcutPaste, *fyne.ShortcutCut:
		e.typed = true
	case *fyne.ShortcutUndo, *fyne.ShortcutRedo:
		// Text the prompt held before: no word is being typed, and
		// completions popped up under it after an undo.
		e.typed = false
	}
	e.Entry.TypedShortcut(s)
}

// AcceptsTab takes Tab only while a completion is offered, so Tab still
// moves the focus otherwise.
func (e *PromptEntry) AcceptsTab() bool {
	return e.HasCompletion != nil && e.HasCompletion()
}

// TypedKey completes the word on Tab.
func (e *PromptEntry) TypedKey(k *fyne.KeyEvent) {
	tipOut(e) // typing: the tip would cover the hint and completions under the entry
	if k.Name == fyne.KeyTab && e.OnComplete != nil && e.OnComplete() {
		return
	}
	if k.Name == fyne.KeyEscape && e.OnEscape != nil {
		e.OnEscape()
		return
	}
	switch k.Name {
	case fyne.KeyBackspace, fyne.KeyDelete, fyne.KeyReturn, fyne.KeyEnter:
		e.typed = true
	}
	e.Entry.TypedKey(k)
}

// TypedRune types r, hiding the tooltip (shown or about to show): it
// would cover the "Model reads" hint and the completions while typing.
func (e *PromptEntry) TypedRune(r rune) {
	tipOut(e)
	e.typed = true
	e.Entry.TypedRune(r)
}

// CursorOffset is the byte offset of the cursor in e.Text.
func (e *PromptEntry) CursorOffset() int {
	return offsetOf(e.Text, e.CursorRow, e.CursorColumn)
}

// offsetOf converts a row and rune column to a byte offset in text.
func offsetOf(text string, row, col int) int {
	off := 0
	for r := 0; r < row; r++ {
		i := strings.IndexByte(text[off:], '\n')
		if i < 0 {
			return len(text)
		}
		off += i + 1
	}
	for c := 0; c < col && off < len(text) && text[off] != '\n'; c++ {
		_, n := utf8.DecodeRuneInString(text[off:])
		off += n
	}
	return off
}

// WordBefore returns the word being typed at byte offset off: its start and
// the text from there to off.
func WordBefore(text string, off int) (start int, word string) {
	start = off
	for start > 0 {
		r, n := utf8.DecodeLastRuneInString(text[:start])
		if isWordSeparator(r) {
			break
		}
		start -= n
	}
	return start, text[start:off]
}

// isWordSeparator matches prompt.Split's separators.
func isWordSeparator(r rune) bool {
	switch r {
	case '_', '-', ':', ',', ' ', '\t', '\n', '\r':
		return true
	}
	return false
}

// CompleteWord replaces the word before the cursor with word plus a space,
// through key events so the entry's own undo keeps working.
func (e *PromptEntry) CompleteWord(word string) {
	typed := e.CurrentWord()
	if strings.HasPrefix(word, typed) {
		word = word[len(typed):]
	} else {
		for range utf8.RuneCountInString(typed) {
			e.Entry.TypedKey(&fyne.KeyEvent{Name: fyne.KeyBackspace})
		}
	}
	for _, r := range word + " " {
		e.TypedRune(r)
	}
}

// CurrentWord is the word being typed before the cursor.
func (e *PromptEntry) CurrentWord() string {
	_, w := WordBefore(e.Text, e.CursorOffset())
	return w
}

// EscSelectEntry is a text field with a drop-down of offers
// (widget.SelectEntry) whose Escape runs OnEscape: a focused field gets
// every key, so the window's Escape (which stops a run) never comes. Tab
// completes the text to the offers that start with it (Completion), as a
// shell does; when several go on from there it opens the drop-down with
// just those (arrows and Return pick one); with no offer to go to it
// moves the focus on. The drop-down's button lists every offer, those
// nearest to the text typed first (byRelevance).
type EscSelectEntry struct {
	widget.SelectEntry
	// OnEscape, when set, runs on Escape.
	OnEscape func()
	RedoRoute

	offers   []string
	shown    []string // what the drop-down lists now
	filtered bool     // the drop-down shows only the offers Tab matched, or in another order
}

// NewEscSelectEntry returns an EscSelectEntry offering options.
func NewEscSelectEntry(options []string) *EscSelectEntry {
	e := &EscSelectEntry{}
	e.ExtendBaseWidget(e)
	e.Wrapping = fyne.TextWrap(fyne.TextTruncateClip)
	e.SetOptions(options)
	if b, ok := e.ActionItem.(*widget.Button); ok && b.OnTapped != nil {
		open := b.OnTapped
		b.OnTapped = func() {
			if len(e.shown) == len(e.offers) { // not Tab's narrowed list
				e.show(byRelevance(e.offers, e.Text))
			}
			open()
		}
	}
	return e
}

// SetOptions replaces the drop-down's offers, which Tab completes to.
func (e *EscSelectEntry) SetOptions(options []string) {
	e.offers = slices.Clone(options)
	e.filtered = false
	e.show(e.offers)
}

// show puts options in the drop-down; other than the offers as given, they
// stay until the text changes (unfilter).
func (e *EscSelectEntry) show(options []string) {
	e.shown = slices.Clone(options)
	e.filtered = !slices.Equal(options, e.offers)
	e.SelectEntry.SetOptions(e.shown)
}

// byRelevance orders offers for a drop-down opened over typed text: those
// that begin with it first, then by how many of its words each offer holds
// (a word, its start of three letters or more, or for a word of four or
// more one edit away: "bleu" finds "blue"), the offers' order kept among
// equals. Every offer stays: the text may be a new instruction.
func byRelevance(offers []string, typed string) []string {
	words := strings.Fields(strings.ToLower(typed))
	text := strings.ToLower(strings.TrimSpace(typed))
	score := func(offer string) int {
		low := strings.ToLower(offer)
		n := 0
		if text != "" && strings.HasPrefix(low, text) {
			n += len(words) + 1
		}
		for _, t := range words {
			for _, w := range strings.Fields(low) {
				if w == t || len(t) >= 3 && strings.HasPrefix(w, t) || len(t) >= 4 && edlib.OSADamerauLevenshteinDistance(t, w) <= 1 {
					n++
					break
				}
			}
		}
		return n
	}
	out := slices.Clone(offers)
	slices.SortStableFunc(out, func(a, b string) int { return score(b) - score(a) })
	return out
}

// matches are the offers that start with the text (case aside); none for
// a blank text.
func (e *EscSelectEntry) matches() []string {
	if strings.TrimSpace(e.Text) == "" {
		return nil
	}
	typed := []rune(e.Text)
	var out []string
	for _, o := range e.offers {
		r := []rune(o)
		if len(r) < len(typed) {
			continue
		}
		same := true
		for i, c := range typed {
			same = same && unicode.ToLower(c) == unicode.ToLower(r[i])
		}
		if same {
			out = append(out, o)
		}
	}
	return out
}

// Completion is what Tab makes of the text: the longest start that every
// offer beginning with the text (case aside) shares, when that is longer
// than the text ("make it bl" → "make it blue", "make it" → "make it ",
// if several offers go on from there); "" when there is nothing to add.
func (e *EscSelectEntry) Completion() string {
	m := e.matches()
	if len(m) == 0 {
		return ""
	}
	// The start all matches share, letter by letter (case aside), taken
	// from the first as it is written.
	first := []rune(m[0])
	n := len(first)
	for _, o := range m[1:] {
		r := []rune(o)
		k := 0
		for k < n && k < len(r) && unicode.ToLower(first[k]) == unicode.ToLower(r[k]) {
			k++
		}
		n = k
	}
	typed := len([]rune(e.Text))
	if n <= typed {
		return ""
	}
	return e.Text + string(first[typed:n])
}

// AcceptsTab is true while Tab has something to complete or offers to
// show, so that the window gives Tab to the field instead of moving the
// focus.
func (e *EscSelectEntry) AcceptsTab() bool {
	return !shiftHeld() && (e.Completion() != "" || len(e.matches()) > 1)
}

// shiftHeld reports whether Shift is down (Shift+Tab moves the focus
// back, never completes); false where the driver cannot tell.
func shiftHeld() bool {
	app := fyne.CurrentApp()
	if app == nil {
		return false
	}
	d, ok := app.Driver().(desktop.Driver)
	return ok && d.CurrentKeyModifiers()&fyne.KeyModifierShift != 0
}

// TypedKey runs OnEscape for Escape, completes on Tab (Completion, else
// the drop-down of the matching offers), and types every other key.
func (e *EscSelectEntry) TypedKey(k *fyne.KeyEvent) {
	if k.Name == fyne.KeyEscape && e.OnEscape != nil {
		e.OnEscape()
		return
	}
	if k.Name == fyne.KeyTab {
		if shiftHeld() {
			e.SelectEntry.TypedKey(k)
			return
		}
		if c := e.Completion(); c != "" {
			e.SetText(c)
			e.CursorColumn, e.CursorRow = len([]rune(c)), 0
			e.Refresh()
		} else if m := e.matches(); len(m) > 1 {
			e.show(m)
			if b, ok := e.ActionItem.(*widget.Button); ok && b.OnTapped != nil && fyne.CurrentApp().Driver().CanvasForObject(e) != nil {
				b.OnTapped() // the drop-down, now of just these
			}
		}
		return
	}
	e.unfilter()
	e.SelectEntry.TypedKey(k)
}

// TypedRune types r; the drop-down offers everything again.
func (e *EscSelectEntry) TypedRune(r rune) {
	e.unfilter()
	e.SelectEntry.TypedRune(r)
}

// FocusLost leaves the field; the drop-down offers everything again.
func (e *EscSelectEntry) FocusLost() {
	e.unfilter()
	e.SelectEntry.FocusLost()
}

// unfilter gives the drop-down every offer back, in order, after Tab
// narrowed it or it was opened over typed text.
func (e *EscSelectEntry) unfilter() {
	if e.filtered {
		e.show(e.offers)
	}
}

// Offered is what the drop-down offers now: every offer, those Tab
// matched, or every offer nearest to the text first (byRelevance).
func (e *EscSelectEntry) Offered() []string {
	return slices.Clone(e.shown)
}

// TypedShortcut sends redo to OnRedo (RedoRoute); the rest go to the field.
func (e *EscSelectEntry) TypedShortcut(s fyne.Shortcut) {
	if !e.route(s) {
		e.EntryShortcut(s)
	}
}

// EntryShortcut gives s to the field itself, past OnRedo (see
// PromptEntry.EntryShortcut).
func (e *EscSelectEntry) EntryShortcut(s fyne.Shortcut) { e.SelectEntry.TypedShortcut(s) }
