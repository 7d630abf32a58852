/* store.c: the indexer's SQLite writes (prepared once, bound and reset per row). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "actions.h"
#include "convert.h"
#include "db.h"
#include "hostname.h"
#include "store.h"

#define COVERAGE_MAX 256
#define SHA256_HEX_LEN 65

struct coverage_acc {
	int64_t host_id;
	char channel[128];
	struct coverage_count c;
};

enum stmt_id {
	ST_FILE_BY_SHA, ST_PATH_ADD, ST_FILE_INSERT, ST_FILE_UPDATE, ST_HOST_ADD, ST_HOST_GET,
	ST_PROCESS, ST_SERVICE, ST_PROCESS_FIND, ST_SERVICE_FIND, ST_SIGHTING, ST_SKIP,
	ST_REJECTED, ST_COVERAGE, ST_ACCOUNT, ST_SERVICE_ADD, ST_SERVICE_GET, ST_HOST_EVENT, ST_HOST_EVENT_FIND, ST_COUNT
};

static const char *const stmt_sql[ST_COUNT] = {
	[ST_FILE_BY_SHA] = "SELECT file_id, skipped FROM evidence_file WHERE sha256 = ?1",
	[ST_PATH_ADD] = "INSERT OR IGNORE INTO evidence_path(path, file_id, first_seen) VALUES (?1, ?2, ?3)",
	[ST_FILE_INSERT] = "INSERT INTO evidence_file(sha256, size, path, decoder, indexed_at, status) "
			   "VALUES (?1, ?2, ?3, ?4, ?5, 'partial')",
	[ST_FILE_UPDATE] = "UPDATE evidence_file SET status = ?2, error = ?3, format_version = ?4, dirty = ?5, "
			   "header_chunks = ?6, chunks = ?7, repaired = ?8, records = ?9, recovered = ?10, "
			   "skipped = ?11, n_4688 = ?12, n_sysmon1 = ?13, n_7036 = ?14, n_7040 = ?15, "
			   "n_7045 = ?16, n_4697 = ?17, n_duplicates = ?18, chunks_bad_crc = ?19, header_bad_crc = ?20 "
			   "WHERE file_id = ?1",
	[ST_HOST_ADD] = "INSERT OR IGNORE INTO host(name, host_key) VALUES (?1, ?2)",
	[ST_HOST_GET] = "SELECT host_id FROM host WHERE name = ?1",
	[ST_PROCESS] = "INSERT INTO process(host_id, time, source, channel, event_version, record_id, pid, ppid, "
		       "image, parent_image, command_line, parent_command_line, current_directory, account, sid, "
		       "logon_id, target_account, target_sid, target_logon_id, integrity, elevation, process_guid, "
		       "parent_process_guid, logon_guid, hashes, original_file_name, parent_user, rule_name, "
		       "recovered, file_id, record_number, chunk) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, "
		       "?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18, ?19, ?20, ?21, ?22, ?23, ?24, ?25, ?26, ?27, ?28, "
		       "?29, ?30, ?31, ?32) ON CONFLICT DO NOTHING",
	[ST_SERVICE] = "INSERT INTO service_event(host_id, time, event_id, channel, record_id, service_name, "
		       "display_name, state, state_code, old_start_type, new_start_type, image_path, service_type, "
		       "service_account, sid, account, logon_id, recovered, file_id, record_number, chunk, service_id) "
		       "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18, ?19, "
		       "?20, ?21, ?22) ON CONFLICT DO NOTHING",
	[ST_SERVICE_ADD] = "INSERT OR IGNORE INTO service(service_name, display_name) VALUES (?1, ?2)",
	[ST_SERVICE_GET] = "SELECT service_id FROM service WHERE service_name = ?1 AND display_name = ?2",
	[ST_PROCESS_FIND] = "SELECT process_id FROM process WHERE host_id = ?1 AND channel = ?2 AND "
			    "record_id = ?3 AND time = ?4",
	[ST_SERVICE_FIND] = "SELECT service_event_id FROM service_event WHERE host_id = ?1 AND channel = ?2 AND "
			    "record_id = ?3 AND time = ?4",
	[ST_SIGHTING] = "INSERT OR IGNORE INTO sighting(kind, row_id, file_id, record_number) VALUES (?1, ?2, ?3, ?4)",
	[ST_SKIP] = "INSERT INTO skipped_record(file_id, chunk, record_number, n_records, recovered, reason) "
		    "VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
	[ST_REJECTED] = "INSERT OR REPLACE INTO rejected_path(path, reason) VALUES (?1, ?2)",
	[ST_COVERAGE] = "INSERT INTO coverage(host_id, channel, first_time, last_time, records, n_4688, "
			"n_4688_cmdline, n_sysmon1, n_service) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9) "
			"ON CONFLICT(host_id, channel) DO UPDATE SET "
			"first_time = min(first_time, excluded.first_time), "
			"last_time = max(last_time, excluded.last_time), records = records + excluded.records, "
			"n_4688 = n_4688 + excluded.n_4688, n_4688_cmdline = n_4688_cmdline + excluded.n_4688_cmdline, "
			"n_sysmon1 = n_sysmon1 + excluded.n_sysmon1, n_service = n_service + excluded.n_service",
	[ST_ACCOUNT] = "INSERT OR IGNORE INTO account(sid, name) VALUES (?1, ?2)",
	[ST_HOST_EVENT] = "INSERT INTO host_event(host_id, time, event_id, channel, record_id, kind, detail, account, "
			  "sid, recovered, file_id, record_number, chunk) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, "
			  "?10, ?11, ?12, ?13) ON CONFLICT DO NOTHING",
	[ST_HOST_EVENT_FIND] = "SELECT host_event_id FROM host_event WHERE host_id = ?1 AND channel = ?2 AND "
			       "record_id = ?3 AND time = ?4",
};

/* Service names repeat: recent (key, display) -> service_id, direct-mapped. */
#define SERVICE_SLOTS 512
#define SERVICE_NAME_MAX 128
struct service_slot {
	int64_t id;	/* 0: empty */
	char key[SERVICE_NAME_MAX], display[SERVICE_NAME_MAX];
};

/* Accounts repeat on nearly every record: recently stored (SID, name) pairs. */
#define ACCOUNT_SLOTS 256
#define ACCOUNT_TEXT_MAX 128
struct account_slot {
	int used;
	char sid[ACCOUNT_TEXT_MAX], name[ACCOUNT_TEXT_MAX];
};

struct store {
	sqlite3 *db;
	sqlite3_stmt *st[ST_COUNT];
	char last_host[256];
	int64_t last_host_id;
	struct service_slot services[SERVICE_SLOTS];
	struct account_slot accounts[ACCOUNT_SLOTS];
	struct coverage_acc cov[COVERAGE_MAX];
	size_t n_cov;
	struct actions *actions;
	int in_group;		/* a group transaction is open */
	unsigned group_files;	/* files released into it */
	double group_t0;	/* when it began (CLOCK_MONOTONIC seconds) */
};

/* Files are written in group transactions: each file in its own savepoint inside
 * one transaction that is committed every GROUP_FILES files or GROUP_SECONDS,
 * whichever comes first. A file is still all or nothing; a run killed loses at
 * most the files of the open group, which the next run indexes. */
#define GROUP_FILES 512
#define GROUP_SECONDS 0.5

static int fail(struct store *s, const char *what)
{
	return db_error("evtx-index", s->db, what);
}

static int exec(struct store *s, const char *sql)
{
	return sqlite3_exec(s->db, sql, NULL, NULL, NULL) == SQLITE_OK ? 0 : fail(s, sql);
}

int store_open(sqlite3 *db, struct store **out)
{
	struct store *s = calloc(1, sizeof(*s));
	if (!s) {
		fprintf(stderr, "evtx-index: error: out of memory\n");
		return -1;
	}
	s->db = db;
	for (int i = 0; i < ST_COUNT; i++) {
		if (sqlite3_prepare_v3(db, stmt_sql[i], -1, SQLITE_PREPARE_PERSISTENT, &s->st[i], NULL) != SQLITE_OK) {
			fail(s, "prepare");
			store_close(s);
			return -1;
		}
	}
	if (actions_open(db, &s->actions)) {
		store_close(s);
		return -1;
	}
	*out = s;
	return 0;
}

void store_close(struct store *s)
{
	if (!s)
		return;
	for (int i = 0; i < ST_COUNT; i++)
		sqlite3_finalize(s->st[i]);
	actions_close(s->actions);
	free(s);
}

static void bind_text(sqlite3_stmt *st, int i, const char *v)
{
	if (v)
		sqlite3_bind_text(st, i, v, -1, SQLITE_STATIC);
	else
		sqlite3_bind_null(st, i);
}

static void bind_opt(sqlite3_stmt *st, int i, struct opt_int v)
{
	if (v.has)
		sqlite3_bind_int64(st, i, v.v);
	else
		sqlite3_bind_null(st, i);
}

static void bind_chunk(sqlite3_stmt *st, int i, uint32_t chunk)
{
	if (chunk == EVENT_NO_CHUNK)
		sqlite3_bind_null(st, i);
	else
		sqlite3_bind_int64(st, i, chunk);
}

/* Steps a statement that returns no row (or whose row is ignored) and resets it. */
static int run(struct store *s, int id)
{
	sqlite3_stmt *st = s->st[id];
	int rc = sqlite3_step(st);
	sqlite3_reset(st);
	sqlite3_clear_bindings(st);
	return rc == SQLITE_DONE || rc == SQLITE_ROW ? 0 : fail(s, stmt_sql[id]);
}

/* Steps a statement that returns one integer; *out = 0 when no row. */
static int run_int(struct store *s, int id, int64_t *out)
{
	sqlite3_stmt *st = s->st[id];
	int rc = sqlite3_step(st);
	*out = rc == SQLITE_ROW ? sqlite3_column_int64(st, 0) : 0;
	sqlite3_reset(st);
	sqlite3_clear_bindings(st);
	return rc == SQLITE_DONE || rc == SQLITE_ROW ? 0 : fail(s, stmt_sql[id]);
}

static double mono_sec(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void now_iso(char *buf, size_t len)
{
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	uint64_t ft = (uint64_t)ts.tv_sec * 10000000ULL + FILETIME_UNIX_EPOCH;
	if (convert_filetime_iso(ft, 0, buf, len) != 0)
		snprintf(buf, len, "unknown");
}

int store_lookup_file(struct store *s, const char *sha256, const char *path, int64_t *file_id,
		      int64_t *skipped)
{
	char now[ISO_TIME_LEN + 8];
	sqlite3_stmt *st = s->st[ST_FILE_BY_SHA];
	int rc;
	bind_text(st, 1, sha256);
	rc = sqlite3_step(st);
	*file_id = rc == SQLITE_ROW ? sqlite3_column_int64(st, 0) : 0;
	*skipped = rc == SQLITE_ROW ? sqlite3_column_int64(st, 1) : 0;
	sqlite3_reset(st);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return fail(s, stmt_sql[ST_FILE_BY_SHA]);
	if (*file_id == 0)
		return 0;
	now_iso(now, sizeof(now));
	bind_text(s->st[ST_PATH_ADD], 1, path);
	sqlite3_bind_int64(s->st[ST_PATH_ADD], 2, *file_id);
	bind_text(s->st[ST_PATH_ADD], 3, now);
	return run(s, ST_PATH_ADD);
}

int store_known_sha256(struct store *s, char **out, size_t *n)
{
	sqlite3_stmt *st;
	char *v = NULL;
	size_t len = 0, cap = 0;
	int rc;

	*out = NULL;
	*n = 0;
	if (sqlite3_prepare_v2(s->db, "SELECT sha256 FROM evidence_file ORDER BY sha256", -1, &st, NULL) != SQLITE_OK)
		return fail(s, "prepare");
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		const char *sha = (const char *)sqlite3_column_text(st, 0);
		if (!sha || strlen(sha) != SHA256_HEX_LEN - 1)
			continue;
		if (len == cap) {
			size_t ncap = cap ? cap * 2 : 64;
			char *nv = realloc(v, ncap * SHA256_HEX_LEN);
			if (!nv) {
				free(v);
				sqlite3_finalize(st);
				fprintf(stderr, "evtx-index: error: out of memory\n");
				return -1;
			}
			v = nv;
			cap = ncap;
		}
		memcpy(v + len++ * SHA256_HEX_LEN, sha, SHA256_HEX_LEN);
	}
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE) {
		free(v);
		return fail(s, "SELECT sha256 FROM evidence_file");
	}
	*out = v;
	*n = len;
	return 0;
}

int store_file_begin(struct store *s, const struct store_file_meta *m, int64_t *file_id)
{
	char now[ISO_TIME_LEN + 8];
	sqlite3_stmt *st = s->st[ST_FILE_INSERT];

	if (!s->in_group) {
		if (exec(s, "BEGIN IMMEDIATE"))
			return -1;
		s->in_group = 1;
		s->group_files = 0;
		s->group_t0 = mono_sec();
	}
	if (exec(s, "SAVEPOINT evidence_file")) {
		store_file_rollback(s);
		return -1;
	}
	now_iso(now, sizeof(now));
	bind_text(st, 1, m->sha256);
	sqlite3_bind_int64(st, 2, m->size);
	bind_text(st, 3, m->path);
	bind_text(st, 4, m->decoder);
	bind_text(st, 5, now);
	if (run(s, ST_FILE_INSERT))
		goto fail;
	*file_id = sqlite3_last_insert_rowid(s->db);
	bind_text(s->st[ST_PATH_ADD], 1, m->path);
	sqlite3_bind_int64(s->st[ST_PATH_ADD], 2, *file_id);
	bind_text(s->st[ST_PATH_ADD], 3, now);
	if (run(s, ST_PATH_ADD))
		goto fail;
	s->n_cov = 0;
	return 0;
fail:
	store_file_rollback(s);
	return -1;
}

/* Ids cached from rows a rollback removed must not be used again. */
static void forget_cached_ids(struct store *s)
{
	s->last_host_id = 0;
	for (size_t i = 0; i < SERVICE_SLOTS; i++)
		s->services[i].id = 0;
	for (size_t i = 0; i < ACCOUNT_SLOTS; i++)
		s->accounts[i].used = 0;
	s->n_cov = 0;
}

void store_file_rollback(struct store *s)
{
	/* Only the file's savepoint is undone: the files before it in the group stay.
	 * After an I/O or disk-full error SQLite may have rolled the whole transaction
	 * back already; the savepoint is then gone and so is the group. */
	if (!sqlite3_get_autocommit(s->db) &&
	    sqlite3_exec(s->db, "ROLLBACK TO evidence_file; RELEASE evidence_file", NULL, NULL, NULL) != SQLITE_OK)
		sqlite3_exec(s->db, "ROLLBACK", NULL, NULL, NULL);
	s->in_group = !sqlite3_get_autocommit(s->db);
	forget_cached_ids(s);
}

int store_flush(struct store *s)
{
	if (!s->in_group)
		return 0;
	s->in_group = 0;
	if (sqlite3_get_autocommit(s->db))
		return 0;
	if (exec(s, "COMMIT")) {
		sqlite3_exec(s->db, "ROLLBACK", NULL, NULL, NULL);
		forget_cached_ids(s);
		return -1;
	}
	return 0;
}

static int flush_coverage(struct store *s)
{
	sqlite3_stmt *st = s->st[ST_COVERAGE];
	for (size_t i = 0; i < s->n_cov; i++) {
		const struct coverage_acc *a = &s->cov[i];
		const struct coverage_count *c = &a->c;
		sqlite3_bind_int64(st, 1, a->host_id);
		bind_text(st, 2, a->channel);
		sqlite3_bind_int64(st, 3, (int64_t)c->first);
		sqlite3_bind_int64(st, 4, (int64_t)c->last);
		sqlite3_bind_int64(st, 5, (int64_t)c->records);
		sqlite3_bind_int64(st, 6, (int64_t)c->n_4688);
		sqlite3_bind_int64(st, 7, (int64_t)c->n_4688_cmdline);
		sqlite3_bind_int64(st, 8, (int64_t)c->n_sysmon1);
		sqlite3_bind_int64(st, 9, (int64_t)c->n_service);
		if (run(s, ST_COVERAGE))
			return -1;
	}
	s->n_cov = 0;
	return 0;
}

int store_file_commit(struct store *s, int64_t file_id, const struct store_file_counts *c,
		      const struct evtx_file_info *info, const char *status, const char *error)
{
	sqlite3_stmt *st = s->st[ST_FILE_UPDATE];
	char ver[32];

	if (flush_coverage(s))
		goto fail;
	snprintf(ver, sizeof(ver), "%d.%d", info->major_version, info->minor_version);
	sqlite3_bind_int64(st, 1, file_id);
	bind_text(st, 2, status);
	bind_text(st, 3, error);
	bind_text(st, 4, info->major_version ? ver : NULL);
	sqlite3_bind_int(st, 5, info->dirty);
	sqlite3_bind_int64(st, 6, info->header_chunks);
	sqlite3_bind_int64(st, 7, info->chunks_read);
	sqlite3_bind_int(st, 8, info->repaired);
	sqlite3_bind_int64(st, 9, (int64_t)c->records);
	sqlite3_bind_int64(st, 10, (int64_t)c->recovered);
	sqlite3_bind_int64(st, 11, (int64_t)c->skipped);
	sqlite3_bind_int64(st, 12, (int64_t)c->n_4688);
	sqlite3_bind_int64(st, 13, (int64_t)c->n_sysmon1);
	sqlite3_bind_int64(st, 14, (int64_t)c->n_7036);
	sqlite3_bind_int64(st, 15, (int64_t)c->n_7040);
	sqlite3_bind_int64(st, 16, (int64_t)c->n_7045);
	sqlite3_bind_int64(st, 17, (int64_t)c->n_4697);
	sqlite3_bind_int64(st, 18, (int64_t)c->n_duplicates);
	sqlite3_bind_int64(st, 19, info->chunks_bad_crc);
	sqlite3_bind_int(st, 20, info->header_bad_crc);
	if (run(s, ST_FILE_UPDATE) || exec(s, "RELEASE evidence_file"))
		goto fail;
	if (++s->group_files >= GROUP_FILES || mono_sec() - s->group_t0 >= GROUP_SECONDS)
		return store_flush(s);
	return 0;
fail:
	store_file_rollback(s);
	return -1;
}

static int host_id(struct store *s, const char *name, int64_t *out)
{
	if (s->last_host_id && !strcmp(s->last_host, name)) {
		*out = s->last_host_id;
		return 0;
	}
	char key[256];
	hostname_key(name, key, sizeof(key));
	bind_text(s->st[ST_HOST_ADD], 1, name);
	bind_text(s->st[ST_HOST_ADD], 2, key);
	if (run(s, ST_HOST_ADD))
		return -1;
	bind_text(s->st[ST_HOST_GET], 1, name);
	if (run_int(s, ST_HOST_GET, out))
		return -1;
	if (strlen(name) < sizeof(s->last_host)) {
		strcpy(s->last_host, name);
		s->last_host_id = *out;
	} else {
		s->last_host_id = 0;
	}
	return 0;
}

void coverage_count_add(struct coverage_count *c, const struct evtx_event *ev, const struct norm *n)
{
	if (c->records == 0)
		c->first = UINT64_MAX;
	if (ev->time_created && ev->time_created < c->first)
		c->first = ev->time_created;
	if (ev->time_created > c->last)
		c->last = ev->time_created;
	c->records++;
	if (n->kind == NORM_PROCESS && !strcmp(n->p.source, "4688")) {
		c->n_4688++;
		c->n_4688_cmdline += n->p.command_line != NULL;
	} else if (n->kind == NORM_PROCESS) {
		c->n_sysmon1++;
	} else if (n->kind == NORM_SERVICE) {
		c->n_service++;
	}
}

static struct coverage_acc *coverage_slot(struct store *s, int64_t hid, const char *channel)
{
	const char *ch = channel ? channel : "";
	struct coverage_acc *c;
	for (size_t i = 0; i < s->n_cov; i++)
		if (s->cov[i].host_id == hid && !strcmp(s->cov[i].channel, ch))
			return &s->cov[i];
	/* Past the cap, the last slot absorbs the rest (never more than a few per file). */
	c = &s->cov[s->n_cov < COVERAGE_MAX ? s->n_cov++ : COVERAGE_MAX - 1];
	memset(c, 0, sizeof(*c));
	c->host_id = hid;
	snprintf(c->channel, sizeof(c->channel), "%s", ch);
	return c;
}

static void coverage_merge(struct coverage_count *to, const struct coverage_count *from)
{
	if (from->records == 0)
		return;
	if (to->records == 0 || from->first < to->first)
		to->first = from->first;
	if (from->last > to->last)
		to->last = from->last;
	to->records += from->records;
	to->n_4688 += from->n_4688;
	to->n_4688_cmdline += from->n_4688_cmdline;
	to->n_sysmon1 += from->n_sysmon1;
	to->n_service += from->n_service;
}

int store_host(struct store *s, const char *computer)
{
	int64_t hid;
	return host_id(s, computer ? computer : "", &hid);
}

int store_coverage(struct store *s, const char *computer, const char *channel, const struct coverage_count *c)
{
	int64_t hid;
	if (host_id(s, computer ? computer : "", &hid))
		return -1;
	coverage_merge(&coverage_slot(s, hid, channel)->c, c);
	return 0;
}

static void bind_process(sqlite3_stmt *st, int64_t hid, int64_t file_id, const struct evtx_event *ev,
			 const struct norm_process *p)
{
	sqlite3_bind_int64(st, 1, hid);
	sqlite3_bind_int64(st, 2, (int64_t)ev->time_created);
	bind_text(st, 3, p->source);
	bind_text(st, 4, ev->channel);
	sqlite3_bind_int64(st, 5, ev->version);
	sqlite3_bind_int64(st, 6, (int64_t)ev->event_record_id);
	bind_opt(st, 7, p->pid);
	bind_opt(st, 8, p->ppid);
	bind_text(st, 9, p->image);
	bind_text(st, 10, p->parent_image);
	bind_text(st, 11, p->command_line);
	bind_text(st, 12, p->parent_command_line);
	bind_text(st, 13, p->current_directory);
	bind_text(st, 14, p->account);
	bind_text(st, 15, p->sid);
	bind_opt(st, 16, p->logon_id);
	bind_text(st, 17, p->target_account);
	bind_text(st, 18, p->target_sid);
	bind_opt(st, 19, p->target_logon_id);
	bind_text(st, 20, p->integrity);
	bind_text(st, 21, p->elevation);
	bind_text(st, 22, p->process_guid);
	bind_text(st, 23, p->parent_process_guid);
	bind_text(st, 24, p->logon_guid);
	bind_text(st, 25, p->hashes);
	bind_text(st, 26, p->original_file_name);
	bind_text(st, 27, p->parent_user);
	bind_text(st, 28, p->rule_name);
	sqlite3_bind_int(st, 29, ev->recovered);
	sqlite3_bind_int64(st, 30, file_id);
	sqlite3_bind_int64(st, 31, (int64_t)ev->record_number);
	bind_chunk(st, 32, ev->chunk);
}

static void bind_service(sqlite3_stmt *st, int64_t hid, int64_t file_id, const struct evtx_event *ev,
			 const struct norm_service *v)
{
	sqlite3_bind_int64(st, 1, hid);
	sqlite3_bind_int64(st, 2, (int64_t)ev->time_created);
	sqlite3_bind_int64(st, 3, ev->event_id);
	bind_text(st, 4, ev->channel);
	sqlite3_bind_int64(st, 5, (int64_t)ev->event_record_id);
	bind_text(st, 6, v->service_name);
	bind_text(st, 7, v->display_name);
	bind_text(st, 8, v->state);
	bind_opt(st, 9, v->state_code);
	bind_text(st, 10, v->old_start_type);
	bind_text(st, 11, v->new_start_type);
	bind_text(st, 12, v->image_path);
	bind_text(st, 13, v->service_type);
	bind_text(st, 14, v->service_account);
	bind_text(st, 15, v->sid);
	bind_text(st, 16, v->account);
	bind_opt(st, 17, v->logon_id);
	sqlite3_bind_int(st, 18, ev->recovered);
	sqlite3_bind_int64(st, 19, file_id);
	sqlite3_bind_int64(st, 20, (int64_t)ev->record_number);
	bind_chunk(st, 21, ev->chunk);
}

static void bind_host_event(sqlite3_stmt *st, int64_t hid, int64_t file_id, const struct evtx_event *ev,
			    const struct norm_host *h)
{
	sqlite3_bind_int64(st, 1, hid);
	sqlite3_bind_int64(st, 2, (int64_t)ev->time_created);
	sqlite3_bind_int64(st, 3, ev->event_id);
	bind_text(st, 4, ev->channel);
	sqlite3_bind_int64(st, 5, (int64_t)ev->event_record_id);
	bind_text(st, 6, h->kind);
	bind_text(st, 7, h->detail);
	bind_text(st, 8, h->account);
	bind_text(st, 9, ev->user_sid && *ev->user_sid ? ev->user_sid : NULL);
	sqlite3_bind_int(st, 10, ev->recovered);
	sqlite3_bind_int64(st, 11, file_id);
	sqlite3_bind_int64(st, 12, (int64_t)ev->record_number);
	bind_chunk(st, 13, ev->chunk);
}

static uint32_t fnv1a(uint32_t h, const char *p)
{
	for (; *p; p++)
		h = (h ^ (unsigned char)*p) * 16777619u;
	return h;
}

static int learn_account(struct store *s, const char *sid, const char *name)
{
	struct account_slot *slot = NULL;
	if (!sid || !name)
		return 0;
	if (strlen(sid) < ACCOUNT_TEXT_MAX && strlen(name) < ACCOUNT_TEXT_MAX) {
		slot = &s->accounts[fnv1a(fnv1a(2166136261u, sid), name) % ACCOUNT_SLOTS];
		if (slot->used && !strcmp(slot->sid, sid) && !strcmp(slot->name, name))
			return 0;
	}
	bind_text(s->st[ST_ACCOUNT], 1, sid);
	bind_text(s->st[ST_ACCOUNT], 2, name);
	if (run(s, ST_ACCOUNT))
		return -1;
	if (slot) {
		slot->used = 1;
		strcpy(slot->sid, sid);
		strcpy(slot->name, name);
	}
	return 0;
}

/* The record is already stored: note where else it was seen. */
static int sighting(struct store *s, int find, const char *kind, int64_t hid, int64_t file_id,
		    const struct evtx_event *ev)
{
	sqlite3_stmt *st = s->st[find];
	int64_t row;
	sqlite3_bind_int64(st, 1, hid);
	bind_text(st, 2, ev->channel);
	sqlite3_bind_int64(st, 3, (int64_t)ev->event_record_id);
	sqlite3_bind_int64(st, 4, (int64_t)ev->time_created);
	if (run_int(s, find, &row))
		return -1;
	st = s->st[ST_SIGHTING];
	bind_text(st, 1, kind);
	sqlite3_bind_int64(st, 2, row);
	sqlite3_bind_int64(st, 3, file_id);
	sqlite3_bind_int64(st, 4, (int64_t)ev->record_number);
	return run(s, ST_SIGHTING);
}

/* The id of a (key name, display name) pair in the service table; names absent in
 * the record are stored as ''. */
static int service_id(struct store *s, const struct norm_service *v, int64_t *out)
{
	const char *key = v->service_name ? v->service_name : "";
	const char *display = v->display_name ? v->display_name : "";
	uint32_t h = fnv1a(fnv1a(2166136261u, key), display);
	struct service_slot *slot = NULL;

	if (strlen(key) < SERVICE_NAME_MAX && strlen(display) < SERVICE_NAME_MAX) {
		slot = &s->services[h % SERVICE_SLOTS];
		if (slot->id && !strcmp(slot->key, key) && !strcmp(slot->display, display)) {
			*out = slot->id;
			return 0;
		}
	}
	bind_text(s->st[ST_SERVICE_ADD], 1, key);
	bind_text(s->st[ST_SERVICE_ADD], 2, display);
	if (run(s, ST_SERVICE_ADD))
		return -1;
	bind_text(s->st[ST_SERVICE_GET], 1, key);
	bind_text(s->st[ST_SERVICE_GET], 2, display);
	if (run_int(s, ST_SERVICE_GET, out))
		return -1;
	if (slot) {
		slot->id = *out;
		strcpy(slot->key, key);
		strcpy(slot->display, display);
	}
	return 0;
}

int store_event(struct store *s, int64_t file_id, const struct evtx_event *ev, const struct norm *n, int tally,
		int *dup)
{
	int64_t hid;
	int ins, find;
	const char *kind;

	*dup = 0;
	if (host_id(s, ev->computer ? ev->computer : "", &hid))
		return -1;
	if (tally)
		coverage_count_add(&coverage_slot(s, hid, ev->channel)->c, ev, n);
	if (n->kind == NORM_NONE)
		return 0;
	if (n->kind == NORM_PROCESS) {
		bind_process(s->st[ST_PROCESS], hid, file_id, ev, &n->p);
		ins = ST_PROCESS, find = ST_PROCESS_FIND, kind = "process";
	} else if (n->kind == NORM_SERVICE) {
		int64_t sid;
		if (service_id(s, &n->s, &sid))
			return -1;
		bind_service(s->st[ST_SERVICE], hid, file_id, ev, &n->s);
		sqlite3_bind_int64(s->st[ST_SERVICE], 22, sid);
		ins = ST_SERVICE, find = ST_SERVICE_FIND, kind = "service_event";
	} else {
		bind_host_event(s->st[ST_HOST_EVENT], hid, file_id, ev, &n->h);
		ins = ST_HOST_EVENT, find = ST_HOST_EVENT_FIND, kind = "host_event";
	}
	if (run(s, ins))
		return -1;
	if (sqlite3_changes(s->db) == 0) {
		*dup = 1;
		return sighting(s, find, kind, hid, file_id, ev);
	}
	if (n->kind == NORM_PROCESS) {
		int64_t pid = sqlite3_last_insert_rowid(s->db);
		if (learn_account(s, n->p.sid, n->p.account))
			return -1;
		return actions_derive(s->actions, pid, hid, (int64_t)ev->time_created, &n->p);
	}
	return n->kind == NORM_SERVICE ? learn_account(s, n->s.sid, n->s.account) : 0;
}

int store_skip(struct store *s, int64_t file_id, const struct evtx_skip *sk)
{
	sqlite3_stmt *st = s->st[ST_SKIP];
	sqlite3_bind_int64(st, 1, file_id);
	bind_chunk(st, 2, sk->chunk);
	if (sk->record_number)
		sqlite3_bind_int64(st, 3, (int64_t)sk->record_number);
	else
		sqlite3_bind_null(st, 3);
	sqlite3_bind_int64(st, 4, (int64_t)(sk->n_records ? sk->n_records : 1));
	sqlite3_bind_int(st, 5, sk->recovered);
	bind_text(st, 6, sk->reason);
	return run(s, ST_SKIP);
}

int store_rejected(struct store *s, const char *path, const char *reason)
{
	bind_text(s->st[ST_REJECTED], 1, path);
	bind_text(s->st[ST_REJECTED], 2, reason);
	return run(s, ST_REJECTED);
}

long store_rederive(struct store *s)
{
	long n;
	if (store_flush(s) || exec(s, "BEGIN IMMEDIATE"))
		return -1;
	n = actions_rederive(s->actions);
	if (n < 0 || exec(s, "COMMIT")) {
		store_file_rollback(s);
		return -1;
	}
	return n;
}
