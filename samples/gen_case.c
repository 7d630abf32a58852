/* gen_case.c: evtx-gen-case, which writes the QAX sample case (EVTX logs laid
 * out as a triage collection) and its answer key into a folder.
 *
 * Exit codes: 0 written, 2 usage, 4 could not write the case. */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "answer_key.h"
#include "case.h"
#include "scenario.h"

#define PROG "evtx-gen-case"

enum { EXIT_OK = 0, EXIT_USAGE = 2, EXIT_FATAL = 4 };

static void usage(FILE *fp)
{
	fprintf(fp,
		"usage: " PROG " OUTDIR\n"
		"Writes a deterministic sample case: the logs of five hosts of domain QAX as\n"
		"OUTDIR/<HOST>/C/Windows/System32/winevt/Logs/*.evtx, and the truth about\n"
		"them as TSV files in OUTDIR/answer_key/.\n"
		"\n"
		"  -h, --help   show this help\n");
}

/* One message for a failed step. */
static int fail(const struct sample_case *c, int rc)
{
	if (rc == CASE_EIO || rc == EVTX_WRITER_EIO)
		fprintf(stderr, PROG ": error: cannot write '%s': %s\n", case_error_path(c), strerror(errno));
	else if (rc == ANSWER_KEY_EVALUE)
		fprintf(stderr, PROG ": error: an answer key value holds a tab or a newline\n");
	else if (rc == CASE_ENOMEM)
		fprintf(stderr, PROG ": error: out of memory\n");
	else
		fprintf(stderr, PROG ": error: cannot write '%s': %s\n", case_error_path(c), evtx_writer_strerror(rc));
	return EXIT_FATAL;
}

static int generate(const char *outdir)
{
	struct sample_case c;
	case_init(&c, SCENARIO_SEED);
	int rc = scenario_build(&c);
	rc = rc ? rc : case_number_records(&c);
	rc = rc ? rc : case_mkdirs(&c, outdir);
	rc = rc ? rc : case_write_logs(&c, outdir);
	rc = rc ? rc : answer_key_write(&c, outdir);
	int status = rc ? fail(&c, rc) : EXIT_OK;
	case_release(&c);
	return status;
}

int main(int argc, char **argv)
{
	static const struct option options[] = {
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	int opt;
	while ((opt = getopt_long(argc, argv, "h", options, NULL)) != -1) {
		if (opt == 'h') {
			usage(stdout);
			return fflush(stdout) == 0 && !ferror(stdout) ? EXIT_OK : EXIT_FATAL;
		}
		fprintf(stderr, "try '" PROG " --help'\n");
		return EXIT_USAGE;
	}
	if (argc - optind != 1) {
		fprintf(stderr, PROG ": expects one output folder\ntry '" PROG " --help'\n");
		return EXIT_USAGE;
	}
	return generate(argv[optind]);
}
