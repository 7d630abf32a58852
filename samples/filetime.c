/* filetime.c: the FILETIME forms the generator writes, on top of lib/convert. */
#include "filetime.h"

#include <stdio.h>

#include "convert.h"

uint64_t filetime_from_utc(int year, int month, int day, int hour, int minute, int second)
{
	struct convert_civil c = { year, month, day, hour, minute, second, 0 };
	return convert_civil_filetime(&c);
}

void filetime_format_iso(uint64_t ft, char *buf, size_t len)
{
	if (convert_filetime_iso(ft, 0, buf, len) != 0 && len > 0)
		buf[0] = '\0';
}

void filetime_format_sysmon(uint64_t ft, char *buf, size_t len)
{
	struct convert_civil c;
	convert_filetime_civil(ft, &c);
	snprintf(buf, len, "%04d-%02d-%02d %02d:%02d:%02d.%03u", c.year, c.month, c.day, c.hour, c.minute,
		 c.second, c.frac / (unsigned)FILETIME_MS);
}
