/*
 * mxcep: random bytes from the kernel (getrandom(2)), for key secrets
 * and UUIDs. Never falls back to a weaker source.
 */
#include <errno.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/random.h>

#include "core/core.h"
#include "util/util.h"

/* random_bytes: fill p with n bytes; 0 ok, -1 (logged) on failure. */
int
random_bytes(void *p, size_t n)
{
	uint8_t		*q = p;
	ssize_t		 r;

	while (n > 0) {
		r = getrandom(q, n, 0);
		if (r == -1) {
			if (errno == EINTR)
				continue;
			log_warn("%s: getrandom", __func__);
			return -1;
		}
		q += r;
		n -= (size_t)r;
	}
	return 0;
}
