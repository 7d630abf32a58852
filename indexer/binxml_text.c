/* binxml_text.c: typed binary XML values to UTF-8 text, libevtx's way. */
#include <inttypes.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "binxml_text.h"
#include "convert.h"
#include "evtx_format.h"
#include "reader.h"
#include "text.h"

#define REPLACEMENT_CHAR 0xFFFDU

void binxml_text_init(struct binxml_text *t)
{
	memset(t, 0, sizeof(*t));
}

void binxml_text_release(struct binxml_text *t)
{
	free(t->buf);
	binxml_text_init(t);
}

int binxml_text_reserve(struct binxml_text *t, size_t n)
{
	size_t want, cap;
	char *p;

	if (n <= t->cap - t->len)
		return 0;
	if (n > BINXML_TEXT_MAX - t->len)
		return BINXML_TEXT_ETOOBIG;
	want = t->len + n;
	cap = t->cap ? t->cap : 4096;
	while (cap < want)
		cap *= 2;
	if (cap > BINXML_TEXT_MAX)
		cap = BINXML_TEXT_MAX;
	p = realloc(t->buf, cap);
	if (!p)
		return BINXML_TEXT_ENOMEM;
	t->buf = p;
	t->cap = cap;
	return 0;
}

int binxml_text_append(struct binxml_text *t, const char *s, size_t n)
{
	int rc = binxml_text_reserve(t, n);
	if (rc)
		return rc;
	memcpy(t->buf + t->len, s, n);
	t->len += n;
	return 0;
}

int binxml_text_end(struct binxml_text *t)
{
	return binxml_text_append(t, "", 1);
}

/* Writes cp as UTF-8 at o (room for 4 bytes); returns the byte count. */
static size_t put_codepoint(uint32_t cp, char *o)
{
	if (cp == 0 || (cp >= 0xD800 && cp < 0xE000) || cp > 0x10FFFF)
		cp = REPLACEMENT_CHAR;
	if (cp < 0x80) {
		o[0] = (char)cp;
		return 1;
	}
	if (cp < 0x800) {
		o[0] = (char)(0xC0 | (cp >> 6));
		o[1] = (char)(0x80 | (cp & 0x3F));
		return 2;
	}
	if (cp < 0x10000) {
		o[0] = (char)(0xE0 | (cp >> 12));
		o[1] = (char)(0x80 | ((cp >> 6) & 0x3F));
		o[2] = (char)(0x80 | (cp & 0x3F));
		return 3;
	}
	o[0] = (char)(0xF0 | (cp >> 18));
	o[1] = (char)(0x80 | ((cp >> 12) & 0x3F));
	o[2] = (char)(0x80 | ((cp >> 6) & 0x3F));
	o[3] = (char)(0x80 | (cp & 0x3F));
	return 4;
}

int binxml_text_codepoint(struct binxml_text *t, uint32_t cp)
{
	int rc = binxml_text_reserve(t, 4);
	if (rc)
		return rc;
	t->len += put_codepoint(cp, t->buf + t->len);
	return 0;
}

static uint16_t unit_at(const uint8_t *p, size_t i)
{
	return (uint16_t)(p[2 * i] | (p[2 * i + 1] << 8));
}

int binxml_text_utf16(struct binxml_text *t, const uint8_t *p, size_t n)
{
	size_t units = n / 2, i = 0;
	char *o;

	while (units > 0 && unit_at(p, units - 1) == 0)
		units--;
	/* UTF-8 takes at most 3 bytes per UTF-16 unit (4 per surrogate pair), and
	 * U+FFFD for a NUL takes 3: units * 3 always fits. */
	int rc = binxml_text_reserve(t, units * 3 + 1);
	if (rc)
		return rc;
	o = t->buf + t->len;
	while (i < units) {
		uint16_t u = unit_at(p, i);
		size_t seg;
		if (u && u < 0x80) {
			*o++ = (char)u;
			i++;
			continue;
		}
		if (u == 0) {
			o += put_codepoint(REPLACEMENT_CHAR, o);
			i++;
			continue;
		}
		/* past ASCII: the rest up to the next NUL goes through the general converter */
		for (seg = i; seg < units && unit_at(p, seg) != 0; seg++)
			;
		o += text_utf16le_to_utf8(p + 2 * i, 2 * (seg - i), 0, o, (size_t)(t->buf + t->cap - o));
		i = seg;
	}
	t->len = (size_t)(o - t->buf);
	return 0;
}

/* Windows-1252 0x80..0x9F; the five holes map to the same code point, as Windows does. */
static const uint16_t cp1252_high[32] = {
	0x20AC, 0x0081, 0x201A, 0x0192, 0x201E, 0x2026, 0x2020, 0x2021,
	0x02C6, 0x2030, 0x0160, 0x2039, 0x0152, 0x008D, 0x017D, 0x008F,
	0x0090, 0x2018, 0x2019, 0x201C, 0x201D, 0x2022, 0x2013, 0x2014,
	0x02DC, 0x2122, 0x0161, 0x203A, 0x0153, 0x009D, 0x017E, 0x0178,
};

int binxml_text_ansi(struct binxml_text *t, const uint8_t *p, size_t n)
{
	while (n > 0 && p[n - 1] == 0)
		n--;
	int rc = binxml_text_reserve(t, n * 3);
	if (rc)
		return rc;
	for (size_t i = 0; i < n; i++) {
		uint32_t cp = p[i];
		if (cp >= 0x80 && cp < 0xA0)
			cp = cp1252_high[cp - 0x80];
		else if (cp == 0)
			cp = REPLACEMENT_CHAR;
		t->len += put_codepoint(cp, t->buf + t->len);
	}
	return 0;
}

int binxml_text_hex(struct binxml_text *t, const uint8_t *p, size_t n)
{
	static const char digits[] = "0123456789ABCDEF";
	int rc = n > BINXML_TEXT_MAX / 2 ? BINXML_TEXT_ETOOBIG : binxml_text_reserve(t, 2 * n);
	if (rc)
		return rc;
	for (size_t i = 0; i < n; i++) {
		t->buf[t->len++] = digits[p[i] >> 4];
		t->buf[t->len++] = digits[p[i] & 15];
	}
	return 0;
}

static int put_unsigned(struct binxml_text *t, uint64_t v)
{
	char tmp[20];
	size_t n = 0;
	do {
		tmp[sizeof(tmp) - 1 - n++] = (char)('0' + v % 10);
		v /= 10;
	} while (v);
	return binxml_text_append(t, tmp + sizeof(tmp) - n, n);
}

static int put_signed(struct binxml_text *t, int64_t v)
{
	int rc;
	if (v >= 0)
		return put_unsigned(t, (uint64_t)v);
	rc = binxml_text_append(t, "-", 1);
	return rc ? rc : put_unsigned(t, (uint64_t)0 - (uint64_t)v);
}

/* "0x" and `digits` lower-case hex digits, zero-padded, as libevtx writes HexInt32/64. */
static int put_hex_fixed(struct binxml_text *t, uint64_t v, unsigned digits)
{
	static const char hex[] = "0123456789abcdef";
	char tmp[18];
	tmp[0] = '0';
	tmp[1] = 'x';
	for (unsigned i = 0; i < digits; i++)
		tmp[2 + i] = hex[(v >> (4 * (digits - 1 - i))) & 15];
	return binxml_text_append(t, tmp, 2 + digits);
}

static int put_formatted(struct binxml_text *t, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static int put_formatted(struct binxml_text *t, const char *fmt, ...)
{
	char tmp[96];
	va_list ap;
	int n;
	va_start(ap, fmt);
	n = vsnprintf(tmp, sizeof(tmp), fmt, ap);
	va_end(ap);
	if (n < 0)
		return BINXML_TEXT_ENOMEM;
	return binxml_text_append(t, tmp, (size_t)n < sizeof(tmp) ? (size_t)n : sizeof(tmp) - 1);
}

/* Writes v as `digits` decimal digits, zero-padded. */
static void put_digits(char *o, uint64_t v, unsigned digits)
{
	while (digits--) {
		o[digits] = (char)('0' + v % 10);
		v /= 10;
	}
}

/* FILETIME as libevtx writes it: ISO 8601 with 9 fractional digits and a Z; past
 * the year 9999 the raw halves in hex, "(0xhhhhhhhh 0xllllllll)". */
static int put_filetime(struct binxml_text *t, uint64_t ft)
{
	struct convert_civil c;
	char s[30];

	convert_filetime_civil(ft, &c);
	if (c.year > 9999)
		return put_formatted(t, "(0x%08" PRIx32 " 0x%08" PRIx32 ")", (uint32_t)(ft >> 32), (uint32_t)ft);
	/* YYYY-MM-DDTHH:MM:SS.fffffff00Z */
	put_digits(s, (uint64_t)c.year, 4);
	s[4] = '-';
	put_digits(s + 5, (uint64_t)c.month, 2);
	s[7] = '-';
	put_digits(s + 8, (uint64_t)c.day, 2);
	s[10] = 'T';
	put_digits(s + 11, (uint64_t)c.hour, 2);
	s[13] = ':';
	put_digits(s + 14, (uint64_t)c.minute, 2);
	s[16] = ':';
	put_digits(s + 17, (uint64_t)c.second, 2);
	s[19] = '.';
	put_digits(s + 20, c.frac, 7);
	memcpy(s + 27, "00Z", 3);
	return binxml_text_append(t, s, 30);
}

/* SYSTEMTIME: year, month, day of week, day, hour, minute, second, millisecond. */
static int put_systemtime(struct binxml_text *t, const uint8_t *p)
{
	struct reader r;
	uint16_t f[8];
	reader_init(&r, p, 16);
	for (int i = 0; i < 8; i++)
		if (reader_u16(&r, &f[i]))
			return binxml_text_hex(t, p, 16);
	return put_formatted(t, "%04u-%02u-%02uT%02u:%02u:%02u.%03uZ", f[0], f[1], f[3], f[4], f[5], f[6], f[7]);
}

static int put_guid(struct binxml_text *t, const uint8_t *p)
{
	static const char hex[] = "0123456789ABCDEF";
	struct reader r;
	uint32_t d1;
	uint16_t d2, d3;
	const uint8_t *d4;
	char s[38], *o = s;

	reader_init(&r, p, EVTX_GUID_SIZE);
	if (reader_u32(&r, &d1) || reader_u16(&r, &d2) || reader_u16(&r, &d3) || reader_bytes(&r, 8, &d4))
		return binxml_text_hex(t, p, EVTX_GUID_SIZE);
	/* {XXXXXXXX-XXXX-XXXX-XXXX-XXXXXXXXXXXX}, upper case */
	*o++ = '{';
	for (int i = 28; i >= 0; i -= 4)
		*o++ = hex[(d1 >> i) & 15];
	*o++ = '-';
	for (int i = 12; i >= 0; i -= 4)
		*o++ = hex[(d2 >> i) & 15];
	*o++ = '-';
	for (int i = 12; i >= 0; i -= 4)
		*o++ = hex[(d3 >> i) & 15];
	for (int i = 0; i < 8; i++) {
		if (i == 0 || i == 2)
			*o++ = '-';
		*o++ = hex[d4[i] >> 4];
		*o++ = hex[d4[i] & 15];
	}
	*o++ = '}';
	return binxml_text_append(t, s, (size_t)(o - s));
}

/* SID: revision, sub-authority count, 48-bit big-endian authority, u32 sub-authorities.
 * Returns 1 when the bytes are not a SID (the caller writes hex instead). */
static int put_sid(struct binxml_text *t, const uint8_t *p, size_t n)
{
	struct reader r;
	uint8_t rev, count;
	const uint8_t *auth;
	uint64_t a = 0;

	reader_init(&r, p, n);
	if (reader_u8(&r, &rev) || reader_u8(&r, &count) || count > EVTX_SID_MAX_SUBAUTHORITIES ||
	    reader_bytes(&r, 6, &auth) || reader_remaining(&r) < 4u * count)
		return 1;
	for (int i = 0; i < 6; i++)
		a = a << 8 | auth[i];
	int rc = binxml_text_append(t, "S-", 2);
	if (rc == 0)
		rc = put_unsigned(t, rev);
	if (rc == 0)
		rc = binxml_text_append(t, "-", 1);
	if (rc == 0)
		rc = a >> 32 ? put_hex_fixed(t, a, 12) : put_unsigned(t, a);
	for (unsigned i = 0; i < count && rc == 0; i++) {
		uint32_t sub = 0;
		(void)reader_u32(&r, &sub);	/* the room was checked above */
		rc = binxml_text_append(t, "-", 1);
		if (rc == 0)
			rc = put_unsigned(t, sub);
	}
	return rc;
}

/* Floating point as libevtx writes it: "[-]d.dddddde[+-]ddd", "Inf", "Nan", "Ind". */
static int put_real(struct binxml_text *t, double v, int negative_nan)
{
	char tmp[64], *e;
	int n;
	if (isinf(v))
		return binxml_text_append(t, v < 0 ? "-Inf" : "Inf", v < 0 ? 4 : 3);
	if (isnan(v))
		return negative_nan ? binxml_text_append(t, "Ind", 3) : binxml_text_append(t, "Nan", 3);
	n = snprintf(tmp, sizeof(tmp), "%.6e", v);
	if (n < 0 || (size_t)n >= sizeof(tmp))
		return BINXML_TEXT_ENOMEM;
	e = strchr(tmp, 'e');
	if (e && strlen(e) == 4) {
		/* two exponent digits from printf; three from libevtx */
		memmove(e + 3, e + 2, 3);
		e[2] = '0';
		n++;
	}
	return binxml_text_append(t, tmp, (size_t)n);
}

size_t binxml_text_item_size(unsigned type)
{
	switch (type) {
	case EVTX_VALUE_INT8:
	case EVTX_VALUE_UINT8:
		return 1;
	case EVTX_VALUE_INT16:
	case EVTX_VALUE_UINT16:
		return 2;
	case EVTX_VALUE_INT32:
	case EVTX_VALUE_UINT32:
	case EVTX_VALUE_REAL32:
	case EVTX_VALUE_BOOL:
	case EVTX_VALUE_HEX_INT32:
		return 4;
	case EVTX_VALUE_INT64:
	case EVTX_VALUE_UINT64:
	case EVTX_VALUE_REAL64:
	case EVTX_VALUE_FILETIME:
	case EVTX_VALUE_HEX_INT64:
		return 8;
	case EVTX_VALUE_GUID:
	case EVTX_VALUE_SYSTEMTIME:
		return 16;
	default:
		return 0;
	}
}

int binxml_text_value(struct binxml_text *t, unsigned type, const uint8_t *p, size_t n)
{
	size_t want = binxml_text_item_size(type);
	struct reader r;
	uint64_t v = 0;
	int rc;

	switch (type) {
	case EVTX_VALUE_NULL:
		return 0;
	case EVTX_VALUE_STRING:
		return binxml_text_utf16(t, p, n);
	case EVTX_VALUE_ANSI_STRING:
		return binxml_text_ansi(t, p, n);
	case EVTX_VALUE_BINARY:
		return binxml_text_hex(t, p, n);
	case EVTX_VALUE_SID:
		rc = put_sid(t, p, n);
		return rc == 1 ? binxml_text_hex(t, p, n) : rc;
	case EVTX_VALUE_SIZE:
		/* libevtx writes a size as unsigned decimal when it is 4 or 8 bytes */
		if (n != 4 && n != 8)
			return binxml_text_hex(t, p, n);
		want = n;
		break;
	default:
		break;
	}
	if (want == 0 || n != want)
		return binxml_text_hex(t, p, n);
	reader_init(&r, p, n);
	if (want <= 8) {
		uint8_t u8;
		uint16_t u16;
		uint32_t u32;
		rc = want == 1 ? reader_u8(&r, &u8) : want == 2 ? reader_u16(&r, &u16)
			   : want == 4 ? reader_u32(&r, &u32) : reader_u64(&r, &v);
		if (rc)
			return binxml_text_hex(t, p, n);
		if (want == 1)
			v = u8;
		else if (want == 2)
			v = u16;
		else if (want == 4)
			v = u32;
	}
	switch (type) {
	case EVTX_VALUE_INT8:
		return put_signed(t, (int8_t)v);
	case EVTX_VALUE_INT16:
		return put_signed(t, (int16_t)v);
	case EVTX_VALUE_INT32:
		return put_signed(t, (int32_t)v);
	case EVTX_VALUE_INT64:
		return put_signed(t, (int64_t)v);
	case EVTX_VALUE_UINT8:
	case EVTX_VALUE_UINT16:
	case EVTX_VALUE_UINT32:
	case EVTX_VALUE_UINT64:
	case EVTX_VALUE_SIZE:
		return put_unsigned(t, v);
	case EVTX_VALUE_HEX_INT32:
		return put_hex_fixed(t, v, 8);
	case EVTX_VALUE_HEX_INT64:
		return put_hex_fixed(t, v, 16);
	case EVTX_VALUE_BOOL:
		return v ? binxml_text_append(t, "true", 4) : binxml_text_append(t, "false", 5);
	case EVTX_VALUE_REAL32: {
		union { uint32_t u; float f; } c = { (uint32_t)v };
		return put_real(t, c.f, (uint32_t)v == 0xFFC00000U);
	}
	case EVTX_VALUE_REAL64: {
		union { uint64_t u; double d; } c = { v };
		return put_real(t, c.d, v == 0xFFF8000000000000ULL);
	}
	case EVTX_VALUE_FILETIME:
		return put_filetime(t, v);
	case EVTX_VALUE_SYSTEMTIME:
		return put_systemtime(t, p);
	case EVTX_VALUE_GUID:
		return put_guid(t, p);
	default:
		return binxml_text_hex(t, p, n);
	}
}
