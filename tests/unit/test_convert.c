/* test_convert.c: FILETIME <-> ISO 8601, and the integer forms found in event data. */
#include "check.h"
#include "convert.h"

static void time_roundtrip(const char *iso, uint64_t ft)
{
	uint64_t got = 0;
	char buf[ISO_TIME_LEN + 8];
	CHECK_INT(convert_iso_filetime(iso, &got), 0);
	CHECK_INT(got, ft);
	CHECK_INT(convert_filetime_iso(ft, 0, buf, sizeof(buf)), 0);
	CHECK_STR(buf, iso);
}

int main(void)
{
	uint64_t v = 0;
	char buf[ISO_TIME_LEN + 8];

	/* FILETIME of the Unix epoch, and a time with all 7 fractional digits kept. */
	time_roundtrip("1970-01-01T00:00:00.0000000Z", 116444736000000000ULL);
	time_roundtrip("1601-01-01T00:00:00.0000000Z", 0);
	time_roundtrip("2019-05-16T14:17:15.7627088Z", 132024898357627088ULL);
	time_roundtrip("2024-02-29T23:59:59.9999999Z", 133537247999999999ULL);
	/* libevtx writes 9 digits; the 100 ns unit keeps the first 7. */
	CHECK_INT(convert_iso_filetime("2019-05-16T14:17:15.762708800Z", &v), 0);
	CHECK_INT(v, 132024898357627088ULL);
	CHECK_INT(convert_iso_filetime("2019-05-16 14:17:15", &v), 0);
	CHECK_INT(v, 132024898350000000ULL);
	CHECK_INT(convert_iso_filetime("2019-05-16", &v), 0);
	CHECK_INT(v, 132024384000000000ULL);
	CHECK(convert_iso_filetime("2019-13-01", &v) < 0);
	CHECK(convert_iso_filetime("2019-05-16T14", &v) < 0);
	CHECK(convert_iso_filetime("yesterday", &v) < 0);
	CHECK(convert_iso_filetime("2019-05-16T14:17:15.Z", &v) < 0);
	/* Display offsets. */
	CHECK_INT(convert_filetime_iso(132024898357627088ULL, 480, buf, sizeof(buf)), 0);
	CHECK_STR(buf, "2019-05-16T22:17:15.7627088+08:00");
	CHECK_INT(convert_filetime_iso(116444736000000000ULL, -300, buf, sizeof(buf)), 0);
	CHECK_STR(buf, "1969-12-31T19:00:00.0000000-05:00");

	/* Integers: hex as 4688 writes them, zero-padded HexInt64, decimal as Sysmon does. */
	CHECK_INT(convert_int("0xd9c", &v), 0);
	CHECK_INT(v, 0xd9c);
	CHECK_INT(convert_int("0x7169C", &v), 0);
	CHECK_INT(v, 0x7169c);
	CHECK_INT(convert_int("0x00000000000003e7", &v), 0);
	CHECK_INT(v, 999);
	CHECK_INT(convert_int("3788", &v), 0);
	CHECK_INT(v, 3788);
	CHECK_INT(convert_int("0xffffffffffffffff", &v), 0);
	CHECK(v == UINT64_MAX);
	CHECK(convert_int("0x1ffffffffffffffff", &v) < 0);
	CHECK(convert_int("", &v) < 0);
	CHECK(convert_int("0x", &v) < 0);
	CHECK(convert_int("12ab", &v) < 0);
	CHECK(convert_int("-", &v) < 0);
	return check_exit();
}
