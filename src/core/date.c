/*
 * mxcep: calendar dates without time or zone: the API's "YYYY-MM-DD",
 * Banxico's "DD-MM-YYYY" (the valida.do fecha field). Proleptic
 * Gregorian calendar, years 1..9999. No I/O, no locale, no time_t.
 * Also the day number of a date, for turning database datetimes into
 * seconds.
 */
#include <stdio.h>
#include <string.h>

#include "core/core.h"

int
date_is_leap(int y)
{
	return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

/* date_days_in_month: 28..31, or 0 for a month outside 1..12 */
int
date_days_in_month(int y, int m)
{
	static const int	 days[12] = { 31, 28, 31, 30, 31, 30, 31, 31,
	    30, 31, 30, 31 };

	if (m < 1 || m > 12)
		return 0;
	return m == 2 && date_is_leap(y) ? 29 : days[m - 1];
}

/* date_valid: 1 when y-m-d exists in the calendar (year 1..9999) */
int
date_valid(int y, int m, int d)
{
	return y >= 1 && y <= 9999 && d >= 1 && d <= date_days_in_month(y, m);
}

/*
 * date_days_since_epoch: the days from 1970-01-01 to the valid date
 * y-m-d (negative before it). A time_t is then days * 86400 + seconds,
 * with no timegm(), which consults the time zone machinery on every call
 * (an export converts two or three datetimes per row).
 */
long long
date_days_since_epoch(int y, int m, int d)
{
	static const int	 before[12] = { 0, 31, 59, 90, 120, 151, 181,
				    212, 243, 273, 304, 334 };
	long long		 py = y - 1, n;

	n = py * 365 + py / 4 - py / 100 + py / 400 + before[m - 1] + d - 1;
	if (m > 2 && date_is_leap(y))
		n++;
	return n - 719162;		/* 0001-01-01 .. 1970-01-01 */
}

/*
 * date_from_days: the date of day number days (1970-01-01 = 0), the
 * inverse of date_days_since_epoch (civil_from_days, H. Hinnant), for
 * any day number: year 10000 is given as such.
 */
void
date_from_days(long long days, struct date *out)
{
	long long	 z = days + 719468, era, doe, yoe, doy, mp, y;

	era = (z >= 0 ? z : z - 146096) / 146097;
	doe = z - era * 146097;
	yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	y = yoe + era * 400;
	doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	mp = (5 * doy + 2) / 153;
	out->day = (int)(doy - (153 * mp + 2) / 5 + 1);
	out->month = (int)(mp < 10 ? mp + 3 : mp - 9);
	out->year = (int)(y + (out->month <= 2));
}

/* date_month_start: the 1st of days' month, months later */
long long
date_month_start(long long days, int months)
{
	struct date	 d;
	long long	 m;

	date_from_days(days, &d);
	m = (long long)d.year * 12 + (d.month - 1) + months;
	return date_days_since_epoch((int)(m / 12), (int)(m % 12) + 1, 1);
}

/* num: the value of exactly n ASCII digits at s, or -1 */
static int
num(const char *s, size_t n)
{
	size_t	 i;
	int	 v = 0;

	for (i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -1;
		v = v * 10 + (s[i] - '0');
	}
	return v;
}

static int
date_set(struct date *out, int y, int m, int d)
{
	if (!date_valid(y, m, d))
		return -1;
	out->year = y;
	out->month = m;
	out->day = d;
	return 0;
}

/* date_parse_iso: exactly "YYYY-MM-DD" naming a real day; 0, or -1
 * (out untouched) for any other text ("2024-2-1", "2023-02-29", ...). */
int
date_parse_iso(const char *s, struct date *out)
{
	if (s == NULL || strlen(s) != 10 || s[4] != '-' || s[7] != '-')
		return -1;
	return date_set(out, num(s, 4), num(s + 5, 2), num(s + 8, 2));
}

/* date_parse_banxico: exactly "DD-MM-YYYY" (the portal's form); 0/-1 */
int
date_parse_banxico(const char *s, struct date *out)
{
	if (s == NULL || strlen(s) != 10 || s[2] != '-' || s[5] != '-')
		return -1;
	return date_set(out, num(s + 6, 4), num(s + 3, 2), num(s, 2));
}

/* date_format_iso: "YYYY-MM-DD" into out; returns out */
char *
date_format_iso(const struct date *dt, char out[DATE_FMT_SIZE])
{
	snprintf(out, DATE_FMT_SIZE, "%04d-%02d-%02d", dt->year % 10000,
	    dt->month % 100, dt->day % 100);
	return out;
}

/* date_format_banxico: "DD-MM-YYYY" into out; returns out */
char *
date_format_banxico(const struct date *dt, char out[DATE_FMT_SIZE])
{
	snprintf(out, DATE_FMT_SIZE, "%02d-%02d-%04d", dt->day % 100,
	    dt->month % 100, dt->year % 10000);
	return out;
}
