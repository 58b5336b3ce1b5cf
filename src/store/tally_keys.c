/*
 * mxcep: the amount-bucket and bank keys of the tallies (tally_keys.h).
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "store/tally_keys.h"

/* whole pesos below 10^AMOUNT_BUCKET_DIGITS, then the first
 * AMOUNT_BUCKET_DIGITS digits, as in the 'ab' rows */
void
amount_bucket(int64_t pesos, int64_t *lower, int64_t *width)
{
	int64_t	 span = 1, w = 1;
	int	 i;

	for (i = 0; i < AMOUNT_BUCKET_DIGITS; i++)
		span *= 10;
	for (; pesos / w >= span; w *= 10)
		;
	*width = w;
	*lower = pesos / w * w;
}

/* digits without a leading zero (as the be/br/bs rows are kept) */
long long
tally_bank(const char *code)
{
	size_t	 n = strlen(code);

	if (n == 0 || n > TALLY_BANK_DIGITS || code[0] == '0' ||
	    strspn(code, "0123456789") != n)
		return -1;
	return strtoll(code, NULL, 10);
}
