/* text.h: small text conversions shared by the decoders and the command-line parser,
 * and the escaping of names (file paths, archive members) for display. */
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

/* Escaping for display. A name read from a file system or an archive may hold any
 * bytes; shown in a message, it must stay on one line and read as what it is. These
 * are shown as \xHH (two lower-case hex digits), byte by byte:
 *   - C0 controls (U+0000-U+001F: newline, tab, ESC...), DEL and C1 controls
 *     (U+007F-U+009F);
 *   - U+2028 LINE SEPARATOR and U+2029 PARAGRAPH SEPARATOR;
 *   - the bidirectional controls (Unicode Bidi_Control: U+061C, U+200E, U+200F,
 *     U+202A-U+202E, U+2066-U+2069), which can make a name read differently from
 *     what it is ("evil\u202Egpj.evtx" shown as "evilxtve.jpg");
 *   - invalid UTF-8: a byte that does not start a well-formed sequence (stray
 *     continuation byte, overlong form, surrogate, past U+10FFFF, cut short) is
 *     shown alone, and decoding goes on at the next byte.
 * Everything else is kept as it is, backslash included, so that a Windows path
 * reads as written. The escaped form is therefore its own escaped form (escaping
 * twice changes nothing, so an archive member path, escaped when it is made, can be
 * escaped again in a message), at the cost of one ambiguity: a name holding the
 * four characters "\x0a" is shown as one holding a newline would be. The database
 * keeps the real names. */

/* Bytes that always suffice for the escaped form of len bytes, with its NUL. */
#define TEXT_ESCAPE_ROOM(len) (4 * (size_t)(len) + 1)

/* Writes s[0..len) escaped into out[0..out_len) (out_len > 0), NUL-terminated; the
 * ASCII characters in extra (NULL: none) are escaped too. Whole characters only:
 * it stops before one whose form does not fit. Returns the number of bytes of s
 * escaped (len when all were). */
size_t text_escape_to(char *out, size_t out_len, const char *s, size_t len, const char *extra);

#define TEXT_ESCAPED_INLINE 512

/* The escaped form of one name, for one message: held in buf when it fits, else on
 * the heap. Release with text_escaped_release(). */
struct text_escaped {
	char *heap;
	char buf[TEXT_ESCAPED_INLINE];
};

/* Escapes the string s (NULL is shown as "(null)") into e and returns it; the text
 * is valid until text_escaped_release(e). Never fails: when memory runs out, the
 * text is cut to what buf holds and ends in "...". */
const char *text_escape(struct text_escaped *e, const char *s);

/* Frees what text_escape() allocated; e may be released more than once. */
void text_escaped_release(struct text_escaped *e);

#endif
