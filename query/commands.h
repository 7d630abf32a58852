/* commands.h: the subcommands of evtx-query and what they share. */
#ifndef COMMANDS_H
#define COMMANDS_H

#include <sqlite3.h>
#include <stdint.h>

#include "report.h"

struct query_filters {
	const char *host;	/* host name, case-insensitive; also matches the short name */
	const char *account;	/* DOMAIN\user, user, or SID, case-insensitive */
	uint64_t since, until;	/* FILETIME bounds, 0 = open */
	const char *level;	/* minimum level: low | medium | high | critical */
	const char *image;	/* substring of the image path */
	const char *cmdline;	/* substring of the command line */
	long limit;		/* 0 = no limit */
};

struct query_ctx {
	sqlite3 *db;
	struct report_opts ro;
	struct query_filters f;
	int all;		/* timeline: every 7036 stop, not only critical services */
	int explain;
	int wide;		/* table: every column, not the brief set */		/* t1489: show whether the textbook rule catches each hit */
	const char *by;		/* timeline: host | account */
	int window_sec;		/* correlation window */
	char **args;		/* arguments after the command name */
	int n_args;
};

/* Each returns 0 or a negative code (message already printed). */
int cmd_files(struct query_ctx *q);
int cmd_t1489(struct query_ctx *q);
int cmd_timeline(struct query_ctx *q);
int cmd_hosts(struct query_ctx *q);
int cmd_accounts(struct query_ctx *q);
int cmd_coverage(struct query_ctx *q);
int cmd_processes(struct query_ctx *q);
/* Returns -2 for a usage error (exit 2). */
int cmd_sql(struct query_ctx *q);

#endif
