/*
 * mxcep: writing a file so that a crash leaves either the old state or
 * the whole new file, never a torn one (receipt images): the bytes go to
 * a temporary file beside the target (O_EXCL, mode 0640), which is
 * fsync(2)ed, renamed over the target, and the folder fsync(2)ed so the
 * rename itself survives a power cut. Folders on the way are made (0750).
 * Paths are relative to a root and may not climb out of it.
 */
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "util/util.h"

/* 1 when rel is a plain relative path: no leading '/', no "." or ".."
 * component, no empty component, no control byte */
static int
rel_path_ok(const char *rel)
{
	const char	*p = rel, *c;
	size_t		 n;

	if (rel == NULL || *rel == '\0' || *rel == '/')
		return 0;
	for (c = rel; *c != '\0'; c++)
		if ((unsigned char)*c < 0x20 || *c == 0x7f)
			return 0;
	while (*p != '\0') {
		n = strcspn(p, "/");
		if (n == 0 || (n == 1 && p[0] == '.') ||
		    (n == 2 && p[0] == '.' && p[1] == '.'))
			return 0;
		p += n;
		if (*p == '/')
			p++;
		if (*p == '\0' && p[-1] == '/')
			return 0;
	}
	return 1;
}

/* the folders of path (root/rel) below root, made as needed */
static int
make_parents(char *path, size_t root_len)
{
	char	*s;

	for (s = path + root_len + 1; (s = strchr(s, '/')) != NULL; s++) {
		*s = '\0';
		if (mkdir(path, 0750) == -1 && errno != EEXIST) {
			*s = '/';
			return -1;
		}
		*s = '/';
	}
	return 0;
}

static int
write_all(int fd, const void *data, size_t len)
{
	const char	*p = data;
	ssize_t		 k;

	while (len > 0) {
		if ((k = write(fd, p, len)) == -1) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		p += k;
		len -= (size_t)k;
	}
	return 0;
}

/* fsync of the folder holding path */
static int
sync_parent(const char *path)
{
	char	 dir[PATH_MAX];
	char	*slash;
	int	 fd, rc;

	snprintf(dir, sizeof(dir), "%s", path);
	if ((slash = strrchr(dir, '/')) == NULL)
		return 0;
	*slash = '\0';
	if ((fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) == -1)
		return -1;
	rc = fsync(fd);
	close(fd);
	return rc;
}

int
file_write_atomic(const char *root, const char *rel, const void *data,
    size_t len)
{
	char	 path[PATH_MAX], tmp[PATH_MAX + 16];
	int	 fd = -1, n, saved;

	if (!rel_path_ok(rel)) {
		errno = EINVAL;
		return -1;
	}
	n = snprintf(path, sizeof(path), "%s/%s", root, rel);
	if (n < 0 || (size_t)n >= sizeof(path) ||
	    snprintf(tmp, sizeof(tmp), "%s.tmp%ld", path,
	    (long)getpid()) >= (int)sizeof(tmp)) {
		errno = ENAMETOOLONG;
		return -1;
	}
	if (make_parents(path, strlen(root)) == -1)
		return -1;
	(void)unlink(tmp);	/* left by a crash of a process of this pid */
	if ((fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC |
	    O_NOFOLLOW, 0640)) == -1)
		return -1;
	if (write_all(fd, data, len) == -1 || fsync(fd) == -1)
		goto fail;
	if (close(fd) == -1) {
		fd = -1;
		goto fail;
	}
	fd = -1;
	if (rename(tmp, path) == -1)
		goto fail;
	return sync_parent(path);
fail:
	saved = errno;
	if (fd != -1)
		close(fd);
	(void)unlink(tmp);
	errno = saved;
	return -1;
}
