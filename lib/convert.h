/* convert.h: the value conversions every layer shares: FILETIME and ISO 8601 text,
 * hex and decimal integers as Windows writes them in event data. */
#ifndef CONVERT_H
#define CONVERT_H

#include <stddef.h>
#include <stdint.h>

/* 100 ns ticks between 1601-01-01 and 1970-01-01. */
#define FILETIME_UNIX_EPOCH 116444736000000000ULL

/* Length of "YYYY-MM-DDTHH:MM:SS.fffffffZ" plus its NUL. */
#define ISO_TIME_LEN 29

/* Formats a FILETIME as UTC ISO 8601 with all 7 fractional digits and a Z,
 * shifted by offset_minutes for display (0: UTC, then the suffix is Z, else +hh:mm).
 * out must hold ISO_TIME_LEN + 6 bytes. Returns 0, or negative if out of range. */
int convert_filetime_iso(uint64_t ft, int offset_minutes, char *out, size_t out_len);

/* Parses "YYYY-MM-DDTHH:MM:SS[.f{1,9}][Z]" (also with a space for T, or a date alone)
 * into a FILETIME. Returns 0, or negative if malformed. */
int convert_iso_filetime(const char *s, uint64_t *out);

/* A UTC calendar time, broken down. frac is in 100 ns units within the second. */
struct convert_civil {
	int year, month, day, hour, minute, second;
	unsigned frac;
};

/* FILETIME of a UTC calendar time (proleptic Gregorian, year >= 1601). */
uint64_t convert_civil_filetime(const struct convert_civil *c);
/* The calendar time of a FILETIME, in UTC. */
void convert_filetime_civil(uint64_t ft, struct convert_civil *out);

/* Parses an integer written as "0x1a2b" (hex, any case, zero-padded or not) or as
 * decimal digits. Surrounding spaces are allowed. Returns 0, negative if malformed or
 * larger than 64 bits. */
int convert_int(const char *s, uint64_t *out);

#endif
