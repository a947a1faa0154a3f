#!/usr/bin/env bash
# train-model.sh NAME [extra tessera train flags]
#
# Retrains the built-in model NAME (emoji, mnist or edit) from scratch with the
# exact commands recorded in assets/models/NAME/MODEL.md, resuming the run in
# runs/NAME (emoji: runs/tok8, runs/tok8-dec, runs/tok8-dec2 and runs/emoji64) when it was interrupted, then
# installs the exported model into assets/models/NAME (rebuild the binary to
# embed it).
set -euo pipefail
cd "$(dirname "$0")/.."
name=${1:?usage: train-model.sh emoji|mnist|edit}
shift
# weights: "best" installs the best-validation export; "final" the last step's
# weights; "average" the mean of kept steps' weights; "staged" the last
# step's weights of a run the branch trained itself (stage). run is the run
# folder.
run="runs/$name"
# steps is how many steps the run in $run has taken.
steps() { sed -n 's/^  "steps": \([0-9]*\),$/\1/p' "$run/run.json" 2>/dev/null || true; }
# stage SCHEDULE [STOP_AT]: trains $run with ${flags[@]} on a SCHEDULE-step
# schedule up to STOP_AT (its end by default), unless the run is there
# already, for at most $minutes minutes a call; exits when that budget
# stopped it first.
stage() {
	local target=${2:-$1}
	if [ "$(steps)" -ge "$target" ] 2>/dev/null; then return 0; fi
	./tessera train "${flags[@]}" --steps "$1" ${2:+--stop-at "$2"} --minutes "$minutes" --out "$run" --resume "${extra[@]}"
	if [ "$(steps)" -lt "$target" ]; then
		echo "stopped at step $(steps) of $target: run scripts/train-model.sh $name again to go on" >&2
		exit 0
	fi
}
case "$name" in
emoji)
	# Made in three stages, each resumable: the ViT-VQ tokenizer (64 codes a
	# picture: 8×8 patches of 8×8 px; train-tokenizer, runs/tok8), its
	# decoder trained on alone twice (runs/tok8-dec, runs/tok8-dec2), then
	# the transformer on the codes (train --tokenizer, runs/emoji64),
	# installed with the last decoder. The calls
	# repeat exactly how the shipped model was made (a resumed run equals an
	# uninterrupted one bit for bit): the tokenizer's 5,000-step schedule
	# ran to step 4,951 (its time budget); the transformer's 28,000-step
	# schedule to step 11,267, was shortened to 20,000 to anneal, then
	# lengthened to 24,000 and to 28,000, each run to its end. The shipped
	# weights are the mean of those at steps 24,000 and 28,000 (tessera
	# average). The --default-* flags only write the sampling defaults into
	# config.json (guidance min-p 0.5 and a style per seed were chosen by
	# measuring the result; the run itself recorded min-p 0.1). GPT_MINUTES caps each transformer call; run the script again
	# to go on where it stopped (an interrupted train-tokenizer exits with
	# an error, so the script stops there too).
	./tessera train-tokenizer --data emoji --out runs/tok8 --patch 8 --width 192 --batch 32 --steps 5000 --stop-at 4951 --eval-every 500
	# The tokenizer's decoder alone, trained on: its encoder and codebook are
	# kept, so every image keeps its codes (the transformer below trains on
	# runs/tok8's codes either way) and the pictures come out sharper.
	./tessera train-tokenizer --data emoji --init runs/tok8/tokenizer --decoder-only --out runs/tok8-dec --batch 32 --lr 5e-4 --warmup 100 --steps 7000 --eval-every 500
	# The decoder trained on again, longer, from the second stage's best
	# export: a 40,000-step schedule stopped at step 5,479, then resumed on
	# a 24,000-step one (its cosine shortened so that it annealed within the
	# session's time).
	./tessera train-tokenizer --data emoji --init runs/tok8-dec/tokenizer --decoder-only --out runs/tok8-dec2 --batch 32 --lr 4e-4 --warmup 200 --steps 40000 --stop-at 5479 --eval-every 2000
	./tessera train-tokenizer --data emoji --init runs/tok8-dec/tokenizer --decoder-only --out runs/tok8-dec2 --batch 32 --lr 4e-4 --warmup 200 --steps 24000 --eval-every 2000
	run=runs/emoji64
	extra=("$@")
	minutes=${GPT_MINUTES:-0}
	flags=(--data emoji --tokenizer runs/tok8/tokenizer --width 256 --layers 6 --heads 8 --batch 32 --lr 1.5e-3 --eval-every 1000 --default-temperature 0.8 --default-guidance 3 --default-guidance-min-p 0.5 --default-style-per-seed 1)
	# keep STEP: exports the weights of step STEP (the run must stand there).
	keep() {
		if [ -e "$run/step$1/model.safetensors" ]; then return 0; fi
		if [ "$(steps)" != "$1" ]; then
			echo "$run is at step $(steps), past $1, and $run/step$1 is missing: train again from scratch (move $run away)" >&2
			exit 1
		fi
		./tessera train "${flags[@]}" --steps "$1" --out "$run" --export-final "$run/step$1"
	}
	stage 28000 11267
	stage 20000
	stage 24000
	keep 24000
	stage 28000
	keep 28000
	./tessera average --force --out "$run/final" "$run/step24000" "$run/step28000"
	src="$run/final"
	cp runs/tok8-dec2/tokenizer/tokenizer.safetensors "$src/tokenizer.safetensors"
	weights=average ;;
mnist) flags=(--data mnist --epochs 3 --minutes 25 --default-guidance 3); weights=best ;;
edit)
	# Edit by instruction (engine/edit) on the codes of the emoji model's
	# own ViT tokenizer (assets/models/emoji: 8×8 patches of 8×8 px, so a
	# sequence is 135 positions), batch 32 over 146,926 exact pairs of
	# eight families (at most 20,000 a family): 10,000 steps, then the
	# schedule lengthened to 18,000 (the run resumed at step 10,000, its
	# cosine stretched), as the shipped model was made; about 2h55m on 2
	# cores after three minutes of encoding. EDIT_MINUTES caps each call;
	# run the script again to go on where it stopped.
	extra=("$@")
	minutes=${EDIT_MINUTES:-170}
	# The tokenizer: the emoji model's encoder and codebook (its codes) with
	# its second decoder, which this model keeps (the emoji model's third
	# cost the pixel edits 0.2–0.6 dB: docs/eval/edit.txt); the shipped
	# edit model holds that tokenizer, byte for byte what
	# assets/models/emoji held when the model was trained (--tokenizer
	# assets/models/emoji then). Training reads only the encoder, so the
	# weights are the same either way.
	flags=(--data edit --tokenizer assets/models/edit --eval-every 500 --default-temperature 0.5 --default-guidance 1.5 --default-image-guidance 1.5)
	stage 10000
	stage 18000
	src="$run/final"
	./tessera train "${flags[@]}" --steps 18000 --out "$run" --force --export-final "$src"
	weights=staged ;;
*) echo "unknown model $name (emoji, mnist or edit)" >&2; exit 2 ;;
esac
if [ "$weights" != average ] && [ "$weights" != staged ]; then
	./tessera train "${flags[@]}" --out "$run" --resume "$@"
	src="$run/model"
fi
if [ "$weights" = final ]; then
	src="$run/final"
	./tessera train "${flags[@]}" --out "$run" --force --export-final "$src"
fi
case "$weights" in
final) how="trains with the flags above minus --export-final (resuming if interrupted), then runs the command above" ;;
average | staged) how="runs the commands above (resuming if interrupted)" ;;
*) how="runs the command above (resuming if interrupted)" ;;
esac
printf '\nReproduce: `scripts/train-model.sh %s` (what `make model%s` runs) %s\nand installs the %s weights.\n' "$name" "$([ "$name" = mnist ] && echo -mnist)" "$how" "$([ "$weights" = staged ] && echo final || echo "$weights")" >> "$src/MODEL.md"
mkdir -p "assets/models/$name"
rm -f "assets/models/$name/"{preprocessor_config.json,tokenizer_config.json,tokenizer.safetensors,names.txt}
for f in config.json model.safetensors preprocessor_config.json tokenizer_config.json tokenizer.safetensors names.txt MODEL.md; do
	if [ -e "$src/$f" ]; then cp "$src/$f" "assets/models/$name/"; fi
done
echo "installed $src into assets/models/$name; run make build to embed it"
