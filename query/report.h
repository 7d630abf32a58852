/* report.h: runs one SQL statement on the case and writes its rows through the
 * output module. Columns named "time" or ending in "_time" that hold integers are
 * FILETIMEs and are written as ISO 8601 (UTC with a Z, or shifted by --tz). */
#ifndef REPORT_H
#define REPORT_H

#include <sqlite3.h>
#include <stdio.h>

#include "output.h"

struct report_opts {
	enum output_format format;
	FILE *out;		/* not owned */
	int bom;		/* UTF-8 BOM before csv/tsv */
	int tz_minutes;		/* display offset from UTC */
};

/* Steps st (prepared and bound by the caller, not finalized here) and writes every
 * row. Returns the number of rows, or a negative code (message printed). */
long report_run(sqlite3 *db, sqlite3_stmt *st, const struct report_opts *o);

/* Prints the database error of a failed prepare; returns -1. */
int report_prepare_failed(sqlite3 *db);

/* Is this column name a FILETIME column by the naming rule above? */
int report_is_time_column(const char *name);

#endif
