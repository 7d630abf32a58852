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
 * A record with a bad signature, size or size copy is skipped and ends the walk
 * (what follows cannot be located from it); zeros where the next record would
 * start end it in silence (Windows leaves them when it pads a chunk). A record
 * whose binary XML cannot be decoded (binxml.h says how it is read) is skipped
 * and the next one is read. These are the live records.
 *
 * Then the rest of the chunk, from where the walk ended (8 bytes past a record
 * whose framing was wrong) to the end of the chunk, is searched for records:
 * deleted records left in slack space, and in a damaged chunk the live records
 * past the damage. A record there starts with the signature at a chunk offset
 * that is a multiple of 8, its size leaves room for a fragment header and fits
 * in the chunk, its size copy matches, and its binary XML starts with a fragment
 * header; anything else is not a record and is passed over. Such a record is
 * decoded like a live one, against the same chunk (a template or name it refers
 * to may have been overwritten since: binxml.h lists the checks that catch it,
 * names are checked in its strict mode), and delivered with recovered = 1; one
 * that cannot be decoded is skipped with recovered = 1. The search goes on past
 * a decoded record, or 8 bytes further after any other. Live records of a chunk
 * past the header's chunk count are live, not recovered.
 *
 * Events carry the chunk index. Nothing is printed. */
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

/* As evtx_decode_fd(), for chunk slots [first_chunk, first_chunk + n_chunks) only
 * (slots past the end of the file are not there): the file header is read and info
 * filled in from it as usual, chunks_read and chunks_bad_crc count those slots
 * only, and events and skips carry the same chunk indexes as in a whole-file
 * decode. Decoding a file in consecutive ranges gives the events and skips of
 * evtx_decode_fd(), in the same order; evtx_decode_fd() is the range of all slots.
 * The file is read with pread(): calls on the same fd may run at once. */
int evtx_decode_fd_chunks(int fd, uint64_t size, uint32_t first_chunk, uint32_t n_chunks, const struct evtx_sink *sink,
			  struct evtx_file_info *info, const char **why);

#endif
