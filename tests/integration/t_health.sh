# shellcheck shell=bash
# t_health: GET /v1/health needs no key, has the contract's shape, and every
# response carries X-Request-Id. Sourced by run.sh.

t_begin "health: 200 without a key, JSON:API shape"
http GET /v1/health
expect_code 200
expect_jsonapi_ct
expect_json data.type health
expect_json data.id mxcep
expect_json data.attributes.status ok
expect_json data.attributes.version 0.1.0
expect_json data.attributes.mariadb.status up
expect_match "data.attributes.mariadb.latency_ms" "$(jget data.attributes.mariadb.latency_ms)" '^[0-9]+(\.[0-9]+)?$'
expect_json data.attributes.memcached.status up
# meta.datetime is the descriptor of every datetime field (spec 002/004):
# UTC, RFC 3339 with Z, and a pattern a client can assert with
expect_json meta.datetime.timezone UTC
expect_match "meta.datetime.format" "$(jget meta.datetime.format)" 'RFC ?3339'
pat=$(jget meta.datetime.pattern) || pat=
if [[ -z $pat ]]; then
	t_fail "meta.datetime.pattern is missing"
else
	"$PY" -c 'import re, sys
p = re.compile(sys.argv[1])
assert p.search("2026-05-01T05:14:38Z")
assert not p.search("2026-05-01 05:14:38")
assert not p.search("2026-05-01T05:14:38+01:00")' "$pat" 2>/dev/null ||
		t_fail "meta.datetime.pattern '$pat' does not describe UTC RFC 3339 with Z"
fi
t_end

t_begin "health: X-Request-Id echoed when valid, generated otherwise"
http GET /v1/health -H 'X-Request-Id: it-health.1_A-z'
expect_code 200
expect_eq "echoed X-Request-Id" "$(hdr X-Request-Id)" "it-health.1_A-z"
http GET /v1/health
expect_match "generated X-Request-Id" "$(hdr X-Request-Id)" '^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$'
first=$(hdr X-Request-Id)
http GET /v1/health
[[ $(hdr X-Request-Id) != "$first" ]] || t_fail "two requests got the same generated X-Request-Id $first"
http GET /v1/health -H 'X-Request-Id: bad id<script>'
id=$(hdr X-Request-Id)
[[ $id != *"bad id"* && $id != *script* ]] || t_fail "invalid X-Request-Id was echoed: $id"
expect_match "replacement X-Request-Id" "$id" '^[0-9a-f-]{36}$'
long=$(printf 'a%.0s' {1..65})
http GET /v1/health -H "X-Request-Id: $long"
[[ $(hdr X-Request-Id) != "$long" ]] || t_fail "65-character X-Request-Id was echoed"
# error responses carry it too
http GET /v1/no-such-thing -H 'X-Request-Id: it-err-1'
expect_eq "X-Request-Id on a 404" "$(hdr X-Request-Id)" "it-err-1"
t_end

t_begin "health: a bad key is ignored (no auth on health)"
http GET /v1/health -H 'Authorization: Bearer mxcep_not_a_real_key'
expect_code 200
t_end

t_begin "memcached down: health degraded, requests still answered, back up again"
stop_pidfile "$T/memcached.pid"
ok_down=1
mc_down_seen() { http GET /v1/health && [[ $CODE == 200 ]] && [[ $(jget data.attributes.memcached.status) == down ]]; }
if ! wait_for mc_down_seen; then
	t_fail "with memcached stopped, health never said memcached down with 200 (last: $CODE $(head -c 300 "$T/body"))"
	ok_down=0
fi
if ((ok_down)); then
	expect_json data.attributes.status degraded
	expect_json data.attributes.mariadb.status up
fi
http GET "/v1/validations/$(uuid)" -H "Authorization: Bearer $KEY_A"
expect_error 404 validation_not_found
start_memcached "$T" 2>"$T/mc.err" || t_fail "memcached restart: $(cat "$T/mc.err")"
mc_up_seen() { http GET /v1/health && [[ $CODE == 200 ]] && [[ $(jget data.attributes.memcached.status) == up ]]; }
wait_for mc_up_seen || t_fail "after memcached came back, health still says: $CODE $(head -c 300 "$T/body")"
t_end
