#!/bin/bash
# tests/unit/test_store_calls.sh - TAP: the call graph between the files
# of src/store/, read from the members of $MXCEP_TOP_BUILDDIR's
# libmxcep_store.a (the objects linked today, never a stale one) (nm): no
# two files call each other (A uses a symbol of B and B one of A), and
# db.o, the base every store file uses, calls none of them (its
# statement table, stmts.o, is data and calls nothing).
set -u

HERE=$(cd "$(dirname "$0")" && pwd)
TOP=${MXCEP_TOP_SRCDIR:-$(cd "$HERE/../.." && pwd)}
BUILD=${MXCEP_TOP_BUILDDIR:-$TOP}
LIB=$BUILD/libmxcep_store.a

n=0
failed=0
ok()     { n=$((n + 1)); echo "ok $n - $1"; }
not_ok() { n=$((n + 1)); failed=$((failed + 1)); echo "not ok $n - $1"; [ -n "${2:-}" ] && printf '%s\n' "$2" | sed 's/^/# /'; }

command -v nm >/dev/null || { echo "1..1"; echo "not ok 1 - nm is missing (binutils)"; exit 1; }
T=$(mktemp -d) || exit 1
trap 'rm -rf "$T"' EXIT
OBJ=$T/objs
mkdir -p "$OBJ"
[ -f "$LIB" ] && (cd "$OBJ" && ar x "$LIB")
objs=$(cd "$OBJ" && ls *.o 2>/dev/null)
nobj=$(printf '%s\n' $objs | grep -c . || true)
if [ "$nobj" -lt 10 ]; then
	echo "1..1"; echo "not ok 1 - $LIB: $nobj objects, build first"; exit 1
fi
for o in $objs; do
	nm --defined-only "$OBJ/$o" | awk '$2 ~ /^[TDBRC]$/ { print $3 }' | LC_ALL=C sort -u > "$T/$o.def"
	nm -u "$OBJ/$o" | awk '{ print $NF }' | LC_ALL=C sort -u > "$T/$o.und"
done

circles=""
for a in $objs; do
	for b in $objs; do
		[[ "$a" < "$b" ]] || continue
		ab=$(LC_ALL=C comm -12 "$T/$a.und" "$T/$b.def" | tr '\n' ' ')
		ba=$(LC_ALL=C comm -12 "$T/$b.und" "$T/$a.def" | tr '\n' ' ')
		if [ -n "$ab" ] && [ -n "$ba" ]; then
			circles="$circles$a -> $b ($ab) and $b -> $a ($ba)"$'\n'
		fi
	done
done
if [ -z "$circles" ]; then
	ok "src/store: no two of the $nobj files call each other"
else
	not_ok "src/store: files that call each other" "${circles%$'\n'}"
fi

up=""
for b in $objs; do
	case $b in db.o|stmts.o) continue ;; esac
	s=$(LC_ALL=C comm -12 "$T/db.o.und" "$T/$b.def" | tr '\n' ' ')
	[ -n "$s" ] && up="${up}db.o -> $b: $s"$'\n'
done
if [ -f "$T/stmts.o.und" ]; then
	s=$(LC_ALL=C comm -12 "$T/stmts.o.und" <(cat "$T"/*.def | LC_ALL=C sort -u) | tr '\n' ' ')
	[ -n "$s" ] && up="${up}stmts.o -> $s"$'\n'
fi
if [ -z "$up" ]; then
	ok "src/store: db.o and its statement table call no other store file"
else
	not_ok "src/store: db.o calls back into the files that use it" "${up%$'\n'}"
fi

echo "1..$n"
[ "$failed" -eq 0 ]
