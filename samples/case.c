/* case.c: the in-memory case: events per host and log, truth marks, record
 * numbering and writing the logs as EVTX files. */
#include "case.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#define CASE_ARENA_CAP ((size_t)256 * 1024 * 1024)
#define CASE_MAX_EVENTS ((size_t)1 << 20)

void case_init(struct sample_case *c, uint64_t seed)
{
	memset(c, 0, sizeof(*c));
	arena_init(&c->arena, CASE_ARENA_CAP);
	c->rng = seed;
}

void case_release(struct sample_case *c)
{
	for (size_t h = 0; h < c->n_hosts; h++)
		for (int l = 0; l < CASE_N_LOGS; l++)
			free(c->order[h][l]);
	free(c->events);
	free(c->truths);
	free(c->lookalikes);
	arena_release(&c->arena);
}

int case_error(const struct sample_case *c)
{
	return c->error;
}

const char *case_error_path(const struct sample_case *c)
{
	return c->error_path ? c->error_path : "";
}

/* splitmix64: small, fast, and the same sequence on every platform. */
uint64_t case_mix(uint64_t *state)
{
	uint64_t z = (*state += 0x9e3779b97f4a7c15ULL);
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

uint64_t case_rand(struct sample_case *c)
{
	return case_mix(&c->rng);
}

uint64_t case_range(struct sample_case *c, uint64_t lo, uint64_t hi)
{
	if (hi <= lo)
		return lo;
	return lo + case_rand(c) % (hi - lo + 1);
}

int case_chance(struct sample_case *c, unsigned percent)
{
	return case_rand(c) % 100 < percent;
}

static void *case_fail(struct sample_case *c)
{
	if (!c->error)
		c->error = CASE_ENOMEM;
	return NULL;
}

void *case_alloc(struct sample_case *c, size_t n)
{
	void *p = c->error ? NULL : arena_alloc(&c->arena, n);
	return p ? p : case_fail(c);
}

const char *case_str(struct sample_case *c, const char *s)
{
	const char *p = c->error ? NULL : arena_strdup(&c->arena, s ? s : "");
	return p ? p : case_fail(c);
}

const char *case_printf(struct sample_case *c, const char *fmt, ...)
{
	if (c->error)
		return NULL;
	va_list ap;
	va_start(ap, fmt);
	char tmp[4096];
	int n = vsnprintf(tmp, sizeof(tmp), fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= sizeof(tmp))
		return case_fail(c);
	return case_str(c, tmp);
}

/* Grows a heap array to hold need elements, up to max; 0 or -1. */
static int grow(void **p, size_t *cap, size_t need, size_t elem, size_t max)
{
	if (need <= *cap)
		return 0;
	size_t n = *cap ? *cap : 64;
	while (n < need)
		n *= 2;
	if (n > max)
		n = max;
	if (need > n)
		return -1;
	void *q = realloc(*p, n * elem);
	if (!q)
		return -1;
	*p = q;
	*cap = n;
	return 0;
}

int case_add_host(struct sample_case *c, const struct case_host *h)
{
	if (c->n_hosts == CASE_MAX_HOSTS)
		return -1;
	c->hosts[c->n_hosts] = *h;
	return (int)c->n_hosts++;
}

struct case_event *case_event_new(struct sample_case *c, int host, enum case_log log, uint64_t time)
{
	if (c->error)
		return NULL;
	if (grow((void **)&c->events, &c->cap_events, c->n_events + 1, sizeof(*c->events), CASE_MAX_EVENTS) < 0)
		return case_fail(c);
	struct case_event *e = case_alloc(c, sizeof(*e));
	struct evtx_writer_field *f = case_alloc(c, CASE_MAX_FIELDS * sizeof(*f));
	if (!e || !f)
		return NULL;
	e->host = host;
	e->log = log;
	e->seq = c->n_events;
	e->fields = f;
	e->ev.fields = f;
	e->ev.qualifiers = -1;
	e->ev.time_created = time;
	e->ev.computer = c->hosts[host].name;
	c->events[c->n_events++] = e;
	return e;
}

static struct evtx_writer_field *field_add(struct sample_case *c, struct case_event *e, const char *name,
					   enum evtx_value_type type)
{
	if (!e || c->error)
		return NULL;
	if (e->ev.n_fields == CASE_MAX_FIELDS)
		return case_fail(c);
	struct evtx_writer_field *f = &e->fields[e->ev.n_fields++];
	f->name = name ? case_str(c, name) : NULL;
	f->type = type;
	return f;
}

static void field_text(struct sample_case *c, struct case_event *e, const char *name, enum evtx_value_type type,
		       const char *text)
{
	struct evtx_writer_field *f = field_add(c, e, name, type);
	if (f)
		f->text = case_str(c, text);
}

void case_field_str(struct sample_case *c, struct case_event *e, const char *name, const char *text)
{
	field_text(c, e, name, EVTX_VALUE_STRING, text);
}

void case_field_sid(struct sample_case *c, struct case_event *e, const char *name, const char *sid)
{
	field_text(c, e, name, EVTX_VALUE_SID, sid);
}

void case_field_guid(struct sample_case *c, struct case_event *e, const char *name, const char *guid)
{
	field_text(c, e, name, EVTX_VALUE_GUID, guid);
}

void case_field_num(struct sample_case *c, struct case_event *e, const char *name, enum evtx_value_type type,
		    uint64_t num)
{
	struct evtx_writer_field *f = field_add(c, e, name, type);
	if (f)
		f->num = num;
}

void case_field_hidden(struct sample_case *c, struct case_event *e, enum evtx_value_type type, uint64_t num)
{
	struct evtx_writer_field *f = field_add(c, e, NULL, type);
	if (f)
		f->num = num;
}

void case_binary(struct sample_case *c, struct case_event *e, const void *p, size_t n)
{
	if (!e)
		return;
	void *copy = case_alloc(c, n ? n : 1);
	if (!copy)
		return;
	memcpy(copy, p, n);
	e->ev.binary = copy;
	e->ev.binary_len = n;
}

static const struct evtx_writer_field *field_find(const struct case_event *e, const char *name)
{
	for (size_t i = 0; i < e->ev.n_fields; i++)
		if (e->fields[i].name && strcmp(e->fields[i].name, name) == 0)
			return &e->fields[i];
	return NULL;
}

const char *case_field_text(const struct case_event *e, const char *name)
{
	const struct evtx_writer_field *f = field_find(e, name);
	if (!f || (f->type != EVTX_VALUE_STRING && f->type != EVTX_VALUE_SID && f->type != EVTX_VALUE_GUID))
		return NULL;
	return f->text;
}

int case_field_number(const struct case_event *e, const char *name, uint64_t *out)
{
	const struct evtx_writer_field *f = field_find(e, name);
	if (!f || f->type == EVTX_VALUE_STRING || f->type == EVTX_VALUE_SID ||
	    f->type == EVTX_VALUE_GUID || f->type == EVTX_VALUE_BINARY)
		return -1;
	*out = f->num;
	return 0;
}

void case_truth_add(struct sample_case *c, const struct case_truth *t)
{
	if (c->error || !t->event)
		return;
	if (grow((void **)&c->truths, &c->cap_truths, c->n_truths + 1, sizeof(*c->truths), CASE_MAX_EVENTS) < 0) {
		case_fail(c);
		return;
	}
	c->truths[c->n_truths++] = *t;
}

void case_lookalike_add(struct sample_case *c, const struct case_event *e)
{
	if (c->error || !e)
		return;
	if (grow((void **)&c->lookalikes, &c->cap_lookalikes, c->n_lookalikes + 1, sizeof(*c->lookalikes),
		 CASE_MAX_EVENTS) < 0) {
		case_fail(c);
		return;
	}
	c->lookalikes[c->n_lookalikes++] = e;
}

static int event_cmp(const void *a, const void *b)
{
	const struct case_event *x = *(struct case_event *const *)a, *y = *(struct case_event *const *)b;
	if (x->ev.time_created != y->ev.time_created)
		return x->ev.time_created < y->ev.time_created ? -1 : 1;
	return x->seq < y->seq ? -1 : x->seq > y->seq;
}

int case_number_records(struct sample_case *c)
{
	if (c->error)
		return c->error;
	for (size_t h = 0; h < c->n_hosts; h++) {
		for (int l = 0; l < CASE_N_LOGS; l++) {
			size_t n = 0;
			free(c->order[h][l]);
			c->order[h][l] = malloc((c->n_events ? c->n_events : 1) * sizeof(**c->order));
			if (!c->order[h][l])
				return c->error = CASE_ENOMEM;
			for (size_t i = 0; i < c->n_events; i++)
				if (c->events[i]->host == (int)h && c->events[i]->log == (enum case_log)l)
					c->order[h][l][n++] = c->events[i];
			qsort(c->order[h][l], n, sizeof(**c->order), event_cmp);
			uint64_t written = 0;
			for (size_t i = 0; i < n; i++) {
				struct case_event *e = c->order[h][l][i];
				e->ev.record_id = c->hosts[h].first_record_id[l] + i;
				/* The service writes records in order, a little after they happen. */
				uint64_t t = e->ev.time_created + e->write_delay;
				written = t > written ? t : written;
				e->ev.written_time = written;
			}
			c->n_order[h][l] = n;
		}
	}
	return 0;
}

const char *case_log_file(enum case_log log)
{
	static const char *const names[CASE_N_LOGS] = {
		"Security.evtx", "System.evtx", "Microsoft-Windows-Sysmon%4Operational.evtx",
	};
	return names[log];
}

const char *case_log_path(struct sample_case *c, int host, enum case_log log)
{
	return case_printf(c, "%s/C/Windows/System32/winevt/Logs/%s", c->hosts[host].name, case_log_file(log));
}

int case_has_log(const struct sample_case *c, int host, enum case_log log)
{
	return log != CASE_LOG_SYSMON || c->hosts[host].has_sysmon;
}

static int case_io_error(struct sample_case *c, const char *path)
{
	int saved = errno;
	c->error_path = path;
	errno = saved;
	return CASE_EIO;
}

int case_mkdirs(struct sample_case *c, const char *path)
{
	char *p = arena_strdup(&c->arena, path);
	if (!p)
		return c->error = CASE_ENOMEM;
	for (char *s = p + 1;; s++) {
		if (*s != '/' && *s != '\0')
			continue;
		char saved = *s;
		*s = '\0';
		if (mkdir(p, 0777) != 0 && errno != EEXIST)
			return case_io_error(c, case_str(c, p));
		*s = saved;
		if (saved == '\0')
			return 0;
	}
}

static int write_log(struct sample_case *c, const char *path, struct case_event **events, size_t n)
{
	struct evtx_writer *w;
	int rc = evtx_writer_open(path, &w);
	if (rc)
		return rc == EVTX_WRITER_EIO ? case_io_error(c, path) : rc;
	for (size_t i = 0; i < n && !rc; i++)
		rc = evtx_writer_append(w, &events[i]->ev);
	int close_rc = evtx_writer_close(w);
	rc = rc ? rc : close_rc;
	if (rc == EVTX_WRITER_EIO)
		return case_io_error(c, path);
	if (rc)
		c->error_path = path;
	return rc;
}

int case_write_logs(struct sample_case *c, const char *outdir)
{
	for (size_t h = 0; h < c->n_hosts; h++) {
		const char *dir = case_printf(c, "%s/%s/C/Windows/System32/winevt/Logs", outdir, c->hosts[h].name);
		if (!dir)
			return CASE_ENOMEM;
		int rc = case_mkdirs(c, dir);
		for (int l = 0; l < CASE_N_LOGS && !rc; l++) {
			if (!case_has_log(c, (int)h, (enum case_log)l))
				continue;
			const char *path = case_printf(c, "%s/%s", dir, case_log_file((enum case_log)l));
			rc = path ? write_log(c, path, c->order[h][l], c->n_order[h][l]) : CASE_ENOMEM;
		}
		if (rc)
			return rc;
	}
	return 0;
}
