/* evtx_libevtx.c: the libevtx decoder behind the common event interface. */
#include <libevtx.h>
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

struct walk {
	const struct evtx_sink *sink;
	uint32_t chunk;		/* the chunk opened on its own, or EVENT_NO_CHUNK (the whole file) */
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
	if (libevtx_record_get_utf8_xml_string_size(rec, &sz, NULL) != 1 || sz == 0)
		return skip(w, number, recovered, "libevtx cannot render the record");
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

int evtx_libevtx_read_some(const uint8_t *buf, size_t len, const struct evtx_sink *sink,
			   struct evtx_file_info *info, const char **why, unsigned what)
{
	struct opened o;
	uint8_t *copy = NULL;
	struct walk w = { .sink = sink, .chunk = EVENT_NO_CHUNK };
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
	}
	/* libbfio wants a writable pointer; it only reads through it. */
	if (open_range(copy ? copy : (uint8_t *)(uintptr_t)buf, padded, &o) != 0) {
		if (!copy && !(copy = padded_copy(buf, len, padded)))
			return LIBEVTX_ENOMEM;
		/* The bad chunks are reported once, by the pass that reads the live records. */
		if (zero_bad_chunks(copy, len, (what & LIBEVTX_LIVE) ? sink : NULL) == 0 ||
		    open_range(copy, padded, &o) != 0) {
			free(copy);
			*why = "libevtx cannot open the file";
			return LIBEVTX_EOPEN;
		}
		info->repaired = 1;
	}
	xml_event_buf_init(&w.xb);
	rc = (what & LIBEVTX_LIVE) ? all_records(&w, o.file, 0) : 0;
	if (rc == 0 && (what & LIBEVTX_RECOVERED))
		rc = all_records(&w, o.file, 1);
	xml_event_buf_release(&w.xb);
	free(w.xml);
	opened_close(&o);
	free(copy);
	return rc;
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
	struct walk w = { .sink = sink, .chunk = EVENT_NO_CHUNK };
	struct reader h;
	uint16_t header_chunks = 0;
	uint32_t flags = 0;
	uint8_t *img = malloc(FILE_HEADER_SIZE + CHUNK_SIZE);
	int rc = 0;

	if (!img)
		return LIBEVTX_ENOMEM;
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
		if (open_range(img, FILE_HEADER_SIZE + CHUNK_SIZE, &o) != 0)
			continue;
		w.chunk = k < EVENT_NO_CHUNK ? (uint32_t)k : EVENT_NO_CHUNK;
		rc = all_records(&w, o.file, 1);
		opened_close(&o);
	}
	xml_event_buf_release(&w.xb);
	free(w.xml);
	free(img);
	return rc;
}

int evtx_libevtx_read_fd(int fd, const char *path, uint64_t size, const struct evtx_sink *sink,
			 struct evtx_file_info *info, const char **why, unsigned what)
{
	uint8_t head[FILE_HEADER_SIZE];
	struct opened o;
	struct walk w = { .sink = sink, .chunk = EVENT_NO_CHUNK };
	void *map;
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
	    padded_size((size_t)size) != size || open_path(path, &o) != 0) {
		if (size == 0 || size > SIZE_MAX) {
			memset(info, 0, sizeof(*info));
			*why = size ? "file too large to map" : "not an EVTX file (no ElfFile signature)";
			return LIBEVTX_EOPEN;
		}
		map = mmap(NULL, (size_t)size, PROT_READ, MAP_PRIVATE, fd, 0);
		if (map == MAP_FAILED) {
			memset(info, 0, sizeof(*info));
			*why = "cannot map the file";
			return LIBEVTX_EOPEN;
		}
		rc = evtx_libevtx_read_some(map, (size_t)size, sink, info, why, what);
		munmap(map, (size_t)size);
		return rc;
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
