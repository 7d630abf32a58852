/* targets.h: the fuzz entry points over the byte parsers, shared by the libFuzzer
 * harnesses (tests/fuzz/fuzz_*.c) and the replay unit test (tests/unit/
 * test_fuzz_replay.c), so that a saved input runs through the same code in both.
 *
 * Each takes any bytes, never prints, frees all it allocates and returns 0; a
 * bug shows as a sanitizer report, a crash or a hang. */
#ifndef FUZZ_TARGETS_H
#define FUZZ_TARGETS_H

#include <stddef.h>
#include <stdint.h>

/* The whole-file decoder on data as an EVTX file: in memory (evtx_decode_read) and
 * as a file read with pread (evtx_decode_fd, on a memfd). */
int fuzz_target_evtx_decode(const uint8_t *data, size_t len);

/* The binary XML decoder on data as one chunk: every record found from offset 512
 * is decoded as evtx_decode.c would, and when none is found, [512, len) (or the
 * whole buffer when shorter) is decoded as one record's binary XML. */
int fuzz_target_binxml(const uint8_t *data, size_t len);

/* The libevtx path (indexer/evtx_libevtx.c) on data as an EVTX file: in memory,
 * live and recovered records (evtx_libevtx_read: padded and repaired private
 * copies); then as a file on a memfd, recovered alone (evtx_libevtx_read_fd: chunk
 * by chunk, each behind a copy of the header) and, when the last byte is odd, live
 * and recovered (libbfio's file handle, or a mapping). libevtx itself is not
 * instrumented: a fault inside it shows as a crash or a hang, an overrun of our
 * buffers as a sanitizer report. Calls evtx_libevtx_global_init() the first time. */
int fuzz_target_libevtx(const uint8_t *data, size_t len);

/* container_scan_buffer on data with tight limits (FUZZ_CONTAINER_* in targets.c). */
int fuzz_target_container(const uint8_t *data, size_t len);

/* svc_parse and svc_textbook_match on data as a command line; when data holds a
 * NUL byte, what comes before it is the image path and what follows the command
 * line. */
int fuzz_target_svc_action(const uint8_t *data, size_t len);

#endif
