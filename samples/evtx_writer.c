/* evtx_writer.c: EVTX files with chunks, string and template tables, binary XML
 * template instances and CRC32 checksums, as the Windows event log service
 * lays them out.
 *
 * A record is built straight into the current chunk buffer. Name and template
 * offsets depend on where the record lands, so when it does not fit, the chunk
 * is rolled back to its state before the record, written out, and the record
 * is built again at the start of a fresh chunk. */
#include "evtx_writer.h"

#include <assert.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include "evtx_encode.h"

/* Substitution indexes of the System template, in the order Windows uses for
 * manifest-based events (Computer and EventData follow). */
enum sys_index {
	SYS_LEVEL, SYS_OPCODE, SYS_TASK, SYS_EVENT_ID, SYS_QUALIFIERS, SYS_KEYWORDS,
	SYS_TIME_CREATED, SYS_ACTIVITY_ID, SYS_PROCESS_ID, SYS_THREAD_ID,
	SYS_RECORD_ID, SYS_VERSION, SYS_USER_ID, SYS_RELATED_ACTIVITY_ID,
	SYS_PROVIDER_NAME, SYS_PROVIDER_GUID, SYS_CHANNEL, SYS_COMPUTER,
	SYS_EVENT_DATA, N_SYS
};

#define EVENT_NAMESPACE "http://schemas.microsoft.com/win/2004/08/events/event"
#define SYSTEM_TEMPLATE_KEY "System/1"
#define MAX_NAMES 64		/* element and attribute names all come from this file */
#define MAX_TEMPLATES 2048	/* more than the smallest definitions fill a chunk with */
#define MAX_KEY 16384		/* EventData layout key: field names and types */

/* Records end at most here. Windows leaves the last bytes of a chunk unused
 * (free space offsets up to 0xfff0 are seen), and libevtx 20181227 skips a
 * record that ends exactly at the end of its chunk. */
#define RECORDS_END (EVTX_CHUNK_SIZE - 16)

/* An encoded substitution value; its bytes live in w->scratch. */
struct value {
	uint8_t type;		/* type in the value descriptor */
	uint8_t decl;		/* type the template declares */
	uint32_t off;
	uint32_t len;
};

struct chunk_name {
	const char *name;	/* static string */
	uint32_t offset;
	uint16_t hash;
};

struct chunk_template {
	uint8_t guid[EVTX_GUID_SIZE];
	uint32_t offset;	/* of the definition: its next-template field */
	char *key;
	size_t key_len;
};

struct chunk {
	uint8_t buf[EVTX_CHUNK_SIZE];
	size_t pos;		/* free space offset */
	size_t last_record;	/* offset of the last record */
	uint32_t n_records;
	uint64_t first_id, last_id;
	struct chunk_name names[MAX_NAMES];
	size_t n_names;
	struct chunk_template *templates;
	size_t n_templates, cap_templates;
	int full;		/* a write did not fit since the record began */
	int nomem;		/* a template could not be remembered */
};

struct evtx_writer {
	FILE *fp;
	int error;		/* sticky EVTX_WRITER_EIO */
	uint32_t n_chunks;	/* chunks written to the file */
	uint64_t n_records;
	uint64_t last_id;
	uint8_t system_guid[EVTX_GUID_SIZE];
	struct chunk chunk;

	/* The record being written. */
	const struct evtx_writer_event *ev;
	uint64_t record_id;
	struct value sys[N_SYS];
	struct value data[EVTX_WRITER_MAX_FIELDS + 1];	/* fields, then Binary */
	size_t n_data;
	uint8_t data_guid[EVTX_GUID_SIZE];
	char key[MAX_KEY];
	size_t key_len;
	uint8_t scratch[EVTX_CHUNK_SIZE];
	size_t scratch_len;
};

/* ---- Little-endian stores --------------------------------------------- */

static void store_le(uint8_t *p, uint64_t v, unsigned n)
{
	for (unsigned i = 0; i < n; i++)
		p[i] = (uint8_t)(v >> (8 * i));
}

/* ---- Bounds-checked output into the chunk ------------------------------ */

static void out_bytes(struct chunk *c, const void *p, size_t n)
{
	if (c->full || n > RECORDS_END - c->pos) {
		c->full = 1;
		return;
	}
	memcpy(c->buf + c->pos, p, n);
	c->pos += n;
}

static void out_le(struct chunk *c, uint64_t v, unsigned n)
{
	uint8_t b[8];
	store_le(b, v, n);
	out_bytes(c, b, n);
}

static void out_u8(struct chunk *c, uint8_t v) { out_le(c, v, 1); }
static void out_u16(struct chunk *c, uint16_t v) { out_le(c, v, 2); }
static void out_u32(struct chunk *c, uint32_t v) { out_le(c, v, 4); }
static void out_u64(struct chunk *c, uint64_t v) { out_le(c, v, 8); }

/* Leaves room for a u32 filled in later; returns its offset. */
static size_t out_reserve_u32(struct chunk *c)
{
	size_t at = c->pos;
	out_u32(c, 0);
	return at;
}

static void patch_le(struct chunk *c, size_t at, uint64_t v, unsigned n)
{
	if (!c->full)
		store_le(c->buf + at, v, n);
}

/* Fills a size field reserved at 'at' with the byte count written after it. */
static void patch_size_since(struct chunk *c, size_t at)
{
	patch_le(c, at, c->pos - (at + 4), 4);
}

/* UTF-8 text as UTF-16LE; the text was validated when the record was prepared. */
static void out_utf16(struct chunk *c, const char *s, size_t n_units)
{
	if (c->full || 2 * n_units > RECORDS_END - c->pos) {
		c->full = 1;
		return;
	}
	size_t n;
	if (evtx_encode_utf16(s, c->buf + c->pos, 2 * n_units, &n) < 0 || n != n_units) {
		c->full = 1;
		return;
	}
	c->pos += 2 * n;
}

static size_t utf16_len(const char *s)
{
	size_t n = 0;
	if (evtx_encode_utf16(s, NULL, 0, &n) < 0)
		return 0;
	return n;
}

/* ---- Names: stored inline at first use in a chunk, referenced after ---- */

static const struct chunk_name *chunk_find_name(const struct chunk *c, const char *name)
{
	for (size_t i = 0; i < c->n_names; i++)
		if (strcmp(c->names[i].name, name) == 0)
			return &c->names[i];
	return NULL;
}

/* Offset of the newest name in bucket (hash % 64), 0 if none: the chain link. */
static uint32_t name_bucket_head(const struct chunk *c, uint16_t hash)
{
	for (size_t i = c->n_names; i > 0; i--)
		if (c->names[i - 1].hash % EVTX_CHUNK_STRING_BUCKETS == hash % EVTX_CHUNK_STRING_BUCKETS)
			return c->names[i - 1].offset;
	return 0;
}

static void out_name(struct chunk *c, const char *name)
{
	const struct chunk_name *known = chunk_find_name(c, name);
	if (known) {
		out_u32(c, known->offset);
		return;
	}
	assert(c->n_names < MAX_NAMES);
	uint32_t offset = (uint32_t)(c->pos + 4);
	uint16_t hash = evtx_encode_name_hash(name);
	size_t n = utf16_len(name);

	out_u32(c, offset);
	out_u32(c, name_bucket_head(c, hash));
	out_u16(c, hash);
	out_u16(c, (uint16_t)n);
	out_utf16(c, name, n);
	out_u16(c, 0);
	c->names[c->n_names++] = (struct chunk_name){ name, offset, hash };
}

/* ---- Binary XML building blocks ---------------------------------------- */

struct element {
	size_t size_at;		/* the element's data size field */
	size_t attrs_at;	/* its attribute list size field, if it has attributes */
};

static struct element elem_open(struct chunk *c, const char *name, uint16_t dependency, int has_attrs)
{
	struct element el = { 0, 0 };
	out_u8(c, EVTX_TOKEN_OPEN_START_ELEMENT | (has_attrs ? EVTX_TOKEN_FLAG_MORE : 0));
	out_u16(c, dependency);
	el.size_at = out_reserve_u32(c);
	out_name(c, name);
	if (has_attrs)
		el.attrs_at = out_reserve_u32(c);
	return el;
}

static void attr_open(struct chunk *c, const char *name, int last)
{
	out_u8(c, EVTX_TOKEN_ATTRIBUTE | (last ? 0 : EVTX_TOKEN_FLAG_MORE));
	out_name(c, name);
}

static void attrs_done(struct chunk *c, const struct element *el)
{
	patch_size_since(c, el->attrs_at);
}

static void elem_close_empty(struct chunk *c, const struct element *el)
{
	out_u8(c, EVTX_TOKEN_CLOSE_EMPTY_ELEMENT);
	patch_size_since(c, el->size_at);
}

static void elem_end(struct chunk *c, const struct element *el)
{
	out_u8(c, EVTX_TOKEN_END_ELEMENT);
	patch_size_since(c, el->size_at);
}

static void out_text(struct chunk *c, const char *s)
{
	size_t n = utf16_len(s);
	out_u8(c, EVTX_TOKEN_VALUE);
	out_u8(c, EVTX_VALUE_STRING);
	out_u16(c, (uint16_t)n);
	out_utf16(c, s, n);
}

static void out_subst(struct chunk *c, uint8_t token, uint16_t index, uint8_t type)
{
	out_u8(c, token);
	out_u16(c, index);
	out_u8(c, type);
}

static void out_fragment_header(struct chunk *c)
{
	out_u8(c, EVTX_TOKEN_FRAGMENT_HEADER);
	out_u8(c, EVTX_FRAGMENT_MAJOR_VERSION);
	out_u8(c, EVTX_FRAGMENT_MINOR_VERSION);
	out_u8(c, 0);
}

/* <name>%index</name>, dropped when the value is NULL. */
static void sys_content(struct evtx_writer *w, const char *name, enum sys_index i)
{
	struct chunk *c = &w->chunk;
	struct element el = elem_open(c, name, (uint16_t)i, 0);
	out_u8(c, EVTX_TOKEN_CLOSE_START_ELEMENT);
	out_subst(c, EVTX_TOKEN_OPTIONAL_SUBSTITUTION, (uint16_t)i, w->sys[i].decl);
	elem_end(c, &el);
}

/* <name a0="%i0" a1="%i1"/> with one or two attributes. */
static void sys_attrs(struct evtx_writer *w, const char *name, const char *const attrs[],
		      const enum sys_index idx[], int n)
{
	struct chunk *c = &w->chunk;
	struct element el = elem_open(c, name, EVTX_DEPENDENCY_NONE, 1);
	for (int k = 0; k < n; k++) {
		attr_open(c, attrs[k], k == n - 1);
		out_subst(c, EVTX_TOKEN_OPTIONAL_SUBSTITUTION, (uint16_t)idx[k], w->sys[idx[k]].decl);
	}
	attrs_done(c, &el);
	elem_close_empty(c, &el);
}

static void sys_event_id(struct evtx_writer *w)
{
	struct chunk *c = &w->chunk;
	struct element el = elem_open(c, "EventID", SYS_EVENT_ID, 1);
	attr_open(c, "Qualifiers", 1);
	out_subst(c, EVTX_TOKEN_OPTIONAL_SUBSTITUTION, SYS_QUALIFIERS, w->sys[SYS_QUALIFIERS].decl);
	attrs_done(c, &el);
	out_u8(c, EVTX_TOKEN_CLOSE_START_ELEMENT);
	out_subst(c, EVTX_TOKEN_OPTIONAL_SUBSTITUTION, SYS_EVENT_ID, w->sys[SYS_EVENT_ID].decl);
	elem_end(c, &el);
}

/* The System template: <Event xmlns=...><System>...</System>%EventData</Event>. */
static void system_template_body(struct evtx_writer *w)
{
	static const char *const provider[] = { "Name", "Guid" };
	static const enum sys_index provider_idx[] = { SYS_PROVIDER_NAME, SYS_PROVIDER_GUID };
	static const char *const time_created[] = { "SystemTime" };
	static const enum sys_index time_idx[] = { SYS_TIME_CREATED };
	static const char *const correlation[] = { "ActivityID", "RelatedActivityID" };
	static const enum sys_index correlation_idx[] = { SYS_ACTIVITY_ID, SYS_RELATED_ACTIVITY_ID };
	static const char *const execution[] = { "ProcessID", "ThreadID" };
	static const enum sys_index execution_idx[] = { SYS_PROCESS_ID, SYS_THREAD_ID };
	static const char *const security[] = { "UserID" };
	static const enum sys_index security_idx[] = { SYS_USER_ID };
	struct chunk *c = &w->chunk;

	struct element event = elem_open(c, "Event", EVTX_DEPENDENCY_NONE, 1);
	attr_open(c, "xmlns", 1);
	out_text(c, EVENT_NAMESPACE);
	attrs_done(c, &event);
	out_u8(c, EVTX_TOKEN_CLOSE_START_ELEMENT);

	struct element system = elem_open(c, "System", EVTX_DEPENDENCY_NONE, 0);
	out_u8(c, EVTX_TOKEN_CLOSE_START_ELEMENT);
	sys_attrs(w, "Provider", provider, provider_idx, 2);
	sys_event_id(w);
	sys_content(w, "Version", SYS_VERSION);
	sys_content(w, "Level", SYS_LEVEL);
	sys_content(w, "Task", SYS_TASK);
	sys_content(w, "Opcode", SYS_OPCODE);
	sys_content(w, "Keywords", SYS_KEYWORDS);
	sys_attrs(w, "TimeCreated", time_created, time_idx, 1);
	sys_content(w, "EventRecordID", SYS_RECORD_ID);
	sys_attrs(w, "Correlation", correlation, correlation_idx, 2);
	sys_attrs(w, "Execution", execution, execution_idx, 2);
	sys_content(w, "Channel", SYS_CHANNEL);
	sys_content(w, "Computer", SYS_COMPUTER);
	sys_attrs(w, "Security", security, security_idx, 1);
	elem_end(c, &system);

	out_subst(c, EVTX_TOKEN_OPTIONAL_SUBSTITUTION, SYS_EVENT_DATA, EVTX_VALUE_BINXML);
	elem_end(c, &event);
}

/* The EventData template: <EventData><Data Name="f">%i</Data>...<Binary>%n</Binary></EventData>. */
static void data_template_body(struct evtx_writer *w)
{
	const struct evtx_writer_event *ev = w->ev;
	struct chunk *c = &w->chunk;

	struct element data = elem_open(c, "EventData", EVTX_DEPENDENCY_NONE, 0);
	out_u8(c, EVTX_TOKEN_CLOSE_START_ELEMENT);
	for (size_t i = 0; i < ev->n_fields; i++) {
		if (!ev->fields[i].name)
			continue;
		struct element el = elem_open(c, "Data", EVTX_DEPENDENCY_NONE, 1);
		attr_open(c, "Name", 1);
		out_text(c, ev->fields[i].name);
		attrs_done(c, &el);
		out_u8(c, EVTX_TOKEN_CLOSE_START_ELEMENT);
		out_subst(c, EVTX_TOKEN_NORMAL_SUBSTITUTION, (uint16_t)i, w->data[i].decl);
		elem_end(c, &el);
	}
	if (ev->binary) {
		struct element el = elem_open(c, "Binary", EVTX_DEPENDENCY_NONE, 0);
		out_u8(c, EVTX_TOKEN_CLOSE_START_ELEMENT);
		out_subst(c, EVTX_TOKEN_NORMAL_SUBSTITUTION, (uint16_t)ev->n_fields, EVTX_VALUE_BINARY);
		elem_end(c, &el);
	}
	elem_end(c, &data);
}

/* ---- Templates: defined at first use in a chunk, referenced after ------- */

static const struct chunk_template *chunk_find_template(const struct chunk *c, const char *key, size_t key_len)
{
	for (size_t i = 0; i < c->n_templates; i++)
		if (c->templates[i].key_len == key_len && memcmp(c->templates[i].key, key, key_len) == 0)
			return &c->templates[i];
	return NULL;
}

/* Template chains are bucketed by the template id (the GUID's first u32). */
static unsigned template_bucket(const uint8_t guid[EVTX_GUID_SIZE])
{
	uint32_t id = (uint32_t)guid[0] | (uint32_t)guid[1] << 8 | (uint32_t)guid[2] << 16 | (uint32_t)guid[3] << 24;
	return id % EVTX_CHUNK_TEMPLATE_BUCKETS;
}

static uint32_t template_bucket_head(const struct chunk *c, const uint8_t guid[EVTX_GUID_SIZE])
{
	for (size_t i = c->n_templates; i > 0; i--)
		if (template_bucket(c->templates[i - 1].guid) == template_bucket(guid))
			return c->templates[i - 1].offset;
	return 0;
}

static void chunk_add_template(struct chunk *c, const uint8_t guid[EVTX_GUID_SIZE], uint32_t offset,
			       const char *key, size_t key_len)
{
	if (c->n_templates == c->cap_templates) {
		size_t cap = c->cap_templates ? 2 * c->cap_templates : 16;
		if (cap > MAX_TEMPLATES) {
			c->full = 1;	/* the record is retried in a fresh chunk */
			return;
		}
		struct chunk_template *t = realloc(c->templates, cap * sizeof(*t));
		if (!t) {
			c->full = c->nomem = 1;
			return;
		}
		c->templates = t;
		c->cap_templates = cap;
	}
	char *copy = malloc(key_len);
	if (!copy) {
		c->full = c->nomem = 1;
		return;
	}
	memcpy(copy, key, key_len);
	struct chunk_template *t = &c->templates[c->n_templates++];
	memcpy(t->guid, guid, EVTX_GUID_SIZE);
	t->offset = offset;
	t->key = copy;
	t->key_len = key_len;
}

/* A template instance: the header, then the definition if this chunk lacks it. */
static void out_template_instance(struct evtx_writer *w, const char *key, size_t key_len,
				  const uint8_t guid[EVTX_GUID_SIZE], void (*body)(struct evtx_writer *))
{
	struct chunk *c = &w->chunk;
	out_u8(c, EVTX_TOKEN_TEMPLATE_INSTANCE);
	out_u8(c, EVTX_TEMPLATE_INSTANCE_VERSION);
	out_bytes(c, guid, 4);
	size_t def_at = out_reserve_u32(c);

	const struct chunk_template *known = chunk_find_template(c, key, key_len);
	if (known) {
		patch_le(c, def_at, known->offset, 4);
		return;
	}
	uint32_t offset = (uint32_t)c->pos;
	patch_le(c, def_at, offset, 4);
	out_u32(c, template_bucket_head(c, guid));
	out_bytes(c, guid, EVTX_GUID_SIZE);
	size_t size_at = out_reserve_u32(c);
	out_fragment_header(c);
	body(w);
	out_u8(c, EVTX_TOKEN_EOF);
	patch_size_since(c, size_at);
	if (!c->full)
		chunk_add_template(c, guid, offset, key, key_len);
}

/* Value count, descriptors, then the values. Returns the offset of the
 * descriptors so that a value built in place can have its size patched. */
static size_t out_instance_values(struct evtx_writer *w, const struct value *v, size_t n, int skip_last)
{
	struct chunk *c = &w->chunk;
	out_u32(c, (uint32_t)n);
	size_t desc_at = c->pos;
	for (size_t i = 0; i < n; i++) {
		out_u16(c, (uint16_t)v[i].len);
		out_u8(c, v[i].type);
		out_u8(c, 0);
	}
	for (size_t i = 0; i < n - (skip_last ? 1 : 0); i++)
		out_bytes(c, w->scratch + v[i].off, v[i].len);
	return desc_at;
}

/* The EventData value: a fragment holding an instance of the layout's template. */
static void out_event_data(struct evtx_writer *w)
{
	struct chunk *c = &w->chunk;
	out_fragment_header(c);
	out_template_instance(w, w->key, w->key_len, w->data_guid, data_template_body);
	out_instance_values(w, w->data, w->n_data, 0);
	out_u8(c, EVTX_TOKEN_EOF);
}

static void out_record(struct evtx_writer *w)
{
	struct chunk *c = &w->chunk;
	size_t start = c->pos;

	out_u32(c, EVTX_RECORD_SIGNATURE);
	size_t size_at = out_reserve_u32(c);
	out_u64(c, w->record_id);
	out_u64(c, w->ev->written_time ? w->ev->written_time : w->ev->time_created);
	out_fragment_header(c);
	out_template_instance(w, SYSTEM_TEMPLATE_KEY, sizeof(SYSTEM_TEMPLATE_KEY) - 1, w->system_guid,
			      system_template_body);
	int has_data = w->sys[SYS_EVENT_DATA].type == EVTX_VALUE_BINXML;
	size_t desc_at = out_instance_values(w, w->sys, N_SYS, has_data);
	if (has_data) {
		size_t data_start = c->pos;
		out_event_data(w);
		patch_le(c, desc_at + SYS_EVENT_DATA * EVTX_VALUE_DESCRIPTOR_SIZE, c->pos - data_start, 2);
	}
	out_u8(c, EVTX_TOKEN_EOF);

	size_t used = c->pos - start + EVTX_RECORD_TRAILER_SIZE;
	size_t size = (used + EVTX_RECORD_ALIGNMENT - 1) / EVTX_RECORD_ALIGNMENT * EVTX_RECORD_ALIGNMENT;
	for (size_t i = used; i < size; i++)
		out_u8(c, 0);
	out_u32(c, (uint32_t)size);
	patch_le(c, size_at, size, 4);
}

/* ---- Preparing a record's values ---------------------------------------- */

static int scratch_put(struct evtx_writer *w, struct value *v, uint8_t type, const void *p, size_t n)
{
	if (n > UINT16_MAX || n > sizeof(w->scratch) - w->scratch_len)
		return EVTX_WRITER_ETOOBIG;
	v->type = type;
	v->decl = type;
	v->off = (uint32_t)w->scratch_len;
	v->len = (uint32_t)n;
	if (n)
		memcpy(w->scratch + w->scratch_len, p, n);
	w->scratch_len += n;
	return 0;
}

static int put_null(struct evtx_writer *w, struct value *v, uint8_t decl)
{
	int rc = scratch_put(w, v, EVTX_VALUE_NULL, NULL, 0);
	v->decl = decl;
	return rc;
}

static int put_number(struct evtx_writer *w, struct value *v, uint8_t type, uint64_t num)
{
	unsigned n;
	switch (type) {
	case EVTX_VALUE_UINT8: n = 1; break;
	case EVTX_VALUE_UINT16: n = 2; break;
	case EVTX_VALUE_UINT32: case EVTX_VALUE_HEX_INT32: n = 4; break;
	default: n = 8; break;
	}
	if (n < 8 && num >> (8 * n))
		return EVTX_WRITER_EINVAL;
	uint8_t b[8];
	store_le(b, num, n);
	return scratch_put(w, v, type, b, n);
}

static int put_string(struct evtx_writer *w, struct value *v, const char *s, int nul)
{
	size_t n;
	if (!s || evtx_encode_utf16(s, NULL, 0, &n) < 0)
		return EVTX_WRITER_EINVAL;
	size_t bytes = 2 * (n + (nul ? 1 : 0));
	if (bytes > UINT16_MAX || bytes > sizeof(w->scratch) - w->scratch_len)
		return EVTX_WRITER_ETOOBIG;
	uint8_t *p = w->scratch + w->scratch_len;
	evtx_encode_utf16(s, p, bytes, &n);
	if (nul)
		p[2 * n] = p[2 * n + 1] = 0;
	return scratch_put(w, v, EVTX_VALUE_STRING, p, bytes);
}

static int put_sid(struct evtx_writer *w, struct value *v, const char *s)
{
	uint8_t b[EVTX_SID_MAX_SIZE];
	size_t n;
	if (!s || evtx_encode_sid(s, b, sizeof(b), &n) < 0)
		return EVTX_WRITER_EINVAL;
	return scratch_put(w, v, EVTX_VALUE_SID, b, n);
}

static int put_guid(struct evtx_writer *w, struct value *v, const char *s)
{
	uint8_t b[EVTX_GUID_SIZE];
	if (!s || evtx_encode_guid(s, b) < 0)
		return EVTX_WRITER_EINVAL;
	return scratch_put(w, v, EVTX_VALUE_GUID, b, sizeof(b));
}

static int put_field(struct evtx_writer *w, struct value *v, const struct evtx_writer_field *f, int nul)
{
	int rc;
	switch (f->type) {
	case EVTX_VALUE_STRING:
		return put_string(w, v, f->text, nul);
	case EVTX_VALUE_SID:
		return put_sid(w, v, f->text);
	case EVTX_VALUE_GUID:
		return put_guid(w, v, f->text);
	case EVTX_VALUE_UINT8: case EVTX_VALUE_UINT16: case EVTX_VALUE_UINT32:
	case EVTX_VALUE_UINT64: case EVTX_VALUE_HEX_INT32: case EVTX_VALUE_HEX_INT64:
	case EVTX_VALUE_FILETIME:
		return put_number(w, v, (uint8_t)f->type, f->num);
	case EVTX_VALUE_SIZE:
		rc = put_number(w, v, EVTX_VALUE_HEX_INT64, f->num);
		v->decl = EVTX_VALUE_SIZE;
		return rc;
	case EVTX_VALUE_BINARY:
		if (!f->bin && f->bin_len)
			return EVTX_WRITER_EINVAL;
		return scratch_put(w, v, EVTX_VALUE_BINARY, f->bin, f->bin_len);
	default:
		return EVTX_WRITER_EINVAL;
	}
}

/* The System values, by substitution index. */
static int prepare_system(struct evtx_writer *w)
{
	const struct evtx_writer_event *ev = w->ev;
	struct value *s = w->sys;
	int rc = 0;

	rc = rc ? rc : put_number(w, &s[SYS_LEVEL], EVTX_VALUE_UINT8, ev->level);
	rc = rc ? rc : put_number(w, &s[SYS_OPCODE], EVTX_VALUE_UINT8, ev->opcode);
	rc = rc ? rc : put_number(w, &s[SYS_TASK], EVTX_VALUE_UINT16, ev->task);
	rc = rc ? rc : put_number(w, &s[SYS_EVENT_ID], EVTX_VALUE_UINT16, ev->event_id);
	if (ev->qualifiers >= 0)
		rc = rc ? rc : put_number(w, &s[SYS_QUALIFIERS], EVTX_VALUE_UINT16, (uint64_t)ev->qualifiers);
	else
		rc = rc ? rc : put_null(w, &s[SYS_QUALIFIERS], EVTX_VALUE_UINT16);
	rc = rc ? rc : put_number(w, &s[SYS_KEYWORDS], EVTX_VALUE_HEX_INT64, ev->keywords);
	rc = rc ? rc : put_number(w, &s[SYS_TIME_CREATED], EVTX_VALUE_FILETIME, ev->time_created);
	rc = rc ? rc : put_null(w, &s[SYS_ACTIVITY_ID], EVTX_VALUE_GUID);
	rc = rc ? rc : put_number(w, &s[SYS_PROCESS_ID], EVTX_VALUE_UINT32, ev->process_id);
	rc = rc ? rc : put_number(w, &s[SYS_THREAD_ID], EVTX_VALUE_UINT32, ev->thread_id);
	rc = rc ? rc : put_number(w, &s[SYS_RECORD_ID], EVTX_VALUE_UINT64, w->record_id);
	rc = rc ? rc : put_number(w, &s[SYS_VERSION], EVTX_VALUE_UINT8, ev->version);
	if (ev->user_sid)
		rc = rc ? rc : put_sid(w, &s[SYS_USER_ID], ev->user_sid);
	else
		rc = rc ? rc : put_null(w, &s[SYS_USER_ID], EVTX_VALUE_SID);
	rc = rc ? rc : put_null(w, &s[SYS_RELATED_ACTIVITY_ID], EVTX_VALUE_GUID);
	rc = rc ? rc : put_string(w, &s[SYS_PROVIDER_NAME], ev->provider, 0);
	if (ev->provider_guid)
		rc = rc ? rc : put_guid(w, &s[SYS_PROVIDER_GUID], ev->provider_guid);
	else
		rc = rc ? rc : put_null(w, &s[SYS_PROVIDER_GUID], EVTX_VALUE_GUID);
	rc = rc ? rc : put_string(w, &s[SYS_CHANNEL], ev->channel, 0);
	rc = rc ? rc : put_string(w, &s[SYS_COMPUTER], ev->computer, 0);
	if (rc)
		return rc;
	/* EventData is built in place; only its type is known here. */
	s[SYS_EVENT_DATA] = (struct value){ EVTX_VALUE_NULL, EVTX_VALUE_BINXML, 0, 0 };
	if (ev->n_fields || ev->binary)
		s[SYS_EVENT_DATA].type = EVTX_VALUE_BINXML;
	return 0;
}

static int key_append(struct evtx_writer *w, const void *p, size_t n)
{
	if (n > sizeof(w->key) - w->key_len)
		return EVTX_WRITER_ETOOBIG;
	memcpy(w->key + w->key_len, p, n);
	w->key_len += n;
	return 0;
}

/* 64-bit FNV-1a. */
static uint64_t fnv1a(const void *p, size_t n, uint64_t h)
{
	const uint8_t *b = p;
	for (size_t i = 0; i < n; i++)
		h = (h ^ b[i]) * 0x100000001b3ULL;
	return h;
}

/* A stable GUID per template layout key, so equal layouts get equal GUIDs in every chunk. */
static void template_guid(const void *key, size_t key_len, uint8_t guid[EVTX_GUID_SIZE])
{
	uint64_t a = fnv1a(key, key_len, 0xcbf29ce484222325ULL);
	uint64_t b = fnv1a(key, key_len, a ^ 0x9e3779b97f4a7c15ULL);
	store_le(guid, a, 8);
	store_le(guid + 8, b, 8);
}

/* The layout key (declared type, name per field; Binary or not) and its GUID. */
static int prepare_layout(struct evtx_writer *w)
{
	const struct evtx_writer_event *ev = w->ev;
	int rc = 0;

	w->key_len = 0;
	for (size_t i = 0; i < ev->n_fields && !rc; i++) {
		const char *name = ev->fields[i].name;
		size_t n;
		if (name && evtx_encode_utf16(name, NULL, 0, &n) < 0)
			return EVTX_WRITER_EINVAL;
		rc = key_append(w, &w->data[i].decl, 1);
		rc = rc ? rc : key_append(w, name ? "D" : "-", 1);
		if (name && !rc)
			rc = key_append(w, name, strlen(name) + 1);
	}
	rc = rc ? rc : key_append(w, ev->binary ? "B" : "", ev->binary ? 1 : 0);
	if (rc)
		return rc;
	template_guid(w->key, w->key_len, w->data_guid);
	return 0;
}

static int prepare_data(struct evtx_writer *w)
{
	const struct evtx_writer_event *ev = w->ev;
	if (ev->n_fields > EVTX_WRITER_MAX_FIELDS || (ev->n_fields && !ev->fields))
		return EVTX_WRITER_EINVAL;
	for (size_t i = 0; i < ev->n_fields; i++) {
		int rc = put_field(w, &w->data[i], &ev->fields[i], ev->nul_terminated);
		if (rc)
			return rc;
	}
	w->n_data = ev->n_fields;
	if (ev->binary) {
		int rc = scratch_put(w, &w->data[w->n_data++], EVTX_VALUE_BINARY, ev->binary, ev->binary_len);
		if (rc)
			return rc;
	}
	return prepare_layout(w);
}

static int prepare(struct evtx_writer *w, const struct evtx_writer_event *ev)
{
	uint64_t id = ev->record_id ? ev->record_id : w->last_id + 1;
	if (id <= w->last_id && w->n_records)
		return EVTX_WRITER_EINVAL;
	w->ev = ev;
	w->record_id = id;
	w->scratch_len = 0;
	int rc = prepare_system(w);
	return rc ? rc : prepare_data(w);
}

/* ---- Chunks and the file ------------------------------------------------ */

static void chunk_drop_templates(struct chunk *c, size_t keep)
{
	while (c->n_templates > keep)
		free(c->templates[--c->n_templates].key);
}

static void chunk_reset(struct chunk *c)
{
	chunk_drop_templates(c, 0);
	memset(c->buf, 0, sizeof(c->buf));
	c->pos = EVTX_CHUNK_HEADER_SIZE;
	c->last_record = 0;
	c->n_records = 0;
	c->n_names = 0;
	c->full = 0;
}

static void chunk_fill_tables(struct chunk *c)
{
	uint8_t *h = c->buf;
	/* Later entries overwrite earlier ones: each bucket ends up with its newest
	 * entry, whose next link leads to the older ones. */
	for (size_t i = 0; i < c->n_names; i++)
		store_le(h + EVTX_CH_STRING_TABLE + 4 * (c->names[i].hash % EVTX_CHUNK_STRING_BUCKETS),
			 c->names[i].offset, 4);
	for (size_t i = 0; i < c->n_templates; i++)
		store_le(h + EVTX_CH_TEMPLATE_TABLE + 4 * template_bucket(c->templates[i].guid),
			 c->templates[i].offset, 4);
}

static uint32_t crc32_of(const uint8_t *p, size_t n, uint32_t crc)
{
	return (uint32_t)crc32(crc, p, (uInt)n);
}

static void chunk_fill_header(struct chunk *c)
{
	uint8_t *h = c->buf;
	memcpy(h + EVTX_CH_SIGNATURE, EVTX_CHUNK_SIGNATURE, EVTX_SIGNATURE_LEN);
	/* Record numbers equal EventRecordIDs in a live log. */
	store_le(h + EVTX_CH_FIRST_RECORD_NUMBER, c->first_id, 8);
	store_le(h + EVTX_CH_LAST_RECORD_NUMBER, c->last_id, 8);
	store_le(h + EVTX_CH_FIRST_RECORD_ID, c->first_id, 8);
	store_le(h + EVTX_CH_LAST_RECORD_ID, c->last_id, 8);
	store_le(h + EVTX_CH_HEADER_SIZE, EVTX_CHUNK_HEADER_FIELDS_SIZE, 4);
	store_le(h + EVTX_CH_LAST_RECORD_OFFSET, c->last_record, 4);
	store_le(h + EVTX_CH_FREE_SPACE_OFFSET, c->pos, 4);
	store_le(h + EVTX_CH_RECORDS_CHECKSUM,
		 crc32_of(h + EVTX_CHUNK_HEADER_SIZE, c->pos - EVTX_CHUNK_HEADER_SIZE, 0), 4);
	store_le(h + EVTX_CH_FLAGS, EVTX_CHUNK_FLAGS_DEFAULT, 4);
	chunk_fill_tables(c);
	uint32_t crc = crc32_of(h, EVTX_CH_CHECKSUM_PART1_LEN, 0);
	crc = crc32_of(h + EVTX_CH_CHECKSUM_PART2, EVTX_CHUNK_HEADER_SIZE - EVTX_CH_CHECKSUM_PART2, crc);
	store_le(h + EVTX_CH_HEADER_CHECKSUM, crc, 4);
}

static int write_all(struct evtx_writer *w, const void *p, size_t n)
{
	if (w->error)
		return w->error;
	if (fwrite(p, 1, n, w->fp) != n)
		w->error = EVTX_WRITER_EIO;
	return w->error;
}

static int chunk_flush(struct evtx_writer *w)
{
	struct chunk *c = &w->chunk;
	if (!c->n_records)
		return w->error;
	chunk_fill_header(c);
	int rc = write_all(w, c->buf, sizeof(c->buf));
	w->n_chunks++;
	chunk_reset(c);
	return rc;
}

static void file_header(const struct evtx_writer *w, uint8_t h[EVTX_FILE_HEADER_BLOCK_SIZE])
{
	memset(h, 0, EVTX_FILE_HEADER_BLOCK_SIZE);
	memcpy(h + EVTX_FH_SIGNATURE, EVTX_FILE_SIGNATURE, EVTX_SIGNATURE_LEN);
	store_le(h + EVTX_FH_FIRST_CHUNK, 0, 8);
	store_le(h + EVTX_FH_LAST_CHUNK, w->n_chunks ? w->n_chunks - 1 : 0, 8);
	store_le(h + EVTX_FH_NEXT_RECORD_ID, w->last_id + 1, 8);
	store_le(h + EVTX_FH_HEADER_SIZE, EVTX_FILE_HEADER_SIZE, 4);
	store_le(h + EVTX_FH_MINOR_VERSION, EVTX_MINOR_VERSION, 2);
	store_le(h + EVTX_FH_MAJOR_VERSION, EVTX_MAJOR_VERSION, 2);
	store_le(h + EVTX_FH_BLOCK_SIZE, EVTX_FILE_HEADER_BLOCK_SIZE, 2);
	store_le(h + EVTX_FH_CHUNK_COUNT, w->n_chunks, 2);
	store_le(h + EVTX_FH_FLAGS, 0, 4);
	store_le(h + EVTX_FH_CHECKSUM, crc32_of(h, EVTX_FH_CHECKSUM_LEN, 0), 4);
}

int evtx_writer_open(const char *path, struct evtx_writer **out)
{
	struct evtx_writer *w = calloc(1, sizeof(*w));
	if (!w)
		return EVTX_WRITER_ENOMEM;
	w->fp = fopen(path, "wb");
	if (!w->fp) {
		int saved = errno;
		free(w);
		errno = saved;
		return EVTX_WRITER_EIO;
	}
	chunk_reset(&w->chunk);
	template_guid(SYSTEM_TEMPLATE_KEY, sizeof(SYSTEM_TEMPLATE_KEY) - 1, w->system_guid);
	/* The header is written last, once the chunk count is known. */
	uint8_t zero[EVTX_FILE_HEADER_BLOCK_SIZE] = { 0 };
	if (write_all(w, zero, sizeof(zero)) != 0) {
		int saved = errno;
		fclose(w->fp);
		free(w);
		errno = saved;
		return EVTX_WRITER_EIO;
	}
	*out = w;
	return 0;
}

/* Builds the prepared record at the chunk's free offset: 0, 1 when it does not
 * fit (the chunk is left as it was), or EVTX_WRITER_ENOMEM. */
static int chunk_try_record(struct evtx_writer *w)
{
	struct chunk *c = &w->chunk;
	size_t start = c->pos, n_names = c->n_names, n_templates = c->n_templates;

	c->full = c->nomem = 0;
	out_record(w);
	if (!c->full) {
		if (!c->n_records)
			c->first_id = w->record_id;
		c->last_id = w->record_id;
		c->last_record = start;
		c->n_records++;
		return 0;
	}
	memset(c->buf + start, 0, EVTX_CHUNK_SIZE - start);
	c->pos = start;
	c->n_names = n_names;
	chunk_drop_templates(c, n_templates);
	c->full = 0;
	return c->nomem ? EVTX_WRITER_ENOMEM : 1;
}

int evtx_writer_append(struct evtx_writer *w, const struct evtx_writer_event *ev)
{
	if (w->error)
		return w->error;
	int rc = prepare(w, ev);
	if (rc)
		return rc;
	if (w->scratch_len > RECORDS_END - EVTX_CHUNK_HEADER_SIZE)
		return EVTX_WRITER_ETOOBIG;	/* the values alone fill a chunk */
	rc = chunk_try_record(w);
	if (rc == 1) {
		/* A full chunk is written out and the record built again in a fresh one. */
		if (!w->chunk.n_records || w->n_chunks + 1 >= UINT16_MAX)
			return EVTX_WRITER_ETOOBIG;
		rc = chunk_flush(w);
		rc = rc ? rc : chunk_try_record(w);
		if (rc == 1)
			return EVTX_WRITER_ETOOBIG;
	}
	if (rc)
		return rc;
	w->last_id = w->record_id;
	w->n_records++;
	return 0;
}

int evtx_writer_close(struct evtx_writer *w)
{
	if (!w)
		return 0;
	int rc = chunk_flush(w);
	uint8_t h[EVTX_FILE_HEADER_BLOCK_SIZE];
	file_header(w, h);
	if (!rc && fseek(w->fp, 0, SEEK_SET) != 0)
		rc = EVTX_WRITER_EIO;
	if (!rc)
		rc = write_all(w, h, sizeof(h));
	if (fclose(w->fp) != 0 && !rc)
		rc = EVTX_WRITER_EIO;
	chunk_drop_templates(&w->chunk, 0);
	free(w->chunk.templates);
	free(w);
	return rc;
}

uint64_t evtx_writer_records(const struct evtx_writer *w)
{
	return w->n_records;
}

uint32_t evtx_writer_chunks(const struct evtx_writer *w)
{
	return w->n_chunks + (w->chunk.n_records ? 1 : 0);
}

const char *evtx_writer_strerror(int rc)
{
	switch (rc) {
	case 0: return "success";
	case EVTX_WRITER_EIO: return "write error";
	case EVTX_WRITER_ENOMEM: return "out of memory";
	case EVTX_WRITER_EINVAL: return "value cannot be encoded";
	case EVTX_WRITER_ETOOBIG: return "record too large for a chunk";
	default: return "unknown error";
	}
}
