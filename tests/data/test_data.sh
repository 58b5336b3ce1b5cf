#!/bin/bash
# tests/data/test_data.sh - TAP: the recorded Banxico answers under
# tests/data are intact (SHA256SUMS, no file missing or added) and, when the
# shared reference files are present ($MXCEP_SHARED_DIR, default ../shared
# beside the checkout), byte-identical to their copies there.
set -u

HERE=$(cd "$(dirname "$0")" && pwd)
TOP=${MXCEP_TOP_SRCDIR:-$(cd "$HERE/../.." && pwd)}
DATA=$TOP/tests/data
SHARED=${MXCEP_SHARED_DIR:-$TOP/../shared}

n=0
failed=0
ok()     { n=$((n + 1)); echo "ok $n - $1"; }
not_ok() { n=$((n + 1)); failed=$((failed + 1)); echo "not ok $n - $1"; [ -n "${2:-}" ] && printf '%s\n' "$2" | sed 's/^/# /'; }
check()  { local name=$1; shift; local out; if out=$("$@" 2>&1); then ok "$name"; else not_ok "$name" "$out"; fi; }

for b in sha256sum cmp; do
	command -v "$b" >/dev/null || { echo "1..1"; echo "not ok 1 - $b is missing (coreutils/diffutils)"; exit 1; }
done

listed() { awk '{ sub(/^[0-9a-f]+  /, ""); print }' "$DATA/SHA256SUMS"; }
on_disk() { (cd "$DATA" && find . -type f ! -name SHA256SUMS ! -name README.md ! -name test_data.sh \
	! -name '*.log' ! -name '*.trs' | sed 's|^\./||' | LC_ALL=C sort); }

check "tests/data: every file matches SHA256SUMS" sh -c "cd '$DATA' && sha256sum --quiet --strict -c SHA256SUMS"
check "tests/data: no file besides those in SHA256SUMS" diff <(listed | LC_ALL=C sort) <(on_disk)
nfiles=$(listed | wc -l)
check "tests/data: the samples and cassettes the tests read are there ($nfiles files)" sh -c \
	"test $nfiles -ge 60 && test -f '$DATA/banks.tsv' && ls '$DATA'/cep/samples/*.xml >/dev/null && ls '$DATA'/cep/cassettes/*/*.yaml >/dev/null"

if [ -d "$SHARED/data" ]; then
	diffs=
	while IFS= read -r f; do
		if [ ! -f "$SHARED/data/$f" ]; then
			diffs+="$f: not in $SHARED/data"$'\n'
		elif ! cmp -s "$DATA/$f" "$SHARED/data/$f"; then
			diffs+="$f: differs from $SHARED/data/$f"$'\n'
		fi
	done < <(listed)
	check "tests/data is byte-identical to $SHARED/data ($nfiles files)" test -z "$diffs"
	[ -z "$diffs" ] || printf '%s' "$diffs" | sed 's/^/# /'
	# a recorded answer added to the shared samples or cassettes belongs here too
	missing=$(cd "$SHARED/data" && find banks.tsv cep/samples cep/cassettes -type f | LC_ALL=C sort |
		comm -23 - <(listed | LC_ALL=C sort))
	check "every shared sample and cassette has its copy in tests/data" test -z "$missing"
	[ -z "$missing" ] || printf '%s\n' "$missing" | sed 's/^/# missing: /'
else
	echo "# $SHARED/data is absent: checked tests/data against SHA256SUMS only"
fi

echo "1..$n"
[ "$failed" -eq 0 ]
