/* ingest.h: one evidence file into the case: recognise, hash, decode, normalize,
 * store, in one transaction; with the run's totals for the summary. */
#ifndef INGEST_H
#define INGEST_H

#include <sqlite3.h>
#include <stdint.h>

#include "container.h"
#include "event.h"
#include "hash.h"
#include "normalize.h"
#include "store.h"


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
	enum ingest_decoder decoder;	/* live and recovered records */
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

/* Whether the open file fd (size bytes) is a loose EVTX file: the ElfFile
 * signature, and not a container. Reads its first bytes with pread(). */
int ingest_sniff_fd(int fd, uint64_t size);

/* ---- The steps of ingest_path() for a loose EVTX file, for a caller that reads
 * and decodes files on other threads and stores them on one (pipeline.h). ---- */

/* SHA-256 of the first size bytes of fd, read with pread() in a fixed buffer.
 * Touches no SQLite. Returns 0, or -1 with errno set. */
int ingest_hash_fd(int fd, uint64_t size, char sha[HASH_SHA256_HEX_LEN]);

/* Decodes the file, live and recovered records, with the chosen decoder; memory
 * does not grow with the file. Touches no SQLite and
 * prints nothing; safe on any thread after evtx_libevtx_global_init(). Returns 0 or
 * a negative LIBEVTX_E* code (*why set on LIBEVTX_EOPEN). */
int ingest_decode_fd(enum ingest_decoder decoder, int fd, const char *path, uint64_t size,
		     const struct evtx_sink *sink, struct evtx_file_info *info, const char **why);

/* Reports and records a file that could not be read. Returns 0 or -1. */
int ingest_read_error(struct ingest *in, const char *path, int err);

/* One evidence file being stored: begin, rows and skips, (verify), end. */
struct ingest_file {
	struct ingest *in;
	const char *path;	/* display path, not owned, valid until ingest_file_end() */
	uint64_t size;
	int64_t file_id;
	struct store_file_counts c;
	struct norm norm;
	int failed;
	int tallied;	/* the next event's coverage is already counted (store_coverage()) */
};

/* Looks the content up by SHA-256: when known, counts it and sets *known (nothing
 * to end); otherwise begins the file's transaction. Returns 0 or -1. */
int ingest_file_begin(struct ingest *in, struct ingest_file *f, const char *display_path, const char *sha,
		      uint64_t size, int *known);
/* Stores one decoded record as normalized into n (kind and strings). Returns 0 or -1. */
int ingest_file_event(struct ingest_file *f, const struct evtx_event *ev, const struct norm *n);
int ingest_file_skip(struct ingest_file *f, const struct evtx_skip *sk);
/* --verify: compares both decoders on buf, or, when buf is NULL, on fd mapped.
 * Returns 0 or LIBEVTX_ENOMEM (to pass to ingest_file_end). */
int ingest_file_verify(struct ingest_file *f, const uint8_t *buf, int fd);
/* Ends the file with the decoder's result rc: commits it (complete, partial or
 * unreadable) and adds it to the totals, or rolls it back and returns -1 on a
 * fatal error (database, out of memory). */
int ingest_file_end(struct ingest_file *f, int rc, const struct evtx_file_info *info, const char *why);

#endif
