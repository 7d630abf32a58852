/* db.c: case database open, schema creation and checks, for the writer and the
 * reader. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "db.h"
#include "text.h"

extern const char schema_sql[];

/* "prog: error: database 'path': [what: ]message[ (system error)]", the path escaped
 * for display. The system error is added when the file itself failed. */
static void print_db_error(const char *prog, const char *path, sqlite3 *db, const char *what, const char *msg)
{
	struct text_escaped ep;
	int code = sqlite3_errcode(db) & 0xff, err = sqlite3_system_errno(db);
	char sys[128] = "";

	if (err && (code == SQLITE_IOERR || code == SQLITE_FULL || code == SQLITE_CANTOPEN))
		snprintf(sys, sizeof(sys), " (%s)", strerror(err));
	if (path && *path) {
		fprintf(stderr, "%s: error: database '%s': %s%s%s%s\n", prog, text_escape(&ep, path),
			what ? what : "", what ? ": " : "", msg, sys);
		text_escaped_release(&ep);
	} else {
		fprintf(stderr, "%s: error: database: %s%s%s%s\n", prog, what ? what : "", what ? ": " : "", msg, sys);
	}
}

int db_error(const char *prog, sqlite3 *db, const char *what)
{
	print_db_error(prog, sqlite3_db_filename(db, "main"), db, what, sqlite3_errmsg(db));
	return -1;
}

/* Runs sql; on failure prints what failed with the path as the user named it. */
static int exec_path(const char *prog, const char *path, sqlite3 *db, const char *what, const char *sql)
{
	char *msg = NULL;
	if (sqlite3_exec(db, sql, NULL, NULL, &msg) != SQLITE_OK) {
		print_db_error(prog, path, db, what, msg ? msg : sqlite3_errmsg(db));
		sqlite3_free(msg);
		return -1;
	}
	return 0;
}

int db_exec(const char *prog, sqlite3 *db, const char *sql)
{
	return exec_path(prog, sqlite3_db_filename(db, "main"), db, NULL, sql);
}

static int query_int(sqlite3 *db, const char *sql, int *out)
{
	sqlite3_stmt *st;
	int rc = -1;
	if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK)
		return -1;
	if (sqlite3_step(st) == SQLITE_ROW) {
		*out = sqlite3_column_int(st, 0);
		rc = 0;
	}
	sqlite3_finalize(st);
	return rc;
}

/* The file's identity: its application_id, user_version and number of schema
 * objects. Reading them reads the schema, which fails on a file that is not
 * SQLite or is damaged. */
struct identity {
	int app, ver, n_objects;
};

static int read_identity(const char *prog, const char *path, sqlite3 *db, struct identity *id)
{
	struct text_escaped ep;
	int rc;
	if (query_int(db, "PRAGMA application_id", &id->app) == 0 &&
	    query_int(db, "PRAGMA user_version", &id->ver) == 0 &&
	    query_int(db, "SELECT count(*) FROM sqlite_schema", &id->n_objects) == 0)
		return 0;
	switch (sqlite3_errcode(db) & 0xff) {
	case SQLITE_READONLY:
		/* A case is kept in WAL mode: even a reader needs its -shm file. */
		fprintf(stderr, "%s: error: cannot open '%s': its folder, or its -wal or -shm file, cannot be written "
			"(%s)\n", prog, text_escape(&ep, path), sqlite3_errmsg(db));
		rc = DB_EOPEN;
		break;
	case SQLITE_CANTOPEN: case SQLITE_IOERR: case SQLITE_BUSY: case SQLITE_LOCKED: case SQLITE_NOMEM:
	case SQLITE_PERM: case SQLITE_AUTH:
		fprintf(stderr, "%s: error: cannot open '%s': %s\n", prog, text_escape(&ep, path), sqlite3_errmsg(db));
		rc = DB_EOPEN;
		break;
	default:
		fprintf(stderr, "%s: error: '%s' is not a case database: %s\n", prog, text_escape(&ep, path),
			sqlite3_errmsg(db));
		rc = DB_ENOTOURS;
		break;
	}
	text_escaped_release(&ep);
	return rc;
}

/* Checks that an opened database is a case of a version we can read. */
static int check_ours(const char *prog, const char *path, const struct identity *id)
{
	struct text_escaped ep;
	int rc = 0;
	if (id->app != DB_APPLICATION_ID) {
		fprintf(stderr, "%s: error: '%s' is not a case database of this tool\n", prog, text_escape(&ep, path));
		rc = DB_ENOTOURS;
	} else if (id->ver > DB_SCHEMA_VERSION) {
		fprintf(stderr, "%s: error: '%s' has schema version %d, newer than this program's %d: use a newer version\n",
			prog, text_escape(&ep, path), id->ver, DB_SCHEMA_VERSION);
		rc = DB_ENEWER;
	} else {
		return 0;
	}
	text_escaped_release(&ep);
	return rc;
}

/* Why a file could not be created at path, when SQLite's last error is that its
 * read-only fallback found no file: the folder is missing or cannot be written. */
static int create_errno(const char *path)
{
	const char *slash = strrchr(path, '/');
	char *dir = slash ? strndup(path, slash == path ? 1 : (size_t)(slash - path)) : strdup(".");
	int err = ENOENT;
	if (dir && access(dir, W_OK) != 0)
		err = errno;
	free(dir);
	return err;
}

static int open_handle(const char *prog, const char *path, int flags, sqlite3 **out)
{
	sqlite3 *db = NULL;
	/* No global allocation statistics (a mutex on every allocation); refused, and
	 * harmless, once SQLite is initialized by an earlier open. */
	sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0);
	/* Each connection is used by one thread only: no per-call mutexes. */
	if (sqlite3_open_v2(path, &db, flags | SQLITE_OPEN_NOMUTEX, NULL) != SQLITE_OK) {
		struct text_escaped ep;
		int err = db ? sqlite3_system_errno(db) : ENOMEM;
		if (err == ENOENT && (flags & SQLITE_OPEN_CREATE))
			err = create_errno(path);
		fprintf(stderr, "%s: error: cannot open '%s': %s\n", prog, text_escape(&ep, path),
			err ? strerror(err) : sqlite3_errmsg(db));
		text_escaped_release(&ep);
		sqlite3_close(db);
		return DB_EOPEN;
	}
	sqlite3_extended_result_codes(db, 1);
	sqlite3_busy_timeout(db, 30000);
	/* A case may come from someone else: the schema can call no function with side
	 * effects, cannot be written to directly, and loads no extension. */
	sqlite3_db_config(db, SQLITE_DBCONFIG_DEFENSIVE, 1, NULL);
	sqlite3_db_config(db, SQLITE_DBCONFIG_TRUSTED_SCHEMA, 0, NULL);
	sqlite3_db_config(db, SQLITE_DBCONFIG_ENABLE_LOAD_EXTENSION, 0, NULL);
	sqlite3_db_config(db, SQLITE_DBCONFIG_ENABLE_TRIGGER, 0, NULL);
	*out = db;
	return 0;
}

/* ---- the schema of a case, and nothing else ---- */

/* sql with comments dropped and each run of white space made one space, outside
 * quotes, so that two CREATE statements that differ only in layout compare equal. */
static char *sql_normal(const char *sql)
{
	char *out = malloc(strlen(sql) + 1), quote = 0;
	size_t o = 0;
	int space = 0;

	if (!out)
		return NULL;
	for (const char *p = sql; *p; p++) {
		if (quote) {
			out[o++] = *p;
			if (*p == quote)
				quote = 0;
			continue;
		}
		if (p[0] == '-' && p[1] == '-') {
			while (p[1] && p[1] != '\n')
				p++;
			space = 1;
			continue;
		}
		if (p[0] == '/' && p[1] == '*') {
			p++;
			while (p[1] && !(p[1] == '*' && p[2] == '/'))
				p++;
			p += p[1] ? 2 : 0;
			space = 1;
			continue;
		}
		if (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r' || *p == '\f' || *p == '\v') {
			space = 1;
			continue;
		}
		if (space && o > 0)
			out[o++] = ' ';
		space = 0;
		if (*p == '\'' || *p == '"' || *p == '`')
			quote = *p;
		else if (*p == '[')
			quote = ']';
		out[o++] = *p;
	}
	out[o] = '\0';
	return out;
}

/* Whether two schema texts (NULL for automatic indexes) are the same statement:
 * 1 or 0, or -1 when out of memory. */
static int sql_same(const char *a, const char *b)
{
	char *na, *nb;
	int same;
	if (!a || !b)
		return a == b;
	na = sql_normal(a);
	nb = sql_normal(b);
	same = na && nb ? strcmp(na, nb) == 0 : -1;
	free(na);
	free(nb);
	return same;
}

/* Tables SQLite makes itself (ANALYZE) that hold no code: allowed beside ours. */
static int sqlite_own_table(const char *type, const char *name)
{
	return !strcmp(type, "table") && (!strcmp(name, "sqlite_stat1") || !strcmp(name, "sqlite_stat4"));
}

/* Refuses a case whose schema has an object that schema/schema.sql does not make
 * (a trigger, a view, a table or an index), or one of ours defined otherwise.
 * Missing objects are left to the statements that need them. */
static int check_schema(const char *prog, const char *path, sqlite3 *db)
{
	sqlite3 *ref = NULL;
	sqlite3_stmt *mine = NULL, *theirs = NULL;
	struct text_escaped ep, et, en;
	int rc = 0, step;

	if (sqlite3_open_v2(":memory:", &ref, SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX, NULL) != SQLITE_OK ||
	    sqlite3_exec(ref, schema_sql, NULL, NULL, NULL) != SQLITE_OK ||
	    sqlite3_prepare_v2(ref, "SELECT tbl_name, sql FROM sqlite_schema WHERE type = ?1 AND name = ?2", -1,
			       &mine, NULL) != SQLITE_OK) {
		fprintf(stderr, "%s: error: cannot build the case schema to compare: %s\n", prog,
			ref ? sqlite3_errmsg(ref) : "out of memory");
		rc = DB_EOPEN;
		goto out;
	}
	if (sqlite3_prepare_v2(db, "SELECT type, name, tbl_name, sql FROM sqlite_schema ORDER BY rowid", -1, &theirs,
			       NULL) != SQLITE_OK) {
		step = SQLITE_ERROR;
		goto damaged;
	}
	while ((step = sqlite3_step(theirs)) == SQLITE_ROW) {
		const char *type = (const char *)sqlite3_column_text(theirs, 0);
		const char *name = (const char *)sqlite3_column_text(theirs, 1);
		const char *tbl = (const char *)sqlite3_column_text(theirs, 2);
		const char *sql = (const char *)sqlite3_column_text(theirs, 3);
		const char *why = NULL;

		if (!type || !name)
			break;
		if (sqlite_own_table(type, name))
			continue;
		sqlite3_reset(mine);
		sqlite3_bind_text(mine, 1, type, -1, SQLITE_STATIC);
		sqlite3_bind_text(mine, 2, name, -1, SQLITE_STATIC);
		if (sqlite3_step(mine) != SQLITE_ROW) {
			why = "is not part of a case";
		} else if (!tbl || strcmp(tbl, (const char *)sqlite3_column_text(mine, 0))) {
			why = "is not defined as in a case";
		} else {
			int same = sql_same(sql, (const char *)sqlite3_column_text(mine, 1));
			if (same < 0) {
				fprintf(stderr, "%s: error: out of memory\n", prog);
				rc = DB_EOPEN;
				goto out;
			}
			if (!same)
				why = "is not defined as in a case";
		}
		if (why) {
			fprintf(stderr, "%s: error: refusing to write to '%s': its %s '%s' %s "
				"(index into a new case)\n", prog, text_escape(&ep, path),
				text_escape(&et, type), text_escape(&en, name), why);
			text_escaped_release(&ep);
			text_escaped_release(&et);
			text_escaped_release(&en);
			rc = DB_ENOTOURS;
			goto out;
		}
	}
	if (step == SQLITE_DONE)
		goto out;
damaged:
	fprintf(stderr, "%s: error: '%s' is not a case database: %s\n", prog, text_escape(&ep, path),
		step == SQLITE_ROW ? "a schema object without a type or name" : sqlite3_errmsg(db));
	text_escaped_release(&ep);
	rc = DB_ENOTOURS;
out:
	sqlite3_finalize(theirs);
	sqlite3_finalize(mine);
	sqlite3_close(ref);
	return rc;
}

/* Makes the schema in an empty database, unless another writer made it meanwhile. */
static int create_schema(const char *prog, const char *path, sqlite3 *db)
{
	struct identity id;
	int rc;
	if (exec_path(prog, path, db, "cannot create the case", "BEGIN IMMEDIATE"))
		return DB_EOPEN;
	if ((rc = read_identity(prog, path, db, &id)) != 0) {
		sqlite3_exec(db, "ROLLBACK", NULL, NULL, NULL);
		return rc;
	}
	if (id.n_objects == 0 && exec_path(prog, path, db, "cannot create the case", schema_sql)) {
		sqlite3_exec(db, "ROLLBACK", NULL, NULL, NULL);
		return DB_EOPEN;
	}
	if (exec_path(prog, path, db, "cannot create the case", "COMMIT")) {
		sqlite3_exec(db, "ROLLBACK", NULL, NULL, NULL);
		return DB_EOPEN;
	}
	return 0;
}

/* From version 1 to 2: the T1489 query's per-action table, its statements taken
 * from schema.sql itself (from "CREATE TABLE action_context" to the end of the
 * statement that makes its last index), so check_schema() finds them the same.
 * Its rows come from recomputing the service actions. */
static int upgrade(const char *prog, const char *path, sqlite3 *db)
{
	const char *from = strstr(schema_sql, "CREATE TABLE action_context");
	const char *last = from ? strstr(from, "CREATE INDEX action_context_parent") : NULL;
	const char *to = last ? strchr(last, ';') : NULL;
	char *sql;
	int rc = 0;

	if (!to) {
		fprintf(stderr, "%s: error: cannot update the case: the schema has no action_context\n", prog);
		return DB_EOPEN;
	}
	sql = sqlite3_mprintf("%.*s; PRAGMA user_version = 2;", (int)(to - from), from);
	if (!sql) {
		fprintf(stderr, "%s: error: out of memory\n", prog);
		return DB_EOPEN;
	}
	if (exec_path(prog, path, db, "cannot update the case", "BEGIN IMMEDIATE")) {
		rc = DB_EOPEN;
	} else if (exec_path(prog, path, db, "cannot update the case", sql) ||
		   exec_path(prog, path, db, "cannot update the case", "COMMIT")) {
		sqlite3_exec(db, "ROLLBACK", NULL, NULL, NULL);
		rc = DB_EOPEN;
	}
	sqlite3_free(sql);
	return rc;
}

int db_open_write(const char *prog, const char *path, sqlite3 **out, int *upgraded)
{
	struct text_escaped ep;
	struct identity id;
	sqlite3 *db;
	int rc = open_handle(prog, path, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, &db);
	if (rc)
		return rc;
	/* The writer reads no view; what the schema holds is checked before any write. */
	sqlite3_db_config(db, SQLITE_DBCONFIG_ENABLE_VIEW, 0, NULL);
	/* SQLite falls back to read-only when the file cannot be opened for writing. */
	if (sqlite3_db_readonly(db, "main") == 1) {
		fprintf(stderr, "%s: error: cannot write to '%s': the file is read-only (permissions or file system)\n",
			prog, text_escape(&ep, path));
		text_escaped_release(&ep);
		rc = DB_EOPEN;
		goto fail;
	}
	if ((rc = read_identity(prog, path, db, &id)) != 0)
		goto fail;
	if (id.n_objects == 0 && ((id.app == 0 && id.ver == 0) || id.app == DB_APPLICATION_ID)) {
		if ((rc = create_schema(prog, path, db)) != 0 || (rc = read_identity(prog, path, db, &id)) != 0)
			goto fail;
	}
	if ((rc = check_ours(prog, path, &id)) != 0)
		goto fail;
	if (upgraded)
		*upgraded = 0;
	if (id.ver == 1) {
		/* A planted object is refused before anything is added. */
		if ((rc = check_schema(prog, path, db)) != 0 || (rc = upgrade(prog, path, db)) != 0 ||
		    (rc = read_identity(prog, path, db, &id)) != 0)
			goto fail;
		if (upgraded)
			*upgraded = 1;
	}
	if (id.ver < DB_SCHEMA_VERSION) {
		fprintf(stderr, "%s: error: '%s' has schema version %d, which this program cannot update\n", prog,
			text_escape(&ep, path), id.ver);
		text_escaped_release(&ep);
		rc = DB_ENOTOURS;
		goto fail;
	}
	if ((rc = check_schema(prog, path, db)) != 0)
		goto fail;
	if (exec_path(prog, path, db, "cannot set up the case",
		      "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON;"
		      "PRAGMA cache_size=-16384; PRAGMA temp_store=MEMORY")) {
		rc = DB_EOPEN;
		goto fail;
	}
	*out = db;
	return 0;
fail:
	sqlite3_close(db);
	return rc;
}

int db_open_read(const char *prog, const char *path, sqlite3 **out)
{
	struct identity id;
	sqlite3 *db;
	int rc = open_handle(prog, path, SQLITE_OPEN_READONLY, &db);
	if (rc)
		return rc;
	if (exec_path(prog, path, db, NULL, "PRAGMA query_only=ON")) {
		rc = DB_EOPEN;
		goto fail;
	}
	if ((rc = read_identity(prog, path, db, &id)) != 0 || (rc = check_ours(prog, path, &id)) != 0)
		goto fail;
	if (id.ver < DB_SCHEMA_VERSION) {
		struct text_escaped ep;
		const char *shown = text_escape(&ep, path);
		fprintf(stderr, "%s: error: '%s' was made by an older evtx-index (schema version %d): "
			"update it with 'evtx-index --rederive %s'\n", prog, shown, id.ver, shown);
		text_escaped_release(&ep);
		rc = DB_ENOTOURS;
		goto fail;
	}
	*out = db;
	return 0;
fail:
	sqlite3_close(db);
	return rc;
}
