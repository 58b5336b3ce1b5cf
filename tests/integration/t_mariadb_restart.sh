# shellcheck shell=bash
# t_mariadb_restart: with MariaDB gone, requests get 503 database_unavailable
# (health 503 "unavailable"); when it is back the same workers recover.
# Sourced by run.sh.

M=$(master_pid)
vpath=/v1/validations/$(uuid)

t_begin "mariadb restart: 503 database_unavailable while down, recovery without restarting mxcep-fcgi"
load_start db "$vpath" -H "Authorization: Bearer $KEY_A"
wait_for load_at_least db 10 || t_fail "load did not start"
stop_pidfile "$T/mariadb.pid" 30 || t_fail "could not stop MariaDB"
db_down_seen() {
	http GET "$vpath" -H "Authorization: Bearer $KEY_A"
	[[ $CODE == 503 ]]
}
if wait_for db_down_seen; then
	expect_error 503 database_unavailable
	expect_match "Retry-After" "$(hdr Retry-After)" '^[0-9]+$'
	http GET /v1/health
	expect_code 503
	expect_jsonapi_ct
	expect_json data.attributes.status unavailable
	expect_json data.attributes.mariadb.status down
	# the key cache must not turn an outage into 401s
	http GET "$vpath" -H "Authorization: Bearer mxcep_unknownkey0000000000"
	[[ $CODE == 503 || $CODE == 401 ]] || t_fail "unknown key while the db is down: expected 503 (or 401), got $CODE"
else
	t_fail "with MariaDB stopped, GET $vpath never answered 503 (last: $CODE $(head -c 300 "$T/body"))"
fi
n=$(load_count db)
wait_for load_at_least db $((n + 10)) || t_fail "load stalled while MariaDB was down"
start_mariadb "$T" 2>"$T/mdb.err" || t_fail "MariaDB restart failed: $(cat "$T/mdb.err")"
db_back() {
	http GET "$vpath" -H "Authorization: Bearer $KEY_A"
	[[ $CODE == 404 ]]
}
wait_for db_back || t_fail "after MariaDB came back, GET $vpath answers $CODE $(head -c 300 "$T/body")"
http GET /v1/health
expect_code 200
expect_json data.attributes.mariadb.status up
n=$(load_count db)
wait_for load_at_least db $((n + 10)) || t_fail "load stalled after MariaDB came back"
load_stop db
expect_eq "master pid" "$(master_pid)" "$M"
pid_alive "$M" || t_fail "master $M died"
bad=$(grep -cvE '^(200|404|503)$' "$T/codes.db")
((bad == 0)) || t_fail "statuses other than 404/503 during the restart: $(load_summary db)"
grep -q '^503$' "$T/codes.db" || t_fail "the load never saw a 503: $(load_summary db)"
tail -n 3 "$T/codes.db" | grep -qv '^404$' && t_fail "the load did not end with 404s: $(tail -n 3 "$T/codes.db" | tr '\n' ' ')"
t_end
