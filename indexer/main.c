/* main.c: evtx-index, the command line. Loads EVTX evidence into a case database.
 *
 * Exit status: 0 everything was read; 3 finished, but something was skipped
 * (records, unreadable files, files that are not EVTX, damaged, encrypted or
 * over-limit archives); 2 usage; 4 fatal. */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <malloc.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "db.h"
#include "evtx_libevtx.h"
#include "ingest.h"
#include "pipeline.h"
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
	"Archives and compressed files (zip, 7z, tar, gzip, bzip2, xz, zstd, and archives\n"
	"inside them, 4 levels deep) are recognised by their bytes and read in memory,\n"
	"never extracted to disk; a member is shown as ARCHIVE!MEMBER.\n"
	"\n"
	"options:\n"
	"  --decoder=NAME             EVTX decoder: native (default, ours) or libevtx, for\n"
	"                             live and recovered (deleted) records alike\n"
	"  --verify                   also decode with libevtx and report every record on\n"
	"                             which the two decoders disagree (stderr)\n"
	"  --rederive                 recompute service actions from the stored command lines\n"
	"  --memory-budget=SIZE       archive member bytes held on the heap (default 512M);\n"
	"                             a larger member goes to an anonymous memory file\n"
	"  --max-expanded-bytes=SIZE  read no more of an evidence file that expands to\n"
	"                             more, all levels counted (default 64G; 0: no limit)\n"
	"  --max-ratio=N              read no more of an archive that expands to more than\n"
	"                             N times its size (default 1000; 0: no limit)\n"
	"  --password=PW              password for encrypted zip archives\n"
	"  -j, --jobs=N               decode on N threads (default: one per online CPU);\n"
	"                             the case database is the same for any N\n"
	"  -q, --quiet                no progress and no summary\n"
	"  -h, --help                 this help\n"
	"SIZE is a number of bytes, or a number followed by K, M, G or T (powers of 1024).\n"
	"\n"
	"exit status: 0 all read, 3 finished but something was skipped, 2 usage, 4 fatal\n";

static double now_sec(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Progress on a terminal, redrawn at most four times a second. */
static struct {
	int on;
	size_t done, total;
	double t0, last;
} prog;

static void progress(const struct ingest *in, int force)
{
	double now = now_sec(), dt = now - prog.t0;
	if (!prog.on || (!force && now - prog.last < 0.25))
		return;
	prog.last = now;
	fprintf(stderr, "\r\033[K%zu/%zu files", prog.done, prog.total);
	if (in->t.archives)
		fprintf(stderr, ", %llu archive(s), %llu member(s)", (unsigned long long)in->t.archives,
			(unsigned long long)in->t.members);
	fprintf(stderr, ", %llu records, %.1f MB/s", (unsigned long long)(in->t.records + in->t.recovered),
		dt > 0 ? (double)in->t.bytes / 1e6 / dt : 0.0);
}

static void progress_tick(const struct ingest *in)
{
	progress(in, 0);
}

static void file_done(const struct ingest *in, size_t n_done)
{
	prog.done = n_done;
	progress(in, n_done == prog.total);
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
	if (t->archives || t->archive_problems)
		fprintf(stderr, "archives: %llu opened, %llu member(s), %llu problem(s)\n",
			(unsigned long long)t->archives, (unsigned long long)t->members,
			(unsigned long long)t->archive_problems);
	if (in->verify)
		fprintf(stderr, "verify: %llu record(s) on which our decoder and libevtx disagree\n",
			(unsigned long long)t->verify_disagreements);
	if (t->known_skipped)
		fprintf(stderr, "files already in the case had %llu record(s) skipped when they were indexed\n",
			(unsigned long long)t->known_skipped);
	if (t->skipped || t->known_skipped || t->files_unreadable || t->files_not_evtx || t->archive_problems)
		fprintf(stderr, "skipped input is listed in the case: evtx-query CASE.db files; tables skipped_record, rejected_path\n");
}

/* A byte count: digits, then K, M, G or T (powers of 1024, "KiB" and "KB" too). */
static int parse_size(const char *arg, uint64_t *out)
{
	char *end;
	unsigned shift = 0;
	uintmax_t v;
	errno = 0;
	if (*arg < '0' || *arg > '9')
		return -1;
	v = strtoumax(arg, &end, 10);
	if (errno)
		return -1;
	switch (*end) {
	case 'k': case 'K': shift = 10; end++; break;
	case 'm': case 'M': shift = 20; end++; break;
	case 'g': case 'G': shift = 30; end++; break;
	case 't': case 'T': shift = 40; end++; break;
	}
	if (shift && *end == 'i')
		end++;
	if (shift && (*end == 'B' || *end == 'b'))
		end++;
	if (*end || v > (UINT64_MAX >> shift))
		return -1;
	*out = (uint64_t)v << shift;
	return 0;
}

static int rederive(const char *db_path, int quiet)
{
	sqlite3 *db;
	struct store *st;
	long n;
	if (db_open_write("evtx-index", db_path, &db, NULL))
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
		{ "verify", no_argument, NULL, 'V' },
		{ "memory-budget", required_argument, NULL, 'M' },
		{ "max-expanded-bytes", required_argument, NULL, 'E' },
		{ "max-ratio", required_argument, NULL, 'R' },
		{ "password", required_argument, NULL, 'P' },
		{ "jobs", required_argument, NULL, 'j' },
		{ "quiet", no_argument, NULL, 'q' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct ingest in;
	struct walk_list files;
	sqlite3 *db;
	int c, do_rederive = 0, rc = 0, upgraded = 0;
	unsigned jobs = 0;
	double t0;

	/* Batches and read buffers of a few hundred KiB come and go on every file: kept
	 * on the heap (not mapped and unmapped each time) they cost a fifth of the page
	 * faults. Larger blocks (archive members) are still mapped and returned at once. */
	mallopt(M_MMAP_THRESHOLD, 4 << 20);
	mallopt(M_TRIM_THRESHOLD, 32 << 20);
	memset(&in, 0, sizeof(in));
	container_limits_init(&in.limits);
	while ((c = getopt_long(argc, argv, "qhj:", opts, NULL)) != -1) {
		switch (c) {
		case 'd':
			if (!strcmp(optarg, "native")) {
				in.decoder = INGEST_NATIVE;
			} else if (!strcmp(optarg, "libevtx")) {
				in.decoder = INGEST_LIBEVTX;
			} else {
				fprintf(stderr, "evtx-index: unknown decoder '%s' (native or libevtx)\n"
						"try 'evtx-index --help'\n", optarg);
				return EXIT_USAGE;
			}
			break;
		case 'V':
			in.verify = 1;
			break;
		case 'r':
			do_rederive = 1;
			break;
		case 'M':
		case 'E':
		case 'R':
			if (parse_size(optarg, c == 'M' ? &in.limits.memory_budget :
					   c == 'E' ? &in.limits.max_expanded : &in.limits.max_ratio)) {
				fprintf(stderr, "evtx-index: bad %s '%s'\ntry 'evtx-index --help'\n",
					c == 'R' ? "ratio" : "size", optarg);
				return EXIT_USAGE;
			}
			break;
		case 'P':
			in.limits.password = optarg;
			break;
		case 'j': {
			char *end;
			unsigned long n;
			errno = 0;
			n = strtoul(optarg, &end, 10);
			if (errno || *optarg < '1' || *optarg > '9' || *end || n > 1024) {
				fprintf(stderr, "evtx-index: bad number of jobs '%s' (1 to 1024)\n"
						"try 'evtx-index --help'\n", optarg);
				return EXIT_USAGE;
			}
			jobs = (unsigned)n;
			break;
		}
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
	if (db_open_write("evtx-index", argv[optind], &db, &upgraded)) {
		walk_list_release(&files);
		return EXIT_FATAL;
	}
	if (store_open(db, &in.store)) {
		sqlite3_close(db);
		walk_list_release(&files);
		return EXIT_FATAL;
	}
	/* A case of an older version: what was added is filled from the stored rows. */
	if (upgraded) {
		long n = store_rederive(in.store);
		if (n < 0) {
			store_close(in.store);
			sqlite3_close(db);
			walk_list_release(&files);
			return EXIT_FATAL;
		}
		if (!in.quiet)
			fprintf(stderr, "evtx-index: updated the case to schema version %d (%ld service actions derived again)\n",
				DB_SCHEMA_VERSION, n);
	}
	prog.on = !in.quiet && isatty(STDERR_FILENO);
	prog.total = files.n;
	prog.t0 = t0 = now_sec();
	if (prog.on)
		in.tick = progress_tick;
	if (jobs == 0) {
		long n = sysconf(_SC_NPROCESSORS_ONLN);
		jobs = n > 0 ? (unsigned)(n < 1024 ? n : 1024) : 1;
	}
	rc = pipeline_run(&in, &files, jobs, file_done);
	if (prog.on)
		fputc('\n', stderr);
	if (!in.quiet)
		summary(&in, now_sec() - t0);
	store_close(in.store);
	if (sqlite3_close(db) != SQLITE_OK) {
		db_error("evtx-index", db, "cannot close");
		rc = -1;
	}
	if (rc) {
		walk_list_release(&files);
		return EXIT_FATAL;
	}
	if (in.t.skipped || in.t.known_skipped || in.t.files_unreadable || in.t.files_not_evtx || files.n_errors ||
	    in.t.archive_problems) {
		walk_list_release(&files);
		return EXIT_SKIPPED;
	}
	walk_list_release(&files);
	return 0;
}
