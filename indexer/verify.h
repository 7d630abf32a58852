/* verify.h: decodes one EVTX image with both decoders (ours and libevtx) and
 * reports every record on which they disagree. No SQLite here. */
#ifndef VERIFY_H
#define VERIFY_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

/* Compares the live records of buf[0..len) as both decoders see them: each
 * record present in one only, and each value that differs, is one disagreement,
 * written as a line to out ("verify: 'PATH' record N: ...", at most `max_lines`
 * lines per file; the path and the record texts escaped for display, text.h).
 * Returns the number of disagreements, or -1 when out of memory. */
long verify_buffer(const char *display_path, const uint8_t *buf, size_t len, FILE *out, unsigned max_lines);

#endif
