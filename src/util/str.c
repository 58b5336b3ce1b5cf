/*
 * mxcep: small predicates on C strings shared by the layers above
 * (banxico's query and CEP checks); UTF-8 is in utf8.c.
 */
#include <string.h>

#include "util/util.h"

int
str_is_digits(const char *s, size_t min, size_t max)
{
	size_t	 n;

	if (s == NULL || (n = strlen(s)) < min || n > max)
		return 0;
	for (; *s != '\0'; s++)
		if (*s < '0' || *s > '9')
			return 0;
	return 1;
}
