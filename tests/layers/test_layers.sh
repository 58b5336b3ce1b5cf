#!/bin/bash
# mxcep: the layers of src/ point down only, and no two files call each
# other round in a circle (docs/architecture.md, "Layers").
#
#   bin -> api -> fcgi -> work -> app -> store|banxico|cache -> core -> util
#
# A file may include the headers of its own layer and of the layers
# below it, and call the functions of those layers, never one above.
# Includes are read from the sources; calls from the objects' symbols
# (nm: what each object defines and what it needs), so a call made
# through a macro or without including the header is seen too. The
# file-level call graph must have no circle (tsort finds them).
#
# Before checking the tree, the checker checks itself: a copy of the
# sources with a wrong include, and call lists with an upward call and
# with a circle, must each be refused. TAP output.
set -u
SRC=${MXCEP_TOP_SRCDIR:-$(cd "$(dirname "$0")/../.." && pwd)}
BUILD=${MXCEP_TOP_BUILDDIR:-$SRC}
TMP=$(mktemp -d "${TMPDIR:-/tmp}/mxcep-layers.XXXXXX")
trap 'rm -rf "$TMP"' EXIT

# rank of a folder of src/: smaller is higher; services share a rank
rank() {
	case $1 in
	bin) echo 0 ;; api) echo 1 ;; fcgi) echo 2 ;; work) echo 3 ;;
	app) echo 4 ;; store|banxico|cache|ocr|processor) echo 5 ;;
	core) echo 6 ;; util) echo 7 ;; *) echo -1 ;;
	esac
}
LAYER_DIRS="bin api fcgi work app store banxico cache ocr processor core util"

n=0
fails=0
ok() { n=$((n + 1)); echo "ok $n - $1"; }
not_ok() { n=$((n + 1)); fails=$((fails + 1)); echo "not ok $n - $1"; }

# check_includes SRCDIR: prints every include of a higher layer (or of
# an unknown folder); exit status 1 when there is one
check_includes() {
	local dir=$1 f d h hd r hr bad=0
	for f in "$dir"/src/*/*.[ch]; do
		d=$(basename "$(dirname "$f")")
		r=$(rank "$d")
		if [ "$r" -lt 0 ]; then
			echo "# $f: src/$d is no layer"
			bad=1
			continue
		fi
		while read -r h; do
			[ "$h" = config.h ] && continue	# autoconf's
			case $h in
			*/*) hd=${h%%/*} ;;
			*) echo "# ${f#"$dir"/}: includes \"$h\" without its folder"
			   bad=1; continue ;;
			esac
			hr=$(rank "$hd")
			if [ "$hr" -lt 0 ] || [ "$hr" -lt "$r" ]; then
				echo "# ${f#"$dir"/}: includes \"$h\" (layer $hd is above $d)"
				bad=1
			fi
		done < <(sed -n 's/^[[:space:]]*#[[:space:]]*include[[:space:]]*"\([^"]*\)".*/\1/p' "$f")
	done
	return $bad
}

# edges BUILDDIR: "caller callee symbol" for every call between two
# files of the service (folder/file, e.g. api/routes work/jobs), read
# from the layer libraries (libmxcep_FOLDER.a: the objects linked
# today, never a stale one) and the programs' objects
edges() {
	local build=$1 lib
	for lib in "$build"/libmxcep_*.a; do
		nm -A "$lib" 2>/dev/null | awk -v d="$(basename "$lib" .a)" '
		    { sub(/^libmxcep_/, "", d)
		      split($1, p, ":"); m = p[2]; sub(/\.o$/, "", m)
		      print d "/" m, $(NF - 1), $NF }'
	done >"$TMP/syms"
	for o in "$build"/src/bin/*.o; do
		nm -A "$o" | awk -v f="bin/$(basename "$o" .o)" \
		    '{ print f, $(NF - 1), $NF }'
	done >>"$TMP/syms"
	awk '$2 ~ /^[TDBRC]$/ { print $3, $1 }' "$TMP/syms" |
	    sort -k1,1 >"$TMP/defs"
	awk '$2 == "U" { print $3, $1 }' "$TMP/syms" | sort -k1,1 >"$TMP/uses"
	join "$TMP/uses" "$TMP/defs" | awk '$2 != $3 { print $2, $3, $1 }'
}

# check_edges FILE: every call points down (or within a layer); prints
# the upward ones
check_edges() {
	local bad=0 from to sym
	while read -r from to sym; do
		fr=$(rank "${from%%/*}")
		tr=$(rank "${to%%/*}")
		if [ "$fr" -lt 0 ] || [ "$tr" -lt 0 ] || [ "$tr" -lt "$fr" ]; then
			echo "# $from calls $sym of $to (a layer above)"
			bad=1
		fi
	done <"$1"
	return $bad
}

# check_circles FILE: the file-level call graph has no circle
check_circles() {
	local out
	out=$(awk '{ print $1, $2 }' "$1" | sort -u | tsort 2>&1 >/dev/null)
	if [ -n "$out" ]; then
		echo "$out" | sed 's/^/# /'
		return 1
	fi
	return 0
}

# --graph: print the folder-level include and call graphs (the number
# of includes / distinct file-to-file calls on each arrow), then exit
if [ "${1:-}" = --graph ]; then
	echo "includes (folder -> folder: files including):"
	for f in "$SRC"/src/*/*.[ch]; do
		d=$(basename "$(dirname "$f")")
		sed -n 's/^[[:space:]]*#[[:space:]]*include[[:space:]]*"\([a-z]*\)\/[^"]*".*/\1/p' "$f" |
		    sort -u | awk -v d="$d" '$1 != d { print d " -> " $1 }'
	done | sort | uniq -c | awk '{ printf "  %-22s %d\n", $2 " " $3 " " $4, $1 }'
	echo "calls (folder -> folder: distinct file-to-file calls):"
	edges "$BUILD" | awk '{ split($1, a, "/"); split($2, b, "/");
	    if (a[1] != b[1]) print a[1] " -> " b[1], $1, $2 }' | sort -u |
	    awk '{ n[$1 " " $2 " " $3]++ } END { for (k in n) printf "  %-22s %d\n", k, n[k] }' |
	    sort
	exit 0
fi

# ---- the checker checks itself --------------------------------------
mkdir -p "$TMP/wrong/src"
cp -R "$SRC/src/." "$TMP/wrong/src/"
printf '#include "api/api.h"\n' >>"$TMP/wrong/src/store/db.c"
check_includes "$TMP/wrong" >"$TMP/out" 2>&1
if [ $? -ne 0 ] && grep -q 'store/db.c: includes "api/api.h"' "$TMP/out"; then
	ok "self-check: an include of api/ from store/ is refused"
else
	not_ok "self-check: an include of api/ from store/ is refused"
fi
printf 'api/routes store/db db_connect\nfcgi/worker api/routes api_handle\n' \
    >"$TMP/up"
if check_edges "$TMP/up" >/dev/null; then
	not_ok "self-check: a call from fcgi/ up into api/ is refused"
else
	ok "self-check: a call from fcgi/ up into api/ is refused"
fi
printf 'store/jobs store/retries f\nstore/retries store/db g\nstore/retries store/jobs h\n' \
    >"$TMP/circle"
if check_circles "$TMP/circle" >/dev/null; then
	not_ok "self-check: a circle store/jobs <-> store/retries is refused"
else
	ok "self-check: a circle store/jobs <-> store/retries is refused"
fi

# ---- the tree -------------------------------------------------------
for d in "$SRC"/src/*/; do
	d=$(basename "$d")
	case " $LAYER_DIRS " in
	*" $d "*) ;;
	*) echo "# src/$d is not a layer of docs/architecture.md" ;;
	esac
done
if check_includes "$SRC"; then
	ok "src/: every include points to the file's layer or one below"
else
	not_ok "src/: every include points to the file's layer or one below"
fi
edges "$BUILD" >"$TMP/edges"
if [ ! -s "$TMP/edges" ]; then
	not_ok "src/: calls read from the objects (build the tree first)"
else
	ok "src/: $(wc -l <"$TMP/edges") calls between files read from the objects"
fi
if check_edges "$TMP/edges"; then
	ok "src/: every call points to the caller's layer or one below"
else
	not_ok "src/: every call points to the caller's layer or one below"
fi
if check_circles "$TMP/edges"; then
	ok "src/: no circle in the file-level call graph"
else
	not_ok "src/: no circle in the file-level call graph"
fi
echo "1..$n"
[ "$fails" -eq 0 ]
