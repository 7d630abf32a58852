/* output.c: writes result rows as a terminal table, CSV, TSV, JSON or NDJSON.
 * Each row is built as one line in a capped buffer and written with one fwrite. */
#include "output.h"

#include <assert.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/* A growable byte buffer with a hard cap. Errors are sticky: after the first
 * failure the add functions do nothing and err keeps the code. */
struct buf {
	char *data;
	size_t len;
	size_t alloc;
	size_t cap;
	int err;
};

static void buf_init(struct buf *b, size_t cap)
{
	b->data = NULL;
	b->len = 0;
	b->alloc = 0;
	b->cap = cap;
	b->err = 0;
}

static void buf_release(struct buf *b)
{
	free(b->data);
	buf_init(b, b->cap);
}

static int buf_reserve(struct buf *b, size_t extra)
{
	size_t need, alloc;
	char *p;

	if (b->err)
		return b->err;
	if (extra > b->cap - b->len)
		return b->err = OUTPUT_ETOOBIG;
	need = b->len + extra;
	if (need <= b->alloc)
		return 0;
	alloc = b->alloc ? b->alloc : 256;
	while (alloc < need)
		alloc = alloc > b->cap / 2 ? b->cap : alloc * 2;
	p = realloc(b->data, alloc);
	if (!p)
		return b->err = OUTPUT_ENOMEM;
	b->data = p;
	b->alloc = alloc;
	return 0;
}

static void buf_add(struct buf *b, const void *p, size_t n)
{
	if (n == 0 || buf_reserve(b, n))
		return;
	memcpy(b->data + b->len, p, n);
	b->len += n;
}

static void buf_addc(struct buf *b, char c)
{
	buf_add(b, &c, 1);
}

static void buf_adds(struct buf *b, const char *s)
{
	buf_add(b, s, strlen(s));
}

static void buf_fill(struct buf *b, char c, size_t n)
{
	if (n == 0 || buf_reserve(b, n))
		return;
	memset(b->data + b->len, c, n);
	b->len += n;
}

static const char hex_upper[] = "0123456789ABCDEF";

/* "\xNN" for one byte, as the table shows it. */
static void buf_add_xbyte(struct buf *b, unsigned char c)
{
	char e[4] = { '\\', 'x', hex_upper[c >> 4], hex_upper[c & 15] };
	buf_add(b, e, sizeof e);
}

/* "\uXXXX" for a code point in the Basic Multilingual Plane. */
static void buf_add_u4(struct buf *b, uint32_t cp)
{
	char e[6] = { '\\', 'u', hex_upper[(cp >> 12) & 15], hex_upper[(cp >> 8) & 15],
		      hex_upper[(cp >> 4) & 15], hex_upper[cp & 15] };
	buf_add(b, e, sizeof e);
}

#define UTF8_INVALID UINT32_MAX

/* Decodes the sequence at s[0..n), n >= 1, per the well-formed byte sequences
 * of Unicode (table 3-7): no overlongs, no surrogates, nothing past U+10FFFF.
 * Returns the bytes used and sets *cp; for an ill-formed sequence sets *cp to
 * UTF8_INVALID and returns the length of its maximal subpart (at least 1). */
static size_t utf8_next(const unsigned char *s, size_t n, uint32_t *cp)
{
	unsigned char c = s[0], lo = 0x80, hi = 0xBF;
	size_t need, i;
	uint32_t v;

	if (c < 0x80) {
		*cp = c;
		return 1;
	}
	if (c >= 0xC2 && c <= 0xDF) {
		need = 1;
		v = c & 0x1F;
	} else if (c >= 0xE0 && c <= 0xEF) {
		need = 2;
		v = c & 0x0F;
		if (c == 0xE0)
			lo = 0xA0;
		else if (c == 0xED)
			hi = 0x9F;
	} else if (c >= 0xF0 && c <= 0xF4) {
		need = 3;
		v = c & 0x07;
		if (c == 0xF0)
			lo = 0x90;
		else if (c == 0xF4)
			hi = 0x8F;
	} else {
		*cp = UTF8_INVALID;
		return 1;
	}
	for (i = 1; i <= need; i++) {
		if (i >= n || s[i] < lo || s[i] > hi) {
			*cp = UTF8_INVALID;
			return i;
		}
		v = (v << 6) | (s[i] & 0x3F);
		lo = 0x80;
		hi = 0xBF;
	}
	*cp = v;
	return need + 1;
}

static const char utf8_replacement[] = "\xEF\xBF\xBD";

struct cp_range {
	uint32_t first, last;
};

/* East Asian Wide and Fullwidth blocks: two terminal columns. */
static const struct cp_range wide_ranges[] = {
	{ 0x1100, 0x115F },	/* Hangul Jamo initial consonants */
	{ 0x231A, 0x231B },
	{ 0x2329, 0x232A },
	{ 0x23E9, 0x23EC },
	{ 0x23F0, 0x23F0 },
	{ 0x23F3, 0x23F3 },
	{ 0x25FD, 0x25FE },
	{ 0x2614, 0x2615 },
	{ 0x2E80, 0x303E },	/* CJK radicals, Kangxi, ideographic description, CJK symbols */
	{ 0x3041, 0x33FF },	/* kana, bopomofo, Hangul compatibility jamo, CJK compatibility */
	{ 0x3400, 0x4DBF },	/* CJK extension A */
	{ 0x4E00, 0x9FFF },	/* CJK unified ideographs */
	{ 0xA000, 0xA4CF },	/* Yi */
	{ 0xA960, 0xA97F },	/* Hangul Jamo extended A */
	{ 0xAC00, 0xD7A3 },	/* Hangul syllables */
	{ 0xF900, 0xFAFF },	/* CJK compatibility ideographs */
	{ 0xFE10, 0xFE19 },	/* vertical forms */
	{ 0xFE30, 0xFE6F },	/* CJK compatibility forms, small form variants */
	{ 0xFF00, 0xFF60 },	/* fullwidth forms */
	{ 0xFFE0, 0xFFE6 },	/* fullwidth signs */
	{ 0x16FE0, 0x18CFF },	/* Tangut, Khitan */
	{ 0x1B000, 0x1B2FF },	/* kana supplement and extensions, Nushu */
	{ 0x1F300, 0x1F64F },	/* pictographs, emoticons */
	{ 0x1F900, 0x1F9FF },	/* supplemental symbols and pictographs */
	{ 0x20000, 0x2FFFD },	/* CJK extensions B..F, compatibility supplement */
	{ 0x30000, 0x3FFFD },	/* CJK extension G and later */
};

/* Combining marks and invisible format characters: no column of their own. */
static const struct cp_range zero_ranges[] = {
	{ 0x0300, 0x036F },	/* combining diacritical marks */
	{ 0x0483, 0x0489 },
	{ 0x0591, 0x05BD },
	{ 0x0610, 0x061A },
	{ 0x064B, 0x065F },
	{ 0x1AB0, 0x1AFF },
	{ 0x1DC0, 0x1DFF },
	{ 0x200B, 0x200D },	/* zero width space, non-joiner, joiner */
	{ 0x2060, 0x2064 },
	{ 0x20D0, 0x20FF },	/* combining marks for symbols */
	{ 0xFE00, 0xFE0F },	/* variation selectors */
	{ 0xFE20, 0xFE2F },	/* combining half marks */
	{ 0xFEFF, 0xFEFF },	/* zero width no-break space */
	{ 0xE0100, 0xE01EF },	/* variation selectors supplement */
};

static int in_ranges(uint32_t cp, const struct cp_range *r, size_t n)
{
	size_t lo = 0, hi = n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (cp < r[mid].first)
			hi = mid;
		else if (cp > r[mid].last)
			lo = mid + 1;
		else
			return 1;
	}
	return 0;
}

/* Terminal columns of a printable code point. */
static size_t cp_width(uint32_t cp)
{
	if (cp < 0x300)
		return 1;
	if (in_ranges(cp, zero_ranges, sizeof zero_ranges / sizeof zero_ranges[0]))
		return 0;
	if (in_ranges(cp, wide_ranges, sizeof wide_ranges / sizeof wide_ranges[0]))
		return 2;
	return 1;
}

/* Characters that reorder or break the displayed line: a table shows them
 * escaped, so that e.g. a right-to-left override in a file name is visible. */
static int cp_is_layout_control(uint32_t cp)
{
	return cp == 0x200E || cp == 0x200F || (cp >= 0x202A && cp <= 0x202E) ||
	       (cp >= 0x2066 && cp <= 0x2069) || cp == 0x2028 || cp == 0x2029;
}

/* A JSON number (RFC 8259): -?(0|[1-9][0-9]*)(.[0-9]+)?([eE][+-]?[0-9]+)? */
static int is_number(const char *s)
{
	if (*s == '-')
		s++;
	if (*s == '0')
		s++;
	else if (*s >= '1' && *s <= '9')
		while (*s >= '0' && *s <= '9')
			s++;
	else
		return 0;
	if (*s == '.') {
		s++;
		if (!(*s >= '0' && *s <= '9'))
			return 0;
		while (*s >= '0' && *s <= '9')
			s++;
	}
	if (*s == 'e' || *s == 'E') {
		s++;
		if (*s == '+' || *s == '-')
			s++;
		if (!(*s >= '0' && *s <= '9'))
			return 0;
		while (*s >= '0' && *s <= '9')
			s++;
	}
	return *s == '\0';
}

/* One measured table cell: its rendered text at off (in the owning buffer)
 * and its width in terminal columns. */
struct table_cell {
	size_t off;
	size_t len;
	size_t width;
};

struct output {
	FILE *fp;
	enum output_format fmt;
	size_t n_cols;
	struct output_column *cols;	/* names point into names */
	char *names;
	int bom;
	int started;		/* BOM and header written (or, for table, rendered) */
	int finished;
	int err;		/* first error, sticky */
	int finish_rc;
	unsigned long long n_rows;
	struct buf line;	/* the line being built */

	/* table only */
	size_t *widths;		/* per column */
	struct table_cell *head;	/* rendered column names, text in head_text */
	struct buf head_text;
	struct table_cell *row_cells;	/* the row being rendered, text in row_text */
	struct buf row_text;
	struct table_cell *kept;	/* buffered rows, n_kept * n_cols, text in kept_text */
	size_t n_kept, kept_alloc;	/* in rows */
	struct buf kept_text;
	int streaming;		/* widths are final; rows go out as they come */
};

int output_format_parse(const char *name, enum output_format *out)
{
	static const struct {
		const char *name;
		enum output_format fmt;
	} names[] = {
		{ "table", OUTPUT_TABLE }, { "csv", OUTPUT_CSV }, { "tsv", OUTPUT_TSV },
		{ "json", OUTPUT_JSON }, { "ndjson", OUTPUT_NDJSON },
	};

	if (!name)
		return OUTPUT_EINVAL;
	for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
		if (strcmp(name, names[i].name) == 0) {
			*out = names[i].fmt;
			return 0;
		}
	}
	return OUTPUT_EINVAL;
}

const char *output_format_name(enum output_format fmt)
{
	switch (fmt) {
	case OUTPUT_TABLE:
		return "table";
	case OUTPUT_CSV:
		return "csv";
	case OUTPUT_TSV:
		return "tsv";
	case OUTPUT_JSON:
		return "json";
	case OUTPUT_NDJSON:
		return "ndjson";
	}
	return "unknown";
}

const char *output_strerror(int code)
{
	switch (code) {
	case 0:
		return "success";
	case OUTPUT_EINVAL:
		return "unknown output format";
	case OUTPUT_ENOMEM:
		return "out of memory";
	case OUTPUT_ETOOBIG:
		return "output line too long";
	case OUTPUT_EIO:
		return "write error";
	}
	return "unknown error";
}

/* Allocates n elements of size sz, zeroed; NULL on overflow or out of memory. */
static void *alloc_array(size_t n, size_t sz)
{
	return calloc(n ? n : 1, sz);
}

struct output *output_new(FILE *fp, enum output_format fmt, size_t n_cols,
			  const struct output_column *cols, int bom)
{
	struct output *o;
	size_t names_len = 0, pos = 0;

	assert(fp);
	assert(n_cols == 0 || cols);
	o = calloc(1, sizeof *o);
	if (!o)
		return NULL;
	o->fp = fp;
	o->fmt = fmt;
	o->n_cols = n_cols;
	o->bom = bom && (fmt == OUTPUT_CSV || fmt == OUTPUT_TSV);
	buf_init(&o->line, OUTPUT_LINE_MAX);
	buf_init(&o->head_text, OUTPUT_LINE_MAX);
	buf_init(&o->row_text, OUTPUT_LINE_MAX);
	buf_init(&o->kept_text, OUTPUT_TABLE_MEASURE_BYTES);

	for (size_t i = 0; i < n_cols; i++) {
		size_t l = strlen(cols[i].name ? cols[i].name : "") + 1;
		if (l > SIZE_MAX - names_len)
			goto fail;
		names_len += l;
	}
	o->cols = alloc_array(n_cols, sizeof *o->cols);
	o->names = malloc(names_len ? names_len : 1);
	if (!o->cols || !o->names)
		goto fail;
	for (size_t i = 0; i < n_cols; i++) {
		const char *name = cols[i].name ? cols[i].name : "";
		size_t l = strlen(name) + 1;
		memcpy(o->names + pos, name, l);
		o->cols[i].name = o->names + pos;
		o->cols[i].type = cols[i].type;
		pos += l;
	}

	if (fmt == OUTPUT_TABLE) {
		o->widths = alloc_array(n_cols, sizeof *o->widths);
		o->head = alloc_array(n_cols, sizeof *o->head);
		o->row_cells = alloc_array(n_cols, sizeof *o->row_cells);
		if (!o->widths || !o->head || !o->row_cells)
			goto fail;
	}
	return o;
fail:
	output_free(o);
	return NULL;
}

void output_free(struct output *o)
{
	if (!o)
		return;
	free(o->cols);
	free(o->names);
	buf_release(&o->line);
	free(o->widths);
	free(o->head);
	buf_release(&o->head_text);
	free(o->row_cells);
	buf_release(&o->row_text);
	free(o->kept);
	buf_release(&o->kept_text);
	free(o);
}

static int set_err(struct output *o, int rc)
{
	if (rc && !o->err)
		o->err = rc;
	return rc;
}

/* Writes the line buffer and empties it. */
static int write_line(struct output *o)
{
	struct buf *l = &o->line;

	if (l->err)
		return set_err(o, l->err);
	if (l->len && fwrite(l->data, 1, l->len, o->fp) != l->len)
		return set_err(o, OUTPUT_EIO);
	l->len = 0;
	return 0;
}

static int is_numeric_type(enum output_type t)
{
	return t == OUTPUT_INT || t == OUTPUT_REAL;
}

/* Whether a csv/tsv cell needs the leading quote that stops spreadsheet
 * formulas. OWASP's list of formula starters: = + - @ tab CR. */
static int needs_formula_guard(const char *s, enum output_type type)
{
	if (*s == '\0' || !strchr("=+-@\t\r", *s))
		return 0;
	if (strcmp(s, "-") == 0)
		return 0;
	if (is_numeric_type(type) && is_number(s))
		return 0;
	return 1;
}

/* Copies s into b with invalid UTF-8 replaced by U+FFFD; each code point is
 * first offered to esc, which returns 1 when it wrote an escape instead. */
static void add_utf8(struct buf *b, const char *s,
		     int (*esc)(struct buf *b, uint32_t cp))
{
	const unsigned char *p = (const unsigned char *)s;
	size_t n = strlen(s);

	while (n) {
		uint32_t cp;
		size_t k = utf8_next(p, n, &cp);
		if (cp == UTF8_INVALID)
			buf_add(b, utf8_replacement, 3);
		else if (!esc || !esc(b, cp))
			buf_add(b, p, k);
		p += k;
		n -= k;
	}
}

static int csv_esc(struct buf *b, uint32_t cp)
{
	if (cp != '"')
		return 0;
	buf_add(b, "\"\"", 2);
	return 1;
}

static void csv_cell(struct buf *b, const char *s, enum output_type type)
{
	int quote = strpbrk(s, ",\"\r\n") != NULL;

	if (quote)
		buf_addc(b, '"');
	if (needs_formula_guard(s, type))
		buf_addc(b, '\'');
	add_utf8(b, s, csv_esc);
	if (quote)
		buf_addc(b, '"');
}

static int tsv_esc(struct buf *b, uint32_t cp)
{
	switch (cp) {
	case '\t':
		buf_add(b, "\\t", 2);
		return 1;
	case '\r':
		buf_add(b, "\\r", 2);
		return 1;
	case '\n':
		buf_add(b, "\\n", 2);
		return 1;
	}
	return 0;
}

static void tsv_cell(struct buf *b, const char *s, enum output_type type)
{
	if (needs_formula_guard(s, type))
		buf_addc(b, '\'');
	add_utf8(b, s, tsv_esc);
}

static int json_esc(struct buf *b, uint32_t cp)
{
	if (cp == '"' || cp == '\\') {
		buf_addc(b, '\\');
		buf_addc(b, (char)cp);
		return 1;
	}
	/* U+2028/U+2029 are valid JSON but end a line in JavaScript source. */
	if (cp < 0x20 || cp == 0x2028 || cp == 0x2029) {
		buf_add_u4(b, cp);
		return 1;
	}
	return 0;
}

static void json_string(struct buf *b, const char *s)
{
	buf_addc(b, '"');
	add_utf8(b, s, json_esc);
	buf_addc(b, '"');
}

static void json_object(struct output *o, const char *const *values)
{
	struct buf *b = &o->line;

	buf_addc(b, '{');
	for (size_t i = 0; i < o->n_cols; i++) {
		const char *v = values[i];
		if (i)
			buf_addc(b, ',');
		json_string(b, o->cols[i].name);
		buf_addc(b, ':');
		if (!v)
			buf_add(b, "null", 4);
		else if (is_numeric_type(o->cols[i].type) && is_number(v))
			buf_adds(b, v);
		else
			json_string(b, v);
	}
	buf_addc(b, '}');
}

/* One csv or tsv line; names != 0 writes the header from the column names. */
static void delimited_line(struct output *o, const char *const *values, int names)
{
	struct buf *b = &o->line;
	int csv = o->fmt == OUTPUT_CSV;

	for (size_t i = 0; i < o->n_cols; i++) {
		const char *v = names ? o->cols[i].name : values[i];
		enum output_type type = names ? OUTPUT_TEXT : o->cols[i].type;
		if (i)
			buf_addc(b, csv ? ',' : '\t');
		if (!v)
			continue;
		if (csv)
			csv_cell(b, v, type);
		else
			tsv_cell(b, v, type);
	}
	buf_adds(b, csv ? "\r\n" : "\n");
}

/* Appends the table form of s to b and returns its width in columns. */
static size_t table_render(struct buf *b, const char *s)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t n = strlen(s), width = 0;

	while (n) {
		uint32_t cp;
		size_t k = utf8_next(p, n, &cp), before = b->len;
		if (cp == UTF8_INVALID || (cp >= 0x80 && cp < 0xA0)) {
			/* invalid bytes and C1 controls: every byte as \xNN */
			for (size_t j = 0; j < k; j++)
				buf_add_xbyte(b, p[j]);
		} else if (cp == '\n') {
			buf_add(b, "\\n", 2);
		} else if (cp == '\r') {
			buf_add(b, "\\r", 2);
		} else if (cp == '\t') {
			buf_add(b, "\\t", 2);
		} else if (cp < 0x20 || cp == 0x7F) {
			buf_add_xbyte(b, (unsigned char)cp);
		} else if (cp_is_layout_control(cp)) {
			buf_add_u4(b, cp);
		} else {
			buf_add(b, p, k);
			width += cp_width(cp);
			p += k;
			n -= k;
			continue;
		}
		/* an escape is ASCII: one column per byte */
		width += b->len - before;
		p += k;
		n -= k;
	}
	return width;
}

/* Renders a row (or the header, values == NULL) into text and cells. */
static int table_render_row(struct output *o, const char *const *values,
			    struct buf *text, struct table_cell *cells)
{
	for (size_t i = 0; i < o->n_cols; i++) {
		const char *v = values ? values[i] : o->cols[i].name;
		cells[i].off = text->len;
		cells[i].width = table_render(text, v ? v : "");
		cells[i].len = text->len - cells[i].off;
	}
	return text->err;
}

static void table_measure(struct output *o, const struct table_cell *cells)
{
	for (size_t i = 0; i < o->n_cols; i++)
		if (cells[i].width > o->widths[i])
			o->widths[i] = cells[i].width;
}

static void table_trim(struct buf *b)
{
	while (b->len && b->data[b->len - 1] == ' ')
		b->len--;
}

static int table_write_row(struct output *o, const struct buf *cell_text,
			   const struct table_cell *cells)
{
	struct buf *b = &o->line;
	const char *text = cell_text->data ? cell_text->data : "";

	for (size_t i = 0; i < o->n_cols; i++) {
		size_t w = o->widths[i];
		size_t pad = cells[i].width < w ? w - cells[i].width : 0;
		int right = is_numeric_type(o->cols[i].type);
		if (i)
			buf_fill(b, ' ', 2);
		if (right)
			buf_fill(b, ' ', pad);
		buf_add(b, text + cells[i].off, cells[i].len);
		if (!right)
			buf_fill(b, ' ', pad);
	}
	table_trim(b);
	buf_addc(b, '\n');
	return write_line(o);
}

/* Widths are final from here: prints header, separator and buffered rows. */
static int table_start_streaming(struct output *o)
{
	struct buf *b = &o->line;
	int rc;

	o->streaming = 1;
	rc = table_write_row(o, &o->head_text, o->head);
	if (rc)
		return rc;
	for (size_t i = 0; i < o->n_cols; i++) {
		if (i)
			buf_fill(b, ' ', 2);
		buf_fill(b, '-', o->widths[i]);
	}
	table_trim(b);
	buf_addc(b, '\n');
	rc = write_line(o);
	for (size_t r = 0; !rc && r < o->n_kept; r++)
		rc = table_write_row(o, &o->kept_text,
				     o->n_cols ? o->kept + r * o->n_cols : NULL);
	free(o->kept);
	o->kept = NULL;
	o->n_kept = o->kept_alloc = 0;
	buf_release(&o->kept_text);
	return rc;
}

/* Keeps the rendered row in row_text/row_cells for measuring; returns 1 when
 * it was kept, 0 when the measuring budget is spent, negative on error. */
static int table_keep(struct output *o)
{
	size_t n = o->n_cols, cell_bytes;

	if (o->n_kept >= OUTPUT_TABLE_MEASURE_ROWS)
		return 0;
	/* The rendered text and the cell records share one byte budget. */
	if (n && o->n_kept + 1 > OUTPUT_TABLE_MEASURE_BYTES / n / sizeof(struct table_cell))
		return 0;
	cell_bytes = (o->n_kept + 1) * n * sizeof(struct table_cell);
	if (o->kept_text.len + o->row_text.len > OUTPUT_TABLE_MEASURE_BYTES - cell_bytes)
		return 0;
	if (o->n_kept == o->kept_alloc && n) {
		size_t alloc = o->kept_alloc ? o->kept_alloc * 2 : 64;
		struct table_cell *p;
		if (alloc > OUTPUT_TABLE_MEASURE_ROWS)
			alloc = OUTPUT_TABLE_MEASURE_ROWS;
		p = realloc(o->kept, alloc * n * sizeof *p);
		if (!p)
			return OUTPUT_ENOMEM;
		o->kept = p;
		o->kept_alloc = alloc;
	}
	for (size_t i = 0; i < n; i++) {
		struct table_cell c = o->row_cells[i];
		c.off += o->kept_text.len;
		o->kept[o->n_kept * n + i] = c;
	}
	buf_add(&o->kept_text, o->row_text.data, o->row_text.len);
	if (o->kept_text.err)
		return o->kept_text.err;
	o->n_kept++;
	return 1;
}

static int table_row(struct output *o, const char *const *values)
{
	int rc;

	o->row_text.len = 0;
	rc = table_render_row(o, values, &o->row_text, o->row_cells);
	if (rc)
		return rc;
	if (!o->streaming) {
		rc = table_keep(o);
		if (rc < 0)
			return rc;
		if (rc == 1) {
			table_measure(o, o->row_cells);
			return 0;
		}
		rc = table_start_streaming(o);
		if (rc)
			return rc;
	}
	return table_write_row(o, &o->row_text, o->row_cells);
}

/* BOM and header (table: renders and measures the header). */
static int output_start(struct output *o)
{
	o->started = 1;
	if (o->bom)
		buf_add(&o->line, "\xEF\xBB\xBF", 3);
	switch (o->fmt) {
	case OUTPUT_CSV:
	case OUTPUT_TSV:
		delimited_line(o, NULL, 1);
		return write_line(o);
	case OUTPUT_TABLE:
		if (table_render_row(o, NULL, &o->head_text, o->head))
			return o->head_text.err;
		table_measure(o, o->head);
		return 0;
	case OUTPUT_JSON:
	case OUTPUT_NDJSON:
		return 0;
	}
	return 0;
}

int output_row(struct output *o, const char *const *values)
{
	int rc;

	assert(!o->finished);
	assert(o->n_cols == 0 || values);
	if (o->err)
		return o->err;
	if (!o->started && (rc = output_start(o)))
		return set_err(o, rc);
	switch (o->fmt) {
	case OUTPUT_TABLE:
		rc = table_row(o, values);
		break;
	case OUTPUT_CSV:
	case OUTPUT_TSV:
		delimited_line(o, values, 0);
		rc = write_line(o);
		break;
	case OUTPUT_JSON:
		buf_adds(&o->line, o->n_rows ? ",\n" : "[\n");
		json_object(o, values);
		rc = write_line(o);
		break;
	case OUTPUT_NDJSON:
		json_object(o, values);
		buf_addc(&o->line, '\n');
		rc = write_line(o);
		break;
	default:
		rc = 0;
	}
	if (rc == 0)
		o->n_rows++;
	return set_err(o, rc);
}

int output_finish(struct output *o)
{
	int rc = 0;

	if (o->finished)
		return o->finish_rc;
	o->finished = 1;
	if (!o->err && !o->started)
		rc = output_start(o);
	if (!o->err && !rc) {
		if (o->fmt == OUTPUT_TABLE && !o->streaming) {
			rc = table_start_streaming(o);
		} else if (o->fmt == OUTPUT_JSON) {
			buf_adds(&o->line, o->n_rows ? "\n]\n" : "[]\n");
			rc = write_line(o);
		}
	}
	set_err(o, rc);
	if (fflush(o->fp) != 0 || ferror(o->fp))
		set_err(o, OUTPUT_EIO);
	o->finish_rc = o->err;
	return o->finish_rc;
}
