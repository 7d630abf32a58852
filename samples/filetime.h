/* filetime.h: FILETIME values (100 ns since 1601-01-01 UTC) from and to calendar text. */
#ifndef FILETIME_H
#define FILETIME_H

#include <stddef.h>
#include <stdint.h>

#define FILETIME_MS	10000ULL
#define FILETIME_SECOND	10000000ULL
#define FILETIME_MINUTE	(60 * FILETIME_SECOND)
#define FILETIME_HOUR	(60 * FILETIME_MINUTE)
#define FILETIME_DAY	(24 * FILETIME_HOUR)

/* The FILETIME of a UTC calendar time (proleptic Gregorian, year >= 1601). */
uint64_t filetime_from_utc(int year, int month, int day, int hour, int minute, int second);

/* "2024-03-13T02:04:27.1234567Z": 7 fractional digits, as the answer keys write it. */
void filetime_format_iso(uint64_t ft, char *buf, size_t len);

/* "2024-03-13 02:04:27.123": milliseconds, as Sysmon writes UtcTime. */
void filetime_format_sysmon(uint64_t ft, char *buf, size_t len);

#endif
