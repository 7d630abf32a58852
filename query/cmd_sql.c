/* cmd_sql.c: evtx-query CASE sql 'SELECT ...' — read-only SQL for anything else.
 *
 * The connection is already read-only (SQLITE_OPEN_READONLY, query_only); an
 * authorizer also refuses ATTACH, PRAGMAs that change state, and any write, so a
 * statement cannot reach another file or alter the case. */
#include <string.h>

#include "commands.h"

static int authorize(void *ctx, int action, const char *a, const char *b, const char *db, const char *trigger)
{
	(void)ctx, (void)b, (void)db, (void)trigger;
	switch (action) {
	case SQLITE_SELECT:
	case SQLITE_READ:
	case SQLITE_FUNCTION:
	case SQLITE_RECURSIVE:
		return SQLITE_OK;
	case SQLITE_PRAGMA:
		/* Reading pragmas only: table_info, index_list, user_version ... without a value. */
		return b == NULL && a && strcmp(a, "query_only") && strcmp(a, "writable_schema") ? SQLITE_OK
											    : SQLITE_DENY;
	default:
		return SQLITE_DENY;
	}
}

int cmd_sql(struct query_ctx *q)
{
	sqlite3_stmt *st;
	const char *tail = NULL;
	long n;

	if (q->n_args != 1) {
		fprintf(stderr, "evtx-query: sql takes one statement, e.g. evtx-query CASE.db sql 'SELECT * FROM host'\n");
		return -2;
	}
	sqlite3_set_authorizer(q->db, authorize, NULL);
	if (sqlite3_prepare_v2(q->db, q->args[0], -1, &st, &tail) != SQLITE_OK)
		return report_prepare_failed(q->db);
	while (tail && (*tail == ' ' || *tail == '\n' || *tail == '\t' || *tail == ';'))
		tail++;
	if (!st || (tail && *tail)) {
		fprintf(stderr, "evtx-query: error: sql takes exactly one statement\n");
		sqlite3_finalize(st);
		return -1;
	}
	if (!sqlite3_stmt_readonly(st)) {
		fprintf(stderr, "evtx-query: error: sql is read-only\n");
		sqlite3_finalize(st);
		return -1;
	}
	n = report_run(q->db, st, &q->ro);
	sqlite3_finalize(st);
	sqlite3_set_authorizer(q->db, NULL, NULL);
	return n < 0 ? -1 : 0;
}
