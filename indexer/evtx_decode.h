/* evtx_decode.h: our own EVTX decoder, with the same contract as evtx_libevtx.h.
 *
 * Reads the file header, then every 64 KiB chunk slot after it, whether or not
 * the header counts it. A slot of zeros is unused and passed over in silence; a
 * slot that is neither zeros nor a chunk is skipped ("bad chunk signature", or
 * "truncated chunk" for a short last slot). A chunk whose header or records CRC32
 * does not match is counted in info->chunks_bad_crc and read all the same; a bad
 * file header CRC32 sets info->header_bad_crc.
 *
 * In a chunk, records are followed from offset 512 up to the free-space offset.
 * A record with a bad signature, size or size copy is skipped and ends the chunk
 * (what follows cannot be located); zeros where the next record would start end
 * it in silence (Windows leaves them when it pads a chunk). A record whose binary
 * XML cannot be decoded (binxml.h says how it is read) is skipped and the next
 * one is read. Deleted records in the slack space are not recovered.
 *
 * Events carry the chunk index; recovered is always 0. Nothing is printed. */
#ifndef EVTX_DECODE_H
#define EVTX_DECODE_H

#include <stddef.h>
#include <stdint.h>

#include "event.h"

/* The same values as LIBEVTX_E*, so a caller treats both decoders alike. */
#define EVTX_DECODE_EOPEN (-10)	/* not an EVTX file; *why says why */
#define EVTX_DECODE_ENOMEM (-11)
#define EVTX_DECODE_ESTOP (-12)	/* the sink asked to stop */

/* Decodes buf[0..len) and calls the sink per record and per skip. buf is not
 * modified and stays owned by the caller; info is filled in (also on error).
 * Returns 0 or a negative EVTX_DECODE_E* code. */
int evtx_decode_read(const uint8_t *buf, size_t len, const struct evtx_sink *sink, struct evtx_file_info *info,
		     const char **why);

/* As evtx_decode_read(), over the first `size` bytes of the open file fd, read
 * slot by slot with pread() into one 64 KiB buffer (memory does not grow with the
 * file). A slot that cannot be read is skipped ("cannot read chunk"); a file that
 * ends early is read as far as it goes. fd stays owned by the caller. */
int evtx_decode_fd(int fd, uint64_t size, const struct evtx_sink *sink, struct evtx_file_info *info,
		   const char **why);

#endif
