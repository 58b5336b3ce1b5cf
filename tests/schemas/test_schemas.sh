#!/bin/bash
# tests/schemas/test_schemas.sh - TAP: the project's JSON Schemas
# (tests/schemas/*.json, written from the spec's text) are valid Draft 2020-12
# schemas, accept the recorded responses in tests/schemas/samples (also with
# a top-level jsonapi member and list items with referencia) and refuse the
# bad ones and broken mutants; when the shared reference files are present
# ($MXCEP_SHARED_DIR, default ../shared beside the checkout), that they agree
# with spec/schemas there: same names, same required members, properties,
# types, enums, patterns and bounds, the same verdict on every sample and
# mutant. See tests/tools/schema-agreement.
set -u
HERE=$(cd "$(dirname "$0")" && pwd)
TOP=${MXCEP_TOP_SRCDIR:-$(cd "$HERE/../.." && pwd)}
SHARED=${MXCEP_SHARED_DIR:-$TOP/../shared}
PY=/usr/bin/python3

if ! "$PY" -c 'import jsonschema' 2>/dev/null; then
	echo "1..1"
	echo "not ok 1 - python3-jsonschema is not installed (./stack test installs it)"
	exit 1
fi
if [ -d "$SHARED/spec/schemas" ]; then
	exec "$PY" "$TOP/tests/tools/schema-agreement" "$TOP/tests/schemas" \
		"$TOP/tests/schemas/samples" "$SHARED/spec/schemas"
fi
echo "# no $SHARED/spec/schemas: checking the project's schemas on their own"
exec "$PY" "$TOP/tests/tools/schema-agreement" "$TOP/tests/schemas" "$TOP/tests/schemas/samples"
