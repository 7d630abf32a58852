/* db.h: opening a case database, for writing (evtx-index) or reading (evtx-query).
 *
 * The schema is schema/schema.sql, compiled in. A database is ours when its
 * application_id is DB_APPLICATION_ID; a newer user_version than DB_SCHEMA_VERSION
 * is refused. Errors are printed here, once, with the program name and the
 * database's path (escaped for display, text.h). */
#ifndef DB_H
#define DB_H

#include <sqlite3.h>

#define DB_APPLICATION_ID 0x45565458	/* 'EVTX' */
#define DB_SCHEMA_VERSION 2

/* exists, but is not a case database (or is corrupt, or, for the writer, its schema
 * holds objects that are not ours) */
#define DB_ENOTOURS (-2)
#define DB_ENEWER (-3)		/* written by a newer version */
#define DB_EOPEN (-4)		/* cannot be opened, created, written or set up */

/* Opens (creating when absent) the case at path for writing. A case may come from
 * someone else, so the handle is defensive (SQLITE_DBCONFIG_DEFENSIVE, trusted_schema
 * off, no extension loading, triggers and views off), and before anything is written
 * the file must be a case of this tool at DB_SCHEMA_VERSION (a case of version 1 is
 * brought up to it first, and *upgraded set: the caller recomputes the service
 * actions to fill what was added; upgraded may be NULL), writable, and its schema
 * must hold nothing that schema/schema.sql does not make (no trigger, view, table or
 * index of someone else's, none of ours defined otherwise; sqlite_stat1/4 are
 * allowed). Then: WAL, synchronous=NORMAL, foreign keys on, busy timeout. On success
 * *out is the handle (close with sqlite3_close). prog names the program in messages.
 * Returns 0 or a DB_E* code. */
int db_open_write(const char *prog, const char *path, sqlite3 **out, int *upgraded);

/* Opens an existing case read-only and defensively: SQLITE_OPEN_READONLY, query_only,
 * trusted_schema off, defensive mode, no extension loading, triggers off. A case of
 * an older version is refused with the command that updates it. Returns 0 or a
 * DB_E* code. */
int db_open_read(const char *prog, const char *path, sqlite3 **out);

/* Runs SQL text with no results; prints the error with prog and the database's path.
 * Returns 0 or -1. */
int db_exec(const char *prog, sqlite3 *db, const char *sql);

/* Prints "prog: error: database 'PATH': what: <SQLite's message>" for the main
 * database of db (PATH as SQLite resolved it, escaped for display; what may be
 * NULL) and returns -1. For the statements that fail after the open. */
int db_error(const char *prog, sqlite3 *db, const char *what);

#endif
