// Package app is the Tessera application: the headless commands and the
// wiring that opens the studio.
package app

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"os"
	"os/signal"
	"path/filepath"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"unicode/utf8"

	"github.com/hbollon/go-edlib"

	"github.com/tessera-studio/tessera/engine/bundle"
	"github.com/tessera-studio/tessera/engine/codebook"
	"github.com/tessera-studio/tessera/engine/model"
	"github.com/tessera-studio/tessera/engine/prompt"
	"github.com/tessera-studio/tessera/engine/sampler"
	"github.com/tessera-studio/tessera/engine/trainjob"
	"github.com/tessera-studio/tessera/internal/plural"
)

// Version is the application version written into PNG metadata.
const Version = "0.1.0"

// Env is what a command sees of the outside world.
type Env struct {
	Stdout, Stderr io.Writer
}

// command is one subcommand.
type command struct {
	summary string
	run     func(ctx context.Context, env Env, args []string) error
}

func commands() map[string]command {
	return map[string]command{
		"branch":          {"keep the first K patches of an image and resample the rest", runBranch},
		"extend":          {"grow an image downward, rows at a time, with a sliding window", runExtend},
		"generate":        {"sample images from a prompt into PNG files", runGenerate},
		"score":           {"likelihood of images under a model (NLL, bits per token)", runScore},
		"bench":           {"sampling speed against the machine's limits", runBench},
		"average":         {"write the mean of the weights of checkpoints of one run (stochastic weight averaging) as a model folder", runAverage},
		"convert":         {"write a model with its weights in another dtype (F32, F16, BF16) as a new model folder", runConvert},
		"random-model":    {"write a model folder of random weights shaped like OpenAI's imagegpt-small, -medium or -large", runRandomModel},
		"info":            {"a model's configuration, size and codebook, or what images record (prompt, seed, settings, model)", runInfo},
		"models":          {"list the built-in models: what each draws, its size, names and styles", runModels},
		"timelapse":       {"an animated GIF of an image appearing patch by patch", runTimelapse},
		"train":           {"train a model on the built-in shapes, emoji, MNIST, edit pairs or a folder of images", runTrain},
		"eval-tokenizer":  {"a ViT tokenizer's held-out PSNR beside a k-means codebook of the same token count", runEvalTokenizer},
		"sheet":           {"a contact sheet of samples: a row per prompt, a column per style or seed", runSheet},
		"tokenize":        {"encode images with a model's image tokenizer: codes and reconstruction PSNR", runTokenize},
		"train-tokenizer": {"train the ViT-VQ image tokenizer (pixels ↔ codes)", runTrainTokenizer},
		"eval-prompts":    {"how often samples show the prompted emoji or digit", runEvalPrompts},
		"eval-shapes":     {"how often samples of held-out shapes captions show their caption (read by a checker)", runEvalShapes},
		"check-data":      {"report problems in a folder of training images and captions before training on it", runCheckData},
		"describe":        {"rank the prompts a model knows by how likely they make an image (zero-shot classifier)", runDescribe},
		"eval-describe":   {"top-1 and top-5 accuracy of describe on a model's held-out dataset images", runEvalDescribe},
		"edit":            {"edit an image by instruction with an edit model (\"remove the background\", \"in the twemoji style\")", runEdit},
		"eval-edits":      {"how exactly an edit model performs each family of edits on held-out emoji", runEvalEdits},
		"version": {"print the version", func(_ context.Context, env Env, args []string) error {
			pos, err := parseFlags(newFlags(env, "version", ""), args)
			if err != nil {
				return err
			}
			if err := noArguments(pos, ""); err != nil {
				return err
			}
			fmt.Fprintln(env.Stdout, "tessera", Version)
			return nil
		}},
	}
}

// Main runs the tessera binary with args (without the program name) and
// returns the exit status. With no arguments it opens the studio.
func Main(args []string, env Env) int {
	// Ctrl-C, a kill (SIGTERM: timeout, a service manager, a shutdown) and a
	// closed terminal (SIGHUP) stop a command the same way: a training run
	// saves its checkpoint, a batch keeps what is finished.
	// Under nohup, SIGHUP is ignored and stays so (notifying it would
	// undo that, and a logout would stop a run started to outlive it).
	sigs := []os.Signal{os.Interrupt, syscall.SIGTERM}
	if !signal.Ignored(syscall.SIGHUP) {
		sigs = append(sigs, syscall.SIGHUP)
	}
	ctx, stop, caught := signalContext(sigs...)
	defer stop()
	if len(args) == 0 {
		return studioStatus(env, runStudio(ctx, env, nil), caught())
	}
	name := args[0]
	switch name {
	case "help", "-h", "--help", "-help":
		if len(args) < 2 || args[1] == "help" || strings.HasPrefix(args[1], "-") {
			out := &writeFailure{w: env.Stdout}
			usage(out)
			if err := out.Err(); err != nil {
				fmt.Fprintf(env.Stderr, "tessera help: write standard output: %v\n", err)
				return 1
			}
			return 0
		}
		name, args = args[1], []string{args[1], "--help"} // help COMMAND: its flags
	case "--version", "-version", "-v":
		name, args = "version", []string{"version"}
	}
	if name == "studio" {
		// The status every command gives: 2 for a bad command line (the
		// studio's gave 1).
		return studioStatus(env, runStudio(ctx, env, args[1:]), caught())
	}
	cmd, ok := commands()[name]
	if !ok && len(args) == 1 && isOpenable(name) {
		// "tessera FILE.png", as a file manager's Open with runs it: the
		// studio, opening it.
		return studioStatus(env, runStudio(ctx, env, args), caught())
	}
	if !ok {
		// The name alone, a file or folder that is there: looked at once
		// (a command's name is not looked for as a file).
		var fi os.FileInfo
		err := fs.ErrNotExist
		if len(args) == 1 {
			fi, err = os.Stat(name)
		}
		near := nearCommand(name)
		if len(args) == 1 && (looksLikeAPath(name) || err == nil && near == "") {
			// "tessera cat.png" where there is no cat.png: the file is what
			// is wrong, not a command.
			switch {
			case err != nil:
				fmt.Fprintf(env.Stderr, "tessera: %s: no such file or folder (tessera FILE opens a picture or a model in the studio)\n", name)
			case fi.IsDir():
				fmt.Fprintf(env.Stderr, "tessera: %s is a folder that holds no model (config.json) and is no training run: tessera FOLDER opens a model folder in the studio\n", name)
			default:
				fmt.Fprintf(env.Stderr, "tessera: %s is no picture Tessera opens (it opens %s files) and no command\n", name, codebook.ImageFormats)
			}
			return 2
		}
		msg := fmt.Sprintf("tessera: unknown command %q", name)
		if near != "" {
			msg += fmt.Sprintf(": did you mean %s?", near)
			if err == nil && fi.IsDir() {
				// "tessera adir": the folder there is said too, as for a
				// name near no command.
				msg += fmt.Sprintf(" (%s is also a folder here, which holds no model (config.json) and is no training run: tessera FOLDER opens a model folder in the studio)", name)
			}
		}
		fmt.Fprintf(env.Stderr, "%s\n\n", msg)
		usage(env.Stderr)
		return 2
	}
	// Run the command off the main goroutine: Fyne's driver locks it to the
	// main OS thread at init (for the window), and every wait of a locked
	// goroutine costs an OS thread hand-off, which made sampling a third
	// slower.
	done := make(chan error, 1)
	lines := &lineEnds{w: env.Stderr}
	out := &writeFailure{w: env.Stdout}
	run := env
	run.Stderr, run.Stdout = lines, out
	go func() { done <- cmd.run(ctx, run, args[1:]) }()
	err := <-done
	if werr := out.Err(); werr != nil && (err == nil || errors.Is(err, flag.ErrHelp)) {
		// A report lost to a full disk or a closed pipe: not a success
		// (check-data, version and help exited 0 with nothing written;
		// a command's --help is flag.ErrHelp, which exits 0).
		err = fmt.Errorf("write standard output: %w", werr)
	}
	if lines.open.Load() && (err != nil || ctx.Err() != nil) {
		// A progress line a signal or an error cut short ("patch 28 / 64 …
		// ETA 300ms" then the error on the same line): end it first.
		fmt.Fprintln(env.Stderr)
	}
	code := exitStatus(env, name, err, ctx.Err() != nil)
	if s, ok := caught().(syscall.Signal); ok && code == interruptedStatus {
		code = 128 + int(s) // as shells report it: 143 for a kill (SIGTERM), 129 for a closed terminal
	}
	return code
}

// isOpenable reports whether arg, given alone, names a picture file (by
// its extension) or a model or training run folder that is there: the
// studio opens it. Another folder is no picture: "tessera runs" in a
// folder that holds runs/ is a mistyped command, said as one.
func isOpenable(arg string) bool {
	info, err := os.Stat(arg)
	switch {
	case err != nil:
		return false
	case info.IsDir():
		return model.IsFolder(arg) || trainjob.IsRun(arg)
	}
	return slices.Contains(codebook.ImageExtensions(), strings.ToLower(filepath.Ext(arg)))
}

// looksLikeAPath reports whether arg, no command, was meant as a file or
// folder: it names a path (a separator) or has a picture's extension (a
// bare word that happens to name a folder here, "runs", is more likely a
// mistyped command).
func looksLikeAPath(arg string) bool {
	return strings.ContainsRune(arg, '/') || strings.ContainsRune(arg, filepath.Separator) ||
		slices.Contains(codebook.ImageExtensions(), strings.ToLower(filepath.Ext(arg)))
}

// studioStatus is the studio's exit status (exitStatus) once its window
// closed: 128 + the signal's number (130 for Ctrl-C in the terminal that
// started it, 143 for a kill), as for every command, where SIGINT or
// SIGTERM ended it (Fyne quits on them; the work is kept, the studio's
// autosave flushed). A closed terminal (SIGHUP) leaves the window open,
// and closing it later is an ordinary quit.
func studioStatus(env Env, err error, sig os.Signal) int {
	guest := errors.Is(err, errGuestWindow) // not an error: whose the session is
	if guest {
		err = nil
	}
	s, _ := sig.(syscall.Signal)
	if s != syscall.SIGINT && s != syscall.SIGTERM {
		return exitStatus(env, "studio", err, false)
	}
	if err == nil {
		kept := "the work is kept for next time"
		if guest {
			// It said the work was kept, of a window whose work is not.
			kept = "this window's work is not kept (another Tessera window keeps the session; its pictures are in the outputs folder)"
		}
		fmt.Fprintf(env.Stderr, "tessera studio: interrupted (%v); %s\n", s, kept)
		return 128 + int(s)
	}
	if code := exitStatus(env, "studio", err, true); code != interruptedStatus {
		return code
	}
	return 128 + int(s)
}

// errGuestWindow is runStudio's answer for a window that closed without
// keeping its work, another window keeping the session (studioStatus says
// so where a signal closed it, and nothing otherwise).
var errGuestWindow = errors.New("another window keeps the session")

// signalContext is signal.NotifyContext that also says which signal
// stopped it (caught: nil while none has; the latest when more came), for
// the exit status.
func signalContext(sigs ...os.Signal) (ctx context.Context, stop func(), caught func() os.Signal) {
	ctx, cancel := context.WithCancel(context.Background())
	ch := make(chan os.Signal, 1)
	signal.Notify(ch, sigs...)
	var got atomic.Value // the latest signal: a closed terminal, then a kill, is a kill
	stopped := make(chan struct{})
	go func() {
		for {
			select {
			case s := <-ch:
				got.Store(s)
				cancel()
			case <-stopped:
				return
			}
		}
	}()
	var once sync.Once
	stop = func() {
		once.Do(func() {
			signal.Stop(ch)
			close(stopped)
			cancel()
		})
	}
	caught = func() os.Signal {
		s, _ := got.Load().(os.Signal)
		return s
	}
	return ctx, stop, caught
}

// lineEnds passes writes to w and remembers whether the last one left a
// line open (a progress line redrawn with \r, not yet ended).
type lineEnds struct {
	w    io.Writer
	open atomic.Bool // progress may be written from another goroutine
}

func (l *lineEnds) Write(p []byte) (int, error) {
	if len(p) > 0 {
		l.open.Store(p[len(p)-1] != '\n')
	}
	return l.w.Write(p)
}

// exitStatus reports a command's error on env.Stderr and returns the exit
// status: 0, 2 for a usage error, 1 for another error, and 130 (128 +
// SIGINT, as shells report it; Main gives 128 + another signal's number)
// when a signal stopped it (Ctrl-C, a kill),
// also where it saved what it had finished: the work asked for was not done.
func exitStatus(env Env, name string, err error, interrupted bool) int {
	var ue usageError
	switch {
	case errors.Is(err, flag.ErrHelp):
		return 0
	case interrupted:
		switch {
		case err == nil:
			// The command ended without an error (the signal came as it
			// finished, or it stops at one and says what it kept: train):
			// said, where a script saw a failing status without a word.
			fmt.Fprintf(env.Stderr, "tessera %s: interrupted\n", name)
		case errors.Is(err, context.Canceled) && !strings.Contains(err.Error(), "interrupted"):
			// the cancellation, bare or as a step wrapped it ("emoji:
			// context canceled"; a bare one said nothing at all)
			fmt.Fprintf(env.Stderr, "tessera %s: interrupted\n", name)
		default: // what was kept or lost is said ("interrupted; nothing saved"), or another failure
			fmt.Fprintf(env.Stderr, "tessera %s: %v\n", name, err)
		}
		return interruptedStatus
	case err == nil:
		return 0
	case errors.As(err, &ue):
		fmt.Fprintf(env.Stderr, "tessera %s: %v\n", name, err)
		return 2
	}
	fmt.Fprintf(env.Stderr, "tessera %s: %v\n", name, err)
	return 1
}

func usage(w io.Writer) {
	fmt.Fprintf(w, "Tessera %s: an Image GPT studio.\n\nUsage:\n  tessera                 open the studio\n  tessera PICTURE         open the studio on a picture (PNG, JPEG, …)\n  tessera studio [flags]  open the studio on given models (tessera help studio)\n  tessera COMMAND [flags]\n\nCommands:\n", Version)
	cmds := commands()
	names := make([]string, 0, len(cmds))
	for n := range cmds {
		names = append(names, n)
	}
	sort.Strings(names)
	width := 0
	for _, n := range names {
		width = max(width, len(n))
	}
	for _, n := range names {
		fmt.Fprintf(w, "  %-*s %s\n", width, n, cmds[n].summary)
	}
	fmt.Fprintln(w, "\nRun 'tessera help COMMAND' or 'tessera COMMAND --help' for a command's flags. --model takes a built-in name or a folder (a value with '/', or a name no built-in has; a training run's folder stands for its model).")
}

// interruptedStatus is the exit status of a command a signal stopped.
const interruptedStatus = 130

// usageError marks bad command lines (exit status 2).
type usageError struct{ msg string }

func (e usageError) Error() string { return e.msg }

// textFlags are the flags whose values are text a model reads (and a PNG
// records, which needs UTF-8), not paths: their bytes must be UTF-8.
var textFlags = []string{"prompt", "negative", "instruction"}

// checkTextFlags refuses a text flag set to bytes that are not UTF-8 (a
// shell's $'\xff'), which would be found only when the PNG is written,
// after sampling.
func checkTextFlags(fs *flag.FlagSet) error {
	var err error
	fs.Visit(func(f *flag.Flag) {
		if err == nil && slices.Contains(textFlags, f.Name) && !utf8.ValidString(f.Value.String()) {
			err = usageError{fmt.Sprintf("--%s %q is not UTF-8 text", f.Name, f.Value.String())}
		}
	})
	return err
}

// parseFlags parses flags that may appear before, between or after the
// positional arguments, and returns the positional ones.
func parseFlags(fs *flag.FlagSet, args []string) ([]string, error) {
	fs.SetOutput(io.Discard)
	// The flag package prints the usage on every error; only -h asks for
	// it: a bad value gets the one-line error alone.
	usage := fs.Usage
	fs.Usage = func() {}
	defer func() { fs.Usage = usage }()
	var pos []string
	all := args
	for {
		if err := fs.Parse(args); err != nil {
			if errors.Is(err, flag.ErrHelp) {
				usage()
				return nil, err
			}
			// Flags are written --name in Tessera's help and messages.
			msg := dashedFlags.ReplaceAllString(err.Error(), "$1 --$2")
			if name, ok := strings.CutPrefix(err.Error(), "flag provided but not defined: -"); ok {
				name = strings.TrimLeft(name, "-")
				typed := "-" + name
				if i := slices.IndexFunc(args, func(a string) bool { return strings.HasPrefix(a, "-") && strings.TrimLeft(a, "-") == name }); i >= 0 {
					typed = args[i] // as written: the flag package keeps no dashes
				}
				if _, err := os.Stat(typed); err == nil || looksLikeAPath(name) {
					// A file whose name starts with a dash.
					msg = fmt.Sprintf("%s is read as a flag: write ./%s for a file of that name (or put -- before the files)", typed, typed)
				} else if name == "style" && fs.Lookup("style-per-seed") != nil {
					// A diffusion studio's --style: here a style is a word of
					// the prompt (it suggested --scale).
					msg += " (a style is a word at the end of the prompt: --prompt \"cat face openmoji\"; tessera models lists each model's styles, and --style-per-seed 1 draws each seed in a style of its own)"
				} else if near := nearFlag(fs, name); near != "" {
					msg += fmt.Sprintf(" (did you mean --%s?)", near)
				}
			}
			return nil, usageError{msg}
		}
		if err := checkTextFlags(fs); err != nil {
			return nil, err
		}
		args = fs.Args()
		if len(args) == 0 {
			return pos, nil
		}
		if args[0] == "--" {
			return append(pos, args[1:]...), nil
		}
		if err := boolValueApart(fs, before(all, args), args[0]); err != nil {
			return nil, err
		}
		pos = append(pos, args[0])
		args = args[1:]
	}
}

// before is the argument of all just before rest, a tail of it ("" when
// rest is all of it).
func before(all, rest []string) string {
	if i := len(all) - len(rest); i > 0 {
		return all[i-1]
	}
	return ""
}

// boolValueApart refuses "true" or "false" (or 1, 0) written apart from the
// yes/no flag before it: --limits false sets --limits and leaves "false" as
// an argument, the opposite of what was meant.
func boolValueApart(fs *flag.FlagSet, prev, arg string) error {
	if _, err := strconv.ParseBool(arg); err != nil || !strings.HasPrefix(prev, "-") || strings.Contains(prev, "=") {
		return nil
	}
	name := strings.TrimLeft(prev, "-")
	f := fs.Lookup(name)
	if f == nil {
		return nil
	}
	if b, ok := f.Value.(interface{ IsBoolFlag() bool }); !ok || !b.IsBoolFlag() {
		return nil
	}
	return usageError{fmt.Sprintf("%q after --%s is not read as its value: write --%s=%s (a yes/no flag takes its value after '=')", arg, name, name, arg)}
}

// noArguments refuses the arguments left after the flags (pos) of a
// command that takes none, naming the first; hint, when not "", says where
// such a value goes ("the prompt goes in --prompt").
func noArguments(pos []string, hint string) error {
	if len(pos) == 0 {
		return nil
	}
	msg := fmt.Sprintf("takes no arguments (got %s)", quoteFew(pos, 3))
	if hint != "" {
		msg += ": " + hint
	}
	return usageError{msg}
}

// flagSynonyms are flags one command has under another name: the number
// of images is --batch for generate and branch, --candidates for edit.
var flagSynonyms = map[string][]string{
	"candidates": {"batch"}, "batch": {"candidates"}, "n": {"batch", "candidates"}, "count": {"batch", "candidates"},
	"num-images": {"batch", "candidates"}, "output": {"out"}, "o": {"out"}, "input": {"from"}, "image": {"from"},
	"p": {"prompt"}, "text": {"prompt", "instruction"}, "cfg": {"guidance"}, "cfg-scale": {"guidance"}, "temp": {"temperature"},
}

// nearFlag is the flag of fs an undefined name probably meant: a synonym
// fs defines (flagSynonyms), else a defined flag within two edits of it
// (typos: --promt); "" when none is close.
func nearFlag(fs *flag.FlagSet, name string) string {
	for _, syn := range flagSynonyms[name] {
		if fs.Lookup(syn) != nil {
			return syn
		}
	}
	best, bestD := "", 3
	if len(name) < 4 {
		return ""
	}
	fs.VisitAll(func(f *flag.Flag) {
		if d := edlib.OSADamerauLevenshteinDistance(name, f.Name); d < bestD {
			best, bestD = f.Name, d
		}
	})
	return best
}

// nearCommand is the command name closest to a mistyped one (at most two
// edits away, or the only one it begins), "" when none is.
func nearCommand(name string) string {
	names := []string{"studio", "help"}
	for n := range commands() {
		names = append(names, n)
	}
	slices.Sort(names)
	best, bestD := "", 3
	var prefixed []string
	for _, n := range names {
		if d := edlib.OSADamerauLevenshteinDistance(name, n); d < bestD {
			best, bestD = n, d
		}
		if len(name) >= 3 && strings.HasPrefix(n, name) {
			prefixed = append(prefixed, n)
		}
	}
	if best == "" && len(prefixed) == 1 {
		return prefixed[0]
	}
	return best
}

// flagsSet reports which flags the command line set explicitly.
func flagsSet(fs *flag.FlagSet) map[string]bool {
	set := map[string]bool{}
	fs.Visit(func(f *flag.Flag) { set[f.Name] = true })
	return set
}

// newFlags makes a flag set whose -h prints usage to stdout.
func newFlags(env Env, name, synopsis string) *flag.FlagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.Usage = func() {
		fmt.Fprintf(env.Stdout, "Usage: tessera %s %s\n\nFlags:\n", name, synopsis)
		// The flag package writes "-batch"; the README and the usage lines
		// write "--batch" (both work).
		var buf strings.Builder
		fs.SetOutput(&buf)
		fs.PrintDefaults()
		fs.SetOutput(io.Discard)
		for _, line := range strings.SplitAfter(buf.String(), "\n") {
			if rest, ok := strings.CutPrefix(line, "  -"); ok {
				line = "  --" + rest
			}
			io.WriteString(env.Stdout, line)
		}
	}
	return fs
}

// helpOr passes a flag error through; for -h the flag package has already
// printed the usage (fs.Usage) once.
func helpOr(_ *flag.FlagSet, err error) error {
	return err
}

// checkPromptKnown refuses prompt p if model b, which reads prompts, knows
// none of its words: it would sample as if there were no prompt. own says
// p is the picture's own (its record's, taken where --prompt is not given),
// which --prompt "" replaces by no prompt on purpose.
func checkPromptKnown(b *bundle.Bundle, p string, own bool) error {
	enc := sampler.EncodePrompt(b, p)
	if !enc.NoneKnown() {
		return nil
	}
	words, hint := quoteFew(distinct(enc.Unknown), 8), didYouMean(b.Prompt, enc.Unknown)
	if own {
		return fmt.Errorf("model %s knows none of the words of the picture's prompt (%s)%s: it would sample as if there were no prompt (give --prompt \"\" to draw without one, or a --prompt of words it knows)", b.Name, words, hint)
	}
	return fmt.Errorf("model %s knows none of the prompt's words (%s)%s: it would sample as if there were no prompt (an empty --prompt does that on purpose)", b.Name, words, hint)
}

// checkComposed refuses a composed prompt p whose sub-prompt weight is
// beyond sampler.MaxWeight, and warns on w of its sub-prompts of weight 0,
// which add nothing to the picture (":0" dropped one without a word).
func checkComposed(w io.Writer, p string) error {
	if err := sampler.CheckWeights(p); err != nil {
		return fmt.Errorf("prompt %q: %w", clipExample(p), err)
	}
	switch zero := sampler.ZeroWeighted(p); {
	case len(zero) == 1:
		fmt.Fprintf(w, "warning: the sub-prompt %q has weight 0 (:0): it does nothing to the picture; give it a weight, or leave it out\n", zero[0])
	case len(zero) > 1:
		fmt.Fprintf(w, "warning: the sub-prompts %s have weight 0 (:0): they do nothing to the picture; give them a weight, or leave them out\n", quoteFew(zero, 8))
	}
	return nil
}

// warnWords reports prompt words the model does not know or had to cut.
func warnWords(w io.Writer, t *prompt.Tokenizer, unknown, cut []string) {
	warnWordsOf(w, "prompt", t, unknown, cut)
}

// warnWordsOf is warnWords for the text named what ("prompt", "negative
// prompt"): each word once, however often it occurs, the first eight named.
func warnWordsOf(w io.Writer, what string, t *prompt.Tokenizer, unknown, cut []string) {
	unknown = distinct(unknown)
	if len(unknown) > 0 {
		fmt.Fprintf(w, "warning: the model does not know %s; left out of the %s%s\n", quoteFew(unknown, 8), what, didYouMean(t, unknown[:min(len(unknown), 8)]))
	}
	if len(cut) > 0 {
		// How much went and from where: a list of the distinct words cut
		// ("cut "it", "blue", "make"" for 1,200 words) said neither.
		fmt.Fprintf(w, "warning: the %s is too long: the model reads %s of it, and the %s after them are left out (from %q on)\n",
			what, plural.N(t.Length(), "known word", "known words"), plural.N(len(cut), "known word", "known words"), cut[0])
	}
}

// distinct is words without repeats, in order.
func distinct(words []string) []string {
	var out []string
	for _, w := range words {
		if !slices.Contains(out, w) {
			out = append(out, w)
		}
	}
	return out
}

// didYouMean is "" or " (did you mean: rockett → rocket?)" for the
// unknown words that are close to a known one (prompt.Tokenizer.Suggest).
func didYouMean(t *prompt.Tokenizer, unknown []string) string {
	if hint := t.DidYouMean(unknown); hint != "" {
		return " (" + hint + ")"
	}
	return ""
}

// quoteFew quotes the first n words and counts the rest ("…" and 12 more).
func quoteFew(words []string, n int) string {
	if len(words) <= n {
		return quoteList(words)
	}
	return fmt.Sprintf("%s and %d more words", quoteList(words[:n]), len(words)-n)
}

func quoteList(words []string) string {
	q := make([]string, len(words))
	for i, w := range words {
		q[i] = fmt.Sprintf("%q", shortWord(w))
	}
	return strings.Join(q, ", ")
}

// maxQuotedWord is the most characters of a word a message quotes.
const maxQuotedWord = 40

// shortWord is w cut to its first maxQuotedWord characters with a count of
// the rest, so a pasted 100,000-character "word" makes no 100 KB message.
func shortWord(w string) string {
	r := []rune(w)
	if len(r) <= maxQuotedWord {
		return w
	}
	return fmt.Sprintf("%s… (%d characters)", string(r[:maxQuotedWord]), len(r))
}

// notAll says how many of total images a command failed on ("could not be
// " + what): "the image could not be read", "none of the 3 images could be
// read", "2 of 5 images could not be read".
func notAll(failed, total int, what string) error {
	switch {
	case total == 1:
		return fmt.Errorf("the image could not be %s", what)
	case failed == total:
		return fmt.Errorf("none of the %d images could be %s", total, what)
	}
	return fmt.Errorf("%d of %d images could not be %s", failed, total, what)
}

// writeFailure passes writes to w and keeps the first error one gave
// (Err), so that a command whose output was lost does not exit 0.
type writeFailure struct {
	w   io.Writer
	mu  sync.Mutex // a progress goroutine may write beside the command
	err error
}

func (f *writeFailure) Write(p []byte) (int, error) {
	n, err := f.w.Write(p)
	if err != nil {
		f.mu.Lock()
		if f.err == nil {
			f.err = err
		}
		f.mu.Unlock()
	}
	return n, err
}

// Err is the first write error, nil when none.
func (f *writeFailure) Err() error {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.err
}

// dashedFlags finds the flag package's name of a flag, written -name, in
// each shape of its messages ("invalid value "x" for flag -seed: ...",
// "invalid boolean value "yes" for -json: ...", "flag needs an argument:
// -prompt", "flag provided but not defined: -promt"), for parseFlags to
// write it --name as Tessera's help does: anchored at the message's start
// and past the quoted value, so that a value the user typed (--seed "5
// for -1: x") is left as typed.
var dashedFlags = regexp.MustCompile(`^(invalid value "(?:[^"\\]|\\.)*" for flag|invalid boolean value "(?:[^"\\]|\\.)*" for|flag needs an argument:|flag provided but not defined:) -([^\s:]+)`)
