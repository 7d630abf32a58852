/* text.c: UTF-16LE to UTF-8, hex decoding, and names escaped for display. */
#include <stdlib.h>
#include <string.h>

#include "text.h"

static size_t put_utf8(uint32_t cp, char *o, size_t room)
{
	char b[4];
	size_t n;
	if (cp < 0x80) {
		b[0] = (char)cp;
		n = 1;
	} else if (cp < 0x800) {
		b[0] = (char)(0xC0 | (cp >> 6));
		b[1] = (char)(0x80 | (cp & 0x3F));
		n = 2;
	} else if (cp < 0x10000) {
		b[0] = (char)(0xE0 | (cp >> 12));
		b[1] = (char)(0x80 | ((cp >> 6) & 0x3F));
		b[2] = (char)(0x80 | (cp & 0x3F));
		n = 3;
	} else {
		b[0] = (char)(0xF0 | (cp >> 18));
		b[1] = (char)(0x80 | ((cp >> 12) & 0x3F));
		b[2] = (char)(0x80 | ((cp >> 6) & 0x3F));
		b[3] = (char)(0x80 | (cp & 0x3F));
		n = 4;
	}
	if (n > room)
		return 0;
	for (size_t i = 0; i < n; i++)
		o[i] = b[i];
	return n;
}

size_t text_utf16le_to_utf8(const uint8_t *in, size_t in_len, int stop_at_nul, char *out, size_t out_len)
{
	size_t o = 0;
	if (out_len == 0)
		return 0;
	for (size_t i = 0; i + 1 < in_len; i += 2) {
		uint32_t cp = (uint32_t)in[i] | ((uint32_t)in[i + 1] << 8);
		if (cp == 0 && stop_at_nul)
			break;
		if (cp >= 0xD800 && cp < 0xDC00 && i + 3 < in_len) {
			uint32_t lo = (uint32_t)in[i + 2] | ((uint32_t)in[i + 3] << 8);
			if (lo >= 0xDC00 && lo < 0xE000) {
				cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
				i += 2;
			} else {
				cp = 0xFFFD;
			}
		} else if (cp >= 0xD800 && cp < 0xE000) {
			cp = 0xFFFD;
		}
		size_t n = put_utf8(cp, out + o, out_len - 1 - o);
		if (n == 0)
			break;
		o += n;
	}
	out[o] = '\0';
	return o;
}

static int hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

long text_hex_decode(const char *hex, uint8_t *out, size_t out_len)
{
	size_t n = 0;
	for (; hex[0] && hex[1]; hex += 2) {
		int a = hexval(hex[0]), b = hexval(hex[1]);
		if (a < 0 || b < 0 || n >= out_len)
			return -1;
		out[n++] = (uint8_t)(a << 4 | b);
	}
	return hex[0] ? -1 : (long)n;
}

/* Length of the well-formed UTF-8 sequence at p[0..n) (its code point in *cp), or 0. */
static size_t utf8_seq(const uint8_t *p, size_t n, uint32_t *cp)
{
	size_t len;
	uint32_t c = p[0], min;
	if (c < 0x80) {
		*cp = c;
		return 1;
	}
	if (c >= 0xc2 && c <= 0xdf) {
		len = 2, c &= 0x1f, min = 0x80;
	} else if ((c & 0xf0) == 0xe0) {
		len = 3, c &= 0x0f, min = 0x800;
	} else if (c >= 0xf0 && c <= 0xf4) {
		len = 4, c &= 0x07, min = 0x10000;
	} else {
		return 0;
	}
	if (n < len)
		return 0;
	for (size_t i = 1; i < len; i++) {
		if ((p[i] & 0xc0) != 0x80)
			return 0;
		c = c << 6 | (p[i] & 0x3f);
	}
	if (c < min || c > 0x10ffff || (c >= 0xd800 && c <= 0xdfff))
		return 0;
	*cp = c;
	return len;
}

/* The characters text.h lists as shown escaped. */
static int must_escape(uint32_t cp, const char *extra)
{
	if (cp < 0x20 || (cp >= 0x7f && cp <= 0x9f))
		return 1;
	if (cp < 0x80)
		return extra && cp && strchr(extra, (int)cp) != NULL;
	return cp == 0x061c || cp == 0x200e || cp == 0x200f || (cp >= 0x202a && cp <= 0x202e) ||
	       (cp >= 0x2066 && cp <= 0x2069) || cp == 0x2028 || cp == 0x2029;
}

size_t text_escape_to(char *out, size_t out_len, const char *s, size_t len, const char *extra)
{
	static const char hex[] = "0123456789abcdef";
	const uint8_t *p = (const uint8_t *)s;
	size_t i = 0, o = 0;

	if (out_len == 0)
		return 0;
	while (i < len) {
		uint32_t cp = 0;
		size_t n = utf8_seq(p + i, len - i, &cp);
		if (n == 0 || must_escape(cp, extra)) {
			/* An escaped character is shown byte by byte; an invalid byte alone. */
			size_t m = n ? n : 1;
			if (4 * m >= out_len - o)
				break;
			for (size_t k = 0; k < m; k++) {
				out[o++] = '\\';
				out[o++] = 'x';
				out[o++] = hex[p[i + k] >> 4];
				out[o++] = hex[p[i + k] & 15];
			}
			i += m;
		} else {
			if (n >= out_len - o)
				break;
			memcpy(out + o, p + i, n);
			o += n;
			i += n;
		}
	}
	out[o] = '\0';
	return i;
}

const char *text_escape(struct text_escaped *e, const char *s)
{
	static const char cut[] = "...";
	size_t len, room, done;

	e->heap = NULL;
	if (!s)
		s = "(null)";
	len = strlen(s);
	done = text_escape_to(e->buf, sizeof(e->buf), s, len, NULL);
	if (done == len)
		return e->buf;
	if (len < (SIZE_MAX - 1) / 4) {
		room = TEXT_ESCAPE_ROOM(len);
		e->heap = malloc(room);
		if (e->heap) {
			text_escape_to(e->heap, room, s, len, NULL);
			return e->heap;
		}
	}
	/* Out of memory: as much as buf holds, and a mark that the rest is missing. */
	text_escape_to(e->buf, sizeof(e->buf) - (sizeof(cut) - 1), s, len, NULL);
	memcpy(e->buf + strlen(e->buf), cut, sizeof(cut));
	return e->buf;
}

void text_escaped_release(struct text_escaped *e)
{
	free(e->heap);
	e->heap = NULL;
}
