/* fileio.h: reading evidence files by offset. */
#ifndef FILEIO_H
#define FILEIO_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

/* pread() until n bytes or the end of the file (retrying on EINTR); returns the
 * number of bytes read, or -1 with errno set. */
ssize_t fileio_read_full(int fd, void *buf, size_t n, uint64_t off);

#endif
