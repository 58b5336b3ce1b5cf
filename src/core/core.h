/*
 * mxcep: pure logic with no I/O beyond the kernel's random source:
 * hashing, random tokens, UUIDs.
 */
#ifndef MXCEP_CORE_H
#define MXCEP_CORE_H

#include <stddef.h>
#include <stdint.h>

/* sha256.c */
#define SHA256_LEN	32
void	 sha256(const void *, size_t, uint8_t out[SHA256_LEN]);
/* hex of the digest into out (size >= 65) */
void	 sha256_hex(const void *, size_t, char out[2 * SHA256_LEN + 1]);

/* random.c: getrandom(2); returns 0, or -1 (logged) */
int	 random_bytes(void *, size_t);

/* uuid.c */
int	 uuid_v4(char out[37]);			/* 0 ok, -1 no randomness */
int	 uuid_valid(const char *);		/* 1 for a canonical lowercase v4 */

#endif /* MXCEP_CORE_H */
