# shellcheck shell=bash
# t_banxico_cap: Banxico-bound work cannot hold every worker (issue 13).
# On a stack of its own (2 workers, lock_dir set, so banxico_max_concurrent
# defaults to 1) with Banxico slowed down: while one synchronous
# validation waits for Banxico, a second is refused at once with 503 busy
# and Retry-After (nothing recorded), and GET /v1/health is answered by the
# other worker; an async validation whose after-response job finds the cap
# taken is left to mxcep-runner, which finishes it; an export while a
# synchronous validation waits is refused too (the pool of long-held work
# every cap shares). Sourced by run.sh.
# shellcheck source=validate-lib.sh
. "$here/validate-lib.sh"

BC=$T/bxcap
mkdir -p "$BC/locks"
sed -e '/^workers *=/d' "$CONF" >"$BC/mxcep.conf"
printf 'workers = 2\nlock_dir = %s\n' "$BC/locks" >>"$BC/mxcep.conf"
chmod 0600 "$BC/mxcep.conf"
start_fcgi "$BC" "$BC/mxcep.conf" 2>"$BC/setup.err" || bail "cap stack mxcep-fcgi: $(cat "$BC/setup.err")"
BC_PORT=$(free_port)
start_lighttpd "$BC" "$BC_PORT" "$BC/fcgi.sock" 2>"$BC/setup.err" || bail "cap stack lighttpd: $(cat "$BC/setup.err")"
BC_MAIN_URL=$URL
URL=http://127.0.0.1:$BC_PORT
wait_for health_200 || bail "cap stack: GET /v1/health never answered 200"

# bc_slow_first BODY: a synchronous validation in the background, Banxico
# slowed to 3 s; returns once it waits for Banxico (its record processing)
bc_processing() { [[ -n $(db "SELECT id FROM validations WHERE clave_rastreo = '$1' AND status = 'processing'") ]]; }
bc_slow_first() {
	sim_mode '{"mode":"slow","delay_ms":3000,"scope":"valida","count":1}'
	curl -s --max-time 30 -o "$BC/first.body" -w '%{http_code}' -X POST "$URL/v1/validate" \
		-H "Authorization: Bearer $KEY_A" -H 'Content-Type: application/vnd.api+json' \
		--data-binary "$1" >"$BC/first.code" &
	BC_FIRST=$!
	WAIT_TIMEOUT=10 wait_for bc_processing "$2" || t_fail "the first validation never waited for Banxico"
}

t_begin "banxico cap: a second synchronous validation while one waits for Banxico is 503 busy at once; health is answered meanwhile"
new_transfer
first_body=$TR_BODY
first_clave=$TR_CLAVE
new_transfer
second_body=$TR_BODY
second_clave=$TR_CLAVE
bc_slow_first "$first_body" "$first_clave"
t0=$(date +%s%N)
validate "$second_body"
t1=$(date +%s%N)
expect_error 503 busy
expect_match "Retry-After" "$(hdr Retry-After)" '^[0-9]+$'
(( (t1 - t0) / 1000000 < 1000 )) || t_fail "the refusal took $(( (t1 - t0) / 1000000 )) ms"
expect_eq "records of the refused validation" "$(db "SELECT COUNT(*) FROM validations WHERE clave_rastreo = '$second_clave'")" 0
t0=$(date +%s%N)
http GET /v1/health
t1=$(date +%s%N)
expect_code 200
(( (t1 - t0) / 1000000 < 500 )) || t_fail "health took $(( (t1 - t0) / 1000000 )) ms while the first waited for Banxico"
wait "$BC_FIRST"
expect_eq "the first validation" "$(cat "$BC/first.code")" 200
# the slot is free again: the refused one goes through now
validate "$second_body"
expect_code 200
t_end

t_begin "banxico cap: an async job that finds the cap taken is left to the runner, which finishes it"
new_transfer
first_body=$TR_BODY
first_clave=$TR_CLAVE
new_transfer
async_body=$TR_BODY
bc_slow_first "$first_body" "$first_clave"
validate "$async_body" "?async=1"
expect_code 202
aid=$(jget data.id) || aid=
sleep 1
expect_eq "the async job while the cap is taken" "$(db "SELECT status FROM validations WHERE id = '$aid'")" queued
grep -q "validation $aid: left to the runner" "$BC/fcgi.log" ||
	t_fail "no 'left to the runner' line for $aid in the log"
wait "$BC_FIRST"
runner "$T/runner-bxcap.log" --once || t_fail "runner: $(tail -n 3 "$T/runner-bxcap.log")"
expect_eq "the async validation after the runner" "$(db "SELECT status FROM validations WHERE id = '$aid'")" valid
t_end

t_begin "long-held work shares one pool: an export while a synchronous validation waits for Banxico is 503 busy at once (2 workers: one is kept for reads)"
new_transfer
first_body=$TR_BODY
first_clave=$TR_CLAVE
bc_slow_first "$first_body" "$first_clave"
t0=$(date +%s%N)
http GET "/v1/validations/export" -H "Authorization: Bearer $KEY_A"
t1=$(date +%s%N)
expect_error 503 busy
expect_match "Retry-After" "$(hdr Retry-After)" '^[0-9]+$'
(( (t1 - t0) / 1000000 < 1000 )) || t_fail "the refusal took $(( (t1 - t0) / 1000000 )) ms"
http GET /v1/health
expect_code 200
wait "$BC_FIRST"
expect_eq "the first validation" "$(cat "$BC/first.code")" 200
# every slot came back: the export runs now
http GET "/v1/validations/export" -H "Authorization: Bearer $KEY_A"
expect_code 200
t_end

stop_pidfile "$BC/lighttpd.pid" 30
stop_pidfile "$BC/fcgi.pid" 30
URL=$BC_MAIN_URL
