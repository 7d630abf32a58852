/* test_reader.c: the bounds-checked reader fails instead of reading past its window. */
#include "check.h"
#include "reader.h"

int main(void)
{
	static const uint8_t buf[] = { 1, 2, 3, 4, 5, 6, 7, 8, 9, 10 };
	struct reader r, sub;
	uint8_t u8;
	uint16_t u16;
	uint32_t u32;
	uint64_t u64;
	const uint8_t *p;

	reader_init(&r, buf, sizeof(buf));
	CHECK_INT(reader_u16(&r, &u16), 0);
	CHECK_INT(u16, 0x0201);
	CHECK_INT(reader_u32(&r, &u32), 0);
	CHECK_INT(u32, 0x06050403);
	CHECK_INT(reader_remaining(&r), 4);
	CHECK_INT(reader_u64(&r, &u64), READER_EOVERRUN);
	CHECK_INT(r.pos, 6);	/* a failed read does not move */
	CHECK_INT(reader_bytes(&r, 4, &p), 0);
	CHECK_INT(p[3], 10);
	CHECK_INT(reader_u8(&r, &u8), READER_EOVERRUN);
	CHECK_INT(reader_seek(&r, 10), 0);
	CHECK_INT(reader_seek(&r, 11), READER_EOVERRUN);
	CHECK_INT(reader_skip(&r, 1), READER_EOVERRUN);

	/* Absolute reads, including offsets and lengths near SIZE_MAX. */
	CHECK_INT(reader_u64_at(&r, 2, &u64), 0);
	CHECK(u64 == 0x0a09080706050403ULL);
	CHECK_INT(reader_u64_at(&r, 3, &u64), READER_EOVERRUN);
	CHECK_INT(reader_u32_at(&r, SIZE_MAX - 1, &u32), READER_EOVERRUN);
	CHECK_INT(reader_u16_at(&r, 9, &u16), READER_EOVERRUN);

	/* Sub-windows stay inside their parent. */
	CHECK_INT(reader_sub(&r, 4, 6, &sub), 0);
	CHECK_INT(reader_u16(&sub, &u16), 0);
	CHECK_INT(u16, 0x0605);
	CHECK_INT(reader_sub(&r, 4, 7, &sub), READER_EOVERRUN);
	CHECK_INT(reader_sub(&r, SIZE_MAX, 2, &sub), READER_EOVERRUN);
	CHECK_INT(reader_sub(&r, 2, SIZE_MAX, &sub), READER_EOVERRUN);
	return check_exit();
}
