/* ingest.h: one evidence file into the case: recognise, hash, decode, normalize,
 * store, in one transaction; with the run's totals for the summary. */
#ifndef INGEST_H
#define INGEST_H

#include <sqlite3.h>
#include <stdint.h>

struct store;

struct ingest_totals {
	uint64_t files_indexed, files_known, files_unreadable, files_not_evtx, files_ignored;
	uint64_t records, recovered, skipped, duplicates, processes, services;
	uint64_t bytes;
	uint64_t known_skipped;	/* skipped when files already in the case were indexed */
};

struct ingest {
	struct store *store;
	struct ingest_totals t;
	int quiet;
	unsigned n_reported;	/* "not an EVTX file" lines printed so far */
};

/* Ingests the file at path. explicit_arg: it was named on the command line (then a
 * non-EVTX file is an error; found by walking, only a non-EVTX file whose name ends
 * in .evtx is). Damage is counted, never fatal.
 * Returns 0, or -1 on a fatal error (database, out of memory). */
int ingest_path(struct ingest *in, const char *path, int explicit_arg);

/* Ingests an EVTX image held in memory, shown as display_path. Returns 0 or -1. */
int ingest_buffer(struct ingest *in, const char *display_path, const uint8_t *buf, size_t len);

#endif
