/*
 * mxcep: the per-process context. Every handle is created after fork
 * and lives as long as the process: one MariaDB connection, one
 * memcached client, one curl handle, the verified-key cache and the
 * bank catalog.
 */
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "app/app.h"
#include "banxico/banxico.h"
#include "cache/cache.h"
#include "core/core.h"
#include "store/store.h"

#define APP_BANKS_REFRESH	300	/* s between catalog reloads */

int
app_init(struct app *app, const struct config *cfg)
{
	char	 host[64];

	memset(app, 0, sizeof(*app));
	app->cfg = cfg;
	app->db = db_new(cfg);
	app->cache = cache_new(cfg);
	app->keys = key_cache_new(cfg->auth_cache_ttl);
	app->banks = bank_cache_new(APP_BANKS_REFRESH);
	if (gethostname(host, sizeof(host)) == -1)
		snprintf(host, sizeof(host), "localhost");
	host[sizeof(host) - 1] = '\0';
	snprintf(app->owner, sizeof(app->owner), "%s:%d", host, (int)getpid());
	if ((app->banxico = banxico_new(cfg)) == NULL) {
		log_warnx("%s: the Banxico client could not be created",
		    __func__);
		return -1;
	}
	return 0;
}

void
app_free(struct app *app)
{
	bank_cache_free(app->banks);
	banxico_free(app->banxico);
	key_cache_free(app->keys);
	cache_free(app->cache);
	db_free(app->db);
	memset(app, 0, sizeof(*app));
}

int
app_connect(struct app *app)
{
	return db_connect(app->db);
}

const struct bank_catalog *
app_banks(struct app *app)
{
	const struct bank_catalog	*cat = NULL;

	/* a failed reload keeps the last copy; -1 only when none ever came */
	if (bank_cache_catalog(app->banks, app->db, &cat) == -1)
		return NULL;
	return cat;
}
