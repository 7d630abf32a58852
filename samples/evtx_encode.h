/* evtx_encode.h: turns text into the byte forms EVTX stores (UTF-16LE, SIDs,
 * GUIDs) and computes the name hash of the chunk string table.
 *
 * Pure functions: no allocation, output goes into caller buffers. */
#ifndef EVTX_ENCODE_H
#define EVTX_ENCODE_H

#include <stddef.h>
#include <stdint.h>

#define EVTX_ENCODE_EINVAL	(-1)	/* malformed input text */
#define EVTX_ENCODE_ENOSPACE	(-2)	/* the output buffer is too small */

/* Converts NUL-terminated UTF-8 to UTF-16LE without a terminator. With out
 * NULL only counts. *n_units receives the number of UTF-16 code units (bytes / 2).
 * Rejects overlong forms, surrogates encoded in UTF-8 and code points above U+10FFFF. */
int evtx_encode_utf16(const char *s, uint8_t *out, size_t cap, size_t *n_units);

/* Parses "S-1-5-21-...". Writes the binary SID (at most EVTX_SID_MAX_SIZE bytes)
 * into out and its length into *len. */
int evtx_encode_sid(const char *s, uint8_t *out, size_t cap, size_t *len);

/* Parses a GUID "{xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx}" (braces optional, any
 * case) into the 16-byte Windows layout (first three groups little-endian). */
int evtx_encode_guid(const char *s, uint8_t out[16]);

/* Hash of a name as the chunk string table keys it: over its UTF-16 code units,
 * h = h * 65599 + unit, low 16 bits. The name must be valid UTF-8. */
uint16_t evtx_encode_name_hash(const char *name);

#endif
