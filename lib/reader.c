/* reader.c: bounds-checked little-endian reads over a byte window. */
#include "reader.h"

void reader_init(struct reader *r, const void *buf, size_t len)
{
	r->base = buf;
	r->len = len;
	r->pos = 0;
}

int reader_sub(const struct reader *r, size_t off, size_t len, struct reader *out)
{
	if (off > r->len || len > r->len - off)
		return READER_EOVERRUN;
	reader_init(out, r->base + off, len);
	return 0;
}

size_t reader_remaining(const struct reader *r)
{
	return r->len - r->pos;
}

int reader_seek(struct reader *r, size_t off)
{
	if (off > r->len)
		return READER_EOVERRUN;
	r->pos = off;
	return 0;
}

int reader_skip(struct reader *r, size_t n)
{
	if (n > r->len - r->pos)
		return READER_EOVERRUN;
	r->pos += n;
	return 0;
}

static uint64_t load_le(const uint8_t *p, unsigned n)
{
	uint64_t v = 0;
	for (unsigned i = n; i > 0; i--)
		v = (v << 8) | p[i - 1];
	return v;
}

static int read_at(const struct reader *r, size_t off, unsigned n, uint64_t *out)
{
	if (off > r->len || n > r->len - off)
		return READER_EOVERRUN;
	*out = load_le(r->base + off, n);
	return 0;
}

static int read_adv(struct reader *r, unsigned n, uint64_t *out)
{
	int rc = read_at(r, r->pos, n, out);
	if (rc == 0)
		r->pos += n;
	return rc;
}

int reader_u8(struct reader *r, uint8_t *out)
{
	uint64_t v;
	int rc = read_adv(r, 1, &v);
	if (rc == 0)
		*out = (uint8_t)v;
	return rc;
}

int reader_u16(struct reader *r, uint16_t *out)
{
	uint64_t v;
	int rc = read_adv(r, 2, &v);
	if (rc == 0)
		*out = (uint16_t)v;
	return rc;
}

int reader_u32(struct reader *r, uint32_t *out)
{
	uint64_t v;
	int rc = read_adv(r, 4, &v);
	if (rc == 0)
		*out = (uint32_t)v;
	return rc;
}

int reader_u64(struct reader *r, uint64_t *out)
{
	return read_adv(r, 8, out);
}

int reader_bytes(struct reader *r, size_t n, const uint8_t **out)
{
	if (n > r->len - r->pos)
		return READER_EOVERRUN;
	*out = r->base + r->pos;
	r->pos += n;
	return 0;
}

int reader_u16_at(const struct reader *r, size_t off, uint16_t *out)
{
	uint64_t v;
	int rc = read_at(r, off, 2, &v);
	if (rc == 0)
		*out = (uint16_t)v;
	return rc;
}

int reader_u32_at(const struct reader *r, size_t off, uint32_t *out)
{
	uint64_t v;
	int rc = read_at(r, off, 4, &v);
	if (rc == 0)
		*out = (uint32_t)v;
	return rc;
}

int reader_u64_at(const struct reader *r, size_t off, uint64_t *out)
{
	return read_at(r, off, 8, out);
}
