/* binxml_text.h: the text of binary XML values, written the way libevtx 20181227
 * writes them, into a growable buffer with a hard cap.
 *
 * Strings come out as they are meant to be read, not XML-escaped. Where this
 * differs from libevtx it is on purpose: characters outside the BMP are decoded
 * from their surrogate pair; an embedded NUL, which a C string cannot carry,
 * becomes U+FFFD and the text after it is kept (trailing NULs are dropped); value
 * types libevtx cannot write (EvtHandle, EvtXml, unknown) come out as upper-case
 * hex of their bytes, as does a fixed-size value whose size is wrong. */
#ifndef BINXML_TEXT_H
#define BINXML_TEXT_H

#include <stddef.h>
#include <stdint.h>

#define BINXML_TEXT_ENOMEM (-1)	/* out of memory */
#define BINXML_TEXT_ETOOBIG (-2)	/* past BINXML_TEXT_MAX */

/* Bytes of decoded text one record may produce (its values can be repeated). */
#define BINXML_TEXT_MAX ((size_t)32 << 20)

struct binxml_text {
	char *buf;
	size_t len;
	size_t cap;
};

void binxml_text_init(struct binxml_text *t);
void binxml_text_release(struct binxml_text *t);

/* Makes room for n more bytes after len. The functions below return 0 or one of
 * BINXML_TEXT_ENOMEM, BINXML_TEXT_ETOOBIG. */
int binxml_text_reserve(struct binxml_text *t, size_t n);
int binxml_text_append(struct binxml_text *t, const char *s, size_t n);
/* Appends a NUL (the end of one string); the next string starts after it. */
int binxml_text_end(struct binxml_text *t);
/* Appends the UTF-8 form of one code point (U+FFFD for 0, surrogates and > U+10FFFF). */
int binxml_text_codepoint(struct binxml_text *t, uint32_t cp);

/* Appends UTF-16LE text of n bytes (an odd last byte is ignored). */
int binxml_text_utf16(struct binxml_text *t, const uint8_t *p, size_t n);
/* Appends Windows-1252 text (libevtx's default code page) of n bytes. */
int binxml_text_ansi(struct binxml_text *t, const uint8_t *p, size_t n);
/* Appends upper-case hex of n bytes. */
int binxml_text_hex(struct binxml_text *t, const uint8_t *p, size_t n);

/* Appends the text of one value of type `type` (an EVTX_VALUE_* without the array
 * flag) held in p[0..n). NULL gives nothing; BINXML is not text and gives hex. */
int binxml_text_value(struct binxml_text *t, unsigned type, const uint8_t *p, size_t n);

/* Size of one item of an array of `type`, 0 for strings (NUL-separated) and for
 * types that cannot be in an array. */
size_t binxml_text_item_size(unsigned type);

#endif
