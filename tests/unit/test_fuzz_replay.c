/* test_fuzz_replay.c: replays the saved fuzz inputs (tests/fuzz/regress/<harness>/)
 * through the same entry points as the libFuzzer harnesses (tests/fuzz/targets.c),
 * then a set of hostile inputs made here: damaged EVTX files and chunks built from a
 * file written by samples/evtx_writer.c (some also through libevtx, and records that
 * the libevtx wrapper must keep from libevtx), broken archives and command lines. A
 * bug shows as a crash or a sanitizer report (make SANITIZE=address,undefined test). */
#include <dirent.h>
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../fuzz/targets.c"
#include "evtx_writer.h"
#include "check.h"

/* libevtx leaks in its own error paths on damaged records; a sanitizer build
 * reports our leaks, not those. */
const char *__lsan_default_suppressions(void);
const char *__lsan_default_suppressions(void)
{
	return "leak:libevtx.so\n";
}

static const struct {
	const char *name;
	int (*target)(const uint8_t *, size_t);
} harnesses[] = {
	{ "evtx_decode", fuzz_target_evtx_decode },
	{ "binxml", fuzz_target_binxml },
	{ "container", fuzz_target_container },
	{ "svc_action", fuzz_target_svc_action },
	{ "libevtx", fuzz_target_libevtx },
};

static int read_file(const char *path, uint8_t **out, size_t *len)
{
	FILE *f = fopen(path, "rb");
	uint8_t *buf = NULL;
	size_t cap = 0, n = 0;

	if (!f)
		return -1;
	for (;;) {
		if (n == cap) {
			uint8_t *p = realloc(buf, cap ? cap * 2 : 65536);
			if (!p) {
				free(buf);
				fclose(f);
				return -1;
			}
			buf = p;
			cap = cap ? cap * 2 : 65536;
		}
		size_t got = fread(buf + n, 1, cap - n, f);
		n += got;
		if (got == 0)
			break;
	}
	int bad = ferror(f);
	fclose(f);
	if (bad) {
		free(buf);
		return -1;
	}
	*out = buf;
	*len = n;
	return 0;
}

/* Every regular file under ROOT/tests/fuzz/regress/<harness>/; returns how many. */
static int replay_saved(const char *root)
{
	int n = 0;

	for (size_t h = 0; h < sizeof(harnesses) / sizeof(harnesses[0]); h++) {
		char dir[4096], path[8192];
		DIR *d;
		struct dirent *e;

		snprintf(dir, sizeof(dir), "%s/tests/fuzz/regress/%s", root, harnesses[h].name);
		d = opendir(dir);
		if (!d) {
			CHECK(errno == ENOENT);
			continue;
		}
		while ((e = readdir(d)) != NULL) {
			struct stat st;
			uint8_t *buf;
			size_t len;

			if (e->d_name[0] == '.')
				continue;
			snprintf(path, sizeof(path), "%s/%s", dir, e->d_name);
			if (stat(path, &st) || !S_ISREG(st.st_mode))
				continue;
			if (read_file(path, &buf, &len)) {
				fprintf(stderr, "cannot read %s\n", path);
				check_failures++;
				continue;
			}
			CHECK_INT(harnesses[h].target(buf, len), 0);
			free(buf);
			n++;
		}
		closedir(d);
	}
	return n;
}

/* ---- a good EVTX file, written by the sample writer ---- */

static uint8_t *good;
static size_t good_len;

static int write_good(void)
{
	char path[] = "/tmp/test_fuzz_replay.XXXXXX";
	int fd = mkstemp(path);
	struct evtx_writer *w;
	int rc = -1;

	if (fd < 0)
		return -1;
	close(fd);
	if (evtx_writer_open(path, &w) == 0) {
		for (unsigned i = 0; i < 400; i++) {
			char cmd[160];
			struct evtx_writer_field f[4];
			snprintf(cmd, sizeof(cmd), "cmd.exe /c net stop svc%u & sc config x%u start= disabled", i, i);
			f[0] = (struct evtx_writer_field){ .name = "SubjectUserSid", .type = EVTX_VALUE_SID,
							  .text = "S-1-5-21-1-2-3-500" };
			f[1] = (struct evtx_writer_field){ .name = "NewProcessName", .type = EVTX_VALUE_STRING,
							  .text = "C:\\Windows\\System32\\cmd.exe" };
			f[2] = (struct evtx_writer_field){ .name = "NewProcessId", .type = EVTX_VALUE_SIZE, .num = i };
			f[3] = (struct evtx_writer_field){ .name = "CommandLine", .type = EVTX_VALUE_STRING, .text = cmd };
			struct evtx_writer_event ev = {
				.provider = "Microsoft-Windows-Security-Auditing",
				.provider_guid = "{54849625-5478-4994-A5BA-3E3B0328C30D}",
				.channel = "Security", .computer = "WS01", .event_id = (uint16_t)(i % 3 ? 4688 : 4689),
				.qualifiers = -1, .version = 2, .task = 13312, .keywords = 0x8020000000000000ULL,
				.time_created = 133546000000000000ULL + (uint64_t)i * 10000000ULL,
				.record_id = 1000 + (uint64_t)i, .process_id = 4, .thread_id = 8,
				.user_sid = i % 2 ? "S-1-5-18" : NULL, .fields = f, .n_fields = i % 5 ? 4 : 2,
				.nul_terminated = i % 2,
			};
			if (evtx_writer_append(w, &ev))
				break;
		}
		rc = evtx_writer_close(w);
	}
	if (rc == 0)
		rc = read_file(path, &good, &good_len);
	unlink(path);
	return rc;
}

static uint32_t get32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static void put32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)v;
	p[1] = (uint8_t)(v >> 8);
	p[2] = (uint8_t)(v >> 16);
	p[3] = (uint8_t)(v >> 24);
}

static void put64(uint8_t *p, uint64_t v)
{
	put32(p, (uint32_t)v);
	put32(p + 4, (uint32_t)(v >> 32));
}

/* Chunk offset of record n (from 0) of the chunk at c, or 0 when it has fewer. */
static size_t record_at(const uint8_t *c, unsigned n)
{
	size_t pos = EVTX_CHUNK_HEADER_SIZE, free_off = get32(c + EVTX_CH_FREE_SPACE_OFFSET);

	for (unsigned i = 0; i < n; i++) {
		uint32_t size = get32(c + pos + EVTX_REC_SIZE);
		if (size < EVTX_RECORD_HEADER_SIZE || pos + size >= free_off || pos + size + 8 > EVTX_CHUNK_SIZE)
			return 0;
		pos += size;
	}
	return pos;
}

/* Runs a damaged copy through the file decoder and its first chunk through the
 * binary XML decoder. */
static void replay_evtx(const uint8_t *img, size_t len)
{
	CHECK_INT(fuzz_target_evtx_decode(img, len), 0);
	if (len > EVTX_FILE_HEADER_BLOCK_SIZE)
		CHECK_INT(fuzz_target_binxml(img + EVTX_FILE_HEADER_BLOCK_SIZE,
					     len - EVTX_FILE_HEADER_BLOCK_SIZE < EVTX_CHUNK_SIZE ?
					     len - EVTX_FILE_HEADER_BLOCK_SIZE : EVTX_CHUNK_SIZE), 0);
}

/* The same through libevtx behind our wrapper (fewer variants: libevtx is slow). */
static void replay_libevtx(const uint8_t *img, size_t len)
{
	CHECK_INT(fuzz_target_libevtx(img, len), 0);
}

static void hostile_evtx(void)
{
	uint8_t *img = malloc(good_len);
	uint8_t *c0, *c1;
	size_t r0, r1, r2;
	uint32_t x = 2463534242u;

	CHECK(img != NULL);
	if (!img)
		return;
	c0 = img + EVTX_FILE_HEADER_BLOCK_SIZE;
	c1 = c0 + EVTX_CHUNK_SIZE;
	r1 = record_at(good + EVTX_FILE_HEADER_BLOCK_SIZE, 1);
	r2 = record_at(good + EVTX_FILE_HEADER_BLOCK_SIZE, 2);
	CHECK(r1 > 0 && r2 > r1);
#define FRESH() memcpy(img, good, good_len)

	/* cut anywhere that matters, and every 997 bytes */
	static const size_t cuts[] = { 0, 1, 7, 8, 127, 128, 4095, 4096, 4097, 4096 + 511, 4096 + 512, 4096 + 513 };
	FRESH();
	for (size_t i = 0; i < sizeof(cuts) / sizeof(cuts[0]); i++) {
		replay_evtx(img, cuts[i]);
		replay_libevtx(img, cuts[i]);
	}
	for (size_t cut = 0; cut < good_len; cut += 997)
		replay_evtx(img, cut);

	/* a zeroed chunk, a chunk of 0xff, a chunk of noise */
	memset(c1, 0, EVTX_CHUNK_SIZE);
	replay_evtx(img, good_len);
	replay_libevtx(img, good_len);
	memset(c1, 0xff, EVTX_CHUNK_SIZE);
	replay_evtx(img, good_len);
	replay_libevtx(img, good_len);
	for (size_t i = 0; i < EVTX_CHUNK_SIZE; i++) {
		x ^= x << 13, x ^= x >> 17, x ^= x << 5;
		c1[i] = (uint8_t)x;
	}
	memcpy(c1, EVTX_CHUNK_SIGNATURE, EVTX_SIGNATURE_LEN);
	replay_evtx(img, good_len);
	replay_libevtx(img, good_len);

	/* header fields with absurd values */
	FRESH();
	put32(img + EVTX_FH_HEADER_SIZE, UINT32_MAX);
	put32(img + EVTX_FH_BLOCK_SIZE, UINT32_MAX);
	put32(c0 + EVTX_CH_FREE_SPACE_OFFSET, UINT32_MAX);
	put32(c0 + EVTX_CH_LAST_RECORD_OFFSET, UINT32_MAX);
	put32(c0 + EVTX_CH_HEADER_SIZE, UINT32_MAX);
	replay_evtx(img, good_len);
	replay_libevtx(img, good_len);
	FRESH();
	put32(c0 + EVTX_CH_FREE_SPACE_OFFSET, EVTX_CHUNK_HEADER_SIZE + 1);
	replay_evtx(img, good_len);
	replay_libevtx(img, good_len);

	/* absurd record sizes */
	static const uint32_t sizes[] = { 0, 1, 27, 28, 29, 0x7fffffff, 0xfffffff0, UINT32_MAX };
	for (size_t i = 0; r1 && i < sizeof(sizes) / sizeof(sizes[0]); i++) {
		FRESH();
		put32(c0 + r1 + EVTX_REC_SIZE, sizes[i]);
		replay_evtx(img, good_len);
		replay_libevtx(img, good_len);
	}

	/* every string (element name) length and every template data size in chunk 0's
	 * first record set to the maximum, one at a time: the walk stops at each byte that
	 * could be a u16 or u32 length */
	r0 = EVTX_CHUNK_HEADER_SIZE;
	for (size_t at = r0 + EVTX_RECORD_HEADER_SIZE; r1 && at + 4 < r1; at++) {
		FRESH();
		c0[at] = 0xff;
		c0[at + 1] = 0xff;
		replay_evtx(img, EVTX_FILE_HEADER_BLOCK_SIZE + EVTX_CHUNK_SIZE);
	}

	/* a template instance that names the definition being expanded */
	if (r1 && r2 && memcmp(c0 + r1 + 24, "\x0f\x01\x01\x00\x0c", 5) == 0) {
		uint32_t outer;
		FRESH();
		outer = get32(c0 + r1 + 24 + 10);
		for (size_t at = r1 + 24 + 14; at + 14 < r2; at++)
			if (memcmp(c0 + at, "\x0f\x01\x01\x00\x0c", 5) == 0)
				put32(c0 + at + 10, outer);
		replay_evtx(img, good_len);
		/* and one that names itself (its own offset) */
		FRESH();
		put32(c0 + r1 + 24 + 10, (uint32_t)(r1 + 24 + 4));
		replay_evtx(img, good_len);
	} else {
		CHECK(!"the written file does not start its records with a template instance");
	}

	/* elements opened and never closed, to the end of the record */
	if (r1 && r2) {
		size_t x0 = r1 + EVTX_RECORD_HEADER_SIZE, end = r2 - EVTX_RECORD_TRAILER_SIZE, p = x0;
		uint32_t name_at = (uint32_t)(x0 + 4 + 9);
		static const uint8_t name[] = { 0, 0, 0, 0, 0, 0, 1, 0, 'A', 0, 0, 0 };
		FRESH();
		memcpy(c0 + p, "\x0f\x01\x01\x00", 4);
		p += 4;
		while (p + 10 + sizeof(name) <= end) {
			c0[p] = EVTX_TOKEN_OPEN_START_ELEMENT;
			put32(c0 + p + 1, UINT32_MAX);
			put32(c0 + p + 5, name_at);
			p += 9;
			if (p == name_at) {
				memcpy(c0 + p, name, sizeof(name));
				p += sizeof(name);
			}
			c0[p++] = EVTX_TOKEN_CLOSE_START_ELEMENT;
		}
		memset(c0 + p, 0, end - p);
		replay_evtx(img, good_len);
	}
#undef FRESH
	free(img);
}

/* ---- records the libevtx wrapper keeps from libevtx (indexer/evtx_libevtx.c) ---- */

struct tally {
	size_t events, recovered, skips;
	size_t kept;			/* skips whose reason says the record was kept from libevtx */
	uint64_t kept_number;		/* the last of those */
	int kept_recovered;
	uint32_t kept_chunk;
	char kept_reason[160];
};

static int tally_event(void *ctx, const struct evtx_event *ev)
{
	struct tally *t = ctx;
	t->events++;
	t->recovered += ev->recovered != 0;
	return 0;
}

static int tally_skip(void *ctx, const struct evtx_skip *sk)
{
	struct tally *t = ctx;
	t->skips++;
	if (strstr(sk->reason, "kept from libevtx")) {
		t->kept++;
		t->kept_number = sk->record_number;
		t->kept_recovered = sk->recovered;
		t->kept_chunk = sk->chunk;
		snprintf(t->kept_reason, sizeof(t->kept_reason), "%s", sk->reason);
	}
	return 0;
}

/* img through the wrapper: in memory, or as a file (libbfio's file handle, or a
 * private mapping when something is to be kept from libevtx). */
static void libevtx_tally(const uint8_t *img, size_t len, unsigned what, int by_fd, struct tally *t)
{
	struct evtx_sink sink = { tally_event, tally_skip, t, NULL };
	struct evtx_file_info info;
	const char *why = NULL;
	char path[64];
	int fd;

	memset(t, 0, sizeof(*t));
	if (!by_fd) {
		CHECK_INT(evtx_libevtx_read_some(img, len, &sink, &info, &why, what), 0);
		return;
	}
	fd = fuzz_memfd(img, len);
	CHECK(fd >= 0);
	if (fd < 0)
		return;
	snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
	CHECK_INT(evtx_libevtx_read_fd(fd, path, len, &sink, &info, &why, what), 0);
	close(fd);
}

static uint64_t get64(const uint8_t *p)
{
	return get32(p) | (uint64_t)get32(p + 4) << 32;
}

/* Chunk offset of the value count of the template instance at chunk offset at. */
static size_t count_offset(const uint8_t *c, size_t at)
{
	size_t v = at + EVTX_TEMPLATE_INSTANCE_SIZE;
	if (get32(c + at + 6) == v)
		v += EVTX_TEMPLATE_DEF_HEADER_SIZE + get32(c + v + EVTX_TEMPLATE_DEF_DATA_SIZE);
	return v;
}

/* Chunk offset of "net stop" (UTF-16LE) in the record at r, or 0. */
static size_t net_stop_at(const uint8_t *c, size_t r)
{
	static const uint8_t pat[] = { 'n', 0, 'e', 0, 't', 0, ' ', 0, 's', 0, 't', 0, 'o', 0, 'p', 0 };
	for (size_t p = r; p + sizeof(pat) <= r + get32(c + r + EVTX_REC_SIZE); p++)
		if (memcmp(c + p, pat, sizeof(pat)) == 0)
			return p;
	return 0;
}

/* Writes at chunk offset at a template instance whose definition is elsewhere (at
 * 512) and whose count, 2^30 + 1, makes libfwevt's count x 4 wrap to 4. */
static void plant_instance(uint8_t *c, size_t at)
{
	c[at] = EVTX_TOKEN_TEMPLATE_INSTANCE;
	c[at + 1] = EVTX_TEMPLATE_INSTANCE_VERSION;
	put32(c + at + 2, 0);
	put32(c + at + 6, EVTX_CHUNK_HEADER_SIZE);
	put32(c + at + EVTX_TEMPLATE_INSTANCE_SIZE, 0x40000001u);
}

/* Checks that img loses exactly the record at chunk offset r of chunk ck to the
 * wrapper, with a reason holding `why`, through every path, and nothing else. */
static void expect_kept(const uint8_t *img, size_t len, const struct tally *base, size_t ck, size_t r,
			int recovered, const char *why)
{
	const uint8_t *c = img + EVTX_FILE_HEADER_BLOCK_SIZE + ck * EVTX_CHUNK_SIZE;
	uint64_t number = get64(c + r + EVTX_REC_NUMBER);
	struct tally t;

	for (int by_fd = 0; by_fd < 2; by_fd++) {
		libevtx_tally(img, len, LIBEVTX_LIVE | LIBEVTX_RECOVERED, by_fd, &t);
		CHECK_INT(t.events, base->events - !recovered);
		CHECK_INT(t.recovered, base->recovered);
		CHECK_INT(t.skips, base->skips + 1);
		CHECK_INT(t.kept, 1);
		CHECK_INT(t.kept_number, number);
		CHECK_INT(t.kept_recovered, recovered);
		CHECK(strstr(t.kept_reason, why) != NULL);
	}
	if (recovered) {
		/* chunk by chunk, each behind a copy of the header */
		libevtx_tally(img, len, LIBEVTX_RECOVERED, 1, &t);
		CHECK_INT(t.kept, 1);
		CHECK_INT(t.kept_number, number);
		CHECK_INT(t.kept_chunk, ck);
		CHECK(strstr(t.kept_reason, why) != NULL);
	}
}

static void hostile_libevtx_guard(void)
{
	const size_t ck = good_len / EVTX_CHUNK_SIZE - 1;	/* the last chunk */
	uint8_t *img = malloc(good_len);
	uint8_t *c0, *cl;
	size_t r1, r2, r3, p, at, count_at, free_off;
	struct tally base;

	CHECK(img != NULL);
	if (!img)
		return;
	memcpy(img, good, good_len);
	c0 = img + EVTX_FILE_HEADER_BLOCK_SIZE;
	cl = c0 + ck * EVTX_CHUNK_SIZE;
	libevtx_tally(img, good_len, LIBEVTX_LIVE | LIBEVTX_RECOVERED, 0, &base);
	CHECK(base.events >= 400);
	CHECK_INT(base.kept, 0);
	r1 = record_at(c0, 1);
	r2 = record_at(c0, 2);
	r3 = record_at(c0, 3);
	CHECK(r1 && r2 && r3);
	if (!r1 || !r2 || !r3) {
		free(img);
		return;
	}
#define FRESH() memcpy(img, good, good_len)

	/* a live record whose template instance claims 2^30 + 1 values */
	FRESH();
	count_at = count_offset(c0, r1 + EVTX_RECORD_HEADER_SIZE + EVTX_FRAGMENT_HEADER_SIZE);
	put32(c0 + count_at, 0x40000001u);
	expect_kept(img, good_len, &base, 0, r1, 0, "runs past its record");
	CHECK_INT(fuzz_target_libevtx(img, good_len), 0);

	/* the same, as a value of type binary XML in another record */
	FRESH();
	p = net_stop_at(c0, r2);
	CHECK(p != 0);
	if (p) {
		size_t desc, start, n;
		at = r2 + EVTX_RECORD_HEADER_SIZE + EVTX_FRAGMENT_HEADER_SIZE;
		count_at = count_offset(c0, at);
		n = get32(c0 + count_at);
		desc = count_at + 4;
		start = desc + n * EVTX_VALUE_DESCRIPTOR_SIZE;
		for (size_t i = 0; i < n; i++) {
			size_t size = (size_t)c0[desc + 4 * i] | (size_t)c0[desc + 4 * i + 1] << 8;
			if (p >= start && p < start + size) {
				c0[desc + 4 * i + 2] = EVTX_VALUE_BINXML;
				plant_instance(c0, start);
				break;
			}
			start += size;
		}
		expect_kept(img, good_len, &base, 0, r2, 0, "runs past its record");
		CHECK_INT(fuzz_target_libevtx(img, good_len), 0);
	}

	/* the same bytes inside a string value: libfwevt reads them as text there, but
	 * other binary XML could lead it to them */
	FRESH();
	p = net_stop_at(c0, r3);
	CHECK(p != 0);
	if (p) {
		plant_instance(c0, p);
		expect_kept(img, good_len, &base, 0, r3, 0, "runs past its chunk");
		CHECK_INT(fuzz_target_libevtx(img, good_len), 0);
	}

	/* a deleted record past the free space of the last chunk, claiming 2^30 + 1 values */
	FRESH();
	r1 = record_at(cl, 1);
	free_off = get32(cl + EVTX_CH_FREE_SPACE_OFFSET);
	CHECK(r1 != 0 && free_off + 64 + get32(cl + r1 + EVTX_REC_SIZE) <= EVTX_CHUNK_SIZE);
	if (r1 && free_off + 64 + get32(cl + r1 + EVTX_REC_SIZE) <= EVTX_CHUNK_SIZE) {
		at = free_off + 64;
		memcpy(cl + at, cl + r1, get32(cl + r1 + EVTX_REC_SIZE));
		put64(cl + at + EVTX_REC_NUMBER, 999999);
		count_at = count_offset(cl, at + EVTX_RECORD_HEADER_SIZE + EVTX_FRAGMENT_HEADER_SIZE);
		put32(cl + count_at, 0x40000001u);
		expect_kept(img, good_len, &base, ck, at, 1, "runs past its record");
		CHECK_INT(fuzz_target_libevtx(img, good_len), 0);
	}
#undef FRESH
	free(img);
}

static void hostile_archives(void)
{
	static const uint8_t gzip_noise[] = { 0x1f, 0x8b, 8, 0x1f, 0, 0, 0, 0, 0, 3, 'n', 'a', 'm', 'e', 0,
					      0xff, 0xff, 0xff, 0xff, 0, 1, 2, 3 };
	/* a zip local header that claims 4 GiB and a name longer than the file */
	static const uint8_t zip_huge[] = { 'P', 'K', 3, 4, 20, 0, 0, 0, 8, 0, 0, 0, 0, 0, 0, 0, 0, 0,
					    0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0, 0, 'a' };
	uint8_t tar[1024];

	CHECK_INT(fuzz_target_container(gzip_noise, sizeof(gzip_noise)), 0);
	CHECK_INT(fuzz_target_container(zip_huge, sizeof(zip_huge)), 0);
	CHECK_INT(fuzz_target_container((const uint8_t *)"PK\5\6", 4), 0);
	CHECK_INT(fuzz_target_container((const uint8_t *)"7z\xbc\xaf\x27\x1c", 6), 0);
	CHECK_INT(fuzz_target_container((const uint8_t *)"BZh9", 4), 0);
	CHECK_INT(fuzz_target_container((const uint8_t *)"\xfd" "7zXZ", 6), 0);
	CHECK_INT(fuzz_target_container((const uint8_t *)"\x28\xb5\x2f\xfd", 4), 0);
	/* a tar member named Security.evtx whose size field says 8 GiB */
	memset(tar, 0, sizeof(tar));
	memcpy(tar, "Security.evtx", 13);
	memcpy(tar + 100, "0000644", 7);
	memcpy(tar + 124, "77777777777", 11);
	memcpy(tar + 136, "00000000000", 11);
	memset(tar + 148, ' ', 8);
	tar[156] = '0';
	memcpy(tar + 257, "ustar", 6);
	memcpy(tar + 263, "00", 2);
	unsigned sum = 0;
	for (size_t i = 0; i < 512; i++)
		sum += tar[i];
	snprintf((char *)tar + 148, 8, "%06o", sum);
	memcpy(tar + 512, "ElfFile", 8);
	CHECK_INT(fuzz_target_container(tar, sizeof(tar)), 0);
	/* the good EVTX file as a member of nothing */
	if (good)
		CHECK_INT(fuzz_target_container(good, good_len), 0);
}

static void hostile_command_lines(void)
{
#define LINE(s) { s, sizeof(s) - 1 }
	static const struct {
		const char *s;
		size_t len;
	} lines[] = {
		LINE(""), LINE("\""), LINE("\\\""), LINE("^"), LINE("cmd /c"), LINE("cmd /c \""),
		LINE("cmd /c ((((((((((net stop x"), LINE("powershell -enc"), LINE("powershell -enc ===="),
		LINE("powershell -encodedcommand A"), LINE("powershell -c \"$a=Get-Service x; $a.Stop(\""),
		LINE("sc \\\\"), LINE("net stop"), LINE("wmic service where"), LINE("taskkill /FI"),
		LINE("reg add HKLM\\SYSTEM\\CurrentControlSet\\Services\\ /v Start /d"),
		LINE("psexec \\\\h cmd /c cmd /c cmd /c cmd /c cmd /c cmd /c cmd /c net stop deep"),
		LINE("C:\\Windows\\System32\\sc.exe\0stop x"), LINE("\xff\xfe\xc3\x28 net stop \xe2\x80\xae"),
	};
#undef LINE
	size_t big_len = SVC_MAX_INPUT + 4096;
	char *big = malloc(big_len);

	for (size_t i = 0; i < sizeof(lines) / sizeof(lines[0]); i++)
		CHECK_INT(fuzz_target_svc_action((const uint8_t *)lines[i].s, lines[i].len), 0);
	CHECK(big != NULL);
	if (!big)
		return;
	/* past the input limit: quotes, carets, nested wrappers, base64 */
	static const char *const fills[] = { "\"", "^", "cmd /c ", "powershell -c \"", "(", "AAAA", "net stop x & " };
	for (size_t f = 0; f < sizeof(fills) / sizeof(fills[0]); f++) {
		size_t flen = strlen(fills[f]);
		for (size_t i = 0; i < big_len; i++)
			big[i] = fills[f][i % flen];
		CHECK_INT(fuzz_target_svc_action((const uint8_t *)big, big_len), 0);
	}
	memcpy(big, "powershell -enc ", 16);
	CHECK_INT(fuzz_target_svc_action((const uint8_t *)big, big_len), 0);
	free(big);
}

int main(void)
{
	const char *root = getenv("ROOT");
	int n = replay_saved(root && *root ? root : ".");

	printf("replayed %d saved input(s)\n", n);
	CHECK_INT(write_good(), 0);
	CHECK(good_len > EVTX_FILE_HEADER_BLOCK_SIZE + 2 * EVTX_CHUNK_SIZE);
	if (good && good_len > EVTX_FILE_HEADER_BLOCK_SIZE + 2 * EVTX_CHUNK_SIZE) {
		CHECK_INT(fuzz_target_evtx_decode(good, good_len), 0);
		CHECK_INT(fuzz_target_libevtx(good, good_len), 0);
		hostile_evtx();
		hostile_libevtx_guard();
	}
	hostile_archives();
	hostile_command_lines();
	free(good);
	return check_exit();
}
