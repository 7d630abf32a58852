/* evtx_libevtx.h: decodes an EVTX image, in memory or in a file, through libevtx.
 *
 * libevtx is opened on a libbfio memory-range handle over the caller's bytes (no
 * temp file), or on a libbfio file handle. When libevtx refuses the file because
 * of a bad chunk header, a private copy with the bad chunk slots zeroed is opened
 * instead and every zeroed slot is reported as skipped. Records libevtx cannot
 * render are skipped and reported; recovered (deleted/stale) records are passed on with recovered=1.
 *
 * Before libevtx reads any record, every chunk is walked as libevtx walks it, and
 * binary XML that libevtx 20181227 cannot read safely (a template instance that
 * claims more values than its record or chunk holds: SECURITY.md) is kept from it
 * in a private copy; each record so kept is reported as skipped with a reason that
 * starts "kept from libevtx". A file where that would mean changing bytes libevtx
 * reads on opening is refused (LIBEVTX_EOPEN). */
#ifndef EVTX_LIBEVTX_H
#define EVTX_LIBEVTX_H

#include <stddef.h>
#include <stdint.h>

#include "event.h"

#define LIBEVTX_EOPEN (-10)	/* libevtx cannot open the file even after repair */
#define LIBEVTX_ENOMEM (-11)
#define LIBEVTX_ESTOP (-12)	/* the sink asked to stop */

/* Must be called once on the main thread before any decoding (libevtx has lazy
 * global state that is not thread safe on first use). */
void evtx_libevtx_global_init(void);

/* Decodes buf[0..len) and calls the sink per record. buf is not modified and stays
 * owned by the caller. info is filled in. On LIBEVTX_EOPEN, *why says why.
 * Returns 0 or a negative LIBEVTX_E* code. */
int evtx_libevtx_read(const uint8_t *buf, size_t len, const struct evtx_sink *sink,
		      struct evtx_file_info *info, const char **why);

/* What evtx_libevtx_read_some() passes on: live records, recovered ones, or both. */
#define LIBEVTX_LIVE 1u
#define LIBEVTX_RECOVERED 2u

/* As evtx_libevtx_read(), for the records in `what` only. With LIBEVTX_RECOVERED
 * alone, it adds libevtx's slack-space recovery to another decoder's live records
 * (bad chunks are then not reported again). */
int evtx_libevtx_read_some(const uint8_t *buf, size_t len, const struct evtx_sink *sink,
			   struct evtx_file_info *info, const char **why, unsigned what);

/* As evtx_libevtx_read_some(), for the first `size` bytes of the open file fd,
 * found at path: libevtx reads the file through a libbfio file handle, so it is
 * never mapped whole, after the file has been checked a chunk at a time. A file
 * that ends inside a chunk, whose chunk headers libevtx refuses (to be zeroed), or
 * that holds anything to keep from libevtx, is mapped privately (pages changed are
 * copied, never written back) and read as in memory instead. With
 * LIBEVTX_RECOVERED alone, each chunk is opened on its own behind a copy of the
 * file header (libevtx's memory grows with the records of what it opens): the
 * same recovered records, in the same order, in memory that does not grow with the
 * file, and each event and skip carries the index of its chunk (elsewhere libevtx
 * records carry EVENT_NO_CHUNK). fd stays owned by the caller. */
int evtx_libevtx_read_fd(int fd, const char *path, uint64_t size, const struct evtx_sink *sink,
			 struct evtx_file_info *info, const char **why, unsigned what);

#endif
