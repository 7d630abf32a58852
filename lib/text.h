/* text.h: small text conversions shared by the decoders and the command-line parser. */
#ifndef TEXT_H
#define TEXT_H

#include <stddef.h>
#include <stdint.h>

/* Converts UTF-16LE bytes to UTF-8 in out (NUL-terminated, truncated to fit).
 * Unpaired surrogates become U+FFFD; conversion stops at a NUL code unit when
 * stop_at_nul is set. Returns the UTF-8 length written (without the NUL). */
size_t text_utf16le_to_utf8(const uint8_t *in, size_t in_len, int stop_at_nul, char *out, size_t out_len);

/* Decodes a hex string ("4A00..", any case) into bytes. Returns the number of bytes
 * written, or -1 when the text is not hex or does not fit. */
long text_hex_decode(const char *hex, uint8_t *out, size_t out_len);

#endif
