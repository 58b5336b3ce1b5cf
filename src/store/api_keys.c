/*
 * mxcep: API keys. The secret "mxcep_" + base64url(32 random bytes) is
 * shown once; only its SHA-256 (hex) is stored, with the first 12
 * characters kept for display. Scopes are a MariaDB SET in the same
 * order as the SCOPE_* bits.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/core.h"
#include "util/util.h"
#include "store/store.h"
#include "store/store_int.h"

#define KEY_SECRET_PREFIX	"mxcep_"
#define KEY_RANDOM_BYTES	32
#define KEY_DISPLAY_LEN		12
#define KEY_TOUCH_EVERY		60	/* seconds between last_used_at writes */

static const char *const scope_names[] = {
	"validations:read",		/* SCOPE_VALIDATIONS_READ */
	"validations:write",		/* SCOPE_VALIDATIONS_WRITE */
	"validations:delete",		/* SCOPE_VALIDATIONS_DELETE */
	"admin",			/* SCOPE_ADMIN */
};
#define SCOPE_COUNT	(sizeof(scope_names) / sizeof(scope_names[0]))

/* scopes_parse: "a,b" (spaces around names allowed) into bits; -1 for an
 * unknown name, an empty list or an empty element. */
int
scopes_parse(const char *s, unsigned int *out)
{
	unsigned int	 bits = 0;
	const char	*p = s, *e, *b;
	size_t		 i, n;

	if (s == NULL)
		return -1;
	for (;;) {
		e = strchr(p, ',');
		if (e == NULL)
			e = p + strlen(p);
		b = p;
		while (b < e && (*b == ' ' || *b == '\t'))
			b++;
		n = (size_t)(e - b);
		while (n > 0 && (b[n - 1] == ' ' || b[n - 1] == '\t'))
			n--;
		for (i = 0; i < SCOPE_COUNT; i++)
			if (strlen(scope_names[i]) == n &&
			    strncmp(scope_names[i], b, n) == 0)
				break;
		if (i == SCOPE_COUNT)
			return -1;
		bits |= 1u << i;
		if (*e == '\0')
			break;
		p = e + 1;
	}
	*out = bits;
	return 0;
}

int
scope_parse_one(const char *s, unsigned int *out)
{
	size_t	 i;

	for (i = 0; s != NULL && i < SCOPE_COUNT; i++)
		if (strcmp(s, scope_names[i]) == 0) {
			*out = 1u << i;
			return 0;
		}
	return -1;
}

int
api_key_name_ok(const char *name, size_t len)
{
	const unsigned char	*s = (const unsigned char *)name;
	unsigned long		 cp;
	size_t			 n;

	while (len > 0) {
		if ((n = str_utf8_char(s, len, &cp)) == 0)
			return 0;
		if (cp < 0x20 || (cp >= 0x7f && cp <= 0x9f))
			return 0;
		s += n;
		len -= n;
	}
	return 1;
}

/* scopes_format: "validations:read,admin" in canonical order; "" for 0.
 * Caller frees. */
char *
scopes_format(unsigned int bits)
{
	struct buf	 b;
	size_t		 i;
	char		*s;

	buf_init(&b);
	for (i = 0; i < SCOPE_COUNT; i++) {
		if (!(bits & (1u << i)))
			continue;
		if (b.len > 0)
			buf_puts(&b, ",");
		buf_puts(&b, scope_names[i]);
	}
	s = xstrdup(b.data != NULL ? b.data : "");
	buf_free(&b);
	return s;
}

/* base64url without padding of n bytes into out (>= 4n/3 + 2) */
static void
base64url(const uint8_t *p, size_t n, char *out)
{
	static const char	 a[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
	    "abcdefghijklmnopqrstuvwxyz0123456789-_";
	size_t			 i, o = 0;
	uint32_t		 v;

	for (i = 0; i + 2 < n; i += 3) {
		v = (uint32_t)p[i] << 16 | (uint32_t)p[i + 1] << 8 | p[i + 2];
		out[o++] = a[v >> 18 & 63];
		out[o++] = a[v >> 12 & 63];
		out[o++] = a[v >> 6 & 63];
		out[o++] = a[v & 63];
	}
	if (n - i == 1) {
		v = (uint32_t)p[i] << 16;
		out[o++] = a[v >> 18 & 63];
		out[o++] = a[v >> 12 & 63];
	} else if (n - i == 2) {
		v = (uint32_t)p[i] << 16 | (uint32_t)p[i + 1] << 8;
		out[o++] = a[v >> 18 & 63];
		out[o++] = a[v >> 12 & 63];
		out[o++] = a[v >> 6 & 63];
	}
	out[o] = '\0';
}

static void
key_read(struct dbr *r, struct api_key *k)
{
	char	*scopes;

	dbr_strcpy(r, 0, k->id, sizeof(k->id));
	dbr_strcpy(r, 1, k->account_id, sizeof(k->account_id));
	dbr_strcpy(r, 2, k->prefix, sizeof(k->prefix));
	k->name = dbr_str(r, 3);
	if (k->name == NULL)
		k->name = xstrdup("");
	scopes = dbr_str(r, 4);
	k->scopes = 0;
	if (scopes != NULL && scopes[0] != '\0' &&
	    scopes_parse(scopes, &k->scopes) == -1)
		log_warnx("%s: key %s: unknown scopes \"%s\"", __func__,
		    k->id, scopes);
	free(scopes);
	k->created_at = dbr_time(r, 5);
	k->revoked_at = dbr_time(r, 6);
	k->last_used_at = dbr_time(r, 7);
}

/* key_one: run a statement that returns at most one key */
static int
key_one(struct db *db, enum stmt id, struct dbp *p, struct api_key **out)
{
	struct dbr	 r;
	struct api_key	*k = NULL;
	int		 rc;

	if (db_run(db, id, p, &r) == -1)
		return -1;
	if ((rc = dbr_fetch(&r)) == 1) {
		k = xcalloc(1, sizeof(*k));
		key_read(&r, k);
	}
	dbr_done(&r);
	if (rc == -1) {
		api_key_free(k);
		return -1;
	}
	*out = k;
	return 0;
}

int
db_api_key_create(struct db *db, const char *account_id, const char *name,
    unsigned int scopes, char *secret, size_t n, char id[UUID_STR_LEN + 1])
{
	uint8_t		 rnd[KEY_RANDOM_BYTES];
	char		 s[API_KEY_SECRET_SIZE], hash[2 * SHA256_LEN + 1];
	char		 prefix[KEY_DISPLAY_LEN + 1], nid[UUID_STR_LEN + 1];
	char		*sc = NULL;
	struct dbp	 p;
	int		 rc = -1;

	if (n < API_KEY_SECRET_SIZE || scopes == 0 || (scopes & ~SCOPE__ALL)) {
		log_warnx("%s: bad arguments", __func__);
		return -1;
	}
	if (random_bytes(rnd, sizeof(rnd)) == -1 || uuid_v4(nid) == -1)
		return -1;
	memcpy(s, KEY_SECRET_PREFIX, sizeof(KEY_SECRET_PREFIX) - 1);
	base64url(rnd, sizeof(rnd), s + sizeof(KEY_SECRET_PREFIX) - 1);
	sha256_hex(s, strlen(s), hash);
	memcpy(prefix, s, KEY_DISPLAY_LEN);
	prefix[KEY_DISPLAY_LEN] = '\0';
	sc = scopes_format(scopes);

	dbp_init(&p);
	dbp_str(&p, nid);
	dbp_str(&p, account_id);
	dbp_str(&p, name != NULL ? name : "");
	dbp_str(&p, prefix);
	dbp_str(&p, hash);
	dbp_str(&p, sc);
	dbp_time(&p, clock_now());
	if (db_run(db, STMT_KEY_INSERT, &p, NULL) == -1)
		goto out;
	memcpy(secret, s, strlen(s) + 1);
	memcpy(id, nid, sizeof(nid));
	rc = 0;
out:
	explicit_bzero(rnd, sizeof(rnd));
	explicit_bzero(s, sizeof(s));
	free(sc);
	return rc;
}

int
db_api_key_by_secret(struct db *db, const char *secret, struct api_key **out)
{
	char		 hash[2 * SHA256_LEN + 1];
	struct dbp	 p;

	*out = NULL;
	/* not one of ours: no round trip */
	if (secret == NULL || strncmp(secret, KEY_SECRET_PREFIX,
	    sizeof(KEY_SECRET_PREFIX) - 1) != 0 ||
	    strlen(secret) >= API_KEY_SECRET_SIZE)
		return 0;
	sha256_hex(secret, strlen(secret), hash);
	dbp_init(&p);
	dbp_str(&p, hash);
	return key_one(db, STMT_KEY_BY_HASH, &p, out);
}

int
db_api_key_get(struct db *db, const char *account_id, const char *id,
    struct api_key **out)
{
	struct dbp	 p;

	*out = NULL;
	if (!uuid_valid(id))
		return 0;
	dbp_init(&p);
	dbp_str(&p, id);
	if (account_id == NULL)
		return key_one(db, STMT_KEY_GET, &p, out);
	dbp_str(&p, account_id);
	return key_one(db, STMT_KEY_GET_ACCOUNT, &p, out);
}

int
db_api_key_list(struct db *db, const char *account_id, struct api_key **out,
    size_t *nout)
{
	struct dbp	 p;
	struct dbr	 r;
	struct api_key	*k = NULL;
	size_t		 n = 0;
	int		 rc;

	dbp_init(&p);
	if (account_id != NULL) {
		dbp_str(&p, account_id);
		rc = db_run(db, STMT_KEY_LIST_ACCOUNT, &p, &r);
	} else
		rc = db_run(db, STMT_KEY_LIST_ALL, NULL, &r);
	if (rc == -1)
		return -1;
	while ((rc = dbr_fetch(&r)) == 1) {
		k = xrealloc(k, (n + 1) * sizeof(*k));
		memset(&k[n], 0, sizeof(k[n]));
		key_read(&r, &k[n++]);
	}
	dbr_done(&r);
	if (rc == -1) {
		api_key_list_free(k, n);
		return -1;
	}
	*out = k;
	*nout = n;
	return 0;
}

int
db_api_key_revoke_account(struct db *db, const char *account_id,
    const char *id, int *found)
{
	struct dbp	 p;
	struct api_key	*k = NULL;

	*found = 0;
	if (!uuid_valid(id))
		return 0;
	dbp_init(&p);
	dbp_time(&p, clock_now());
	dbp_str(&p, id);
	if (account_id != NULL)
		dbp_str(&p, account_id);
	if (db_run(db, account_id != NULL ? STMT_KEY_REVOKE_ACCOUNT :
	    STMT_KEY_REVOKE, &p, NULL) == -1)
		return -1;
	if (db_affected(db) > 0) {
		*found = 1;
		return 0;
	}
	/* already revoked, or no such key (for this account) */
	if (db_api_key_get(db, account_id, id, &k) == -1)
		return -1;
	*found = k != NULL;
	api_key_free(k);
	return 0;
}

int
db_api_key_revoke(struct db *db, const char *id, int *found)
{
	return db_api_key_revoke_account(db, NULL, id, found);
}

int
db_api_key_touch(struct db *db, const char *id)
{
	struct dbp	 p;
	time_t		 now = clock_now();

	dbp_init(&p);
	dbp_time(&p, now);
	dbp_str(&p, id);
	dbp_time(&p, now - KEY_TOUCH_EVERY);
	return db_run(db, STMT_KEY_TOUCH, &p, NULL);
}

void
api_key_free(struct api_key *k)
{
	if (k == NULL)
		return;
	free(k->name);
	free(k);
}

void
api_key_list_free(struct api_key *k, size_t n)
{
	size_t	 i;

	if (k == NULL)
		return;
	for (i = 0; i < n; i++)
		free(k[i].name);
	free(k);
}
