/* ingest.h: one evidence file into the case: recognise, hash, decode, normalize,
 * store, in one transaction; with the run's totals for the summary. */
#ifndef INGEST_H
#define INGEST_H

#include <sqlite3.h>
#include <stdint.h>

#include "container.h"

struct store;

struct ingest_totals {
	uint64_t files_indexed, files_known, files_unreadable, files_not_evtx, files_ignored;
	uint64_t records, recovered, skipped, duplicates, processes, services;
	uint64_t bytes;
	uint64_t known_skipped;
	uint64_t verify_disagreements;	/* skipped when files already in the case were indexed */
	uint64_t archives;	/* containers opened (zip, gzip, tar ...), nested ones too */
	uint64_t members;	/* files met inside containers (read, left, or with a problem) */
	uint64_t archive_problems; /* damaged, encrypted, too large or too deep: in rejected_path */
};

enum ingest_decoder { INGEST_NATIVE = 0, INGEST_LIBEVTX };

struct ingest {
	struct store *store;
	enum ingest_decoder decoder;	/* live records; recovered ones always come from libevtx */
	int verify;		/* also decode with the other decoder and report disagreements */
	struct ingest_totals t;
	int quiet;
	unsigned n_reported;	/* "not an EVTX file" lines printed so far */
	unsigned n_problems_reported;	/* archive problem lines printed so far */
	struct container_limits limits;	/* for containers; container_limits_init() sets defaults */
	void (*tick)(const struct ingest *in);	/* if set, called after each archive member */
};

/* Ingests the file at path. explicit_arg: it was named on the command line (then a
 * non-EVTX file is an error; found by walking, only a non-EVTX file whose name ends
 * in .evtx is). A container (zip, gzip, tar, 7z ...: see container.h) is opened in
 * memory and its EVTX members are ingested as "path!member"; its other members are
 * ignored like walked files, and its problems are reported, stored in rejected_path
 * and counted in archive_problems. Damage is counted, never fatal.
 * Returns 0, or -1 on a fatal error (database, out of memory). */
int ingest_path(struct ingest *in, const char *path, int explicit_arg);

/* Ingests an EVTX image held in memory, shown as display_path. Returns 0 or -1. */
int ingest_buffer(struct ingest *in, const char *display_path, const uint8_t *buf, size_t len);

#endif
