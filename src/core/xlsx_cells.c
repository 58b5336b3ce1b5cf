/*
 * mxcep: the cells of the streaming XLSX writer: "<c r=.. s=.. t=..>"
 * for text (inline strings, XML-escaped, never a formula), exact
 * amounts from centavos, dates and datetimes as Excel serials, and
 * booleans, appended to the sheet's XML (see xlsx.c).
 */
#include <stdint.h>
#include <string.h>
#include <time.h>

#include "core/xlsx_int.h"

#define XLSX_STYLE_DIGIT	'0'		/* s="N": N = enum xlsx_style */

/* bytes xlsx_escape must look at: controls, " & < > _ and non-ASCII */
static const unsigned char xml_special[256] = {
	1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,	/* 0x00 */
	1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
	0, 0, 1, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0,	/* 0x20 " & */
	0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0, 1, 0,	/* 0x30 < > */
	0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,	/* 0x40 */
	0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1,	/* 0x50 _ */
	0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,	/* 0x60 */
	0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,	/* 0x70 */
	1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,	/* 0x80 */
	1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
	1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
	1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
	1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
	1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
	1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
	1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
};

static int
is_hex(unsigned char c)
{
	return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') ||
	    (c >= 'A' && c <= 'F');
}

/*
 * The length of the well-formed UTF-8 character at s (n bytes left) that
 * XML 1.0 allows, or 0: overlong forms, surrogates, U+FFFE/U+FFFF, above
 * U+10FFFF and truncated sequences are 0.
 */
static size_t
utf8_char(const unsigned char *s, size_t n)
{
	size_t	 k = utf8_char_len(s, n);	/* strict RFC 3629 (util) */

	if (k == 3 && s[0] == 0xef && s[1] == 0xbf && s[2] >= 0xbe)
		return 0;			/* U+FFFE, U+FFFF */
	return k;
}

/*
 * s (n bytes) as XML character data: & < > escaped (and " when attr),
 * CR as &#13; (a parser would make it LF), other C0 controls but TAB and
 * LF dropped (XML 1.0 has no way to write them), bytes that are not
 * well-formed UTF-8 replaced by U+FFFD, and "_" escaped as _x005F_ where
 * it starts an OOXML escape (_xHHHH_) so the text reads back as written.
 * Needs 7 * n bytes of room at most.
 */
void
xlsx_escape(struct xlsx *x, const char *str, size_t n, int attr)
{
	const unsigned char	*s = (const unsigned char *)str;
	size_t			 i = 0, run, k;
	unsigned char		 c;

	xml_reserve(x, 7 * n);
	while (i < n) {
		for (run = i; run < n && !xml_special[s[run]]; run++)
			;
		xml_put(x, (const char *)s + i, run - i);
		if ((i = run) == n)
			break;
		c = s[i];
		if (c >= 0x80) {
			if ((k = utf8_char(s + i, n - i)) == 0) {
				XML_LIT(x, "\xef\xbf\xbd");
				k = 1;
			} else
				xml_put(x, (const char *)s + i, k);
			i += k;
			continue;
		}
		i++;
		switch (c) {
		case '&':
			XML_LIT(x, "&amp;");
			break;
		case '<':
			XML_LIT(x, "&lt;");
			break;
		case '>':
			XML_LIT(x, "&gt;");
			break;
		case '"':
			if (attr)
				XML_LIT(x, "&quot;");
			else
				XML_LIT(x, "\"");
			break;
		case '_':
			if (n - i >= 6 && s[i] == 'x' && is_hex(s[i + 1]) &&
			    is_hex(s[i + 2]) && is_hex(s[i + 3]) &&
			    is_hex(s[i + 4]) && s[i + 5] == '_')
				XML_LIT(x, "_x005F_");
			else
				XML_LIT(x, "_");
			break;
		case '\t':
		case '\n':
			xml_put(x, (const char *)&c, 1);
			break;
		case '\r':
			XML_LIT(x, "&#13;");
			break;
		default:
			break;		/* other C0 controls: dropped */
		}
	}
}

/*
 * "<c r=.. s=.. t=..>" of the next cell; 64 bytes. The reference is on
 * every cell, as Excel writes it: the standard makes it optional, but
 * some readers place a cell by its r alone.
 */
static void
xml_cell(struct xlsx *x, enum xlsx_style style, const char *type)
{
	char	 s[8] = " s=\"0\"";

	xml_reserve(x, 64);
	XML_LIT(x, "<c r=\"");
	xml_col(x, x->col);
	xml_dec(x, x->row);
	XML_LIT(x, "\"");
	if (style != XLSX_STYLE_GENERAL) {
		s[4] = (char)(XLSX_STYLE_DIGIT + style);
		xml_put(x, s, 6);
	}
	if (type != NULL) {
		XML_LIT(x, " t=\"");
		xml_put(x, type, strlen(type));
		XML_LIT(x, "\"");
	}
	XML_LIT(x, ">");
	x->col++;
}


void
xlsx_blank(struct xlsx *x)
{
	x->col++;
}

void
xlsx_text(struct xlsx *x, const char *s, enum xlsx_style style)
{
	size_t	 n;
	int	 pre;

	if (s == NULL || s[0] == '\0') {
		xlsx_blank(x);
		return;
	}
	n = strlen(s);
	/* Excel trims leading and trailing blanks unless told not to */
	pre = strchr(" \t\n\r", s[0]) != NULL ||
	    strchr(" \t\n\r", s[n - 1]) != NULL;
	xml_cell(x, style, "inlineStr");
	if (pre)
		xml_puts(x, "<is><t xml:space=\"preserve\">");
	else
		xml_append(x, "<is><t>", sizeof("<is><t>") - 1);
	xlsx_escape(x, s, n, 0);
	xml_append(x, "</t></is></c>", sizeof("</t></is></c>") - 1);
}

void
xlsx_amount(struct xlsx *x, int64_t cents)
{
	char	 d[32], *p;

	if (cents < 0) {
		xlsx_blank(x);
		return;
	}
	/* exact: "1234.50" from integer centavos, never through a double */
	p = d + sizeof(d);
	*--p = (char)('0' + cents % 10);
	*--p = (char)('0' + cents / 10 % 10);
	*--p = '.';
	p = xlsx_dec(p, (uint64_t)(cents / 100));
	xml_cell(x, XLSX_STYLE_AMOUNT, NULL);
	xml_reserve(x, 48);
	XML_LIT(x, "<v>");
	xml_put(x, p, (size_t)(d + sizeof(d) - p));
	XML_LIT(x, "</v></c>");
}

/*
 * days (since 1970-01-01) and seconds into the day as an Excel serial
 * (1900 date system: day 1 is 1900-01-01, and Excel counts a 1900-02-29
 * that never was, so from 1900-03-01 on serial = days since 1899-12-30);
 * the fraction with 10 decimals (9 microseconds). 0 when before 1900.
 */
static int
xml_serial(struct xlsx *x, int64_t days, int64_t secs, enum xlsx_style style)
{
	int64_t		 serial = days + 25569;
	uint64_t	 frac;
	char		 d[16], *p;
	size_t		 n;

	if (serial < 61)
		serial--;			/* before Excel's 1900-02-29 */
	if (serial < 1)
		return 0;
	xml_cell(x, style, NULL);
	xml_reserve(x, 48);
	XML_LIT(x, "<v>");
	xml_dec(x, (uint64_t)serial);
	if (secs > 0) {
		frac = ((uint64_t)secs * UINT64_C(10000000000) + 43200) / 86400;
		p = d + sizeof(d);
		for (n = 0; n < 10; n++) {
			*--p = (char)('0' + frac % 10);
			frac /= 10;
		}
		for (n = 10; n > 0 && p[n - 1] == '0'; n--)
			;
		XML_LIT(x, ".");
		xml_put(x, p, n);
	}
	XML_LIT(x, "</v></c>");
	return 1;
}

void
xlsx_datetime(struct xlsx *x, time_t t)
{
	int64_t	 days, secs;
	char	 s[32];

	if (t == 0) {
		xlsx_blank(x);
		return;
	}
	days = clock_day_split(t, &secs);
	if (!xml_serial(x, days, secs, XLSX_STYLE_DATETIME))
		xlsx_text(x, clock_rfc3339(t, s, sizeof(s)), XLSX_STYLE_GENERAL);
}

void
xlsx_date(struct xlsx *x, const char *iso)
{
	struct date	 dt;

	if (iso == NULL || iso[0] == '\0') {
		xlsx_blank(x);
		return;
	}
	if (date_parse_iso(iso, &dt) == -1 || !xml_serial(x,
	    date_days_since_epoch(dt.year, dt.month, dt.day), 0, XLSX_STYLE_DATE))
		xlsx_text(x, iso, XLSX_STYLE_GENERAL);
}

void
xlsx_bool(struct xlsx *x, int v)
{
	xml_cell(x, XLSX_STYLE_GENERAL, "b");
	xml_append(x, v ? "<v>1</v></c>" : "<v>0</v></c>", 12);
}
