/* db.h: opening a case database, for writing (evtx-index) or reading (evtx-query).
 *
 * The schema is schema/schema.sql, compiled in. A database is ours when its
 * application_id is DB_APPLICATION_ID; a newer user_version than DB_SCHEMA_VERSION
 * is refused. Errors are printed here, once, with the program name. */
#ifndef DB_H
#define DB_H

#include <sqlite3.h>

#define DB_APPLICATION_ID 0x45565458	/* 'EVTX' */
#define DB_SCHEMA_VERSION 1

#define DB_ENOTOURS (-2)	/* exists, but is not a case database (or is corrupt) */
#define DB_ENEWER (-3)		/* written by a newer version */
#define DB_EOPEN (-4)

/* Opens (creating when absent) the case at path for writing: WAL, synchronous=NORMAL,
 * foreign keys on, busy timeout. On success *out is the handle (close with sqlite3_close).
 * prog names the program in messages. Returns 0 or a DB_E* code. */
int db_open_write(const char *prog, const char *path, sqlite3 **out);

/* Opens an existing case read-only and defensively: SQLITE_OPEN_READONLY, query_only,
 * trusted_schema off, defensive mode, no extension loading. Returns 0 or a DB_E* code. */
int db_open_read(const char *prog, const char *path, sqlite3 **out);

/* Runs SQL text with no results; prints the error with prog. Returns 0 or -1. */
int db_exec(const char *prog, sqlite3 *db, const char *sql);

#endif
