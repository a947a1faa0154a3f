#!/usr/bin/env bash
# eval-edit.sh [MODEL] — the figures README.md and MODEL.md quote for the
# edit-by-instruction model, on held-out source images (eval-edits):
#   - docs/eval/edit.txt and edit.json: PER_FAMILY pairs a family (default
#     200) at the model's defaults, every figure of every family, also
#     recorded in the model folder's config.json (eval-edits --record);
#   - docs/edit-sheet.png: a row per family, six triples of source | edit |
#     exact target, the sources' six styles in turn.
set -euo pipefail
cd "$(dirname "$0")/.."
model=${1:-edit}
out=${OUT:-docs/eval}
mkdir -p "$out"
# A built-in's folder in the source, whose config.json gets the figures
# (--record: the studio and tessera edit warn of the families that miss).
if [ -d "assets/models/$model" ]; then
	model=assets/models/$model
fi
# one run: the JSON on stdout, a line a family on stderr
./tessera eval-edits --model "$model" --record --per-family "${PER_FAMILY:-200}" --json > "$out/edit.json" 2> "$out/edit.txt"
cat "$out/edit.txt"
# --force: the sheet in docs/ is this script's own output (written before Tessera marked its PNGs)
./tessera eval-edits --force --model "$model" --per-family 6 --sheet docs/edit-sheet.png > /dev/null 2>&1
echo "wrote $out/edit.txt, $out/edit.json, docs/edit-sheet.png"
