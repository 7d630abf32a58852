/* fileio.c: whole reads by offset. */
#include <errno.h>
#include <unistd.h>

#include "fileio.h"

ssize_t fileio_read_full(int fd, void *buf, size_t n, uint64_t off)
{
	unsigned char *p = buf;
	size_t got = 0;
	while (got < n) {
		ssize_t r = pread(fd, p + got, n - got, (off_t)(off + got));
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			return -1;
		if (r == 0)
			break;
		got += (size_t)r;
	}
	return (ssize_t)got;
}
