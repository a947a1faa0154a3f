#!/usr/bin/env bash
# ensure-deps.sh [--gui]
#
# Checks the system packages Tessera builds against and installs the missing
# ones with apt-get (as root, or with sudo where it is available); otherwise
# prints the exact apt command and fails. Also checks for Go 1.26 or newer.
set -euo pipefail

packages=(gcc pkg-config libopenblas-dev libgl1-mesa-dev libgl1-mesa-dri libx11-dev libxext-dev
	libxcursor-dev libxrandr-dev libxinerama-dev libxi-dev libxxf86vm-dev)
if [ "${1:-}" = "--gui" ]; then
	# A real window without a display (screenshots, headless runs) needs Xvfb.
	packages+=(xvfb xauth imagemagick)
fi

if ! command -v go >/dev/null 2>&1; then
	echo "Go 1.26 or newer is required (https://go.dev/doc/install is the usual place; your distribution may package it)." >&2
	exit 1
fi
gov=$(go env GOVERSION | sed 's/^go//')
major=${gov%%.*}; rest=${gov#*.}; minor=${rest%%.*}
if [ "$major" -lt 1 ] || { [ "$major" -eq 1 ] && [ "$minor" -lt 26 ]; }; then
	echo "Go 1.26 or newer is required; found go$gov" >&2
	exit 1
fi

if ! command -v dpkg-query >/dev/null 2>&1; then
	echo "not a Debian/Ubuntu system: install OpenBLAS, gcc, pkg-config and the OpenGL/X11 development headers yourself" >&2
	exit 0
fi
missing=()
for p in "${packages[@]}"; do
	if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
		missing+=("$p")
	fi
done
[ "${#missing[@]}" -eq 0 ] && exit 0

if [ "$(id -u)" -eq 0 ]; then
	sudo_cmd=()
elif command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
	sudo_cmd=(sudo)
else
	echo "missing system packages: ${missing[*]}" >&2
	echo "install them with:" >&2
	echo "  sudo apt-get install -y ${missing[*]}" >&2
	exit 1
fi
echo "installing ${missing[*]}" >&2
export DEBIAN_FRONTEND=noninteractive
"${sudo_cmd[@]}" apt-get install -y -q "${missing[@]}" || {
	"${sudo_cmd[@]}" apt-get update -q
	"${sudo_cmd[@]}" apt-get install -y -q "${missing[@]}"
}
