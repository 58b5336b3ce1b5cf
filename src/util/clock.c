/*
 * mxcep: the one source of "now". Tests and `mxcep-runner --now` set
 * it; everything else reads clock_now().
 */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "util/util.h"

static time_t clock_fixed;	/* 0 = follow the real clock */

time_t
clock_now(void)
{
	return clock_fixed != 0 ? clock_fixed : time(NULL);
}

int64_t
clock_now_ms(void)
{
	struct timespec	 ts;

	if (clock_fixed != 0)
		return (int64_t)clock_fixed * 1000;
	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

void
clock_set_now(time_t t)
{
	clock_fixed = t;
}

double
clock_monotonic(void)
{
	struct timespec	 ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

char *
clock_rfc3339(time_t t, char *buf, size_t n)
{
	struct tm	 tm;

	gmtime_r(&t, &tm);
	if (strftime(buf, n, "%Y-%m-%dT%H:%M:%SZ", &tm) == 0 && n > 0)
		buf[0] = '\0';
	return buf;
}

int64_t
clock_day_split(time_t t, int64_t *secs)
{
	int64_t	 days = (int64_t)t / 86400, s = (int64_t)t % 86400;

	if (s < 0) {			/* before 1970: C division truncates */
		s += 86400;
		days--;
	}
	*secs = s;
	return days;
}

/*
 * Accepts "YYYY-MM-DDTHH:MM:SSZ" (also "+00:00", fractions dropped).
 * Returns 0, or -1 for anything else.
 */
int
clock_parse_rfc3339(const char *s, time_t *out)
{
	struct tm	 tm;
	const char	*p;

	memset(&tm, 0, sizeof(tm));
	if ((p = strptime(s, "%Y-%m-%dT%H:%M:%S", &tm)) == NULL)
		return -1;
	if (*p == '.') {
		p++;
		if (*p < '0' || *p > '9')
			return -1;
		while (*p >= '0' && *p <= '9')
			p++;
	}
	if (strcmp(p, "Z") != 0 && strcmp(p, "+00:00") != 0)
		return -1;
	if (tm.tm_mon < 0 || tm.tm_mon > 11 || tm.tm_mday < 1 ||
	    tm.tm_mday > 31 || tm.tm_hour > 23 || tm.tm_min > 59 ||
	    tm.tm_sec > 60)
		return -1;
	*out = timegm(&tm);
	return 0;
}
