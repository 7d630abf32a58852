/* main.c: evtx-index, the command line. Loads EVTX evidence into a case database.
 *
 * Exit status: 0 everything was read; 3 finished, but something was skipped
 * (records, unreadable files, files that are not EVTX); 2 usage; 4 fatal. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "db.h"
#include "evtx_libevtx.h"
#include "ingest.h"
#include "store.h"
#include "walk.h"

#define EXIT_SKIPPED 3
#define EXIT_USAGE 2
#define EXIT_FATAL 4

static const char usage[] =
	"usage: evtx-index [options] CASE.db PATH...\n"
	"       evtx-index --rederive CASE.db\n"
	"\n"
	"Loads Windows event logs (EVTX) into the case database CASE.db (created when\n"
	"absent). PATH is a file or a folder, walked recursively; EVTX files are found by\n"
	"their signature, whatever their name. Running again on the same evidence adds\n"
	"nothing: a file already indexed (same SHA-256) is skipped, and a record met\n"
	"again in another file is stored once.\n"
	"\n"
	"options:\n"
	"  --decoder=NAME  EVTX decoder: libevtx (default)\n"
	"  --rederive      recompute service actions from the stored command lines\n"
	"  -q, --quiet     no progress and no summary\n"
	"  -h, --help      this help\n"
	"\n"
	"exit status: 0 all read, 3 finished but something was skipped, 2 usage, 4 fatal\n";

static double now_sec(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void progress(const struct ingest *in, size_t done, size_t total, double t0)
{
	double dt = now_sec() - t0;
	fprintf(stderr, "\r\033[K%zu/%zu files, %llu records, %.1f MB/s", done, total,
		(unsigned long long)(in->t.records + in->t.recovered),
		dt > 0 ? (double)in->t.bytes / 1e6 / dt : 0.0);
}

static void summary(const struct ingest *in, double secs)
{
	const struct ingest_totals *t = &in->t;
	fprintf(stderr,
		"indexed %llu file(s), %llu already in the case, %llu unreadable, %llu not EVTX, %llu other file(s) ignored\n"
		"records: %llu read, %llu recovered, %llu skipped; rows: %llu process, %llu service, "
		"%llu duplicate(s) of stored records\n"
		"%.1f MB in %.2f s (%.1f MB/s)\n",
		(unsigned long long)t->files_indexed, (unsigned long long)t->files_known,
		(unsigned long long)t->files_unreadable, (unsigned long long)t->files_not_evtx,
		(unsigned long long)t->files_ignored, (unsigned long long)t->records,
		(unsigned long long)t->recovered, (unsigned long long)t->skipped,
		(unsigned long long)t->processes, (unsigned long long)t->services,
		(unsigned long long)t->duplicates, (double)t->bytes / 1e6, secs,
		secs > 0 ? (double)t->bytes / 1e6 / secs : 0.0);
	if (t->known_skipped)
		fprintf(stderr, "files already in the case had %llu record(s) skipped when they were indexed\n",
			(unsigned long long)t->known_skipped);
	if (t->skipped || t->known_skipped || t->files_unreadable || t->files_not_evtx)
		fprintf(stderr, "skipped input is listed in the case: evtx-query CASE.db files; tables skipped_record, rejected_path\n");
}

static int rederive(const char *db_path, int quiet)
{
	sqlite3 *db;
	struct store *st;
	long n;
	if (db_open_write("evtx-index", db_path, &db))
		return EXIT_FATAL;
	if (store_open(db, &st)) {
		sqlite3_close(db);
		return EXIT_FATAL;
	}
	n = store_rederive(st);
	store_close(st);
	sqlite3_close(db);
	if (n < 0)
		return EXIT_FATAL;
	if (!quiet)
		fprintf(stderr, "derived %ld service action(s)\n", n);
	return 0;
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "decoder", required_argument, NULL, 'd' },
		{ "rederive", no_argument, NULL, 'r' },
		{ "quiet", no_argument, NULL, 'q' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct ingest in;
	struct walk_list files;
	sqlite3 *db;
	int c, do_rederive = 0, rc = 0, tty;
	double t0, last = 0;

	memset(&in, 0, sizeof(in));
	while ((c = getopt_long(argc, argv, "qh", opts, NULL)) != -1) {
		switch (c) {
		case 'd':
			if (strcmp(optarg, "libevtx") != 0) {
				fprintf(stderr, "evtx-index: unknown decoder '%s'\ntry 'evtx-index --help'\n", optarg);
				return EXIT_USAGE;
			}
			break;
		case 'r':
			do_rederive = 1;
			break;
		case 'q':
			in.quiet = 1;
			break;
		case 'h':
			fputs(usage, stdout);
			return ferror(stdout) ? EXIT_FATAL : 0;
		default:
			fprintf(stderr, "try 'evtx-index --help'\n");
			return EXIT_USAGE;
		}
	}
	if (do_rederive) {
		if (argc - optind != 1) {
			fprintf(stderr, "evtx-index: --rederive takes the case database alone\ntry 'evtx-index --help'\n");
			return EXIT_USAGE;
		}
		return rederive(argv[optind], in.quiet);
	}
	if (argc - optind < 2) {
		fprintf(stderr, "evtx-index: missing %s\ntry 'evtx-index --help'\n",
			argc - optind < 1 ? "case database and evidence path" : "evidence path");
		return EXIT_USAGE;
	}

	walk_list_init(&files);
	for (int i = optind + 1; i < argc; i++)
		if (walk_add(&files, argv[i])) {
			fprintf(stderr, "evtx-index: error: out of memory\n");
			return EXIT_FATAL;
		}
	evtx_libevtx_global_init();
	if (db_open_write("evtx-index", argv[optind], &db)) {
		walk_list_release(&files);
		return EXIT_FATAL;
	}
	if (store_open(db, &in.store)) {
		sqlite3_close(db);
		walk_list_release(&files);
		return EXIT_FATAL;
	}
	tty = !in.quiet && isatty(STDERR_FILENO);
	t0 = now_sec();
	for (size_t i = 0; i < files.n && rc == 0; i++) {
		rc = ingest_path(&in, files.v[i].path, files.v[i].explicit_arg);
		if (tty && (now_sec() - last > 0.25 || i + 1 == files.n)) {
			progress(&in, i + 1, files.n, t0);
			last = now_sec();
		}
	}
	if (tty)
		fputc('\n', stderr);
	if (!in.quiet)
		summary(&in, now_sec() - t0);
	store_close(in.store);
	if (sqlite3_close(db) != SQLITE_OK) {
		fprintf(stderr, "evtx-index: error: database: cannot close\n");
		rc = -1;
	}
	if (rc)
		return EXIT_FATAL;
	if (in.t.skipped || in.t.known_skipped || in.t.files_unreadable || in.t.files_not_evtx || files.n_errors) {
		walk_list_release(&files);
		return EXIT_SKIPPED;
	}
	walk_list_release(&files);
	return 0;
}
