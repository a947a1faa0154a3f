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
case "$name" in
emoji) flags=(--data emoji --steps 6000 --minutes 75 --eval-every 200 --default-guidance 2 --default-temperature 0.6) ;;
mnist) flags=(--data mnist --epochs 3 --minutes 25 --default-guidance 3) ;;
*) echo "unknown model $name (emoji or mnist)" >&2; exit 2 ;;
esac
./tessera train "${flags[@]}" --out "runs/$name" --resume "$@"
mkdir -p "assets/models/$name"
cp "runs/$name/model/"{config.json,model.safetensors,preprocessor_config.json,MODEL.md} "assets/models/$name/"
echo "installed runs/$name/model into assets/models/$name; run make build to embed it"
