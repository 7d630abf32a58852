/* verify.c: our decoder against libevtx, record by record. */
#include <stdlib.h>
#include <string.h>

#include "evtx_decode.h"
#include "evtx_libevtx.h"
#include "text.h"
#include "verify.h"

/* One record as text: everything a decoder gives, in a fixed order. */
struct vrec {
	uint64_t number;
	char *text;
};

struct vlist {
	struct vrec *v;
	size_t n, cap;
	int failed;
};

static int put(char **buf, size_t *len, size_t *cap, const char *s)
{
	size_t n = strlen(s);
	if (*len + n + 2 > *cap) {
		size_t c = (*len + n + 2) * 2;
		char *b = realloc(*buf, c);
		if (!b)
			return -1;
		*buf = b;
		*cap = c;
	}
	memcpy(*buf + *len, s, n);
	*len += n;
	(*buf)[(*len)++] = '|';
	(*buf)[*len] = '\0';
	return 0;
}

static int collect(void *ctx, const struct evtx_event *ev)
{
	struct vlist *l = ctx;
	char num[96], *text = NULL;
	size_t len = 0, cap = 0;
	int rc = 0;

	if (ev->recovered)
		return 0;
	snprintf(num, sizeof(num), "id=%u v=%u t=%llu rid=%llu", ev->event_id, ev->version,
		 (unsigned long long)ev->time_created, (unsigned long long)ev->event_record_id);
	rc |= put(&text, &len, &cap, num);
	rc |= put(&text, &len, &cap, ev->provider ? ev->provider : "");
	rc |= put(&text, &len, &cap, ev->channel ? ev->channel : "");
	rc |= put(&text, &len, &cap, ev->computer ? ev->computer : "");
	rc |= put(&text, &len, &cap, ev->user_sid ? ev->user_sid : "");
	rc |= put(&text, &len, &cap, ev->binary ? ev->binary : "");
	for (size_t i = 0; i < ev->n_fields; i++) {
		rc |= put(&text, &len, &cap, ev->fields[i].name);
		rc |= put(&text, &len, &cap, ev->fields[i].value);
	}
	if (rc == 0 && l->n == l->cap) {
		size_t c = l->cap ? l->cap * 2 : 256;
		struct vrec *v = realloc(l->v, c * sizeof(*v));
		if (v) {
			l->v = v;
			l->cap = c;
		} else {
			rc = -1;
		}
	}
	if (rc) {
		free(text);
		l->failed = 1;
		return -1;
	}
	l->v[l->n].number = ev->record_number;
	l->v[l->n].text = text;
	l->n++;
	return 0;
}

static void vlist_release(struct vlist *l)
{
	for (size_t i = 0; i < l->n; i++)
		free(l->v[i].text);
	free(l->v);
}

static int by_number(const void *a, const void *b)
{
	uint64_t x = ((const struct vrec *)a)->number, y = ((const struct vrec *)b)->number;
	return x < y ? -1 : x > y;
}

/* One line: "verify: 'PATH' record N: " and one or two labelled texts. The texts
 * hold event data, so they are escaped as file names are (text.h). */
static void report(FILE *out, const char *shown_path, uint64_t number, const char *l1, const char *t1,
		   const char *l2, const char *t2)
{
	struct text_escaped e1, e2;
	fprintf(out, "verify: '%s' record %llu: %s%s%s%s\n", shown_path, (unsigned long long)number, l1,
		text_escape(&e1, t1), l2 ? l2 : "", l2 ? text_escape(&e2, t2) : "");
	text_escaped_release(&e1);
	if (l2)
		text_escaped_release(&e2);
}

long verify_buffer(const char *display_path, const uint8_t *buf, size_t len, FILE *out, unsigned max_lines)
{
	struct vlist ours = { 0 }, theirs = { 0 };
	struct text_escaped shown;
	const char *path;
	struct evtx_sink s1 = { collect, NULL, &ours, NULL }, s2 = { collect, NULL, &theirs, NULL };
	struct evtx_file_info info;
	const char *why = NULL;
	long n = 0;
	size_t i = 0, j = 0;

	evtx_decode_read(buf, len, &s1, &info, &why);
	evtx_libevtx_read_some(buf, len, &s2, &info, &why, LIBEVTX_LIVE);
	if (ours.failed || theirs.failed) {
		vlist_release(&ours);
		vlist_release(&theirs);
		return -1;
	}
	qsort(ours.v, ours.n, sizeof(*ours.v), by_number);
	qsort(theirs.v, theirs.n, sizeof(*theirs.v), by_number);
	path = text_escape(&shown, display_path);
	while (i < ours.n || j < theirs.n) {
		const struct vrec *a = i < ours.n ? &ours.v[i] : NULL, *b = j < theirs.n ? &theirs.v[j] : NULL;
		if (a && b && a->number == b->number) {
			if (strcmp(a->text, b->text) != 0 && (unsigned long)n++ < max_lines)
				report(out, path, a->number, "ours: ", a->text, " libevtx: ", b->text);
			i++, j++;
		} else if (a && (!b || a->number < b->number)) {
			if ((unsigned long)n++ < max_lines)
				report(out, path, a->number, "only ours decodes it: ", a->text, NULL, NULL);
			i++;
		} else {
			if ((unsigned long)n++ < max_lines)
				report(out, path, b->number, "only libevtx decodes it: ", b->text, NULL, NULL);
			j++;
		}
	}
	text_escaped_release(&shown);
	vlist_release(&ours);
	vlist_release(&theirs);
	return n;
}
