#!/usr/bin/env bash
# train-screenshot.sh [OUT.png]
#
# Opens the real studio window under Xvfb (software GL), starts a small
# shapes run on the Train tab and saves a screenshot of it mid-run
# (default docs/train-tab.png). Takes a minute or two: the shapes data is
# drawn and its codebook learnt first.
set -euo pipefail
cd "$(dirname "$0")/.."
out=${1:-docs/train-tab.png}
export LANG=${LANG:-en_US.UTF-8}
xvfb-run -a -s "-screen 0 1280x860x24" ./tessera studio --train-screenshot "$out"
echo "saved $out"
