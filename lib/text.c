/* text.c: UTF-16LE to UTF-8 and hex decoding. */
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
