/* main.c: evtx-query, the command line. Answers questions from a case database,
 * opened read-only.
 *
 * Exit status: 0 ok, 2 usage, 4 fatal (database or output error). */
#include <errno.h>
#include <getopt.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "commands.h"
#include "convert.h"
#include "db.h"
#include "functions.h"
#include "text.h"

#define EXIT_USAGE 2
#define EXIT_FATAL 4

struct command {
	const char *name;
	int (*run)(struct query_ctx *q);
	const char *help;
};

static const struct command commands[] = {
	{ "t1489", cmd_t1489, "T1489 Service Stop detections: who stopped, disabled or deleted what, where, how" },
	{ "timeline", cmd_timeline, "service-stop timeline per host (--by host) or account (--by account)" },
	{ "hosts", cmd_hosts, "hosts in the case, their time span and event counts" },
	{ "accounts", cmd_accounts, "accounts that started processes, and their service actions" },
	{ "coverage", cmd_coverage, "per host and channel: time span, counts, blind spots" },
	{ "processes", cmd_processes, "process creations (4688, Sysmon 1), filtered" },
	{ "files", cmd_files, "one row per evidence file: records and events it gave, skipped, why" },
	{ "sql", cmd_sql, "read-only SQL: evtx-query CASE.db sql 'SELECT ...'" },
};

static const char usage_head[] =
	"usage: evtx-query [options] CASE.db COMMAND [ARG...]\n"
	"\n"
	"commands:\n";

static const char usage_tail[] =
	"\n"
	"output:\n"
	"  -f, --format FMT   table (default), csv, tsv, json, ndjson\n"
	"  -o, --output FILE  write to FILE instead of standard output\n"
	"  --wide             table: every column (t1489 and timeline show the main ones)\n"
	"  --bom, --no-bom    UTF-8 byte-order mark before csv/tsv (default: on with -o, for Excel)\n"
	"  --tz OFFSET        show times shifted from UTC, e.g. +08:00 or -05:00 (default UTC, 'Z')\n"
	"filters:\n"
	"  --host NAME        host (System/Computer, or its short name), case-insensitive\n"
	"  --account NAME     DOMAIN\\user, user, or SID, case-insensitive\n"
	"  --since TIME       UTC, YYYY-MM-DD[THH:MM[:SS[.fffffff]]][Z]\n"
	"  --until TIME       UTC, same forms; inclusive\n"
	"  --level LEVEL      minimum level: low, medium, high, critical\n"
	"  --image TEXT       image path contains TEXT\n"
	"  --cmd TEXT         command line contains TEXT\n"
	"  --limit N          at most N rows\n"
	"t1489 and timeline:\n"
	"  --explain          t1489: would the textbook rule (CommandLine contains 'net stop'\n"
	"                     or 'sc stop') have caught each hit?\n"
	"  --by host|account  timeline: one timeline per host (default) or per account\n"
	"  --all              timeline: also every 7036 stop of a service that is not critical\n"
	"  --window SECONDS   how long after a command its SCM echo may come (default 60)\n"
	"  --critical FILE    more critical services: pattern<TAB>category<TAB>high|critical\n"
	"  -h, --help         this help\n"
	"\n"
	"exit status: 0 ok, 2 usage, 4 fatal\n";

static void print_usage(FILE *fp)
{
	fputs(usage_head, fp);
	for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		fprintf(fp, "  %-10s %s\n", commands[i].name, commands[i].help);
	fputs(usage_tail, fp);
}

__attribute__((format(printf, 1, 2)))
static int usage_error(const char *fmt, ...)
{
	va_list ap;
	fputs("evtx-query: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputs("\ntry 'evtx-query --help'\n", stderr);
	return EXIT_USAGE;
}

/* "+08:00", "-0530", "+8", "UTC", "Z" -> minutes east of UTC. */
static int parse_tz(const char *s, int *out)
{
	int sign, h = 0, m = 0, n = 0;
	if (!strcasecmp(s, "utc") || !strcmp(s, "Z")) {
		*out = 0;
		return 0;
	}
	if (*s != '+' && *s != '-')
		return -1;
	sign = *s++ == '-' ? -1 : 1;
	if (sscanf(s, "%2d%n", &h, &n) != 1)
		return -1;
	s += n;
	if (*s == ':')
		s++;
	if (*s && (sscanf(s, "%2d%n", &m, &n) != 1 || s[n] != '\0'))
		return -1;
	if (h > 14 || m > 59)
		return -1;
	*out = sign * (h * 60 + m);
	return 0;
}

static int parse_time(const char *s, uint64_t *out, int end_of_day)
{
	if (convert_iso_filetime(s, out) != 0)
		return -1;
	if (end_of_day && strlen(s) == 10)
		*out += 86400ULL * 10000000ULL - 1;
	return 0;
}

int main(int argc, char **argv)
{
	enum { O_BOM = 256, O_NOBOM, O_TZ, O_HOST, O_ACCOUNT, O_SINCE, O_UNTIL, O_LEVEL, O_IMAGE, O_CMD,
	       O_LIMIT, O_BY, O_EXPLAIN, O_WINDOW, O_ALL, O_CRITICAL, O_WIDE };
	static const struct option opts[] = {
		{ "format", required_argument, NULL, 'f' }, { "output", required_argument, NULL, 'o' },
		{ "bom", no_argument, NULL, O_BOM }, { "no-bom", no_argument, NULL, O_NOBOM },
		{ "tz", required_argument, NULL, O_TZ }, { "host", required_argument, NULL, O_HOST },
		{ "account", required_argument, NULL, O_ACCOUNT }, { "since", required_argument, NULL, O_SINCE },
		{ "until", required_argument, NULL, O_UNTIL }, { "level", required_argument, NULL, O_LEVEL },
		{ "image", required_argument, NULL, O_IMAGE }, { "cmd", required_argument, NULL, O_CMD },
		{ "limit", required_argument, NULL, O_LIMIT }, { "by", required_argument, NULL, O_BY },
		{ "explain", no_argument, NULL, O_EXPLAIN }, { "window", required_argument, NULL, O_WINDOW },
		{ "all", no_argument, NULL, O_ALL }, { "critical", required_argument, NULL, O_CRITICAL },
		{ "wide", no_argument, NULL, O_WIDE },
		{ "help", no_argument, NULL, 'h' }, { NULL, 0, NULL, 0 },
	};
	struct query_ctx q;
	const char *out_path = NULL;
	const struct command *cmd = NULL;
	int c, bom = -1, rc, werr;
	char *end;

	memset(&q, 0, sizeof(q));
	q.ro.format = OUTPUT_TABLE;
	q.by = "host";
	q.window_sec = 60;
	while ((c = getopt_long(argc, argv, "f:o:h", opts, NULL)) != -1) {
		switch (c) {
		case 'f':
			if (output_format_parse(optarg, &q.ro.format))
				return usage_error("unknown format '%s'", optarg);
			break;
		case 'o': out_path = optarg; break;
		case O_BOM: bom = 1; break;
		case O_NOBOM: bom = 0; break;
		case O_TZ:
			if (parse_tz(optarg, &q.ro.tz_minutes))
				return usage_error("bad --tz '%s' (want an offset such as +08:00)", optarg);
			break;
		case O_HOST: q.f.host = optarg; break;
		case O_ACCOUNT: q.f.account = optarg; break;
		case O_SINCE:
			if (parse_time(optarg, &q.f.since, 0))
				return usage_error("bad --since '%s'", optarg);
			break;
		case O_UNTIL:
			if (parse_time(optarg, &q.f.until, 1))
				return usage_error("bad --until '%s'", optarg);
			break;
		case O_LEVEL:
			if (strcmp(optarg, "low") && strcmp(optarg, "medium") && strcmp(optarg, "high") &&
			    strcmp(optarg, "critical"))
				return usage_error("bad --level '%s' (low, medium, high, critical)", optarg);
			q.f.level = optarg;
			break;
		case O_IMAGE: q.f.image = optarg; break;
		case O_CMD: q.f.cmdline = optarg; break;
		case O_LIMIT:
			q.f.limit = strtol(optarg, &end, 10);
			if (*end || q.f.limit < 0)
				return usage_error("bad --limit '%s'", optarg);
			break;
		case O_BY:
			if (strcmp(optarg, "host") && strcmp(optarg, "account"))
				return usage_error("bad --by '%s' (host or account)", optarg);
			q.by = optarg;
			break;
		case O_EXPLAIN: q.explain = 1; break;
		case O_ALL: q.all = 1; break;
		case O_WIDE: q.wide = 1; break;
		case O_CRITICAL:
			if (functions_load_critical(optarg))
				return EXIT_USAGE;
			break;
		case O_WINDOW:
			q.window_sec = (int)strtol(optarg, &end, 10);
			if (*end || q.window_sec <= 0 || q.window_sec > 86400)
				return usage_error("bad --window '%s' (seconds, 1 to 86400)", optarg);
			break;
		case 'h':
			print_usage(stdout);
			return ferror(stdout) || fflush(stdout) ? EXIT_FATAL : 0;
		default:
			fputs("try 'evtx-query --help'\n", stderr);
			return EXIT_USAGE;
		}
	}
	if (argc - optind < 2)
		return usage_error("%s", argc - optind < 1 ? "missing case database and command" : "missing command");
	for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		if (!strcmp(argv[optind + 1], commands[i].name))
			cmd = &commands[i];
	if (!cmd)
		return usage_error("unknown command '%s'", argv[optind + 1]);
	q.args = argv + optind + 2;
	q.n_args = argc - optind - 2;

	q.ro.out = stdout;
	if (out_path) {
		q.ro.out = fopen(out_path, "w");
		if (!q.ro.out) {
			const char *err = strerror(errno);
			struct text_escaped sp;
			fprintf(stderr, "evtx-query: error: cannot open '%s': %s\n", text_escape(&sp, out_path), err);
			text_escaped_release(&sp);
			return EXIT_FATAL;
		}
	}
	q.ro.bom = bom >= 0 ? bom : out_path != NULL;
	if (db_open_read("evtx-query", argv[optind], &q.db))
		return EXIT_FATAL;
	rc = functions_register(q.db) ? -1 : cmd->run(&q);
	sqlite3_close(q.db);
	/* A command that failed has said why; a write error found only here is said here. */
	errno = 0;
	werr = fflush(q.ro.out) || ferror(q.ro.out);
	if (out_path && fclose(q.ro.out))
		werr = 1;
	if (werr && rc == 0) {
		const char *err = errno ? strerror(errno) : "write error";
		struct text_escaped sp;
		fprintf(stderr, "evtx-query: error: cannot write '%s': %s\n",
			out_path ? text_escape(&sp, out_path) : "(standard output)", err);
		if (out_path)
			text_escaped_release(&sp);
	}
	if (werr)
		rc = -1;
	return rc == -2 ? EXIT_USAGE : rc ? EXIT_FATAL : 0;
}
