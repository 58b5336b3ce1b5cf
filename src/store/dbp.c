/*
 * mxcep: the parameters of a statement (struct dbp, store_int.h), bound
 * by type with their stmt_def letter; values are copied in, text and
 * blobs borrowed until the statement ran.
 */
#include <stdint.h>
#include <string.h>
#include <time.h>

#include <mysql.h>

#include "util/util.h"
#include "store/store.h"
#include "store/store_int.h"

void
dbp_init(struct dbp *p)
{
	memset(p, 0, sizeof(*p));
}

static MYSQL_BIND *
dbp_next(struct dbp *p, char type)
{
	if (p->n >= DB_MAXCOLS)
		fatalx("dbp: more than %d parameters", DB_MAXCOLS);
	p->type[p->n] = type;
	return &p->b[p->n++];
}

void
dbp_str(struct dbp *p, const char *s)
{
	MYSQL_BIND	*b = dbp_next(p, 's');
	size_t		 i = p->n - 1;

	if (s == NULL) {
		b->buffer_type = MYSQL_TYPE_NULL;
		return;
	}
	p->len[i] = (unsigned long)strlen(s);
	b->buffer_type = MYSQL_TYPE_STRING;
	b->buffer = (void *)(uintptr_t)s;
	b->buffer_length = p->len[i];
	b->length = &p->len[i];
}

void
dbp_blob(struct dbp *p, const void *data, size_t n)
{
	MYSQL_BIND	*b = dbp_next(p, 'b');
	size_t		 i = p->n - 1;

	if (data == NULL) {
		b->buffer_type = MYSQL_TYPE_NULL;
		return;
	}
	p->len[i] = (unsigned long)n;
	b->buffer_type = MYSQL_TYPE_BLOB;
	b->buffer = (void *)(uintptr_t)data;
	b->buffer_length = p->len[i];
	b->length = &p->len[i];
}

void
dbp_i64(struct dbp *p, long long v)
{
	MYSQL_BIND	*b = dbp_next(p, 'i');
	size_t		 i = p->n - 1;

	p->v[i].i = v;
	b->buffer_type = MYSQL_TYPE_LONGLONG;
	b->buffer = &p->v[i].i;
}

void
dbp_i64n(struct dbp *p, long long v)
{
	if (v < 0)
		dbp_str(p, NULL);
	else
		dbp_i64(p, v);
}

void
dbp_double(struct dbp *p, double v)
{
	MYSQL_BIND	*b = dbp_next(p, 'd');
	size_t		 i = p->n - 1;

	p->v[i].d = v;
	b->buffer_type = MYSQL_TYPE_DOUBLE;
	b->buffer = &p->v[i].d;
}

void
dbp_doublen(struct dbp *p, double v)
{
	if (v < 0)
		dbp_str(p, NULL);
	else
		dbp_double(p, v);
}

void
dbp_time(struct dbp *p, time_t t)
{
	MYSQL_BIND	*b;
	size_t		 i;
	struct tm	 tm;

	if (t == 0) {
		dbp_str(p, NULL);
		return;
	}
	b = dbp_next(p, 't');
	i = p->n - 1;
	gmtime_r(&t, &tm);
	memset(&p->v[i].t, 0, sizeof(p->v[i].t));
	p->v[i].t.year = (unsigned int)tm.tm_year + 1900;
	p->v[i].t.month = (unsigned int)tm.tm_mon + 1;
	p->v[i].t.day = (unsigned int)tm.tm_mday;
	p->v[i].t.hour = (unsigned int)tm.tm_hour;
	p->v[i].t.minute = (unsigned int)tm.tm_min;
	p->v[i].t.second = (unsigned int)tm.tm_sec;
	p->v[i].t.time_type = MYSQL_TIMESTAMP_DATETIME;
	b->buffer_type = MYSQL_TYPE_DATETIME;
	b->buffer = &p->v[i].t;
}
