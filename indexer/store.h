/* store.h: writes evidence, events and derived rows into the case database.
 *
 * Each evidence file is all or nothing: store_file_begin() opens a savepoint for
 * it and store_file_commit() releases it into a group transaction, committed every
 * few hundred files or half second and by store_flush(). A run killed at any
 * moment leaves the case as it was after the last committed group. Values are
 * always bound to prepared statements.
 * Errors are printed here once ("evtx-index: error: database: ..."). */
#ifndef STORE_H
#define STORE_H

#include <sqlite3.h>
#include <stdint.h>

#include "event.h"
#include "normalize.h"

struct store;

/* Per-file tallies kept by the caller and written by store_file_commit(). */
struct store_file_counts {
	uint64_t records, recovered, skipped;
	uint64_t n_4688, n_sysmon1, n_7036, n_7040, n_7045, n_4697, n_duplicates;
};

struct store_file_meta {
	const char *sha256;
	int64_t size;
	const char *path;
	const char *decoder;
};

/* Prepares the statements on db (not owned). Returns 0 or -1. */
int store_open(sqlite3 *db, struct store **out);
void store_close(struct store *s);	/* NULL is a no-op */

/* Looks up a content by SHA-256. *file_id is 0 when unknown. When known, path is
 * added as another place it was found, and *skipped is what its indexing skipped.
 * Returns 0 or -1. */
int store_lookup_file(struct store *s, const char *sha256, const char *path, int64_t *file_id,
		      int64_t *skipped);

/* Every SHA-256 in the case, in strcmp() order, as *n strings of 65 bytes (64 hex
 * digits and a NUL) one after the other in *out, which the caller frees (NULL when
 * there are none). Returns 0 or -1. */
int store_known_sha256(struct store *s, char **out, size_t *n);

/* Begins the file (a savepoint, in a group transaction begun when none is open)
 * and inserts its evidence row. */
int store_file_begin(struct store *s, const struct store_file_meta *m, int64_t *file_id);
/* Writes the counts, status and coverage, and releases the file into the group,
 * committing the group when it is due. status: complete|partial|unreadable. */
int store_file_commit(struct store *s, int64_t file_id, const struct store_file_counts *c,
		      const struct evtx_file_info *info, const char *status, const char *error);
/* Rolls the open file back (after a failure); the files before it stay. */
void store_file_rollback(struct store *s);
/* Commits the open group, if any. Call before the end of a run. Returns 0 or -1. */
int store_flush(struct store *s);

/* A file's records of one host and channel, as the coverage table counts them. */
struct coverage_count {
	uint64_t first, last;	/* TimeCreated range (first is meaningless while records is 0) */
	uint64_t records, n_4688, n_4688_cmdline, n_sysmon1, n_service;
};

/* Counts one record into c. */
void coverage_count_add(struct coverage_count *c, const struct evtx_event *ev, const struct norm *n);

/* Stores a decoded record's row (none for NORM_NONE; its host row in any case).
 * *dup is set when the same record (host, channel, record id, time) was already
 * stored, from this or another file; the sighting is kept. With tally, also
 * counts the record into the coverage of its host and channel (otherwise the
 * caller counts it and hands the counts to store_coverage()). Returns 0 or -1. */
int store_event(struct store *s, int64_t file_id, const struct evtx_event *ev, const struct norm *n, int tally,
		int *dup);
/* The host row of a computer name (NULL: ''), created at first sight. Returns 0 or -1. */
int store_host(struct store *s, const char *computer);
/* Adds counts made by the caller to the open file's coverage. Returns 0 or -1. */
int store_coverage(struct store *s, const char *computer, const char *channel, const struct coverage_count *c);
int store_skip(struct store *s, int64_t file_id, const struct evtx_skip *sk);
/* Records a path that was not indexed (not EVTX, unreadable) and why. */
int store_rejected(struct store *s, const char *path, const char *reason);

/* Recomputes every service action from the stored command lines. Returns the
 * number of actions, or -1. Runs in its own transaction. */
long store_rederive(struct store *s);

#endif
