// Command tessera is the Tessera Image GPT studio: with no arguments it opens
// the desktop studio; its subcommands (generate, score, bench, info, ...)
// work headless for scripts.
package main

import (
	"fmt"
	"os"

	"github.com/tessera-studio/tessera/app"
	_ "github.com/tessera-studio/tessera/app/locale" // before Fyne reads the locale
	"github.com/tessera-studio/tessera/engine/blas"
	"github.com/tessera-studio/tessera/internal/progress"
)

func main() {
	if err := blas.UseBestCore(); err != nil { // may restart the process
		fmt.Fprintln(os.Stderr, "tessera: warning:", err)
	}
	// Progress lines refreshed with '\r' become lines of their own in a log.
	stderr := progress.ForStream(os.Stderr, progress.DefaultEvery)
	code := app.Main(os.Args[1:], app.Env{Stdout: os.Stdout, Stderr: stderr})
	if l, ok := stderr.(*progress.Log); ok {
		_ = l.Flush() // stderr: nowhere left to report a failure
	}
	os.Exit(code)
}
