package core

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"image"
	"image/draw"
	"image/png"
	"math"
	"slices"

	"github.com/tessera-studio/tessera/engine/sampling"
)

// MaxPatchTemperature bounds a temperature map entry (as the sampler does).
const MaxPatchTemperature = sampling.MaxPatchTemperature

// MaxUndo is how many image changes the undo stack keeps.
const MaxUndo = 64

// Snapshot is one state of the image: its codes, its mask, its painted
// temperature map, and the parameters that made it (with the image's own
// seed).
type Snapshot struct {
	Tokens []int
	Mask   []bool
	Params Params
	// Rows is the image's height in patch rows when it is taller than the
	// model's grid (grown with Extend ↓); 0 means the grid's rows.
	Rows int
	// Temperature holds a temperature per patch painted with the
	// temperature brush (nil: none; 0 entries use the global temperature).
	Temperature []float64
	// Parent is the output file the image came from ("" if none); it is
	// part of the state so undo and redo restore it with the image.
	Parent string
	// Picture is the image as shown and saved when it is not what its
	// codes decode to (nil: it is): a masked regeneration or edit keeps
	// the pixels of the patches outside its mask, which a ViT tokenizer's
	// decoder, drawing every patch from all the codes, would redraw.
	// Treated as read-only: states share it.
	Picture *image.NRGBA
	// step identifies the undo step this state is (see Document.Step):
	// undo and redo keep it, ReplaceImage too; not saved.
	step uint64
}

// snapshotJSON is how a Snapshot is saved: the mask as '0'/'1' text.
type snapshotJSON struct {
	Tokens      []int     `json:"tokens"`
	Mask        string    `json:"mask"`
	Params      Params    `json:"params"`
	Rows        int       `json:"rows,omitempty"`
	Temperature []float64 `json:"temperature,omitempty"`
	Parent      string    `json:"parent,omitempty"`
	Picture     []byte    `json:"picture,omitempty"` // PNG
}

// MarshalJSON writes the mask compactly.
func (s Snapshot) MarshalJSON() ([]byte, error) {
	j := snapshotJSON{Tokens: s.Tokens, Mask: MaskString(s.Mask), Params: s.Params, Rows: s.Rows,
		Temperature: s.Temperature, Parent: s.Parent}
	var err error
	if j.Picture, err = PictureBytes(s.Picture); err != nil {
		return nil, err
	}
	return json.Marshal(j)
}

// UnmarshalJSON reads what MarshalJSON wrote.
func (s *Snapshot) UnmarshalJSON(data []byte) error {
	var j snapshotJSON
	if err := json.Unmarshal(data, &j); err != nil {
		return err
	}
	m, err := ParseMask(j.Mask, len(j.Mask))
	if err != nil {
		return fmt.Errorf("saved mask: %w", err)
	}
	*s = Snapshot{Tokens: j.Tokens, Mask: m, Params: j.Params, Rows: j.Rows, Temperature: j.Temperature, Parent: j.Parent}
	s.Picture, err = ParsePicture(j.Picture)
	return err
}

// PictureBytes is a Snapshot.Picture as saved in a session file: PNG (nil
// for none).
func PictureBytes(p *image.NRGBA) ([]byte, error) {
	if p == nil {
		return nil, nil
	}
	var buf bytes.Buffer
	if err := png.Encode(&buf, p); err != nil {
		return nil, fmt.Errorf("saved picture: %w", err)
	}
	return buf.Bytes(), nil
}

// ParsePicture reads what PictureBytes wrote (nil for none).
func ParsePicture(data []byte) (*image.NRGBA, error) {
	if data == nil {
		return nil, nil
	}
	img, err := png.Decode(bytes.NewReader(data))
	if err != nil {
		return nil, fmt.Errorf("saved picture: %w", err)
	}
	return ToNRGBA(img), nil
}

// ToNRGBA is img as an *image.NRGBA with its origin at (0, 0) (img itself
// when it is one already).
func ToNRGBA(img image.Image) *image.NRGBA {
	if n, ok := img.(*image.NRGBA); ok && n.Rect.Min == (image.Point{}) {
		return n
	}
	b := img.Bounds()
	out := image.NewNRGBA(image.Rect(0, 0, b.Dx(), b.Dy()))
	draw.Draw(out, out.Rect, img, b.Min, draw.Src)
	return out
}

// clone returns a deep copy of s.
func (s Snapshot) clone() Snapshot {
	return Snapshot{Tokens: slices.Clone(s.Tokens), Mask: slices.Clone(s.Mask), Params: s.Params,
		Rows: s.Rows, Temperature: slices.Clone(s.Temperature), Parent: s.Parent, Picture: s.Picture, step: s.step}
}

// equal reports whether s and o are the same state.
func (s Snapshot) equal(o Snapshot) bool {
	return slices.Equal(s.Tokens, o.Tokens) && slices.Equal(s.Mask, o.Mask) && s.Params == o.Params &&
		s.Rows == o.Rows && slices.Equal(s.Temperature, o.Temperature) && s.Parent == o.Parent && samePicture(s.Picture, o.Picture)
}

// samePicture reports whether a and b are the same pixels (or both nil).
func samePicture(a, b *image.NRGBA) bool {
	if a == nil || b == nil {
		return a == b
	}
	return a.Rect == b.Rect && bytes.Equal(a.Pix, b.Pix)
}

// MaxImageRows bounds how tall Extend ↓ may grow an image, in patch rows.
const MaxImageRows = 4096

// Document is the work in the studio: the image as codes on the model's
// patch grid (possibly partial after a Stop, possibly taller than the grid
// after Extend ↓), the mask and the temperature map painted over it, and
// undo/redo stacks over every change of any of them. It has no widgets and
// is used from the UI goroutine only.
type Document struct {
	// Rows and Cols are the model's patch grid; see ImageRows for the
	// current image's height.
	Rows, Cols int
	cur        Snapshot
	undo, redo []Snapshot
	// dropped is the redo stack the last change cleared, which TakeBack
	// of that change restores.
	dropped []Snapshot
	// Parent is the output file the current image came from ("" if none):
	// a copy of the current snapshot's, kept in step by every change.
	Parent string
	// version changes whenever the current state does (see Version).
	version int
	// steps counts the undo steps made (see Step).
	steps uint64
}

// Version identifies the current state: it changes with every change,
// undo and redo, so a caller can tell whether the state it saw is still
// current.
func (d *Document) Version() int { return d.version }

// Step identifies the current undo step: a change makes a new one, undo
// and redo go back to the same ones, and ReplaceImage keeps it. A document
// read back from a session numbers its steps afresh (DocumentFromState).
func (d *Document) Step() uint64 { return d.cur.step }

// Descends reports whether the current state is undo step step or was
// made from it by changes still on the undo stack: false once the changes
// since step are undone (step is then on the redo stack, or gone after a
// new change), or have pushed it off the undo stack (MaxUndo).
func (d *Document) Descends(step uint64) bool {
	if d.cur.step == step {
		return true
	}
	for _, u := range d.undo {
		if u.step == step {
			return true
		}
	}
	return false
}

// setCur makes s the current state.
func (d *Document) setCur(s Snapshot) {
	d.cur = s
	d.Parent = s.Parent
	d.version++
}

// NewDocument returns an empty document for a rows×cols patch grid.
func NewDocument(rows, cols int) *Document {
	return &Document{Rows: rows, Cols: cols, cur: Snapshot{Mask: make([]bool, rows*cols)}}
}

// rowsOf is the height of s in patch rows.
func (d *Document) rowsOf(s Snapshot) int {
	if s.Rows > 0 {
		return s.Rows
	}
	return d.Rows
}

// ImageRows is the current image's height in patch rows: the grid's rows,
// or more for an image grown with Extend ↓.
func (d *Document) ImageRows() int { return d.rowsOf(d.cur) }

// Tall reports whether the current image is taller than the model's grid.
func (d *Document) Tall() bool { return d.ImageRows() > d.Rows }

// N is the number of patches of the current image (ImageRows × Cols).
func (d *Document) N() int { return d.ImageRows() * d.Cols }

// GridN is the number of patches of the model's grid.
func (d *Document) GridN() int { return d.Rows * d.Cols }

// Temperature returns a copy of the painted temperature map (nil if none).
func (d *Document) Temperature() []float64 { return slices.Clone(d.cur.Temperature) }

// Picture is the image as shown when it is not its codes' decode, nil
// when it is (Snapshot.Picture). Read-only.
func (d *Document) Picture() *image.NRGBA { return d.cur.Picture }

// Tokens returns a copy of the current codes (nil for a blank document).
func (d *Document) Tokens() []int { return slices.Clone(d.cur.Tokens) }

// Mask returns a copy of the current mask (one entry per patch).
func (d *Document) Mask() []bool { return slices.Clone(d.cur.Mask) }

// ImageParams are the parameters that made the current image.
func (d *Document) ImageParams() Params { return d.cur.Params }

// Empty reports whether there is no image yet.
func (d *Document) Empty() bool { return len(d.cur.Tokens) == 0 }

// Complete reports whether every patch has a code.
func (d *Document) Complete() bool { return len(d.cur.Tokens) == d.N() }

// Masked counts the masked patches.
func (d *Document) Masked() int {
	n := 0
	for _, m := range d.cur.Mask {
		if m {
			n++
		}
	}
	return n
}

// CanUndo and CanRedo report whether the stacks hold anything.
func (d *Document) CanUndo() bool { return len(d.undo) > 0 }

// CanRedo reports whether an undone change can be redone.
func (d *Document) CanRedo() bool { return len(d.redo) > 0 }

// check validates a snapshot against the grid.
func (d *Document) check(s Snapshot) error {
	rows := d.rowsOf(s)
	if rows < d.Rows || rows > MaxImageRows {
		return fmt.Errorf("image has %d patch rows; it must have %d to %d", rows, d.Rows, MaxImageRows)
	}
	n := rows * d.Cols
	if len(s.Tokens) > n {
		return fmt.Errorf("image has %d codes but the grid has %d patches", len(s.Tokens), n)
	}
	if rows > d.Rows && len(s.Tokens) != n {
		return fmt.Errorf("an image taller than the model's grid must be complete: %d codes for %d patches", len(s.Tokens), n)
	}
	if len(s.Mask) != n {
		return fmt.Errorf("mask has %d entries but the grid has %d patches", len(s.Mask), n)
	}
	for i, c := range s.Tokens {
		if c < 0 {
			return fmt.Errorf("patch %d has no code (%d)", i, c)
		}
	}
	if !d.pictureFits(s) {
		return fmt.Errorf("picture of %v px does not fit an image of %d×%d patches", s.Picture.Rect.Size(), rows, d.Cols)
	}
	if s.Temperature != nil && len(s.Temperature) != n {
		return fmt.Errorf("temperature map has %d entries but the grid has %d patches", len(s.Temperature), n)
	}
	for i, t := range s.Temperature {
		if math.IsNaN(t) || t < 0 || t > MaxPatchTemperature {
			return fmt.Errorf("patch %d has temperature %g; it must be between 0 and %g", i, t, float64(MaxPatchTemperature))
		}
	}
	return nil
}

// pictureFits reports whether s's picture (none fits) is of its image's
// shape: square patches, Cols across and its rows down.
func (d *Document) pictureFits(s Snapshot) bool {
	p := s.Picture
	if p == nil {
		return true
	}
	w, h := p.Rect.Dx(), p.Rect.Dy()
	return w > 0 && w%d.Cols == 0 && h == d.rowsOf(s)*(w/d.Cols)
}

// commit makes s current, pushing the old state onto the undo stack. A
// change to an identical state is ignored (no empty undo steps).
func (d *Document) commit(s Snapshot) error {
	if err := d.check(s); err != nil {
		return err
	}
	if s.equal(d.cur) {
		return nil
	}
	d.undo = append(d.undo, d.cur)
	if len(d.undo) > MaxUndo {
		d.undo = slices.Delete(d.undo, 0, len(d.undo)-MaxUndo)
	}
	d.dropped, d.redo = d.redo, nil
	c := s.clone()
	d.steps++
	c.step = d.steps
	d.setCur(c)
	return nil
}

// SetImage replaces the codes (a new result on the model's grid) and the
// parameters that made them, keeping the mask and the temperature map; it
// is one undo step.
func (d *Document) SetImage(tokens []int, p Params, parent string) error {
	return d.SetImageRows(tokens, d.Rows, p, parent, nil)
}

// SetImageRows is SetImage for an image of rows patch rows (taller than
// the grid after Extend ↓) whose picture is pic (nil: its codes' decode;
// see Snapshot.Picture): the mask and the temperature map keep their
// rows and gain empty ones (or lose those past the new height).
func (d *Document) SetImageRows(tokens []int, rows int, p Params, parent string, pic *image.NRGBA) error {
	n := rows * d.Cols
	s := Snapshot{Tokens: tokens, Mask: FitLen(d.cur.Mask, n), Params: p, Rows: d.tallRows(rows),
		Temperature: FitLen(d.cur.Temperature, n), Parent: parent, Picture: pic}
	return d.commit(s)
}

// NewImage replaces the image with a new one (a generation from scratch)
// of rows patch rows, made with p and the temperature map temps (nil:
// none), whose picture is pic (nil: its codes' decode); it is one undo
// step. The mask belonged to the old image and does not carry over: the
// new image starts unmasked.
func (d *Document) NewImage(tokens []int, rows int, p Params, parent string, temps []float64, pic *image.NRGBA) error {
	if rows <= 0 {
		rows = d.Rows
	}
	n := rows * d.Cols
	if !slices.ContainsFunc(temps, func(t float64) bool { return t != 0 }) {
		temps = nil
	}
	s := Snapshot{Tokens: tokens, Mask: make([]bool, n), Params: p, Rows: d.tallRows(rows),
		Temperature: FitLen(temps, n), Parent: parent, Picture: pic}
	return d.commit(s)
}

// SetState replaces codes, mask, temperature map, parameters and picture
// (nil: the codes' decode) together (an opened file) for an image of rows
// patch rows (0: the grid's); it is one undo step. A nil mask or
// temperature map means none: nothing of the image before carries over to
// the one opened.
func (d *Document) SetState(tokens []int, rows int, mask []bool, temps []float64, p Params, parent string, pic *image.NRGBA) error {
	if rows <= 0 {
		rows = d.Rows
	}
	n := rows * d.Cols
	if mask == nil {
		mask = make([]bool, n)
	}
	if !slices.ContainsFunc(temps, func(t float64) bool { return t != 0 }) {
		temps = nil
	}
	s := Snapshot{Tokens: tokens, Mask: mask, Params: p, Rows: d.tallRows(rows), Temperature: temps, Parent: parent, Picture: pic}
	return d.commit(s)
}

// tallRows is the Snapshot.Rows of an image of rows patch rows.
func (d *Document) tallRows(rows int) int {
	if rows == d.Rows {
		return 0
	}
	return rows
}

// FitLen returns a copy of m with n entries: cut, or padded with zero
// values; nil stays nil.
func FitLen[T any](m []T, n int) []T {
	if m == nil {
		return nil
	}
	out := make([]T, n)
	copy(out, m)
	return out
}

// ReplaceImage swaps the codes of the current state without a new undo
// step: picking another candidate of the run that made the current image.
// Use it only while the current state is that run's own step (see
// Version); otherwise commit a new step.
func (d *Document) ReplaceImage(tokens []int, p Params, parent string, pic *image.NRGBA) error {
	s := d.cur.clone()
	s.Tokens, s.Params, s.Parent, s.Picture = slices.Clone(tokens), p, parent, pic
	if err := d.check(s); err != nil {
		return err
	}
	d.setCur(s)
	return nil
}

// SetMask replaces the mask; it is one undo step.
func (d *Document) SetMask(mask []bool) error {
	s := d.cur
	s.Mask = mask
	return d.commit(s)
}

// SetTemperature replaces the painted temperature map (one entry per
// patch, 0 for the global temperature; nil or all zero clears it); it is
// one undo step.
func (d *Document) SetTemperature(m []float64) error {
	if !slices.ContainsFunc(m, func(t float64) bool { return t != 0 }) {
		m = nil
	}
	s := d.cur
	s.Temperature = m
	return d.commit(s)
}

// ClearMask unmasks every patch.
func (d *Document) ClearMask() error { return d.SetMask(make([]bool, d.N())) }

// InvertMask flips every patch of the mask.
func (d *Document) InvertMask() error {
	m := d.Mask()
	for i := range m {
		m[i] = !m[i]
	}
	return d.SetMask(m)
}

// ErrNothingToUndo is returned by Undo and Redo on an empty stack.
var ErrNothingToUndo = errors.New("nothing to undo")

// errNothingToRedo is returned by Redo on an empty stack.
var errNothingToRedo = errors.New("nothing to redo")

// TakeBack undoes the last change, made as undo step step, and leaves no
// redo of it: a change that came to nothing (the mask of a Resample the
// least likely that changed no patch). The redo steps the change cleared
// come back (Redo went grey after a repair that changed nothing), unless
// an undo or redo came between. It is an error when the current state is
// not that change's.
func (d *Document) TakeBack(step uint64) error {
	if len(d.undo) == 0 || d.cur.step != step {
		return errors.New("take back: another change came since")
	}
	d.setCur(d.undo[len(d.undo)-1])
	d.undo = d.undo[:len(d.undo)-1]
	d.redo, d.dropped = d.dropped, nil
	return nil
}

// Undo restores the state before the last change.
func (d *Document) Undo() error {
	if len(d.undo) == 0 {
		return ErrNothingToUndo
	}
	d.redo = append(d.redo, d.cur)
	d.setCur(d.undo[len(d.undo)-1])
	d.undo = d.undo[:len(d.undo)-1]
	d.dropped = nil
	return nil
}

// Redo reapplies the last undone change.
func (d *Document) Redo() error {
	if len(d.redo) == 0 {
		return errNothingToRedo
	}
	d.undo = append(d.undo, d.cur)
	d.setCur(d.redo[len(d.redo)-1])
	d.redo = d.redo[:len(d.redo)-1]
	d.dropped = nil
	return nil
}

// State is the document as saved in the session file.
type State struct {
	Rows   int        `json:"rows"`
	Cols   int        `json:"cols"`
	Cur    Snapshot   `json:"current"`
	Undo   []Snapshot `json:"undo,omitempty"`
	Redo   []Snapshot `json:"redo,omitempty"`
	Parent string     `json:"parent,omitempty"`
}

// state returns a copy of the document for saving.
func (d *Document) State() State {
	cl := func(ss []Snapshot) []Snapshot {
		out := make([]Snapshot, len(ss))
		for i, s := range ss {
			out[i] = s.clone()
		}
		return out
	}
	return State{Rows: d.Rows, Cols: d.Cols, Cur: d.cur.clone(), Undo: cl(d.undo), Redo: cl(d.redo), Parent: d.Parent}
}

// history is the document's snapshots in the order State keeps them: the
// undo stack, the current one, the redo stack.
func (d *Document) history() []Snapshot {
	return append(append(slices.Clone(d.undo), d.cur), d.redo...)
}

// HistoryIndex is where the snapshot of undo step step is in the document's
// history, in the order State keeps them (undo, current, redo), which
// DocumentFromState numbers anew: a place that outlives a restart. It is
// −1 when no snapshot has that step.
func (d *Document) HistoryIndex(step uint64) int {
	return slices.IndexFunc(d.history(), func(s Snapshot) bool { return step != 0 && s.step == step })
}

// Steps are the undo steps of the document's history (HistoryIndex's
// order): those an undo or redo can still reach, and the current one.
func (d *Document) Steps() []uint64 {
	steps := make([]uint64, 0, len(d.undo)+1+len(d.redo))
	for _, s := range d.history() {
		steps = append(steps, s.step)
	}
	return steps
}

// StepAt is the undo step of the snapshot at index i of the history
// (HistoryIndex's order), 0 when there is none.
func (d *Document) StepAt(i int) uint64 {
	h := d.history()
	if i < 0 || i >= len(h) {
		return 0
	}
	return h[i].step
}

// DocumentFromState rebuilds a saved document, checking every snapshot.
func DocumentFromState(st State) (*Document, error) {
	if st.Rows <= 0 || st.Cols <= 0 || st.Rows*st.Cols > 1<<20 {
		return nil, fmt.Errorf("saved document has a bad grid %dx%d", st.Rows, st.Cols)
	}
	d := &Document{Rows: st.Rows, Cols: st.Cols, Parent: st.Parent}
	// A picture that is not of its image's shape (damaged) goes: the image
	// is its codes' decode again.
	fit := func(s *Snapshot) {
		if !d.pictureFits(*s) {
			s.Picture = nil
		}
	}
	fit(&st.Cur)
	for i := range st.Undo {
		fit(&st.Undo[i])
	}
	for i := range st.Redo {
		fit(&st.Redo[i])
	}
	for _, s := range append(append([]Snapshot{st.Cur}, st.Undo...), st.Redo...) {
		if err := d.check(s); err != nil {
			return nil, fmt.Errorf("saved document: %w", err)
		}
	}

	if st.Cur.Parent == "" {
		st.Cur.Parent = st.Parent // written before snapshots held their parent
	}
	// Steps are not saved: each snapshot gets a number of its own again,
	// so that a step told apart before the restart is told apart after it.
	number := func(ss []Snapshot) []Snapshot {
		for i := range ss {
			d.steps++
			ss[i].step = d.steps
		}
		return ss
	}
	d.undo = number(st.Undo)
	cur := number([]Snapshot{st.Cur})[0]
	d.redo = number(st.Redo)
	d.setCur(cur)
	return d, nil
}
