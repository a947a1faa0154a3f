#!/usr/bin/env bash
# bench-beside-pytorch.sh [CORES]
#
# Issue 14's side-by-side: tessera bench on a random imagegpt-small and PyTorch
# eager on the same weights' shape (scripts/bench-pytorch.py: transformers'
# ImageGPT with its KV cache), one after the other, pinned to the first CORES
# cores (default 2) with taskset. Batch 1 over a whole image (1,024 tokens);
# batch 8 over the first 256 tokens of each image (a whole batch-8 image takes
# PyTorch minutes on 2 cores). Needs taskset, python3 with torch and
# transformers, and a built tessera (TESSERA=path, default ./tessera).
# Prints tessera's lines and PyTorch's JSON lines; not part of make test.
set -uo pipefail
cd "$(dirname "$0")/.."
cores=${1:-2}
tessera=${TESSERA:-./tessera}
pin=(taskset -c "0-$((cores - 1))")
run() { echo "\$ $*" >&2; "${pin[@]}" "$@"; }
run "$tessera" bench --random small --precision f16 --batch 1 --threads "$cores"
run "$tessera" bench --random small --precision int8 --batch 1 --threads "$cores" --limits=false
run python3 scripts/bench-pytorch.py --threads "$cores" --batch 1
run "$tessera" bench --random small --precision f16 --batch 8 --tokens 256 --threads "$cores" --limits=false
run python3 scripts/bench-pytorch.py --threads "$cores" --batch 8 --tokens 256
