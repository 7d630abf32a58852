/* actions.c: from command lines to service_action rows. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "actions.h"
#include "hostname.h"
#include "svc_action.h"

/* A relay's parent net.exe started at most this long before it (100 ns ticks). */
#define RELAY_WINDOW (10LL * 10000000LL)

struct actions {
	sqlite3 *db;
	sqlite3_stmt *insert, *context, *parent, *all;
	struct svc_actions found;
};

static int fail(struct actions *a, const char *what)
{
	fprintf(stderr, "evtx-index: error: database: %s: %s\n", what, sqlite3_errmsg(a->db));
	return -1;
}

int actions_open(sqlite3 *db, struct actions **out)
{
	struct actions *a = calloc(1, sizeof(*a));
	if (!a) {
		fprintf(stderr, "evtx-index: error: out of memory\n");
		return -1;
	}
	a->db = db;
	svc_actions_init(&a->found);
	if (sqlite3_prepare_v3(db, "INSERT INTO service_action(process_id, seq, role, rule, tool, verb, service, "
			       "remote_host, why) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)", -1,
			       SQLITE_PREPARE_PERSISTENT, &a->insert, NULL) != SQLITE_OK ||
	    sqlite3_prepare_v3(db, "INSERT INTO action_context(action_id, host_id, time, target_key, source, pid, ppid, "
			       "account, sid, command_line, parent_image, file_id, record_number, record_id) "
			       "SELECT ?1, p.host_id, p.time, COALESCE(?3, h.host_key), p.source, p.pid, p.ppid, p.account, "
			       "p.sid, p.command_line, p.parent_image, p.file_id, p.record_number, p.record_id "
			       "FROM process p JOIN host h USING (host_id) WHERE p.process_id = ?2", -1,
			       SQLITE_PREPARE_PERSISTENT, &a->context, NULL) != SQLITE_OK ||
	    sqlite3_prepare_v3(db, "SELECT image FROM process WHERE host_id = ?1 AND pid = ?2 AND time <= ?3 "
			       "AND time >= ?3 - ?4 ORDER BY time DESC LIMIT 1", -1,
			       SQLITE_PREPARE_PERSISTENT, &a->parent, NULL) != SQLITE_OK ||
	    sqlite3_prepare_v2(db, "SELECT process_id, host_id, time, command_line, image, parent_image, ppid "
			       "FROM process WHERE command_line IS NOT NULL ORDER BY process_id", -1,
			       &a->all, NULL) != SQLITE_OK) {
		fail(a, "prepare");
		actions_close(a);
		return -1;
	}
	*out = a;
	return 0;
}

void actions_close(struct actions *a)
{
	if (!a)
		return;
	sqlite3_finalize(a->insert);
	sqlite3_finalize(a->context);
	sqlite3_finalize(a->parent);
	sqlite3_finalize(a->all);
	svc_actions_release(&a->found);
	free(a);
}

static const char *base_name(const char *path)
{
	const char *b = path;
	for (const char *p = path; *p; p++)
		if (*p == '\\' || *p == '/')
			b = p + 1;
	return b;
}

static int image_is(const char *path, const char *name)
{
	return path && !strcasecmp(base_name(path), name);
}

/* net1.exe whose parent is net.exe: the parent's record already says the same stop. */
static int is_relay(struct actions *a, int64_t host_id, int64_t time, const struct norm_process *p)
{
	int relay = 0;
	if (!image_is(p->image, "net1.exe"))
		return 0;
	if (p->parent_image)
		return image_is(p->parent_image, "net.exe");
	if (!p->ppid.has)
		return 0;
	sqlite3_bind_int64(a->parent, 1, host_id);
	sqlite3_bind_int64(a->parent, 2, p->ppid.v);
	sqlite3_bind_int64(a->parent, 3, time);
	sqlite3_bind_int64(a->parent, 4, RELAY_WINDOW);
	if (sqlite3_step(a->parent) == SQLITE_ROW)
		relay = image_is((const char *)sqlite3_column_text(a->parent, 0), "net.exe");
	sqlite3_reset(a->parent);
	return relay;
}

/* The action's row in action_context: its process row's columns that the T1489 query
 * reads, and the host key of its target (the remote host, else the process's host). */
static int insert_context(struct actions *a, int64_t action_id, int64_t process_id, const char *remote_host)
{
	char key[256];
	int rc;
	sqlite3_bind_int64(a->context, 1, action_id);
	sqlite3_bind_int64(a->context, 2, process_id);
	if (remote_host && *remote_host) {
		hostname_key(remote_host, key, sizeof(key));
		sqlite3_bind_text(a->context, 3, key, -1, SQLITE_STATIC);
	} else {
		sqlite3_bind_null(a->context, 3);
	}
	rc = sqlite3_step(a->context);
	sqlite3_reset(a->context);
	if (rc != SQLITE_DONE)
		return fail(a, "insert action context");
	return 0;
}

int actions_derive(struct actions *a, int64_t process_id, int64_t host_id, int64_t time,
		   const struct norm_process *p)
{
	if (!p->command_line)
		return 0;
	svc_actions_release(&a->found);
	svc_actions_init(&a->found);
	if (svc_parse(p->command_line, p->image, &a->found) < 0) {
		fprintf(stderr, "evtx-index: error: out of memory\n");
		return -1;
	}
	if (a->found.n == 0)
		return 0;
	int relay = is_relay(a, host_id, time, p);
	for (size_t i = 0; i < a->found.n; i++) {
		const struct svc_action *x = &a->found.v[i];
		const char *role = x->role == SVC_LAUNCHER ? "launcher" : relay ? "relay" : "direct";
		sqlite3_bind_int64(a->insert, 1, process_id);
		sqlite3_bind_int64(a->insert, 2, (int64_t)i);
		sqlite3_bind_text(a->insert, 3, role, -1, SQLITE_STATIC);
		sqlite3_bind_text(a->insert, 4, x->rule, -1, SQLITE_STATIC);
		sqlite3_bind_text(a->insert, 5, x->tool, -1, SQLITE_STATIC);
		sqlite3_bind_text(a->insert, 6, x->verb, -1, SQLITE_STATIC);
		sqlite3_bind_text(a->insert, 7, x->service, -1, SQLITE_STATIC);
		sqlite3_bind_text(a->insert, 8, x->remote_host, -1, SQLITE_STATIC);
		sqlite3_bind_text(a->insert, 9, x->why, -1, SQLITE_STATIC);
		int rc = sqlite3_step(a->insert);
		sqlite3_reset(a->insert);
		if (rc != SQLITE_DONE)
			return fail(a, "insert service action");
		if (insert_context(a, sqlite3_last_insert_rowid(a->db), process_id, x->remote_host))
			return -1;
	}
	return 0;
}

static const char *col_text(sqlite3_stmt *st, int i)
{
	return (const char *)sqlite3_column_text(st, i);
}

long actions_rederive(struct actions *a)
{
	long total = 0;
	int rc;
	if (sqlite3_exec(a->db, "DELETE FROM action_context; DELETE FROM service_action", NULL, NULL, NULL) != SQLITE_OK)
		return fail(a, "delete service actions");
	while ((rc = sqlite3_step(a->all)) == SQLITE_ROW) {
		struct norm_process p;
		memset(&p, 0, sizeof(p));
		p.command_line = col_text(a->all, 3);
		p.image = col_text(a->all, 4);
		p.parent_image = col_text(a->all, 5);
		if (sqlite3_column_type(a->all, 6) != SQLITE_NULL) {
			p.ppid.has = 1;
			p.ppid.v = sqlite3_column_int64(a->all, 6);
		}
		if (actions_derive(a, sqlite3_column_int64(a->all, 0), sqlite3_column_int64(a->all, 1),
				   sqlite3_column_int64(a->all, 2), &p)) {
			sqlite3_reset(a->all);
			return -1;
		}
		total += (long)a->found.n;
	}
	sqlite3_reset(a->all);
	return rc == SQLITE_DONE ? total : fail(a, "read process rows");
}
