#!/usr/bin/env bash
# screenshots.sh [MODEL] [PROMPT]
#
# Opens the real studio window under Xvfb (software GL), drives it through a
# generation, a masked regeneration and (with the built-in edit model) an
# edit by instruction, and saves docs/generating.png, docs/regenerated.png
# and docs/edited.png.
set -euo pipefail
cd "$(dirname "$0")/.."
model=${1:-}
promptText=${2:-fox face}
args=(studio --screenshots docs --prompt "$promptText")
[ -n "$model" ] && args+=(--model "$model")
export LANG=${LANG:-en_US.UTF-8}
xvfb-run -a -s "-screen 0 1280x860x24" ./tessera "${args[@]}"
echo "saved docs/generating.png, docs/regenerated.png and docs/edited.png"
