#!/usr/bin/env bash
# train-model.sh NAME [extra tessera train flags]
#
# Retrains the built-in model NAME (emoji, mnist or edit) from scratch with the
# exact command recorded in assets/models/NAME/MODEL.md, resuming the run in
# runs/NAME when it was interrupted, then installs the exported model into
# assets/models/NAME (rebuild the binary to embed it).
set -euo pipefail
cd "$(dirname "$0")/.."
name=${1:?usage: train-model.sh emoji|mnist|edit}
shift
# weights: "best" installs the best-validation export; "final" the last step's
# weights.
#
# emoji is made in two stages, each resumable: the ViT-VQ tokenizer
# (train-tokenizer, runs/tokenizer), then the transformer on its codes
# (train --tokenizer, runs/emoji). GPT_MINUTES caps the second stage's time in
# this call; run the script again to go on where it stopped (an interrupted
# train-tokenizer exits with an error, so the script stops there too).
case "$name" in
emoji)
	# The shipped tokenizer ran a 15,000-step schedule to step 3,762, then was
	# annealed on a 6,000-step schedule (its held-out PSNR had levelled off);
	# the two calls repeat exactly that (a resumed run equals an
	# uninterrupted one bit for bit).
	./tessera train-tokenizer --data emoji --out runs/tokenizer --steps 15000 --stop-at 3762
	./tessera train-tokenizer --data emoji --out runs/tokenizer --steps 6000
	flags=(--data emoji --tokenizer runs/tokenizer/tokenizer --steps "${GPT_STEPS:-7500}" --minutes "${GPT_MINUTES:-0}" --eval-every 1000 --default-temperature 0.8 --default-guidance 3 --default-guidance-min-p 0.1)
	weights=final ;;
mnist) flags=(--data mnist --epochs 3 --minutes 25 --default-guidance 3); weights=best ;;
edit)
	# Edit by instruction (engine/edit) on the shipped emoji tokenizer's codes:
	# 2,400 steps of 16 (0.8 of a pass over 48,000 exact pairs of eight
	# families), about two hours on 2 cores after five minutes of encoding
	# (EDIT_MINUTES caps this call; run again to resume).
	flags=(--data edit --tokenizer assets/tokenizers/emoji --steps 2400 --minutes "${EDIT_MINUTES:-170}" --eval-every 300 --default-guidance 1.5 --default-image-guidance 1.5)
	weights=final ;;
*) echo "unknown model $name (emoji, mnist or edit)" >&2; exit 2 ;;
esac
./tessera train "${flags[@]}" --out "runs/$name" --resume "$@"
src="runs/$name/model"
if [ "$weights" = final ]; then
	src="runs/$name/final"
	./tessera train "${flags[@]}" --out "runs/$name" --export-final "$src"
fi
if [ "$weights" = final ]; then
	how="trains with the flags above minus --export-final (resuming if interrupted), then runs the command above"
else
	how="runs the command above (resuming if interrupted)"
fi
printf '\nReproduce: `scripts/train-model.sh %s` (what `make model%s` runs) %s\nand installs the %s weights.\n' "$name" "$([ "$name" = mnist ] && echo -mnist)" "$how" "$weights" >> "$src/MODEL.md"
mkdir -p "assets/models/$name"
rm -f "assets/models/$name/"{preprocessor_config.json,tokenizer_config.json,tokenizer.safetensors}
for f in config.json model.safetensors preprocessor_config.json tokenizer_config.json tokenizer.safetensors MODEL.md; do
	if [ -e "$src/$f" ]; then cp "$src/$f" "assets/models/$name/"; fi
done
echo "installed $src into assets/models/$name; run make build to embed it"
