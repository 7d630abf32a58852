/* test_decoder_corpus.c: our decoder against libevtx and MANIFEST.tsv on every file of
 * ../shared/corpus (path from $CORPUS, else $ROOT/../shared/corpus, else ../shared/corpus).
 *
 *   test_decoder_corpus               compare; exit 0 ok, 1 disagreement, 77 no corpus
 *   test_decoder_corpus --bench       also time both decoders, single thread
 *   test_decoder_corpus --dump FILE   print our events of FILE as JSON lines
 *
 * Per file, our live record count must equal MANIFEST `records` and our counts of
 * the events of interest its n4688 ... n4697. Event by event (paired by record
 * number) every live value must equal libevtx's, except in these kinds, where
 * libevtx is wrong and each is counted and shown in the summary:
 *  - a record libevtx skips as unrenderable (records written without a template, a
 *    NULL normal substitution): only we return it;
 *  - a field with an empty value that libevtx lacks: libevtx drops the element of a
 *    NULL optional substitution, and writes any empty element as <X/>, which its XML
 *    scan (xml_event.c) takes as a field only for EventData/Data;
 *  - a character outside the BMP: libevtx decodes the surrogate pair to a code point
 *    0x3FF too low (U+1F600 comes out as U+1F201);
 *  - an embedded NUL: libevtx stops the value there; we write U+FFFD and go on;
 *  - a negative signed integer: libevtx writes the sign and then the bits below
 *    the sign bit (int8 -2 as "-126");
 *  - a field whose value is raw markup ("\n    <Data/>\n  "): not libevtx itself but
 *    the XML scan of its output (xml_event.c) takes an element whose children are
 *    all empty (<X/>) for a leaf; the children are the fields.
 *
 * Recovered records (deleted records in slack space, and live ones past damage in
 * a chunk) are compared with libevtx's, as evtx_libevtx_read_fd() gives them with
 * LIBEVTX_RECOVERED (each chunk opened on its own, so each record carries its
 * chunk index). They are paired by chunk, record number, event id and
 * TimeCreated, and then compared value by value as live ones are.
 *
 * libevtx 20181227 takes as recovered (libevtx_chunk.c): after the live walk of a
 * chunk, which stops at the last-record offset or at the first record it cannot
 * frame, every offset 4 bytes apart up to the end of the chunk holding "**\0\0",
 * a size of at least 24 that ends at least 4 bytes before the end of the chunk, a
 * matching size copy, and binary XML starting with a fragment header (or a 0x0a
 * byte), continuing past such a record and 4 bytes further otherwise; and
 * (libevtx_file.c), when the file's dirty flag is clear, the live records of
 * chunks past the header's chunk count. A record whose binary XML it cannot
 * parse is "libevtx cannot read the record". Ours (evtx_decode.h) differs in
 * these kinds, each counted and shown in the summary:
 *  - libevtx renders a deleted record through a template instance whose template
 *    id is not the one of the definition at its offset (the definition of an
 *    earlier use of the chunk was overwritten by a different one): the fields come out
 *    under another template's names, e.g. a 4624 with 4674's ObjectServer and
 *    PrivilegeList. We skip it ("template id differs from its definition");
 *  - libevtx renders a deleted record one of whose element or attribute names, at
 *    an offset shared with other records of an earlier use of the chunk, has been
 *    overwritten: it takes whatever bytes are there for the name (an EventData
 *    element that comes out as "<ta", Data fields named "\u3d06"). Such a name
 *    no longer ends in a NUL or carries the hash of its characters, as every name
 *    Windows writes does; we skip the record ("bad element or attribute name").
 *    On the corpus the names lost are those of the event data; the System part
 *    of those records is intact;
 *  - libevtx renders a record whose value descriptors are damaged (the byte
 *    Windows writes as 0 is not); we skip it ("bad substitution value descriptor");
 *  - libevtx calls the live records of a chunk past the header's chunk count
 *    recovered when the dirty flag is clear; we decode them as live ones;
 *  - libevtx finds a record 4 bytes off the 8-byte grid Windows writes records on;
 *    we look at multiples of 8 only;
 *  - we take a record that ends in the last 4 bytes of the chunk; libevtx does not.
 * Any other recovered record found by one side only is a disagreement.
 *
 * Each file is also decoded from a file descriptor, whole and in three ranges of
 * chunk slots (evtx_decode_fd_chunks): the events and skips, in order, must be
 * those of the decode from memory. */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "binxml.h"
#include "evtx_decode.h"
#include "evtx_format.h"
#include "evtx_libevtx.h"
#include "normalize.h"

/* libevtx leaks in its own error path on a record it cannot render (no template);
 * a sanitizer build should report our leaks, not those. */
const char *__lsan_default_suppressions(void);
const char *__lsan_default_suppressions(void)
{
	return "leak:libevtx.so\n";
}

struct rec {
	uint64_t number, erid, time;
	uint32_t id, version, chunk;
	char *provider, *channel, *computer, *sid, *binary;
	size_t n_fields;
	char **names, **values;
	size_t seq;
};

/* A recovered record that was skipped. */
struct rskip {
	uint32_t chunk;
	uint64_t number;
	const char *reason;	/* a decoder's static string */
};

struct recs {
	struct rec *v;		/* live records */
	size_t n, cap;
	struct rec *rv;		/* recovered records */
	size_t n_rv, cap_rv;
	uint64_t *skipped;	/* record numbers of skips of live records */
	size_t n_skipped, cap_skipped;
	struct rskip *rskipped;	/* skips of recovered records */
	size_t n_rskipped, cap_rskipped;
	char reasons[512];
	uint64_t hash;		/* of every event and skip, in order (seq_*) */
	size_t n_items;
};

static char *dup_str(const char *s)
{
	char *d = strdup(s ? s : "");
	if (!d) {
		perror("test_decoder_corpus");
		exit(2);
	}
	return d;
}

static void *xrealloc(void *p, size_t n)
{
	p = realloc(p, n ? n : 1);
	if (!p) {
		perror("test_decoder_corpus");
		exit(2);
	}
	return p;
}

/* ---- the sequence of events and skips, as a hash ------------------------ */

static void seq_bytes(uint64_t *h, const void *p, size_t n)
{
	const unsigned char *b = p;
	for (size_t i = 0; i < n; i++)
		*h = (*h ^ b[i]) * 0x100000001b3ULL;
}

static void seq_u64(uint64_t *h, uint64_t v)
{
	seq_bytes(h, &v, sizeof(v));
}

static void seq_str(uint64_t *h, const char *s)
{
	seq_bytes(h, s ? s : "", strlen(s ? s : "") + 1);
}

static void seq_event(uint64_t *h, const struct evtx_event *ev)
{
	seq_u64(h, 'E');
	seq_u64(h, ev->record_number);
	seq_u64(h, ev->event_record_id);
	seq_u64(h, ev->event_id);
	seq_u64(h, ev->version);
	seq_u64(h, ev->time_created);
	seq_u64(h, ev->written_time);
	seq_u64(h, ev->chunk);
	seq_u64(h, (uint64_t)ev->recovered);
	seq_str(h, ev->provider);
	seq_str(h, ev->channel);
	seq_str(h, ev->computer);
	seq_str(h, ev->user_sid);
	seq_str(h, ev->binary);
	seq_u64(h, ev->n_fields);
	for (size_t i = 0; i < ev->n_fields; i++) {
		seq_str(h, ev->fields[i].name);
		seq_str(h, ev->fields[i].value);
	}
}

static void seq_skip(uint64_t *h, const struct evtx_skip *sk)
{
	seq_u64(h, 'S');
	seq_u64(h, sk->chunk);
	seq_u64(h, sk->record_number);
	seq_u64(h, sk->n_records);
	seq_u64(h, (uint64_t)sk->recovered);
	seq_str(h, sk->reason);
}

struct seq {
	uint64_t hash;
	size_t n_items;
};

static int seq_on_event(void *ctx, const struct evtx_event *ev)
{
	struct seq *q = ctx;
	seq_event(&q->hash, ev);
	q->n_items++;
	return 0;
}

static int seq_on_skip(void *ctx, const struct evtx_skip *sk)
{
	struct seq *q = ctx;
	seq_skip(&q->hash, sk);
	q->n_items++;
	return 0;
}

#define SEQ_START 0xcbf29ce484222325ULL

/* The event as a decoder asked for wanted data only gives it: the EventData of an
 * event id normalize_event() ignores is left out. trimmed: it must already be. */
struct seq_trim {
	struct seq q;
	int trimmed;
	size_t n_ignored;	/* trimmed: events of ignored ids */
	size_t n_untrimmed;	/* of them, those that still have data (a binary XML value
				 * in it, which the decoder cannot step over unseen) */
};

/* Over the corpus: events of ignored ids, and those delivered with their data. */
static size_t wants_ignored, wants_untrimmed;

static int seq_trim_on_event(void *ctx, const struct evtx_event *ev)
{
	struct seq_trim *t = ctx;
	struct evtx_event e = *ev;
	if (!normalize_wants_data(ev->event_id)) {
		t->n_ignored += t->trimmed;
		if (t->trimmed && (ev->n_fields || (ev->binary && *ev->binary)))
			t->n_untrimmed++;
		e.n_fields = 0;
		e.binary = "";
	}
	return seq_on_event(&t->q, &e);
}

static int seq_trim_on_skip(void *ctx, const struct evtx_skip *sk)
{
	return seq_on_skip(&((struct seq_trim *)ctx)->q, sk);
}

/* ---- collecting ---------------------------------------------------------- */

static int on_event(void *ctx, const struct evtx_event *ev)
{
	struct recs *rs = ctx;
	struct rec *r;
	seq_event(&rs->hash, ev);
	rs->n_items++;
	if (ev->recovered) {
		if (rs->n_rv == rs->cap_rv) {
			rs->cap_rv = rs->cap_rv ? rs->cap_rv * 2 : 64;
			rs->rv = xrealloc(rs->rv, rs->cap_rv * sizeof(*rs->rv));
		}
		r = &rs->rv[rs->n_rv];
		r->seq = rs->n_rv++;
	} else {
		if (rs->n == rs->cap) {
			rs->cap = rs->cap ? rs->cap * 2 : 256;
			rs->v = xrealloc(rs->v, rs->cap * sizeof(*rs->v));
		}
		r = &rs->v[rs->n];
		r->seq = rs->n++;
	}
	r->number = ev->record_number;
	r->erid = ev->event_record_id;
	r->time = ev->time_created;
	r->id = ev->event_id;
	r->version = ev->version;
	r->chunk = ev->chunk;
	r->provider = dup_str(ev->provider);
	r->channel = dup_str(ev->channel);
	r->computer = dup_str(ev->computer);
	r->sid = dup_str(ev->user_sid);
	r->binary = dup_str(ev->binary);
	r->n_fields = ev->n_fields;
	r->names = xrealloc(NULL, ev->n_fields * sizeof(char *));
	r->values = xrealloc(NULL, ev->n_fields * sizeof(char *));
	for (size_t i = 0; i < ev->n_fields; i++) {
		r->names[i] = dup_str(ev->fields[i].name);
		r->values[i] = dup_str(ev->fields[i].value);
	}
	return 0;
}

static int on_skip(void *ctx, const struct evtx_skip *sk)
{
	struct recs *rs = ctx;
	size_t l = strlen(rs->reasons);
	seq_skip(&rs->hash, sk);
	rs->n_items++;
	if (sk->recovered) {
		if (rs->n_rskipped == rs->cap_rskipped) {
			rs->cap_rskipped = rs->cap_rskipped ? rs->cap_rskipped * 2 : 16;
			rs->rskipped = xrealloc(rs->rskipped, rs->cap_rskipped * sizeof(*rs->rskipped));
		}
		rs->rskipped[rs->n_rskipped++] = (struct rskip){ sk->chunk, sk->record_number, sk->reason };
		return 0;
	}
	if (rs->n_skipped == rs->cap_skipped) {
		rs->cap_skipped = rs->cap_skipped ? rs->cap_skipped * 2 : 16;
		rs->skipped = xrealloc(rs->skipped, rs->cap_skipped * sizeof(*rs->skipped));
	}
	rs->skipped[rs->n_skipped++] = sk->record_number;
	if (!strstr(rs->reasons, sk->reason) && l + strlen(sk->reason) + 3 < sizeof(rs->reasons))
		snprintf(rs->reasons + l, sizeof(rs->reasons) - l, "%s%s", l ? "; " : "", sk->reason);
	return 0;
}

static void rec_free(struct rec *r)
{
	free(r->provider);
	free(r->channel);
	free(r->computer);
	free(r->sid);
	free(r->binary);
	for (size_t j = 0; j < r->n_fields; j++) {
		free(r->names[j]);
		free(r->values[j]);
	}
	free(r->names);
	free(r->values);
}

static void recs_free(struct recs *rs)
{
	for (size_t i = 0; i < rs->n; i++)
		rec_free(&rs->v[i]);
	for (size_t i = 0; i < rs->n_rv; i++)
		rec_free(&rs->rv[i]);
	free(rs->v);
	free(rs->rv);
	free(rs->skipped);
	free(rs->rskipped);
	memset(rs, 0, sizeof(*rs));
}

static int by_number(const void *a, const void *b)
{
	const struct rec *x = a, *y = b;
	if (x->number != y->number)
		return x->number < y->number ? -1 : 1;
	return x->seq < y->seq ? -1 : x->seq > y->seq;
}

/* ---- the kinds of difference where libevtx is wrong ---------------------- */

enum kind {
	KIND_UNRENDERED,
	KIND_EMPTY_FIELD,
	KIND_ASTRAL,
	KIND_NUL,
	KIND_SIGNED,
	KIND_REC_TEMPLATE,
	KIND_REC_NAME,
	KIND_REC_DESCRIPTOR,
	KIND_REC_PAST_COUNT,
	KIND_REC_OFF_GRID,
	KIND_REC_CHUNK_END,
	N_KINDS
};

static const char *const kind_names[N_KINDS] = {
	[KIND_UNRENDERED] = "records libevtx cannot render (no template, NULL normal substitution)",
	[KIND_EMPTY_FIELD] = "empty fields libevtx drops (NULL substitution or empty element)",
	[KIND_ASTRAL] = "values with characters outside the BMP (libevtx decodes them wrong)",
	[KIND_NUL] = "values with an embedded NUL (libevtx stops there)",
	[KIND_SIGNED] = "negative signed integers (libevtx drops the two's complement)",
	[KIND_REC_TEMPLATE] = "recovered records libevtx renders with a template they were not written with",
	[KIND_REC_NAME] = "recovered records libevtx renders with names overwritten since (bytes taken for a name)",
	[KIND_REC_DESCRIPTOR] = "recovered records libevtx renders with damaged value descriptors",
	[KIND_REC_PAST_COUNT] = "live records of chunks past the header's count that libevtx calls recovered",
	[KIND_REC_OFF_GRID] = "recovered records libevtx finds off the 8-byte grid",
	[KIND_REC_CHUNK_END] = "recovered records ending in the last 4 bytes of a chunk (libevtx refuses them)",
};

static unsigned long kind_count[N_KINDS];

/* Next code point of UTF-8 s at *i (no validation beyond lengths). */
static uint32_t next_cp(const char *s, size_t *i)
{
	const unsigned char *u = (const unsigned char *)s + *i;
	uint32_t cp;
	size_t n;
	if (u[0] < 0x80)
		cp = u[0], n = 1;
	else if (u[0] < 0xE0 && u[1])
		cp = (uint32_t)(u[0] & 0x1F) << 6 | (u[1] & 0x3F), n = 2;
	else if (u[0] < 0xF0 && u[1] && u[2])
		cp = (uint32_t)(u[0] & 0x0F) << 12 | (uint32_t)(u[1] & 0x3F) << 6 | (u[2] & 0x3F), n = 3;
	else if (u[1] && u[2] && u[3])
		cp = (uint32_t)(u[0] & 0x07) << 18 | (uint32_t)(u[1] & 0x3F) << 12 | (uint32_t)(u[2] & 0x3F) << 6 |
		     (u[3] & 0x3F), n = 4;
	else
		cp = u[0], n = 1;
	*i += n;
	return cp;
}

/* Ours and libevtx's differ only where ours has a code point past U+FFFF and
 * libevtx that code point less 0x3FF. */
static int astral_equal(const char *ours, const char *theirs)
{
	size_t i = 0, j = 0;
	int seen = 0;
	while (ours[i] && theirs[j]) {
		uint32_t a = next_cp(ours, &i), b = next_cp(theirs, &j);
		if (a == b)
			continue;
		if (a < 0x10000 || a - b != 0x3FF)
			return 0;
		seen = 1;
	}
	return seen && !ours[i] && !theirs[j];
}

/* libevtx's value is ours cut at a NUL, which we write as U+FFFD. */
static int nul_cut(const char *ours, const char *theirs)
{
	size_t n = strlen(theirs);
	return strncmp(ours, theirs, n) == 0 && !strncmp(ours + n, "\xEF\xBF\xBD", 3);
}

/* ---- comparing ----------------------------------------------------------- */

static unsigned long n_disagree;

static void disagree(const char *path, uint64_t number, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static void disagree(const char *path, uint64_t number, const char *fmt, ...)
{
	va_list ap;
	if (n_disagree++ < 400) {
		printf("DIFF %s record %" PRIu64 ": ", path, number);
		va_start(ap, fmt);
		vprintf(fmt, ap);
		va_end(ap);
		putchar('\n');
	}
}

/* Ours "-N", libevtx "-M" with N + M a power of two of a signed type's sign bit. */
static int signed_wrong(const char *ours, const char *theirs)
{
	char *e1, *e2;
	unsigned long long n, m;
	if (ours[0] != '-' || theirs[0] != '-' || ours[1] == '-' || theirs[1] == '-')
		return 0;
	n = strtoull(ours + 1, &e1, 10);
	m = strtoull(theirs + 1, &e2, 10);
	if (*e1 || *e2)
		return 0;
	return n + m == 1ULL << 7 || n + m == 1ULL << 15 || n + m == 1ULL << 31 || n + m == 1ULL << 63;
}

static int value_equal(const char *ours, const char *theirs)
{
	if (!strcmp(ours, theirs))
		return 1;
	if (astral_equal(ours, theirs)) {
		kind_count[KIND_ASTRAL]++;
		return 1;
	}
	if (nul_cut(ours, theirs)) {
		kind_count[KIND_NUL]++;
		return 1;
	}
	if (signed_wrong(ours, theirs)) {
		kind_count[KIND_SIGNED]++;
		return 1;
	}
	return 0;
}

static void compare_strings(const char *path, uint64_t n, const char *what, const char *ours, const char *theirs)
{
	if (!value_equal(ours, theirs))
		disagree(path, n, "%s: ours \"%s\", libevtx \"%s\"", what, ours, theirs);
}

static void compare_rec(const char *path, const struct rec *o, const struct rec *t)
{
	uint64_t n = o->number;
	size_t i = 0, j = 0;

	if (o->id != t->id)
		disagree(path, n, "event id: ours %" PRIu32 ", libevtx %" PRIu32, o->id, t->id);
	if (o->version != t->version)
		disagree(path, n, "version: ours %" PRIu32 ", libevtx %" PRIu32, o->version, t->version);
	if (o->erid != t->erid)
		disagree(path, n, "event record id: ours %" PRIu64 ", libevtx %" PRIu64, o->erid, t->erid);
	if (o->time != t->time)
		disagree(path, n, "time created: ours %" PRIu64 ", libevtx %" PRIu64, o->time, t->time);
	compare_strings(path, n, "provider", o->provider, t->provider);
	compare_strings(path, n, "channel", o->channel, t->channel);
	compare_strings(path, n, "computer", o->computer, t->computer);
	compare_strings(path, n, "user sid", o->sid, t->sid);
	while (i < o->n_fields || j < t->n_fields) {
		if (i < o->n_fields && j < t->n_fields && !strcmp(o->names[i], t->names[j]) &&
		    value_equal(o->values[i], t->values[j])) {
			i++, j++;
			continue;
		}
		if (i < o->n_fields && !o->values[i][0]) {
			kind_count[KIND_EMPTY_FIELD]++;
			i++;
			continue;
		}
		if (i < o->n_fields && j < t->n_fields)
			disagree(path, n, "field %zu: ours %s=\"%s\", libevtx %s=\"%s\"", i, o->names[i], o->values[i],
				 t->names[j], t->values[j]);
		else if (i < o->n_fields)
			disagree(path, n, "field %zu: ours %s=\"%s\", libevtx has no more", i, o->names[i], o->values[i]);
		else
			disagree(path, n, "field %zu: libevtx %s=\"%s\", ours has no more", j, t->names[j], t->values[j]);
		return;
	}
	compare_strings(path, n, "binary", o->binary, t->binary);
}

/* libevtx skipped this record: by its number, or as one it could not even read
 * (those skips carry no number; each one accounts for one record). */
static int was_skipped(struct recs *rs, uint64_t number)
{
	for (size_t i = 0; i < rs->n_skipped; i++)
		if (rs->skipped[i] == number)
			return 1;
	for (size_t i = 0; i < rs->n_skipped; i++)
		if (rs->skipped[i] == 0) {
			rs->skipped[i] = UINT64_MAX;
			return 1;
		}
	return 0;
}

static void compare_file(const char *path, struct recs *ours, struct recs *theirs)
{
	size_t i = 0, j = 0;
	if (ours->n)
		qsort(ours->v, ours->n, sizeof(*ours->v), by_number);
	if (theirs->n)
		qsort(theirs->v, theirs->n, sizeof(*theirs->v), by_number);
	while (i < ours->n || j < theirs->n) {
		if (i < ours->n && j < theirs->n && ours->v[i].number == theirs->v[j].number) {
			compare_rec(path, &ours->v[i++], &theirs->v[j++]);
		} else if (j >= theirs->n || (i < ours->n && ours->v[i].number < theirs->v[j].number)) {
			if (was_skipped(theirs, ours->v[i].number) || theirs->n == 0)
				kind_count[KIND_UNRENDERED]++;
			else
				disagree(path, ours->v[i].number, "only we return it");
			i++;
		} else {
			disagree(path, theirs->v[j].number, "only libevtx returns it");
			j++;
		}
	}
}

/* ---- recovered records --------------------------------------------------- */

static unsigned long n_rec_ours, n_rec_theirs, n_rec_both;

/* The chunk offset of a record signature with record number `number` in chunk
 * slot `chunk` of buf[0..len), at an offset that is `phase` past a multiple of 8;
 * -1 if there is none. *size gets its size field. */
static long find_record(const uint8_t *buf, size_t len, uint32_t chunk, uint64_t number, unsigned phase,
			uint32_t *size)
{
	size_t base = EVTX_FILE_HEADER_BLOCK_SIZE + (size_t)chunk * EVTX_CHUNK_SIZE, slot;
	if (chunk == EVENT_NO_CHUNK || base >= len)
		return -1;
	slot = len - base < EVTX_CHUNK_SIZE ? len - base : EVTX_CHUNK_SIZE;
	for (size_t off = EVTX_CHUNK_HEADER_SIZE + phase; off + EVTX_RECORD_HEADER_SIZE <= slot; off += 8) {
		const uint8_t *p = buf + base + off;
		uint64_t n = 0;
		if (p[0] != 0x2a || p[1] != 0x2a || p[2] || p[3])
			continue;
		for (int i = 7; i >= 0; i--)
			n = n << 8 | p[EVTX_REC_NUMBER + i];
		if (n == number) {
			*size = (uint32_t)p[4] | (uint32_t)p[5] << 8 | (uint32_t)p[6] << 16 | (uint32_t)p[7] << 24;
			return (long)off;
		}
	}
	return -1;
}

/* Did we skip recovered record `number` of chunk `chunk` for `reason`? */
static int rec_skipped(const struct recs *rs, uint32_t chunk, uint64_t number, const char *reason)
{
	for (size_t i = 0; i < rs->n_rskipped; i++)
		if ((chunk == EVENT_NO_CHUNK || rs->rskipped[i].chunk == chunk) && rs->rskipped[i].number == number &&
		    !strcmp(rs->rskipped[i].reason, reason))
			return 1;
	return 0;
}

static int same_event(const struct rec *o, const struct rec *t)
{
	return o->number == t->number && o->id == t->id && o->time == t->time &&
	       (t->chunk == EVENT_NO_CHUNK || o->chunk == t->chunk);
}

/* Our recovered records (ours->rv) against libevtx's (theirs->rv). */
static void compare_recovered(const char *path, const uint8_t *buf, size_t len, const struct evtx_file_info *info,
			      const struct recs *ours, const struct recs *theirs)
{
	char *used = xrealloc(NULL, ours->n_rv);
	char where[4200];
	uint32_t size;

	memset(used, 0, ours->n_rv);
	n_rec_ours += ours->n_rv;
	n_rec_theirs += theirs->n_rv;
	for (size_t j = 0; j < theirs->n_rv; j++) {
		const struct rec *t = &theirs->rv[j];
		size_t i;
		for (i = 0; i < ours->n_rv && (used[i] || !same_event(&ours->rv[i], t)); i++)
			;
		if (i < ours->n_rv) {
			used[i] = 1;
			n_rec_both++;
			snprintf(where, sizeof(where), "%s (recovered, chunk %" PRIu32 ")", path, ours->rv[i].chunk);
			compare_rec(where, &ours->rv[i], t);
			continue;
		}
		for (i = 0; i < ours->n && !same_event(&ours->v[i], t); i++)
			;
		if (i < ours->n && !info->dirty && ours->v[i].chunk >= info->header_chunks)
			kind_count[KIND_REC_PAST_COUNT]++;
		else if (rec_skipped(ours, t->chunk, t->number, binxml_strerror(BINXML_ETEMPLATEID)))
			kind_count[KIND_REC_TEMPLATE]++;
		else if (rec_skipped(ours, t->chunk, t->number, binxml_strerror(BINXML_ENAME)))
			kind_count[KIND_REC_NAME]++;
		else if (rec_skipped(ours, t->chunk, t->number, binxml_strerror(BINXML_EDESCRIPTOR)))
			kind_count[KIND_REC_DESCRIPTOR]++;
		else if (find_record(buf, len, t->chunk, t->number, 4, &size) >= 0)
			kind_count[KIND_REC_OFF_GRID]++;
		else
			disagree(path, t->number, "only libevtx recovers it (chunk %" PRIu32 ", event id %" PRIu32
				 ", time %" PRIu64 ")", t->chunk, t->id, t->time);
	}
	for (size_t i = 0; i < ours->n_rv; i++) {
		const struct rec *o = &ours->rv[i];
		long off;
		if (used[i])
			continue;
		off = find_record(buf, len, o->chunk, o->number, 0, &size);
		if (off >= 0 && size > EVTX_CHUNK_SIZE - EVTX_RECORD_TRAILER_SIZE - (size_t)off)
			kind_count[KIND_REC_CHUNK_END]++;
		else
			disagree(path, o->number, "only we recover it (chunk %" PRIu32 ", event id %" PRIu32
				 ", time %" PRIu64 ")", o->chunk, o->id, o->time);
	}
	free(used);
}

/* ---- chunk ranges --------------------------------------------------------- */

/* The file decoded from fd, whole and in three ranges of chunk slots, must give
 * the events and skips of the decode from memory (ours, rc_mem), in order. */
static void check_ranges(const char *path, int fd, size_t len, int rc_mem, const struct recs *ours)
{
	struct seq whole = { SEQ_START, 0 }, parts = { SEQ_START, 0 };
	struct evtx_sink sw = { seq_on_event, seq_on_skip, &whole, NULL }, sp = { seq_on_event, seq_on_skip, &parts, NULL };
	struct evtx_file_info iw, ip;
	const char *why = "";
	uint32_t slots, starts[4], chunks_read = 0, chunks_bad_crc = 0;
	int rc = evtx_decode_fd(fd, len, &sw, &iw, &why);

	if (rc != rc_mem || whole.hash != ours->hash || whole.n_items != ours->n_items)
		disagree(path, 0, "evtx_decode_fd() gives other events or skips than evtx_decode_read()");
	if (rc)
		return;
	slots = len > EVTX_FILE_HEADER_BLOCK_SIZE
			? (uint32_t)((len - EVTX_FILE_HEADER_BLOCK_SIZE + EVTX_CHUNK_SIZE - 1) / EVTX_CHUNK_SIZE)
			: 0;
	starts[0] = 0;
	starts[1] = slots / 3;
	starts[2] = slots - slots / 3;
	starts[3] = slots;
	for (int k = 0; k < 3; k++) {
		rc = evtx_decode_fd_chunks(fd, len, starts[k], starts[k + 1] - starts[k], &sp, &ip, &why);
		if (rc || ip.header_chunks != iw.header_chunks || ip.major_version != iw.major_version ||
		    ip.minor_version != iw.minor_version || ip.dirty != iw.dirty || ip.header_bad_crc != iw.header_bad_crc)
			disagree(path, 0, "chunks [%" PRIu32 ", %" PRIu32 "): rc %d or file header facts differ", starts[k],
				 starts[k + 1], rc);
		chunks_read += ip.chunks_read;
		chunks_bad_crc += ip.chunks_bad_crc;
	}
	if (parts.hash != whole.hash || parts.n_items != whole.n_items)
		disagree(path, 0, "three chunk ranges give other events or skips than the whole file (%zu, %zu)",
			 parts.n_items, whole.n_items);
	if (chunks_read != iw.chunks_read || chunks_bad_crc != iw.chunks_bad_crc)
		disagree(path, 0, "three chunk ranges read %" PRIu32 " chunks (%" PRIu32 " bad), the whole file %" PRIu32
			 " (%" PRIu32 ")", chunks_read, chunks_bad_crc, iw.chunks_read, iw.chunks_bad_crc);
}

/* A sink that wants the data of the events normalize_event() reads only (as
 * evtx-index asks) gets the same events, the others without their data. */
static void check_wants_data(const char *path, const uint8_t *buf, size_t len)
{
	struct seq_trim full = { { SEQ_START, 0 }, 0, 0, 0 }, trimmed = { { SEQ_START, 0 }, 1, 0, 0 };
	struct evtx_sink sf = { seq_trim_on_event, seq_trim_on_skip, &full, NULL };
	struct evtx_sink st = { seq_trim_on_event, seq_trim_on_skip, &trimmed, normalize_wants_data };
	struct evtx_file_info info;
	const char *why = "";
	int rc_f = evtx_decode_read(buf, len, &sf, &info, &why);
	int rc_t = evtx_decode_read(buf, len, &st, &info, &why);

	if (rc_f != rc_t || full.q.hash != trimmed.q.hash || full.q.n_items != trimmed.q.n_items)
		disagree(path, 0, "decoding with wants_data gives other events than decoding whole");
	wants_ignored += trimmed.n_ignored;
	wants_untrimmed += trimmed.n_untrimmed;
}

/* ---- MANIFEST ------------------------------------------------------------ */

struct manifest_row {
	char *path;
	long records, n4688, nsysmon1, n7036, n7040, n7045, n4697;
	char *notes;
};

static char *field_of(char *line, int col)
{
	char *p = line;
	for (int c = 0; c < col; c++) {
		p = strchr(p, '\t');
		if (!p)
			return NULL;
		p++;
	}
	return p;
}

static long long_of(char *line, int col)
{
	char *p = field_of(line, col);
	return p ? strtol(p, NULL, 10) : -1;
}

static int manifest_read(const char *dir, struct manifest_row **rows, size_t *n)
{
	char path[4096], *line = NULL;
	size_t cap = 0, len_cap = 0;
	FILE *f;
	if (snprintf(path, sizeof(path), "%s/MANIFEST.tsv", dir) >= (int)sizeof(path))
		return -1;
	f = fopen(path, "r");
	if (!f)
		return -1;
	*n = 0;
	*rows = NULL;
	for (int first = 1; getline(&line, &len_cap, f) > 0; first = 0) {
		char *tab, *nl;
		if (first)
			continue;
		if ((nl = strchr(line, '\n')))
			*nl = '\0';
		if (*n == cap) {
			cap = cap ? cap * 2 : 256;
			*rows = xrealloc(*rows, cap * sizeof(**rows));
		}
		struct manifest_row *r = &(*rows)[(*n)++];
		r->records = long_of(line, 5);
		r->n4688 = long_of(line, 6);
		r->nsysmon1 = long_of(line, 7);
		r->n7036 = long_of(line, 8);
		r->n7040 = long_of(line, 9);
		r->n7045 = long_of(line, 10);
		r->n4697 = long_of(line, 11);
		r->notes = dup_str(field_of(line, 13) ? field_of(line, 13) : "");
		tab = strchr(line, '\t');
		if (tab)
			*tab = '\0';
		r->path = dup_str(line);
	}
	free(line);
	fclose(f);
	return 0;
}

static const uint8_t *map_file(const char *path, size_t *len)
{
	struct stat st;
	void *p;
	int fd = open(path, O_RDONLY);
	if (fd < 0)
		return NULL;
	if (fstat(fd, &st) != 0 || st.st_size == 0) {
		close(fd);
		*len = 0;
		return NULL;
	}
	p = mmap(NULL, (size_t)st.st_size, PROT_READ, MAP_PRIVATE, fd, 0);
	close(fd);
	if (p == MAP_FAILED)
		return NULL;
	*len = (size_t)st.st_size;
	return p;
}

static long count_of(const struct recs *rs, const char *provider, uint32_t id)
{
	long n = 0;
	for (size_t i = 0; i < rs->n; i++)
		n += rs->v[i].id == id && !strcmp(rs->v[i].provider, provider);
	return n;
}

static double now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static const char *corpus_dir(void)
{
	static char buf[4096];
	const char *c = getenv("CORPUS"), *root = getenv("ROOT");
	if (c && *c)
		return c;
	if (snprintf(buf, sizeof(buf), "%s/../shared/corpus", root && *root ? root : ".") >= (int)sizeof(buf))
		return "../shared/corpus";
	return buf;
}

/* ---- modes --------------------------------------------------------------- */

static void json_str(const char *s)
{
	putchar('"');
	for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
		if (*p == '"' || *p == '\\')
			printf("\\%c", *p);
		else if (*p < 0x20)
			printf("\\u%04x", *p);
		else
			putchar(*p);
	}
	putchar('"');
}

static int dump_event(void *ctx, const struct evtx_event *ev)
{
	(void)ctx;
	printf("{\"record_number\":%" PRIu64 ",\"event_id\":%" PRIu32 ",\"version\":%" PRIu32
	       ",\"event_record_id\":%" PRIu64 ",\"time_created\":%" PRIu64 ",\"provider\":",
	       ev->record_number, ev->event_id, ev->version, ev->event_record_id, ev->time_created);
	json_str(ev->provider);
	printf(",\"channel\":");
	json_str(ev->channel);
	printf(",\"computer\":");
	json_str(ev->computer);
	printf(",\"user_sid\":");
	json_str(ev->user_sid);
	printf(",\"binary\":");
	json_str(ev->binary);
	printf(",\"chunk\":%" PRIu32 ",\"recovered\":%d,\"fields\":[", ev->chunk, ev->recovered);
	for (size_t i = 0; i < ev->n_fields; i++) {
		printf(i ? ",[" : "[");
		json_str(ev->fields[i].name);
		putchar(',');
		json_str(ev->fields[i].value);
		putchar(']');
	}
	printf("]}\n");
	return 0;
}

static int dump_skip(void *ctx, const struct evtx_skip *sk)
{
	(void)ctx;
	printf("{\"skip\":");
	json_str(sk->reason);
	printf(",\"chunk\":%" PRIu32 ",\"record_number\":%" PRIu64 ",\"recovered\":%d}\n", sk->chunk, sk->record_number,
	       sk->recovered);
	return 0;
}

static int dump(const char *path)
{
	struct evtx_sink sink = { dump_event, dump_skip, NULL, NULL };
	struct evtx_file_info info;
	const char *why = "";
	size_t len;
	const uint8_t *buf = map_file(path, &len);
	int rc;
	if (!buf) {
		fprintf(stderr, "test_decoder_corpus: cannot read '%s'\n", path);
		return 2;
	}
	rc = evtx_decode_read(buf, len, &sink, &info, &why);
	munmap((void *)(uintptr_t)buf, len);
	if (rc)
		fprintf(stderr, "test_decoder_corpus: '%s': %s\n", path, rc == EVTX_DECODE_EOPEN ? why : "failed");
	return rc ? 1 : 0;
}

static int count_event(void *ctx, const struct evtx_event *ev)
{
	*(uint64_t *)ctx += !ev->recovered;
	return 0;
}

static int count_skip(void *ctx, const struct evtx_skip *sk)
{
	(void)ctx;
	(void)sk;
	return 0;
}

static volatile uint8_t page_sink;

/* Decodes every file `reps` times; returns seconds, *n the records of one pass. */
static double time_decoder(int ours, const char *dir, struct manifest_row *rows, size_t n_rows, int reps,
			   uint64_t *n)
{
	char path[4096];
	double t0, total = 0;
	for (int rep = 0; rep < reps; rep++) {
		uint64_t count = 0;
		struct evtx_sink sink = { count_event, count_skip, &count, NULL };
		for (size_t i = 0; i < n_rows; i++) {
			struct evtx_file_info info;
			const char *why;
			size_t len;
			const uint8_t *buf;
			if (snprintf(path, sizeof(path), "%s/%s", dir, rows[i].path) >= (int)sizeof(path))
				continue;
			buf = map_file(path, &len);
			if (!buf)
				continue;
			/* fault the pages in before the clock starts */
			for (size_t k = 0; k < len; k += 4096)
				page_sink += buf[k];
			t0 = now();
			if (ours)
				evtx_decode_read(buf, len, &sink, &info, &why);
			else
				evtx_libevtx_read(buf, len, &sink, &info, &why);
			total += now() - t0;
			munmap((void *)(uintptr_t)buf, len);
		}
		*n = count;
	}
	return total;
}

int main(int argc, char **argv)
{
	const char *dir;
	struct manifest_row *rows;
	size_t n_rows;
	int bench = 0;
	unsigned long files = 0, records = 0;
	char path[4096];

	if (argc == 3 && !strcmp(argv[1], "--dump"))
		return dump(argv[2]);
	if (argc == 2 && !strcmp(argv[1], "--bench"))
		bench = 1;
	else if (argc != 1) {
		fprintf(stderr, "usage: test_decoder_corpus [--bench | --dump FILE]\n");
		return 2;
	}
	dir = corpus_dir();
	if (manifest_read(dir, &rows, &n_rows) != 0) {
		printf("skipped: no corpus at %s (set CORPUS)\n", dir);
		return 77;
	}
	evtx_libevtx_global_init();
	for (size_t k = 0; k < n_rows; k++) {
		struct manifest_row *m = &rows[k];
		struct recs ours = { .hash = SEQ_START }, theirs = { 0 }, theirs_rec = { 0 };
		struct evtx_sink so = { on_event, on_skip, &ours, NULL }, st = { on_event, on_skip, &theirs, NULL },
				 sr = { on_event, on_skip, &theirs_rec, NULL };
		struct evtx_file_info info_o, info_t, info_r;
		const char *why_o = "", *why_t = "", *why_r = "";
		size_t len;
		const uint8_t *buf;
		int rc_o, rc_t, rc_r = -1, fd;

		if (snprintf(path, sizeof(path), "%s/%s", dir, m->path) >= (int)sizeof(path))
			buf = NULL;
		else
			buf = map_file(path, &len);
		if (!buf) {
			disagree(m->path, 0, "cannot read the file: %s", strerror(errno));
			continue;
		}
		rc_o = evtx_decode_read(buf, len, &so, &info_o, &why_o);
		check_wants_data(m->path, buf, len);
		rc_t = evtx_libevtx_read_some(buf, len, &st, &info_t, &why_t, LIBEVTX_LIVE);
		fd = open(path, O_RDONLY);
		if (fd < 0) {
			disagree(m->path, 0, "cannot open the file: %s", strerror(errno));
		} else {
			rc_r = evtx_libevtx_read_fd(fd, path, len, &sr, &info_r, &why_r, LIBEVTX_RECOVERED);
			check_ranges(m->path, fd, len, rc_o, &ours);
			close(fd);
		}
		if (rc_r == 0)
			compare_recovered(m->path, buf, len, &info_o, &ours, &theirs_rec);
		munmap((void *)(uintptr_t)buf, len);
		files++;
		records += ours.n;
		if (rc_o && !(rc_o == EVTX_DECODE_EOPEN && strstr(m->notes, "not an EVTX file")))
			disagree(m->path, 0, "our decoder failed (%d): %s", rc_o, why_o);
		if ((long)ours.n != m->records)
			disagree(m->path, 0, "%zu records, MANIFEST says %ld (our skips: %s)", ours.n, m->records,
				 ours.reasons);
		struct { const char *prov; uint32_t id; long want; } counts[] = {
			{ "Microsoft-Windows-Security-Auditing", 4688, m->n4688 },
			{ "Microsoft-Windows-Sysmon", 1, m->nsysmon1 },
			{ "Service Control Manager", 7036, m->n7036 },
			{ "Service Control Manager", 7040, m->n7040 },
			{ "Service Control Manager", 7045, m->n7045 },
			{ "Microsoft-Windows-Security-Auditing", 4697, m->n4697 },
		};
		for (size_t c = 0; c < sizeof(counts) / sizeof(counts[0]); c++) {
			long got = count_of(&ours, counts[c].prov, counts[c].id);
			if (got != counts[c].want)
				disagree(m->path, 0, "%ld x %s %" PRIu32 ", MANIFEST says %ld", got, counts[c].prov,
					 counts[c].id, counts[c].want);
		}
		if (rc_t == 0)
			compare_file(m->path, &ours, &theirs);
		else if (rc_t == LIBEVTX_EOPEN)
			kind_count[KIND_UNRENDERED] += ours.n;
		if (info_o.chunks_bad_crc || ours.n_skipped)
			printf("note %s: %" PRIu32 " chunk(s) with a bad CRC32, %zu skip(s): %s\n", m->path,
			       info_o.chunks_bad_crc, ours.n_skipped, ours.reasons);
		recs_free(&ours);
		recs_free(&theirs);
		recs_free(&theirs_rec);
	}
	printf("%lu files, %lu records decoded\n", files, records);
	printf("recovered: %lu ours, %lu libevtx, %lu the same record\n", n_rec_ours, n_rec_theirs, n_rec_both);
	printf("wants_data: %zu events of ignored ids, %zu of them still with their data\n", wants_ignored,
	       wants_untrimmed);
	/* Only data holding binary XML values is rendered unasked: a few percent at most. */
	if (wants_ignored == 0 || wants_untrimmed * 20 > wants_ignored)
		disagree("(corpus)", 0, "wants_data left the data of %zu of %zu ignored events", wants_untrimmed,
			 wants_ignored);
	for (int k = 0; k < N_KINDS; k++)
		printf("allowed: %lu %s\n", kind_count[k], kind_names[k]);
	if (bench) {
		uint64_t n_o = 0, n_t = 0;
		double t_t = time_decoder(0, dir, rows, n_rows, 1, &n_t);
		double t_o = time_decoder(1, dir, rows, n_rows, 5, &n_o) / 5;
		printf("bench: libevtx %" PRIu64 " records in %.3f s (%.0f records/s)\n", n_t, t_t, (double)n_t / t_t);
		printf("bench: ours    %" PRIu64 " records in %.3f s (%.0f records/s), %.1fx\n", n_o, t_o,
		       (double)n_o / t_o, ((double)n_o / t_o) / ((double)n_t / t_t));
	}
	for (size_t k = 0; k < n_rows; k++) {
		free(rows[k].path);
		free(rows[k].notes);
	}
	free(rows);
	printf("%lu disagreement(s)\n", n_disagree);
	return n_disagree ? 1 : 0;
}
