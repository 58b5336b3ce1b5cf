/*
 * mxcep: GET /v1/health, for load balancers and operators. No key
 * needed. 200 while MariaDB answers (memcached down only degrades);
 * 503 when MariaDB is unreachable. Also tells whether the service's
 * Banxico queries are paused (the back-off after Banxico throttled us):
 * since and until when, and why; it does not change the status.
 */
#include "config.h"

#include "api/api.h"
#include "cache/cache.h"
#include "store/store.h"

/* {"state": "active"|"none"|"unknown", "since", "until",
 * "remaining_seconds", "reason"} (null where it does not apply) */
static json_t *
health_backoff(struct app *app, int db_up)
{
	struct state_deadline	 d;
	time_t			 now = clock_now();

	if (!db_up || work_backoff_get(app, &d) == -1)
		return json_pack("{s:s, s:n, s:n, s:n, s:n}", "state",
		    "unknown", "since", "until", "remaining_seconds", "reason");
	if (d.until == 0)
		return json_pack("{s:s, s:n, s:n, s:n, s:n}", "state", "none",
		    "since", "until", "remaining_seconds", "reason");
	return json_pack("{s:s, s:o, s:o, s:I, s:o}", "state", "active",
	    "since", api_time_or_null(d.since),
	    "until", api_time_or_null(d.until),
	    "remaining_seconds", (json_int_t)(d.until - now),
	    "reason", d.reason[0] != '\0' ? json_string(d.reason) :
	    json_null());
}

int
api_health_get(struct request *req, struct response *resp)
{
	struct app	*app = req->app;
	const char	*mc, *overall;
	double		 t0;
	json_t		*db, *doc;
	int		 db_up, mc_state, status;

	t0 = clock_monotonic();
	db_up = db_ping(app->db) == 0;
	if (db_up)
		db = json_pack("{s:s, s:f}", "status", "up", "latency_ms",
		    (double)(long)((clock_monotonic() - t0) * 100000.0 + 0.5) /
		    100.0);
	else
		db = json_pack("{s:s, s:n}", "status", "down", "latency_ms");
	mc_state = cache_ping(app->cache);
	mc = mc_state == 0 ? "up" : mc_state == 1 ? "disabled" : "down";

	if (!db_up) {
		overall = "unavailable";
		status = 503;
		response_header(resp, "Retry-After", "5");
	} else {
		overall = mc_state == -1 ? "degraded" : "ok";
		status = 200;
	}
	doc = json_pack("{s:{s:s, s:s, s:{s:s, s:s, s:o, s:{s:s}, "
	    "s:{s:o}}}, s:o}",
	    "data", "type", "health", "id", "mxcep", "attributes",
	    "status", overall, "version", PACKAGE_VERSION, "mariadb", db,
	    "memcached", "status", mc,
	    "banxico", "backoff", health_backoff(app, db_up),
	    "meta", api_meta());
	response_header(resp, "Cache-Control", "no-store");
	return response_json(resp, status, doc);
}
