// Command tessera is the Tessera Image GPT studio: with no arguments it opens
// the desktop studio; its subcommands (generate, score, bench, info, ...)
// work headless for scripts.
package main

import (
	"os"

	"github.com/tessera-studio/tessera/app"
	_ "github.com/tessera-studio/tessera/app/locale" // before Fyne reads the locale
)

func main() {
	os.Exit(app.Main(os.Args[1:], app.Env{Stdout: os.Stdout, Stderr: os.Stderr}))
}
