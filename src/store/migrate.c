/*
 * mxcep: schema migrations. sql_dir holds NNN_name.sql files; each is
 * applied once, in numeric order, and recorded in schema_migrations
 * with the SHA-256 of its text. A file edited after it was applied is
 * refused. GET_LOCK keeps two migrators from racing. DDL commits
 * implicitly in MariaDB, so files are written to be safe to re-run
 * (a migration interrupted half way is simply applied again).
 */
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/core.h"
#include "util/util.h"
#include "store/store.h"
#include "store/store_int.h"

#define MIGRATE_LOCK_WAIT	60	/* seconds to wait for another migrator */
#define MIGRATE_MAX_FILE	(4 * 1024 * 1024)

struct migration {
	unsigned long	 version;
	char		*name;		/* file name, "001_init.sql" */
};

struct applied {
	unsigned long	 version;
	char		*name;
	char		 checksum[2 * SHA256_LEN + 1];
};

static int
migration_cmp(const void *a, const void *b)
{
	const struct migration	*x = a, *y = b;

	return (x->version > y->version) - (x->version < y->version);
}

/* migration_version: the number of "NNN_name.sql"; -1 for other names */
static int
migration_version(const char *name, unsigned long *v)
{
	const char	*p = name;
	size_t		 n = strlen(name);

	if (!isdigit((unsigned char)*p))
		return -1;
	while (isdigit((unsigned char)*p))
		p++;
	if (*p != '_' || n < 5 || strcmp(name + n - 4, ".sql") != 0)
		return -1;
	errno = 0;
	*v = strtoul(name, NULL, 10);
	return errno == 0 ? 0 : -1;
}

/* migrations_scan: the migration files of dir sorted by version; -1 on
 * an unreadable dir or two files with the same version */
static int
migrations_scan(const char *dir, struct migration **out, size_t *nout)
{
	DIR			*d;
	struct dirent		*de;
	struct migration	*m = NULL;
	size_t			 n = 0, i;
	unsigned long		 v;
	int			 rc = -1;

	if ((d = opendir(dir)) == NULL) {
		log_warn("%s: %s", __func__, dir);
		return -1;
	}
	while ((de = readdir(d)) != NULL) {
		if (migration_version(de->d_name, &v) == -1)
			continue;
		m = xrealloc(m, (n + 1) * sizeof(*m));
		m[n].version = v;
		m[n].name = xstrdup(de->d_name);
		n++;
	}
	closedir(d);
	if (n > 0)
		qsort(m, n, sizeof(*m), migration_cmp);
	for (i = 1; i < n; i++)
		if (m[i].version == m[i - 1].version) {
			log_warnx("%s: %s and %s have the same version",
			    __func__, m[i - 1].name, m[i].name);
			goto out;
		}
	rc = 0;
out:
	if (rc == -1) {
		for (i = 0; i < n; i++)
			free(m[i].name);
		free(m);
		m = NULL;
		n = 0;
	}
	*out = m;
	*nout = n;
	return rc;
}

static char *
read_file(const char *path, size_t *len)
{
	FILE		*f;
	char		*s = NULL;
	struct stat	 sb;
	size_t		 n;

	if ((f = fopen(path, "re")) == NULL) {
		log_warn("%s: %s", __func__, path);
		return NULL;
	}
	if (fstat(fileno(f), &sb) == -1) {
		log_warn("%s: %s", __func__, path);
		goto out;
	}
	if (sb.st_size > MIGRATE_MAX_FILE) {
		log_warnx("%s: %s: larger than %d bytes", __func__, path,
		    MIGRATE_MAX_FILE);
		goto out;
	}
	s = xmalloc((size_t)sb.st_size + 1);
	n = fread(s, 1, (size_t)sb.st_size, f);
	if (ferror(f) || n != (size_t)sb.st_size) {
		log_warnx("%s: %s: short read", __func__, path);
		free(s);
		s = NULL;
		goto out;
	}
	s[n] = '\0';
	*len = n;
out:
	fclose(f);
	return s;
}

/*
 * migration_run: execute the statements of one file. A statement ends
 * with ';' at the end of a line; lines starting with "--" or "#" and
 * block comments starting a line ("/" "*" ... "*" "/") are skipped.
 */
static int
migration_run(struct db *db, const char *name, const char *text)
{
	struct buf	 stmt;
	const char	*line = text, *nl;
	size_t		 len, lineno = 0, end;
	int		 in_block = 0, rc = -1;

	buf_init(&stmt);
	while (*line != '\0') {
		lineno++;
		nl = strchr(line, '\n');
		len = nl != NULL ? (size_t)(nl - line) : strlen(line);
		end = len;
		while (end > 0 && isspace((unsigned char)line[end - 1]))
			end--;
		{
			size_t	 b = 0;

			while (b < end && isspace((unsigned char)line[b]))
				b++;
			if (in_block) {
				if (end >= 2 && strncmp(line + end - 2, "*/", 2) == 0)
					in_block = 0;
				goto next;
			}
			if (b == end || strncmp(line + b, "--", 2) == 0 ||
			    line[b] == '#')
				goto next;
			if (stmt.len == 0 && strncmp(line + b, "/*", 2) == 0) {
				if (!(end - b >= 4 &&
				    strncmp(line + end - 2, "*/", 2) == 0))
					in_block = 1;
				goto next;
			}
		}
		if (line[end - 1] == ';') {
			buf_append(&stmt, line, end - 1);
			if (db_exec_script(db, stmt.data, stmt.len) == -1) {
				log_warnx("%s: %s: statement ending at line %zu "
				    "failed", __func__, name, lineno);
				goto out;
			}
			buf_reset(&stmt);
		} else {
			buf_append(&stmt, line, end);
			buf_append(&stmt, "\n", 1);
		}
next:
		line += len;
		if (*line == '\n')
			line++;
	}
	if (stmt.len > 0) {
		log_warnx("%s: %s: last statement does not end with ';'",
		    __func__, name);
		goto out;
	}
	rc = 0;
out:
	buf_free(&stmt);
	return rc;
}

static int
applied_load(struct db *db, struct applied **out, size_t *nout)
{
	struct dbr	 r;
	struct applied	*a = NULL;
	size_t		 n = 0;
	int		 rc;

	*out = NULL;
	*nout = 0;
	if (db_run(db, STMT_MIGRATE_LIST, NULL, &r) == -1)
		return -1;
	while ((rc = dbr_fetch(&r)) == 1) {
		a = xrealloc(a, (n + 1) * sizeof(*a));
		a[n].version = (unsigned long)dbr_i64(&r, 0, 0);
		a[n].name = dbr_str(&r, 1);
		dbr_strcpy(&r, 2, a[n].checksum, sizeof(a[n].checksum));
		n++;
	}
	dbr_done(&r);
	*out = a;
	*nout = n;
	return rc;	/* 0, or -1 with what was read so far */
}

/* migration_read: the text of m and its checksum; NULL (logged) on error */
static char *
migration_read(const char *dir, const struct migration *m, size_t *len,
    char sum[2 * SHA256_LEN + 1])
{
	char	*path, *text;

	path = xasprintf("%s/%s", dir, m->name);
	text = read_file(path, len);
	free(path);
	if (text != NULL)
		sha256_hex(text, *len, sum);
	return text;
}

static const struct applied *
applied_find(const struct applied *a, size_t n, unsigned long v)
{
	size_t	 i;

	for (i = 0; i < n; i++)
		if (a[i].version == v)
			return &a[i];
	return NULL;
}

static int
migrate_lock(struct db *db)
{
	struct dbp	 p;
	struct dbr	 r;
	long long	 got = 0;

	dbp_init(&p);
	dbp_i64(&p, MIGRATE_LOCK_WAIT);
	if (db_run(db, STMT_MIGRATE_LOCK, &p, &r) == -1)
		return -1;
	if (dbr_fetch(&r) == 1)
		got = dbr_i64(&r, 0, 0);
	dbr_done(&r);
	if (got != 1) {
		log_warnx("%s: another migration holds the lock "
		    "(waited %d s)", __func__, MIGRATE_LOCK_WAIT);
		return -1;
	}
	return 0;
}

int
db_migrate(struct db *db, const char *sql_dir)
{
	struct migration	*m = NULL;
	struct applied		*a = NULL;
	const struct applied	*done;
	size_t			 nm = 0, na = 0, i, len = 0;
	char			 sum[2 * SHA256_LEN + 1], *text;
	struct dbp		 p;
	int			 applied = 0, locked = 0, rc = -1;

	if (migrations_scan(sql_dir, &m, &nm) == -1)
		return -1;
	if (migrate_lock(db) == -1)
		goto out;
	locked = 1;
	if (db_run(db, STMT_MIGRATE_BOOTSTRAP, NULL, NULL) == -1 ||
	    applied_load(db, &a, &na) == -1)
		goto out;
	/* first pass: every applied file must be unchanged, before any
	 * new one runs */
	for (i = 0; i < nm; i++) {
		if ((done = applied_find(a, na, m[i].version)) == NULL)
			continue;
		if ((text = migration_read(sql_dir, &m[i], &len, sum)) == NULL)
			goto out;
		free(text);
		if (strcmp(done->checksum, sum) != 0) {
			log_warnx("%s: %s was changed after it was applied "
			    "(checksum %s, now %s): refusing; add a new "
			    "migration instead", __func__, m[i].name,
			    done->checksum, sum);
			goto out;
		}
	}
	for (i = 0; i < nm; i++) {
		if (applied_find(a, na, m[i].version) != NULL)
			continue;
		if ((text = migration_read(sql_dir, &m[i], &len, sum)) == NULL)
			goto out;
		log_info("%s: applying %s", __func__, m[i].name);
		if (migration_run(db, m[i].name, text) == -1) {
			free(text);
			goto out;
		}
		free(text);
		dbp_init(&p);
		dbp_i64(&p, (long long)m[i].version);
		dbp_str(&p, m[i].name);
		dbp_str(&p, sum);
		dbp_time(&p, clock_now());
		if (db_run(db, STMT_MIGRATE_RECORD, &p, NULL) == -1)
			goto out;
		applied++;
	}
	rc = applied;
out:
	if (locked && db_run(db, STMT_MIGRATE_UNLOCK, NULL, NULL) == -1)
		log_warnx("%s: could not release the migration lock", __func__);
	for (i = 0; i < nm; i++)
		free(m[i].name);
	free(m);
	for (i = 0; i < na; i++)
		free(a[i].name);
	free(a);
	return rc;
}
