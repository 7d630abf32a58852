/* xml_event.c: tolerant scan of libevtx's rendered event XML. */
#include <stdlib.h>
#include <string.h>

#include "convert.h"
#include "xml_event.h"

void xml_event_buf_init(struct xml_event_buf *b)
{
	memset(b, 0, sizeof(*b));
}

void xml_event_buf_release(struct xml_event_buf *b)
{
	free(b->arena);
	free(b->fields);
	xml_event_buf_init(b);
}

/* Copies text to the arena, decoding the five XML entities and numeric references. */
static char *put_text(char **w, const char *s, size_t n)
{
	char *start = *w, *o = *w;
	for (size_t i = 0; i < n; i++) {
		if (s[i] != '&') {
			*o++ = s[i];
			continue;
		}
		const char *semi = memchr(s + i, ';', n - i < 12 ? n - i : 12);
		size_t el = semi ? (size_t)(semi - (s + i)) + 1 : 0;
		if (el == 5 && !memcmp(s + i, "&amp;", 5))
			*o++ = '&';
		else if (el == 4 && !memcmp(s + i, "&lt;", 4))
			*o++ = '<';
		else if (el == 4 && !memcmp(s + i, "&gt;", 4))
			*o++ = '>';
		else if (el == 6 && !memcmp(s + i, "&quot;", 6))
			*o++ = '"';
		else if (el == 6 && !memcmp(s + i, "&apos;", 6))
			*o++ = '\'';
		else if (el > 3 && s[i + 1] == '#') {
			unsigned long cp = s[i + 2] == 'x' ? strtoul(s + i + 3, NULL, 16) : strtoul(s + i + 2, NULL, 10);
			/* UTF-8 is never longer than the reference text it replaces (>= 4 bytes). */
			if (cp == 0 || cp > 0x10FFFF) {
				*o++ = '?';
			} else if (cp < 0x80) {
				*o++ = (char)cp;
			} else if (cp < 0x800) {
				*o++ = (char)(0xC0 | (cp >> 6));
				*o++ = (char)(0x80 | (cp & 0x3F));
			} else if (cp < 0x10000) {
				*o++ = (char)(0xE0 | (cp >> 12));
				*o++ = (char)(0x80 | ((cp >> 6) & 0x3F));
				*o++ = (char)(0x80 | (cp & 0x3F));
			} else {
				*o++ = (char)(0xF0 | (cp >> 18));
				*o++ = (char)(0x80 | ((cp >> 12) & 0x3F));
				*o++ = (char)(0x80 | ((cp >> 6) & 0x3F));
				*o++ = (char)(0x80 | (cp & 0x3F));
			}
		} else {
			*o++ = '&';
			continue;
		}
		i += el - 1;
	}
	*o++ = '\0';
	*w = o;
	return start;
}

/* Finds attribute name="value" inside a tag's text [p, end); NULL if absent. */
static const char *attr(const char *p, const char *end, const char *name, size_t *vlen)
{
	size_t nl = strlen(name);
	for (const char *q = p; q + nl + 2 < end; q++) {
		if ((q == p || q[-1] == ' ' || q[-1] == '\t' || q[-1] == '\n') &&
		    !memcmp(q, name, nl) && q[nl] == '=' && q[nl + 1] == '"') {
			const char *v = q + nl + 2;
			const char *ve = memchr(v, '"', (size_t)(end - v));
			if (!ve)
				return NULL;
			*vlen = (size_t)(ve - v);
			return v;
		}
	}
	return NULL;
}

enum section { SEC_NONE, SEC_SYSTEM, SEC_EVENTDATA, SEC_USERDATA };

struct scan {
	const char *text_start;	/* text after the last opening tag */
	const char *open_tag;	/* name of the last opening tag */
	size_t open_len;
	const char *open_attrs, *open_attrs_end;
};

static int grow(struct xml_event_buf *b, size_t len)
{
	if (b->arena_cap < len + 64) {
		size_t cap = len + 64 + len / 2;
		char *a = realloc(b->arena, cap);
		if (!a)
			return -1;
		b->arena = a;
		b->arena_cap = cap;
	}
	if (!b->fields) {
		b->fields = calloc(XML_EVENT_MAX_FIELDS, sizeof(*b->fields));
		if (!b->fields)
			return -1;
		b->fields_cap = XML_EVENT_MAX_FIELDS;
	}
	return 0;
}

static int is_name(const char *s, size_t n, const char *lit)
{
	return strlen(lit) == n && !memcmp(s, lit, n);
}

/* A leaf element closed: store its text where it belongs. */
static void leaf(struct evtx_event *ev, struct xml_event_buf *b, char **w, enum section sec,
		 const struct scan *sc, const char *text_end, int *have_id)
{
	const char *t = sc->text_start;
	size_t tl = (size_t)(text_end - t);
	const char *tag = sc->open_tag;
	size_t n = sc->open_len;
	uint64_t v;

	if (sec == SEC_SYSTEM) {
		char *s = put_text(w, t, tl);
		if (is_name(tag, n, "EventID")) {
			if (convert_int(s, &v) == 0) {
				ev->event_id = (uint32_t)v;
				*have_id = 1;
			}
		} else if (is_name(tag, n, "Version")) {
			if (convert_int(s, &v) == 0)
				ev->version = (uint32_t)v;
		} else if (is_name(tag, n, "EventRecordID")) {
			if (convert_int(s, &v) == 0)
				ev->event_record_id = v;
		} else if (is_name(tag, n, "Channel")) {
			ev->channel = s;
		} else if (is_name(tag, n, "Computer")) {
			ev->computer = s;
		}
		return;
	}
	if (ev->n_fields >= b->fields_cap)
		return;
	if (sec == SEC_EVENTDATA && is_name(tag, n, "Binary")) {
		ev->binary = put_text(w, t, tl);
		return;
	}
	struct evtx_field *f = &b->fields[ev->n_fields];
	if (sec == SEC_EVENTDATA) {
		size_t nl = 0;
		const char *nm = attr(sc->open_attrs, sc->open_attrs_end, "Name", &nl);
		f->name = nm ? put_text(w, nm, nl) : put_text(w, "", 0);
	} else {
		f->name = put_text(w, tag, n);
	}
	f->value = put_text(w, t, tl);
	ev->n_fields++;
}

static void system_attrs(struct evtx_event *ev, char **w, const char *tag, size_t n,
			 const char *a, const char *ae)
{
	size_t vl;
	const char *v;
	if (is_name(tag, n, "Provider") && (v = attr(a, ae, "Name", &vl)))
		ev->provider = put_text(w, v, vl);
	else if (is_name(tag, n, "TimeCreated") && (v = attr(a, ae, "SystemTime", &vl))) {
		char *s = put_text(w, v, vl);
		uint64_t ft;
		if (convert_iso_filetime(s, &ft) == 0)
			ev->time_created = ft;
	} else if (is_name(tag, n, "Security") && (v = attr(a, ae, "UserID", &vl)))
		ev->user_sid = put_text(w, v, vl);
}

int xml_event_parse(const char *xml, size_t len, struct xml_event_buf *b, struct evtx_event *ev)
{
	const char *p = xml, *end = xml + len;
	enum section sec = SEC_NONE;
	struct scan sc = { 0 };
	int have_id = 0, depth = 0, sec_depth = 0;
	char *w;

	/* Every string copied is at most as long as its source text, plus a NUL. */
	if (grow(b, len * 2 + 16))
		return -1;
	w = b->arena;
	ev->provider = ev->channel = ev->computer = ev->user_sid = ev->binary = "";
	ev->event_id = ev->version = 0;
	ev->event_record_id = 0;
	ev->time_created = 0;
	ev->n_fields = 0;
	ev->fields = b->fields;

	while (p < end) {
		const char *lt = memchr(p, '<', (size_t)(end - p));
		if (!lt)
			break;
		const char *gt = memchr(lt, '>', (size_t)(end - lt));
		if (!gt)
			break;
		if (lt[1] == '?' || lt[1] == '!') {
			p = gt + 1;
			continue;
		}
		if (lt[1] == '/') {
			const char *nm = lt + 2;
			size_t nl = (size_t)(gt - nm);
			if (sc.open_tag && sc.open_len == nl && !memcmp(sc.open_tag, nm, nl))
				leaf(ev, b, &w, sec, &sc, lt, &have_id);
			sc.open_tag = NULL;
			depth--;
			if (sec != SEC_NONE && depth < sec_depth)
				sec = SEC_NONE;
			p = gt + 1;
			continue;
		}
		const char *nm = lt + 1, *ne = nm;
		while (ne < gt && *ne != ' ' && *ne != '/' && *ne != '\t' && *ne != '\n')
			ne++;
		size_t nl = (size_t)(ne - nm);
		int self_close = gt[-1] == '/';
		if (sec == SEC_SYSTEM)
			system_attrs(ev, &w, nm, nl, ne, gt);
		if (!self_close) {
			depth++;
			if (sec == SEC_NONE) {
				if (is_name(nm, nl, "System"))
					sec = SEC_SYSTEM, sec_depth = depth;
				else if (is_name(nm, nl, "EventData"))
					sec = SEC_EVENTDATA, sec_depth = depth;
				else if (is_name(nm, nl, "UserData"))
					sec = SEC_USERDATA, sec_depth = depth;
			}
			sc.open_tag = nm;
			sc.open_len = nl;
			sc.open_attrs = ne;
			sc.open_attrs_end = gt;
			sc.text_start = gt + 1;
		} else {
			if (sec == SEC_EVENTDATA && is_name(nm, nl, "Data") && ev->n_fields < b->fields_cap) {
				/* <Data Name="x"/>: present but empty. */
				struct scan empty = { gt + 1, nm, nl, ne, gt };
				leaf(ev, b, &w, sec, &empty, gt + 1, &have_id);
			}
			/* An element with a child element is not a leaf. */
			sc.open_tag = NULL;
		}
		p = gt + 1;
	}
	return have_id ? 0 : -2;
}
