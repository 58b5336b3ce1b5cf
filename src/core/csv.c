/*
 * mxcep: CSV records for people who open them in a spreadsheet.
 * RFC 4180 (CRLF, quoting, doubled quotes) plus the spreadsheet rules of
 * STANDARDS.md section 6: a UTF-8 BOM, formula injection neutralised
 * (OWASP ASVS 5.0 V1.2.10), amounts with exactly 2 decimals from integer
 * centavos, datetimes UTC RFC 3339. Pure: appends to a struct buf.
 */
#include <stdint.h>
#include <string.h>
#include <time.h>

#include "util/util.h"
#include "core/core.h"

void
csv_init(struct csv *c, struct buf *out)
{
	c->out = out;
	c->col = 0;
	c->day = INT64_MIN;
	c->date[0] = '\0';
	c->date_len = 0;
}

void
csv_bom(struct csv *c)
{
	buf_append(c->out, CSV_BOM, sizeof(CSV_BOM) - 1);
}

/*
 * 1 when a spreadsheet would read s as a formula (or DDE): it starts
 * with '=', '+', '-', '@', TAB or CR. (ASVS also names NUL, which a C
 * string cannot start with and MariaDB text never holds here.)
 */
int
csv_is_formula_like(const char *s)
{
	return s != NULL && s[0] != '\0' && strchr("=+-@\t\r", s[0]) != NULL;
}

/* the separator before every field but the first of a record */
static void
csv_sep(struct csv *c)
{
	if (c->col++ > 0)
		buf_append(c->out, ",", 1);
}

/* s quoted, embedded quotes doubled, after an optional prefix */
static void
csv_quoted(struct buf *b, const char *prefix, const char *s)
{
	const char	*p, *q;

	buf_append(b, "\"", 1);
	buf_puts(b, prefix);
	for (p = s; (q = strchr(p, '"')) != NULL; p = q + 1) {
		buf_append(b, p, (size_t)(q - p) + 1);
		buf_append(b, "\"", 1);
	}
	buf_puts(b, p);
	buf_append(b, "\"", 1);
}

void
csv_text(struct csv *c, const char *s)
{
	csv_sep(c);
	if (s == NULL || s[0] == '\0')
		return;
	if (csv_is_formula_like(s))
		csv_quoted(c->out, "'", s);
	else if (strpbrk(s, ",\"\r\n") != NULL)
		csv_quoted(c->out, "", s);
	else
		buf_puts(c->out, s);
}

void
csv_ident(struct csv *c, const char *s)
{
	csv_sep(c);
	if (s == NULL || s[0] == '\0')
		return;
	csv_quoted(c->out, csv_is_formula_like(s) ? "'" : "", s);
}

void
csv_amount(struct csv *c, int64_t cents)
{
	char	 d[32], *p = d + sizeof(d);
	int64_t	 v;

	csv_sep(c);
	if (cents < 0)
		return;
	/* digits by hand: this runs for every row of an export */
	*--p = (char)('0' + cents % 10);
	*--p = (char)('0' + cents / 10 % 10);
	*--p = '.';
	v = cents / 100;
	do {
		*--p = (char)('0' + v % 10);
		v /= 10;
	} while (v > 0);
	buf_append(c->out, p, (size_t)(d + sizeof(d) - p));
}

/* two digits of v (0..99) at p */
static void
two(char *p, int64_t v)
{
	p[0] = (char)('0' + v / 10);
	p[1] = (char)('0' + v % 10);
}

/* as clock_rfc3339(), without gmtime/strftime for every field: the date
 * is computed once per day (export rows come in time order) */
void
csv_datetime(struct csv *c, time_t t)
{
	char		 s[32];
	int64_t		 day, sec;
	struct tm	 tm;

	csv_sep(c);
	if (t == 0)
		return;
	day = clock_day_split(t, &sec);
	if (day != c->day) {
		gmtime_r(&t, &tm);
		c->date_len = strftime(c->date, sizeof(c->date), "%Y-%m-%d",
		    &tm);
		c->day = day;
	}
	memcpy(s, c->date, c->date_len);
	s[c->date_len] = 'T';
	two(s + c->date_len + 1, sec / 3600);
	s[c->date_len + 3] = ':';
	two(s + c->date_len + 4, sec / 60 % 60);
	s[c->date_len + 6] = ':';
	two(s + c->date_len + 7, sec % 60);
	s[c->date_len + 9] = 'Z';
	buf_append(c->out, s, c->date_len + 10);
}

void
csv_bool(struct csv *c, int v)
{
	csv_sep(c);
	buf_puts(c->out, v ? "true" : "false");
}

void
csv_end(struct csv *c)
{
	buf_append(c->out, "\r\n", 2);
	c->col = 0;
}
