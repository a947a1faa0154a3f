#!/usr/bin/env bash
# eval-model.sh [MODEL] — the measurements README.md and MODEL.md quote for
# the emoji model, written into docs/eval/ (text reports) and docs/ (sheets):
#   - eval-prompts at the model's defaults: 50 names × 8 seeds (adherence,
#     variety, near-copies), also with each sample the best of 4 ranked
#     candidates (as the studio ranks a batch), on a second list of 50
#     names (scripts/prompts/eval-names-2.txt), and with the style left to
#     the model (--style-per-seed 0);
#   - eval-prompts --style W for each of the six style words: 50 names × 2
#     seeds each (how often the nearest dataset image has that style);
#   - docs/emoji-sheet.png: 16 names × 6 styles (scripts/prompts/sheet-names.txt);
#   - docs/seeds-sheet.png: 16 names × seeds 1–8 at the defaults;
#   - docs/unpaired-sheet.png: 10 prompts the data never pairs × 4 seeds
#     (scripts/prompts/unpaired.txt).
# SEEDS and STYLE_SEEDS change the sample counts (e.g. for a quick look).
set -euo pipefail
cd "$(dirname "$0")/.."
model=${1:-emoji}
out=${OUT:-docs/eval}
mkdir -p "$out"
./tessera eval-prompts --model "$model" --seeds "${SEEDS:-8}" --ceiling > "$out/defaults.txt"
tail -5 "$out/defaults.txt"
./tessera eval-prompts --model "$model" --seeds "${SEEDS:-8}" --candidates 4 > "$out/candidates4.txt"
echo "--candidates 4: $(grep 'samples (' "$out/candidates4.txt")"
./tessera eval-prompts --model "$model" --seeds "${SEEDS:-8}" --names scripts/prompts/eval-names-2.txt > "$out/names-2.txt"
echo "--names eval-names-2.txt: $(grep 'samples (' "$out/names-2.txt")"
./tessera eval-prompts --model "$model" --seeds "${SEEDS:-8}" --style-per-seed 0 > "$out/model-style.txt"
echo "--style-per-seed 0: $(grep 'samples (' "$out/model-style.txt")"
for s in google twitter openmoji "fluent flat" "fluent modern" "fluent contrast"; do
	./tessera eval-prompts --model "$model" --seeds "${STYLE_SEEDS:-2}" --style "$s" > "$out/style-${s// /-}.txt"
	echo "--style $s: $(tail -1 "$out/style-${s// /-}.txt")"
done
# --force: the sheets in docs/ are this script's own output (written before Tessera marked its PNGs)
./tessera sheet --force --model "$model" --prompts scripts/prompts/sheet-names.txt --styles all --seed 1 --out docs/emoji-sheet.png
./tessera sheet --force --model "$model" --prompts scripts/prompts/sheet-names.txt --seeds 8 --out docs/seeds-sheet.png
./tessera sheet --force --model "$model" --prompts scripts/prompts/unpaired.txt --seeds 4 --out docs/unpaired-sheet.png
echo "wrote $out/*.txt, docs/emoji-sheet.png, docs/seeds-sheet.png, docs/unpaired-sheet.png"
