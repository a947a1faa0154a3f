#!/usr/bin/env bash
# fetch-emoji.sh CACHE_DIR
#
# Downloads the emoji-datasource npm packages (metadata plus the Google and
# Twitter image sets) into CACHE_DIR as .tgz tarballs, using `npm pack` against
# whatever npm registry this machine is configured for. Tarballs already present
# are kept, so running the script again does nothing. npm is installed with
# apt-get only when it is missing.
set -euo pipefail

# One pinned version for all three packages: the metadata (emoji.json) and the
# images must describe the same emoji set.
EMOJI_VERSION="16.0.0"
PACKAGES=(emoji-datasource emoji-datasource-google emoji-datasource-twitter)

if [ "$#" -ne 1 ]; then
	echo "usage: $0 CACHE_DIR" >&2
	exit 2
fi
cache_dir=$1

missing=()
for pkg in "${PACKAGES[@]}"; do
	if [ ! -s "$cache_dir/$pkg-$EMOJI_VERSION.tgz" ]; then
		missing+=("$pkg@$EMOJI_VERSION")
	fi
done
if [ "${#missing[@]}" -eq 0 ]; then
	echo "emoji data already in $cache_dir (version $EMOJI_VERSION)"
	exit 0
fi

if ! command -v npm >/dev/null 2>&1; then
	echo "npm not found; installing it with apt-get" >&2
	sudo_cmd=()
	if [ "$(id -u)" -ne 0 ]; then
		sudo_cmd=(sudo)
	fi
	"${sudo_cmd[@]}" apt-get update
	"${sudo_cmd[@]}" apt-get install -y npm
fi

mkdir -p "$cache_dir"
# Pack into a temporary folder first so an interrupted download never leaves a
# truncated tarball under its final name.
tmp_dir=$(mktemp -d "$cache_dir/.fetch.XXXXXX")
trap 'rm -rf "$tmp_dir"' EXIT
echo "fetching ${missing[*]} into $cache_dir"
(cd "$tmp_dir" && npm pack --silent "${missing[@]}" >/dev/null)
for spec in "${missing[@]}"; do
	pkg=${spec%@*}
	file="$pkg-$EMOJI_VERSION.tgz"
	if [ ! -s "$tmp_dir/$file" ]; then
		echo "npm pack did not produce $file" >&2
		exit 1
	fi
	mv "$tmp_dir/$file" "$cache_dir/$file"
done
echo "emoji data ready in $cache_dir (version $EMOJI_VERSION)"
