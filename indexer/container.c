/* container.c: containers opened in memory; every member recognised by its first
 * bytes and handed to the sink, within the memory, expansion and nesting limits. */
#include <archive.h>
#include <archive_entry.h>
#include <errno.h>
#include <limits.h>
#include <locale.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

#include "container.h"
#include "reader.h"
#include "text.h"

/* Reads from files, memory files and gzip input go in blocks of this size. */
#define BLOCK_LEN (128 * 1024)
/* Largest block handed to libarchive from a buffer in memory. */
#define MEM_BLOCK_LEN (1024 * 1024)
/* First heap allocation for a member whose size is not known. */
#define FIRST_ALLOC (256 * 1024)
#define REASON_LEN 512
/* An EVTX file header; a member cut before its end is not worth decoding. */
#define EVTX_HEADER_LEN 4096

enum stop { STOP_NONE, STOP_LIMIT, STOP_FATAL };

struct scan {
	const struct container_limits *lim;
	const struct container_sink *sink;
	const char *top_path;
	uint64_t expanded;	/* bytes expanded so far, all levels */
	uint64_t heap_used;	/* member bytes held on the heap now */
	enum stop stop;
	int rc;			/* returned on STOP_FATAL */
	uint8_t *io;		/* BLOCK_LEN, for copies into memory files */
};

/* One container being read. */
struct level {
	const char *path;
	enum container_kind kind;
	unsigned depth;
	unsigned n_done;	/* members read to their end (or left) before any damage */
	uint64_t size;		/* its own size when known (random access), else 0 */
	uint64_t in;		/* bytes read from its input, when read as a stream */
	uint64_t out;		/* bytes it expanded to */
	int failed;		/* a problem stopped it (reported once) */
	int gzip_tar;		/* a gzip stream holding a tar: both are this one container */
	int cut;		/* known to be cut short (a zip without its end record) */
};

enum src_type { SRC_FD, SRC_MEM, SRC_GZIP, SRC_ENTRY };
enum src_fail { SRC_FAIL_NONE, SRC_FAIL_TRUNCATED, SRC_FAIL_OTHER };

struct gz;
struct entry;

/* A source of bytes: a file or memory file (random access), a buffer (random
 * access), a gzip stream, or the member of an archive being read. The first bytes of
 * a stream are read ahead to recognise it and served again by src_read(). */
struct src {
	enum src_type type;
	struct scan *sc;
	struct level *owner;	/* the container read from this source (for read errors) */
	uint8_t head[CONTAINER_HEAD_LEN];
	size_t head_len, head_pos;
	int peeked, eof;
	enum src_fail fail;	/* why the last read failed; already reported */
	/* SRC_FD, SRC_MEM */
	int fd;
	const uint8_t *mem;
	uint64_t size, pos;
	/* SRC_GZIP, SRC_ENTRY */
	struct gz *gz;
	struct entry *ent;
};

struct gz {
	struct src *parent;
	struct level *lv;
	z_stream z;
	int member_end, in_eof, done;
	gz_header hdr;
	unsigned char name[256];
	uint8_t in[BLOCK_LEN];
};

struct entry {
	struct archive *a;
	struct level *lv;
	struct src *in;		/* the archive's own input */
	const char *path;
	uint64_t declared;	/* size from the member's header, 0 when unknown */
	uint64_t n_out;		/* bytes delivered */
	const uint8_t *blk;	/* what is left of the last block libarchive gave */
	size_t blk_len;
	uint64_t blk_off;	/* its offset in the member */
	int sparse, data_eof, encrypted;
	int count_out;		/* the format expands data: count it against the limits */
};

/* What libarchive reads from. */
struct la_input {
	struct scan *sc;
	struct src *in;
	struct level *lv;
	uint8_t *block;
};

/* Member bytes held whole: on the heap within the budget, else in a memory file. */
struct blob {
	uint8_t *mem;
	size_t len, cap;
	int fd;
	uint64_t fd_len;
};

static void open_container(struct scan *sc, struct src *s, const char *path, enum container_kind kind,
			   unsigned depth);

void container_limits_init(struct container_limits *lim)
{
	memset(lim, 0, sizeof(*lim));
	lim->memory_budget = CONTAINER_DEFAULT_MEMORY_BUDGET;
	lim->max_expanded = CONTAINER_DEFAULT_MAX_EXPANDED;
	lim->max_ratio = CONTAINER_DEFAULT_MAX_RATIO;
	lim->max_depth = CONTAINER_DEFAULT_MAX_DEPTH;
}

int container_problem_is_member(enum container_problem what)
{
	return what != CONTAINER_PROBLEM_DAMAGED && what != CONTAINER_PROBLEM_RATIO && what != CONTAINER_PROBLEM_EXPANDED;
}

const char *container_kind_name(enum container_kind kind)
{
	switch (kind) {
	case CONTAINER_KIND_EVTX: return "evtx";
	case CONTAINER_KIND_GZIP: return "gzip";
	case CONTAINER_KIND_ZIP: return "zip";
	case CONTAINER_KIND_7Z: return "7z";
	case CONTAINER_KIND_TAR: return "tar";
	case CONTAINER_KIND_BZIP2: return "bzip2";
	case CONTAINER_KIND_XZ: return "xz";
	case CONTAINER_KIND_ZSTD: return "zstd";
	case CONTAINER_KIND_OTHER: break;
	}
	return "other";
}

static int has(const uint8_t *head, size_t len, size_t off, const void *magic, size_t n)
{
	return len >= off + n && memcmp(head + off, magic, n) == 0;
}

enum container_kind container_sniff(const uint8_t *head, size_t len)
{
	if (has(head, len, 0, "ElfFile", 8))
		return CONTAINER_KIND_EVTX;
	/* gzip: ID1 ID2, CM 8 (deflate), no reserved FLG bits (RFC 1952). */
	if (has(head, len, 0, "\x1f\x8b\x08", 3) && len >= 4 && (head[3] & 0xe0) == 0)
		return CONTAINER_KIND_GZIP;
	/* zip: a local file header, an empty archive's end record, or a split marker. */
	if (has(head, len, 0, "PK\x03\x04", 4) || has(head, len, 0, "PK\x05\x06", 4) ||
	    has(head, len, 0, "PK\x07\x08PK\x03\x04", 8))
		return CONTAINER_KIND_ZIP;
	if (has(head, len, 0, "7z\xbc\xaf\x27\x1c", 6))
		return CONTAINER_KIND_7Z;
	/* POSIX "ustar\0" and GNU "ustar  " both start so, at offset 257. */
	if (has(head, len, 257, "ustar", 5))
		return CONTAINER_KIND_TAR;
	/* bzip2: "BZh", block size '1'..'9', then a block or end-of-stream magic. */
	if (has(head, len, 0, "BZh", 3) && len >= 10 && head[3] >= '1' && head[3] <= '9' &&
	    (has(head, len, 4, "\x31\x41\x59\x26\x53\x59", 6) || has(head, len, 4, "\x17\x72\x45\x38\x50\x90", 6)))
		return CONTAINER_KIND_BZIP2;
	if (has(head, len, 0, "\xfd" "7zXZ\0", 6))
		return CONTAINER_KIND_XZ;
	if (has(head, len, 0, "\x28\xb5\x2f\xfd", 4))
		return CONTAINER_KIND_ZSTD;
	return CONTAINER_KIND_OTHER;
}

char *container_member_path(const char *container_path, const char *name)
{
	size_t clen = strlen(container_path), nlen = strlen(name), room;
	char *out;

	if (nlen > (SIZE_MAX - clen - 2) / 4)
		return NULL;
	room = TEXT_ESCAPE_ROOM(nlen);
	out = malloc(clen + 1 + room);
	if (!out)
		return NULL;
	memcpy(out, container_path, clen);
	out[clen] = '!';
	/* '!' separates the levels of a display path: inside a name it is escaped. */
	text_escape_to(out + clen + 1, room, name, nlen, "!");
	return out;
}

/* ---- limits and problems ---- */

static uint64_t sat_mul(uint64_t a, uint64_t b)
{
	return a && b > UINT64_MAX / a ? UINT64_MAX : a * b;
}

static uint64_t sat_add(uint64_t a, uint64_t b)
{
	return a > UINT64_MAX - b ? UINT64_MAX : a + b;
}

static void stop_fatal(struct scan *sc, int rc)
{
	if (sc->stop != STOP_FATAL) {
		sc->stop = STOP_FATAL;
		sc->rc = rc < 0 ? rc : -1;
	}
}

static void vproblem(struct scan *sc, const char *path, enum container_problem what, const char *fmt, va_list ap)
	__attribute__((format(printf, 4, 0)));
static void problem(struct scan *sc, const char *path, enum container_problem what, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
static void level_fail(struct scan *sc, struct level *lv, enum container_problem what, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

static void vproblem(struct scan *sc, const char *path, enum container_problem what, const char *fmt, va_list ap)
{
	char reason[REASON_LEN];
	int rc;
	if (sc->stop == STOP_FATAL)
		return;
	vsnprintf(reason, sizeof(reason), fmt, ap);
	rc = sc->sink->problem ? sc->sink->problem(sc->sink->ctx, path, what, reason) : 0;
	if (rc < 0)
		stop_fatal(sc, rc);
}

static void problem(struct scan *sc, const char *path, enum container_problem what, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vproblem(sc, path, what, fmt, ap);
	va_end(ap);
}

/* Reports a problem that stops the container lv, once. */
static void level_fail(struct scan *sc, struct level *lv, enum container_problem what, const char *fmt, ...)
{
	va_list ap;
	if (lv->failed)
		return;
	lv->failed = 1;
	va_start(ap, fmt);
	vproblem(sc, lv->path, what, fmt, ap);
	va_end(ap);
}

static void level_truncated(struct scan *sc, struct level *lv)
{
	if (lv->kind == CONTAINER_KIND_GZIP && !lv->gzip_tar)
		level_fail(sc, lv, CONTAINER_PROBLEM_DAMAGED, "truncated gzip stream");
	else
		level_fail(sc, lv, CONTAINER_PROBLEM_DAMAGED, "truncated archive after %u member%s", lv->n_done,
			   lv->n_done == 1 ? "" : "s");
}

/* libarchive's message, starting lower case as ours do. */
static const char *la_message(struct archive *a, char *buf, size_t len)
{
	const char *m = archive_error_string(a);
	snprintf(buf, len, "%s", m && *m ? m : "unknown error");
	if (buf[0] >= 'A' && buf[0] <= 'Z' && !(buf[1] >= 'A' && buf[1] <= 'Z'))
		buf[0] = (char)(buf[0] - 'A' + 'a');
	return buf;
}

/* libarchive says "truncated" in most of its formats; liblzma, "no progress". */
static int is_truncation(const char *msg)
{
	return strstr(msg, "runcat") != NULL || strstr(msg, "remature end") != NULL ||
	       strstr(msg, "No progress is possible") != NULL;
}

/* Counts n bytes expanded by lv. Returns 0, or -1 when a limit is reached (reported). */
static int account(struct scan *sc, struct level *lv, uint64_t n)
{
	const struct container_limits *lim = sc->lim;
	lv->out = sat_add(lv->out, n);
	sc->expanded = sat_add(sc->expanded, n);
	if (lim->max_expanded && sc->expanded > lim->max_expanded) {
		if (sc->stop == STOP_NONE) {
			problem(sc, sc->top_path, CONTAINER_PROBLEM_EXPANDED,
				"zip bomb? expands to more than %llu bytes", (unsigned long long)lim->max_expanded);
			if (sc->stop == STOP_NONE)
				sc->stop = STOP_LIMIT;
		}
		return -1;
	}
	if (lim->max_ratio) {
		uint64_t base = lv->size > lv->in ? lv->size : lv->in;
		if (lv->out > sat_add(sat_mul(base, lim->max_ratio), CONTAINER_RATIO_FLOOR)) {
			level_fail(sc, lv, CONTAINER_PROBLEM_RATIO, "zip bomb? expands more than %llu times its size",
				   (unsigned long long)lim->max_ratio);
			return -1;
		}
	}
	return 0;
}

/* ---- sources ---- */

static void src_init(struct src *s, struct scan *sc, enum src_type type)
{
	memset(s, 0, sizeof(*s));
	s->type = type;
	s->sc = sc;
	s->fd = -1;
}

static int src_random_access(const struct src *s)
{
	return s->type == SRC_FD || s->type == SRC_MEM;
}

static long gz_read(struct src *s, uint8_t *buf, size_t n);
static long entry_read(struct src *s, uint8_t *buf, size_t n);

/* Reads up to n bytes at offset off of a random-access source; -1 on a read error
 * (reported on the container read from it). */
static long src_read_at(struct src *s, uint64_t off, uint8_t *buf, size_t n)
{
	if (off >= s->size)
		return 0;
	if (n > s->size - off)
		n = (size_t)(s->size - off);
	if (s->type == SRC_MEM) {
		memcpy(buf, s->mem + off, n);
		return (long)n;
	}
	for (;;) {
		ssize_t r = pread(s->fd, buf, n, (off_t)off);
		if (r >= 0)
			return (long)r;
		if (errno == EINTR)
			continue;
		s->fail = SRC_FAIL_OTHER;
		if (s->owner)
			level_fail(s->sc, s->owner, CONTAINER_PROBLEM_DAMAGED, "read error: %s", strerror(errno));
		return -1;
	}
}

/* Reads the next bytes from the source itself, past any head read ahead. */
static long src_read_raw(struct src *s, uint8_t *buf, size_t n)
{
	long r;
	if (s->fail != SRC_FAIL_NONE || s->sc->stop != STOP_NONE)
		return -1;
	if (n == 0 || s->eof)
		return 0;
	switch (s->type) {
	case SRC_FD:
	case SRC_MEM:
		r = src_read_at(s, s->pos, buf, n);
		if (r > 0)
			s->pos += (uint64_t)r;
		break;
	case SRC_GZIP:
		r = gz_read(s, buf, n);
		break;
	default:
		r = entry_read(s, buf, n);
		break;
	}
	if (r == 0)
		s->eof = 1;
	return r;
}

/* Reads the next bytes: 0 at the end, -1 when the source failed (reported). */
static long src_read(struct src *s, uint8_t *buf, size_t n)
{
	if (s->head_pos < s->head_len && s->fail == SRC_FAIL_NONE && s->sc->stop == STOP_NONE) {
		size_t k = s->head_len - s->head_pos;
		if (k > n)
			k = n;
		memcpy(buf, s->head + s->head_pos, k);
		s->head_pos += k;
		return (long)k;
	}
	return src_read_raw(s, buf, n);
}

/* Reads the first bytes to recognise the content. A random-access source is read at
 * offset 0 and left as it is; a stream keeps them to serve them again. */
static void src_peek(struct src *s)
{
	if (s->peeked)
		return;
	s->peeked = 1;
	if (src_random_access(s)) {
		long r = src_read_at(s, 0, s->head, sizeof(s->head));
		s->head_len = r > 0 ? (size_t)r : 0;
		s->head_pos = s->head_len;
		return;
	}
	while (s->head_len < sizeof(s->head)) {
		long r = src_read_raw(s, s->head + s->head_len, sizeof(s->head) - s->head_len);
		if (r <= 0)
			break;
		s->head_len += (size_t)r;
	}
	s->head_pos = 0;
}

/* ---- gzip, with zlib ---- */

static long gz_read(struct src *s, uint8_t *buf, size_t n)
{
	struct gz *g = s->gz;
	struct scan *sc = s->sc;

	if (g->done)
		return 0;
	if (g->lv->failed) {
		s->fail = SRC_FAIL_OTHER;
		return -1;
	}
	if (n > UINT_MAX)
		n = UINT_MAX;
	for (;;) {
		size_t got;
		int zr;
		if (g->z.avail_in == 0 && !g->in_eof) {
			long r = src_read(g->parent, g->in, sizeof(g->in));
			if (r < 0) {
				s->fail = g->parent->fail == SRC_FAIL_NONE ? SRC_FAIL_OTHER : g->parent->fail;
				return -1;
			}
			g->in_eof = r == 0;
			g->z.next_in = g->in;
			g->z.avail_in = (uInt)r;
			g->lv->in += (uint64_t)r;
		}
		if (g->member_end) {
			/* Members follow one another; anything else after the last one
			 * (tape padding, say) is ignored, as gzip does. */
			if (g->z.avail_in == 0) {
				if (g->in_eof) {
					g->done = 1;
					return 0;
				}
				continue;
			}
			if (g->z.next_in[0] != 0x1f) {
				g->done = 1;
				return 0;
			}
			inflateReset(&g->z);
			g->member_end = 0;
		}
		g->z.next_out = buf;
		g->z.avail_out = (uInt)n;
		zr = inflate(&g->z, Z_NO_FLUSH);
		got = n - g->z.avail_out;
		if (zr == Z_STREAM_END) {
			g->member_end = 1;
		} else if (zr == Z_MEM_ERROR) {
			stop_fatal(sc, -1);
			s->fail = SRC_FAIL_OTHER;
			return -1;
		} else if (zr != Z_OK && zr != Z_BUF_ERROR) {
			level_fail(sc, g->lv, CONTAINER_PROBLEM_DAMAGED, "corrupt gzip stream after %llu bytes: %s",
				   (unsigned long long)g->z.total_out, g->z.msg ? g->z.msg : "data error");
			s->fail = SRC_FAIL_OTHER;
			return -1;
		} else if (got == 0 && g->z.avail_in == 0 && g->in_eof) {
			level_truncated(sc, g->lv);
			s->fail = SRC_FAIL_TRUNCATED;
			return -1;
		}
		if (got) {
			if (account(sc, g->lv, got)) {
				s->fail = SRC_FAIL_OTHER;
				return -1;
			}
			return (long)got;
		}
	}
}

/* ---- members held whole ---- */

static void blob_init(struct blob *b)
{
	memset(b, 0, sizeof(*b));
	b->fd = -1;
}

static void blob_release(struct scan *sc, struct blob *b)
{
	if (b->mem) {
		free(b->mem);
		sc->heap_used -= b->cap;
	}
	if (b->fd >= 0)
		close(b->fd);
	blob_init(b);
}

static int write_all(int fd, const uint8_t *p, size_t n)
{
	while (n) {
		ssize_t w = write(fd, p, n);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return -1;
		p += w;
		n -= (size_t)w;
	}
	return 0;
}

/* Moves the member into an anonymous memory file. Returns 0 or -1 (reported). */
static int blob_to_memfd(struct scan *sc, struct blob *b, const char *path)
{
	b->fd = memfd_create("evtx-index-member", MFD_CLOEXEC);
	if (b->fd < 0) {
		problem(sc, path, CONTAINER_PROBLEM_UNREADABLE, "cannot hold member in memory: memfd_create: %s",
			strerror(errno));
		return -1;
	}
	if (b->len && write_all(b->fd, b->mem, b->len)) {
		problem(sc, path, CONTAINER_PROBLEM_UNREADABLE, "cannot hold member in memory: %s", strerror(errno));
		return -1;
	}
	b->fd_len = b->len;
	free(b->mem);
	sc->heap_used -= b->cap;
	b->mem = NULL;
	b->cap = 0;
	return 0;
}

/* Heap bytes a member may still take. */
static uint64_t heap_left(const struct scan *sc)
{
	return sc->lim->memory_budget > sc->heap_used ? sc->lim->memory_budget - sc->heap_used : 0;
}

/* Makes room on the heap for need bytes in all, or moves the member to a memory file
 * when the budget (or malloc) says no. Returns 0 or -1 (reported). */
static int blob_grow(struct scan *sc, struct blob *b, uint64_t need, const char *path)
{
	uint64_t left = heap_left(sc) + b->cap;	/* what this member may take in all */
	uint64_t cap = (uint64_t)b->cap * 2;
	uint8_t *m;
	if (need <= b->cap)
		return 0;
	if (need > left || need > SIZE_MAX)
		return blob_to_memfd(sc, b, path);
	if (cap < need)
		cap = need;
	if (cap > left)
		cap = left;
	m = realloc(b->mem, (size_t)cap);
	if (!m)
		return blob_to_memfd(sc, b, path);
	sc->heap_used += cap - b->cap;
	b->mem = m;
	b->cap = (size_t)cap;
	return 0;
}

static int blob_append(struct scan *sc, struct blob *b, const uint8_t *p, size_t n, const char *path)
{
	if (b->fd < 0) {
		if (blob_grow(sc, b, (uint64_t)b->len + n, path))
			return -1;
		if (b->fd < 0) {
			memcpy(b->mem + b->len, p, n);
			b->len += n;
			return 0;
		}
	}
	if (write_all(b->fd, p, n)) {
		problem(sc, path, CONTAINER_PROBLEM_UNREADABLE, "cannot hold member in memory: %s", strerror(errno));
		return -1;
	}
	b->fd_len += n;
	return 0;
}

/* Reads s to its end into b; hint is the size the member's header gives (0: not
 * known), trusted only as far as the budget goes. Returns 0 when whole, 1 when the
 * source was found truncated (b has what came before), -1 when it failed (reported). */
static int blob_fill(struct scan *sc, struct blob *b, struct src *s, uint64_t hint, const char *path)
{
	if (blob_grow(sc, b, hint ? hint : FIRST_ALLOC, path))
		return -1;
	for (;;) {
		long r;
		if (b->fd < 0 && b->len < b->cap) {
			r = src_read(s, b->mem + b->len, b->cap - b->len);
			if (r > 0)
				b->len += (size_t)r;
		} else {
			/* Full, or in a memory file: read a block, then find room for it. */
			r = src_read(s, sc->io, BLOCK_LEN);
			if (r > 0 && blob_append(sc, b, sc->io, (size_t)r, path))
				return -1;
		}
		if (r == 0)
			return 0;
		if (r < 0)
			return s->fail == SRC_FAIL_TRUNCATED ? 1 : -1;
	}
}

static uint64_t blob_len(const struct blob *b)
{
	return b->fd >= 0 ? b->fd_len : b->len;
}

/* A random-access source over the bytes held. */
static void blob_src(struct scan *sc, struct blob *b, struct src *s)
{
	src_init(s, sc, b->fd >= 0 ? SRC_FD : SRC_MEM);
	s->fd = b->fd;
	s->mem = b->mem;
	s->size = blob_len(b);
}

static void emit_member(struct scan *sc, const char *path, enum container_kind kind, const uint8_t *buf,
			size_t len)
{
	int rc;
	if (sc->stop != STOP_NONE || !sc->sink->member)
		return;
	rc = sc->sink->member(sc->sink->ctx, path, kind, buf, len);
	if (rc < 0)
		stop_fatal(sc, rc);
}

/* An EVTX member: held whole, then handed over (from a read-only mapping when it is
 * in a memory file). */
static void deliver_evtx(struct scan *sc, struct src *s, const char *path, uint64_t hint)
{
	struct blob b;
	int r;
	blob_init(&b);
	r = blob_fill(sc, &b, s, hint, path);
	if (r == 1 && blob_len(&b) < EVTX_HEADER_LEN) {
		problem(sc, path, CONTAINER_PROBLEM_CUT, "truncated member: %llu bytes, less than an EVTX header",
			(unsigned long long)blob_len(&b));
		r = -1;
	}
	if (r >= 0 && sc->stop == STOP_NONE) {
		uint64_t len = blob_len(&b);
		if (b.fd < 0) {
			emit_member(sc, path, CONTAINER_KIND_EVTX, b.mem, b.len);
		} else if (len > SIZE_MAX) {
			problem(sc, path, CONTAINER_PROBLEM_UNREADABLE, "member too large to map");
		} else {
			void *map = mmap(NULL, (size_t)len, PROT_READ, MAP_SHARED, b.fd, 0);
			if (map == MAP_FAILED) {
				problem(sc, path, CONTAINER_PROBLEM_UNREADABLE, "cannot map member: %s", strerror(errno));
			} else {
				madvise(map, (size_t)len, MADV_SEQUENTIAL);
				emit_member(sc, path, CONTAINER_KIND_EVTX, map, (size_t)len);
				munmap(map, (size_t)len);
			}
		}
	}
	blob_release(sc, &b);
}

/* A member recognised by its first bytes: delivered, left, or opened as a container
 * at depth. */
static void dispatch_member(struct scan *sc, struct src *s, const char *path, unsigned depth, uint64_t hint)
{
	enum container_kind kind;
	src_peek(s);
	if (sc->stop != STOP_NONE || (s->fail != SRC_FAIL_NONE && s->fail != SRC_FAIL_TRUNCATED))
		return;
	kind = container_sniff(s->head, s->head_len);
	if (s->fail == SRC_FAIL_TRUNCATED && kind != CONTAINER_KIND_EVTX) {
		problem(sc, path, CONTAINER_PROBLEM_CUT, "truncated member: %zu bytes read", s->head_len);
		return;
	}
	if (kind == CONTAINER_KIND_EVTX) {
		deliver_evtx(sc, s, path, hint);
		return;
	}
	if (kind != CONTAINER_KIND_OTHER && depth > sc->lim->max_depth) {
		problem(sc, path, CONTAINER_PROBLEM_TOO_DEEP, "archive nested deeper than %u levels", sc->lim->max_depth);
		return;
	}
	emit_member(sc, path, kind, s->head, s->head_len);
	if (kind != CONTAINER_KIND_OTHER && sc->stop == STOP_NONE)
		open_container(sc, s, path, kind, depth);
}

/* ---- libarchive ---- */

static la_ssize_t cb_read(struct archive *a, void *data, const void **buf)
{
	struct la_input *rd = data;
	struct src *s = rd->in;
	long r;
	(void)a;
	if (rd->lv->failed || rd->sc->stop != STOP_NONE)
		return ARCHIVE_FATAL;
	if (s->type == SRC_MEM) {
		uint64_t n = s->pos < s->size ? s->size - s->pos : 0;
		if (n > MEM_BLOCK_LEN)
			n = MEM_BLOCK_LEN;
		*buf = s->mem + s->pos;
		s->pos += n;
		return (la_ssize_t)n;
	}
	r = src_read(s, rd->block, BLOCK_LEN);
	if (r < 0)
		return ARCHIVE_FATAL;
	/* Input of a stream read from its parent (a tar under gzip counts the gzip's). */
	if (!src_random_access(s) && !rd->lv->gzip_tar)
		rd->lv->in += (uint64_t)r;
	*buf = rd->block;
	return (la_ssize_t)r;
}

static la_int64_t cb_seek(struct archive *a, void *data, la_int64_t off, int whence)
{
	struct src *s = ((struct la_input *)data)->in;
	int64_t base = whence == SEEK_SET ? 0 : whence == SEEK_CUR ? (int64_t)s->pos : (int64_t)s->size;
	(void)a;
	if ((off > 0 && base > INT64_MAX - off) || base + off < 0)
		return ARCHIVE_FATAL;
	s->pos = (uint64_t)(base + off) > s->size ? s->size : (uint64_t)(base + off);
	s->eof = 0;
	return (la_int64_t)s->pos;
}

static la_int64_t cb_skip(struct archive *a, void *data, la_int64_t n)
{
	struct src *s = ((struct la_input *)data)->in;
	uint64_t left = s->pos < s->size ? s->size - s->pos : 0;
	(void)a;
	if (n <= 0)
		return 0;
	if ((uint64_t)n > left)
		n = (la_int64_t)left;
	s->pos += (uint64_t)n;
	s->eof = 0;
	return n;
}

/* Why a member's data could not be read; reports it unless its archive's input
 * failed (reported there). Returns -1. */
static long entry_failed(struct src *s, int r)
{
	struct entry *e = s->ent;
	struct scan *sc = s->sc;
	char msg[REASON_LEN];

	s->fail = SRC_FAIL_OTHER;
	if (e->in->fail != SRC_FAIL_NONE || sc->stop != STOP_NONE || e->lv->failed) {
		if (e->in->fail == SRC_FAIL_TRUNCATED)
			s->fail = SRC_FAIL_TRUNCATED;
		return -1;
	}
	la_message(e->a, msg, sizeof(msg));
	if (strstr(msg, "assphrase")) {
		problem(sc, e->path, CONTAINER_PROBLEM_ENCRYPTED, "encrypted: %s",
			sc->lim->password ? "wrong password" : "no password");
	} else if (r != ARCHIVE_WARN && (is_truncation(msg) || e->lv->cut)) {
		level_truncated(sc, e->lv);
		s->fail = SRC_FAIL_TRUNCATED;
	} else if (e->encrypted) {
		/* ZipCrypto checks a password with one byte: one wrong password in 256
		 * passes, and the data then fails to expand or to match its CRC. */
		problem(sc, e->path, CONTAINER_PROBLEM_ENCRYPTED, "encrypted: wrong password or corrupt member: %s", msg);
	} else if (r == ARCHIVE_FAILED) {
		problem(sc, e->path, CONTAINER_PROBLEM_UNREADABLE, "cannot read member: %s", msg);
	} else {
		problem(sc, e->path, CONTAINER_PROBLEM_CORRUPT, "corrupt member: %s", msg);
	}
	return -1;
}

/* Member data block by block, so that all of it that precedes a failure is kept;
 * the holes of a sparse member are read as zeros (and count as expanded). */
static long entry_read(struct src *s, uint8_t *buf, size_t n)
{
	struct entry *e = s->ent;
	size_t k;

	if (e->lv->failed) {
		s->fail = SRC_FAIL_OTHER;
		return -1;
	}
	while (e->blk_len == 0 && e->blk_off <= e->n_out) {
		const void *p;
		size_t len;
		la_int64_t off;
		int r = e->data_eof ? ARCHIVE_EOF : archive_read_data_block(e->a, &p, &len, &off);
		if (r == ARCHIVE_EOF) {
			/* A sparse member may end in a hole, which no block tells. */
			e->data_eof = 1;
			if (!e->sparse || e->n_out >= e->declared)
				return 0;
			r = ARCHIVE_OK;
			p = NULL;
			len = 0;
			off = (la_int64_t)e->declared;
		}
		if (r != ARCHIVE_OK)
			return entry_failed(s, r);
		if (off < 0 || (uint64_t)off < e->n_out) {
			problem(s->sc, e->path, CONTAINER_PROBLEM_CORRUPT, "corrupt member: data blocks out of order");
			s->fail = SRC_FAIL_OTHER;
			return -1;
		}
		e->blk = p;
		e->blk_len = len;
		e->blk_off = (uint64_t)off;
	}
	if (e->blk_off > e->n_out) {
		k = e->blk_off - e->n_out < n ? (size_t)(e->blk_off - e->n_out) : n;
		memset(buf, 0, k);
		/* Holes expand whatever the format: a tar can declare any. */
		if (!e->count_out && account(s->sc, e->lv, k)) {
			s->fail = SRC_FAIL_OTHER;
			return -1;
		}
	} else {
		k = e->blk_len < n ? e->blk_len : n;
		memcpy(buf, e->blk, k);
		e->blk += k;
		e->blk_len -= k;
		e->blk_off += k;
	}
	e->n_out += k;
	if (e->count_out && account(s->sc, e->lv, k)) {
		s->fail = SRC_FAIL_OTHER;
		return -1;
	}
	return (long)k;
}

/* A member's name as libarchive has it: UTF-8 when it knows the encoding, the raw
 * bytes otherwise (escaped later). */
static const char *entry_name(struct archive_entry *e)
{
	const char *n = archive_entry_pathname_utf8(e);
	if (!n)
		n = archive_entry_pathname(e);
	return n ? n : "";
}

/* The name of the one file inside a compressed stream: its container's name without
 * the compression suffix. */
static char *stream_member_path(const char *path)
{
	static const char *const suffix[] = { ".gz", ".gzip", ".z", ".bz2", ".bz", ".xz", ".zst", ".zstd" };
	const char *base = path;
	char *name, *out;
	size_t n;
	for (const char *p = path; *p; p++)
		if (*p == '/' || *p == '!')
			base = p + 1;
	n = strlen(base);
	name = strdup(base);
	if (!name)
		return NULL;
	for (size_t i = 0; i < sizeof(suffix) / sizeof(suffix[0]); i++) {
		size_t k = strlen(suffix[i]);
		if (n > k && !strcasecmp(base + n - k, suffix[i])) {
			name[n - k] = '\0';
			break;
		}
	}
	out = container_member_path(path, name);
	free(name);
	return out;
}

/* Reports why the archive cannot be read on, unless its input failed (reported). */
static void archive_damaged(struct scan *sc, struct la_input *rd, struct archive *a)
{
	char msg[REASON_LEN];
	if (rd->in->fail != SRC_FAIL_NONE || sc->stop != STOP_NONE || rd->lv->failed)
		return;
	la_message(a, msg, sizeof(msg));
	if (archive_errno(a) == ENOMEM) {
		stop_fatal(sc, -1);
	} else if (rd->lv->cut) {
		level_truncated(sc, rd->lv);
	} else if (strstr(msg, "ncrypt")) {
		level_fail(sc, rd->lv, CONTAINER_PROBLEM_DAMAGED, "encrypted: %s", msg);
	} else if (is_truncation(msg)) {
		level_truncated(sc, rd->lv);
	} else {
		level_fail(sc, rd->lv, CONTAINER_PROBLEM_DAMAGED, "damaged archive after %u member%s: %s",
			   rd->lv->n_done, rd->lv->n_done == 1 ? "" : "s", msg);
	}
}

/* One member of an open archive. */
static void archive_member(struct scan *sc, struct la_input *rd, struct archive *a, struct archive_entry *ae)
{
	struct level *lv = rd->lv;
	struct entry e;
	struct src s;
	char *path;

	if (archive_format(a) == ARCHIVE_FORMAT_RAW)
		path = stream_member_path(lv->path);
	else
		path = container_member_path(lv->path, entry_name(ae));
	if (!path) {
		stop_fatal(sc, -1);
		return;
	}
	if (archive_entry_is_data_encrypted(ae) && (lv->kind == CONTAINER_KIND_7Z || !sc->lim->password)) {
		problem(sc, path, CONTAINER_PROBLEM_ENCRYPTED, "encrypted: %s",
			lv->kind == CONTAINER_KIND_7Z ? "7z encryption is not supported" : "no password");
		lv->n_done++;
		free(path);
		return;
	}
	memset(&e, 0, sizeof(e));
	e.a = a;
	e.lv = lv;
	e.in = rd->in;
	e.path = path;
	e.declared = archive_entry_size_is_set(ae) && archive_entry_size(ae) > 0 ? (uint64_t)archive_entry_size(ae) : 0;
	e.sparse = archive_entry_sparse_count(ae) > 0;
	e.encrypted = archive_entry_is_data_encrypted(ae) != 0;
	/* Tar is stored, not expanded: what a gzip under it expands is counted there. */
	e.count_out = lv->kind != CONTAINER_KIND_TAR;
	src_init(&s, sc, SRC_ENTRY);
	s.ent = &e;
	dispatch_member(sc, &s, path, lv->depth + 1, e.declared);
	/* Leaving the rest of a member of a compressed tar or of a 7z block still
	 * expands it: read it here, where it is counted against the limits. */
	if (lv->kind != CONTAINER_KIND_ZIP && lv->kind != CONTAINER_KIND_TAR && archive_format(a) != ARCHIVE_FORMAT_RAW)
		while (src_read(&s, sc->io, BLOCK_LEN) > 0)
			;
	if (!lv->failed)
		lv->n_done++;
	free(path);
}

/* Whether a zip has its end of central directory record: in the last 64 KiB + 22
 * bytes (the record, then a comment of up to 65535 bytes). A zip without it was cut
 * short; libarchive then reads its members in order from their local headers. */
static int zip_has_end(struct src *s)
{
	uint64_t n = s->size < 65557 ? s->size : 65557;
	uint8_t *tail = malloc((size_t)n);
	long r;
	int found = 0;
	if (!tail)
		return 1;
	r = src_read_at(s, s->size - n, tail, (size_t)n);
	for (long i = r - 22; i >= 0 && !found; i--)
		found = memcmp(tail + i, "PK\x05\x06", 4) == 0;
	free(tail);
	return found || r < 0;
}

/* Whether a 7z archive is shorter than its signature header says: its index is at
 * its end, NextHeaderSize bytes at 32 + NextHeaderOffset (u64 at offsets 12, 20). */
static int sevenzip_cut(struct src *s)
{
	uint8_t h[32];
	struct reader r;
	uint64_t off, len;
	if (src_read_at(s, 0, h, sizeof(h)) != (long)sizeof(h))
		return 1;
	reader_init(&r, h, sizeof(h));
	if (reader_u64_at(&r, 12, &off) || reader_u64_at(&r, 20, &len))
		return 1;
	return off > s->size || len > s->size - off || 32 > s->size - off - len;
}

/* Reads the archive of kind from in (a stream, or random access) as container lv. */
static void scan_libarchive(struct scan *sc, struct src *in, struct level *lv, enum container_kind kind)
{
	struct la_input rd = { sc, in, lv, NULL };
	struct archive *a;
	unsigned retries = 0;

	if (!in->owner)
		in->owner = lv;
	if (in->type != SRC_MEM && !(rd.block = malloc(BLOCK_LEN))) {
		stop_fatal(sc, -1);
		return;
	}
	a = archive_read_new();
	if (!a) {
		free(rd.block);
		stop_fatal(sc, -1);
		return;
	}
	switch (kind) {
	case CONTAINER_KIND_ZIP:
		archive_read_support_format_zip(a);
		break;
	case CONTAINER_KIND_7Z:
		archive_read_support_format_7zip(a);
		break;
	case CONTAINER_KIND_TAR:
		archive_read_support_format_tar(a);
		break;
	default:
		/* A compressed stream holds a tar, or any one file ("raw"). */
		if (kind == CONTAINER_KIND_BZIP2)
			archive_read_support_filter_bzip2(a);
		else if (kind == CONTAINER_KIND_XZ)
			archive_read_support_filter_xz(a);
		else
			archive_read_support_filter_zstd(a);
		archive_read_support_format_tar(a);
		archive_read_support_format_raw(a);
		break;
	}
	if (sc->lim->password)
		archive_read_add_passphrase(a, sc->lim->password);
	archive_read_set_read_callback(a, cb_read);
	if (src_random_access(in)) {
		lv->size = in->size;
		in->pos = 0;
		in->eof = 0;
		archive_read_set_seek_callback(a, cb_seek);
		archive_read_set_skip_callback(a, cb_skip);
	}
	archive_read_set_callback_data(a, &rd);
	if (kind == CONTAINER_KIND_ZIP && src_random_access(in))
		lv->cut = !zip_has_end(in);
	if (kind == CONTAINER_KIND_7Z && src_random_access(in))
		lv->cut = sevenzip_cut(in);
	if (archive_read_open1(a) != ARCHIVE_OK) {
		archive_damaged(sc, &rd, a);
		goto out;
	}
	while (sc->stop == STOP_NONE && !lv->failed) {
		struct archive_entry *ae;
		int r = archive_read_next_header(a, &ae);
		if (r == ARCHIVE_EOF) {
			if (lv->cut)
				level_truncated(sc, lv);
			break;
		}
		if (r == ARCHIVE_RETRY && ++retries < 16)
			continue;
		if (r < ARCHIVE_WARN) {
			archive_damaged(sc, &rd, a);
			break;
		}
		retries = 0;
		/* Directories, links and devices hold no data; a hard link's data is its
		 * target's, met on its own. */
		if (archive_entry_filetype(ae) != AE_IFREG || archive_entry_hardlink(ae))
			continue;
		archive_member(sc, &rd, a, ae);
	}
out:
	archive_read_free(a);
	free(rd.block);
}

/* ---- containers ---- */

static void scan_gzip(struct scan *sc, struct src *in, struct level *lv)
{
	struct gz *g = calloc(1, sizeof(*g));
	struct src s;
	enum container_kind inner;
	char *path = NULL;

	if (!g) {
		stop_fatal(sc, -1);
		return;
	}
	if (!in->owner)
		in->owner = lv;
	if (src_random_access(in)) {
		lv->size = in->size;
		in->pos = 0;
		in->eof = 0;
	}
	g->parent = in;
	g->lv = lv;
	if (inflateInit2(&g->z, 16 + MAX_WBITS) != Z_OK) {
		free(g);
		stop_fatal(sc, -1);
		return;
	}
	/* The first member's header may name the file compressed (RFC 1952 FNAME). */
	g->hdr.name = g->name;
	g->hdr.name_max = sizeof(g->name) - 1;
	inflateGetHeader(&g->z, &g->hdr);
	src_init(&s, sc, SRC_GZIP);
	s.gz = g;
	src_peek(&s);
	if (s.fail != SRC_FAIL_NONE && s.fail != SRC_FAIL_TRUNCATED)
		goto out;
	inner = container_sniff(s.head, s.head_len);
	if (inner == CONTAINER_KIND_TAR) {
		/* tar.gz: one container, read as it is expanded. */
		lv->gzip_tar = 1;
		scan_libarchive(sc, &s, lv, CONTAINER_KIND_TAR);
		goto out;
	}
	if (g->hdr.done == 1 && g->name[0])
		path = container_member_path(lv->path, (const char *)g->name);
	else
		path = stream_member_path(lv->path);
	if (!path) {
		stop_fatal(sc, -1);
		goto out;
	}
	dispatch_member(sc, &s, path, lv->depth + 1, 0);
	if (!lv->failed)
		lv->n_done = 1;
out:
	free(path);
	inflateEnd(&g->z);
	free(g);
}

/* Opens the container of kind read from s, shown as path, at depth. */
static void open_container(struct scan *sc, struct src *s, const char *path, enum container_kind kind,
			   unsigned depth)
{
	struct level lv;
	struct blob b;
	struct src held;

	memset(&lv, 0, sizeof(lv));
	lv.path = path;
	lv.kind = kind;
	lv.depth = depth;
	if (sc->sink->container) {
		int rc = sc->sink->container(sc->sink->ctx, path, kind);
		if (rc < 0) {
			stop_fatal(sc, rc);
			return;
		}
	}
	switch (kind) {
	case CONTAINER_KIND_GZIP:
		scan_gzip(sc, s, &lv);
		break;
	case CONTAINER_KIND_ZIP:
	case CONTAINER_KIND_7Z:
		if (src_random_access(s)) {
			scan_libarchive(sc, s, &lv, kind);
			break;
		}
		/* Both keep their directory at the end: hold the member whole. */
		blob_init(&b);
		if (blob_fill(sc, &b, s, s->ent ? s->ent->declared : 0, path) == 0 && sc->stop == STOP_NONE) {
			blob_src(sc, &b, &held);
			held.owner = &lv;
			scan_libarchive(sc, &held, &lv, kind);
		}
		blob_release(sc, &b);
		break;
	case CONTAINER_KIND_TAR:
	case CONTAINER_KIND_BZIP2:
	case CONTAINER_KIND_XZ:
	case CONTAINER_KIND_ZSTD:
		scan_libarchive(sc, s, &lv, kind);
		break;
	default:
		problem(sc, path, CONTAINER_PROBLEM_DAMAGED, "not a recognised archive");
		break;
	}
}

static int scan_top(const struct container_limits *lim, struct src *s, const char *path,
		    const struct container_sink *sink)
{
	struct scan sc;
	locale_t utf8, old = (locale_t)0;
	memset(&sc, 0, sizeof(sc));
	sc.lim = lim;
	sc.sink = sink;
	sc.top_path = path;
	sc.io = malloc(BLOCK_LEN);
	if (!sc.io)
		return -1;
	s->sc = &sc;
	/* libarchive converts member names to the locale's charset, which in the C
	 * locale loses every non-ASCII name: read them as UTF-8, for this thread only. */
	utf8 = newlocale(LC_CTYPE_MASK, "C.UTF-8", (locale_t)0);
	if (utf8 != (locale_t)0)
		old = uselocale(utf8);
	src_peek(s);
	if (s->fail != SRC_FAIL_NONE)
		problem(&sc, path, CONTAINER_PROBLEM_DAMAGED, "read error");
	else
		open_container(&sc, s, path, container_sniff(s->head, s->head_len), 1);
	if (utf8 != (locale_t)0) {
		uselocale(old);
		freelocale(utf8);
	}
	free(sc.io);
	return sc.stop == STOP_FATAL ? sc.rc : 0;
}

int container_scan_fd(const struct container_limits *lim, int fd, uint64_t size, const char *path,
		    const struct container_sink *sink)
{
	struct src s;
	src_init(&s, NULL, SRC_FD);
	s.fd = fd;
	s.size = size;
	return scan_top(lim, &s, path, sink);
}

int container_scan_buffer(const struct container_limits *lim, const uint8_t *buf, size_t len,
			const char *path, const struct container_sink *sink)
{
	struct src s;
	src_init(&s, NULL, SRC_MEM);
	s.mem = buf;
	s.size = len;
	return scan_top(lim, &s, path, sink);
}
