/* evtx_libevtx.c: the libevtx decoder behind the common event interface, and the
 * checks that keep binary XML libevtx cannot read safely away from it. */
#include <libevtx.h>
#include <assert.h>
#include <errno.h>
#include <libbfio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <unistd.h>
#include <string.h>
#include <zlib.h>

#include "evtx_format.h"
#include "evtx_libevtx.h"
#include "fileio.h"
#include "reader.h"
#include "xml_event.h"

#define FILE_HEADER_SIZE 4096
#define CHUNK_SIZE 65536

struct opened {
	libbfio_handle_t *io;
	libevtx_file_t *file;
};

static void opened_close(struct opened *o)
{
	if (o->file) {
		libevtx_file_close(o->file, NULL);
		libevtx_file_free(&o->file, NULL);
	}
	if (o->io)
		libbfio_handle_free(&o->io, NULL);
}

/* Opens libevtx on o->io (set by the caller); on failure, o is closed. */
static int open_io(struct opened *o)
{
	if (libevtx_file_initialize(&o->file, NULL) != 1)
		goto fail;
	if (libevtx_file_open_file_io_handle(o->file, o->io, LIBEVTX_OPEN_READ, NULL) != 1) {
		libevtx_file_free(&o->file, NULL);
		goto fail;
	}
	return 0;
fail:
	opened_close(o);
	return -1;
}

static int open_range(uint8_t *buf, size_t len, struct opened *o)
{
	memset(o, 0, sizeof(*o));
	if (libbfio_memory_range_initialize(&o->io, NULL) != 1 ||
	    libbfio_memory_range_set(o->io, buf, len, NULL) != 1) {
		opened_close(o);
		return -1;
	}
	return open_io(o);
}

/* libbfio reads the file itself, block by block, through its own descriptor. */
static int open_path(const char *path, struct opened *o)
{
	memset(o, 0, sizeof(*o));
	if (libbfio_file_initialize(&o->io, NULL) != 1 ||
	    libbfio_file_set_name(o->io, path, strlen(path), NULL) != 1) {
		opened_close(o);
		return -1;
	}
	return open_io(o);
}

void evtx_libevtx_global_init(void)
{
	/* A blank header: the open fails, but libevtx's lazy globals get set up. */
	static uint8_t junk[FILE_HEADER_SIZE];
	struct opened o;
	if (open_range(junk, sizeof(junk), &o) == 0)
		opened_close(&o);
}

static int chunk_signature_ok(const uint8_t *p)
{
	return memcmp(p, "ElfChnk", 8) == 0;
}

static int all_zero(const uint8_t *p, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (p[i])
			return 0;
	return 1;
}

/* Zeroes chunk slots whose header libevtx would reject; returns how many. */
static unsigned zero_bad_chunks(uint8_t *copy, size_t len, const struct evtx_sink *sink)
{
	unsigned n = 0;
	for (size_t off = FILE_HEADER_SIZE; off < len; off += CHUNK_SIZE) {
		size_t slot = len - off < CHUNK_SIZE ? len - off : CHUNK_SIZE;
		uint8_t *p = copy + off;
		if (slot >= 8 && chunk_signature_ok(p))
			continue;
		if (all_zero(p, slot))
			continue;
		memset(p, 0, slot);
		n++;
		if (sink && sink->skip) {
			struct evtx_skip sk = {
				.chunk = (uint32_t)((off - FILE_HEADER_SIZE) / CHUNK_SIZE),
				.n_records = 1,
				.reason = slot < CHUNK_SIZE ? "truncated chunk" : "bad chunk signature",
			};
			sink->skip(sink->ctx, &sk);
		}
	}
	return n;
}

/* ---- binary XML kept from libevtx ------------------------------------------
 *
 * libfwevt, inside libevtx 20181227, reads a record's binary XML with the chunk as
 * its only bound, and computes a template instance's value count x 4 in 32 bits: a
 * count from 2^30 to 2^31 - 1 passes its bounds check, then it allocates count x 8
 * bytes and reads value descriptors past the end of the chunk buffer, allocating a
 * value for each (SECURITY.md). So before libevtx reads records from an image,
 * each chunk of it is walked as libevtx_chunk_read() walks it: live records by
 * their sizes from offset 512 while they are valid, then a record signature at
 * every 4 bytes from where that walk stopped (from offset 0 in a chunk without a
 * chunk signature). In the image, which is then a private copy:
 *  - a record whose template instances do not lie inside it (record_unsafe()) is
 *    hidden: a live one keeps its place, but its binary XML starts with an EOF
 *    token, so libevtx lists it and cannot render it; a recovered one loses its
 *    signature, so libevtx, like the walk, scans on from 4 bytes further;
 *  - every byte that libfwevt would take for a template instance whose value
 *    descriptors run past the chunk (overruns_chunk()), wherever it lies, is
 *    zeroed (or, where libevtx reads that byte on opening, the top byte of the
 *    count), whichever record's binary XML might lead libfwevt there;
 *  - a record holding a byte zeroed here is hidden too, so none is rendered with
 *    a changed byte;
 * and the chunk is walked again until nothing changes; past GUARD_MAX_PASSES
 * walks it is zeroed (libevtx passes over an all-zero chunk). Hidden records are
 * reported as skipped with the reason: recovered ones here, live ones when libevtx
 * lists them (by record number and written time). Bytes that libevtx reads on
 * opening (the first 128 of the file; a chunk's signature, header size, last
 * record and free space offsets) are never changed: a file that would need it is
 * refused. */

#define GUARD_MAX_DEPTH 64		/* template instances nested in binary XML values */
#define GUARD_MAX_INSTANCES 256		/* template instances checked in one record */
#define GUARD_MAX_PASSES 4		/* walks of one chunk before it is zeroed instead */
#define GUARD_MAX_HIDDEN (1u << 20)	/* hidden live records kept for their reason */
/* Records found in one chunk and not hidden from the slack scan: disjoint, 24 bytes at least. */
#define GUARD_MAX_SPANS (CHUNK_SIZE / EVTX_RECORD_HEADER_SIZE + 1)
#define FILE_HEADER_FIELDS 128		/* bytes of the file header that libevtx reads */
#define GUARD_EUNSAFE (-20)		/* a change would fall on bytes libevtx reads on opening */

static const char reason_record[] = "kept from libevtx: template instance runs past its record";
static const char reason_depth[] = "kept from libevtx: template instances nested too deeply";
static const char reason_chunk[] = "kept from libevtx: template instance value count runs past its chunk";
static const char reason_zeroed[] = "kept from libevtx: chunk whose binary xml it cannot read safely";
static const char why_unsafe[] = "binary xml libevtx cannot read safely, in bytes it reads on opening";

struct span {
	uint32_t off, size;
	uint8_t live;		/* found by the walk from offset 512 */
	uint8_t hidden;
};

struct hidden {
	uint64_t number, written;
	const char *reason;
};

struct guard {
	const struct evtx_sink *sink;	/* NULL: hidden recovered records are not reported */
	unsigned what;			/* the lists that will be read (LIBEVTX_LIVE, _RECOVERED) */
	int dry;			/* change nothing, only set `found` when a change is due */
	int found;
	/* the chunk being walked */
	const uint8_t *rd;
	uint8_t *wr;			/* the same bytes, writable (NULL in a dry run) */
	struct reader c;		/* over rd, CHUNK_SIZE bytes */
	size_t file_off;		/* its offset in the image */
	uint32_t chunk;			/* its index in reports */
	int elfchnk;			/* it has a chunk signature */
	struct span *spans;
	size_t n_spans;
	uint8_t *touched;		/* a bit per byte zeroed here */
	size_t n_touched;
	/* live records given an empty document, sorted by hidden_sort() */
	struct hidden *hidden;
	size_t n_hidden, cap_hidden;
};

static void guard_release(struct guard *g)
{
	free(g->spans);
	free(g->touched);
	free(g->hidden);
	memset(g, 0, sizeof(*g));
}

static int guard_init(struct guard *g, const struct evtx_sink *sink, unsigned what)
{
	memset(g, 0, sizeof(*g));
	g->sink = sink && sink->skip ? sink : NULL;
	g->what = what;
	g->spans = malloc(GUARD_MAX_SPANS * sizeof(*g->spans));
	g->touched = malloc(CHUNK_SIZE / 8);
	if (!g->spans || !g->touched) {
		guard_release(g);
		return LIBEVTX_ENOMEM;
	}
	return 0;
}

static int byte_at(const struct reader *r, size_t off, uint8_t *out)
{
	struct reader t = *r;
	return reader_seek(&t, off) || reader_u8(&t, out) ? -1 : 0;
}

/* A template instance at chunk offset `at`, in a record whose binary XML ends at
 * `end`: token, u8, u32 template id, u32 definition offset, the definition when
 * that offset points just past these 10 bytes (u32 next, GUID, u32 data size, the
 * data), then u32 count, count x 4-byte descriptors (u16 size, u8 type, u8) and the
 * values. NULL when all of it lies inside the record, and so does every template
 * instance that starts a value of type binary XML, after a fragment header or not
 * (where libfwevt reads one when it substitutes the value); otherwise the reason.
 * *next gets the end of the values, or 0 when libfwevt refuses the instance
 * before its values (a definition offset past it). */
static const char *instance_unsafe(const struct reader *c, size_t at, size_t end, unsigned depth,
				   unsigned *budget, size_t *next)
{
	size_t v, desc, vals, p, total = 0;
	uint32_t def, dsize, count;

	if (depth >= GUARD_MAX_DEPTH || *budget == 0)
		return reason_depth;
	(*budget)--;
	if (at > end || end - at < EVTX_TEMPLATE_INSTANCE_SIZE || reader_u32_at(c, at + 6, &def))
		return reason_record;
	v = at + EVTX_TEMPLATE_INSTANCE_SIZE;
	*next = 0;
	if (def > v)
		return NULL;
	if (def == v) {
		if (end - v < EVTX_TEMPLATE_DEF_HEADER_SIZE ||
		    reader_u32_at(c, v + EVTX_TEMPLATE_DEF_DATA_SIZE, &dsize) ||
		    dsize > end - v - EVTX_TEMPLATE_DEF_HEADER_SIZE)
			return reason_record;
		v += EVTX_TEMPLATE_DEF_HEADER_SIZE + (size_t)dsize;
	}
	if (end - v < 4 || reader_u32_at(c, v, &count))
		return reason_record;
	desc = v + 4;
	if (count > (end - desc) / EVTX_VALUE_DESCRIPTOR_SIZE)
		return reason_record;
	vals = desc + (size_t)count * EVTX_VALUE_DESCRIPTOR_SIZE;
	for (uint32_t i = 0; i < count; i++) {
		uint16_t size;
		if (reader_u16_at(c, desc + (size_t)i * EVTX_VALUE_DESCRIPTOR_SIZE, &size))
			return reason_record;
		total += size;
	}
	if (total > end - vals)
		return reason_record;
	p = vals;
	for (uint32_t i = 0; i < count; i++) {
		uint16_t size, type;
		size_t start = p, ignored;
		uint8_t tok;
		const char *why;

		reader_u16_at(c, desc + (size_t)i * EVTX_VALUE_DESCRIPTOR_SIZE, &size);
		reader_u16_at(c, desc + (size_t)i * EVTX_VALUE_DESCRIPTOR_SIZE + 2, &type);
		p += size;
		if ((type & 0xff) != EVTX_VALUE_BINXML)
			continue;
		if (byte_at(c, start, &tok) == 0 && tok == EVTX_TOKEN_FRAGMENT_HEADER)
			start += EVTX_FRAGMENT_HEADER_SIZE;
		if (byte_at(c, start, &tok) || tok != EVTX_TOKEN_TEMPLATE_INSTANCE)
			continue;
		if ((why = instance_unsafe(c, start, end, depth + 1, budget, &ignored)) != NULL)
			return why;
	}
	*next = vals + total;
	return NULL;
}

/* The binary XML of the record of `size` bytes at chunk offset off, as libfwevt
 * reads it from offset 24 (with the chunk as its bound): while a fragment header
 * holding a template instance follows, that instance (instance_unsafe()). An EOF
 * token ends the document; after anything else the walk cannot follow libfwevt,
 * which is what the sweep of overruns_chunk() is for. NULL or the reason. */
static const char *record_unsafe(const struct reader *c, size_t off, uint32_t size)
{
	size_t p = off + EVTX_RECORD_HEADER_SIZE, end = p;
	unsigned budget = GUARD_MAX_INSTANCES;

	if (size >= EVTX_RECORD_HEADER_SIZE + EVTX_RECORD_TRAILER_SIZE)
		end = off + size - EVTX_RECORD_TRAILER_SIZE;
	for (;;) {
		const char *why;
		uint8_t tok;

		if (byte_at(c, p, &tok) || tok != EVTX_TOKEN_FRAGMENT_HEADER ||
		    byte_at(c, p + EVTX_FRAGMENT_HEADER_SIZE, &tok) || tok != EVTX_TOKEN_TEMPLATE_INSTANCE)
			return NULL;
		why = instance_unsafe(c, p + EVTX_FRAGMENT_HEADER_SIZE, end, 0, &budget, &p);
		if (why || p == 0)
			return why;
	}
}

/* libfwevt_xml_document_read_template_instance() and _values() on a template
 * instance at chunk offset `at`, with the chunk as their only bound: 1 when every
 * check they make passes and the value descriptors still run past the chunk, which
 * is when count x 4 wraps in 32 bits (count >= 2^30) and the count is below 2^31
 * (libcdata_array_initialize() takes it as an int and refuses a negative one).
 * *count_at gets the offset of the count. */
static int overruns_chunk(const struct reader *c, size_t at, size_t *count_at)
{
	size_t n = c->len, v, rel = 0;
	uint32_t def, dsize, count;

	if (at >= n || n - at <= EVTX_TEMPLATE_INSTANCE_SIZE || reader_u32_at(c, at + 6, &def))
		return 0;
	if (def > at + EVTX_TEMPLATE_INSTANCE_SIZE || def >= n - EVTX_TEMPLATE_DEF_HEADER_SIZE ||
	    reader_u32_at(c, (size_t)def + EVTX_TEMPLATE_DEF_DATA_SIZE, &dsize))
		return 0;
	if (def == at + EVTX_TEMPLATE_INSTANCE_SIZE)
		rel = EVTX_TEMPLATE_DEF_HEADER_SIZE + (size_t)dsize;
	if (rel >= n - at)
		return 0;
	v = at + EVTX_TEMPLATE_INSTANCE_SIZE + rel;
	if (v >= n || n - v <= 4 || reader_u32_at(c, v, &count))
		return 0;
	if ((uint32_t)(count * 4u) >= n - v - 4)
		return 0;
	*count_at = v;
	return count >= (1u << 30) && count < (1u << 31);
}

/* Bytes libevtx reads when it opens the image. */
static int guard_protected(const struct guard *g, size_t off)
{
	if (off < FILE_HEADER_FIELDS && g->file_off < FILE_HEADER_FIELDS - off)
		return 1;
	return g->elfchnk && (off < EVTX_SIGNATURE_LEN ||
			      (off >= EVTX_CH_HEADER_SIZE && off < EVTX_CH_FREE_SPACE_OFFSET + 4));
}

static int touched(const struct guard *g, size_t off)
{
	return (g->touched[off / 8] >> (off % 8)) & 1;
}

/* Zeroes chunk byte off: 1 when it changed, 0 when zeroed here already, or
 * GUARD_EUNSAFE. A dry run only sets `found`. */
static int guard_zero(struct guard *g, size_t off)
{
	assert(off < CHUNK_SIZE);
	if (touched(g, off))
		return 0;
	g->found = 1;
	if (g->dry)
		return 1;
	if (guard_protected(g, off))
		return GUARD_EUNSAFE;
	g->wr[off] = 0;
	g->touched[off / 8] |= (uint8_t)(1u << (off % 8));
	g->n_touched++;
	return 1;
}

static int remember(struct guard *g, size_t off, const char *reason)
{
	struct hidden *h;

	/* past the limit, such a record keeps libevtx's reason */
	if (g->n_hidden == GUARD_MAX_HIDDEN)
		return 0;
	if (g->n_hidden == g->cap_hidden) {
		size_t cap = g->cap_hidden ? g->cap_hidden * 2 : 64;
		struct hidden *v = realloc(g->hidden, cap * sizeof(*v));
		if (!v)
			return LIBEVTX_ENOMEM;
		g->hidden = v;
		g->cap_hidden = cap;
	}
	h = &g->hidden[g->n_hidden++];
	h->number = h->written = 0;
	reader_u64_at(&g->c, off + EVTX_REC_NUMBER, &h->number);
	reader_u64_at(&g->c, off + EVTX_REC_WRITTEN_TIME, &h->written);
	h->reason = reason;
	return 0;
}

static int report_hidden(struct guard *g, size_t off, const char *reason)
{
	struct evtx_skip sk = { .chunk = g->chunk, .n_records = 1, .recovered = 1, .reason = reason };

	if (!g->sink || !(g->what & LIBEVTX_RECOVERED))
		return 0;
	reader_u64_at(&g->c, off + EVTX_REC_NUMBER, &sk.record_number);
	return g->sink->skip(g->sink->ctx, &sk) ? LIBEVTX_ESTOP : 0;
}

/* Hides the record of span s (the comment above): 1 when bytes changed, 0, or a
 * negative code. */
static int hide(struct guard *g, struct span *s, const char *reason)
{
	int rc;

	s->hidden = 1;
	if (s->live) {
		rc = guard_zero(g, s->off + EVTX_RECORD_HEADER_SIZE);
	} else {
		rc = guard_zero(g, s->off);
		if (rc == 1)
			rc = guard_zero(g, s->off + 1);
		if (rc == GUARD_EUNSAFE)
			/* its binary XML then starts with neither 0f 01 01 00 nor 0a */
			rc = guard_zero(g, s->off + EVTX_RECORD_HEADER_SIZE);
	}
	if (rc == 1 && !g->dry) {
		/* A live record is reported when libevtx lists it, a deleted one now. */
		int err = s->live ? remember(g, s->off, reason) : report_hidden(g, s->off, reason);
		if (err)
			return err;
	}
	return rc;
}

/* libevtx_record_values_read_header() at chunk offset off: 1 with *size for a
 * record, 0 for a 24-byte header of zeros, -1 for anything else. */
static int record_at(const struct reader *c, size_t off, uint32_t *size)
{
	struct reader h;
	const uint8_t *head;
	uint32_t sig, copy;

	if (off > c->len || c->len - off < EVTX_RECORD_HEADER_SIZE + EVTX_RECORD_TRAILER_SIZE ||
	    reader_sub(c, off, EVTX_RECORD_HEADER_SIZE, &h) || reader_bytes(&h, EVTX_RECORD_HEADER_SIZE, &head))
		return -1;
	if (all_zero(head, EVTX_RECORD_HEADER_SIZE))
		return 0;
	if (reader_u32_at(c, off + EVTX_REC_SIGNATURE, &sig) || sig != EVTX_RECORD_SIGNATURE ||
	    reader_u32_at(c, off + EVTX_REC_SIZE, size) || *size < EVTX_RECORD_HEADER_SIZE ||
	    *size > c->len - off - EVTX_RECORD_TRAILER_SIZE ||
	    reader_u32_at(c, off + *size - EVTX_RECORD_TRAILER_SIZE, &copy) || copy != *size)
		return -1;
	return 1;
}

/* What libevtx_chunk_read() keeps from its scan past the live records: a record
 * at chunk offset off whose binary XML starts with a fragment header (0f 01 01 00)
 * or, 5 bytes or more, with a processing instruction target. */
static int slack_record_at(const struct reader *c, size_t off, uint32_t *size)
{
	uint32_t sig, head;
	size_t xml_len;
	uint8_t tok;

	if (reader_u32_at(c, off, &sig) || sig != EVTX_RECORD_SIGNATURE || record_at(c, off, size) != 1)
		return 0;
	xml_len = *size > EVTX_RECORD_HEADER_SIZE + EVTX_RECORD_TRAILER_SIZE ?
		  *size - EVTX_RECORD_HEADER_SIZE - EVTX_RECORD_TRAILER_SIZE : 0;
	if (xml_len >= 5 && byte_at(c, off + EVTX_RECORD_HEADER_SIZE, &tok) == 0 && tok == EVTX_TOKEN_PI_TARGET)
		return 1;
	return xml_len >= 4 && reader_u32_at(c, off + EVTX_RECORD_HEADER_SIZE, &head) == 0 && head == 0x0001010fu;
}

/* Adds the record at off to the spans and hides it when unsafe. */
static int check_record(struct guard *g, size_t off, uint32_t size, int live)
{
	struct span *s;
	const char *why;

	assert(g->n_spans < GUARD_MAX_SPANS);
	s = &g->spans[g->n_spans++];
	s->off = (uint32_t)off;
	s->size = size;
	s->live = (uint8_t)live;
	s->hidden = 0;
	why = record_unsafe(&g->c, off, size);
	return why ? hide(g, s, why) : 0;
}

/* The records of the chunk as libevtx finds them, each checked. Returns 1 when
 * bytes changed, 0, or a negative code. */
static int walk_chunk(struct guard *g)
{
	const struct reader *c = &g->c;
	size_t off = 0;
	uint32_t size;
	int changed = 0, rc;

	g->n_spans = 0;
	g->elfchnk = chunk_signature_ok(g->rd);
	if (all_zero(g->rd, CHUNK_SIZE))
		return 0;
	if (g->elfchnk) {
		uint32_t header_size = 0, last = 0, free_off = 0;
		reader_u32_at(c, EVTX_CH_HEADER_SIZE, &header_size);
		reader_u32_at(c, EVTX_CH_LAST_RECORD_OFFSET, &last);
		reader_u32_at(c, EVTX_CH_FREE_SPACE_OFFSET, &free_off);
		/* libevtx refuses to open a file with such a chunk */
		if (header_size != EVTX_CHUNK_HEADER_FIELDS_SIZE || free_off < EVTX_CHUNK_HEADER_SIZE ||
		    free_off > CHUNK_SIZE)
			return 0;
		for (off = EVTX_CHUNK_HEADER_SIZE; off <= last && record_at(c, off, &size) == 1; off += size) {
			if ((rc = check_record(g, off, size, 1)) < 0)
				return rc;
			changed |= rc;
			if (g->dry && g->found)
				return 0;
		}
	}
	for (; off < CHUNK_SIZE; off += 4) {
		if (!slack_record_at(c, off, &size))
			continue;
		if ((rc = check_record(g, off, size, 0)) < 0)
			return rc;
		changed |= rc;
		if (g->dry && g->found)
			return 0;
		if (g->spans[g->n_spans - 1].hidden)
			g->n_spans--;	/* libevtx scans on inside it */
		else
			off += size - EVTX_RECORD_TRAILER_SIZE;
	}
	return changed;
}

/* Zeroes every template instance that overruns_chunk(). */
static int sweep_overruns(struct guard *g)
{
	int changed = 0;

	for (size_t at = 0; at < CHUNK_SIZE; at++) {
		const uint8_t *p = memchr(g->rd + at, EVTX_TOKEN_TEMPLATE_INSTANCE, CHUNK_SIZE - at);
		size_t count_at;
		int rc;

		if (!p)
			break;
		at = (size_t)(p - g->rd);
		if (!overruns_chunk(&g->c, at, &count_at))
			continue;
		rc = guard_zero(g, at);
		if (rc == GUARD_EUNSAFE)
			/* the count is then below 2^24: its descriptors fit in the chunk or are refused */
			rc = guard_zero(g, count_at + 3);
		if (rc < 0)
			return rc;
		changed |= rc;
		if (g->dry)
			return 0;
	}
	return changed;
}

/* Hides each record not hidden yet that holds a byte zeroed here. */
static int sweep_touched(struct guard *g)
{
	int changed = 0;

	for (size_t i = 0; g->n_touched && i < g->n_spans; i++) {
		struct span *s = &g->spans[i];
		for (size_t b = s->off; !s->hidden && b < (size_t)s->off + s->size; b++) {
			int rc;
			if (!touched(g, b))
				continue;
			if ((rc = hide(g, s, reason_chunk)) < 0)
				return rc;
			changed |= rc;
		}
	}
	return changed;
}

/* Guards the chunk rd[0..CHUNK_SIZE), at offset file_off of the image and
 * reported as chunk `chunk`; wr: the same bytes, writable, or NULL for a dry run.
 * Returns 0, GUARD_EUNSAFE, LIBEVTX_ESTOP or LIBEVTX_ENOMEM. */
static int guard_chunk(struct guard *g, const uint8_t *rd, uint8_t *wr, size_t file_off, uint32_t chunk)
{
	int rc;

	g->rd = rd;
	g->wr = wr;
	g->dry = wr == NULL;
	g->file_off = file_off;
	g->chunk = chunk;
	reader_init(&g->c, rd, CHUNK_SIZE);
	memset(g->touched, 0, CHUNK_SIZE / 8);
	g->n_touched = 0;
	for (unsigned pass = 0; pass < GUARD_MAX_PASSES; pass++) {
		int changed;
		if ((rc = walk_chunk(g)) < 0)
			return rc;
		changed = rc;
		if (g->dry && g->found)
			return 0;
		if ((rc = sweep_overruns(g)) < 0)
			return rc;
		changed |= rc;
		if (g->dry && g->found)
			return 0;
		if ((rc = sweep_touched(g)) < 0)
			return rc;
		if (!(changed | rc))
			return 0;
	}
	/* a dry run stops at the first change due */
	assert(wr);
	if (file_off < FILE_HEADER_FIELDS)
		return GUARD_EUNSAFE;
	memset(wr, 0, CHUNK_SIZE);
	if (g->sink) {
		struct evtx_skip sk = { .chunk = chunk, .n_records = 1, .recovered = !(g->what & LIBEVTX_LIVE),
					.reason = reason_zeroed };
		return g->sink->skip(g->sink->ctx, &sk) ? LIBEVTX_ESTOP : 0;
	}
	return 0;
}

/* Guards each chunk of img[0..len) where libevtx reads one: from the offset in
 * the header's block size field, whatever it is, CHUNK_SIZE bytes each while a
 * whole one fits. wr: img itself, writable, or NULL for a dry run, which returns 1
 * as soon as a change is due. Otherwise returns 0 or a negative code. */
static int guard_image(struct guard *g, const uint8_t *img, uint8_t *wr, size_t len)
{
	struct reader r;
	uint16_t base;

	reader_init(&r, img, len);
	if (reader_u16_at(&r, EVTX_FH_BLOCK_SIZE, &base))
		return 0;
	for (size_t off = base, k = 0; off <= len && len - off >= CHUNK_SIZE; off += CHUNK_SIZE, k++) {
		struct reader t;
		const uint8_t *chunk;
		int rc;

		if (reader_sub(&r, off, CHUNK_SIZE, &t) || reader_bytes(&t, CHUNK_SIZE, &chunk))
			break;
		rc = guard_chunk(g, chunk, wr ? wr + off : NULL, off,
				 base == FILE_HEADER_SIZE && k < EVENT_NO_CHUNK ? (uint32_t)k : EVENT_NO_CHUNK);
		if (rc < 0)
			return rc;
		if (g->dry && g->found)
			return 1;
	}
	return 0;
}

/* guard_image() as a dry run over the first `size` bytes of the file fd, read a
 * chunk at a time. Returns 1 when a change is due (or a chunk cannot be read), 0,
 * or LIBEVTX_ENOMEM. */
static int guard_fd_needed(int fd, uint64_t size, const uint8_t *head)
{
	struct guard g;
	struct reader h;
	uint16_t base = 0;
	uint8_t *chunk = malloc(CHUNK_SIZE);
	int rc = chunk ? guard_init(&g, NULL, 0) : LIBEVTX_ENOMEM;

	if (rc) {
		free(chunk);
		return rc;
	}
	reader_init(&h, head, FILE_HEADER_SIZE);
	reader_u16_at(&h, EVTX_FH_BLOCK_SIZE, &base);
	for (uint64_t off = base; rc == 0 && off <= size && size - off >= CHUNK_SIZE; off += CHUNK_SIZE) {
		if (fileio_read_full(fd, chunk, CHUNK_SIZE, off) != CHUNK_SIZE)
			rc = 1;
		else if ((rc = guard_chunk(&g, chunk, NULL, (size_t)off, EVENT_NO_CHUNK)) == 0 && g.found)
			rc = 1;
	}
	guard_release(&g);
	free(chunk);
	return rc;
}

static int hidden_cmp(const void *a, const void *b)
{
	const struct hidden *x = a, *y = b;
	if (x->number != y->number)
		return x->number < y->number ? -1 : 1;
	return x->written < y->written ? -1 : x->written > y->written;
}

static void hidden_sort(struct guard *g)
{
	if (g->n_hidden > 1)
		qsort(g->hidden, g->n_hidden, sizeof(*g->hidden), hidden_cmp);
}

/* Why the record libevtx could not render was hidden, or NULL. */
static const char *hidden_reason(const struct guard *g, uint64_t number, uint64_t written)
{
	struct hidden key = { number, written, NULL };
	const struct hidden *h;

	if (!g || g->n_hidden == 0)
		return NULL;
	h = bsearch(&key, g->hidden, g->n_hidden, sizeof(key), hidden_cmp);
	return h ? h->reason : NULL;
}

struct walk {
	const struct evtx_sink *sink;
	uint32_t chunk;		/* the chunk opened on its own, or EVENT_NO_CHUNK (the whole file) */
	const struct guard *guard;	/* what was hidden from libevtx, or NULL */
	struct xml_event_buf xb;
	uint8_t *xml;
	size_t xml_cap;
};

static int skip(struct walk *w, uint64_t number, int recovered, const char *reason)
{
	struct evtx_skip sk = {
		.chunk = w->chunk,
		.record_number = number,
		.n_records = 1,
		.recovered = recovered,
		.reason = reason,
	};
	return w->sink->skip ? w->sink->skip(w->sink->ctx, &sk) : 0;
}

static int one_record(struct walk *w, libevtx_record_t *rec, int recovered)
{
	struct evtx_event ev;
	uint64_t number = 0, written = 0;
	size_t sz = 0;
	int rc;

	memset(&ev, 0, sizeof(ev));
	libevtx_record_get_identifier(rec, &number, NULL);
	libevtx_record_get_written_time(rec, &written, NULL);
	if (libevtx_record_get_utf8_xml_string_size(rec, &sz, NULL) != 1 || sz == 0) {
		const char *why = hidden_reason(w->guard, number, written);
		return skip(w, number, recovered, why ? why : "libevtx cannot render the record");
	}
	if (sz > w->xml_cap) {
		uint8_t *x = realloc(w->xml, sz);
		if (!x)
			return LIBEVTX_ENOMEM;
		w->xml = x;
		w->xml_cap = sz;
	}
	if (libevtx_record_get_utf8_xml_string(rec, w->xml, sz, NULL) != 1)
		return skip(w, number, recovered, "libevtx cannot render the record");
	rc = xml_event_parse((const char *)w->xml, strnlen((const char *)w->xml, sz), &w->xb, &ev);
	if (rc == -1)
		return LIBEVTX_ENOMEM;
	if (rc < 0)
		return skip(w, number, recovered, "rendered record has no event id");
	ev.record_number = number;
	ev.written_time = written;
	ev.chunk = w->chunk;
	ev.recovered = recovered;
	return w->sink->event(w->sink->ctx, &ev) ? LIBEVTX_ESTOP : 0;
}

static int all_records(struct walk *w, libevtx_file_t *file, int recovered)
{
	int n = 0;
	int ok = recovered ? libevtx_file_get_number_of_recovered_records(file, &n, NULL)
			   : libevtx_file_get_number_of_records(file, &n, NULL);
	if (ok != 1)
		return 0;
	for (int i = 0; i < n; i++) {
		libevtx_record_t *rec = NULL;
		int rc;
		ok = recovered ? libevtx_file_get_recovered_record_by_index(file, i, &rec, NULL)
			       : libevtx_file_get_record_by_index(file, i, &rec, NULL);
		if (ok != 1) {
			rc = skip(w, 0, recovered, "libevtx cannot read the record");
		} else {
			rc = one_record(w, rec, recovered);
			libevtx_record_free(&rec, NULL);
		}
		if (rc)
			return rc < 0 ? rc : LIBEVTX_ESTOP;
	}
	return 0;
}

static void header_info(const uint8_t *buf, size_t len, struct evtx_file_info *info)
{
	struct reader r;
	uint16_t minor, major, chunks;
	uint32_t flags;
	reader_init(&r, buf, len);
	if (reader_u16_at(&r, 0x24, &minor) == 0 && reader_u16_at(&r, 0x26, &major) == 0) {
		info->major_version = major;
		info->minor_version = minor;
	}
	if (reader_u16_at(&r, 0x2a, &chunks) == 0)
		info->header_chunks = chunks;
	if (reader_u32_at(&r, 0x78, &flags) == 0)
		info->dirty = (flags & LIBEVTX_FILE_FLAG_IS_DIRTY) != 0;
	info->chunks_read = len > FILE_HEADER_SIZE ? (uint32_t)((len - FILE_HEADER_SIZE + CHUNK_SIZE - 1) / CHUNK_SIZE) : 0;
}

/* The size libevtx may read: the header and whole chunks. */
static size_t padded_size(size_t len)
{
	size_t body = len - FILE_HEADER_SIZE;
	return FILE_HEADER_SIZE + (body + CHUNK_SIZE - 1) / CHUNK_SIZE * CHUNK_SIZE;
}

/* A zero-padded private copy of buf; NULL when out of memory. */
static uint8_t *padded_copy(const uint8_t *buf, size_t len, size_t padded)
{
	uint8_t *copy = malloc(padded);
	if (copy) {
		memcpy(copy, buf, len);
		memset(copy + len, 0, padded - len);
	}
	return copy;
}

int evtx_libevtx_read(const uint8_t *buf, size_t len, const struct evtx_sink *sink,
		      struct evtx_file_info *info, const char **why)
{
	return evtx_libevtx_read_some(buf, len, sink, info, why, LIBEVTX_LIVE | LIBEVTX_RECOVERED);
}

/* Opens libevtx on the image after guarding it (above): the guard is a dry run
 * first, and only when it finds something to change is libevtx closed, the image
 * copied (unless it is already private) and changed, and libevtx opened again.
 * libevtx reads no binary XML on opening. On failure o is closed. */
static int open_guarded(struct guard *g, const uint8_t *buf, size_t len, uint8_t **img, uint8_t **copy,
			size_t padded, struct opened *o, const char **why)
{
	int rc = guard_image(g, *img ? *img : buf, NULL, padded);

	if (rc <= 0) {
		if (rc < 0)
			opened_close(o);
		return rc;
	}
	opened_close(o);
	if (!*img) {
		if (!(*copy = padded_copy(buf, len, padded)))
			return LIBEVTX_ENOMEM;
		*img = *copy;
	}
	rc = guard_image(g, *img, *img, padded);
	if (rc == GUARD_EUNSAFE) {
		*why = why_unsafe;
		return LIBEVTX_EOPEN;
	}
	if (rc < 0)
		return rc;
	if (open_range(*img, padded, o) != 0) {
		*why = "libevtx cannot open the file";
		return LIBEVTX_EOPEN;
	}
	hidden_sort(g);
	return 0;
}

/* evtx_libevtx_read_some() on buf[0..len); wbuf: buf itself when it may be
 * changed (a private mapping), or NULL. */
static int read_image(const uint8_t *buf, uint8_t *wbuf, size_t len, const struct evtx_sink *sink,
		      struct evtx_file_info *info, const char **why, unsigned what)
{
	struct opened o;
	struct guard g;
	uint8_t *copy = NULL, *img = wbuf;	/* the image libevtx reads, when it may be changed */
	struct walk w = { .sink = sink, .chunk = EVENT_NO_CHUNK, .guard = &g };
	size_t padded;
	int rc;

	memset(info, 0, sizeof(*info));
	header_info(buf, len, info);
	if (len < FILE_HEADER_SIZE || memcmp(buf, "ElfFile", 8) != 0) {
		*why = "not an EVTX file (no ElfFile signature)";
		return LIBEVTX_EOPEN;
	}
	/* libbfio's memory range reads whole blocks without clamping them to the range:
	 * a file that ends inside a chunk is handed over as a zero-padded copy. */
	padded = padded_size(len);
	if (padded != len) {
		copy = padded_copy(buf, len, padded);
		if (!copy)
			return LIBEVTX_ENOMEM;
		img = copy;
	}
	/* libbfio wants a writable pointer; it only reads through it. */
	if (open_range(img ? img : (uint8_t *)(uintptr_t)buf, padded, &o) != 0) {
		if (!img && !(img = copy = padded_copy(buf, len, padded)))
			return LIBEVTX_ENOMEM;
		/* The bad chunks are reported once, by the pass that reads the live records. */
		if (zero_bad_chunks(img, len, (what & LIBEVTX_LIVE) ? sink : NULL) == 0 ||
		    open_range(img, padded, &o) != 0) {
			free(copy);
			*why = "libevtx cannot open the file";
			return LIBEVTX_EOPEN;
		}
		info->repaired = 1;
	}
	if ((rc = guard_init(&g, sink, what)) != 0) {
		opened_close(&o);
		free(copy);
		return rc;
	}
	if ((rc = open_guarded(&g, buf, len, &img, &copy, padded, &o, why)) != 0) {
		guard_release(&g);
		free(copy);
		return rc;
	}
	xml_event_buf_init(&w.xb);
	rc = (what & LIBEVTX_LIVE) ? all_records(&w, o.file, 0) : 0;
	if (rc == 0 && (what & LIBEVTX_RECOVERED))
		rc = all_records(&w, o.file, 1);
	xml_event_buf_release(&w.xb);
	free(w.xml);
	opened_close(&o);
	guard_release(&g);
	free(copy);
	return rc;
}

int evtx_libevtx_read_some(const uint8_t *buf, size_t len, const struct evtx_sink *sink,
			   struct evtx_file_info *info, const char **why, unsigned what)
{
	return read_image(buf, NULL, len, sink, info, why, what);
}

/* In an intact chunk, deleted records can only lie past the free-space offset: with
 * no record signature there, libevtx would recover nothing and is not asked (most
 * chunks). A damaged chunk (records CRC32 off) is always handed over: libevtx also
 * finds records past damage that a walk from the start cannot reach. */
static int slack_has_record(const uint8_t *chunk, size_t n)
{
	static const uint8_t sig[4] = { 0x2a, 0x2a, 0x00, 0x00 };
	struct reader r;
	uint32_t free_off, crc;
	reader_init(&r, chunk, n);
	if (reader_u32_at(&r, EVTX_CH_FREE_SPACE_OFFSET, &free_off) ||
	    reader_u32_at(&r, EVTX_CH_RECORDS_CHECKSUM, &crc) || free_off < 512 || free_off >= n)
		return 1;
	if (crc32(0L, chunk + 512, free_off - 512) != crc)
		return 1;
	return memmem(chunk + free_off, n - free_off, sig, sizeof(sig)) != NULL;
}

/* libevtx keeps an entry for every record of a file it opens, and numbers chunks
 * with 16 bits: on a large file, recovered records are read one chunk at a time,
 * each chunk behind a copy of the file header. The copy claims one chunk when the
 * real header counts this one (or the file is dirty), none otherwise, so libevtx
 * sorts the chunk's records into live and recovered as it would in the whole file:
 * records of a chunk past the header's count are recovered ones. A chunk that
 * libevtx cannot open is passed over (the live pass reports damage). */
static int recovered_by_chunk(int fd, uint64_t size, const uint8_t *head, const struct evtx_sink *sink)
{
	struct guard g;
	struct walk w = { .sink = sink, .chunk = EVENT_NO_CHUNK, .guard = &g };
	struct reader h;
	uint16_t header_chunks = 0;
	uint32_t flags = 0;
	uint8_t *img = malloc(FILE_HEADER_SIZE + CHUNK_SIZE);
	int rc = img ? guard_init(&g, sink, LIBEVTX_RECOVERED) : LIBEVTX_ENOMEM;

	if (rc) {
		free(img);
		return rc;
	}
	reader_init(&h, head, FILE_HEADER_SIZE);
	reader_u16_at(&h, EVTX_FH_CHUNK_COUNT, &header_chunks);
	reader_u32_at(&h, EVTX_FH_FLAGS, &flags);
	memcpy(img, head, FILE_HEADER_SIZE);
	xml_event_buf_init(&w.xb);
	for (uint64_t off = FILE_HEADER_SIZE, k = 0; off < size && rc == 0; off += CHUNK_SIZE, k++) {
		uint8_t *chunk = img + FILE_HEADER_SIZE;
		size_t slot = size - off < CHUNK_SIZE ? (size_t)(size - off) : CHUNK_SIZE;
		ssize_t n = fileio_read_full(fd, chunk, slot, off);
		int in_range = k < header_chunks || (flags & LIBEVTX_FILE_FLAG_IS_DIRTY);
		struct opened o;

		if (n < 8 || memcmp(chunk, "ElfChnk", 8) != 0 || !slack_has_record((const uint8_t *)chunk, (size_t)n))
			continue;
		memset(chunk + n, 0, CHUNK_SIZE - (size_t)n);
		img[EVTX_FH_CHUNK_COUNT] = (uint8_t)in_range;
		img[EVTX_FH_CHUNK_COUNT + 1] = 0;
		w.chunk = k < EVENT_NO_CHUNK ? (uint32_t)k : EVENT_NO_CHUNK;
		g.n_hidden = 0;
		/* Behind the copied header nothing libevtx reads on opening needs a change. */
		rc = guard_chunk(&g, chunk, chunk, FILE_HEADER_SIZE, w.chunk);
		assert(rc != GUARD_EUNSAFE);
		if (rc)
			break;
		hidden_sort(&g);
		if (open_range(img, FILE_HEADER_SIZE + CHUNK_SIZE, &o) != 0)
			continue;
		rc = all_records(&w, o.file, 1);
		opened_close(&o);
	}
	xml_event_buf_release(&w.xb);
	free(w.xml);
	guard_release(&g);
	free(img);
	return rc;
}

/* The file as in memory, from a private mapping: a page changed by the guard is
 * copied on write, never written back. */
static int read_mapped(int fd, uint64_t size, const struct evtx_sink *sink, struct evtx_file_info *info,
		       const char **why, unsigned what)
{
	void *map;
	int rc;

	if (size == 0 || size > SIZE_MAX) {
		memset(info, 0, sizeof(*info));
		*why = size ? "file too large to map" : "not an EVTX file (no ElfFile signature)";
		return LIBEVTX_EOPEN;
	}
	map = mmap(NULL, (size_t)size, PROT_READ | PROT_WRITE, MAP_PRIVATE, fd, 0);
	if (map == MAP_FAILED) {
		memset(info, 0, sizeof(*info));
		*why = "cannot map the file";
		return LIBEVTX_EOPEN;
	}
	rc = read_image(map, map, (size_t)size, sink, info, why, what);
	munmap(map, (size_t)size);
	return rc;
}

int evtx_libevtx_read_fd(int fd, const char *path, uint64_t size, const struct evtx_sink *sink,
			 struct evtx_file_info *info, const char **why, unsigned what)
{
	uint8_t head[FILE_HEADER_SIZE];
	struct opened o;
	struct walk w = { .sink = sink, .chunk = EVENT_NO_CHUNK };
	ssize_t n;
	int rc;

	n = size >= FILE_HEADER_SIZE ? fileio_read_full(fd, head, FILE_HEADER_SIZE, 0) : -1;
	if (what == LIBEVTX_RECOVERED && n == FILE_HEADER_SIZE && memcmp(head, "ElfFile", 8) == 0 &&
	    head[EVTX_FH_BLOCK_SIZE] == 0 && head[EVTX_FH_BLOCK_SIZE + 1] == FILE_HEADER_SIZE / 256) {
		memset(info, 0, sizeof(*info));
		header_info(head, FILE_HEADER_SIZE, info);
		return recovered_by_chunk(fd, size, head, sink);
	}
	/* A file that ends inside a chunk, or that libevtx refuses as it is (a bad chunk
	 * header to zero in a private copy), is read from a mapping, as in memory. */
	if (n != FILE_HEADER_SIZE || memcmp(head, "ElfFile", 8) != 0 ||
	    padded_size((size_t)size) != size || open_path(path, &o) != 0)
		return read_mapped(fd, size, sink, info, why, what);
	/* libevtx reads this file itself: so does the guard first, a chunk at a time;
	 * a file with anything to hide is read from a mapping instead. */
	if ((rc = guard_fd_needed(fd, size, head)) != 0) {
		opened_close(&o);
		return rc < 0 ? rc : read_mapped(fd, size, sink, info, why, what);
	}
	memset(info, 0, sizeof(*info));
	header_info(head, FILE_HEADER_SIZE, info);
	info->chunks_read = (uint32_t)((size - FILE_HEADER_SIZE + CHUNK_SIZE - 1) / CHUNK_SIZE);
	xml_event_buf_init(&w.xb);
	rc = (what & LIBEVTX_LIVE) ? all_records(&w, o.file, 0) : 0;
	if (rc == 0 && (what & LIBEVTX_RECOVERED))
		rc = all_records(&w, o.file, 1);
	xml_event_buf_release(&w.xb);
	free(w.xml);
	opened_close(&o);
	return rc;
}
