/* report.c: SQL rows to formatted output. */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "convert.h"
#include "report.h"

#define REPORT_MAX_COLS 128

int report_is_time_column(const char *name)
{
	size_t n = strlen(name);
	return !strcmp(name, "time") || (n > 5 && !strcmp(name + n - 5, "_time"));
}

static enum output_type column_type(sqlite3_stmt *st, int i, int have_row)
{
	const char *decl = sqlite3_column_decltype(st, i);
	if (report_is_time_column(sqlite3_column_name(st, i)))
		return OUTPUT_TEXT;
	if (decl)
		return strcasestr(decl, "INT") ? OUTPUT_INT : strcasestr(decl, "REAL") ? OUTPUT_REAL : OUTPUT_TEXT;
	if (have_row) {
		int t = sqlite3_column_type(st, i);
		return t == SQLITE_INTEGER ? OUTPUT_INT : t == SQLITE_FLOAT ? OUTPUT_REAL : OUTPUT_TEXT;
	}
	return OUTPUT_TEXT;
}

int report_prepare_failed(sqlite3 *db)
{
	fprintf(stderr, "evtx-query: error: database: %s\n", sqlite3_errmsg(db));
	return -1;
}

long report_run(sqlite3 *db, sqlite3_stmt *st, const struct report_opts *o)
{
	int n = sqlite3_column_count(st);
	struct output_column cols[REPORT_MAX_COLS];
	const char *vals[REPORT_MAX_COLS];
	char times[REPORT_MAX_COLS][ISO_TIME_LEN + 8];
	int is_time[REPORT_MAX_COLS];
	struct output *out;
	long rows = 0;
	int rc, orc = 0;

	if (n > REPORT_MAX_COLS) {
		fprintf(stderr, "evtx-query: error: more than %d columns\n", REPORT_MAX_COLS);
		return -1;
	}
	rc = sqlite3_step(st);
	for (int i = 0; i < n; i++) {
		cols[i].name = sqlite3_column_name(st, i);
		cols[i].type = column_type(st, i, rc == SQLITE_ROW);
		is_time[i] = report_is_time_column(cols[i].name);
	}
	out = output_new(o->out, o->format, (size_t)n, cols, o->bom);
	if (!out) {
		fprintf(stderr, "evtx-query: error: out of memory\n");
		return -1;
	}
	for (; rc == SQLITE_ROW && orc == 0; rc = sqlite3_step(st)) {
		for (int i = 0; i < n; i++) {
			int t = sqlite3_column_type(st, i);
			if (t == SQLITE_NULL) {
				vals[i] = NULL;
			} else if (is_time[i] && t == SQLITE_INTEGER) {
				uint64_t ft = (uint64_t)sqlite3_column_int64(st, i);
				if (convert_filetime_iso(ft, o->tz_minutes, times[i], sizeof(times[i])) != 0)
					snprintf(times[i], sizeof(times[i]), "%" PRIu64, ft);
				vals[i] = times[i];
			} else {
				vals[i] = (const char *)sqlite3_column_text(st, i);
			}
		}
		orc = output_row(out, vals);
		rows++;
	}
	if (orc == 0)
		orc = output_finish(out);
	output_free(out);
	if (rc != SQLITE_DONE && rc != SQLITE_ROW) {
		fprintf(stderr, "evtx-query: error: database: %s\n", sqlite3_errmsg(db));
		return -1;
	}
	if (orc) {
		fprintf(stderr, "evtx-query: error: cannot write output: %s\n", output_strerror(orc));
		return -1;
	}
	return rows;
}
