/* pipeline.h: ingests the walked files with decoding on worker threads and every
 * SQLite write on the calling thread.
 *
 * Workers take the files in walk order: each sniffs, hashes (pread) and decodes a
 * loose EVTX file, normalizes its records and queues them, strings copied, in
 * batches. A big file (16 MB or more, native decoder) is split into runs of 32
 * chunks that any worker decodes while one hashes the file. The calling thread
 * stores the files one after the other in walk order, and a split file's parts in
 * chunk order, so the case database is the same for any number of workers (row
 * ids included). Queued bytes are capped: a worker that runs ahead
 * waits. A file that is not a loose EVTX file (containers, other files, files
 * that cannot be opened) is left to ingest_path() on the calling thread, in its
 * turn. --verify runs on the calling thread, on the file mapped. */
#ifndef PIPELINE_H
#define PIPELINE_H

#include <stddef.h>

#include "ingest.h"
#include "walk.h"

/* Ingests files->v[0..n) with n_workers decoding threads (1 or more). done, if
 * set, is called on the calling thread after each file with the count so far.
 * evtx_libevtx_global_init() must have run. Returns 0, or -1 on a fatal error
 * (database, out of memory), after which no further file is stored. */
int pipeline_run(struct ingest *in, const struct walk_list *files, unsigned n_workers,
		 void (*done)(const struct ingest *in, size_t n_done));

#endif
