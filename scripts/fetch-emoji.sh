#!/usr/bin/env bash
# fetch-emoji.sh CACHE_DIR
#
# Fetches the emoji training data into CACHE_DIR with the registries' ordinary
# clients and prepares it:
#   - npm pack: emoji-datasource (emoji.json) with its Google (Noto) and
#     Twitter (Twemoji) 64×64 PNGs, openmoji (colour SVG), fluentui-emoji
#     (flat, modern and high-contrast SVG) and emojibase-data (CLDR names and
#     tags), as .tgz tarballs;
#   - the SVG styles rasterised at 64×64 on white by librsvg's rsvg-convert
#     (apt package librsvg2-bin) into CACHE_DIR/raster64/STYLE/*.png
#     (scripts/rasterize-emoji.sh).
# Tarballs and rasters already present are kept, so running it again does
# nothing. npm and rsvg-convert are installed with apt-get when missing.
set -euo pipefail

# Pinned versions: emoji.json and the two PNG sets must describe the same emoji.
SPECS=(emoji-datasource@16.0.0 emoji-datasource-google@16.0.0 emoji-datasource-twitter@16.0.0
	openmoji@17.0.0 fluentui-emoji@1.3.0 emojibase-data@17.0.0)

if [ "$#" -ne 1 ]; then
	echo "usage: $0 CACHE_DIR" >&2
	exit 2
fi
cache_dir=$1
here=$(cd "$(dirname "$0")" && pwd)

apt_install() {
	local sudo_cmd=()
	if [ "$(id -u)" -ne 0 ]; then
		sudo_cmd=(sudo)
	fi
	export DEBIAN_FRONTEND=noninteractive
	"${sudo_cmd[@]}" apt-get install -y -q "$@" || {
		"${sudo_cmd[@]}" apt-get update -q
		"${sudo_cmd[@]}" apt-get install -y -q "$@"
	}
}

missing=()
for spec in "${SPECS[@]}"; do
	pkg=${spec%@*} version=${spec##*@}
	file="$cache_dir/$pkg-$version.tgz"
	if [ -s "$file" ] && ! gzip -t "$file" 2>/dev/null; then
		# Damaged since it was fetched (a disk fault, a hand edit): set
		# aside and fetched afresh.
		echo "$file is damaged; moving it to $file.damaged and fetching it again" >&2
		mv -f "$file" "$file.damaged"
	fi
	if [ ! -s "$file" ]; then
		missing+=("$spec")
	fi
done
if [ "${#missing[@]}" -gt 0 ]; then
	if ! command -v npm >/dev/null 2>&1; then
		echo "npm not found; installing it with apt-get" >&2
		apt_install npm
	fi
	mkdir -p "$cache_dir"
	# Pack into a temporary folder first so an interrupted download never
	# leaves a truncated tarball under its final name.
	tmp_dir=$(mktemp -d "$cache_dir/.fetch.XXXXXX")
	trap 'rm -rf "$tmp_dir"' EXIT
	echo "fetching ${missing[*]} into $cache_dir"
	(cd "$tmp_dir" && npm pack --silent "${missing[@]}" >/dev/null)
	for spec in "${missing[@]}"; do
		pkg=${spec%@*} version=${spec##*@}
		file="$pkg-$version.tgz"
		if [ ! -s "$tmp_dir/$file" ]; then
			echo "npm pack did not produce $file" >&2
			exit 1
		fi
		mv "$tmp_dir/$file" "$cache_dir/$file"
	done
fi
echo "emoji packages ready in $cache_dir"

if ! command -v rsvg-convert >/dev/null 2>&1; then
	echo "rsvg-convert not found; installing librsvg2-bin with apt-get" >&2
	apt_install librsvg2-bin
fi
"$here/rasterize-emoji.sh" "$cache_dir"
