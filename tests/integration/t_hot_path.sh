# shellcheck shell=bash
# t_hot_path: a request costs no getrandom(2) (the request id comes from a
# per-process generator seeded once) and no getpid(2) (the log caches the
# pid), a small answer no setsockopt(2) (the write deadline is for answers
# that can wait: t_slow_clients), its answer leaves in one write(2), and
# the connection (a unix socket, the request read to its end) is closed at
# once, without libfcgi's lingering shutdown(2) + poll(2) + read(2).
# strace counts the workers' calls while they answer requests that bring
# no X-Request-Id. Sourced by run.sh (needs strace).

t_begin "hot path: no getrandom, no getpid, no setsockopt, one write per small answer and no lingering close (strace on the workers)"
HP_N=20
hp_master=$(master_pid)
hp_workers=$(workers_of "$hp_master")
hp_args=()
for p in $hp_workers; do hp_args+=(-p "$p"); done
strace -qq -f -c -e trace=getrandom,getpid,setsockopt,shutdown,flock,accept,accept4,write -o "$T/hot_path.strace" "${hp_args[@]}" 2>"$T/hot_path.err" &
hp_strace=$!
sleep 1
hp_ids=()
for ((i = 0; i < HP_N; i++)); do
	http GET /v1/health
	expect_code 200
	hp_ids+=("$(hdr X-Request-Id)")
done
kill -TERM "$hp_strace" 2>/dev/null
wait "$hp_strace" 2>/dev/null
hp_calls() { awk -v s="$1" '$NF == s { print $4 + 0; f = 1 } END { if (!f) print 0 }' "$T/hot_path.strace"; }
hp_nworkers=$(wc -w <<<"$hp_workers")
# the accepts prove strace saw the requests (an empty count is not 0)
(($(hp_calls accept) + $(hp_calls accept4) >= HP_N)) ||
	t_fail "strace saw $(hp_calls accept) accepts for $HP_N requests: $(cat "$T/hot_path.err")"
# a worker that had served nothing yet seeds its generator once
(($(hp_calls getrandom) <= hp_nworkers)) ||
	t_fail "getrandom called $(hp_calls getrandom) times for $HP_N requests ($hp_nworkers workers)"
(($(hp_calls getpid) == 0)) ||
	t_fail "getpid called $(hp_calls getpid) times for $HP_N requests"
(($(hp_calls setsockopt) == 0)) ||
	t_fail "setsockopt called $(hp_calls setsockopt) times for $HP_N small answers"
# the caps on slow work (flock slots) are not on the read path
(($(hp_calls flock) == 0)) ||
	t_fail "flock called $(hp_calls flock) times for $HP_N reads (caps on the read path)"
(($(hp_calls shutdown) == 0)) ||
	t_fail "shutdown called $(hp_calls shutdown) times for $HP_N requests over a unix socket (lingering close)"
# one write for the whole answer (body, empty stdout record, END_REQUEST:
# no flush before FCGX_Finish_r), one for the access line (log_level info)
(($(hp_calls write) <= 2 * HP_N)) ||
	t_fail "write called $(hp_calls write) times for $HP_N requests (want <= $((2 * HP_N)))"
# the ids are still canonical v4 UUIDs, all different
for id in "${hp_ids[@]}"; do
	expect_match "X-Request-Id" "$id" '^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$'
done
(($(printf '%s\n' "${hp_ids[@]}" | sort -u | wc -l) == HP_N)) ||
	t_fail "X-Request-Id repeated: ${hp_ids[*]}"
t_end
