package app

import (
	"context"
	"fmt"
	"os"
	"strings"
	"time"

	"github.com/tessera-studio/tessera/engine/model"
)

// runRandomModel writes a model folder of random weights in the shape of
// one of OpenAI's ImageGPT checkpoints, for benchmarks and memory checks
// (tessera bench --model DIR, /usr/bin/time -v) on shapes no built-in has.
func runRandomModel(ctx context.Context, env Env, args []string) error {
	fs := newFlags(env, "random-model", "--shape small|medium|large --out DIR [--dtype F32|F16|BF16]")
	shape := fs.String("shape", "small", "small, medium or large: OpenAI's imagegpt sizes (76.7M, 455M, 1.36B parameters)")
	out := fs.String("out", "", "model folder to write (config.json, model.safetensors, preprocessor_config.json)")
	dtype := dtypeFlag(fs, "F32", "weights' dtype in the file: F32 (as OpenAI's checkpoints), F16 or BF16")
	force := fs.Bool("force", false, "write into --out even when it holds files (a model there is replaced)")
	pos, err := parseFlags(fs, args)
	if err != nil {
		return helpOr(fs, err)
	}
	if err := noArguments(pos, "the folder goes in --out"); err != nil {
		return err
	}
	switch {
	case *out == "":
		return usageError{"--out DIR is required"}
	}
	if _, err := model.ShapeConfig(*shape); err != nil {
		return usageError{err.Error()}
	}
	if err := checkModelOut(*out, *force, "random weights"); err != nil {
		return err
	}
	start := time.Now()
	b, err := randomBundle(*shape)
	if err != nil {
		return err
	}
	if err := ctx.Err(); err != nil {
		return err // Ctrl-C while the weights were drawn: nothing written
	}
	if err := b.SaveContext(ctx, *out, *dtype); err != nil {
		return err // a Ctrl-C while writing leaves nothing either
	}
	fmt.Fprintf(env.Stdout, "%s: random imagegpt-%s, %d parameters, %s weights, in %.1f s\n", *out, *shape, b.Model.Config.Params(), *dtype, time.Since(start).Seconds())
	return nil
}

// modelFiles counts the files in dir that are not hidden (.DS_Store and
// the like do not make a folder one to keep); 0 for a folder that does not
// exist.
func modelFiles(dir string) int {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return 0
	}
	n := 0
	for _, e := range entries {
		if !e.IsDir() && !strings.HasPrefix(e.Name(), ".") {
			n++
		}
	}
	return n
}
