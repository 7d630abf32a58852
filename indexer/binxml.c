/* binxml.c: a record's binary XML, compiled to ops and run against the event.
 *
 * Two steps. Compiling reads tokens through the reader, resolves names and checks
 * the structure, and writes ops: template definitions once per chunk (cached by
 * offset), the record's own stream and binary XML values per record. Running the
 * ops opens and closes elements on a small frame stack, substitutes values and
 * captures what the event needs. An element whose subtree holds nothing the
 * current section wants (a System/Level, an Execution), and no substitution whose
 * value is binary XML, is stepped over whole. */
#include <stdlib.h>
#include <string.h>

#include "binxml.h"
#include "binxml_text.h"
#include "convert.h"
#include "evtx_format.h"
#include "reader.h"

#define NONE SIZE_MAX
#define TOKEN_KIND(t) ((uint8_t)((t) & ~EVTX_TOKEN_FLAG_MORE))
#define MAX_VALUES ((size_t)1 << 20)	/* substitution values one record may hold */
#define MAX_OPS ((size_t)1 << 22)	/* ops of one chunk's templates, or of one record */
#define MAX_NAMES ((size_t)EVTX_CHUNK_SIZE)

/* Names the walk has to recognise; everything else is NAME_OTHER. */
enum known {
	NAME_OTHER,
	NAME_SYSTEM,
	NAME_EVENTDATA,
	NAME_USERDATA,
	NAME_PROVIDER,
	NAME_EVENTID,
	NAME_VERSION,
	NAME_TIMECREATED,
	NAME_EVENTRECORDID,
	NAME_CHANNEL,
	NAME_COMPUTER,
	NAME_SECURITY,
	NAME_BINARY,
	NAME_NAME,
	NAME_SYSTEMTIME,
	NAME_USERID,
};

static const char *const known_names[] = {
	[NAME_SYSTEM] = "System",
	[NAME_EVENTDATA] = "EventData",
	[NAME_USERDATA] = "UserData",
	[NAME_PROVIDER] = "Provider",
	[NAME_EVENTID] = "EventID",
	[NAME_VERSION] = "Version",
	[NAME_TIMECREATED] = "TimeCreated",
	[NAME_EVENTRECORDID] = "EventRecordID",
	[NAME_CHANNEL] = "Channel",
	[NAME_COMPUTER] = "Computer",
	[NAME_SECURITY] = "Security",
	[NAME_BINARY] = "Binary",
	[NAME_NAME] = "Name",
	[NAME_SYSTEMTIME] = "SystemTime",
	[NAME_USERID] = "UserID",
};

#define BIT(k) ((uint16_t)(1u << (k)))
#define MASK_SECTIONS (BIT(NAME_SYSTEM) | BIT(NAME_EVENTDATA) | BIT(NAME_USERDATA))
#define MASK_SYSTEM_WANTED (BIT(NAME_PROVIDER) | BIT(NAME_EVENTID) | BIT(NAME_VERSION) | BIT(NAME_TIMECREATED) | \
			    BIT(NAME_EVENTRECORDID) | BIT(NAME_CHANNEL) | BIT(NAME_COMPUTER) | BIT(NAME_SECURITY))

enum section { SEC_NONE, SEC_SYSTEM, SEC_EVENTDATA, SEC_USERDATA };

enum op_kind {
	OP_OPEN,	/* element start: a name, b index just past the element */
	OP_ATTR,	/* attribute: a name; its value pieces follow */
	OP_CONTENT,	/* '>': content follows up to OP_END */
	OP_EMPTY,	/* '/>': the element ends here */
	OP_END,		/* end of the element's content */
	OP_TEXT,	/* UTF-16LE text (value text or CDATA): a chunk offset, n characters */
	OP_CHAR,	/* character reference: n */
	OP_ENTITY,	/* entity reference: a name */
	OP_SUBST,	/* substitution: n index */
	OP_INSTANCE,	/* template instance: a definition offset, b first value, n values */
};

struct op {
	uint8_t kind;
	uint8_t depth;		/* OP_OPEN: levels of elements in its subtree (at most 255) */
	uint16_t mask;		/* OP_OPEN: BIT(known) of the element names in its subtree */
	uint16_t n;
	uint8_t static_values;	/* OP_INSTANCE: its values are in bx->tvalues (inside a definition) */
	uint8_t other_id;	/* OP_INSTANCE: its template id is not its definition's */
	uint32_t a;
	uint32_t b;
};

struct ops {
	struct op *v;
	size_t n, cap;
};

/* Chunk offset -> index, open addressing; a key is stored as offset + 1. */
struct offmap {
	uint32_t *keys;
	uint32_t *vals;
	size_t cap;
	size_t n;
};

struct name {
	size_t text;		/* offset of the UTF-8 name in bx->names */
	uint16_t units;		/* UTF-16 characters, to step over a name stored inline */
	uint8_t known;
};

struct value {
	uint32_t off;		/* chunk offset of the value data */
	uint16_t size;
	uint8_t type;
};

struct template {
	uint32_t end;		/* chunk offset just past the definition */
	int state;		/* 0 not compiled, 1 compiled, < 0 cannot be (a BINXML_E* code) */
	uint32_t start_op, end_op;	/* its ops in bx->tops */
	uint32_t n_subst;	/* highest substitution index in it, plus one */
};

/* The substitution values an expansion sees: values[base .. base + n). */
struct subs {
	size_t base;
	size_t n;
	int valid;
};

/* Repetition of one element for the items of an array substitution in it. */
struct rep {
	uint32_t item;		/* which item this pass takes */
	int more;		/* an array in the element has items after it */
	size_t str_key;		/* string-array cursor: value index + 1, item, offset */
	uint32_t str_item;
	size_t str_off;
};

struct frame {
	uint32_t name;		/* index into bx->name_v */
	uint8_t known;
	uint8_t leaf;		/* no child element so far */
	uint8_t text;		/* its text is wanted */
	uint8_t opens_section;
	uint8_t want_attr;	/* known name of the attribute wanted from it, 0 none */
	size_t text_start;	/* where its text starts in bx->out */
	size_t attr_value;	/* offset in bx->out of the wanted attribute's value */
};

enum field_name { FIELD_NAME_EMPTY, FIELD_NAME_OUT, FIELD_NAME_ELEMENT };

struct field_ref {
	size_t name;
	size_t value;
	uint8_t name_kind;
};

/* A token stream: positions are chunk offsets; the window ends where its data ends. */
struct stream {
	struct reader r;
	int dep;		/* element starts carry a dependency identifier */
};

struct binxml {
	struct reader chunk;
	int strict;			/* names are checked (binxml_strict) */
	/* per chunk */
	struct binxml_text names;
	struct name *name_v;
	size_t n_names, cap_names;
	struct offmap name_map;
	struct template *tmpl_v;
	size_t n_tmpl, cap_tmpl;
	struct offmap tmpl_map;
	struct ops tops;		/* compiled template definitions */
	struct value *tvalues;		/* values of instances inside definitions */
	size_t n_tvalues, cap_tvalues;
	/* per record */
	struct ops rops;		/* the record's stream and its binary XML values */
	struct value *values;
	size_t n_values, cap_values;
	uint32_t active[BINXML_MAX_DEPTH];	/* definitions being expanded */
	unsigned n_active;
	struct frame frames[BINXML_MAX_DEPTH];
	unsigned n_frames;
	enum section sec;
	uint32_t tokens_left;
	struct binxml_text out;
	struct field_ref *field_refs;
	struct evtx_field *fields;
	size_t n_fields, cap_fields, cap_fields_out;
	size_t provider, channel, computer, user_sid, binary;
	uint64_t event_record_id, time_created;
	uint32_t event_id, version;
	int have_id;
	int (*want_data)(uint32_t event_id);	/* NULL: every record's data is rendered */
};

#define TRY(expr) do { int rc_ = (expr); if (rc_) return rc_; } while (0)
#define READ(expr) do { if ((expr) != 0) return BINXML_ETRUNCATED; } while (0)

/* ---- small containers ---------------------------------------------------- */

static size_t offmap_slot(uint32_t key, size_t cap)
{
	return (size_t)((key * 2654435761U) >> 8) & (cap - 1);
}

static int offmap_find(const struct offmap *m, uint32_t key, uint32_t *val)
{
	if (m->n == 0)
		return 0;
	for (size_t i = offmap_slot(key, m->cap);; i = (i + 1) & (m->cap - 1)) {
		if (m->keys[i] == 0)
			return 0;
		if (m->keys[i] == key + 1) {
			*val = m->vals[i];
			return 1;
		}
	}
}

static int offmap_put(struct offmap *m, uint32_t key, uint32_t val)
{
	size_t i;
	if ((m->n + 1) * 2 > m->cap) {
		size_t cap = m->cap ? m->cap * 2 : 256;
		uint32_t *keys = calloc(cap, sizeof(*keys)), *vals = malloc(cap * sizeof(*vals));
		if (!keys || !vals) {
			free(keys);
			free(vals);
			return BINXML_ENOMEM;
		}
		for (i = 0; i < m->cap; i++) {
			if (!m->keys[i])
				continue;
			size_t j = offmap_slot(m->keys[i] - 1, cap);
			while (keys[j])
				j = (j + 1) & (cap - 1);
			keys[j] = m->keys[i];
			vals[j] = m->vals[i];
		}
		free(m->keys);
		free(m->vals);
		m->keys = keys;
		m->vals = vals;
		m->cap = cap;
	}
	for (i = offmap_slot(key, m->cap); m->keys[i]; i = (i + 1) & (m->cap - 1))
		;
	m->keys[i] = key + 1;
	m->vals[i] = val;
	m->n++;
	return 0;
}

static void offmap_clear(struct offmap *m)
{
	if (m->n)
		memset(m->keys, 0, m->cap * sizeof(*m->keys));
	m->n = 0;
}

/* Grows an array of `size`-byte items to hold at least `want`; max bounds it. */
static int grow(void **v, size_t *cap, size_t want, size_t size, size_t max)
{
	size_t c = *cap ? *cap : 64;
	void *p;
	if (want <= *cap)
		return 0;
	if (want > max)
		return BINXML_ETOOBIG;
	while (c < want)
		c *= 2;
	if (c > max)
		c = max;
	p = realloc(*v, c * size);
	if (!p)
		return BINXML_ENOMEM;
	*v = p;
	*cap = c;
	return 0;
}

/* Appends an op; returns its index in *at. */
static int emit(struct ops *o, uint8_t kind, uint16_t n, uint32_t a, uint32_t b, size_t *at)
{
	TRY(grow((void **)&o->v, &o->cap, o->n + 1, sizeof(*o->v), MAX_OPS));
	memset(&o->v[o->n], 0, sizeof(o->v[o->n]));
	o->v[o->n].kind = kind;
	o->v[o->n].n = n;
	o->v[o->n].a = a;
	o->v[o->n].b = b;
	if (at)
		*at = o->n;
	o->n++;
	return 0;
}

/* ---- life cycle ------------------------------------------------------- */

int binxml_new(struct binxml **out)
{
	struct binxml *bx = calloc(1, sizeof(*bx));
	if (!bx)
		return BINXML_ENOMEM;
	binxml_text_init(&bx->names);
	binxml_text_init(&bx->out);
	*out = bx;
	return 0;
}

void binxml_free(struct binxml *bx)
{
	if (!bx)
		return;
	binxml_text_release(&bx->names);
	binxml_text_release(&bx->out);
	free(bx->name_map.keys);
	free(bx->name_map.vals);
	free(bx->tmpl_map.keys);
	free(bx->tmpl_map.vals);
	free(bx->name_v);
	free(bx->tmpl_v);
	free(bx->tops.v);
	free(bx->tvalues);
	free(bx->rops.v);
	free(bx->values);
	free(bx->field_refs);
	free(bx->fields);
	free(bx);
}

void binxml_want_data(struct binxml *bx, int (*want)(uint32_t event_id))
{
	bx->want_data = want;
}

void binxml_strict(struct binxml *bx, int on)
{
	bx->strict = on;
}

void binxml_chunk(struct binxml *bx, const uint8_t *chunk, size_t len)
{
	reader_init(&bx->chunk, chunk, len < EVTX_CHUNK_SIZE ? len : EVTX_CHUNK_SIZE);
	bx->names.len = 0;
	bx->n_names = 0;
	bx->n_tmpl = 0;
	bx->tops.n = 0;
	bx->n_tvalues = 0;
	offmap_clear(&bx->name_map);
	offmap_clear(&bx->tmpl_map);
}

const char *binxml_strerror(int code)
{
	switch (code) {
	case BINXML_ENOMEM: return "out of memory";
	case BINXML_ETRUNCATED: return "binary xml runs past its data";
	case BINXML_ETOKEN: return "unexpected binary xml token";
	case BINXML_EDEPTH: return "binary xml nested too deeply";
	case BINXML_ETEMPLATE: return "template definition out of range";
	case BINXML_ELOOP: return "template instantiates itself";
	case BINXML_ESUBST: return "substitution out of range";
	case BINXML_ETOOBIG: return "record expands past the decoding limits";
	case BINXML_ENOEVENTID: return "record has no event id";
	case BINXML_ETEMPLATEID: return "template id differs from its definition";
	case BINXML_EDESCRIPTOR: return "bad substitution value descriptor";
	case BINXML_ENAME: return "bad element or attribute name";
	default: return "cannot decode the record";
	}
}

/* ---- reading ------------------------------------------------------------ */

/* Little-endian fields of a header the reader has handed out whole. */
static uint16_t le16(const uint8_t *p)
{
	return (uint16_t)(p[0] | p[1] << 8);
}

static uint32_t le32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

/* A binxml_text.h code as ours. */
static int text_error(int rc)
{
	return rc == BINXML_TEXT_ENOMEM ? BINXML_ENOMEM : rc ? BINXML_ETOOBIG : 0;
}

static int next_token(struct binxml *bx, struct stream *s, uint8_t *tok)
{
	if (bx->tokens_left == 0)
		return BINXML_ETOOBIG;
	bx->tokens_left--;
	READ(reader_u8(&s->r, tok));
	return 0;
}

/* A window over the chunk for the data [off, off + len), cursor at off. */
static int stream_at(struct binxml *bx, size_t off, size_t len, int dep, struct stream *s)
{
	if (off > bx->chunk.len || len > bx->chunk.len - off)
		return BINXML_ETRUNCATED;
	READ(reader_sub(&bx->chunk, 0, off + len, &s->r));
	READ(reader_seek(&s->r, off));
	s->dep = dep;
	return 0;
}

static enum known classify(const char *s)
{
	for (size_t i = 1; i < sizeof(known_names) / sizeof(known_names[0]); i++)
		if (!strcmp(s, known_names[i]))
			return (enum known)i;
	return NAME_OTHER;
}

/* The name hash Windows stores with a name: over its UTF-16 code units. */
static uint16_t name_hash(const uint8_t *chars, uint16_t units)
{
	uint32_t h = 0;
	for (uint16_t k = 0; k < units; k++)
		h = h * EVTX_NAME_HASH_MULTIPLIER + le16(chars + 2u * k);
	return (uint16_t)h;
}

/* The name at chunk offset `off` (u32 next, u16 hash, u16 characters, UTF-16LE,
 * NUL); when the stream is at that offset the name is stored inline and skipped.
 * In strict mode a name whose NUL or hash is wrong is refused: it is damage, or
 * the offset of a deleted record's name whose bytes have since been overwritten. */
static int name_ref(struct binxml *bx, struct stream *s, uint32_t off, uint32_t *idx)
{
	uint32_t i;
	if (!offmap_find(&bx->name_map, off, &i)) {
		struct reader r = bx->chunk;
		const uint8_t *h, *chars;
		uint16_t units, nul;
		size_t text = bx->names.len;

		READ(reader_seek(&r, off));
		READ(reader_bytes(&r, EVTX_NAME_HEADER_SIZE, &h));
		units = le16(h + 6);
		READ(reader_bytes(&r, 2u * units, &chars));
		READ(reader_u16(&r, &nul));
		if (bx->strict && (nul != 0 || name_hash(chars, units) != le16(h + 4)))
			return BINXML_ENAME;
		TRY(text_error(binxml_text_utf16(&bx->names, chars, 2u * units)));
		TRY(text_error(binxml_text_end(&bx->names)));
		TRY(grow((void **)&bx->name_v, &bx->cap_names, bx->n_names + 1, sizeof(*bx->name_v), MAX_NAMES));
		i = (uint32_t)bx->n_names++;
		bx->name_v[i].text = text;
		bx->name_v[i].units = units;
		bx->name_v[i].known = (uint8_t)classify(bx->names.buf + text);
		TRY(offmap_put(&bx->name_map, off, i));
	}
	if (off == s->r.pos)
		READ(reader_skip(&s->r, EVTX_NAME_HEADER_SIZE + 2u * bx->name_v[i].units + 2));
	*idx = i;
	return 0;
}

/* The template definition at chunk offset `off`: u32 next, GUID, u32 data size,
 * then the data. *idx gets its index in bx->tmpl_v. */
static int template_ref(struct binxml *bx, uint32_t off, uint32_t *idx)
{
	uint32_t i, size;
	if (offmap_find(&bx->tmpl_map, off, idx))
		return 0;
	if (reader_u32_at(&bx->chunk, (size_t)off + EVTX_TEMPLATE_DEF_DATA_SIZE, &size) ||
	    size > bx->chunk.len - ((size_t)off + EVTX_TEMPLATE_DEF_HEADER_SIZE))
		return BINXML_ETEMPLATE;
	TRY(grow((void **)&bx->tmpl_v, &bx->cap_tmpl, bx->n_tmpl + 1, sizeof(*bx->tmpl_v), MAX_NAMES));
	i = (uint32_t)bx->n_tmpl++;
	memset(&bx->tmpl_v[i], 0, sizeof(bx->tmpl_v[i]));
	bx->tmpl_v[i].end = off + EVTX_TEMPLATE_DEF_HEADER_SIZE + size;
	TRY(offmap_put(&bx->tmpl_map, off, i));
	*idx = i;
	return 0;
}

/* ---- compiling tokens to ops ------------------------------------------- */

struct compile {
	struct stream *s;
	struct ops *ops;
	int in_definition;	/* instance values go to bx->tvalues */
	uint32_t n_subst;	/* highest substitution index seen, plus one */
};

static int compile_document(struct binxml *bx, struct compile *c, unsigned depth);

/* Value text (token read): type (a string), u16 characters, UTF-16LE. */
static int compile_text(struct compile *c)
{
	const uint8_t *h;
	uint32_t off;
	READ(reader_bytes(&c->s->r, 3, &h));
	off = (uint32_t)c->s->r.pos;
	READ(reader_skip(&c->s->r, 2u * le16(h + 1)));
	if (h[0] != EVTX_VALUE_STRING)
		return BINXML_ETOKEN;
	return emit(c->ops, OP_TEXT, le16(h + 1), off, 0, NULL);
}

/* A value piece after `tok` (read); *done when tok is not one. */
static int compile_piece(struct binxml *bx, struct compile *c, uint8_t tok, int *done)
{
	const uint8_t *h;
	uint32_t off, name;
	uint16_t n;

	*done = 0;
	switch (TOKEN_KIND(tok)) {
	case EVTX_TOKEN_VALUE:
		return compile_text(c);
	case EVTX_TOKEN_CDATA_SECTION:
		READ(reader_u16(&c->s->r, &n));
		off = (uint32_t)c->s->r.pos;
		READ(reader_skip(&c->s->r, 2u * n));
		return emit(c->ops, OP_TEXT, n, off, 0, NULL);
	case EVTX_TOKEN_CHAR_REF:
		READ(reader_u16(&c->s->r, &n));
		return emit(c->ops, OP_CHAR, n, 0, 0, NULL);
	case EVTX_TOKEN_ENTITY_REF:
		READ(reader_u32(&c->s->r, &off));
		TRY(name_ref(bx, c->s, off, &name));
		return emit(c->ops, OP_ENTITY, 0, name, 0, NULL);
	case EVTX_TOKEN_NORMAL_SUBSTITUTION:
	case EVTX_TOKEN_OPTIONAL_SUBSTITUTION:
		READ(reader_bytes(&c->s->r, 3, &h));
		if (le16(h) >= c->n_subst)
			c->n_subst = le16(h) + 1u;
		return emit(c->ops, OP_SUBST, le16(h), 0, 0, NULL);
	default:
		*done = 1;
		return 0;
	}
}

/* Element: token (0x41: with attributes), [u16 dependency id], u32 data size,
 * u32 name offset [name inline], [u32 attribute list size, attributes], then
 * close-empty, or close-start, content and end. The OP_OPEN gets the names in
 * the subtree and its depth. */
static int compile_element(struct binxml *bx, struct compile *c, unsigned depth, uint16_t *mask_out,
			   unsigned *depth_out)
{
	size_t head = c->s->dep ? EVTX_ELEMENT_START_SIZE : EVTX_ELEMENT_START_SIZE - 2, at;
	const uint8_t *h;
	uint8_t tok;
	uint32_t name, off;
	uint16_t mask;
	unsigned deepest = 0, d;
	int done;

	if (depth >= BINXML_MAX_DEPTH)
		return BINXML_EDEPTH;
	READ(reader_bytes(&c->s->r, head, &h));
	TRY(name_ref(bx, c->s, le32(h + head - 4), &name));
	TRY(emit(c->ops, OP_OPEN, 0, name, 0, &at));
	mask = bx->name_v[name].known == NAME_OTHER ? 0 : BIT(bx->name_v[name].known);
	if (h[0] & EVTX_TOKEN_FLAG_MORE)
		READ(reader_skip(&c->s->r, 4));	/* attribute list size */
	TRY(next_token(bx, c->s, &tok));
	if (h[0] & EVTX_TOKEN_FLAG_MORE) {
		while (TOKEN_KIND(tok) == EVTX_TOKEN_ATTRIBUTE) {
			READ(reader_u32(&c->s->r, &off));
			TRY(name_ref(bx, c->s, off, &name));
			TRY(emit(c->ops, OP_ATTR, 0, name, 0, NULL));
			for (;;) {
				TRY(next_token(bx, c->s, &tok));
				if (TOKEN_KIND(tok) == EVTX_TOKEN_CDATA_SECTION)
					return BINXML_ETOKEN;
				TRY(compile_piece(bx, c, tok, &done));
				if (done)
					break;
			}
		}
	}
	if (tok == EVTX_TOKEN_CLOSE_EMPTY_ELEMENT) {
		TRY(emit(c->ops, OP_EMPTY, 0, 0, 0, NULL));
	} else if (tok == EVTX_TOKEN_CLOSE_START_ELEMENT) {
		TRY(emit(c->ops, OP_CONTENT, 0, 0, 0, NULL));
		for (;;) {
			TRY(next_token(bx, c->s, &tok));
			switch (TOKEN_KIND(tok)) {
			case EVTX_TOKEN_OPEN_START_ELEMENT: {
				uint16_t m = 0;
				c->s->r.pos--;
				TRY(compile_element(bx, c, depth + 1, &m, &d));
				mask |= m;
				if (d > deepest)
					deepest = d;
				continue;
			}
			case EVTX_TOKEN_END_ELEMENT:
				TRY(emit(c->ops, OP_END, 0, 0, 0, NULL));
				break;
			case EVTX_TOKEN_PI_TARGET:
				READ(reader_u32(&c->s->r, &off));
				TRY(name_ref(bx, c->s, off, &name));
				continue;
			case EVTX_TOKEN_PI_DATA: {
				uint16_t units;
				READ(reader_u16(&c->s->r, &units));
				READ(reader_skip(&c->s->r, 2u * units));
				continue;
			}
			default:
				TRY(compile_piece(bx, c, tok, &done));
				if (done)
					return BINXML_ETOKEN;
				continue;
			}
			break;
		}
	} else {
		return BINXML_ETOKEN;
	}
	c->ops->v[at].b = (uint32_t)c->ops->n;
	c->ops->v[at].mask = mask;
	c->ops->v[at].depth = (uint8_t)(deepest + 1 < 255 ? deepest + 1 : 255);
	*mask_out = mask;
	*depth_out = deepest + 1;
	return 0;
}

/* Template instance (token read): u8 1, u32 template id, u32 chunk offset of the
 * definition (which follows at once when it points here), then the instance data:
 * u32 count, count x (u16 size, u8 type, u8 0), the values back to back. */
static int compile_instance(struct binxml *bx, struct compile *c)
{
	const uint8_t *h, *desc;
	uint32_t def, idx, count, id = 0;
	size_t at, total = 0;
	struct value **vv = c->in_definition ? &bx->tvalues : &bx->values;
	size_t *nv = c->in_definition ? &bx->n_tvalues : &bx->n_values;
	size_t *cv = c->in_definition ? &bx->cap_tvalues : &bx->cap_values;
	size_t base = *nv;

	READ(reader_bytes(&c->s->r, EVTX_TEMPLATE_INSTANCE_SIZE - 1, &h));
	def = le32(h + 5);
	TRY(template_ref(bx, def, &idx));
	reader_u32_at(&bx->chunk, (size_t)def + EVTX_TEMPLATE_DEF_GUID, &id);
	if (def == c->s->r.pos)
		READ(reader_seek(&c->s->r, bx->tmpl_v[idx].end));
	READ(reader_u32(&c->s->r, &count));
	if (count > reader_remaining(&c->s->r) / EVTX_VALUE_DESCRIPTOR_SIZE)
		return BINXML_ETRUNCATED;
	READ(reader_bytes(&c->s->r, (size_t)count * EVTX_VALUE_DESCRIPTOR_SIZE, &desc));
	TRY(grow((void **)vv, cv, base + count, sizeof(**vv), MAX_VALUES));
	at = c->s->r.pos;
	for (uint32_t i = 0; i < count; i++, desc += EVTX_VALUE_DESCRIPTOR_SIZE) {
		(*vv)[base + i].off = (uint32_t)(at + total);
		(*vv)[base + i].size = le16(desc);
		(*vv)[base + i].type = desc[2];
		/* Windows writes the descriptor's last byte as 0: anything else is damage */
		if (desc[3] != 0)
			return BINXML_EDESCRIPTOR;
		total += le16(desc);
	}
	READ(reader_skip(&c->s->r, total));
	*nv = base + count;
	TRY(emit(c->ops, OP_INSTANCE, (uint16_t)count, def, (uint32_t)base, &at));
	c->ops->v[at].static_values = (uint8_t)c->in_definition;
	/* The instance repeats the first 4 bytes of the definition's GUID: where they
	 * differ, the offset does not lead to the definition the record was written with
	 * (a deleted record whose definition has since been overwritten). */
	c->ops->v[at].other_id = id != le32(h + 1);
	return 0;
}

/* A document: fragment headers, elements or template instances, processing
 * instructions, until EOF or the end of the data. */
static int compile_document(struct binxml *bx, struct compile *c, unsigned depth)
{
	uint8_t tok;
	uint16_t units, mask;
	uint32_t off, idx;
	unsigned d;

	while (reader_remaining(&c->s->r) > 0) {
		TRY(next_token(bx, c->s, &tok));
		switch (TOKEN_KIND(tok)) {
		case EVTX_TOKEN_EOF:
			return 0;
		case EVTX_TOKEN_FRAGMENT_HEADER:
			READ(reader_skip(&c->s->r, EVTX_FRAGMENT_HEADER_SIZE - 1));
			break;
		case EVTX_TOKEN_TEMPLATE_INSTANCE:
			TRY(compile_instance(bx, c));
			break;
		case EVTX_TOKEN_OPEN_START_ELEMENT:
			c->s->r.pos--;
			TRY(compile_element(bx, c, depth, &mask, &d));
			break;
		case EVTX_TOKEN_PI_TARGET:
			READ(reader_u32(&c->s->r, &off));
			TRY(name_ref(bx, c->s, off, &idx));
			break;
		case EVTX_TOKEN_PI_DATA:
			READ(reader_u16(&c->s->r, &units));
			READ(reader_skip(&c->s->r, 2u * units));
			break;
		default:
			return BINXML_ETOKEN;
		}
	}
	return 0;
}

/* Compiles definition `idx` (at chunk offset def) into bx->tops once. */
static int template_compiled(struct binxml *bx, uint32_t def, uint32_t idx)
{
	struct template *t = &bx->tmpl_v[idx];
	struct stream s;
	struct compile c = { &s, &bx->tops, 1, 0 };
	size_t start = bx->tops.n, n_tvalues = bx->n_tvalues;
	int rc;

	if (t->state)
		return t->state < 0 ? t->state : 0;
	rc = stream_at(bx, (size_t)def + EVTX_TEMPLATE_DEF_HEADER_SIZE,
		       t->end - ((size_t)def + EVTX_TEMPLATE_DEF_HEADER_SIZE), 1, &s);
	if (rc == 0)
		rc = compile_document(bx, &c, 0);
	t = &bx->tmpl_v[idx];
	if (rc == BINXML_ENOMEM || rc == BINXML_ETOOBIG) {
		bx->tops.n = start;
		bx->n_tvalues = n_tvalues;
		return rc;
	}
	t->state = rc ? rc : 1;
	t->start_op = (uint32_t)start;
	t->end_op = (uint32_t)bx->tops.n;
	t->n_subst = c.n_subst;
	return rc;
}

/* ---- the event being built -------------------------------------------- */

static struct frame *top(struct binxml *bx)
{
	return bx->n_frames ? &bx->frames[bx->n_frames - 1] : NULL;
}

static int want_text(struct binxml *bx)
{
	struct frame *f = top(bx);
	return f && f->text && f->leaf;
}

/* The top frame gets a child element: it is no leaf, and its text is dropped. */
static void child_seen(struct binxml *bx)
{
	struct frame *parent = top(bx);
	if (parent && parent->leaf) {
		parent->leaf = 0;
		if (parent->text)
			bx->out.len = parent->text_start;
	}
}

static int frame_open(struct binxml *bx, uint32_t name)
{
	struct frame *f;
	uint8_t known = bx->name_v[name].known;

	if (bx->n_frames >= BINXML_MAX_DEPTH)
		return BINXML_EDEPTH;
	child_seen(bx);
	f = &bx->frames[bx->n_frames++];
	memset(f, 0, sizeof(*f));
	f->name = name;
	f->known = known;
	f->leaf = 1;
	f->attr_value = NONE;
	if (bx->sec == SEC_NONE) {
		enum section s = known == NAME_SYSTEM ? SEC_SYSTEM : known == NAME_EVENTDATA ? SEC_EVENTDATA
				 : known == NAME_USERDATA ? SEC_USERDATA : SEC_NONE;
		if (s != SEC_NONE) {
			bx->sec = s;
			f->opens_section = 1;
		}
	}
	switch (bx->sec) {
	case SEC_SYSTEM:
		f->text = known == NAME_EVENTID || known == NAME_VERSION || known == NAME_EVENTRECORDID ||
			  known == NAME_CHANNEL || known == NAME_COMPUTER;
		f->want_attr = known == NAME_PROVIDER ? NAME_NAME : known == NAME_TIMECREATED ? NAME_SYSTEMTIME
			       : known == NAME_SECURITY ? NAME_USERID : 0;
		break;
	case SEC_EVENTDATA:
		f->text = 1;
		f->want_attr = NAME_NAME;
		break;
	case SEC_USERDATA:
		f->text = 1;
		break;
	case SEC_NONE:
		break;
	}
	f->text_start = bx->out.len;
	return 0;
}

/* The wanted attribute of frame f has its value at out[start..]. */
static void attr_captured(struct binxml *bx, struct frame *f, size_t start)
{
	uint64_t ft;
	switch (f->want_attr) {
	case NAME_SYSTEMTIME:
		if (convert_iso_filetime(bx->out.buf + start, &ft) == 0)
			bx->time_created = ft;
		bx->out.len = start;
		break;
	case NAME_USERID:
		bx->user_sid = start;
		break;
	case NAME_NAME:
		if (bx->sec == SEC_SYSTEM)
			bx->provider = start;
		else
			f->attr_value = start;
		break;
	}
	f->want_attr = 0;	/* the first of a repeated attribute counts */
	f->text_start = bx->out.len;
}

static int add_field(struct binxml *bx, uint8_t name_kind, size_t name, size_t value)
{
	TRY(grow((void **)&bx->field_refs, &bx->cap_fields, bx->n_fields + 1, sizeof(*bx->field_refs),
		 BINXML_MAX_FIELDS));
	bx->field_refs[bx->n_fields].name_kind = name_kind;
	bx->field_refs[bx->n_fields].name = name;
	bx->field_refs[bx->n_fields].value = value;
	bx->n_fields++;
	return 0;
}

static int frame_close(struct binxml *bx)
{
	struct frame *f = top(bx);
	uint64_t v;

	if (f->leaf && f->text) {
		size_t start = f->text_start;
		int empty;
		/* a value that is one line feed is empty, as Event Viewer and libevtx show it */
		if (bx->out.len == start + 1 && bx->out.buf[start] == '\n')
			bx->out.len = start;
		empty = bx->out.len == start;
		TRY(text_error(binxml_text_end(&bx->out)));
		switch (bx->sec) {
		case SEC_SYSTEM:
			if (f->known == NAME_CHANNEL) {
				bx->channel = start;
				break;
			}
			if (f->known == NAME_COMPUTER) {
				bx->computer = start;
				break;
			}
			if (convert_int(bx->out.buf + start, &v) == 0) {
				if (f->known == NAME_EVENTID) {
					bx->event_id = (uint32_t)v;
					bx->have_id = 1;
				} else if (f->known == NAME_VERSION) {
					bx->version = (uint32_t)v;
				} else {
					bx->event_record_id = v;
				}
			}
			bx->out.len = start;
			break;
		case SEC_EVENTDATA:
			if (f->known == NAME_BINARY && !f->opens_section)
				bx->binary = start;
			else if (!(f->opens_section && empty))
				TRY(add_field(bx, f->attr_value == NONE ? FIELD_NAME_EMPTY : FIELD_NAME_OUT, f->attr_value,
					      start));
			break;
		case SEC_USERDATA:
			if (!(f->opens_section && empty))
				TRY(add_field(bx, FIELD_NAME_ELEMENT, bx->name_v[f->name].text, start));
			break;
		case SEC_NONE:
			break;
		}
	}
	if (f->opens_section)
		bx->sec = SEC_NONE;
	bx->n_frames--;
	return 0;
}

/* Can an element with subtree mask m give anything in the current section? */
static int interesting(const struct binxml *bx, uint16_t m)
{
	switch (bx->sec) {
	case SEC_NONE:
		/* System comes first: once the event id is known, data nobody wants is skipped. */
		if (bx->want_data && bx->have_id && !bx->want_data(bx->event_id))
			return (m & BIT(NAME_SYSTEM)) != 0;
		return (m & MASK_SECTIONS) != 0;
	case SEC_SYSTEM:
		return (m & MASK_SYSTEM_WANTED) != 0;
	default:
		return 1;
	}
}

/* Does a substitution in ops [i, end) take a binary XML value (whose elements
 * nobody can tell beforehand)? */
static int holds_binxml(const struct binxml *bx, const struct ops *ops, size_t i, size_t end, struct subs subs)
{
	for (; i < end; i++)
		if (ops->v[i].kind == OP_SUBST && subs.valid && ops->v[i].n < subs.n &&
		    bx->values[subs.base + ops->v[i].n].type == EVTX_VALUE_BINXML)
			return 1;
	return 0;
}

/* ---- running ops -------------------------------------------------------- */

/* What a piece of value is wanted for. */
enum keep { KEEP_NONE, KEEP_TEXT, KEEP_TIME };

/* FILETIME of 10000-01-01: from there on libevtx writes a FILETIME in hex. */
#define FILETIME_YEAR_10000 2650467744000000000ULL

static int run_document(struct binxml *bx, struct ops *ops, size_t i, size_t end, struct subs subs, unsigned depth);

/* Item `k` of a NUL-separated string array in data[0..n) (unit 2 for UTF-16, 1 for
 * ANSI); sets *more when items follow. The cursor in rep makes a pass O(item). */
static void string_item(struct rep *rep, size_t key, const uint8_t *data, size_t n, size_t unit, uint32_t k,
			size_t *start, size_t *len, int *more)
{
	size_t pos = 0;
	uint32_t at = 0;

	if (rep->str_key == key && rep->str_item <= k) {
		pos = rep->str_off;
		at = rep->str_item;
	}
	while (pos < n) {
		size_t e = pos, next;
		while (e + unit <= n && (data[e] || (unit == 2 && data[e + 1])))
			e += unit;
		next = e + unit <= n ? e + unit : n;
		if (at == k) {
			*start = pos;
			*len = e - pos;
			*more = next < n;
			rep->str_key = key;
			rep->str_item = k + 1;
			rep->str_off = next;
			return;
		}
		pos = next;
		at++;
	}
	*start = n;
	*len = 0;
	*more = 0;
}

/* Substitution `index` in element content or, with rep NULL, in an attribute value
 * (where an array gives its first item). With KEEP_TIME a FILETIME value goes to
 * bx->time_created instead of the text, and *direct says so. */
static int run_subst(struct binxml *bx, uint16_t index, struct subs subs, struct rep *rep, enum keep keep,
		     int *direct, unsigned depth)
{
	const uint8_t *data;
	struct value v;
	struct reader r;
	unsigned base;
	uint32_t k = rep ? rep->item : 0;
	int more = 0;

	if (!subs.valid || index >= subs.n)
		return BINXML_ESUBST;
	v = bx->values[subs.base + index];
	if (v.type == EVTX_VALUE_NULL)
		return 0;
	if (v.type == EVTX_VALUE_BINXML) {
		struct stream in;
		struct compile c = { &in, &bx->rops, 0, 0 };
		size_t start = bx->rops.n;
		if (!rep)
			return 0;
		if (depth + 1 >= BINXML_MAX_DEPTH)
			return BINXML_EDEPTH;
		TRY(stream_at(bx, v.off, v.size, 0, &in));
		TRY(compile_document(bx, &c, depth + 1));
		/* its elements substitute from the instance around it */
		if (c.n_subst > subs.n)
			return BINXML_ESUBST;
		return run_document(bx, &bx->rops, start, bx->rops.n, subs, depth + 1);
	}
	if (!keep && !(v.type & EVTX_VALUE_ARRAY_FLAG))
		return 0;
	r = bx->chunk;
	READ(reader_seek(&r, v.off));
	READ(reader_bytes(&r, v.size, &data));
	if (!(v.type & EVTX_VALUE_ARRAY_FLAG)) {
		if (keep == KEEP_TIME && v.type == EVTX_VALUE_FILETIME && v.size == 8) {
			uint64_t ft = (uint64_t)le32(data) | (uint64_t)le32(data + 4) << 32;
			if (ft < FILETIME_YEAR_10000) {
				bx->time_created = ft;
				*direct = 1;
				return 0;
			}
		}
		return text_error(binxml_text_value(&bx->out, v.type, data, v.size));
	}
	base = v.type & (unsigned)~EVTX_VALUE_ARRAY_FLAG;
	if (base == EVTX_VALUE_STRING || base == EVTX_VALUE_ANSI_STRING) {
		struct rep first = { 0 };
		size_t start, len;
		string_item(rep ? rep : &first, subs.base + index + 1, data, v.size, base == EVTX_VALUE_STRING ? 2 : 1,
			    k, &start, &len, &more);
		if (keep)
			TRY(text_error(binxml_text_value(&bx->out, base, data + start, len)));
	} else {
		size_t w = binxml_text_item_size(base), count = w ? v.size / w : 0;
		if (w == 0) {
			/* no fixed item size (SID, binary, binary XML arrays): the bytes as hex */
			if (keep && k == 0)
				TRY(text_error(binxml_text_hex(&bx->out, data, v.size)));
		} else if (k < count) {
			more = k + 1 < count;
			if (keep)
				TRY(text_error(binxml_text_value(&bx->out, base, data + k * w, w)));
		}
	}
	if (rep && more)
		rep->more = 1;
	return 0;
}

/* One value piece (text, reference or substitution). */
static int run_piece(struct binxml *bx, const struct op *o, struct subs subs, struct rep *rep, enum keep keep,
		     int *direct, unsigned depth)
{
	struct reader r;
	const uint8_t *chars;
	const char *name;
	static const struct { const char *name, *text; } entities[] = {
		{ "lt", "<" }, { "gt", ">" }, { "amp", "&" }, { "quot", "\"" }, { "apos", "'" },
	};

	if (o->kind == OP_SUBST)
		return run_subst(bx, o->n, subs, rep, keep, direct, depth);
	if (!keep)
		return 0;
	switch (o->kind) {
	case OP_TEXT:
		r = bx->chunk;
		READ(reader_seek(&r, o->a));
		READ(reader_bytes(&r, 2u * o->n, &chars));
		return text_error(binxml_text_utf16(&bx->out, chars, 2u * o->n));
	case OP_CHAR:
		return text_error(binxml_text_codepoint(&bx->out, o->n));
	case OP_ENTITY:
		name = bx->names.buf + bx->name_v[o->a].text;
		for (size_t i = 0; i < sizeof(entities) / sizeof(entities[0]); i++)
			if (!strcmp(name, entities[i].name))
				return text_error(binxml_text_append(&bx->out, entities[i].text, 1));
		/* the name lives in bx->names, which does not move while out grows */
		TRY(text_error(binxml_text_append(&bx->out, "&", 1)));
		TRY(text_error(binxml_text_append(&bx->out, name, strlen(name))));
		return text_error(binxml_text_append(&bx->out, ";", 1));
	default:
		return BINXML_ETOKEN;
	}
}

/* The attribute at ops[*i] and its pieces; *i moves past them. */
static int run_attribute(struct binxml *bx, struct ops *ops, size_t *i, struct subs subs)
{
	struct frame *f = top(bx);
	enum keep keep = KEEP_NONE;
	int direct = 0;
	size_t start = bx->out.len;
	uint32_t name = ops->v[*i].a;

	if (f->want_attr && bx->name_v[name].known == f->want_attr)
		keep = f->want_attr == NAME_SYSTEMTIME ? KEEP_TIME : KEEP_TEXT;
	for ((*i)++; ops->v[*i].kind >= OP_TEXT && ops->v[*i].kind <= OP_SUBST; (*i)++) {
		struct op o = ops->v[*i];
		TRY(run_piece(bx, &o, subs, NULL, direct ? KEEP_NONE : keep, &direct, 0));
	}
	if (direct) {
		bx->out.len = start;
		f->want_attr = 0;
	} else if (keep) {
		TRY(text_error(binxml_text_end(&bx->out)));
		attr_captured(bx, f, start);
	}
	return 0;
}

/* The element at ops[i0], once per array item; *next is the op past it. */
static int run_element(struct binxml *bx, struct ops *ops, size_t i0, struct subs subs, unsigned depth, size_t *next)
{
	struct op open = ops->v[i0];
	struct rep rep = { 0 };
	int direct;

	if (depth + open.depth > BINXML_MAX_DEPTH)
		return BINXML_EDEPTH;
	*next = open.b;
	if (!interesting(bx, open.mask) && !holds_binxml(bx, ops, i0 + 1, open.b, subs)) {
		child_seen(bx);
		return 0;
	}
	for (;;) {
		size_t i = i0 + 1;
		rep.more = 0;
		TRY(frame_open(bx, open.a));
		while (ops->v[i].kind == OP_ATTR)
			TRY(run_attribute(bx, ops, &i, subs));
		if (ops->v[i].kind == OP_CONTENT) {
			for (i++; ops->v[i].kind != OP_END;) {
				struct op o = ops->v[i];
				if (o.kind == OP_OPEN) {
					TRY(run_element(bx, ops, i, subs, depth + 1, &i));
					continue;
				}
				TRY(run_piece(bx, &o, subs, &rep, want_text(bx) ? KEEP_TEXT : KEEP_NONE, &direct, depth));
				i++;
			}
		}
		TRY(frame_close(bx));
		if (!rep.more)
			return 0;
		rep.item++;
		if (bx->tokens_left < (uint32_t)(open.b - i0))
			return BINXML_ETOOBIG;
		bx->tokens_left -= (uint32_t)(open.b - i0);
	}
}

static int run_instance(struct binxml *bx, struct op o, unsigned depth)
{
	uint32_t idx;
	size_t base = o.b;
	int rc;

	if (depth >= BINXML_MAX_DEPTH)
		return BINXML_EDEPTH;
	for (unsigned i = 0; i < bx->n_active; i++)
		if (bx->active[i] == o.a)
			return BINXML_ELOOP;
	if (o.other_id)
		return BINXML_ETEMPLATEID;
	TRY(template_ref(bx, o.a, &idx));
	TRY(template_compiled(bx, o.a, idx));
	if (bx->tmpl_v[idx].n_subst > o.n)
		return BINXML_ESUBST;
	if (o.static_values) {
		/* values written inside a definition: copied where substitutions look */
		base = bx->n_values;
		TRY(grow((void **)&bx->values, &bx->cap_values, base + o.n, sizeof(*bx->values), MAX_VALUES));
		memcpy(bx->values + base, bx->tvalues + o.b, (size_t)o.n * sizeof(*bx->values));
		bx->n_values = base + o.n;
	}
	bx->active[bx->n_active++] = o.a;
	rc = run_document(bx, &bx->tops, bx->tmpl_v[idx].start_op, bx->tmpl_v[idx].end_op,
			  (struct subs){ base, o.n, 1 }, depth + 1);
	bx->n_active--;
	return rc;
}

static int run_document(struct binxml *bx, struct ops *ops, size_t i, size_t end, struct subs subs, unsigned depth)
{
	if (depth >= BINXML_MAX_DEPTH)
		return BINXML_EDEPTH;
	while (i < end) {
		struct op o = ops->v[i];
		if (o.kind == OP_OPEN) {
			TRY(run_element(bx, ops, i, subs, depth, &i));
		} else if (o.kind == OP_INSTANCE) {
			TRY(run_instance(bx, o, depth));
			i++;
		} else {
			return BINXML_ETOKEN;
		}
	}
	return 0;
}

/* ---- one record ---------------------------------------------------------- */

static const char *out_str(const struct binxml *bx, size_t off)
{
	return off == NONE ? "" : bx->out.buf + off;
}

int binxml_record(struct binxml *bx, size_t off, size_t end, struct evtx_event *ev)
{
	struct stream s;
	struct compile c = { &s, &bx->rops, 0, 0 };

	bx->out.len = 0;
	bx->n_fields = 0;
	bx->n_frames = 0;
	bx->n_values = 0;
	bx->n_active = 0;
	bx->rops.n = 0;
	bx->sec = SEC_NONE;
	bx->tokens_left = BINXML_MAX_TOKENS;
	bx->provider = bx->channel = bx->computer = bx->user_sid = bx->binary = NONE;
	bx->event_record_id = bx->time_created = 0;
	bx->event_id = bx->version = 0;
	bx->have_id = 0;

	if (end < off)
		return BINXML_ETRUNCATED;
	TRY(stream_at(bx, off, end - off, 0, &s));
	TRY(compile_document(bx, &c, 0));
	if (c.n_subst)
		return BINXML_ESUBST;	/* outside any template */
	TRY(run_document(bx, &bx->rops, 0, bx->rops.n, (struct subs){ 0, 0, 0 }, 0));
	if (!bx->have_id)
		return BINXML_ENOEVENTID;
	TRY(grow((void **)&bx->fields, &bx->cap_fields_out, bx->n_fields, sizeof(*bx->fields), BINXML_MAX_FIELDS));
	for (size_t i = 0; i < bx->n_fields; i++) {
		const struct field_ref *fr = &bx->field_refs[i];
		bx->fields[i].name = fr->name_kind == FIELD_NAME_OUT ? bx->out.buf + fr->name
				     : fr->name_kind == FIELD_NAME_ELEMENT ? bx->names.buf + fr->name : "";
		bx->fields[i].value = bx->out.buf + fr->value;
	}
	ev->event_id = bx->event_id;
	ev->version = bx->version;
	ev->event_record_id = bx->event_record_id;
	ev->time_created = bx->time_created;
	ev->provider = out_str(bx, bx->provider);
	ev->channel = out_str(bx, bx->channel);
	ev->computer = out_str(bx, bx->computer);
	ev->user_sid = out_str(bx, bx->user_sid);
	ev->binary = out_str(bx, bx->binary);
	ev->n_fields = bx->n_fields;
	ev->fields = bx->fields;
	return 0;
}
