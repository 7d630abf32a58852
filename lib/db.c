/* db.c: case database open, schema creation and version checks. */
#include <stdio.h>
#include <string.h>

#include "db.h"

extern const char schema_sql[];

int db_exec(const char *prog, sqlite3 *db, const char *sql)
{
	char *msg = NULL;
	if (sqlite3_exec(db, sql, NULL, NULL, &msg) != SQLITE_OK) {
		fprintf(stderr, "%s: error: database: %s\n", prog, msg ? msg : sqlite3_errmsg(db));
		sqlite3_free(msg);
		return -1;
	}
	return 0;
}

static int pragma_int(sqlite3 *db, const char *sql, int *out)
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

static int table_count(sqlite3 *db, int *out)
{
	return pragma_int(db, "SELECT count(*) FROM sqlite_schema", out);
}

/* Checks that an opened database is a case of a version we can read. */
static int check_ours(const char *prog, const char *path, sqlite3 *db)
{
	int app, ver;
	if (pragma_int(db, "PRAGMA application_id", &app) || pragma_int(db, "PRAGMA user_version", &ver)) {
		fprintf(stderr, "%s: error: '%s' is not a case database: %s\n", prog, path, sqlite3_errmsg(db));
		return DB_ENOTOURS;
	}
	if (app != DB_APPLICATION_ID) {
		fprintf(stderr, "%s: error: '%s' is not a case database of this tool\n", prog, path);
		return DB_ENOTOURS;
	}
	if (ver > DB_SCHEMA_VERSION) {
		fprintf(stderr, "%s: error: '%s' has schema version %d, newer than this program's %d: use a newer version\n",
			prog, path, ver, DB_SCHEMA_VERSION);
		return DB_ENEWER;
	}
	return 0;
}

static int open_handle(const char *prog, const char *path, int flags, sqlite3 **out)
{
	sqlite3 *db = NULL;
	/* Each connection is used by one thread only: no per-call mutexes. */
	if (sqlite3_open_v2(path, &db, flags | SQLITE_OPEN_NOMUTEX, NULL) != SQLITE_OK) {
		fprintf(stderr, "%s: error: cannot open '%s': %s\n", prog, path, db ? sqlite3_errmsg(db) : "out of memory");
		sqlite3_close(db);
		return DB_EOPEN;
	}
	sqlite3_extended_result_codes(db, 1);
	sqlite3_busy_timeout(db, 30000);
	*out = db;
	return 0;
}

int db_open_write(const char *prog, const char *path, sqlite3 **out)
{
	sqlite3 *db;
	int n, rc = open_handle(prog, path, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, &db);
	if (rc)
		return rc;
	if (table_count(db, &n)) {
		fprintf(stderr, "%s: error: '%s' is not a case database: %s\n", prog, path, sqlite3_errmsg(db));
		rc = DB_ENOTOURS;
		goto fail;
	}
	if (n == 0) {
		if (db_exec(prog, db, "BEGIN IMMEDIATE") ||
		    db_exec(prog, db, schema_sql) ||
		    db_exec(prog, db, "COMMIT")) {
			rc = DB_EOPEN;
			goto fail;
		}
	} else if ((rc = check_ours(prog, path, db)) != 0) {
		goto fail;
	}
	if (db_exec(prog, db, "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON;"
			      "PRAGMA cache_size=-65536; PRAGMA temp_store=MEMORY")) {
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
	sqlite3 *db;
	int rc = open_handle(prog, path, SQLITE_OPEN_READONLY, &db);
	if (rc)
		return rc;
	sqlite3_db_config(db, SQLITE_DBCONFIG_DEFENSIVE, 1, NULL);
	sqlite3_db_config(db, SQLITE_DBCONFIG_TRUSTED_SCHEMA, 0, NULL);
	sqlite3_db_config(db, SQLITE_DBCONFIG_ENABLE_LOAD_EXTENSION, 0, NULL);
	sqlite3_db_config(db, SQLITE_DBCONFIG_ENABLE_TRIGGER, 0, NULL);
	if (db_exec(prog, db, "PRAGMA query_only=ON") || (rc = check_ours(prog, path, db)) != 0) {
		sqlite3_close(db);
		return rc ? rc : DB_ENOTOURS;
	}
	*out = db;
	return 0;
}
