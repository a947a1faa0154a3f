package app

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"slices"

	"github.com/tessera-studio/tessera/engine/data"
	"github.com/tessera-studio/tessera/engine/trainjob"
)

// checkDataOutput is check-data --json's object: the report's fields plus
// its count of files with problems.
type checkDataOutput struct {
	*data.FolderReport
	Problems int `json:"problems"`
}

// runCheckData reports what a folder of training images holds and what is
// wrong with it: unreadable or truncated images, caption files with a
// byte-order mark, CR line breaks or Windows-1252 text, images without a
// caption, captions without an image, images too small or too long and
// thin to train well, and duplicate images. Problems are a
// report, not a failure: the exit status is 0 unless the folder cannot be
// read, or --strict is given and some file has a problem (then 1, after
// the report; also when it holds no image at all), for scripts that must
// stop on an unclean folder.
func runCheckData(ctx context.Context, env Env, args []string) error {
	fs := newFlags(env, "check-data", "[--json] [--captions] [--strict] FOLDER")
	asJSON := fs.Bool("json", false, "print the report as one JSON object (lists of files per kind of problem, and the count of files with problems); a folder that cannot be checked gives {\"dir\", \"error\"} (exit status 1)")
	captions := fs.Bool("captions", false, "also list every usable image with the caption it trains with (from its caption file, the prompt its PNG records, or its file name) and the further lines of its caption file, alternative captions it trains with too; --json always holds them (\"captions\", \"also_captions\")")
	strict := fs.Bool("strict", false, "exit with status 1 (after the report) when any file has a problem or there is no image")
	pos, err := parseFlags(fs, args)
	if err != nil {
		return helpOr(fs, err)
	}
	if len(pos) != 1 {
		return usageError{"give one folder of images"}
	}
	failed := func(err error) error {
		if *asJSON { // a script reading stdout gets an object too, as score --json gives one
			_ = json.NewEncoder(env.Stdout).Encode(map[string]string{"dir": pos[0], "error": err.Error()})
		}
		return err
	}
	if err := trainjob.CheckDataFolder(pos[0]); err != nil {
		return failed(err)
	}
	if _, err := os.Stat(pos[0]); err != nil && (slices.Contains(trainjob.Datasets(), pos[0]) || pos[0] == trainjob.EditData) {
		// A built-in dataset's name: it said "open emoji: no such file".
		return failed(fmt.Errorf("%s is a built-in dataset, checked as train loads it: check-data checks a folder of your own pictures", pos[0]))
	}
	rep, err := data.CheckFolder(ctx, pos[0])
	if err != nil {
		return failed(err)
	}
	problems := rep.Problems()
	if *asJSON {
		enc := json.NewEncoder(env.Stdout)
		if err := enc.Encode(checkDataOutput{rep, problems}); err != nil {
			return err
		}
	} else {
		for _, l := range rep.Lines() {
			fmt.Fprintln(env.Stdout, l)
		}
		if *captions && len(rep.Captions) > 0 {
			fmt.Fprintf(env.Stdout, "captions (%d):\n", len(rep.Captions))
			for _, l := range rep.CaptionLines() {
				fmt.Fprintln(env.Stdout, l)
			}
		}
	}
	switch {
	case *strict && problems > 0:
		return fmt.Errorf("%s: files with problems: %d (--strict)", pos[0], problems)
	case *strict && rep.Images == 0:
		return fmt.Errorf("%s: no images to train on (--strict)", pos[0])
	}
	return nil
}
