/* test_evtx_decode.c: our decoder on small EVTX images built byte by byte: the
 * value types and binary XML forms it must read, and damage it must survive. */
#include <inttypes.h>
#include <stdarg.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <unistd.h>
#include <zlib.h>

#include "check.h"
#include "evtx_decode.h"
#include "evtx_format.h"
#include "evtx_libevtx.h"

/* libevtx leaks in its own error path on a record it cannot render (no template);
 * a sanitizer build should report our leaks, not those. */
const char *__lsan_default_suppressions(void);
const char *__lsan_default_suppressions(void)
{
	return "leak:libevtx.so\n";
}

/* ---- building images ------------------------------------------------------ */

#define MAX_CHUNKS 4
#define IMG_SIZE (EVTX_FILE_HEADER_BLOCK_SIZE + MAX_CHUNKS * EVTX_CHUNK_SIZE)

static uint8_t img[IMG_SIZE];

/* A writer into one chunk; pos is a chunk offset, as binary XML offsets are. */
struct w {
	uint8_t *c;
	size_t pos;
	uint64_t first, last;	/* record numbers in the chunk */
	size_t last_at;		/* chunk offset of its last record */
};

static void put8(struct w *w, unsigned v)
{
	w->c[w->pos++] = (uint8_t)v;
}

static void put16(struct w *w, unsigned v)
{
	put8(w, v & 0xFF);
	put8(w, (v >> 8) & 0xFF);
}

static void put32(struct w *w, uint32_t v)
{
	put16(w, v & 0xFFFF);
	put16(w, v >> 16);
}

static void put64(struct w *w, uint64_t v)
{
	put32(w, (uint32_t)v);
	put32(w, (uint32_t)(v >> 32));
}

static void set32(uint8_t *p, uint32_t v)
{
	for (int i = 0; i < 4; i++)
		p[i] = (uint8_t)(v >> (8 * i));
}

/* UTF-16LE of an ASCII string; returns the units written. */
static size_t put_utf16(struct w *w, const char *s)
{
	size_t n = 0;
	for (; *s; s++, n++)
		put16(w, (unsigned char)*s);
	return n;
}

/* The hash stored with a name: over its UTF-16 code units (ASCII here). */
static unsigned name_hash(const char *s)
{
	uint32_t h = 0;
	for (; *s; s++)
		h = h * EVTX_NAME_HASH_MULTIPLIER + (unsigned char)*s;
	return h & 0xFFFF;
}

/* Names are written with hash 0 while this is set. */
static int zero_hash;

/* u32 name offset pointing just after itself, then the name inline. */
static void name(struct w *w, const char *s)
{
	put32(w, (uint32_t)w->pos + 4);
	put32(w, 0);			/* next in bucket */
	put16(w, zero_hash ? 0 : name_hash(s));
	put16(w, (unsigned)strlen(s));
	put_utf16(w, s);
	put16(w, 0);
}

struct elem {
	size_t size_at;
	size_t attrs_at;
	uint32_t name_at;	/* chunk offset of its name, for later references */
};

/* Element start; dep: inside a template definition. Returns where to patch sizes. */
static struct elem open_el(struct w *w, int dep, int attrs, const char *n)
{
	struct elem e = { 0, 0, 0 };
	put8(w, attrs ? 0x41 : 0x01);
	if (dep)
		put16(w, 0xFFFF);
	e.size_at = w->pos;
	put32(w, 0);
	e.name_at = (uint32_t)w->pos + 4;
	name(w, n);
	if (attrs) {
		e.attrs_at = w->pos;
		put32(w, 0);
	}
	return e;
}

/* Element start naming a name written earlier in the chunk. */
static struct elem open_el_ref(struct w *w, int attrs, uint32_t name_at)
{
	struct elem e = { 0, 0, name_at };
	put8(w, attrs ? 0x41 : 0x01);
	e.size_at = w->pos;
	put32(w, 0);
	put32(w, name_at);
	if (attrs) {
		e.attrs_at = w->pos;
		put32(w, 0);
	}
	return e;
}

static void attrs_done(struct w *w, struct elem *e)
{
	set32(w->c + e->attrs_at, (uint32_t)(w->pos - e->attrs_at - 4));
}

static void attr(struct w *w, int more, const char *n)
{
	put8(w, more ? 0x46 : 0x06);
	name(w, n);
}

static void text(struct w *w, const char *s)
{
	put8(w, 0x05);
	put8(w, EVTX_VALUE_STRING);
	put16(w, (unsigned)strlen(s));
	put_utf16(w, s);
}

static void subst(struct w *w, int optional, unsigned idx, unsigned type)
{
	put8(w, optional ? 0x0e : 0x0d);
	put16(w, idx);
	put8(w, type);
}

static void close_el(struct w *w, struct elem *e, int empty)
{
	if (empty) {
		put8(w, 0x03);
	} else {
		put8(w, 0x04);
	}
	set32(w->c + e->size_at, (uint32_t)(w->pos - e->size_at - 4));
}

/* <n>text</n> or <n>%idx</n> inside a definition. */
static void leaf_sub(struct w *w, const char *n, unsigned idx, unsigned type)
{
	struct elem e = open_el(w, 1, 0, n);
	put8(w, 0x02);
	subst(w, 1, idx, type);
	close_el(w, &e, 0);
}

static void leaf_text(struct w *w, int dep, const char *n, const char *t)
{
	struct elem e = open_el(w, dep, 0, n);
	put8(w, 0x02);
	text(w, t);
	close_el(w, &e, 0);
}

/* <Data Name="n">%idx</Data> */
static void data_sub(struct w *w, const char *n, unsigned idx, unsigned type)
{
	struct elem e = open_el(w, 1, 1, "Data");
	attr(w, 0, "Name");
	text(w, n);
	attrs_done(w, &e);
	put8(w, 0x02);
	subst(w, 1, idx, type);
	close_el(w, &e, 0);
}

struct value {
	unsigned type;
	const uint8_t *data;
	size_t size;
};

/* Instance data: count, descriptors, values. */
static void values(struct w *w, const struct value *v, size_t n)
{
	put32(w, (uint32_t)n);
	for (size_t i = 0; i < n; i++) {
		put16(w, (unsigned)v[i].size);
		put8(w, v[i].type);
		put8(w, 0);
	}
	for (size_t i = 0; i < n; i++) {
		if (v[i].size)
			memcpy(w->c + w->pos, v[i].data, v[i].size);
		w->pos += v[i].size;
	}
}

/* The template id an instance carries: the first 4 bytes of the GUID below. */
#define TEMPLATE_ID 0x13121110u

/* Template instance whose definition follows inline; returns the offset of the
 * definition. body() writes the definition's element. */
static uint32_t instance_inline(struct w *w, void (*body)(struct w *))
{
	uint32_t def;
	size_t size_at;
	put8(w, 0x0c);
	put8(w, 1);
	put32(w, TEMPLATE_ID);
	def = (uint32_t)w->pos + 4;
	put32(w, def);
	put32(w, 0);				/* next */
	for (int i = 0; i < 16; i++)		/* GUID */
		put8(w, 0x10 + i);
	size_at = w->pos;
	put32(w, 0);
	put8(w, 0x0f), put8(w, 1), put8(w, 1), put8(w, 0);
	body(w);
	put8(w, 0x00);
	set32(w->c + size_at, (uint32_t)(w->pos - size_at - 4));
	return def;
}

/* An instance of the definition at chunk offset def, which has template id `id`. */
static void instance_ref_id(struct w *w, uint32_t def, uint32_t id)
{
	put8(w, 0x0c);
	put8(w, 1);
	put32(w, id);
	put32(w, def);
}

static void instance_ref(struct w *w, uint32_t def)
{
	instance_ref_id(w, def, TEMPLATE_ID);
}

/* ---- chunks and records ---------------------------------------------------- */

static uint8_t *chunk_at(int i)
{
	return img + EVTX_FILE_HEADER_BLOCK_SIZE + (size_t)i * EVTX_CHUNK_SIZE;
}

static void file_header(int chunks)
{
	struct w w = { img, 0, 0, 0, 0 };
	memset(img, 0, EVTX_FILE_HEADER_BLOCK_SIZE);
	memcpy(img, "ElfFile", 8);
	w.pos = EVTX_FH_LAST_CHUNK;
	put64(&w, (uint64_t)chunks - 1);
	put64(&w, 100);
	put32(&w, EVTX_FILE_HEADER_SIZE);
	put16(&w, 1);
	put16(&w, 3);
	put16(&w, EVTX_FILE_HEADER_BLOCK_SIZE);
	put16(&w, (unsigned)chunks);
	w.pos = EVTX_FH_CHECKSUM;
	put32(&w, (uint32_t)crc32(0, img, EVTX_FH_CHECKSUM_LEN));
}

static struct w chunk_begin(int i)
{
	struct w w = { chunk_at(i), EVTX_CHUNK_HEADER_SIZE, 0, 0, 0 };
	memset(w.c, 0, EVTX_CHUNK_SIZE);
	memcpy(w.c, "ElfChnk", 8);
	return w;
}

static void chunk_end(struct w *w)
{
	uint8_t *c = w->c;
	struct w hw = { c, EVTX_CH_FIRST_RECORD_NUMBER, 0, 0, 0 };
	put64(&hw, w->first);
	put64(&hw, w->last);
	put64(&hw, w->first);
	put64(&hw, w->last);
	set32(c + EVTX_CH_HEADER_SIZE, EVTX_CHUNK_HEADER_FIELDS_SIZE);
	set32(c + EVTX_CH_LAST_RECORD_OFFSET, (uint32_t)w->last_at);
	set32(c + EVTX_CH_FREE_SPACE_OFFSET, (uint32_t)w->pos);
	set32(c + EVTX_CH_RECORDS_CHECKSUM,
	      (uint32_t)crc32(0, c + EVTX_CHUNK_HEADER_SIZE, (uInt)(w->pos - EVTX_CHUNK_HEADER_SIZE)));
	set32(c + EVTX_CH_FLAGS, 1);
	uLong h = crc32(0, c, EVTX_CH_CHECKSUM_PART1_LEN);
	h = crc32(h, c + EVTX_CH_CHECKSUM_PART2, EVTX_CHUNK_HEADER_SIZE - EVTX_CH_CHECKSUM_PART2);
	set32(c + EVTX_CH_HEADER_CHECKSUM, (uint32_t)h);
}

/* A record around what xml() writes: header, binary XML, size copy. */
static size_t record(struct w *w, uint64_t number, void (*xml)(struct w *, void *), void *arg)
{
	size_t start = w->pos, size;
	if (!w->first)
		w->first = number;
	w->last = number;
	w->last_at = start;
	put32(w, EVTX_RECORD_SIGNATURE);
	put32(w, 0);
	put64(w, number);
	put64(w, 132000000000000000ULL + number);
	xml(w, arg);
	while ((w->pos + 4) % 8)
		put8(w, 0);
	size = w->pos + 4 - start;
	put32(w, (uint32_t)size);
	set32(w->c + start + 4, (uint32_t)size);
	return start;
}

/* ---- collecting what the decoder says ---------------------------------------- */

#define MAX_EV 64
#define MAX_FIELDS 32

struct got_event {
	uint64_t number, erid, time, written;
	uint32_t id, version, chunk;
	int recovered;
	char provider[64], channel[64], computer[64], sid[64], binary[128];
	size_t n_fields;
	char names[MAX_FIELDS][32], values[MAX_FIELDS][96];
};

struct got {
	struct got_event ev[MAX_EV];
	size_t n_ev;
	struct evtx_skip sk[MAX_EV];
	char reasons[MAX_EV][64];
	size_t n_sk;
	int stop_after;
	char trace[16384];	/* every event and skip, in order */
	size_t trace_len;
};

static struct got got;

static void copy(char *d, size_t n, const char *s)
{
	snprintf(d, n, "%s", s);
}

static void trace(struct got *g, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void trace(struct got *g, const char *fmt, ...)
{
	va_list ap;
	int n;
	if (g->trace_len >= sizeof(g->trace) - 1)
		return;
	va_start(ap, fmt);
	n = vsnprintf(g->trace + g->trace_len, sizeof(g->trace) - g->trace_len, fmt, ap);
	va_end(ap);
	if (n > 0)
		g->trace_len += (size_t)n < sizeof(g->trace) - g->trace_len ? (size_t)n : sizeof(g->trace) - 1 - g->trace_len;
}

static int on_event(void *ctx, const struct evtx_event *e)
{
	struct got *g = ctx;
	struct got_event *o;
	trace(g, "event %" PRIu64 " chunk %" PRIu32 " recovered %d id %" PRIu32 " %s %zu fields;\n", e->record_number,
	      e->chunk, e->recovered, e->event_id, e->computer, e->n_fields);
	if (g->n_ev == MAX_EV)
		return 0;
	o = &g->ev[g->n_ev++];
	o->number = e->record_number;
	o->erid = e->event_record_id;
	o->time = e->time_created;
	o->written = e->written_time;
	o->id = e->event_id;
	o->version = e->version;
	o->chunk = e->chunk;
	o->recovered = e->recovered;
	copy(o->provider, sizeof(o->provider), e->provider);
	copy(o->channel, sizeof(o->channel), e->channel);
	copy(o->computer, sizeof(o->computer), e->computer);
	copy(o->sid, sizeof(o->sid), e->user_sid);
	copy(o->binary, sizeof(o->binary), e->binary);
	o->n_fields = e->n_fields < MAX_FIELDS ? e->n_fields : MAX_FIELDS;
	for (size_t i = 0; i < o->n_fields; i++) {
		copy(o->names[i], sizeof(o->names[i]), e->fields[i].name);
		copy(o->values[i], sizeof(o->values[i]), e->fields[i].value);
	}
	return g->stop_after && (int)g->n_ev >= g->stop_after;
}

static int on_skip(void *ctx, const struct evtx_skip *s)
{
	struct got *g = ctx;
	trace(g, "skip %" PRIu64 " chunk %" PRIu32 " recovered %d %s;\n", s->record_number, s->chunk, s->recovered,
	      s->reason);
	if (g->n_sk == MAX_EV)
		return 0;
	g->sk[g->n_sk] = *s;
	copy(g->reasons[g->n_sk], sizeof(g->reasons[0]), s->reason);
	g->sk[g->n_sk].reason = g->reasons[g->n_sk];
	g->n_sk++;
	return 0;
}

static struct evtx_file_info info;

static int decode_with(size_t len, int libevtx)
{
	struct evtx_sink sink = { on_event, on_skip, &got, NULL };
	const char *why = NULL;
	int stop = got.stop_after;
	memset(&got, 0, sizeof(got));
	got.stop_after = stop;
	return libevtx ? evtx_libevtx_read(img, len, &sink, &info, &why) : evtx_decode_read(img, len, &sink, &info, &why);
}

static struct got got_fd;

/* The file in fd decoded again in ranges of chunk slots, first one slot at a time,
 * then slot 0 and the rest: the same events and skips in the same order as the
 * whole file (whole), and chunk counters that add up to its own. */
static void decode_ranges(int fd, size_t len, const struct got *whole, const struct evtx_file_info *whole_info)
{
	struct evtx_sink sink = { on_event, on_skip, &got, NULL };
	uint32_t slots = len > EVTX_FILE_HEADER_BLOCK_SIZE
				 ? (uint32_t)((len - EVTX_FILE_HEADER_BLOCK_SIZE + EVTX_CHUNK_SIZE - 1) / EVTX_CHUNK_SIZE)
				 : 0;

	for (int split = 0; split < 2; split++) {
		uint32_t chunks_read = 0, chunks_bad_crc = 0;
		memset(&got, 0, sizeof(got));
		for (uint32_t first = 0; first < slots + 1;) {
			struct evtx_file_info ri;
			const char *why = NULL;
			uint32_t n = split == 0 || first == 0 ? 1 : UINT32_MAX - 1;
			int rc = evtx_decode_fd_chunks(fd, len, first, n, &sink, &ri, &why);
			CHECK_INT(rc, 0);
			CHECK_INT(ri.major_version, whole_info->major_version);
			CHECK_INT(ri.minor_version, whole_info->minor_version);
			CHECK_INT(ri.header_chunks, whole_info->header_chunks);
			CHECK_INT(ri.dirty, whole_info->dirty);
			CHECK_INT(ri.header_bad_crc, whole_info->header_bad_crc);
			chunks_read += ri.chunks_read;
			chunks_bad_crc += ri.chunks_bad_crc;
			if (n == UINT32_MAX - 1)
				break;
			first += n;	/* the last range starts past the end: nothing */
		}
		CHECK_INT(chunks_read, whole_info->chunks_read);
		CHECK_INT(chunks_bad_crc, whole_info->chunks_bad_crc);
		CHECK_STR(got.trace, whole->trace);
	}
}

/* Decodes img[0..len) from memory, then from a file with evtx_decode_fd() and
 * with evtx_decode_fd_chunks() in ranges: all must report the same records, skips
 * and file facts. */
static int decode(size_t len)
{
	struct evtx_sink sink = { on_event, on_skip, &got, NULL };
	struct evtx_file_info info_fd;
	const char *why = NULL;
	int rc = decode_with(len, 0), rc_fd = -1;
	int fd = memfd_create("evtx", MFD_CLOEXEC);

	CHECK(fd >= 0);
	if (fd < 0)
		return rc;
	CHECK_INT(write(fd, img, len), len);
	memcpy(&got_fd, &got, sizeof(got));
	memset(&got, 0, sizeof(got));
	got.stop_after = got_fd.stop_after;
	rc_fd = evtx_decode_fd(fd, len, &sink, &info_fd, &why);
	CHECK_INT(rc_fd, rc);
	CHECK_INT(got.n_ev, got_fd.n_ev);
	CHECK_INT(got.n_sk, got_fd.n_sk);
	CHECK_STR(got.trace, got_fd.trace);
	CHECK(memcmp(&info, &info_fd, sizeof(info)) == 0);
	if (rc == 0 && len >= EVTX_FILE_HEADER_BLOCK_SIZE && !got_fd.stop_after)
		decode_ranges(fd, len, &got_fd, &info);
	close(fd);
	/* The memory decode's results are the ones the test goes on with. */
	memcpy(&got, &got_fd, sizeof(got));
	return rc;
}

static const char *field(const struct got_event *e, const char *n)
{
	for (size_t i = 0; i < e->n_fields; i++)
		if (!strcmp(e->names[i], n))
			return e->values[i];
	return NULL;
}

/* ---- the event template ------------------------------------------------------
 * Values: 0 EventID u16, 1 Version u8, 2 TimeCreated FILETIME, 3 EventRecordID u64,
 * 4 UserID SID, 5 Emoji string, 6 Missing (NULL), 7 After string, 8 Handle hex64,
 * 9 Guid, 10 WithNul string, 11 List string array, 12 Flag bool, 13 Binary,
 * 14 Small int8, 15 Hex32, 16 Ansi, 17 Count u32 array. */

static void event_body(struct w *w)
{
	struct elem ev = open_el(w, 1, 1, "Event");
	attr(w, 0, "xmlns");
	text(w, "http://schemas.microsoft.com/win/2004/08/events/event");
	attrs_done(w, &ev);
	put8(w, 0x02);
	struct elem sys = open_el(w, 1, 0, "System");
	put8(w, 0x02);
	struct elem prov = open_el(w, 1, 1, "Provider");
	attr(w, 0, "Name");
	text(w, "Test-Provider");
	attrs_done(w, &prov);
	close_el(w, &prov, 1);
	leaf_sub(w, "EventID", 0, EVTX_VALUE_UINT16);
	leaf_sub(w, "Version", 1, EVTX_VALUE_UINT8);
	leaf_sub(w, "Level", 1, EVTX_VALUE_UINT8);
	struct elem tc = open_el(w, 1, 1, "TimeCreated");
	attr(w, 0, "SystemTime");
	subst(w, 1, 2, EVTX_VALUE_FILETIME);
	attrs_done(w, &tc);
	close_el(w, &tc, 1);
	leaf_sub(w, "EventRecordID", 3, EVTX_VALUE_UINT64);
	leaf_text(w, 1, "Channel", "Test/Operational");
	leaf_text(w, 1, "Computer", "HOST-1");
	struct elem sec = open_el(w, 1, 1, "Security");
	attr(w, 0, "UserID");
	subst(w, 1, 4, EVTX_VALUE_SID);
	attrs_done(w, &sec);
	close_el(w, &sec, 1);
	close_el(w, &sys, 0);
	struct elem ed = open_el(w, 1, 0, "EventData");
	put8(w, 0x02);
	data_sub(w, "Emoji", 5, EVTX_VALUE_STRING);
	data_sub(w, "Missing", 6, EVTX_VALUE_STRING);
	data_sub(w, "After", 7, EVTX_VALUE_STRING);
	data_sub(w, "Handle", 8, EVTX_VALUE_HEX_INT64);
	data_sub(w, "Guid", 9, EVTX_VALUE_GUID);
	data_sub(w, "WithNul", 10, EVTX_VALUE_STRING);
	data_sub(w, "List", 11, EVTX_VALUE_STRING | EVTX_VALUE_ARRAY_FLAG);
	data_sub(w, "Flag", 12, EVTX_VALUE_BOOL);
	leaf_sub(w, "Binary", 13, EVTX_VALUE_BINARY);
	data_sub(w, "Small", 14, EVTX_VALUE_INT8);
	data_sub(w, "Hex", 15, EVTX_VALUE_HEX_INT32);
	data_sub(w, "Ansi", 16, EVTX_VALUE_ANSI_STRING);
	data_sub(w, "Count", 17, EVTX_VALUE_UINT32 | EVTX_VALUE_ARRAY_FLAG);
	close_el(w, &ed, 0);
	close_el(w, &ev, 0);
}

static const uint8_t u16_4688[] = { 0x50, 0x12 };
static const uint8_t u8_2[] = { 2 };
static const uint8_t ft[] = { 0xfc, 0x79, 0xb6, 0xf2, 0x79, 0xad, 0xd0, 0x01 };	/* 2015-06-23T06:00:46.8437500Z */
static const uint8_t u64_77[] = { 77, 0, 0, 0, 0, 0, 0, 0 };
static const uint8_t sid[] = { 1, 1, 0, 0, 0, 0, 0, 5, 18, 0, 0, 0 };	/* S-1-5-18 */
static const uint8_t emoji[] = { 'a', 0, 0x3d, 0xd8, 0x00, 0xde, 'b', 0 };	/* a U+1F600 b */
static const uint8_t after[] = { 'o', 0, 'k', 0 };
static const uint8_t h64[] = { 0xe7, 0x03, 0, 0, 0, 0, 0, 0 };
static const uint8_t guid[] = { 0x78, 0x56, 0x34, 0x12, 0xbc, 0x9a, 0xf0, 0xde,
				0x01, 0x23, 0x45, 0x67, 0x89, 0xab, 0xcd, 0xef };
static const uint8_t withnul[] = { 'x', 0, 0, 0, 'y', 0, 0, 0 };		/* "x\0y\0" */
static const uint8_t list[] = { 'p', 0, 0, 0, 'q', 0, 'r', 0, 0, 0 };	/* "p", "qr" */
static const uint8_t flag[] = { 1, 0, 0, 0 };
static const uint8_t bin[] = { 0x77, 0x00, 0xAB };
static const uint8_t small[] = { 0xFE };
static const uint8_t h32[] = { 0x2a, 0, 0, 0 };
static const uint8_t ansi[] = { 'c', 0x80, 0 };					/* "c€" */
static const uint8_t counts[] = { 1, 0, 0, 0, 2, 0, 0, 0, 3, 0, 0, 0 };

static const struct value event_values[] = {
	{ EVTX_VALUE_UINT16, u16_4688, sizeof(u16_4688) },
	{ EVTX_VALUE_UINT8, u8_2, sizeof(u8_2) },
	{ EVTX_VALUE_FILETIME, ft, sizeof(ft) },
	{ EVTX_VALUE_UINT64, u64_77, sizeof(u64_77) },
	{ EVTX_VALUE_SID, sid, sizeof(sid) },
	{ EVTX_VALUE_STRING, emoji, sizeof(emoji) },
	{ EVTX_VALUE_NULL, NULL, 0 },
	{ EVTX_VALUE_STRING, after, sizeof(after) },
	{ EVTX_VALUE_HEX_INT64, h64, sizeof(h64) },
	{ EVTX_VALUE_GUID, guid, sizeof(guid) },
	{ EVTX_VALUE_STRING, withnul, sizeof(withnul) },
	{ EVTX_VALUE_STRING | EVTX_VALUE_ARRAY_FLAG, list, sizeof(list) },
	{ EVTX_VALUE_BOOL, flag, sizeof(flag) },
	{ EVTX_VALUE_BINARY, bin, sizeof(bin) },
	{ EVTX_VALUE_INT8, small, sizeof(small) },
	{ EVTX_VALUE_HEX_INT32, h32, sizeof(h32) },
	{ EVTX_VALUE_ANSI_STRING, ansi, sizeof(ansi) },
	{ EVTX_VALUE_UINT32 | EVTX_VALUE_ARRAY_FLAG, counts, sizeof(counts) },
};
#define N_EVENT_VALUES (sizeof(event_values) / sizeof(event_values[0]))

static uint32_t event_def;

/* First use: the definition inline; later uses refer to it. */
static void xml_event_first(struct w *w, void *arg)
{
	(void)arg;
	put8(w, 0x0f), put8(w, 1), put8(w, 1), put8(w, 0);
	event_def = instance_inline(w, event_body);
	values(w, event_values, N_EVENT_VALUES);
	put8(w, 0x00);
}

static void xml_event_again(struct w *w, void *arg)
{
	(void)arg;
	put8(w, 0x0f), put8(w, 1), put8(w, 1), put8(w, 0);
	instance_ref(w, event_def);
	values(w, event_values, N_EVENT_VALUES);
	put8(w, 0x00);
}

/* A record written without a template: elements inline, no dependency ids. */
static void xml_inline(struct w *w, void *arg)
{
	(void)arg;
	put8(w, 0x0f), put8(w, 1), put8(w, 1), put8(w, 0);
	struct elem ev = open_el(w, 0, 0, "Event");
	put8(w, 0x02);
	struct elem sys = open_el(w, 0, 0, "System");
	put8(w, 0x02);
	struct elem prov = open_el(w, 0, 1, "Provider");
	attr(w, 0, "Name");
	text(w, "Inline-Provider");
	attrs_done(w, &prov);
	close_el(w, &prov, 1);
	leaf_text(w, 0, "EventID", "4622");
	struct elem tc = open_el(w, 0, 1, "TimeCreated");
	attr(w, 0, "SystemTime");
	text(w, "2021-11-19T16:52:33.833733500Z");
	attrs_done(w, &tc);
	close_el(w, &tc, 1);
	leaf_text(w, 0, "EventRecordID", "9");
	close_el(w, &sys, 0);
	struct elem ed = open_el(w, 0, 0, "EventData");
	put8(w, 0x02);
	put8(w, 0x0a);				/* <?target data?>: skipped */
	name(w, "target");
	put8(w, 0x0b), put16(w, 4), put_utf16(w, "data");
	struct elem d = open_el(w, 0, 1, "Data");
	attr(w, 0, "Name");
	text(w, "Refs");
	attrs_done(w, &d);
	put8(w, 0x02);
	text(w, "a");
	put8(w, 0x48), put16(w, 0x263A);		/* &#x263A; */
	put8(w, 0x09);
	name(w, "amp");				/* &amp; */
	put8(w, 0x07), put16(w, 3), put_utf16(w, "<c>");	/* CDATA */
	close_el(w, &d, 0);
	struct elem nl = open_el_ref(w, 1, d.name_at);	/* "Data" again, by reference */
	attr(w, 0, "Name");
	text(w, "LineFeed");
	attrs_done(w, &nl);
	put8(w, 0x02);
	text(w, "\n");
	close_el(w, &nl, 0);
	close_el(w, &ed, 0);
	struct elem ud = open_el(w, 0, 0, "UserData");
	put8(w, 0x02);
	struct elem x = open_el(w, 0, 0, "LogFileCleared");
	put8(w, 0x02);
	leaf_text(w, 0, "SubjectUserName", "bob");
	close_el(w, &x, 0);
	close_el(w, &ud, 0);
	close_el(w, &ev, 0);
	put8(w, 0x00);
}

/* n elements nested inline. */
static void xml_deep(struct w *w, void *arg)
{
	int n = *(int *)arg;
	struct elem e[200];
	put8(w, 0x0f), put8(w, 1), put8(w, 1), put8(w, 0);
	for (int i = 0; i < n; i++) {
		e[i] = open_el(w, 0, 0, "N");
		put8(w, 0x02);
	}
	for (int i = n - 1; i >= 0; i--)
		close_el(w, &e[i], 0);
	put8(w, 0x00);
}

/* A definition whose body instantiates the definition itself. */
static void xml_self_template(struct w *w, void *arg)
{
	uint32_t def;
	size_t size_at;
	(void)arg;
	put8(w, 0x0f), put8(w, 1), put8(w, 1), put8(w, 0);
	put8(w, 0x0c);
	put8(w, 1);
	put32(w, TEMPLATE_ID);
	def = (uint32_t)w->pos + 4;
	put32(w, def);
	put32(w, 0);
	for (int i = 0; i < 16; i++)
		put8(w, 0x10 + i);
	size_at = w->pos;
	put32(w, 0);
	put8(w, 0x0f), put8(w, 1), put8(w, 1), put8(w, 0);
	instance_ref(w, def);			/* itself, values follow */
	put32(w, 0);
	put8(w, 0x00);
	set32(w->c + size_at, (uint32_t)(w->pos - size_at - 4));
	put32(w, 0);				/* the record's own values: none */
	put8(w, 0x00);
}

/* A definition with one binary XML value; the value instantiates the same
 * definition again, whose value does so again ... */
static void self_body(struct w *w)
{
	struct elem e = open_el(w, 1, 0, "Event");
	put8(w, 0x02);
	subst(w, 0, 0, EVTX_VALUE_BINXML);
	close_el(w, &e, 0);
}

static void xml_self_through_value(struct w *w, void *arg)
{
	uint32_t def;
	uint8_t inner[64];
	struct w v = { inner, 0, 0, 0, 0 };
	(void)arg;
	put8(w, 0x0f), put8(w, 1), put8(w, 1), put8(w, 0);
	def = instance_inline(w, self_body);
	/* the value: fragment, instance of def, one value of 0 bytes (NULL) */
	put8(&v, 0x0f), put8(&v, 1), put8(&v, 1), put8(&v, 0);
	instance_ref(&v, def);
	put32(&v, 1);
	put16(&v, 0), put8(&v, EVTX_VALUE_NULL), put8(&v, 0);
	put8(&v, 0x00);
	struct value one = { EVTX_VALUE_BINXML, inner, v.pos };
	values(w, &one, 1);
	put8(w, 0x00);
}

/* An instance whose definition offset points outside the chunk. */
static void xml_bad_def(struct w *w, void *arg)
{
	(void)arg;
	put8(w, 0x0f), put8(w, 1), put8(w, 1), put8(w, 0);
	instance_ref(w, 0xFFFFF0);
	put32(w, 0);
	put8(w, 0x00);
}

/* A substitution index past the instance's values. */
static void bad_index_body(struct w *w)
{
	leaf_sub(w, "EventID", 5, EVTX_VALUE_UINT16);
}

static void xml_bad_index(struct w *w, void *arg)
{
	(void)arg;
	put8(w, 0x0f), put8(w, 1), put8(w, 1), put8(w, 0);
	instance_inline(w, bad_index_body);
	values(w, event_values, 2);
	put8(w, 0x00);
}

/* The event template by reference, with `*(uint32_t *)arg` as the instance's
 * template id (the definition's GUID starts otherwise). */
static void xml_event_id(struct w *w, void *arg)
{
	put8(w, 0x0f), put8(w, 1), put8(w, 1), put8(w, 0);
	instance_ref_id(w, event_def, *(uint32_t *)arg);
	values(w, event_values, N_EVENT_VALUES);
	put8(w, 0x00);
}

/* An instance of whatever lies at chunk offset `*(uint32_t *)arg`. */
static void xml_event_at(struct w *w, void *arg)
{
	put8(w, 0x0f), put8(w, 1), put8(w, 1), put8(w, 0);
	instance_ref(w, *(uint32_t *)arg);
	values(w, event_values, N_EVENT_VALUES);
	put8(w, 0x00);
}

/* The event without the fragment header in front. */
static void xml_no_fragment(struct w *w, void *arg)
{
	(void)arg;
	instance_ref(w, event_def);
	values(w, event_values, N_EVENT_VALUES);
	put8(w, 0x00);
}

/* No EventID at all. */
static void xml_no_id(struct w *w, void *arg)
{
	(void)arg;
	put8(w, 0x0f), put8(w, 1), put8(w, 1), put8(w, 0);
	struct elem e = open_el(w, 0, 0, "Event");
	close_el(w, &e, 1);
	put8(w, 0x00);
}

/* ---- the cases -------------------------------------------------------------- */

static size_t one_chunk(void (*xml)(struct w *, void *), void *arg)
{
	struct w w;
	file_header(1);
	w = chunk_begin(0);
	record(&w, 1, xml, arg);
	chunk_end(&w);
	return EVTX_FILE_HEADER_BLOCK_SIZE + EVTX_CHUNK_SIZE;
}

static void test_values(void)
{
	struct w w;
	size_t len;
	file_header(2);
	w = chunk_begin(0);
	record(&w, 5, xml_event_first, NULL);
	record(&w, 6, xml_event_again, NULL);
	record(&w, 7, xml_inline, NULL);
	chunk_end(&w);
	w = chunk_begin(1);
	record(&w, 8, xml_event_first, NULL);
	chunk_end(&w);
	len = EVTX_FILE_HEADER_BLOCK_SIZE + 2 * EVTX_CHUNK_SIZE;

	CHECK_INT(decode(len), 0);
	CHECK_INT(got.n_sk, 0);
	CHECK_INT(got.n_ev, 4);
	CHECK_INT(info.major_version, 3);
	CHECK_INT(info.minor_version, 1);
	CHECK_INT(info.header_chunks, 2);
	CHECK_INT(info.chunks_read, 2);
	CHECK_INT(info.chunks_bad_crc, 0);
	CHECK_INT(info.header_bad_crc, 0);

	struct got_event *e = &got.ev[0];
	CHECK_INT(e->number, 5);
	CHECK_INT(e->written, 132000000000000005ULL);
	CHECK_INT(e->chunk, 0);
	CHECK_INT(e->id, 4688);
	CHECK_INT(e->version, 2);
	CHECK_INT(e->time, 130795128468437500ULL);
	CHECK_INT(e->erid, 77);
	CHECK_STR(e->provider, "Test-Provider");
	CHECK_STR(e->channel, "Test/Operational");
	CHECK_STR(e->computer, "HOST-1");
	CHECK_STR(e->sid, "S-1-5-18");
	CHECK_STR(e->binary, "7700AB");
	CHECK_STR(field(e, "Emoji"), "a\xF0\x9F\x98\x80" "b");	/* U+1F600 from its surrogate pair */
	CHECK_STR(field(e, "Missing"), "");			/* NULL: kept, empty */
	CHECK_STR(e->names[1], "Missing");
	CHECK_STR(e->names[2], "After");			/* later values stay in place */
	CHECK_STR(field(e, "After"), "ok");
	CHECK_STR(field(e, "Handle"), "0x00000000000003e7");
	CHECK_STR(field(e, "Guid"), "{12345678-9ABC-DEF0-0123-456789ABCDEF}");
	CHECK_STR(field(e, "WithNul"), "x\xEF\xBF\xBDy");	/* embedded NUL as U+FFFD, trailing dropped */
	CHECK_STR(e->names[6], "List");				/* an array repeats its element */
	CHECK_STR(e->values[6], "p");
	CHECK_STR(e->names[7], "List");
	CHECK_STR(e->values[7], "qr");
	CHECK_STR(field(e, "Flag"), "true");
	CHECK_STR(field(e, "Small"), "-2");
	CHECK_STR(field(e, "Hex"), "0x0000002a");
	CHECK_STR(field(e, "Ansi"), "c\xE2\x82\xAC");
	CHECK_INT(e->n_fields, 15);
	CHECK_STR(e->names[12], "Count");
	CHECK_STR(e->values[12], "1");
	CHECK_STR(e->values[13], "2");
	CHECK_STR(e->values[14], "3");

	/* the same template by reference: the same event */
	struct got_event *a = &got.ev[1];
	CHECK_INT(a->number, 6);
	CHECK_INT(a->id, 4688);
	CHECK_INT(a->n_fields, 15);
	CHECK_STR(field(a, "Guid"), "{12345678-9ABC-DEF0-0123-456789ABCDEF}");

	/* written without a template */
	struct got_event *in = &got.ev[2];
	CHECK_INT(in->id, 4622);
	CHECK_STR(in->provider, "Inline-Provider");
	CHECK_INT(in->time, 132818143538337335ULL);
	CHECK_INT(in->erid, 9);
	CHECK_STR(field(in, "Refs"), "a\xE2\x98\xBA&<c>");
	CHECK_STR(field(in, "LineFeed"), "");
	CHECK_STR(field(in, "SubjectUserName"), "bob");
	CHECK_INT(in->n_fields, 3);

	/* a new chunk: caches start again, the definition inline once more */
	CHECK_INT(got.ev[3].chunk, 1);
	CHECK_INT(got.ev[3].id, 4688);
	CHECK_STR(field(&got.ev[3], "After"), "ok");

	/* the sink can stop the file */
	got.stop_after = 1;
	CHECK_INT(decode(len), EVTX_DECODE_ESTOP);
	CHECK_INT(got.n_ev, 1);
	got.stop_after = 0;
}

/* The same image through libevtx: where it is wrong, as test_decoder_corpus allows. */
static void test_libevtx_differs(void)
{
	struct w w;
	size_t len = EVTX_FILE_HEADER_BLOCK_SIZE + EVTX_CHUNK_SIZE;
	file_header(1);
	w = chunk_begin(0);
	record(&w, 5, xml_event_first, NULL);
	record(&w, 7, xml_inline, NULL);
	chunk_end(&w);
	evtx_libevtx_global_init();
	CHECK_INT(decode_with(len, 1), 0);
	CHECK_INT(got.n_ev, 1);
	CHECK_INT(got.n_sk, 1);					/* no template: cannot render */
	struct got_event *e = &got.ev[0];
	CHECK_INT(e->id, 4688);
	CHECK_INT(e->time, 130795128468437500ULL);
	CHECK_STR(e->sid, "S-1-5-18");
	CHECK_STR(e->binary, "7700AB");
	CHECK_STR(field(e, "Emoji"), "a\xF0\x9F\x88\x81" "b");	/* U+1F201: 0x3FF too low */
	CHECK(field(e, "Missing") == NULL);			/* NULL: element dropped */
	CHECK_STR(field(e, "WithNul"), "x");			/* cut at the NUL */
	CHECK_STR(field(e, "Small"), "-126");			/* int8 -2 */
	CHECK_STR(field(e, "Handle"), "0x00000000000003e7");	/* the rest as ours */
	CHECK_STR(field(e, "Guid"), "{12345678-9ABC-DEF0-0123-456789ABCDEF}");
	CHECK_STR(field(e, "Hex"), "0x0000002a");
	CHECK_STR(field(e, "Flag"), "true");
	CHECK_STR(field(e, "Ansi"), "c\xE2\x82\xAC");
	CHECK_STR(e->names[5], "List");
	CHECK_STR(e->values[5], "p");
	CHECK_STR(e->values[6], "qr");
	CHECK_INT(e->n_fields, 14);

	/* A chunk past the header's chunk count in a file whose dirty flag is clear:
	 * libevtx gives its records as recovered ones, we as live ones. */
	file_header(1);
	w = chunk_begin(0);
	record(&w, 1, xml_event_first, NULL);
	chunk_end(&w);
	w = chunk_begin(1);
	record(&w, 2, xml_event_first, NULL);
	chunk_end(&w);
	len = EVTX_FILE_HEADER_BLOCK_SIZE + 2 * EVTX_CHUNK_SIZE;
	CHECK_INT(decode_with(len, 1), 0);
	CHECK_INT(got.n_ev, 2);
	CHECK_INT(got.ev[1].number, 2);
	CHECK_INT(got.ev[1].recovered, 1);
	CHECK_INT(decode(len), 0);
	CHECK_INT(got.n_ev, 2);
	CHECK_INT(got.ev[1].number, 2);
	CHECK_INT(got.ev[1].chunk, 1);
	CHECK_INT(got.ev[1].recovered, 0);
}

static void test_not_evtx(void)
{
	struct evtx_sink sink = { on_event, on_skip, &got, NULL };
	const char *why = NULL;
	static const uint8_t junk[16] = "/some/link/path";
	CHECK_INT(evtx_decode_read(junk, sizeof(junk), &sink, &info, &why), EVTX_DECODE_EOPEN);
	CHECK(why && strstr(why, "ElfFile"));
	file_header(1);
	CHECK_INT(evtx_decode_read(img, 100, &sink, &info, &why), EVTX_DECODE_EOPEN);
}

static void test_truncated(void)
{
	struct w w;
	size_t rec;
	file_header(1);
	w = chunk_begin(0);
	record(&w, 1, xml_event_first, NULL);
	rec = record(&w, 2, xml_event_again, NULL);
	chunk_end(&w);
	/* the file ends inside the second record */
	CHECK_INT(decode(EVTX_FILE_HEADER_BLOCK_SIZE + rec + 40), 0);
	CHECK_INT(got.n_ev, 1);
	CHECK_INT(got.n_sk, 1);
	CHECK_STR(got.sk[0].reason, "bad record size");
	CHECK_INT(got.sk[0].record_number, 2);
	CHECK_INT(info.chunks_bad_crc, 1);
	/* ... inside the chunk header, inside the file header */
	CHECK_INT(decode(EVTX_FILE_HEADER_BLOCK_SIZE + 300), 0);
	CHECK_INT(got.n_ev, 0);
	CHECK_INT(got.n_sk, 1);
	CHECK_STR(got.sk[0].reason, "truncated chunk");
	CHECK_INT(decode(EVTX_FILE_HEADER_BLOCK_SIZE), 0);
	CHECK_INT(got.n_ev + got.n_sk, 0);
	/* every cut of the first record: no crash, never more than one event */
	for (size_t cut = EVTX_FILE_HEADER_BLOCK_SIZE; cut < EVTX_FILE_HEADER_BLOCK_SIZE + rec; cut += 7) {
		decode(cut);
		CHECK(got.n_ev <= 1);
	}
}

static void test_chunk_slots(void)
{
	struct w w;
	file_header(1);		/* the header counts one chunk; there are four slots */
	w = chunk_begin(0);
	record(&w, 1, xml_event_first, NULL);
	chunk_end(&w);
	memset(chunk_at(1), 0, EVTX_CHUNK_SIZE);	/* unused: silent */
	memset(chunk_at(2), 0, EVTX_CHUNK_SIZE);
	memcpy(chunk_at(2), "ElfJunk", 8);		/* garbage: a skip */
	w = chunk_begin(3);				/* past the header's count: read */
	record(&w, 2, xml_event_first, NULL);
	chunk_end(&w);
	chunk_at(3)[EVTX_CH_FIRST_RECORD_NUMBER] ^= 1;	/* header CRC now wrong */
	CHECK_INT(decode(IMG_SIZE), 0);
	CHECK_INT(got.n_ev, 2);
	CHECK_INT(got.ev[1].chunk, 3);
	CHECK_INT(got.n_sk, 1);
	CHECK_STR(got.sk[0].reason, "bad chunk signature");
	CHECK_INT(got.sk[0].chunk, 2);
	CHECK_INT(info.chunks_read, 2);
	CHECK_INT(info.chunks_bad_crc, 1);
	CHECK_INT(info.header_bad_crc, 0);
	img[EVTX_FH_NEXT_RECORD_ID] ^= 1;		/* file header CRC wrong: still read */
	CHECK_INT(decode(IMG_SIZE), 0);
	CHECK_INT(info.header_bad_crc, 1);
	CHECK_INT(got.n_ev, 2);
}

static void test_bad_records(void)
{
	struct w w;
	size_t r2, r3;
	file_header(2);
	w = chunk_begin(0);
	record(&w, 1, xml_event_first, NULL);
	r2 = record(&w, 2, xml_event_again, NULL);
	r3 = record(&w, 3, xml_event_again, NULL);
	chunk_end(&w);
	w = chunk_begin(1);
	record(&w, 4, xml_event_first, NULL);
	chunk_end(&w);
	size_t len = EVTX_FILE_HEADER_BLOCK_SIZE + 2 * EVTX_CHUNK_SIZE;

	/* A bad size: the walk cannot go on; record 3 past it is found by the search
	 * of the rest of the chunk and comes back as recovered. */
	set32(chunk_at(0) + r2 + 4, 0x7FFFFFF0);
	CHECK_INT(decode(len), 0);
	CHECK_INT(got.n_ev, 3);
	CHECK_INT(got.ev[0].recovered, 0);
	CHECK_INT(got.ev[1].number, 3);
	CHECK_INT(got.ev[1].chunk, 0);
	CHECK_INT(got.ev[1].recovered, 1);
	CHECK_INT(got.ev[1].id, 4688);
	CHECK_STR(field(&got.ev[1], "After"), "ok");
	CHECK_INT(got.ev[2].number, 4);
	CHECK_INT(got.ev[2].recovered, 0);
	CHECK_INT(got.n_sk, 1);
	CHECK_STR(got.sk[0].reason, "bad record size");
	CHECK_INT(got.sk[0].chunk, 0);
	CHECK_INT(got.sk[0].record_number, 2);
	CHECK_INT(got.sk[0].recovered, 0);
	CHECK_INT(info.chunks_bad_crc, 1);

	set32(chunk_at(0) + r2 + 4, 8);			/* too small to be a record */
	CHECK_INT(decode(len), 0);
	CHECK_INT(got.n_sk, 1);
	CHECK_STR(got.sk[0].reason, "bad record size");
	CHECK_INT(got.n_ev, 3);
	CHECK_INT(got.ev[1].recovered, 1);

	set32(chunk_at(0) + r2 + 4, (uint32_t)(r3 - r2 + 8)); /* size and its copy differ */
	CHECK_INT(decode(len), 0);
	CHECK_INT(got.n_sk, 1);
	CHECK_STR(got.sk[0].reason, "record size copy mismatch");
	CHECK_INT(got.n_ev, 3);
	CHECK_INT(got.ev[1].number, 3);
	CHECK_INT(got.ev[1].recovered, 1);

	set32(chunk_at(0) + r2 + 4, (uint32_t)(r3 - r2));
	chunk_at(0)[r2] = 'X';				/* signature */
	CHECK_INT(decode(len), 0);
	CHECK_INT(got.n_ev, 3);
	CHECK_INT(got.ev[1].number, 3);
	CHECK_INT(got.ev[1].recovered, 1);
	CHECK_INT(got.n_sk, 1);
	CHECK_STR(got.sk[0].reason, "bad record signature");
	CHECK_INT(got.sk[0].record_number, 0);
	chunk_at(0)[r2] = '*';

	/* zeros where the next record would be: the end of the chunk, no skip */
	set32(chunk_at(0) + EVTX_CH_FREE_SPACE_OFFSET, (uint32_t)(r3 + 512));
	memset(chunk_at(0) + r3, 0, 512);
	CHECK_INT(decode(len), 0);
	CHECK_INT(got.n_ev, 3);
	CHECK_INT(got.n_sk, 0);
}

/* Deleted records left in a chunk past its free-space offset (bytes of an earlier
 * use of the chunk that were not written over), and what looks like one but is
 * not. Their template instances and names point at offsets of that earlier use,
 * where the chunk may now hold something else. */
struct slack_image {
	size_t len;
	size_t r3, r4, r5, r6, r7, junk, odd, nofrag, r8, r9, end;
};

static void slack_image(struct slack_image *si)
{
	static uint8_t scratch[EVTX_CHUNK_SIZE];
	uint32_t wrong_id = 0xAABBCCDDu, mid;
	size_t free_at, r2, size;
	struct w w, t;

	file_header(1);
	w = chunk_begin(0);
	record(&w, 1, xml_event_first, NULL);
	r2 = record(&w, 2, xml_event_again, NULL);
	free_at = w.pos;
	si->r3 = record(&w, 3, xml_event_again, NULL);		/* deleted, intact */
	si->r4 = record(&w, 4, xml_event_id, &wrong_id);		/* written with another template there */
	mid = (uint32_t)(r2 + 40);
	si->r5 = record(&w, 5, xml_event_at, &mid);			/* its definition overwritten by record 2 */
	si->r6 = record(&w, 6, xml_event_again, NULL);
	/* descriptor 0 of record 6: fragment header, instance, value count, then u16 size, type, 0 */
	w.c[si->r6 + EVTX_RECORD_HEADER_SIZE + 4 + EVTX_TEMPLATE_INSTANCE_SIZE + 4 + 3] = 0x82;
	zero_hash = 1;						/* names without their hash */
	si->r7 = record(&w, 7, xml_inline, NULL);
	zero_hash = 0;
	si->junk = w.pos;					/* a signature with an absurd size */
	put32(&w, EVTX_RECORD_SIGNATURE);
	put32(&w, 0xFFFFFF00u);
	put64(&w, 99);
	w.pos += 4;						/* a whole record, 4 bytes off the 8-byte grid */
	si->odd = record(&w, 97, xml_event_again, NULL);
	si->nofrag = record(&w, 98, xml_no_fragment, NULL);	/* no fragment header: not a record */
	si->r8 = record(&w, 8, xml_event_again, NULL);		/* found after all that */
	/* record 9 ends exactly at the end of the chunk */
	t = (struct w){ scratch, w.pos, 0, 0, 0 };
	record(&t, 9, xml_event_again, NULL);
	size = t.pos - w.pos;
	w.pos = EVTX_CHUNK_SIZE - size;
	si->r9 = record(&w, 9, xml_event_again, NULL);
	si->end = w.pos;
	/* the header of the chunk's new use: records 1 and 2 */
	w.pos = free_at;
	w.first = 1;
	w.last = 2;
	w.last_at = r2;
	chunk_end(&w);
	si->len = EVTX_FILE_HEADER_BLOCK_SIZE + EVTX_CHUNK_SIZE;
}

static const struct got_event *event_numbered(uint64_t number)
{
	for (size_t i = 0; i < got.n_ev; i++)
		if (got.ev[i].number == number)
			return &got.ev[i];
	return NULL;
}

static void test_slack(void)
{
	struct slack_image si;
	const struct got_event *e;

	slack_image(&si);
	CHECK_INT(si.end, EVTX_CHUNK_SIZE);
	CHECK_INT(si.odd % 8, 4);
	CHECK_INT(decode(si.len), 0);
	CHECK_INT(info.chunks_bad_crc, 0);
	CHECK_INT(got.n_ev, 5);
	CHECK_INT(got.ev[0].number, 1);
	CHECK_INT(got.ev[0].recovered, 0);
	CHECK_INT(got.ev[1].number, 2);
	CHECK_INT(got.ev[1].recovered, 0);
	/* a deleted record: decoded with the definition in record 1, as it was written */
	e = &got.ev[2];
	CHECK_INT(e->number, 3);
	CHECK_INT(e->recovered, 1);
	CHECK_INT(e->chunk, 0);
	CHECK_INT(e->written, 132000000000000003ULL);
	CHECK_INT(e->id, 4688);
	CHECK_INT(e->time, 130795128468437500ULL);
	CHECK_STR(e->computer, "HOST-1");
	CHECK_INT(e->n_fields, 15);
	CHECK_STR(field(e, "After"), "ok");
	/* past the junk, the record off the grid and the one without a fragment header */
	CHECK_INT(got.ev[3].number, 8);
	CHECK_INT(got.ev[3].recovered, 1);
	CHECK_INT(got.ev[4].number, 9);
	CHECK_INT(got.ev[4].recovered, 1);
	CHECK(event_numbered(97) == NULL);
	CHECK(event_numbered(98) == NULL);
	/* the deleted records that cannot be decoded are skipped as recovered ones */
	CHECK_INT(got.n_sk, 4);
	CHECK_INT(got.sk[0].record_number, 4);
	CHECK_STR(got.sk[0].reason, "template id differs from its definition");
	CHECK_INT(got.sk[1].record_number, 5);
	CHECK_INT(got.sk[2].record_number, 6);
	CHECK_STR(got.sk[2].reason, "bad substitution value descriptor");
	CHECK_INT(got.sk[3].record_number, 7);
	CHECK_STR(got.sk[3].reason, "bad element or attribute name");
	for (size_t i = 0; i < got.n_sk; i++) {
		CHECK_INT(got.sk[i].recovered, 1);
		CHECK_INT(got.sk[i].chunk, 0);
	}

	/* the sink can stop the file in slack space too */
	got.stop_after = 3;
	CHECK_INT(decode(si.len), EVTX_DECODE_ESTOP);
	CHECK_INT(got.n_ev, 3);
	got.stop_after = 0;

	/* A file that ends inside the slack: the search stops at its end. */
	CHECK_INT(decode(EVTX_FILE_HEADER_BLOCK_SIZE + si.r8 + 16), 0);
	CHECK_INT(got.n_ev, 3);
	CHECK(event_numbered(8) == NULL);

	/* The records of a chunk whose free-space offset is zeros of a new use (a chunk
	 * header written, no record yet) all come back as recovered ones. */
	set32(chunk_at(0) + EVTX_CH_FREE_SPACE_OFFSET, EVTX_CHUNK_HEADER_SIZE);
	set32(chunk_at(0) + EVTX_CH_LAST_RECORD_OFFSET, 0);
	CHECK_INT(decode(si.len), 0);
	CHECK_INT(got.n_ev, 5);
	for (size_t i = 0; i < got.n_ev; i++)
		CHECK_INT(got.ev[i].recovered, 1);
	CHECK_INT(info.chunks_bad_crc, 1);
}

/* The slack image through libevtx: it looks for records every 4 bytes, takes a
 * record only if it ends at least 4 bytes before the end of the chunk, and renders
 * a template instance with whatever definition its offset leads to. */
static void test_libevtx_slack(void)
{
	struct slack_image si;
	const struct got_event *e;

	slack_image(&si);
	CHECK_INT(decode_with(si.len, 1), 0);
	CHECK(event_numbered(1) && !event_numbered(1)->recovered);
	CHECK(event_numbered(2) && !event_numbered(2)->recovered);
	e = event_numbered(3);
	CHECK(e && e->recovered && e->id == 4688 && e->time == 130795128468437500ULL);
	CHECK(event_numbered(8) && event_numbered(8)->recovered);
	/* only ours */
	CHECK(event_numbered(9) == NULL);
	/* only libevtx's: the one off the 8-byte grid, and two it renders with a
	 * definition the record was not written with */
	CHECK(event_numbered(97) && event_numbered(97)->recovered);
	CHECK(event_numbered(4) && event_numbered(4)->recovered);
	CHECK(event_numbered(6) && event_numbered(6)->recovered);
	CHECK(event_numbered(98) == NULL);
	CHECK(event_numbered(5) == NULL);
}

static void test_binxml_damage(void)
{
	int n;

	/* a live record's names are not held to their hash (readers do not check it) */
	zero_hash = 1;
	one_chunk(xml_inline, NULL);
	zero_hash = 0;
	CHECK_INT(decode(EVTX_FILE_HEADER_BLOCK_SIZE + EVTX_CHUNK_SIZE), 0);
	CHECK_INT(got.n_sk, 0);
	CHECK_INT(got.n_ev, 1);
	CHECK_INT(got.ev[0].id, 4622);

	one_chunk(xml_no_id, NULL);
	CHECK_INT(decode(EVTX_FILE_HEADER_BLOCK_SIZE + EVTX_CHUNK_SIZE), 0);
	CHECK_INT(got.n_ev, 0);
	CHECK_INT(got.n_sk, 1);
	CHECK_STR(got.sk[0].reason, "record has no event id");
	CHECK_INT(got.sk[0].record_number, 1);

	n = 40;
	one_chunk(xml_deep, &n);
	CHECK_INT(decode(EVTX_FILE_HEADER_BLOCK_SIZE + EVTX_CHUNK_SIZE), 0);
	CHECK_INT(got.n_sk, 1);
	CHECK_STR(got.sk[0].reason, "record has no event id");	/* deep, but within the limit */
	n = 150;
	one_chunk(xml_deep, &n);
	CHECK_INT(decode(EVTX_FILE_HEADER_BLOCK_SIZE + EVTX_CHUNK_SIZE), 0);
	CHECK_INT(got.n_sk, 1);
	CHECK_STR(got.sk[0].reason, "binary xml nested too deeply");

	one_chunk(xml_self_template, NULL);
	CHECK_INT(decode(EVTX_FILE_HEADER_BLOCK_SIZE + EVTX_CHUNK_SIZE), 0);
	CHECK_INT(got.n_sk, 1);
	CHECK_STR(got.sk[0].reason, "template instantiates itself");

	one_chunk(xml_self_through_value, NULL);
	CHECK_INT(decode(EVTX_FILE_HEADER_BLOCK_SIZE + EVTX_CHUNK_SIZE), 0);
	CHECK_INT(got.n_sk, 1);
	CHECK_STR(got.sk[0].reason, "template instantiates itself");

	one_chunk(xml_bad_def, NULL);
	CHECK_INT(decode(EVTX_FILE_HEADER_BLOCK_SIZE + EVTX_CHUNK_SIZE), 0);
	CHECK_INT(got.n_sk, 1);
	CHECK_STR(got.sk[0].reason, "template definition out of range");

	one_chunk(xml_bad_index, NULL);
	CHECK_INT(decode(EVTX_FILE_HEADER_BLOCK_SIZE + EVTX_CHUNK_SIZE), 0);
	CHECK_INT(got.n_sk, 1);
	CHECK_STR(got.sk[0].reason, "substitution out of range");
}

/* Random damage to a good image: the decoder must neither crash nor stop the file. */
static void test_mutations(void)
{
	static uint8_t good[EVTX_FILE_HEADER_BLOCK_SIZE + EVTX_CHUNK_SIZE];
	uint32_t seed = 12345;
	struct w w;
	size_t used;

	file_header(1);
	w = chunk_begin(0);
	record(&w, 1, xml_event_first, NULL);
	record(&w, 2, xml_event_again, NULL);
	record(&w, 3, xml_inline, NULL);
	chunk_end(&w);
	used = EVTX_FILE_HEADER_BLOCK_SIZE + w.pos;
	memcpy(good, img, sizeof(good));
	for (int round = 0; round < 3000; round++) {
		memcpy(img, good, sizeof(good));
		int flips = 1 + round % 8;
		for (int k = 0; k < flips; k++) {
			seed = seed * 1103515245 + 12345;
			size_t at = EVTX_FILE_HEADER_BLOCK_SIZE + EVTX_CHUNK_HEADER_SIZE +
				    (seed >> 8) % (used - EVTX_FILE_HEADER_BLOCK_SIZE - EVTX_CHUNK_HEADER_SIZE);
			seed = seed * 1103515245 + 12345;
			img[at] = (uint8_t)(seed >> 16);
		}
		CHECK_INT(decode(sizeof(good)), 0);
		CHECK(got.n_ev + got.n_sk >= 1);
	}
}

/* Random damage to the deleted records of the slack image, their sizes and the
 * names and definitions they refer to: no crash, and the live records stay. */
static void test_slack_mutations(void)
{
	static uint8_t good[EVTX_FILE_HEADER_BLOCK_SIZE + EVTX_CHUNK_SIZE];
	struct slack_image si;
	uint32_t seed = 4242;

	slack_image(&si);
	memcpy(good, img, sizeof(good));
	for (int round = 0; round < 2000; round++) {
		memcpy(img, good, sizeof(good));
		int flips = 1 + round % 16;
		for (int k = 0; k < flips; k++) {
			seed = seed * 1103515245 + 12345;
			/* most flips in slack space, some in the definitions and names of record 1 */
			size_t from = round % 4 ? si.r3 : EVTX_CHUNK_HEADER_SIZE;
			size_t at = EVTX_FILE_HEADER_BLOCK_SIZE + from + (seed >> 8) % (EVTX_CHUNK_SIZE - from);
			seed = seed * 1103515245 + 12345;
			img[at] = (uint8_t)(seed >> 16);
		}
		CHECK_INT(decode(sizeof(good)), 0);
		if (round % 4)
			CHECK(got.n_ev >= 2 && got.ev[0].number == 1 && got.ev[1].number == 2);
	}
}

int main(void)
{
	test_values();
	test_libevtx_differs();
	test_not_evtx();
	test_truncated();
	test_chunk_slots();
	test_bad_records();
	test_slack();
	test_libevtx_slack();
	test_binxml_damage();
	test_mutations();
	test_slack_mutations();
	return check_exit();
}
