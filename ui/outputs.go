package ui

import (
	"encoding/json"
	"errors"
	"fmt"
	"image"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/tessera-studio/tessera/engine/outname"
	"github.com/tessera-studio/tessera/engine/pngmeta"
)

// outputs is the folder where the images kept are saved as soon as they
// exist (a run's result, and each candidate picked; every candidate of a
// finished run with Settings' "Save every image of a batch"). The studio deletes
// nothing in it unless the user asks (the history's Delete).
type outputs struct {
	dir string
	// read is how the model reads a prompt (bundle.Bundle.ReadPrompt; nil:
	// as written): names are made of it, so that "🚀 twemoji" is saved as
	// rocket-twitter, not twemoji alone.
	read func(string) string
}

// save writes img with rec's metadata as a new file named after the time,
// the first words of its prompt and its seed
// ("tessera-20261203-113222-rocket-fluent-flat-s1.png"), and returns its
// path.
func (o outputs) save(img image.Image, rec pngmeta.Record, now time.Time) (string, error) {
	if err := os.MkdirAll(o.dir, 0o755); err != nil {
		return "", fmt.Errorf("save result: outputs folder: %w", err)
	}
	named := rec
	if o.read != nil {
		named.Prompt = o.read(rec.Prompt)
	}
	name := outputName(named, now)
	if e, ok := rec.Extra[pngmeta.ExtraEdit].(map[string]any); ok {
		// An edit's prompt is its instruction: named after what was
		// edited (the instruction read as a drawing prompt said
		// "twitter" alone), then by the instruction's own words, its
		// filler left out ("make it purple" and "make it black and
		// white" of one source were both "…-waving-hand-google-make-it-
		// s….png"; outname.EditWords).
		source, _ := e["source_prompt"].(string)
		if o.read != nil {
			source = o.read(source)
		}
		name.Words = outname.EditWords(source, rec.Prompt)
	}
	base := name.Base()
	path := filepath.Join(o.dir, base+".png")
	for name.N = 2; ; name.N++ {
		if _, err := os.Lstat(path); errors.Is(err, fs.ErrNotExist) {
			break
		}
		if name.N > 1000 {
			return "", fmt.Errorf("save result: no free file name for %s in %s", base, o.dir)
		}
		path = filepath.Join(o.dir, name.Base()+".png")
	}
	if err := pngmeta.WriteFileAtomic(path, img, pngmeta.Metadata(rec)); err != nil {
		return "", fmt.Errorf("save result: %w", err)
	}
	return path, nil
}

// outputName is the name save gives a picture of rec made at now (see
// outname: the time, the first words of its prompt and its seed).
func outputName(rec pngmeta.Record, now time.Time) outname.Name {
	return outname.Name{Made: now, Words: outname.Words(rec.Prompt), Seed: rec.Seed}
}

// savedOutputs remembers the files of the outputs folder by what they
// record (codes, settings, model, parent): those this session wrote and
// those the history strip read (earlier sessions'), so that an image made
// again exactly (a locked seed run twice, a candidate picked again, a
// history entry drawn again after a restart) is not written twice. Safe
// for use from any goroutine.
type savedOutputs struct {
	mu    sync.Mutex
	paths map[string]string
	// records are the records of the files this session wrote or read,
	// by path:
	// what an image on the canvas was made from is still known after its
	// file was deleted (recordAt).
	records map[string]pngmeta.Record
}

// recordAt is the record of the file at path as this session wrote or
// read it, if it did.
func (s *savedOutputs) recordAt(path string) (pngmeta.Record, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	rec, ok := s.records[path]
	return rec, ok
}

// recordKey is what a record holds, as one string.
func recordKey(rec pngmeta.Record) string {
	b, err := json.Marshal(rec)
	if err != nil {
		return ""
	}
	return string(b)
}

// remember records that path holds rec (a file read from the outputs
// folder); a file this session wrote for the same record is kept.
func (s *savedOutputs) remember(rec pngmeta.Record, path string) {
	key := recordKey(rec)
	if key == "" {
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.paths == nil {
		s.paths = map[string]string{}
	}
	if _, ok := s.paths[key]; !ok {
		s.paths[key] = path
	}
	s.keepRecord(path, rec) // the file read now: its record, whatever was kept for that path before
}

// keepRecord keeps rec as the record of the file at path (s.mu held), as
// a file read back gives it (through its JSON: a copy that shares no map
// with the record the studio holds, its values of the types read from a
// file).
func (s *savedOutputs) keepRecord(path string, rec pngmeta.Record) {
	read, ok, err := pngmeta.ParseRecord(pngmeta.Metadata(rec))
	if err != nil || !ok {
		return
	}
	if s.records == nil {
		s.records = map[string]pngmeta.Record{}
	}
	s.records[path] = *read
}

// save is outputs.save unless a file saved before (or read from the
// outputs folder) still holds the same record; again reports that path is such a file, not written now.
func (s *savedOutputs) save(o outputs, img image.Image, rec pngmeta.Record, now time.Time) (path string, again bool, err error) {
	key := recordKey(rec)
	s.mu.Lock()
	defer s.mu.Unlock()
	// Only a file in the outputs folder now in use: after Settings moved
	// the folder, an image made again goes to the new one.
	if p, ok := s.paths[key]; ok && key != "" && filepath.Clean(filepath.Dir(p)) == filepath.Clean(o.dir) {
		if _, err := os.Stat(p); err == nil {
			return p, true, nil
		}
	}
	path, err = o.save(img, rec, now)
	if err == nil && key != "" {
		if s.paths == nil {
			s.paths = map[string]string{}
		}
		s.paths[key] = path
	}
	if err == nil {
		s.keepRecord(path, rec)
	}
	return path, false, err
}

// againNote is the status line's note for an image already saved at path.
func againNote(path string) string {
	return fmt.Sprintf(" · the same image as %s, saved before (not written again)", filepath.Base(path))
}

// savedNote is the status line's note for an output saved at path: its
// folder, the home folder written ~, then the file name ("saved in
// ~/Pictures/Tessera as tessera-….png"): the folder first, since a long
// file name cut at the status line's end took it along.
func savedNote(path string) string {
	return fmt.Sprintf(" · saved in %s as %s", tildePath(filepath.Dir(path)), filepath.Base(path))
}

// list returns up to limit PNG files of the folder, newest first. A missing
// folder is empty.
func (o outputs) list(limit int) ([]string, error) {
	entries, err := os.ReadDir(o.dir)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("list outputs: %w", err)
	}
	type item struct {
		path string
		mod  time.Time
	}
	var items []item
	for _, e := range entries {
		name := e.Name()
		if e.IsDir() || strings.HasPrefix(name, ".") || !strings.EqualFold(filepath.Ext(name), ".png") {
			continue
		}
		info, err := e.Info()
		if err != nil {
			continue
		}
		items = append(items, item{filepath.Join(o.dir, name), info.ModTime()})
	}
	sort.SliceStable(items, func(i, j int) bool {
		if !items[i].mod.Equal(items[j].mod) {
			return items[i].mod.After(items[j].mod)
		}
		return items[i].path > items[j].path
	})
	if limit > 0 && len(items) > limit {
		items = items[:limit]
	}
	paths := make([]string, len(items))
	for i, it := range items {
		paths[i] = it.path
	}
	return paths, nil
}
