#!/usr/bin/env bash
# tests/integration/run.sh: end-to-end tests of mxcep-fcgi behind a real
# lighttpd (and Apache, and nginx as ./stack up runs it), with a private
# MariaDB and memcached. Emits TAP.
#
# Run by `make check` (env from AM_TESTS_ENVIRONMENT) or by hand:
#   MXCEP_TOP_BUILDDIR=$PWD/build tests/integration/run.sh
# MXCEP_KEEP_TMP=1 keeps the temp dir (always kept when a test fails).
# A missing program or Python module is a failure, not a skip: ./stack test
# installs them all. Response bodies are checked against the project's
# schemas (tests/schemas), and also against ../shared's when it is there
# (MXCEP_SHARED_DIR); MXCEP_SCHEMA_SAMPLES=DIR keeps every checked body as
# DIR/SCHEMA/N.json (to record samples for tests/schemas/samples).
# Those checks and every JSON read (json_get, expect_json, json_py) are
# answered by one long-lived python3, tests/tools/json-helper, started below
# (tests/lib/json.sh): not one python3 per check.
set -u
set -o pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
: "${MXCEP_TOP_SRCDIR:=$(cd "$here/../.." && pwd)}"
: "${MXCEP_TOP_BUILDDIR:=$MXCEP_TOP_SRCDIR/build}"
: "${MXCEP_SHARED_DIR:=$MXCEP_TOP_SRCDIR/../shared}"
export MXCEP_TOP_SRCDIR MXCEP_TOP_BUILDDIR MXCEP_SHARED_DIR
# a sanitizer build reports into the fcgi log; these match Makefile.am
: "${ASAN_OPTIONS:=detect_leaks=1:abort_on_error=0}"
: "${UBSAN_OPTIONS:=print_stacktrace=1:halt_on_error=1}"
: "${LSAN_OPTIONS:=suppressions=$MXCEP_TOP_SRCDIR/tests/lsan.supp:print_suppressions=0}"
export ASAN_OPTIONS UBSAN_OPTIONS LSAN_OPTIONS
export LC_ALL=C

# shellcheck source=../lib/services.sh
. "$here/../lib/services.sh"

PY=/usr/bin/python3
# program:package of everything the t_*.sh files run
missing=()
for b in mariadbd:mariadb-server mariadb-install-db:mariadb-server mariadb:mariadb-client \
	memcached:memcached lighttpd:lighttpd nginx:nginx apache2:apache2 curl:curl pgrep:procps \
	setsid:util-linux mkfifo:coreutils unzip:unzip "$PY:python3" soffice:libreoffice-calc-nogui \
	node:nodejs npm:npm; do
	command -v "${b%:*}" >/dev/null 2>&1 || missing+=("${b%:*} (${b##*:})")
done
for m in jsonschema:python3-jsonschema openpyxl:python3-openpyxl; do
	"$PY" -c "import ${m%:*}" 2>/dev/null || missing+=("python module ${m%:*} (${m##*:})")
done
if ((${#missing[@]} > 0)); then
	echo "1..1"
	echo "not ok 1 - not installed: ${missing[*]} (./stack test installs them)"
	exit 1
fi

# Config keys in the environment would override our test config: drop them.
for k in LISTEN WORKERS MAX_REQUESTS SHUTDOWN_TIMEOUT LOG_LEVEL DB_HOST DB_PORT \
	DB_SOCKET DB_USER DB_PASSWORD DB_NAME DB_CONNECT_TIMEOUT DB_READ_TIMEOUT SQL_DIR \
	MEMCACHED_SERVERS MEMCACHED_TIMEOUT_MS MAX_BODY_BYTES MAX_JSON_DEPTH AUTH_CACHE_TTL \
	PUBLIC_URL BANXICO_URL BANXICO_CONNECT_TIMEOUT_MS BANXICO_TIMEOUT_MS PORT CONFIG \
	BANXICO_MAX_RPS BANXICO_BACKOFF_SECONDS QUEUE_EXPIRY_SECONDS POLL_AFTER_SECONDS STORAGE_DIR \
	LOG_FILE LISTEN_MODE OPERATOR_ACCOUNTS LIST_LOCATE_ROWS MAX_RETRIES_CAP; do
	unset "MXCEP_$k"
done

FCGI=$(mxcep_fcgi_bin)
ADMIN=$(mxcep_admin_bin)

# ---- TAP ------------------------------------------------------------
TN=0
NFAIL=0
T_NAME=
T_ERRS=()

t_begin() {
	T_NAME=$1
	T_ERRS=()
}
t_fail() { T_ERRS+=("$*"); }
t_end() {
	TN=$((TN + 1))
	if ((${#T_ERRS[@]} == 0)); then
		echo "ok $TN - $T_NAME"
	else
		echo "not ok $TN - $T_NAME"
		local e
		for e in "${T_ERRS[@]}"; do
			printf '%s\n' "$e" | sed 's/^/#   /'
		done
		NFAIL=$((NFAIL + 1))
	fi
}
# t_skip REASON: a prerequisite is missing: ends the current group as a
# failure, never a SKIP (./stack test installs everything a test needs)
t_skip() {
	t_fail "cannot run: $*"
	t_end
}
# Setup failures: report and stop (the EXIT trap cleans up).
bail() {
	TN=$((TN + 1))
	echo "not ok $TN - setup: $*"
	NFAIL=$((NFAIL + 1))
	local f
	for f in "$T"/fcgi.log "$T"/lighttpd.log "$T"/mariadb.log; do
		[[ -s $f ]] && { echo "# --- tail $f"; tail -n 20 "$f" | sed 's/^/# /'; }
	done
	echo "1..$TN"
	exit 1
}

expect_eq() { # WHAT GOT WANT
	[[ $2 == "$3" ]] || t_fail "$1: expected '$3', got '$2'"
}
expect_match() { # WHAT GOT ERE
	[[ $2 =~ $3 ]] || t_fail "$1: expected to match /$3/, got '$2'"
}

# ---- HTTP -----------------------------------------------------------
URL=
CODE=
# http METHOD PATH [curl args...]: response in $T/body, headers in $T/headers,
# status in $CODE ("000" when no HTTP answer).
http() {
	local m=$1 p=$2
	shift 2
	rm -f "$T/body"	# curl leaves -o alone when there is no body (304, 204)
	CODE=$(curl -sS --max-time 20 -o "$T/body" -D "$T/headers" -w '%{http_code}' \
		-H 'Expect:' -X "$m" "$@" "$URL$p" 2>"$T/curl.err") || CODE=000
	[[ -n $CODE ]] || CODE=000
}
# hdr NAME: value of a header of the last response (last block, case-insensitive)
hdr() {
	awk -v n="$(printf '%s' "$1" | tr 'A-Z' 'a-z')" '
		/^HTTP\// { v = ""; next }
		{ sub(/\r$/, ""); i = index($0, ":"); if (i == 0) next
		  k = tolower(substr($0, 1, i - 1)); if (k == n) { v = substr($0, i + 1); sub(/^[ \t]+/, "", v) } }
		END { print v }' "$T/headers"
}
jget() { json_get "$T/body" "$1"; }
expect_json() { # PATH WANT
	local got
	got=$(jget "$1") || got="<absent>"
	expect_eq "$1" "$got" "$2"
}
expect_code() { # WANT
	[[ $CODE == "$1" ]] || t_fail "HTTP status: expected $1, got $CODE; body: $(head -c 400 "$T/body" 2>/dev/null)"
}
expect_jsonapi_ct() {
	expect_match "Content-Type" "$(hdr Content-Type)" '^application/vnd\.api\+json'
}
# expect_schema SCHEMA: the body matches tests/schemas/SCHEMA, and ../shared's
# schema of that name when ../shared is present. Both checks (and json_get)
# are answered by one long-lived tests/tools/json-helper (jsond_start below).
SHARED_SCHEMA_CHECK=
[[ -f $MXCEP_SHARED_DIR/tools/check-json-schema ]] &&
	SHARED_SCHEMA_CHECK=$MXCEP_SHARED_DIR/tools/check-json-schema
expect_schema() { # SCHEMA
	local out n
	if ! out=$(json_schema "$1" "$T/body" 2>&1); then
		t_fail "body does not match tests/schemas/$1: $out; body: $(head -c 400 "$T/body")"
	fi
	if [[ -n $SHARED_SCHEMA_CHECK ]] && ! out=$(json_shared_schema "$SHARED_SCHEMA_CHECK" "$1" "$T/body" 2>&1); then
		t_fail "body does not match the shared $1: $out; body: $(head -c 400 "$T/body")"
	fi
	if [[ -n ${MXCEP_SCHEMA_SAMPLES:-} ]]; then
		mkdir -p "$MXCEP_SCHEMA_SAMPLES/${1%.json}"
		n=$(find "$MXCEP_SCHEMA_SAMPLES/${1%.json}" -name '*.json' | wc -l)
		cp "$T/body" "$MXCEP_SCHEMA_SAMPLES/${1%.json}/$((n + 1)).json"
	fi
}
# expect_error STATUS CODE: a JSON:API error document with that status and code
expect_error() {
	expect_code "$1"
	expect_jsonapi_ct
	expect_json errors.0.status "$1"
	expect_json errors.0.code "$2"
	expect_schema errors.json
}

# ---- background load ------------------------------------------------
# load_start NAME PATH [curl args...]: sequential requests for at most 60 s
# until load_stop NAME; one status code per line in $T/codes.NAME.
declare -A LOAD_PIDS=()
load_start() {
	local name=$1 p=$2
	shift 2
	rm -f "$T/stop.$name" "$T/codes.$name"
	: >"$T/codes.$name"
	(
		end=$((SECONDS + 60))
		while [[ ! -e $T/stop.$name ]] && ((SECONDS < end)); do
			c=$(curl -s -o /dev/null --max-time 15 -w '%{http_code}' "$@" "$URL$p") || true
			echo "${c:-000}" >>"$T/codes.$name"
		done
	) &
	LOAD_PIDS[$name]=$!
}
load_count() { wc -l <"$T/codes.$1"; }
load_at_least() { (($(load_count "$1") >= $2)); }
load_stop() {
	touch "$T/stop.$1"
	wait "${LOAD_PIDS[$1]}" 2>/dev/null || true
	unset "LOAD_PIDS[$1]"
}
# load_summary NAME: "200:37 404:2" style
load_summary() { sort "$T/codes.$1" | uniq -c | awk '{ printf "%s%s:%s", sep, $2, $1; sep = " " }'; }

# ---- helpers used by several t_*.sh --------------------------------
admin() { "$ADMIN" --config "$CONF" "$@"; }
# a random (version 4) UUID, lowercase, from the kernel: no process
uuid() {
	local u
	read -r u </proc/sys/kernel/random/uuid && printf '%s\n' "$u"
}
master_pid() { pid_of "$T/fcgi.pid"; }
workers_of() { pgrep -P "$1" | sort -n | tr '\n' ' ' | sed 's/ $//'; }
worker_count() { pgrep -P "$1" | wc -l; }
# set_conf KEY VALUE: change one key of the test config
set_conf() {
	if grep -q "^$1 *=" "$CONF"; then
		sed -i "s|^$1 *=.*|$1 = $2|" "$CONF"
	else
		echo "$1 = $2" >>"$CONF"
	fi
}
# new_key ACCOUNT SCOPES: secret on stdout, key id in $T/last_key_id
new_key() {
	local out
	out=$(admin key create "$1" --scopes "$2" --name "it-$RANDOM" 2>"$T/key.err") || {
		cat "$T/key.err" >&2
		return 1
	}
	sed -n 's/^key id: *//p' "$T/key.err" | head -n 1 >"$T/last_key_id"
	printf '%s\n' "$out"
}
# restart_fcgi: stop the master by its pid file and start it again
restart_fcgi() {
	stop_pidfile "$T/fcgi.pid" 30
	start_fcgi "$T" "$CONF"
}

# ---- set up ---------------------------------------------------------
T=$(mktemp -d "${TMPDIR:-/tmp}/mxcep-it.XXXXXX") || exit 1
chmod 0711 "$T"

cleanup() {
	local name f
	for name in "${!LOAD_PIDS[@]}"; do
		touch "$T/stop.$name"
		kill "${LOAD_PIDS[$name]}" 2>/dev/null || true
	done
	for f in "$T"/*/apache.pid "$T"/apache.pid "$T"/*/lighttpd.pid "$T"/lighttpd.pid \
		"$T"/*/*/apache.pid "$T"/*/*/lighttpd.pid "$T"/*/*/nginx.pid \
		"$T"/*/nginx.pid "$T"/*/fcgi.pid "$T"/fcgi.pid "$T"/*/sim.pid \
		"$T"/*/memcached.pid "$T"/memcached.pid "$T"/*/mariadb.pid "$T"/mariadb.pid "$T"/sim.pid; do
		[[ -e $f ]] && stop_pidfile "$f" 30
	done
	# processes a web server spawned (bin-path) and may have left behind
	if [[ -s $T/spawned.pids ]]; then
		local p
		while read -r p; do
			pid_alive "$p" && kill -KILL "$p" 2>/dev/null
		done <"$T/spawned.pids"
	fi
	jsond_stop
	if ((NFAIL == 0)) && [[ ${MXCEP_KEEP_TMP:-0} != 1 ]]; then
		rm -rf "$T"
	else
		echo "# logs kept in $T"
	fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM HUP
# one python3 answers json_get/expect_schema for the whole run (tests/lib/json.sh)
jsond_start "$T" || bail "tests/tools/json-helper did not start"

[[ -x $FCGI ]] || bail "$FCGI is not built"
[[ -x $ADMIN ]] || bail "$ADMIN is not built"
if [[ -n $SHARED_SCHEMA_CHECK ]]; then
	echo "# bodies checked against tests/schemas and $MXCEP_SHARED_DIR/spec/schemas"
else
	echo "# no $MXCEP_SHARED_DIR/tools/check-json-schema: bodies checked against tests/schemas only"
fi

start_mariadb "$T" 2>"$T/setup.err" || bail "MariaDB: $(cat "$T/setup.err")"
DB_PASSWORD="itpw-$RANDOM$RANDOM-secret"
mariadb_sql "$T" "CREATE DATABASE mxcep CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci;
	CREATE USER 'mxcep'@'localhost' IDENTIFIED BY '$DB_PASSWORD';
	GRANT ALL ON mxcep.* TO 'mxcep'@'localhost';" || bail "cannot create the database"
start_memcached "$T" 2>"$T/setup.err" || bail "memcached: $(cat "$T/setup.err")"
# the Banxico simulator (tests/sim/banxico-sim) on a free port; $SIM is its base URL
setsid "$PY" "$MXCEP_TOP_SRCDIR/tests/sim/banxico-sim" --listen 127.0.0.1:0 --port-file "$T/sim.port" \
	--pid-file "$T/sim.pid" </dev/null >"$T/sim.log" 2>&1 &
WAIT_TIMEOUT=15 wait_for test -s "$T/sim.port" || bail "banxico-sim did not start: $(tail -n 5 "$T/sim.log")"
wait_for test -s "$T/sim.pid" || bail "banxico-sim wrote no pid file"
SIM=http://127.0.0.1:$(cat "$T/sim.port")
export SIM
sim_reset() { curl -s -o /dev/null --max-time 10 -X POST "$SIM/_sim/reset"; }

CONF=$T/mxcep.conf
cat >"$CONF" <<EOF
# integration test config (tests/integration/run.sh)
workers = 2
max_requests = 0
shutdown_timeout = 5
log_level = info
db_socket = $T/mariadb.sock
db_user = mxcep
db_password = $DB_PASSWORD
db_name = mxcep
db_connect_timeout = 2
db_read_timeout = 5
sql_dir = $MXCEP_TOP_SRCDIR/sql
memcached_servers = $T/memcached.sock
max_body_bytes = 16384
max_json_depth = 32
auth_cache_ttl = 1
banxico_url = $SIM/cep/
banxico_timeout_ms = 3000
banxico_connect_timeout_ms = 1000
banxico_backoff_seconds = 2
banxico_max_rps = 1000
list_locate_rows = 40
EOF
chmod 0600 "$CONF"

out=$(admin migrate 2>&1) || bail "mxcep-admin migrate: $out"
ACC_A=$(admin account create "it-acme-a" 2>"$T/setup.err") || bail "account create: $(cat "$T/setup.err")"
ACC_B=$(admin account create "it-acme-b" 2>"$T/setup.err") || bail "account create: $(cat "$T/setup.err")"
[[ $ACC_A =~ ^[0-9a-f-]{36}$ ]] || bail "account create printed '$ACC_A', not a uuid"
RW=validations:read,validations:write,validations:delete
KEY_A=$(new_key "$ACC_A" "$RW") || bail "key create failed"
KEY_A_ID=$(cat "$T/last_key_id")
ADMIN_A=$(new_key "$ACC_A" admin) || bail "key create (admin) failed"
KEY_B=$(new_key "$ACC_B" "$RW") || bail "key create failed"
KEY_B_ID=$(cat "$T/last_key_id")
[[ $KEY_A == mxcep_* ]] || bail "key create printed '$KEY_A', not mxcep_..."
[[ $KEY_B_ID =~ ^[0-9a-f-]{36}$ ]] || bail "key create: no 'key id: UUID' on stderr"
export KEY_A_ID
# account A is an operator account: its admin key sees the views across
# accounts (/v1/admin/validations...); B's admin keys must not
echo "operator_accounts = $ACC_A" >>"$CONF"

start_fcgi "$T" "$CONF" 2>"$T/setup.err" || bail "mxcep-fcgi: $(cat "$T/setup.err")"
PORT=$(free_port)
start_lighttpd "$T" "$PORT" "$T/fcgi.sock" 2>"$T/setup.err" || bail "lighttpd: $(cat "$T/setup.err")"
URL=http://127.0.0.1:$PORT
health_200() { http GET /v1/health && [[ $CODE == 200 ]]; }
wait_for health_200 || bail "GET /v1/health never answered 200 (last: $CODE $(head -c 300 "$T/body"))"

# ---- tests ----------------------------------------------------------
order=(health routing auth log process mariadb_restart bin_path apache)
files=()
for n in "${order[@]}"; do
	[[ -f $here/t_$n.sh ]] && files+=("$here/t_$n.sh")
done
for f in "$here"/t_*.sh; do
	n=$(basename "$f" .sh)
	n=${n#t_}
	[[ " ${order[*]} " == *" $n "* ]] || files+=("$f")
done
for f in "${files[@]}"; do
	# MXCEP_IT_ONLY="async list" runs just those files (development)
	if [[ -n ${MXCEP_IT_ONLY:-} ]]; then
		n=$(basename "$f" .sh)
		[[ " $MXCEP_IT_ONLY " == *" ${n#t_} "* ]] || continue
	fi
	echo "# ---- $(basename "$f")"
	sim_reset || bail "banxico-sim: POST /_sim/reset failed"
	# shellcheck source=/dev/null
	. "$f"
done

# ---- secrets ----------------------------------------------------------
t_begin "no API key secret and no db password in any log"
printf '%s\n' "$KEY_A" "$ADMIN_A" "$KEY_B" >>"$T/secrets"
for f in "$T"/fcgi.log "$T"/*/fcgi.log "$T"/*/mxcep.log "$T"/lighttpd.log "$T"/*/lighttpd.log \
	"$T"/*/lighttpd.out "$T"/apache/error.log; do
	[[ -f $f ]] || continue
	grep -qF -e "$DB_PASSWORD" "$f" && t_fail "$f contains the db password"
	while read -r s; do
		[[ -n $s ]] || continue
		grep -qF -e "$s" "$f" && t_fail "$f contains the API key secret ${s:0:12}..."
		grep -qF -e "${s#mxcep_}" "$f" && t_fail "$f contains the secret part of ${s:0:12}..."
	done < <(sort -u "$T/secrets")
done
t_end

# ---- sanitizer reports ----------------------------------------------
t_begin "no sanitizer report in the mxcep-fcgi logs"
for f in "$T"/fcgi.log "$T"/*/fcgi.log "$T"/*/mxcep.log "$T"/*/lighttpd.log "$T"/*/lighttpd.out; do
	[[ -f $f ]] || continue
	if grep -qE 'runtime error:|ERROR: AddressSanitizer|LeakSanitizer' "$f"; then
		t_fail "$f: $(grep -m 5 -E -A 12 'runtime error:|ERROR: AddressSanitizer|LeakSanitizer' "$f")"
	fi
done
t_end

echo "1..$TN"
exit 0
