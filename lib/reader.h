/* reader.h: the one bounds-checked reader for all binary parsing.
 *
 * A reader is a window [base, base+len) with a cursor. Every read checks the
 * remaining length first and fails with READER_EOVERRUN instead of reading past
 * the end; no caller computes a pointer from a length read off disk by itself.
 * Integers are little-endian, as in every format this project reads. */
#ifndef READER_H
#define READER_H

#include <stddef.h>
#include <stdint.h>

#define READER_EOVERRUN (-1)

struct reader {
	const uint8_t *base;
	size_t len;
	size_t pos;
};

/* Starts a reader over buf[0..len). The buffer stays owned by the caller. */
void reader_init(struct reader *r, const void *buf, size_t len);

/* A sub-reader over [off, off+len) of r's window; fails if that is not inside it. */
int reader_sub(const struct reader *r, size_t off, size_t len, struct reader *out);

size_t reader_remaining(const struct reader *r);
/* Moves the cursor to an absolute offset (may equal len). */
int reader_seek(struct reader *r, size_t off);
int reader_skip(struct reader *r, size_t n);

int reader_u8(struct reader *r, uint8_t *out);
int reader_u16(struct reader *r, uint16_t *out);
int reader_u32(struct reader *r, uint32_t *out);
int reader_u64(struct reader *r, uint64_t *out);
/* Points *out at the next n bytes (inside the caller's buffer) and moves past them. */
int reader_bytes(struct reader *r, size_t n, const uint8_t **out);

/* Reads at an absolute offset without moving the cursor. */
int reader_u16_at(const struct reader *r, size_t off, uint16_t *out);
int reader_u32_at(const struct reader *r, size_t off, uint32_t *out);
int reader_u64_at(const struct reader *r, size_t off, uint64_t *out);

#endif
