# shellcheck shell=bash
# t_spec_curls: every curl example of spec 000 (the how-to "manage
# validation records"), run through bash as the spec writes it against a
# real `./stack up` (its default web server, on a free port, state in $T),
# and each answer checked. The command lines are kept verbatim in
# spec000-curls.txt (tests/lib/spec-curls extracts them from the spec's
# text); when the spec is present, the copy must equal it.
#
# Only three things are substituted in each line: the host
# (https://api.example.com -> the stack's URL), the key (mxcep_•••• -> a
# demo key of the stack) and the example ids (f47ac10b-..., c3d4e5f6-... ->
# records made here through the simulator and POST /v1/validate: a valid
# one with its CEP, and a not_found one in a retry cycle for the retry
# lines). curl's config file ($CURL_HOME/.curlrc) adds --dump-header and a
# time limit so the test sees each status; the lines themselves are run as
# written. Sourced by run.sh.

SC_COPY=$here/spec000-curls.txt
SC_DIR=$T/spec-curls
SC_STACK=$T/st	# the stack's state; short: socket paths end up under it
mkdir -p "$SC_DIR"

# ---- the copy equals the spec ---------------------------------------
sc_spec=
for f in "$MXCEP_SHARED_DIR"/spec/000_*.txt; do
	[[ -f $f ]] && sc_spec=$f
done
if [[ -n $sc_spec ]]; then
	t_begin "spec curls: tests/integration/spec000-curls.txt is the curl lines of $(basename "$sc_spec")"
	if ! "$PY" "$MXCEP_TOP_SRCDIR/tests/lib/spec-curls" "$sc_spec" >"$SC_DIR/from-spec.txt"; then
		t_fail "tests/lib/spec-curls failed on $sc_spec"
	elif ! diff -u "$SC_COPY" "$SC_DIR/from-spec.txt" >"$SC_DIR/copy.diff"; then
		t_fail "the copy differs from the spec: $(head -c 1500 "$SC_DIR/copy.diff")"
	fi
	t_end
else
	echo "# spec 000 not found under $MXCEP_SHARED_DIR/spec: the copy is used as it is"
fi

# ---- the commands ---------------------------------------------------
# SC_CMDS[i]: the i-th command of the copy (paragraphs)
SC_CMDS=()
sc_cur=
while IFS= read -r line || [[ -n $line ]]; do
	if [[ -z $line ]]; then
		[[ -n $sc_cur ]] && SC_CMDS+=("$sc_cur")
		sc_cur=
	else
		sc_cur+=${sc_cur:+$'\n'}$line
	fi
done <"$SC_COPY"
[[ -n $sc_cur ]] && SC_CMDS+=("$sc_cur")

# the stack's own commands, on our state dir, port and the test's binaries
sc_stack() {
	MXCEP_RUN_DIR=$SC_STACK MXCEP_PORT=$SC_PORT MXCEP_SIM_PORT=$SC_SIM_PORT \
		MXCEP_BINDIR=$MXCEP_TOP_BUILDDIR "$MXCEP_TOP_SRCDIR/stack" "$@"
}

# sc_run N ID_F ID_C: run command N with the substitutions in $SC_DIR/N;
# status in $CODE, headers in $T/headers, stdout in $T/body
sc_run() {
	local cmd=${SC_CMDS[$1]} d=$SC_DIR/$1 rc
	cmd=${cmd//https:\/\/api.example.com/$SC_URL}
	cmd=${cmd//mxcep_••••/$SC_KEY}
	cmd=${cmd//f47ac10b-58cc-4372-a567-0e02b2c3d479/$2}
	cmd=${cmd//f47ac10b-.../$2}
	cmd=${cmd//c3d4e5f6-.../$3}
	mkdir -p "$d"
	printf '%s\n' "$cmd" >"$d/command"
	printf 'dump-header = "%s"\nmax-time = 60\n' "$d/headers" >"$d/.curlrc"
	rm -f "$d/headers"
	(cd "$d" && CURL_HOME=$d bash "$d/command" >"$d/stdout" 2>"$d/stderr")
	rc=$?
	cp "$d/stdout" "$T/body"
	cp "$d/headers" "$T/headers" 2>/dev/null || : >"$T/headers"
	CODE=$(awk '/^HTTP\// { c = $2 } END { print c }' "$T/headers")
	[[ -n $CODE ]] || CODE=000
	((rc == 0)) || t_fail "curl exited $rc: $(head -c 300 "$d/stderr")"
}
sc_name() { printf '%s' "${SC_CMDS[$1]}" | head -n 1 | sed 's/ *\\$//'; }

t_begin "spec curls: the copy holds the spec's 11 curl examples"
expect_eq "number of curl examples" "${#SC_CMDS[@]}" 11
t_end

t_begin "spec curls: ./stack up (default web server) on a free port, state in a temp dir"
SC_PORT=$(free_port)
SC_SIM_PORT=$(free_port)
while [[ $SC_SIM_PORT == "$SC_PORT" ]]; do SC_SIM_PORT=$(free_port); done
sc_up=ok
if ! sc_stack up >"$T/stack-up.out" 2>"$T/stack-up.err"; then
	t_fail "./stack up failed: $(tail -n 15 "$T/stack-up.err")"
	sc_up=
fi
SC_URL=$(sed -n 's/^MXCEP_URL=//p' "$T/stack-up.out")
SC_KEY=$(sed -n 's/^MXCEP_API_KEY=//p' "$T/stack-up.out")
SC_SIM=$(sed -n 's/^MXCEP_SIM_URL=//p' "$T/stack-up.out")
expect_eq "MXCEP_URL" "$SC_URL" "http://127.0.0.1:$SC_PORT"
[[ $SC_KEY == mxcep_* ]] || { t_fail "no MXCEP_API_KEY= line: $(cat "$T/stack-up.out")"; sc_up=; }
# run.sh checks that no log holds a key secret
printf '%s\n' "$SC_KEY" "$(sed -n 's/^MXCEP_ADMIN_KEY=//p' "$T/stack-up.out")" >>"$T/secrets"
t_end

if [[ -n $sc_up ]]; then
	SC_FECHA=$(date -u -d '-3 days' +%F)
	SC_CLAVE=MXSPEC$$${RANDOM}V
	# sc_post URL BODY: POST a JSON body; answer in $T/body, status in $CODE
	sc_post() {
		CODE=$(curl -sS --max-time 30 -o "$T/body" -w '%{http_code}' -X POST \
			-H "Authorization: Bearer $SC_KEY" -H 'Content-Type: application/json' \
			--data-binary "$2" "$1" 2>"$T/curl.err") || CODE=000
	}

	t_begin "spec curls: the records (a valid direct validation, one in a retry cycle)"
	curl -sS --max-time 10 -o "$T/body" -X POST "$SC_SIM/_sim/transfers" \
		-d "{\"fecha\":\"$SC_FECHA\",\"clave_rastreo\":\"$SC_CLAVE\",\"emisor\":\"40012\",\"receptor\":\"90646\",\"cuenta\":\"646180110400000007\",\"monto\":\"1234.56\"}" ||
		t_fail "POST /_sim/transfers failed"
	sc_post "$SC_URL/v1/validate" "{\"fecha\":\"$SC_FECHA\",\"clave_rastreo\":\"$SC_CLAVE\",\"emisor\":\"BBVA Mexico\",\"cuenta\":\"646180110400000007\",\"monto\":\"1234.56\"}"
	expect_code 200
	expect_json data.attributes.status valid
	expect_json data.attributes.has_cep true
	SC_V=$(jget data.id) || SC_V=none
	sc_post "$SC_URL/v1/validate" "{\"fecha\":\"$SC_FECHA\",\"clave_rastreo\":\"MXSPEC$$${RANDOM}R\",\"emisor\":\"40012\",\"cuenta\":\"646180110400000007\",\"monto\":\"77.00\",\"retry_policy\":{\"enabled\":true,\"max_retries\":3,\"interval_seconds\":300,\"outcomes\":[\"not_found\"]}}"
	expect_code 200
	expect_json data.attributes.status not_found
	expect_json data.attributes.retry_state.terminal_state pending
	SC_R=$(jget data.id) || SC_R=none
	t_end

	# every line in the spec's order: 0 list, 1 stats, 2 get, 3 cep xml,
	# 4 cep pdf, 5 image, 6 export, 7 retry-attempts, 8 PUT retry-policy,
	# 9 cancel-retries, 10 DELETE
	t_begin "spec curls: $(sc_name 0)"
	sc_run 0 "$SC_V" "$SC_V"
	expect_code 200
	expect_jsonapi_ct
	"$PY" - "$T/body" "$SC_V" >"$SC_DIR/check.out" 2>&1 <<'EOF' || t_fail "$(cat "$SC_DIR/check.out")"
import json, sys
d = json.load(open(sys.argv[1]))
items = d["data"]
assert any(v["id"] == sys.argv[2] for v in items), "the valid record is not listed"
for v in items:
    a = v["attributes"]
    assert a["status"] == "valid" and a["validation_type"] == "direct", v
assert d["meta"]["per_page"] == 20, d["meta"]
EOF
	t_end

	t_begin "spec curls: $(sc_name 1)"
	sc_run 1 "$SC_V" "$SC_V"
	expect_code 200
	expect_jsonapi_ct
	expect_json data.type validation_stats
	"$PY" - "$T/body" >"$SC_DIR/check.out" 2>&1 <<'EOF' || t_fail "$(cat "$SC_DIR/check.out")"
import json, sys
a = json.load(open(sys.argv[1]))["data"]["attributes"]
for k in ("total", "valid", "not_found", "deleted", "other"):
    assert isinstance(a[k], int), (k, a)
EOF
	t_end

	t_begin "spec curls: $(sc_name 2)"
	sc_run 2 "$SC_V" "$SC_V"
	expect_code 200
	expect_jsonapi_ct
	expect_json data.id "$SC_V"
	expect_json data.attributes.status valid
	expect_json data.attributes.retry_state.enabled false
	# links keep the stack's port (public_url)
	expect_json data.links.self "$SC_URL/v1/validations/$SC_V"
	t_end

	t_begin "spec curls: $(sc_name 3)"
	sc_run 3 "$SC_V" "$SC_V"
	expect_code 200
	expect_match "Content-Type" "$(hdr Content-Type)" 'xml'
	grep -q "$SC_CLAVE" "$SC_DIR/3/cep.xml" 2>/dev/null ||
		t_fail "cep.xml does not hold the clave $SC_CLAVE: $(head -c 300 "$SC_DIR/3/cep.xml" 2>/dev/null)"
	t_end

	t_begin "spec curls: $(sc_name 4)"
	sc_run 4 "$SC_V" "$SC_V"
	expect_code 200
	expect_match "Content-Type" "$(hdr Content-Type)" '^application/pdf'
	expect_eq "cep.pdf starts" "$(head -c 5 "$SC_DIR/4/cep.pdf" 2>/dev/null)" "%PDF-"
	t_end

	t_begin "spec curls: $(sc_name 5) (a direct validation: the API's error)"
	sc_run 5 "$SC_V" "$SC_V"
	cp "$SC_DIR/5/comprobante.png" "$T/body" 2>/dev/null || : >"$T/body"
	expect_code 404
	expect_jsonapi_ct
	expect_json errors.0.status 404
	expect_json errors.0.code image_not_available
	t_end

	t_begin "spec curls: $(sc_name 6)"
	sc_run 6 "$SC_V" "$SC_V"
	expect_code 200
	expect_match "Content-Type" "$(hdr Content-Type)" '^application/vnd\.openxmlformats-officedocument\.spreadsheetml\.sheet'
	"$PY" - "$SC_DIR/6/validations-q1.xlsx" "$SC_V" >"$SC_DIR/check.out" 2>&1 <<'EOF' || t_fail "validations-q1.xlsx: $(cat "$SC_DIR/check.out")"
import sys
import openpyxl
wb = openpyxl.load_workbook(sys.argv[1], read_only=True)
rows = [[c for c in r] for r in wb.active.iter_rows(values_only=True)]
assert len(rows) >= 2, rows
assert any(sys.argv[2] in [str(c) for c in r] for r in rows[1:]), "the valid record is not a row"
EOF
	t_end

	t_begin "spec curls: $(sc_name 7)"
	sc_run 7 "$SC_R" "$SC_V"
	expect_code 200
	expect_jsonapi_ct
	"$PY" -c 'import json, sys; d = json.load(open(sys.argv[1])); assert isinstance(d["data"], list), d' \
		"$T/body" >"$SC_DIR/check.out" 2>&1 || t_fail "no data array: $(cat "$SC_DIR/check.out")"
	t_end

	t_begin "spec curls: $(sc_name 8)"
	sc_run 8 "$SC_R" "$SC_V"
	expect_code 200
	expect_jsonapi_ct
	expect_json data.id "$SC_R"
	expect_json data.attributes.retry_state.enabled true
	expect_json data.attributes.retry_state.max_retries 5
	expect_json data.attributes.retry_state.interval_seconds 300
	expect_json data.attributes.retry_state.outcomes '["not_found", "cep_unavailable"]'
	expect_json data.attributes.retry_state.terminal_state pending
	t_end

	t_begin "spec curls: $(sc_name 9)"
	sc_run 9 "$SC_R" "$SC_V"
	expect_code 200
	expect_jsonapi_ct
	expect_json data.id "$SC_R"
	expect_json data.attributes.retry_state.terminal_state cancelled
	expect_match "retry_state.cancelled_at" "$(jget data.attributes.retry_state.cancelled_at)" \
		'^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}Z$'
	t_end

	t_begin "spec curls: $(sc_name 10)"
	sc_run 10 "$SC_V" "$SC_V"
	expect_code 204
	expect_eq "body of the 204" "$(head -c 100 "$T/body")" ""
	# "Soft-deleted records are still retrievable via ?with_deleted=1"
	CODE=$(curl -sS --max-time 20 -o "$T/body" -w '%{http_code}' -H "Authorization: Bearer $SC_KEY" \
		"$SC_URL/v1/validations?with_deleted=1&per_page=100") || CODE=000
	expect_code 200
	"$PY" - "$T/body" "$SC_V" >"$SC_DIR/check.out" 2>&1 <<'EOF' || t_fail "$(cat "$SC_DIR/check.out")"
import json, sys
d = json.load(open(sys.argv[1]))
assert any(v["id"] == sys.argv[2] and v["attributes"].get("is_deleted") is True
           for v in d["data"]), "the deleted record is not listed with_deleted=1"
EOF
	t_end
fi

t_begin "spec curls: ./stack down stops what ./stack up started"
sc_pids=
for f in "$SC_STACK"/*.pid; do
	[[ -e $f ]] && sc_pids+=" $(pid_of "$f")"
done
sc_stack down >"$T/stack-down.out" 2>&1 || t_fail "./stack down failed: $(tail -n 5 "$T/stack-down.out")"
for p in $sc_pids; do
	pid_alive "$p" && t_fail "pid $p still runs after ./stack down"
done
ls "$SC_STACK"/*.pid >/dev/null 2>&1 && t_fail "pid files left: $(ls "$SC_STACK"/*.pid)"
t_end
