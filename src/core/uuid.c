/*
 * mxcep: UUID version 4 (RFC 9562), the id of every record.
 * Only the canonical lowercase form is produced and accepted.
 */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "core/core.h"

/* the version and variant bits set in b, its canonical form into out */
static void
uuid_format(uint8_t b[16], char out[37])
{
	static const char	 hex[] = "0123456789abcdef";
	size_t			 i, o = 0;

	b[6] = (uint8_t)((b[6] & 0x0f) | 0x40);	/* version 4 */
	b[8] = (uint8_t)((b[8] & 0x3f) | 0x80);	/* variant 10 */
	for (i = 0; i < 16; i++) {
		if (i == 4 || i == 6 || i == 8 || i == 10)
			out[o++] = '-';
		out[o++] = hex[b[i] >> 4];
		out[o++] = hex[b[i] & 0x0f];
	}
	out[o] = '\0';
}

/* uuid_v4: a random UUID "xxxxxxxx-xxxx-4xxx-[89ab]xxx-xxxxxxxxxxxx"
 * into out; 0 ok, -1 when the kernel gave no randomness (logged). */
int
uuid_v4(char out[37])
{
	uint8_t		 b[16];

	if (random_bytes(b, sizeof(b)) == -1)
		return -1;
	uuid_format(b, out);
	return 0;
}

/* SplitMix64's finaliser: a bijection of 64-bit words that spreads
 * every input bit over the output */
static uint64_t
uuid_mix64(uint64_t z)
{
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

/* uuid_gen_next: the generator's next v4 UUID into out; 0 ok, -1 when
 * it could not be seeded (logged; the next call tries again).
 * Each half is a bijection of a counter that moves by an odd step, so
 * no value comes back before 2^64 ids; two processes (or one after a
 * restart) start from independent 128-bit random points, so their ids
 * meet with the odds of two random v4 UUIDs. */
int
uuid_gen_next(struct uuid_gen *g, char out[37])
{
	uint8_t		 b[16];
	uint64_t	 hi, lo;
	size_t		 i;

	if (!g->seeded) {
		if (random_bytes(g->s, sizeof(g->s)) == -1)
			return -1;
		g->seeded = 1;
	}
	g->s[0] += 0x9e3779b97f4a7c15ULL;	/* 2^64 / golden ratio */
	g->s[1] += 0xd1b54a32d192ed03ULL;	/* another odd step */
	hi = uuid_mix64(g->s[0]);
	lo = uuid_mix64(g->s[1]);
	for (i = 0; i < 8; i++) {
		b[i] = (uint8_t)(hi >> (56 - 8 * i));
		b[8 + i] = (uint8_t)(lo >> (56 - 8 * i));
	}
	uuid_format(b, out);
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
