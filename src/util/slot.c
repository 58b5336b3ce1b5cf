/*
 * mxcep: host-wide slots: at most max holders of a name at once, across
 * every process of the host, from flock(2) on small files in lock_dir
 * (one file per slot: <name>.<i>). The kernel drops a lock when the last
 * descriptor of its open file goes, so a process that dies, even by
 * SIGKILL, frees its slot at once: nothing to expire, nothing to clean,
 * no round trip to a server (memcached or MariaDB would need a lease
 * and its renewal, and could leak a slot for the lease's length).
 */
#include <sys/file.h>

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <unistd.h>

#include "util/util.h"

int
slot_take(const char *dir, const char *name, int max)
{
	char	 path[1024];
	int	 i, fd, n, e;

	for (i = 0; i < max; i++) {
		n = snprintf(path, sizeof(path), "%s/%s.%d", dir, name, i);
		if (n < 0 || (size_t)n >= sizeof(path)) {
			errno = ENAMETOOLONG;
			return SLOT_ERROR;
		}
		if ((fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW,
		    0600)) == -1)
			return SLOT_ERROR;
		if (flock(fd, LOCK_EX | LOCK_NB) == 0)
			return fd;
		e = errno;
		close(fd);
		if (e != EWOULDBLOCK) {
			errno = e;
			return SLOT_ERROR;
		}
	}
	return SLOT_FULL;
}

void
slot_release(int fd)
{
	if (fd >= 0)
		close(fd);	/* the lock goes with the last descriptor */
}
