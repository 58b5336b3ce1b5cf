/*
 * mxcep: UUID version 4 (RFC 9562), the id of every record.
 * Only the canonical lowercase form is produced and accepted.
 */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "core/core.h"

/* uuid_v4: a random UUID "xxxxxxxx-xxxx-4xxx-[89ab]xxx-xxxxxxxxxxxx"
 * into out; 0 ok, -1 when the kernel gave no randomness (logged). */
int
uuid_v4(char out[37])
{
	static const char	 hex[] = "0123456789abcdef";
	uint8_t			 b[16];
	size_t			 i, o = 0;

	if (random_bytes(b, sizeof(b)) == -1)
		return -1;
	b[6] = (uint8_t)((b[6] & 0x0f) | 0x40);	/* version 4 */
	b[8] = (uint8_t)((b[8] & 0x3f) | 0x80);	/* variant 10 */
	for (i = 0; i < sizeof(b); i++) {
		if (i == 4 || i == 6 || i == 8 || i == 10)
			out[o++] = '-';
		out[o++] = hex[b[i] >> 4];
		out[o++] = hex[b[i] & 0x0f];
	}
	out[o] = '\0';
	return 0;
}

static int
is_lower_hex(char c)
{
	return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f');
}

/* uuid_valid: 1 when s is a canonical lowercase version 4 UUID, else 0
 * (NULL included). */
int
uuid_valid(const char *s)
{
	size_t	 i;

	if (s == NULL || strlen(s) != 36)
		return 0;
	for (i = 0; i < 36; i++) {
		if (i == 8 || i == 13 || i == 18 || i == 23) {
			if (s[i] != '-')
				return 0;
		} else if (!is_lower_hex(s[i]))
			return 0;
	}
	if (s[14] != '4')
		return 0;
	if (s[19] != '8' && s[19] != '9' && s[19] != 'a' && s[19] != 'b')
		return 0;
	return 1;
}
