/* test_container.c: containers opened in memory (indexer/archive.c), on archives built
 * here: gzip with zlib, tar and stored zip by hand. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include "container.h"
#include "check.h"

/* ---- a growable byte buffer ---- */

struct buf {
	uint8_t *p;
	size_t len, cap;
};

static void put(struct buf *b, const void *p, size_t n)
{
	if (b->len + n > b->cap) {
		size_t cap = b->cap ? b->cap : 4096;
		while (cap < b->len + n)
			cap *= 2;
		b->p = realloc(b->p, cap);
		if (!b->p)
			abort();
		b->cap = cap;
	}
	if (n)
		memcpy(b->p + b->len, p, n);
	b->len += n;
}

static void put_u16(struct buf *b, unsigned v)
{
	uint8_t x[2] = { (uint8_t)v, (uint8_t)(v >> 8) };
	put(b, x, 2);
}

static void put_u32(struct buf *b, uint32_t v)
{
	uint8_t x[4] = { (uint8_t)v, (uint8_t)(v >> 8), (uint8_t)(v >> 16), (uint8_t)(v >> 24) };
	put(b, x, 4);
}

static void buf_free(struct buf *b)
{
	free(b->p);
	memset(b, 0, sizeof(*b));
}

/* Something the sniffer takes for EVTX: the signature, then bytes that do not
 * compress (xorshift). */
static struct buf fake_evtx(size_t len, uint32_t seed)
{
	struct buf b = { 0 };
	uint32_t x = seed * 2654435761u + 1;
	put(&b, "ElfFile", 8);
	while (b.len < len) {
		uint8_t c;
		x ^= x << 13;
		x ^= x >> 17;
		x ^= x << 5;
		c = (uint8_t)x;
		put(&b, &c, 1);
	}
	return b;
}

/* One gzip member; name is the FNAME field, or NULL. */
static void gzip_member(struct buf *out, const uint8_t *p, size_t n, const char *name)
{
	z_stream z;
	gz_header h;
	uint8_t chunk[65536];
	int rc;
	memset(&z, 0, sizeof(z));
	memset(&h, 0, sizeof(h));
	if (deflateInit2(&z, 6, Z_DEFLATED, 16 + MAX_WBITS, 8, Z_DEFAULT_STRATEGY) != Z_OK)
		abort();
	if (name) {
		h.name = (Bytef *)(uintptr_t)name;
		deflateSetHeader(&z, &h);
	}
	z.next_in = (Bytef *)(uintptr_t)p;
	z.avail_in = (uInt)n;
	do {
		z.next_out = chunk;
		z.avail_out = sizeof(chunk);
		rc = deflate(&z, Z_FINISH);
		put(out, chunk, sizeof(chunk) - z.avail_out);
	} while (rc == Z_OK);
	deflateEnd(&z);
}

static void tar_member(struct buf *out, const char *name, const uint8_t *p, size_t n)
{
	uint8_t h[512], pad[512];
	unsigned sum = 0;
	memset(h, 0, sizeof(h));
	memset(pad, 0, sizeof(pad));
	snprintf((char *)h, 100, "%s", name);
	memcpy(h + 100, "0000644", 8);
	memcpy(h + 108, "0000000", 8);
	memcpy(h + 116, "0000000", 8);
	snprintf((char *)h + 124, 12, "%011o", (unsigned)n);
	memcpy(h + 136, "00000000000", 12);
	memset(h + 148, ' ', 8);
	h[156] = '0';
	memcpy(h + 257, "ustar", 6);
	memcpy(h + 263, "00", 2);
	for (int i = 0; i < 512; i++)
		sum += h[i];
	snprintf((char *)h + 148, 8, "%06o", sum);
	put(out, h, 512);
	put(out, p, n);
	put(out, pad, (512 - n % 512) % 512);
}

static void tar_end(struct buf *out)
{
	uint8_t z[1024];
	memset(z, 0, sizeof(z));
	put(out, z, sizeof(z));
}

/* A stored zip; crc_fix changes the recorded CRC of member bad (-1: none). */
struct zip_item {
	const char *name;
	const struct buf *data;
};

static void zip_stored(struct buf *out, const struct zip_item *it, int n, int bad, int with_end)
{
	struct buf cd = { 0 };
	for (int i = 0; i < n; i++) {
		uint32_t crc = (uint32_t)crc32(0, it[i].data->p, (uInt)it[i].data->len);
		uint32_t off = (uint32_t)out->len;
		size_t nl = strlen(it[i].name);
		if (i == bad)
			crc ^= 1;
		put_u32(out, 0x04034b50);
		put_u16(out, 20);
		put_u16(out, 0);
		put_u16(out, 0);
		put_u16(out, 0);
		put_u16(out, 0x21);
		put_u32(out, crc);
		put_u32(out, (uint32_t)it[i].data->len);
		put_u32(out, (uint32_t)it[i].data->len);
		put_u16(out, (unsigned)nl);
		put_u16(out, 0);
		put(out, it[i].name, nl);
		put(out, it[i].data->p, it[i].data->len);
		put_u32(&cd, 0x02014b50);
		put_u16(&cd, 20);
		put_u16(&cd, 20);
		put_u16(&cd, 0);
		put_u16(&cd, 0);
		put_u16(&cd, 0);
		put_u16(&cd, 0x21);
		put_u32(&cd, crc);
		put_u32(&cd, (uint32_t)it[i].data->len);
		put_u32(&cd, (uint32_t)it[i].data->len);
		put_u16(&cd, (unsigned)nl);
		put_u16(&cd, 0);
		put_u16(&cd, 0);
		put_u16(&cd, 0);
		put_u16(&cd, 0);
		put_u32(&cd, 0);
		put_u32(&cd, off);
		put(&cd, it[i].name, nl);
	}
	if (with_end) {
		uint32_t cd_off = (uint32_t)out->len;
		put(out, cd.p, cd.len);
		put_u32(out, 0x06054b50);
		put_u16(out, 0);
		put_u16(out, 0);
		put_u16(out, (unsigned)n);
		put_u16(out, (unsigned)n);
		put_u32(out, (uint32_t)cd.len);
		put_u32(out, cd_off);
		put_u16(out, 0);
	}
	buf_free(&cd);
}

/* ---- a sink that writes down what it is told ---- */

#define MAX_SEEN 32

struct seen {
	int n_members, n_containers, n_problems;
	char member_path[MAX_SEEN][256];
	enum container_kind member_kind[MAX_SEEN];
	size_t member_len[MAX_SEEN];
	uint32_t member_crc[MAX_SEEN];
	char problem_path[MAX_SEEN][256];
	enum container_problem problem_what[MAX_SEEN];
	char problem_reason[MAX_SEEN][256];
};

static int on_container(void *ctx, const char *path, enum container_kind kind)
{
	struct seen *s = ctx;
	(void)path;
	(void)kind;
	s->n_containers++;
	return 0;
}

static int on_member(void *ctx, const char *path, enum container_kind kind, const uint8_t *buf, size_t len)
{
	struct seen *s = ctx;
	int i = s->n_members++;
	if (i < MAX_SEEN) {
		snprintf(s->member_path[i], sizeof(s->member_path[i]), "%s", path);
		s->member_kind[i] = kind;
		s->member_len[i] = len;
		s->member_crc[i] = (uint32_t)crc32(0, buf, (uInt)len);
	}
	return 0;
}

static int on_problem(void *ctx, const char *path, enum container_problem what, const char *reason)
{
	struct seen *s = ctx;
	int i = s->n_problems++;
	if (i < MAX_SEEN) {
		snprintf(s->problem_path[i], sizeof(s->problem_path[i]), "%s", path);
		s->problem_what[i] = what;
		snprintf(s->problem_reason[i], sizeof(s->problem_reason[i]), "%s", reason);
	}
	return 0;
}

static int scan(const struct container_limits *lim, const struct buf *b, const char *path, struct seen *s)
{
	struct container_sink sink = { on_container, on_member, on_problem, s };
	memset(s, 0, sizeof(*s));
	return container_scan_buffer(lim, b->p, b->len, path, &sink);
}

static uint32_t crc_of(const struct buf *b)
{
	return (uint32_t)crc32(0, b->p, (uInt)b->len);
}

/* ---- tests ---- */

static void test_sniff(void)
{
	uint8_t tar[512];
	memset(tar, 0, sizeof(tar));
	memcpy(tar + 257, "ustar", 6);
	CHECK_INT(container_sniff((const uint8_t *)"ElfFile\0", 8), CONTAINER_KIND_EVTX);
	CHECK_INT(container_sniff((const uint8_t *)"ElfFile", 7), CONTAINER_KIND_OTHER);
	CHECK_INT(container_sniff((const uint8_t *)"\x1f\x8b\x08\x08", 4), CONTAINER_KIND_GZIP);
	CHECK_INT(container_sniff((const uint8_t *)"\x1f\x8b\x08\xe0", 4), CONTAINER_KIND_OTHER);
	CHECK_INT(container_sniff((const uint8_t *)"PK\x03\x04", 4), CONTAINER_KIND_ZIP);
	CHECK_INT(container_sniff((const uint8_t *)"PK\x05\x06", 4), CONTAINER_KIND_ZIP);
	CHECK_INT(container_sniff((const uint8_t *)"7z\xbc\xaf\x27\x1c\0\4", 8), CONTAINER_KIND_7Z);
	CHECK_INT(container_sniff(tar, sizeof(tar)), CONTAINER_KIND_TAR);
	CHECK_INT(container_sniff(tar, 260), CONTAINER_KIND_OTHER);
	CHECK_INT(container_sniff((const uint8_t *)"BZh91AY&SY", 10), CONTAINER_KIND_BZIP2);
	CHECK_INT(container_sniff((const uint8_t *)"BZh9hello!", 10), CONTAINER_KIND_OTHER);
	CHECK_INT(container_sniff((const uint8_t *)"\xfd" "7zXZ\0", 6), CONTAINER_KIND_XZ);
	CHECK_INT(container_sniff((const uint8_t *)"\x28\xb5\x2f\xfd", 4), CONTAINER_KIND_ZSTD);
	CHECK_INT(container_sniff((const uint8_t *)"", 0), CONTAINER_KIND_OTHER);
	CHECK_INT(container_sniff((const uint8_t *)"MZ\x90\0", 4), CONTAINER_KIND_OTHER);
	CHECK_STR(container_kind_name(CONTAINER_KIND_7Z), "7z");
}

static void check_path(const char *name, const char *want)
{
	char *p = container_member_path("c.zip", name);
	CHECK_STR(p, want);
	free(p);
}

static void test_member_path(void)
{
	check_path("HOST1/C/Windows/System32/winevt/Logs/Security.evtx",
		   "c.zip!HOST1/C/Windows/System32/winevt/Logs/Security.evtx");
	check_path("../../etc/x.evtx", "c.zip!../../etc/x.evtx");
	check_path("/abs/x.evtx", "c.zip!/abs/x.evtx");
	check_path("a\nb\x1b[31m.evtx", "c.zip!a\\x0ab\\x1b[31m.evtx");
	check_path("x!y", "c.zip!x\\x21y");
	check_path("del\x7f", "c.zip!del\\x7f");
	check_path("caf\xc3\xa9/\xe6\x97\xa5.evtx", "c.zip!caf\xc3\xa9/\xe6\x97\xa5.evtx");
	check_path("cp437\x82.evtx", "c.zip!cp437\\x82.evtx");
	check_path("over\xc0\xaf", "c.zip!over\\xc0\\xaf");
	check_path("c1\xc2\x85", "c.zip!c1\\xc2\\x85");
	check_path("bidi\xe2\x80\xaegpj.evtx", "c.zip!bidi\\xe2\\x80\\xaegpj.evtx");
	check_path("cut\xe6\x97", "c.zip!cut\\xe6\\x97");
	check_path("lrm\xe2\x80\x8e ls\xe2\x80\xa8", "c.zip!lrm\\xe2\\x80\\x8e ls\\xe2\\x80\\xa8");
	check_path("C:\\Logs\\a!b.evtx", "c.zip!C:\\Logs\\a\\x21b.evtx");
	check_path("", "c.zip!");
}

static void test_gzip(const struct container_limits *lim)
{
	struct buf e = fake_evtx(100000, 1), gz = { 0 }, mm = { 0 };
	struct seen s;

	gzip_member(&gz, e.p, e.len, "Security.evtx");
	CHECK_INT(scan(lim, &gz, "case/Security.evtx.gz", &s), 0);
	CHECK_INT(s.n_containers, 1);
	CHECK_INT(s.n_members, 1);
	CHECK_INT(s.n_problems, 0);
	CHECK_STR(s.member_path[0], "case/Security.evtx.gz!Security.evtx");
	CHECK_INT(s.member_kind[0], CONTAINER_KIND_EVTX);
	CHECK_INT(s.member_len[0], e.len);
	CHECK(s.member_crc[0] == crc_of(&e));

	/* Two members, no names: one file, named after the container. */
	gzip_member(&mm, e.p, 30000, NULL);
	gzip_member(&mm, e.p + 30000, e.len - 30000, NULL);
	CHECK_INT(scan(lim, &mm, "x/System.evtx.GZ", &s), 0);
	CHECK_INT(s.n_members, 1);
	CHECK_STR(s.member_path[0], "x/System.evtx.GZ!System.evtx");
	CHECK_INT(s.member_len[0], e.len);
	CHECK(s.member_crc[0] == crc_of(&e));

	/* Cut in the middle: reported, and what came before is handed over. */
	gz.len = gz.len * 3 / 4;
	CHECK_INT(scan(lim, &gz, "cut.gz", &s), 0);
	CHECK_INT(s.n_problems, 1);
	CHECK_STR(s.problem_path[0], "cut.gz");
	CHECK_INT(s.problem_what[0], CONTAINER_PROBLEM_DAMAGED);
	CHECK_STR(s.problem_reason[0], "truncated gzip stream");
	CHECK_INT(s.n_members, 1);
	CHECK(s.member_len[0] > 4096 && s.member_len[0] < e.len);

	/* Bad data: reported, nothing handed over. */
	gz.len = gz.len * 4 / 3;
	for (size_t i = 2000; i < 2400; i++)
		gz.p[i] ^= 0xa5;
	CHECK_INT(scan(lim, &gz, "bad.gz", &s), 0);
	CHECK_INT(s.n_problems, 1);
	CHECK_INT(s.problem_what[0], CONTAINER_PROBLEM_DAMAGED);
	CHECK(strncmp(s.problem_reason[0], "corrupt gzip stream", 19) == 0);
	CHECK_INT(s.n_members, 0);
	buf_free(&e);
	buf_free(&gz);
	buf_free(&mm);
}

static void test_tar_gz_and_nesting(const struct container_limits *lim)
{
	struct buf e1 = fake_evtx(70000, 2), e2 = fake_evtx(5000, 3), txt = { 0 }, tar = { 0 }, tgz = { 0 };
	struct buf gz = { 0 }, zip = { 0 };
	struct seen s;

	put(&txt, "not an event log\n", 17);
	tar_member(&tar, "HOST1/Logs/Security.evtx", e1.p, e1.len);
	tar_member(&tar, "HOST1/readme.txt", txt.p, txt.len);
	tar_member(&tar, "HOST1/Logs/System.evtx", e2.p, e2.len);
	tar_end(&tar);
	gzip_member(&tgz, tar.p, tar.len, NULL);
	CHECK_INT(scan(lim, &tgz, "logs.tgz", &s), 0);
	CHECK_INT(s.n_containers, 1);
	CHECK_INT(s.n_problems, 0);
	CHECK_INT(s.n_members, 3);
	CHECK_STR(s.member_path[0], "logs.tgz!HOST1/Logs/Security.evtx");
	CHECK(s.member_crc[0] == crc_of(&e1));
	CHECK_STR(s.member_path[1], "logs.tgz!HOST1/readme.txt");
	CHECK_INT(s.member_kind[1], CONTAINER_KIND_OTHER);
	CHECK_INT(s.member_len[1], txt.len);
	CHECK_STR(s.member_path[2], "logs.tgz!HOST1/Logs/System.evtx");
	CHECK(s.member_crc[2] == crc_of(&e2));

	/* A zip holding that tar.gz and a gzip'd EVTX. */
	gzip_member(&gz, e2.p, e2.len, "System.evtx");
	{
		struct zip_item it[] = { { "inner/logs.tgz", &tgz }, { "sys.gz", &gz } };
		zip_stored(&zip, it, 2, -1, 1);
	}
	CHECK_INT(scan(lim, &zip, "host.zip", &s), 0);
	CHECK_INT(s.n_problems, 0);
	CHECK_INT(s.n_containers, 3);
	CHECK_INT(s.n_members, 6);
	CHECK_STR(s.member_path[0], "host.zip!inner/logs.tgz");
	CHECK_INT(s.member_kind[0], CONTAINER_KIND_GZIP);
	CHECK_STR(s.member_path[1], "host.zip!inner/logs.tgz!HOST1/Logs/Security.evtx");
	CHECK(s.member_crc[1] == crc_of(&e1));
	CHECK_STR(s.member_path[5], "host.zip!sys.gz!System.evtx");
	CHECK(s.member_crc[5] == crc_of(&e2));

	/* The same with no heap budget: every member through a memory file. */
	{
		struct container_limits l0 = *lim;
		l0.memory_budget = 0;
		CHECK_INT(scan(&l0, &zip, "host.zip", &s), 0);
		CHECK_INT(s.n_problems, 0);
		CHECK_INT(s.n_members, 6);
		CHECK(s.member_crc[1] == crc_of(&e1));
		CHECK(s.member_crc[5] == crc_of(&e2));
	}
	buf_free(&e1);
	buf_free(&e2);
	buf_free(&txt);
	buf_free(&tar);
	buf_free(&tgz);
	buf_free(&gz);
	buf_free(&zip);
}

static void test_zip_damage(const struct container_limits *lim)
{
	struct buf e1 = fake_evtx(9000, 4), e2 = fake_evtx(9000, 5), e3 = fake_evtx(9000, 6), zip = { 0 };
	struct zip_item it[] = { { "a.evtx", &e1 }, { "b.evtx", &e2 }, { "c.evtx", &e3 } };
	struct seen s;

	/* A bad checksum: that member is skipped, the others are read. */
	zip_stored(&zip, it, 3, 1, 1);
	CHECK_INT(scan(lim, &zip, "crc.zip", &s), 0);
	CHECK_INT(s.n_members, 2);
	CHECK_STR(s.member_path[0], "crc.zip!a.evtx");
	CHECK_STR(s.member_path[1], "crc.zip!c.evtx");
	CHECK_INT(s.n_problems, 1);
	CHECK_STR(s.problem_path[0], "crc.zip!b.evtx");
	CHECK_INT(s.problem_what[0], CONTAINER_PROBLEM_CORRUPT);

	/* Cut inside the third member: two read, the damage reported. */
	zip.len = 0;
	zip_stored(&zip, it, 3, -1, 0);
	zip.len -= 3000;
	CHECK_INT(scan(lim, &zip, "cut.zip", &s), 0);
	CHECK_INT(s.n_members, 3);
	CHECK_STR(s.member_path[1], "cut.zip!b.evtx");
	CHECK(s.member_crc[1] == crc_of(&e2));
	CHECK(s.member_len[2] < e3.len);
	CHECK(s.n_problems >= 1);
	CHECK_STR(s.problem_path[0], "cut.zip");
	CHECK_STR(s.problem_reason[0], "truncated archive after 2 members");
	buf_free(&e1);
	buf_free(&e2);
	buf_free(&e3);
	buf_free(&zip);
}

static void test_limits(const struct container_limits *lim)
{
	struct buf e = fake_evtx(8 << 20, 0), gz = { 0 }, nest = { 0 };
	struct container_limits l = *lim;
	struct seen s;

	memset(e.p + 8, 0, e.len - 8);
	gzip_member(&gz, e.p, e.len, "Security.evtx");
	CHECK(gz.len * 100 < e.len);

	l.max_ratio = 2;
	CHECK_INT(scan(&l, &gz, "bomb.gz", &s), 0);
	CHECK_INT(s.n_members, 0);
	CHECK_INT(s.n_problems, 1);
	CHECK_INT(s.problem_what[0], CONTAINER_PROBLEM_RATIO);
	CHECK_STR(s.problem_reason[0], "zip bomb? expands more than 2 times its size");

	l.max_ratio = 0;
	CHECK_INT(scan(&l, &gz, "bomb.gz", &s), 0);
	CHECK_INT(s.n_problems, 0);
	CHECK_INT(s.n_members, 1);
	CHECK_INT(s.member_len[0], e.len);

	l.max_expanded = 1000000;
	CHECK_INT(scan(&l, &gz, "big.gz", &s), 0);
	CHECK_INT(s.n_members, 0);
	CHECK_INT(s.n_problems, 1);
	CHECK_STR(s.problem_path[0], "big.gz");
	CHECK_INT(s.problem_what[0], CONTAINER_PROBLEM_EXPANDED);

	/* gzip in gzip, six deep: the fifth level is not opened. */
	l = *lim;
	buf_free(&nest);
	gzip_member(&nest, (const uint8_t *)"ElfFile\0", 8, "x");
	for (int i = 0; i < 5; i++) {
		struct buf next = { 0 };
		gzip_member(&next, nest.p, nest.len, "x");
		buf_free(&nest);
		nest = next;
	}
	CHECK_INT(scan(&l, &nest, "deep.gz", &s), 0);
	CHECK_INT(s.n_containers, 4);
	CHECK_INT(s.n_problems, 1);
	CHECK_INT(s.problem_what[0], CONTAINER_PROBLEM_TOO_DEEP);
	CHECK_STR(s.problem_path[0], "deep.gz!x!x!x!x");
	CHECK_STR(s.problem_reason[0], "archive nested deeper than 4 levels");
	CHECK(container_problem_is_member(CONTAINER_PROBLEM_TOO_DEEP));
	CHECK(!container_problem_is_member(CONTAINER_PROBLEM_RATIO));
	buf_free(&e);
	buf_free(&gz);
	buf_free(&nest);
}

int main(void)
{
	struct container_limits lim;
	container_limits_init(&lim);
	CHECK(lim.memory_budget == CONTAINER_DEFAULT_MEMORY_BUDGET);
	test_sniff();
	test_member_path();
	test_gzip(&lim);
	test_tar_gz_and_nesting(&lim);
	test_zip_damage(&lim);
	test_limits(&lim);
	return check_exit();
}
