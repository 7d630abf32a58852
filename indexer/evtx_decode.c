/* evtx_decode.c: file header, chunks, record framing and the search of slack space
 * for deleted records; binxml.c decodes each record. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <zlib.h>

#include "binxml.h"
#include "evtx_decode.h"
#include "evtx_format.h"
#include "fileio.h"
#include "reader.h"

struct decode {
	const struct evtx_sink *sink;
	struct evtx_file_info *info;
	struct binxml *bx;
	uint32_t chunk;		/* index of the chunk being read */
};

static int all_zero(const uint8_t *p, size_t n)
{
	/* each byte equals the next one, and the first is 0 */
	return n == 0 || (p[0] == 0 && memcmp(p, p + 1, n - 1) == 0);
}

static uint32_t crc(uint32_t c, const uint8_t *p, size_t n)
{
	return (uint32_t)crc32(c, p, (uInt)n);
}

static int skip_as(struct decode *d, uint64_t record_number, int recovered, const char *reason)
{
	struct evtx_skip sk = {
		.chunk = d->chunk,
		.record_number = record_number,
		.n_records = 1,
		.recovered = recovered,
		.reason = reason,
	};
	if (d->sink->skip && d->sink->skip(d->sink->ctx, &sk))
		return EVTX_DECODE_ESTOP;
	return 0;
}

static int skip(struct decode *d, uint64_t record_number, const char *reason)
{
	return skip_as(d, record_number, 0, reason);
}

static void header(const struct reader *r, struct evtx_file_info *info)
{
	uint16_t minor = 0, major = 0, chunks = 0;
	uint32_t flags = 0, sum = 0;
	const uint8_t *p;
	struct reader h = *r;

	reader_u16_at(r, EVTX_FH_MINOR_VERSION, &minor);
	reader_u16_at(r, EVTX_FH_MAJOR_VERSION, &major);
	reader_u16_at(r, EVTX_FH_CHUNK_COUNT, &chunks);
	reader_u32_at(r, EVTX_FH_FLAGS, &flags);
	info->minor_version = minor;
	info->major_version = major;
	info->header_chunks = chunks;
	info->dirty = (flags & EVTX_FILE_FLAG_DIRTY) != 0;
	if (reader_u32_at(r, EVTX_FH_CHECKSUM, &sum) || reader_bytes(&h, EVTX_FH_CHECKSUM_LEN, &p) ||
	    crc(0, p, EVTX_FH_CHECKSUM_LEN) != sum)
		info->header_bad_crc = 1;
}

/* Checks both CRC32s of the chunk c; returns the end of its records (the
 * free-space offset, kept inside the chunk). */
static size_t chunk_check(struct decode *d, const struct reader *c)
{
	uint32_t free_off = 0, data_sum = 0, head_sum = 0;
	const uint8_t *p;
	struct reader h = *c;
	int bad = 0;

	reader_u32_at(c, EVTX_CH_FREE_SPACE_OFFSET, &free_off);
	reader_u32_at(c, EVTX_CH_RECORDS_CHECKSUM, &data_sum);
	reader_u32_at(c, EVTX_CH_HEADER_CHECKSUM, &head_sum);
	if (reader_bytes(&h, EVTX_CHUNK_HEADER_SIZE, &p) == 0)
		bad |= crc(crc(0, p, EVTX_CH_CHECKSUM_PART1_LEN), p + EVTX_CH_CHECKSUM_PART2,
			   EVTX_CHUNK_HEADER_SIZE - EVTX_CH_CHECKSUM_PART2) != head_sum;
	if (free_off < EVTX_CHUNK_HEADER_SIZE || free_off > c->len) {
		bad = 1;
		free_off = free_off < EVTX_CHUNK_HEADER_SIZE ? EVTX_CHUNK_HEADER_SIZE : (uint32_t)c->len;
	} else if (reader_bytes(&h, free_off - EVTX_CHUNK_HEADER_SIZE, &p) == 0) {
		bad |= crc(0, p, free_off - EVTX_CHUNK_HEADER_SIZE) != data_sum;
	}
	if (bad)
		d->info->chunks_bad_crc++;
	return free_off;
}

/* Decodes the record of `size` bytes at chunk offset pos (its framing checked) and
 * hands it to the sink, or reports it as skipped; *decoded says which. */
static int deliver(struct decode *d, const struct reader *c, size_t pos, uint32_t size, int recovered, int *decoded)
{
	uint64_t number = 0, written = 0;
	struct evtx_event ev;
	int rc;

	*decoded = 0;
	reader_u64_at(c, pos + EVTX_REC_NUMBER, &number);
	reader_u64_at(c, pos + EVTX_REC_WRITTEN_TIME, &written);
	memset(&ev, 0, sizeof(ev));
	binxml_strict(d->bx, recovered);
	rc = binxml_record(d->bx, pos + EVTX_RECORD_HEADER_SIZE, pos + size - EVTX_RECORD_TRAILER_SIZE, &ev);
	if (rc == BINXML_ENOMEM)
		return EVTX_DECODE_ENOMEM;
	if (rc < 0)
		return skip_as(d, number, recovered, binxml_strerror(rc));
	*decoded = 1;
	ev.record_number = number;
	ev.written_time = written;
	ev.chunk = d->chunk;
	ev.recovered = recovered;
	return d->sink->event(d->sink->ctx, &ev) ? EVTX_DECODE_ESTOP : 0;
}

/* Record: "**\0\0", u32 size, u64 number, u64 written time, binary XML, u32 size.
 * Follows the live records from offset 512 up to `end`. *slack gets the chunk
 * offset where slack space starts: where the walk ended, or 8 bytes past a record
 * it skipped because its framing is wrong (that record is not looked at again). */
static int chunk_records(struct decode *d, const struct reader *c, size_t end, size_t *slack)
{
	size_t pos = EVTX_CHUNK_HEADER_SIZE;
	int rc, decoded;

	*slack = pos;
	while (pos < end) {
		uint32_t sig = 0, size = 0, size_copy = 0;
		uint64_t number = 0;

		if (reader_u32_at(c, pos + EVTX_REC_SIGNATURE, &sig) || reader_u32_at(c, pos + EVTX_REC_SIZE, &size))
			return skip(d, 0, "truncated record");
		if (sig == 0 && size == 0)
			return 0;
		if (sig != EVTX_RECORD_SIGNATURE)
			return skip(d, 0, "bad record signature");
		*slack = pos + EVTX_RECORD_ALIGNMENT;
		reader_u64_at(c, pos + EVTX_REC_NUMBER, &number);
		if (size < EVTX_RECORD_HEADER_SIZE + EVTX_RECORD_TRAILER_SIZE || size > c->len - pos)
			return skip(d, number, "bad record size");
		if (reader_u32_at(c, pos + size - EVTX_RECORD_TRAILER_SIZE, &size_copy) || size_copy != size)
			return skip(d, number, "record size copy mismatch");
		rc = deliver(d, c, pos, size, 0, &decoded);
		if (rc)
			return rc;
		pos += size;
		*slack = pos;
	}
	return 0;
}

/* The first chunk offset at or after `from` that is a multiple of 8 and holds a
 * record signature; c->len when there is none. */
static size_t next_signature(const struct reader *c, size_t from)
{
	struct reader w;
	const uint8_t *p, *hit;
	uint32_t sig;

	for (;;) {
		if (from % EVTX_RECORD_ALIGNMENT)
			from += EVTX_RECORD_ALIGNMENT - from % EVTX_RECORD_ALIGNMENT;
		if (from >= c->len || reader_sub(c, from, c->len - from, &w) || reader_bytes(&w, w.len, &p))
			return c->len;
		/* slack space is mostly zeros: look for the signature's first byte */
		hit = memchr(p, EVTX_RECORD_SIGNATURE & 0xff, w.len);
		if (!hit)
			return c->len;
		from += (size_t)(hit - p);
		if (from % EVTX_RECORD_ALIGNMENT == 0 && reader_u32_at(c, from, &sig) == 0 && sig == EVTX_RECORD_SIGNATURE)
			return from;
		from++;
	}
}

/* Is the signature at chunk offset pos a record? Its size must leave room for a
 * fragment header and fit in the chunk, its size copy must match, and its binary
 * XML must start with a fragment header. *size gets its size. */
static int slack_record(const struct reader *c, size_t pos, uint32_t *size)
{
	const uint32_t fragment_header = EVTX_TOKEN_FRAGMENT_HEADER | EVTX_FRAGMENT_MAJOR_VERSION << 8 |
					 EVTX_FRAGMENT_MINOR_VERSION << 16;
	uint32_t size_copy = 0, fragment = 0;

	if (reader_u32_at(c, pos + EVTX_REC_SIZE, size) ||
	    *size < EVTX_RECORD_HEADER_SIZE + EVTX_FRAGMENT_HEADER_SIZE + EVTX_RECORD_TRAILER_SIZE ||
	    *size > c->len - pos)
		return 0;
	if (reader_u32_at(c, pos + *size - EVTX_RECORD_TRAILER_SIZE, &size_copy) || size_copy != *size)
		return 0;
	return reader_u32_at(c, pos + EVTX_RECORD_HEADER_SIZE, &fragment) == 0 && fragment == fragment_header;
}

/* Slack space, from chunk offset `from` to the end of the chunk: deleted records,
 * and in a damaged chunk the live ones the walk could not reach, delivered with
 * recovered = 1. A record that cannot be decoded is skipped with recovered = 1 and
 * the scan goes on 8 bytes further; after a decoded one it goes on past it. */
static int chunk_slack(struct decode *d, const struct reader *c, size_t from)
{
	size_t pos = from;
	int rc, decoded;

	while ((pos = next_signature(c, pos)) < c->len) {
		uint32_t size = 0;
		decoded = 0;
		if (slack_record(c, pos, &size)) {
			rc = deliver(d, c, pos, size, 1, &decoded);
			if (rc)
				return rc;
		}
		pos += decoded ? size : EVTX_RECORD_ALIGNMENT;
	}
	return 0;
}

/* One 64 KiB slot (shorter at the end of the file): a chunk, zeros, or damage. */
static int decode_slot(struct decode *d, const uint8_t *p, size_t slot)
{
	struct reader c;
	size_t slack;
	int rc;

	if (slot < EVTX_SIGNATURE_LEN || memcmp(p, EVTX_CHUNK_SIGNATURE, EVTX_SIGNATURE_LEN) != 0) {
		if (!all_zero(p, slot))
			return skip(d, 0, slot < EVTX_CHUNK_SIZE ? "truncated chunk" : "bad chunk signature");
		/* Zeros are unused space past the chunks in use; a chunk the header counts
		 * cannot be zeros: its records were wiped. */
		if (d->chunk < d->info->header_chunks)
			return skip(d, 0, "zeroed chunk (the file header counts it)");
		return 0;
	}
	if (slot < EVTX_CHUNK_HEADER_SIZE)
		return skip(d, 0, "truncated chunk");
	d->info->chunks_read++;
	reader_init(&c, p, slot);
	binxml_chunk(d->bx, p, slot);
	rc = chunk_records(d, &c, chunk_check(d, &c), &slack);
	return rc ? rc : chunk_slack(d, &c, slack);
}

/* The file header block: head[0..len), len <= EVTX_FILE_HEADER_BLOCK_SIZE unless
 * the whole file is given; total is the file size. */
static int file_header(const uint8_t *head, size_t len, uint64_t total, struct evtx_file_info *info,
		       const char **why)
{
	struct reader file;
	const uint8_t *sig;

	memset(info, 0, sizeof(*info));
	reader_init(&file, head, len);
	header(&file, info);
	if (reader_bytes(&file, EVTX_SIGNATURE_LEN, &sig) || memcmp(sig, EVTX_FILE_SIGNATURE, EVTX_SIGNATURE_LEN) != 0) {
		*why = "not an EVTX file (no ElfFile signature)";
		return EVTX_DECODE_EOPEN;
	}
	if (total < EVTX_FILE_HEADER_BLOCK_SIZE) {
		*why = "truncated EVTX file (shorter than its 4096-byte header)";
		return EVTX_DECODE_EOPEN;
	}
	return 0;
}

int evtx_decode_read(const uint8_t *buf, size_t len, const struct evtx_sink *sink, struct evtx_file_info *info,
		     const char **why)
{
	struct decode d = { .sink = sink, .info = info };
	int rc = file_header(buf, len, len, info, why);

	if (rc)
		return rc;
	if (binxml_new(&d.bx))
		return EVTX_DECODE_ENOMEM;
	binxml_want_data(d.bx, sink->wants_data);
	for (size_t off = EVTX_FILE_HEADER_BLOCK_SIZE; off < len && rc == 0; off += EVTX_CHUNK_SIZE, d.chunk++)
		rc = decode_slot(&d, buf + off, len - off < EVTX_CHUNK_SIZE ? len - off : EVTX_CHUNK_SIZE);
	binxml_free(d.bx);
	return rc;
}

int evtx_decode_fd_chunks(int fd, uint64_t size, uint32_t first_chunk, uint32_t n_chunks, const struct evtx_sink *sink,
			  struct evtx_file_info *info, const char **why)
{
	struct decode d = { .sink = sink, .info = info, .chunk = first_chunk };
	uint64_t end_chunk = (uint64_t)first_chunk + n_chunks;
	uint8_t *buf;
	ssize_t n;
	int rc;

	buf = malloc(EVTX_CHUNK_SIZE);
	if (!buf)
		return EVTX_DECODE_ENOMEM;
	n = fileio_read_full(fd, buf, size < EVTX_FILE_HEADER_BLOCK_SIZE ? (size_t)size : EVTX_FILE_HEADER_BLOCK_SIZE, 0);
	if (n < 0) {
		memset(info, 0, sizeof(*info));
		free(buf);
		*why = "cannot read the file header";
		return EVTX_DECODE_EOPEN;
	}
	rc = file_header(buf, (size_t)n, size, info, why);
	if (rc == 0 && binxml_new(&d.bx))
		rc = EVTX_DECODE_ENOMEM;
	if (rc == 0)
		binxml_want_data(d.bx, sink->wants_data);
	for (uint64_t k = first_chunk; k < end_chunk && rc == 0; k++, d.chunk++) {
		uint64_t off = EVTX_FILE_HEADER_BLOCK_SIZE + k * EVTX_CHUNK_SIZE;
		size_t slot;
		if (off >= size)
			break;
		slot = size - off < EVTX_CHUNK_SIZE ? (size_t)(size - off) : EVTX_CHUNK_SIZE;
		n = fileio_read_full(fd, buf, slot, off);
		if (n < 0)
			rc = skip(&d, 0, "cannot read chunk");
		else if (n > 0)
			rc = decode_slot(&d, buf, (size_t)n);
	}
	binxml_free(d.bx);
	free(buf);
	return rc;
}

int evtx_decode_fd(int fd, uint64_t size, const struct evtx_sink *sink, struct evtx_file_info *info,
		   const char **why)
{
	return evtx_decode_fd_chunks(fd, size, 0, UINT32_MAX, sink, info, why);
}
