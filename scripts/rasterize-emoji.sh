#!/usr/bin/env bash
# rasterize-emoji.sh CACHE_DIR
#
# Rasterises the SVG emoji styles in CACHE_DIR's npm tarballs at 64×64 on a
# white background with librsvg's rsvg-convert, one PNG per SVG:
#   raster64/openmoji/HEXCODE.png         from openmoji-17.0.0.tgz (color/svg)
#   raster64/fluent-flat/NAME.png         from fluentui-emoji-1.3.0.tgz (icons/flat)
#   raster64/fluent-modern/NAME.png       (icons/modern)
#   raster64/fluent-contrast/NAME.png     (icons/high-contrast)
# A style is done when its .done stamp exists; a style interrupted half-way is
# redone from the start. Uses every core (xargs -P).
set -euo pipefail
cache_dir=${1:?usage: rasterize-emoji.sh CACHE_DIR}
out="$cache_dir/raster64"
size=64
jobs=$(nproc 2>/dev/null || echo 2)

rasterize() { # style tarball member-dir
	local style=$1 tarball=$2 member=$3
	local dest="$out/$style"
	if [ -e "$dest/.done" ]; then
		return
	fi
	if [ ! -s "$tarball" ]; then
		echo "missing $tarball: run scripts/fetch-emoji.sh $cache_dir" >&2
		exit 1
	fi
	echo "rasterising $style from $(basename "$tarball") at ${size}×${size}"
	local tmp
	tmp=$(mktemp -d "$cache_dir/.raster.XXXXXX")
	tar -xzf "$tarball" -C "$tmp" --wildcards "$member/*.svg"
	rm -rf "$dest"
	mkdir -p "$dest"
	(cd "$tmp/$member" && find . -maxdepth 1 -name '*.svg' -print0 |
		xargs -0 -P "$jobs" -n 64 sh -c 'for f; do b=${f#./}; rsvg-convert -w '"$size"' -h '"$size"' -b white "$f" -o "'"$dest"'/${b%.svg}.png" || echo "rsvg-convert failed on $b" >&2; done' sh)
	rm -rf "$tmp"
	echo "$(find "$dest" -name '*.png' | wc -l) images" >"$dest/.done"
	echo "  $(cat "$dest/.done") in $dest"
}

rasterize openmoji "$cache_dir/openmoji-17.0.0.tgz" package/color/svg
rasterize fluent-flat "$cache_dir/fluentui-emoji-1.3.0.tgz" package/icons/flat
rasterize fluent-modern "$cache_dir/fluentui-emoji-1.3.0.tgz" package/icons/modern
rasterize fluent-contrast "$cache_dir/fluentui-emoji-1.3.0.tgz" package/icons/high-contrast
