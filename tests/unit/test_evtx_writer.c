/* test_evtx_writer.c: files written by samples/evtx_writer have valid headers,
 * CRC32 checksums, record framing, string and template tables, and bad input
 * is refused without damaging the file. Read back with the bounds-checked reader. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <zlib.h>

#include "check.h"
#include "evtx_encode.h"
#include "evtx_format.h"
#include "evtx_writer.h"
#include "reader.h"

#define N_LAYOUTS 3
#define N_EVENTS 900

static const uint8_t binary[] = { 'V', 0, 'M', 0, 'T', 0, 'o', 0, 'o', 0, 'l', 0, 's', 0, '/', 0, '1', 0, 0, 0 };

/* ---- Writing ------------------------------------------------------------------ */

/* Fields of layout k (0..N_LAYOUTS-1): each layout is its own EventData template. */
static size_t layout_fields(int k, int i, struct evtx_writer_field *f)
{
	size_t n = 0;
	f[n++] = (struct evtx_writer_field){ .name = "SubjectUserSid", .type = EVTX_VALUE_SID,
					     .text = "S-1-5-21-3486420145-2860437271-1743892311-500" };
	f[n++] = (struct evtx_writer_field){ .name = "SubjectUserName", .type = EVTX_VALUE_STRING,
					     .text = "\xd0\x94\xd0\xbc\xd0\xb8\xd1\x82\xd1\x80\xd0\xb8\xd0\xb9" };
	f[n++] = (struct evtx_writer_field){ .name = "NewProcessId", .type = EVTX_VALUE_SIZE, .num = 0xd9c };
	f[n++] = (struct evtx_writer_field){ .name = "CommandLine", .type = EVTX_VALUE_STRING,
					     .text = i % 2 ? "net  stop vmtools" : "\xe5\xb7\xb2\xe5\x81\x9c\xe6\xad\xa2" };
	if (k >= 1) {
		f[n++] = (struct evtx_writer_field){ .name = "LogonGuid", .type = EVTX_VALUE_GUID,
						     .text = "{5770385F-C22A-43E0-BF4C-06F5698FFBD9}" };
		f[n++] = (struct evtx_writer_field){ .name = "When", .type = EVTX_VALUE_FILETIME,
						     .num = 133546000000000000ULL };
		f[n++] = (struct evtx_writer_field){ .name = "u8", .type = EVTX_VALUE_UINT8, .num = 255 };
		f[n++] = (struct evtx_writer_field){ .name = "u16", .type = EVTX_VALUE_UINT16, .num = 65535 };
		f[n++] = (struct evtx_writer_field){ .name = "u32", .type = EVTX_VALUE_UINT32, .num = 7 };
		f[n++] = (struct evtx_writer_field){ .name = "u64", .type = EVTX_VALUE_UINT64, .num = 1ULL << 40 };
		f[n++] = (struct evtx_writer_field){ .name = "h32", .type = EVTX_VALUE_HEX_INT32, .num = 0x10 };
		f[n++] = (struct evtx_writer_field){ .name = "h64", .type = EVTX_VALUE_HEX_INT64, .num = 0x7169c };
	}
	if (k == 2) {
		f[n++] = (struct evtx_writer_field){ .name = NULL, .type = EVTX_VALUE_UINT32, .num = sizeof(binary) };
		f[n++] = (struct evtx_writer_field){ .name = "Blob", .type = EVTX_VALUE_BINARY, .bin = binary,
						     .bin_len = sizeof(binary) };
	}
	return n;
}

static struct evtx_writer_event event_for(int i, struct evtx_writer_field *f)
{
	int k = i % N_LAYOUTS;
	return (struct evtx_writer_event){
		.provider = "Microsoft-Windows-Security-Auditing",
		.provider_guid = i % 5 ? "{54849625-5478-4994-A5BA-3E3B0328C30D}" : NULL,
		.channel = "Security", .computer = "QAX", .event_id = 4688, .qualifiers = i % 7 ? -1 : 16384,
		.version = 2, .level = 0, .task = 13312, .keywords = 0x8020000000000000ULL,
		.time_created = 133546000000000000ULL + (uint64_t)i * 10000000ULL,
		.record_id = 5000 + (uint64_t)i, .process_id = 652, .thread_id = 1234,
		.user_sid = i % 2 ? "S-1-5-18" : NULL,
		.fields = f, .n_fields = layout_fields(k, i, f),
		.binary = k == 2 ? binary : NULL, .binary_len = sizeof(binary),
		.nul_terminated = i % 3 == 0,
	};
}

static void check_refusals(struct evtx_writer *w)
{
	struct evtx_writer_field f[16];
	struct evtx_writer_event ev = event_for(0, f);
	ev.record_id = 1;	/* not after the last */
	CHECK_INT(evtx_writer_append(w, &ev), EVTX_WRITER_EINVAL);

	ev = event_for(N_EVENTS, f);
	ev.user_sid = "S-1-x";
	CHECK_INT(evtx_writer_append(w, &ev), EVTX_WRITER_EINVAL);
	ev = event_for(N_EVENTS, f);
	ev.provider_guid = "{5770385F-C22A-43E0-BF4C-06F5698FFBD}";
	CHECK_INT(evtx_writer_append(w, &ev), EVTX_WRITER_EINVAL);
	ev = event_for(N_EVENTS, f);
	ev.computer = "bad \xc3\x28 utf-8";
	CHECK_INT(evtx_writer_append(w, &ev), EVTX_WRITER_EINVAL);

	struct evtx_writer_field one = { .name = "n", .type = EVTX_VALUE_UINT8, .num = 256 };
	ev = event_for(N_EVENTS, f);
	ev.fields = &one;
	ev.n_fields = 1;
	CHECK_INT(evtx_writer_append(w, &ev), EVTX_WRITER_EINVAL);
	one = (struct evtx_writer_field){ .name = "n", .type = EVTX_VALUE_NULL };
	CHECK_INT(evtx_writer_append(w, &ev), EVTX_WRITER_EINVAL);

	static char big[40001];
	memset(big, 'x', sizeof(big) - 1);
	one = (struct evtx_writer_field){ .name = "big", .type = EVTX_VALUE_STRING, .text = big };
	CHECK_INT(evtx_writer_append(w, &ev), EVTX_WRITER_ETOOBIG);	/* over 65535 bytes */
	big[32700] = '\0';
	CHECK_INT(evtx_writer_append(w, &ev), EVTX_WRITER_ETOOBIG);	/* more than a chunk holds */
}

/* A record just too large for an empty chunk once the templates are added. */
static void check_too_big_for_chunk(const char *path)
{
	static char big[32201];
	struct evtx_writer *w;
	struct evtx_writer_field f[16];
	struct evtx_writer_field one = { .name = "big", .type = EVTX_VALUE_STRING, .text = big };
	struct evtx_writer_event ev = event_for(0, f);

	memset(big, 'x', sizeof(big) - 1);
	ev.fields = &one;
	ev.n_fields = 1;
	CHECK(evtx_writer_open(path, &w) == 0);
	CHECK_INT(evtx_writer_append(w, &ev), EVTX_WRITER_ETOOBIG);
	big[31000] = '\0';
	CHECK_INT(evtx_writer_append(w, &ev), 0);	/* a 62000-byte value still fits */
	CHECK(evtx_writer_chunks(w) == 1);
	CHECK(evtx_writer_close(w) == 0);
}

static int write_file(const char *path, uint32_t *chunks)
{
	struct evtx_writer *w;
	if (evtx_writer_open(path, &w) != 0)
		return -1;
	for (int i = 0; i < N_EVENTS; i++) {
		struct evtx_writer_field f[16];
		struct evtx_writer_event ev = event_for(i, f);
		CHECK_INT(evtx_writer_append(w, &ev), 0);
		if (i == N_EVENTS / 2)
			check_refusals(w);
	}
	CHECK_INT(evtx_writer_records(w), N_EVENTS);
	*chunks = evtx_writer_chunks(w);
	return evtx_writer_close(w);
}

/* ---- Reading back -------------------------------------------------------------- */

/* n bytes at off, or NULL when they are not all inside r. */
static const uint8_t *bytes_at(const struct reader *r, size_t off, size_t n)
{
	const uint8_t *p;
	struct reader sub;
	if (reader_sub(r, off, n, &sub) != 0 || reader_bytes(&sub, n, &p) != 0)
		return NULL;
	return p;
}

static uint32_t crc_of(const struct reader *r, size_t off, size_t len, uint32_t crc)
{
	const uint8_t *p = bytes_at(r, off, len);
	CHECK(p != NULL);
	return p ? (uint32_t)crc32(crc, p, (uInt)len) : ~crc;
}

static uint32_t u32_at(const struct reader *r, size_t off)
{
	uint32_t v = 0;
	CHECK(reader_u32_at(r, off, &v) == 0);
	return v;
}

static uint64_t u64_at(const struct reader *r, size_t off)
{
	uint64_t v = 0;
	CHECK(reader_u64_at(r, off, &v) == 0);
	return v;
}

static uint16_t u16_at(const struct reader *r, size_t off)
{
	uint16_t v = 0;
	CHECK(reader_u16_at(r, off, &v) == 0);
	return v;
}

/* Every name in the string table has the hash of its bucket; returns how many. */
static int check_string_table(const struct reader *c)
{
	int n = 0;
	for (unsigned b = 0; b < EVTX_CHUNK_STRING_BUCKETS; b++) {
		for (uint32_t off = u32_at(c, EVTX_CH_STRING_TABLE + 4 * b); off && n < 1000; n++) {
			uint16_t hash = u16_at(c, off + 4), count = u16_at(c, off + 6);
			uint32_t h = 0;
			for (uint16_t i = 0; i < count; i++)
				h = h * EVTX_NAME_HASH_MULTIPLIER + u16_at(c, off + EVTX_NAME_HEADER_SIZE + 2u * i);
			CHECK((h & 0xffff) == hash);
			CHECK(hash % EVTX_CHUNK_STRING_BUCKETS == b);
			CHECK(u16_at(c, off + EVTX_NAME_HEADER_SIZE + 2u * count) == 0);
			off = u32_at(c, off);
		}
	}
	return n;
}

/* Every template table entry is a definition right after a template instance
 * that points at it; returns how many. */
static int check_template_table(const struct reader *c)
{
	int n = 0;
	for (unsigned b = 0; b < EVTX_CHUNK_TEMPLATE_BUCKETS; b++) {
		for (uint32_t off = u32_at(c, EVTX_CH_TEMPLATE_TABLE + 4 * b); off && n < 1000; n++) {
			const uint8_t *token = bytes_at(c, off - EVTX_TEMPLATE_INSTANCE_SIZE, 1);
			CHECK(token && *token == EVTX_TOKEN_TEMPLATE_INSTANCE);
			CHECK(u32_at(c, off - 4) == off);
			uint32_t size = u32_at(c, off + EVTX_TEMPLATE_DEF_DATA_SIZE);
			CHECK(off + EVTX_TEMPLATE_DEF_HEADER_SIZE + size <= u32_at(c, EVTX_CH_FREE_SPACE_OFFSET));
			off = u32_at(c, off);
		}
	}
	return n;
}

/* Checks one chunk; returns the number of its records, and the next record number. */
static int check_chunk(const struct reader *c, uint64_t *next_number)
{
	const uint8_t *sig = bytes_at(c, EVTX_CH_SIGNATURE, EVTX_SIGNATURE_LEN);
	CHECK(sig && memcmp(sig, EVTX_CHUNK_SIGNATURE, EVTX_SIGNATURE_LEN) == 0);
	uint32_t crc = crc_of(c, 0, EVTX_CH_CHECKSUM_PART1_LEN, 0);
	crc = crc_of(c, EVTX_CH_CHECKSUM_PART2, EVTX_CHUNK_HEADER_SIZE - EVTX_CH_CHECKSUM_PART2, crc);
	CHECK(u32_at(c, EVTX_CH_HEADER_CHECKSUM) == crc);
	uint32_t free_off = u32_at(c, EVTX_CH_FREE_SPACE_OFFSET);
	CHECK(free_off > EVTX_CHUNK_HEADER_SIZE && free_off < EVTX_CHUNK_SIZE);
	CHECK(u32_at(c, EVTX_CH_RECORDS_CHECKSUM) ==
	      crc_of(c, EVTX_CHUNK_HEADER_SIZE, free_off - EVTX_CHUNK_HEADER_SIZE, 0));
	CHECK(u32_at(c, EVTX_CH_HEADER_SIZE) == EVTX_CHUNK_HEADER_FIELDS_SIZE);
	CHECK(u64_at(c, EVTX_CH_FIRST_RECORD_NUMBER) == *next_number);

	int n = 0;
	size_t off = EVTX_CHUNK_HEADER_SIZE, last = 0;
	while (off < free_off && !check_failures) {
		uint32_t size = u32_at(c, off + EVTX_REC_SIZE);
		CHECK(u32_at(c, off) == EVTX_RECORD_SIGNATURE);
		CHECK(size % EVTX_RECORD_ALIGNMENT == 0 && size > EVTX_RECORD_HEADER_SIZE);
		CHECK(u32_at(c, off + size - EVTX_RECORD_TRAILER_SIZE) == size);
		CHECK(u64_at(c, off + EVTX_REC_NUMBER) == *next_number);
		CHECK(u32_at(c, off + EVTX_RECORD_HEADER_SIZE) == (EVTX_TOKEN_FRAGMENT_HEADER | 1u << 8 | 1u << 16));
		(*next_number)++;
		last = off;
		off += size;
		n++;
	}
	CHECK(off == free_off);
	CHECK(u32_at(c, EVTX_CH_LAST_RECORD_OFFSET) == last);
	CHECK(u64_at(c, EVTX_CH_LAST_RECORD_NUMBER) == *next_number - 1);
	CHECK(u64_at(c, EVTX_CH_LAST_RECORD_ID) == *next_number - 1);
	/* Each template and each name is stored once per chunk: the System template
	 * and one per EventData layout; the 26 names of the System template, then
	 * EventData, Data and Binary. */
	CHECK_INT(check_template_table(c), 1 + N_LAYOUTS);
	CHECK_INT(check_string_table(c), 29);
	return n;
}

static void check_file(const uint8_t *data, size_t len, uint32_t chunks)
{
	struct reader file, header, chunk;
	reader_init(&file, data, len);
	CHECK(len == EVTX_FILE_HEADER_BLOCK_SIZE + (size_t)chunks * EVTX_CHUNK_SIZE);
	CHECK(chunks >= 3);
	CHECK(reader_sub(&file, 0, EVTX_FILE_HEADER_BLOCK_SIZE, &header) == 0);
	CHECK(memcmp(data, EVTX_FILE_SIGNATURE, EVTX_SIGNATURE_LEN) == 0);
	CHECK(u32_at(&header, EVTX_FH_CHECKSUM) == crc_of(&header, 0, EVTX_FH_CHECKSUM_LEN, 0));
	CHECK(u16_at(&header, EVTX_FH_MAJOR_VERSION) == EVTX_MAJOR_VERSION);
	CHECK(u16_at(&header, EVTX_FH_MINOR_VERSION) == EVTX_MINOR_VERSION);
	CHECK(u16_at(&header, EVTX_FH_CHUNK_COUNT) == chunks);
	CHECK(u64_at(&header, EVTX_FH_LAST_CHUNK) == chunks - 1);
	CHECK(u64_at(&header, EVTX_FH_NEXT_RECORD_ID) == 5000 + N_EVENTS);
	CHECK(u32_at(&header, EVTX_FH_FLAGS) == 0);

	uint64_t next = 5000;
	int records = 0;
	for (uint32_t i = 0; i < chunks && !check_failures; i++) {
		CHECK(reader_sub(&file, EVTX_FILE_HEADER_BLOCK_SIZE + (size_t)i * EVTX_CHUNK_SIZE, EVTX_CHUNK_SIZE,
				 &chunk) == 0);
		records += check_chunk(&chunk, &next);
	}
	CHECK_INT(records, N_EVENTS);
}

static uint8_t *slurp(const char *path, size_t *len)
{
	FILE *fp = fopen(path, "rb");
	if (!fp)
		return NULL;
	uint8_t *buf = NULL;
	if (fseek(fp, 0, SEEK_END) == 0) {
		long n = ftell(fp);
		buf = n > 0 ? malloc((size_t)n) : NULL;
		rewind(fp);
		if (buf && fread(buf, 1, (size_t)n, fp) != (size_t)n) {
			free(buf);
			buf = NULL;
		}
		*len = buf ? (size_t)n : 0;
	}
	fclose(fp);
	return buf;
}

/* ---- Encodings ----------------------------------------------------------------- */

static void check_encodings(void)
{
	uint8_t b[80];
	size_t n;
	static const uint8_t system_sid[] = { 1, 1, 0, 0, 0, 0, 0, 5, 18, 0, 0, 0 };
	CHECK(evtx_encode_sid("S-1-5-18", b, sizeof(b), &n) == 0 && n == sizeof(system_sid) &&
	      memcmp(b, system_sid, n) == 0);
	CHECK(evtx_encode_sid("S-1-5-21-1-2-3-4-5-6-7-8-9-10-11-12-13-14", b, sizeof(b), &n) == 0 && n == 68);
	CHECK(evtx_encode_sid("S-1-5-21-1-2-3-4-5-6-7-8-9-10-11-12-13-14-15", b, sizeof(b), &n) == EVTX_ENCODE_EINVAL);
	CHECK(evtx_encode_sid("S-1-5-4294967296", b, sizeof(b), &n) == EVTX_ENCODE_EINVAL);
	CHECK(evtx_encode_sid("S-1-5-21-1", b, 8, &n) == EVTX_ENCODE_ENOSPACE);

	static const uint8_t guid[] = { 0x5f, 0x38, 0x70, 0x57, 0x2a, 0xc2, 0xe0, 0x43,
					0xbf, 0x4c, 0x06, 0xf5, 0x69, 0x8f, 0xfb, 0xd9 };
	CHECK(evtx_encode_guid("{5770385F-C22A-43E0-BF4C-06F5698FFBD9}", b) == 0 && memcmp(b, guid, 16) == 0);
	CHECK(evtx_encode_guid("5770385f-c22a-43e0-bf4c-06f5698ffbd9", b) == 0 && memcmp(b, guid, 16) == 0);
	CHECK(evtx_encode_guid("{5770385F-C22A-43E0-BF4C-06F5698FFBD9", b) == EVTX_ENCODE_EINVAL);

	/* U+1F600 takes a surrogate pair. */
	CHECK(evtx_encode_utf16("a\xf0\x9f\x98\x80", b, sizeof(b), &n) == 0 && n == 3);
	CHECK(b[2] == 0x3d && b[3] == 0xd8 && b[4] == 0x00 && b[5] == 0xde);
	CHECK(evtx_encode_utf16("\xed\xa0\x80", b, sizeof(b), &n) == EVTX_ENCODE_EINVAL);	/* a surrogate */
	CHECK(evtx_encode_utf16("\xc0\xaf", b, sizeof(b), &n) == EVTX_ENCODE_EINVAL);	/* overlong */
	CHECK(evtx_encode_utf16("abc", b, 4, &n) == EVTX_ENCODE_ENOSPACE);

	/* Hashes as found in the string tables of Windows-written files. */
	CHECK(evtx_encode_name_hash("Event") == 0x0cba);
	CHECK(evtx_encode_name_hash("EventData") == 0x8244);
	CHECK(evtx_encode_name_hash("Qualifiers") == 0xda29);
}

int main(void)
{
	char path[] = "/tmp/test_evtx_writer.XXXXXX";
	int fd = mkstemp(path);
	if (fd < 0) {
		perror("mkstemp");
		return 1;
	}
	close(fd);

	check_encodings();
	uint32_t chunks = 0;
	CHECK(write_file(path, &chunks) == 0);
	size_t len = 0;
	uint8_t *data = slurp(path, &len);
	CHECK(data != NULL);
	if (data)
		check_file(data, len, chunks);
	free(data);
	check_too_big_for_chunk(path);
	unlink(path);

	struct evtx_writer *w;
	CHECK_INT(evtx_writer_open("/nonexistent-dir/x.evtx", &w), EVTX_WRITER_EIO);
	CHECK_INT(evtx_writer_close(NULL), 0);

	return check_exit();
}
