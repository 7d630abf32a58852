/* convert.c: FILETIME <-> ISO 8601 text and integer parsing, without libc's locale
 * or time-zone state (civil-date arithmetic on days since 1970). */
#include <stdio.h>
#include <string.h>

#include "convert.h"

/* Days since 1970-01-01 to a proleptic Gregorian date. */
static void civil_from_days(int64_t z, int64_t *y, unsigned *m, unsigned *d)
{
	z += 719468;
	int64_t era = (z >= 0 ? z : z - 146096) / 146097;
	unsigned doe = (unsigned)(z - era * 146097);
	unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	unsigned mp = (5 * doy + 2) / 153;
	*d = doy - (153 * mp + 2) / 5 + 1;
	*m = mp < 10 ? mp + 3 : mp - 9;
	*y = (int64_t)yoe + era * 400 + (*m <= 2);
}

static int64_t days_from_civil(int64_t y, unsigned m, unsigned d)
{
	y -= m <= 2;
	int64_t era = (y >= 0 ? y : y - 399) / 400;
	unsigned yoe = (unsigned)(y - era * 400);
	unsigned doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
	unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + (int64_t)doe - 719468;
}

int convert_filetime_iso(uint64_t ft, int offset_minutes, char *out, size_t out_len)
{
	int64_t ticks = (int64_t)(ft / 10000000ULL) - (int64_t)(FILETIME_UNIX_EPOCH / 10000000ULL);
	unsigned frac = (unsigned)(ft % 10000000ULL);
	int64_t secs = ticks + (int64_t)offset_minutes * 60;
	int64_t days = secs >= 0 ? secs / 86400 : (secs - 86399) / 86400;
	int64_t rem = secs - days * 86400;
	int64_t y;
	unsigned m, d;
	char zone[16] = "Z";

	civil_from_days(days, &y, &m, &d);
	if (y < 1601 || y > 9999)
		return -1;
	if (offset_minutes != 0) {
		int a = (offset_minutes < 0 ? -offset_minutes : offset_minutes) % (100 * 60);
		snprintf(zone, sizeof(zone), "%c%02d:%02d", offset_minutes < 0 ? '-' : '+', a / 60, a % 60);
	}
	int n = snprintf(out, out_len, "%04d-%02u-%02uT%02d:%02d:%02d.%07u%s", (int)y, m, d,
			 (int)(rem / 3600), (int)(rem / 60 % 60), (int)(rem % 60), frac, zone);
	return n > 0 && (size_t)n < out_len ? 0 : -1;
}

uint64_t convert_civil_filetime(const struct convert_civil *c)
{
	int64_t secs = days_from_civil(c->year, (unsigned)c->month, (unsigned)c->day) * 86400 +
		       c->hour * 3600 + c->minute * 60 + c->second;
	return (uint64_t)(secs + (int64_t)(FILETIME_UNIX_EPOCH / 10000000ULL)) * 10000000ULL + c->frac;
}

void convert_filetime_civil(uint64_t ft, struct convert_civil *out)
{
	int64_t secs = (int64_t)(ft / 10000000ULL) - (int64_t)(FILETIME_UNIX_EPOCH / 10000000ULL);
	int64_t days = secs >= 0 ? secs / 86400 : (secs - 86399) / 86400;
	int64_t rem = secs - days * 86400, y;
	unsigned m, d;
	civil_from_days(days, &y, &m, &d);
	out->year = (int)y;
	out->month = (int)m;
	out->day = (int)d;
	out->hour = (int)(rem / 3600);
	out->minute = (int)(rem / 60 % 60);
	out->second = (int)(rem % 60);
	out->frac = (unsigned)(ft % 10000000ULL);
}

static int digits(const char **p, int n, unsigned *out)
{
	unsigned v = 0;
	for (int i = 0; i < n; i++) {
		if ((*p)[i] < '0' || (*p)[i] > '9')
			return -1;
		v = v * 10 + (unsigned)((*p)[i] - '0');
	}
	*p += n;
	*out = v;
	return 0;
}

int convert_iso_filetime(const char *s, uint64_t *out)
{
	unsigned y, mo, d, h = 0, mi = 0, se = 0, frac = 0;
	const char *p = s;

	if (digits(&p, 4, &y) || *p++ != '-' || digits(&p, 2, &mo) || *p++ != '-' || digits(&p, 2, &d))
		return -1;
	if (*p == 'T' || *p == ' ') {
		p++;
		if (digits(&p, 2, &h) || *p++ != ':' || digits(&p, 2, &mi))
			return -1;
		if (*p == ':') {
			p++;
			if (digits(&p, 2, &se))
				return -1;
			if (*p == '.') {
				int n = 0;
				p++;
				while (*p >= '0' && *p <= '9') {
					if (n < 7) {
						frac = frac * 10 + (unsigned)(*p - '0');
						n++;
					}
					p++;
				}
				if (n == 0)
					return -1;
				for (; n < 7; n++)
					frac *= 10;
			}
		}
	}
	if (*p == 'Z')
		p++;
	if (*p != '\0' || y < 1601 || mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 || se > 60)
		return -1;
	struct convert_civil c = { (int)y, (int)mo, (int)d, (int)h, (int)mi, (int)se, frac };
	*out = convert_civil_filetime(&c);
	return 0;
}

int convert_int(const char *s, uint64_t *out)
{
	uint64_t v = 0;
	int base = 10, n = 0;

	while (*s == ' ')
		s++;
	if (s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
		base = 16;
		s += 2;
	}
	for (; *s; s++, n++) {
		unsigned dgt;
		if (*s >= '0' && *s <= '9')
			dgt = (unsigned)(*s - '0');
		else if (base == 16 && *s >= 'a' && *s <= 'f')
			dgt = (unsigned)(*s - 'a' + 10);
		else if (base == 16 && *s >= 'A' && *s <= 'F')
			dgt = (unsigned)(*s - 'A' + 10);
		else
			break;
		if (v > (UINT64_MAX - dgt) / (uint64_t)base)
			return -1;
		v = v * (uint64_t)base + dgt;
	}
	while (*s == ' ')
		s++;
	if (n == 0 || *s != '\0')
		return -1;
	*out = v;
	return 0;
}
