/* functions.c: application SQL functions for the T1489 queries. */
#include <stdint.h>
#include <fnmatch.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "functions.h"
#include "hostname.h"
#include "svc_action.h"

extern const char critical_services_tsv[];

#define CRITICAL_MAX 1024

struct critical {
	char *pattern, *category, *level;
};

static struct critical critical[CRITICAL_MAX];
static size_t n_critical;
static int builtin_loaded;

/* Service names repeat across millions of events: the last answers are remembered
 * in a small direct-mapped cache keyed by a hash of both names. */
#define MEMO_SLOTS 1024
#define MEMO_NAME_MAX 96
struct memo {
	int used;
	char key[MEMO_NAME_MAX], display[MEMO_NAME_MAX];
	const struct critical *found;
};
static struct memo memo[MEMO_SLOTS];

/* Parses TSV text; origin names it in messages. Returns 0 or -1. */
static int parse_critical(const char *text, const char *origin)
{
	int line_no = 0;
	for (const char *line = text; *line; ) {
		const char *eol = strchr(line, '\n');
		size_t len = eol ? (size_t)(eol - line) : strlen(line);
		char buf[512], *f[3], *save = NULL;
		line_no++;
		if (len >= sizeof(buf)) {
			fprintf(stderr, "evtx-query: error: %s:%d: line too long\n", origin, line_no);
			return -1;
		}
		memcpy(buf, line, len);
		buf[len] = '\0';
		if (len && buf[len - 1] == '\r')
			buf[len - 1] = '\0';
		line = eol ? eol + 1 : line + len;
		if (buf[0] == '#' || buf[0] == '\0')
			continue;
		f[0] = strtok_r(buf, "\t", &save);
		f[1] = strtok_r(NULL, "\t", &save);
		f[2] = strtok_r(NULL, "\t", &save);
		if (!f[0] || !f[1] || !f[2] || (strcmp(f[2], "high") && strcmp(f[2], "critical"))) {
			fprintf(stderr, "evtx-query: error: %s:%d: want pattern<TAB>category<TAB>high|critical\n",
				origin, line_no);
			return -1;
		}
		if (n_critical == CRITICAL_MAX) {
			fprintf(stderr, "evtx-query: error: %s: more than %d critical services\n", origin, CRITICAL_MAX);
			return -1;
		}
		struct critical *c = &critical[n_critical];
		c->pattern = strdup(f[0]);
		c->category = strdup(f[1]);
		c->level = strdup(f[2]);
		if (!c->pattern || !c->category || !c->level) {
			fprintf(stderr, "evtx-query: error: out of memory\n");
			return -1;
		}
		n_critical++;
	}
	memset(memo, 0, sizeof(memo));
	return 0;
}

static int load_builtin(void)
{
	if (builtin_loaded)
		return 0;
	builtin_loaded = 1;
	return parse_critical(critical_services_tsv, "built-in critical services");
}

int functions_load_critical(const char *path)
{
	FILE *fp = fopen(path, "r");
	char *text;
	long n;
	int rc;
	if (load_builtin())
		return -1;
	if (!fp || fseek(fp, 0, SEEK_END) || (n = ftell(fp)) < 0 || n > (1 << 20) || fseek(fp, 0, SEEK_SET)) {
		fprintf(stderr, "evtx-query: error: cannot read '%s'\n", path);
		if (fp)
			fclose(fp);
		return -1;
	}
	text = calloc(1, (size_t)n + 1);
	if (!text || fread(text, 1, (size_t)n, fp) != (size_t)n) {
		fprintf(stderr, "evtx-query: error: cannot read '%s'\n", path);
		free(text);
		fclose(fp);
		return -1;
	}
	fclose(fp);
	rc = parse_critical(text, path);
	free(text);
	return rc;
}

static uint32_t hash_names(const char *a, const char *b)
{
	uint32_t h = 2166136261u;
	for (const char *p = a ? a : ""; *p; p++)
		h = (h ^ (unsigned char)*p) * 16777619u;
	h = (h ^ 0xff) * 16777619u;
	for (const char *p = b ? b : ""; *p; p++)
		h = (h ^ (unsigned char)*p) * 16777619u;
	return h;
}

static const struct critical *match_critical(const char *key, const char *display);

/* The first list entry matching either name; later files may add, not remove. */
static const struct critical *find_critical(const char *key, const char *display)
{
	const char *k = key ? key : "", *d = display ? display : "";
	struct memo *m;
	if (strlen(k) >= MEMO_NAME_MAX || strlen(d) >= MEMO_NAME_MAX)
		return match_critical(key, display);
	m = &memo[hash_names(k, d) % MEMO_SLOTS];
	if (!m->used || strcmp(m->key, k) || strcmp(m->display, d)) {
		m->used = 1;
		strcpy(m->key, k);
		strcpy(m->display, d);
		m->found = match_critical(key, display);
	}
	return m->found;
}

static const struct critical *match_critical(const char *key, const char *display)
{
	for (size_t i = 0; i < n_critical; i++) {
		const char *p = critical[i].pattern;
		if ((key && fnmatch(p, key, FNM_CASEFOLD) == 0) || (display && fnmatch(p, display, FNM_CASEFOLD) == 0))
			return &critical[i];
	}
	return NULL;
}

static const char *arg_text(sqlite3_value *v)
{
	return sqlite3_value_type(v) == SQLITE_NULL ? NULL : (const char *)sqlite3_value_text(v);
}

static void fn_critical(sqlite3_context *ctx, int argc, sqlite3_value **argv)
{
	const struct critical *c = find_critical(arg_text(argv[0]), argc > 1 ? arg_text(argv[1]) : NULL);
	int want_category = *(const int *)sqlite3_user_data(ctx);
	if (c)
		sqlite3_result_text(ctx, want_category ? c->category : c->level, -1, SQLITE_STATIC);
	else
		sqlite3_result_null(ctx);
}

static void fn_textbook(sqlite3_context *ctx, int argc, sqlite3_value **argv)
{
	const char *cmd = arg_text(argv[0]);
	(void)argc;
	sqlite3_result_int(ctx, cmd ? svc_textbook_match(cmd) : 0);
}

static void fn_same_host(sqlite3_context *ctx, int argc, sqlite3_value **argv)
{
	const char *a = arg_text(argv[0]), *b = arg_text(argv[1]);
	char ka[256], kb[256];
	(void)argc;
	if (!a || !b || !*a || !*b) {
		sqlite3_result_int(ctx, 0);
		return;
	}
	hostname_key(a, ka, sizeof(ka));
	hostname_key(b, kb, sizeof(kb));
	sqlite3_result_int(ctx, !strcasecmp(a, b) || !strcmp(ka, kb));
}

static void fn_host_key(sqlite3_context *ctx, int argc, sqlite3_value **argv)
{
	const char *a = arg_text(argv[0]);
	char k[256];
	(void)argc;
	if (!a) {
		sqlite3_result_null(ctx);
		return;
	}
	hostname_key(a, k, sizeof(k));
	sqlite3_result_text(ctx, k, -1, SQLITE_TRANSIENT);
}

/* crowded(id, key, time, window, n): an aggregate. The ids (ascending, as a JSON array)
 * of the rows that have at least n rows, themselves included, of the same key and a
 * time within window of theirs. A row whose key is NULL or whose time is not an integer
 * counts for nothing. One pass over the rows sorted by key and time, instead of a
 * window function, which copies every row through temporary tables. */
#define CROWD_MAX_ROWS ((size_t)1 << 24)
#define CROWD_MAX_KEYS ((size_t)1 << 28)

struct crowd_row {
	size_t key_off;
	const char *key;
	sqlite3_int64 time, id;
};

struct crowd {
	struct crowd_row *rows;
	size_t n, cap;
	char *keys;
	size_t keys_len, keys_cap, last_key;
	sqlite3_int64 window, min;
	int failed;
};

static int crowd_grow(void **p, size_t *cap, size_t need, size_t size, size_t max)
{
	size_t c = *cap ? *cap : 256;
	void *q;
	if (need > max)
		return -1;
	while (c < need)
		c *= 2;
	if (c > max)
		c = max;
	if (c == *cap)
		return 0;
	q = realloc(*p, c * size);
	if (!q)
		return -1;
	*p = q;
	*cap = c;
	return 0;
}

static void fn_crowded_step(sqlite3_context *ctx, int argc, sqlite3_value **argv)
{
	struct crowd *c = sqlite3_aggregate_context(ctx, sizeof(*c));
	const char *key;
	size_t len;
	(void)argc;
	if (!c || c->failed)
		return;
	if (c->n == 0) {
		c->window = sqlite3_value_int64(argv[3]);
		c->min = sqlite3_value_int64(argv[4]);
	}
	if (sqlite3_value_type(argv[1]) == SQLITE_NULL || sqlite3_value_type(argv[2]) != SQLITE_INTEGER)
		return;
	key = (const char *)sqlite3_value_text(argv[1]);
	len = (size_t)sqlite3_value_bytes(argv[1]);
	if (!key || crowd_grow((void **)&c->rows, &c->cap, c->n + 1, sizeof(*c->rows), CROWD_MAX_ROWS)) {
		c->failed = 1;
		return;
	}
	/* Rows come grouped by key more often than not: a key equal to the last one is shared. */
	if (c->n == 0 || strcmp(c->keys + c->last_key, key)) {
		if (crowd_grow((void **)&c->keys, &c->keys_cap, c->keys_len + len + 1, 1, CROWD_MAX_KEYS)) {
			c->failed = 1;
			return;
		}
		memcpy(c->keys + c->keys_len, key, len + 1);
		c->last_key = c->keys_len;
		c->keys_len += len + 1;
	}
	c->rows[c->n].key_off = c->last_key;
	c->rows[c->n].time = sqlite3_value_int64(argv[2]);
	c->rows[c->n].id = sqlite3_value_int64(argv[0]);
	c->n++;
}

static int crowd_row_cmp(const void *pa, const void *pb)
{
	const struct crowd_row *a = pa, *b = pb;
	int k = a->key == b->key ? 0 : strcmp(a->key, b->key);
	if (k)
		return k;
	return a->time < b->time ? -1 : a->time > b->time;
}

static int id_cmp(const void *pa, const void *pb)
{
	sqlite3_int64 a = *(const sqlite3_int64 *)pa, b = *(const sqlite3_int64 *)pb;
	return a < b ? -1 : a > b;
}

/* |a - b| <= w without overflow. */
static int within(sqlite3_int64 a, sqlite3_int64 b, sqlite3_int64 w)
{
	uint64_t d = a >= b ? (uint64_t)a - (uint64_t)b : (uint64_t)b - (uint64_t)a;
	return w >= 0 && d <= (uint64_t)w;
}

static void fn_crowded_final(sqlite3_context *ctx)
{
	struct crowd *c = sqlite3_aggregate_context(ctx, 0);
	sqlite3_int64 *ids = NULL;
	size_t n_ids = 0;
	sqlite3_str *out;

	if (c && c->failed) {
		sqlite3_result_error(ctx, "crowded: too many rows or out of memory", -1);
		goto done;
	}
	if (c && c->n) {
		ids = malloc(c->n * sizeof(*ids));
		if (!ids) {
			sqlite3_result_error_nomem(ctx);
			goto done;
		}
		for (size_t i = 0; i < c->n; i++)
			c->rows[i].key = c->keys + c->rows[i].key_off;
		qsort(c->rows, c->n, sizeof(*c->rows), crowd_row_cmp);
		for (size_t start = 0, end; start < c->n; start = end) {
			size_t lo = start, hi = start;
			for (end = start; end < c->n && !strcmp(c->rows[end].key, c->rows[start].key); end++)
				;
			for (size_t i = start; i < end && c->window >= 0; i++) {
				while (lo < i && !within(c->rows[lo].time, c->rows[i].time, c->window))
					lo++;
				if (hi < i)
					hi = i;
				while (hi + 1 < end && within(c->rows[hi + 1].time, c->rows[i].time, c->window))
					hi++;
				if ((sqlite3_int64)(hi - lo + 1) >= c->min)
					ids[n_ids++] = c->rows[i].id;
			}
		}
		qsort(ids, n_ids, sizeof(*ids), id_cmp);
	}
	out = sqlite3_str_new(sqlite3_context_db_handle(ctx));
	sqlite3_str_appendchar(out, 1, '[');
	for (size_t i = 0; i < n_ids; i++)
		sqlite3_str_appendf(out, i ? ",%lld" : "%lld", ids[i]);
	sqlite3_str_appendchar(out, 1, ']');
	if (sqlite3_str_errcode(out)) {
		sqlite3_free(sqlite3_str_finish(out));
		sqlite3_result_error_nomem(ctx);
	} else {
		sqlite3_result_text(ctx, sqlite3_str_finish(out), -1, sqlite3_free);
	}
done:
	free(ids);
	if (c) {
		free(c->rows);
		free(c->keys);
	}
}

int functions_register(sqlite3 *db)
{
	static const int level = 0, category = 1;
	const int flags = SQLITE_UTF8 | SQLITE_DETERMINISTIC | SQLITE_INNOCUOUS;
	if (load_builtin())
		return -1;
	if (sqlite3_create_function(db, "critical_level", 2, flags, (void *)&level, fn_critical, NULL, NULL) ||
	    sqlite3_create_function(db, "critical_category", 2, flags, (void *)&category, fn_critical, NULL, NULL) ||
	    sqlite3_create_function(db, "textbook_t1489", 1, flags, NULL, fn_textbook, NULL, NULL) ||
	    sqlite3_create_function(db, "same_host", 2, flags, NULL, fn_same_host, NULL, NULL) ||
	    sqlite3_create_function(db, "host_key", 1, flags, NULL, fn_host_key, NULL, NULL) ||
	    sqlite3_create_function(db, "crowded", 5, flags, NULL, NULL, fn_crowded_step, fn_crowded_final)) {
		fprintf(stderr, "evtx-query: error: database: %s\n", sqlite3_errmsg(db));
		return -1;
	}
	return 0;
}
