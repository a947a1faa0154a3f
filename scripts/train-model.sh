#!/usr/bin/env bash
# train-model.sh NAME [extra tessera train flags]
#
# Retrains the built-in model NAME (emoji or mnist) from scratch with the
# exact command recorded in assets/models/NAME/MODEL.md, resuming the run in
# runs/NAME when it was interrupted, then installs the exported model into
# assets/models/NAME (rebuild the binary to embed it).
set -euo pipefail
cd "$(dirname "$0")/.."
name=${1:?usage: train-model.sh emoji|mnist}
shift
# weights: "best" installs the best-validation export; "final" the last step's
# weights. The emoji run memorises its images on purpose (no dropout, no shifted
# copies): validation (held-out images of known emoji in another look) bottoms
# out early, while the final weights draw the names best (eval-prompts 91% at the
# defaults, 95% at guidance 2).
case "$name" in
emoji) flags=(--data emoji --steps 11000 --minutes 140 --eval-every 500 --default-temperature 0.6 --default-guidance-min-p 0.5); weights=final ;;
mnist) flags=(--data mnist --epochs 3 --minutes 25 --default-guidance 3); weights=best ;;
*) echo "unknown model $name (emoji or mnist)" >&2; exit 2 ;;
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
cp "$src/"{config.json,model.safetensors,preprocessor_config.json,MODEL.md} "assets/models/$name/"
echo "installed $src into assets/models/$name; run make build to embed it"
