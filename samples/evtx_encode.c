/* evtx_encode.c: text to EVTX byte forms (UTF-16LE, SID, GUID) and the name hash. */
#include "evtx_encode.h"

#include <string.h>

#include "evtx_format.h"

/* Decodes one code point from UTF-8 at *s and advances *s; -1 on malformed input. */
static int utf8_next(const unsigned char **s, uint32_t *cp)
{
	const unsigned char *p = *s;
	uint32_t c = p[0], min;
	int n;

	if (c < 0x80) {
		n = 0; min = 0;
	} else if ((c & 0xe0) == 0xc0) {
		n = 1; min = 0x80; c &= 0x1f;
	} else if ((c & 0xf0) == 0xe0) {
		n = 2; min = 0x800; c &= 0x0f;
	} else if ((c & 0xf8) == 0xf0) {
		n = 3; min = 0x10000; c &= 0x07;
	} else {
		return -1;
	}
	for (int i = 1; i <= n; i++) {
		if ((p[i] & 0xc0) != 0x80)
			return -1;
		c = (c << 6) | (p[i] & 0x3f);
	}
	if (c < min || c > 0x10ffff || (c >= 0xd800 && c <= 0xdfff))
		return -1;
	*cp = c;
	*s = p + n + 1;
	return 0;
}

/* Splits a code point into one or two UTF-16 units; returns how many. */
static int utf16_units(uint32_t cp, uint16_t u[2])
{
	if (cp < 0x10000) {
		u[0] = (uint16_t)cp;
		return 1;
	}
	cp -= 0x10000;
	u[0] = (uint16_t)(0xd800 | (cp >> 10));
	u[1] = (uint16_t)(0xdc00 | (cp & 0x3ff));
	return 2;
}

int evtx_encode_utf16(const char *s, uint8_t *out, size_t cap, size_t *n_units)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t n = 0;

	while (*p) {
		uint32_t cp;
		uint16_t u[2];
		if (utf8_next(&p, &cp) < 0)
			return EVTX_ENCODE_EINVAL;
		int k = utf16_units(cp, u);
		for (int i = 0; i < k; i++, n++) {
			if (!out)
				continue;
			if (2 * n + 2 > cap)
				return EVTX_ENCODE_ENOSPACE;
			out[2 * n] = (uint8_t)(u[i] & 0xff);
			out[2 * n + 1] = (uint8_t)(u[i] >> 8);
		}
	}
	*n_units = n;
	return 0;
}

uint16_t evtx_encode_name_hash(const char *name)
{
	const unsigned char *p = (const unsigned char *)name;
	uint32_t h = 0;

	while (*p) {
		uint32_t cp;
		uint16_t u[2];
		if (utf8_next(&p, &cp) < 0)
			break;
		int k = utf16_units(cp, u);
		for (int i = 0; i < k; i++)
			h = h * EVTX_NAME_HASH_MULTIPLIER + u[i];
	}
	return (uint16_t)(h & 0xffff);
}

/* Reads a decimal number up to max from *s; advances *s. */
static int parse_decimal(const char **s, uint64_t max, uint64_t *out)
{
	const char *p = *s;
	uint64_t v = 0;

	if (*p < '0' || *p > '9')
		return -1;
	for (; *p >= '0' && *p <= '9'; p++) {
		unsigned d = (unsigned)(*p - '0');
		if (v > (max - d) / 10)
			return -1;
		v = v * 10 + d;
	}
	*s = p;
	*out = v;
	return 0;
}

int evtx_encode_sid(const char *s, uint8_t *out, size_t cap, size_t *len)
{
	uint64_t revision, authority, sub[EVTX_SID_MAX_SUBAUTHORITIES];
	int n = 0;

	if (strncmp(s, "S-", 2) != 0)
		return EVTX_ENCODE_EINVAL;
	s += 2;
	if (parse_decimal(&s, 255, &revision) < 0 || *s++ != '-')
		return EVTX_ENCODE_EINVAL;
	if (parse_decimal(&s, 0xffffffffffffULL, &authority) < 0)
		return EVTX_ENCODE_EINVAL;
	while (*s == '-') {
		s++;
		if (n == EVTX_SID_MAX_SUBAUTHORITIES || parse_decimal(&s, UINT32_MAX, &sub[n]) < 0)
			return EVTX_ENCODE_EINVAL;
		n++;
	}
	if (*s != '\0')
		return EVTX_ENCODE_EINVAL;
	size_t need = 8 + 4 * (size_t)n;
	if (need > cap)
		return EVTX_ENCODE_ENOSPACE;
	out[0] = (uint8_t)revision;
	out[1] = (uint8_t)n;
	for (int i = 0; i < 6; i++)	/* the authority is big-endian */
		out[2 + i] = (uint8_t)(authority >> (8 * (5 - i)));
	for (int i = 0; i < n; i++)
		for (int b = 0; b < 4; b++)
			out[8 + 4 * i + b] = (uint8_t)(sub[i] >> (8 * b));
	*len = need;
	return 0;
}

static int hex_digit(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

int evtx_encode_guid(const char *s, uint8_t out[16])
{
	/* Text order of the 16 bytes: the first three groups are stored little-endian. */
	static const uint8_t byte_at[16] = { 3, 2, 1, 0, 5, 4, 7, 6, 8, 9, 10, 11, 12, 13, 14, 15 };
	static const int dash_after[] = { 4, 6, 8, 10 };
	int braced = (*s == '{');
	int k = 0;

	s += braced;
	for (int i = 0; i < 16; i++) {
		int hi = hex_digit(s[0]), lo = hi < 0 ? -1 : hex_digit(s[1]);
		if (lo < 0)
			return EVTX_ENCODE_EINVAL;
		out[byte_at[i]] = (uint8_t)(hi << 4 | lo);
		s += 2;
		if (k < 4 && i + 1 == dash_after[k]) {
			if (*s++ != '-')
				return EVTX_ENCODE_EINVAL;
			k++;
		}
	}
	if (braced && *s++ != '}')
		return EVTX_ENCODE_EINVAL;
	return *s == '\0' ? 0 : EVTX_ENCODE_EINVAL;
}
