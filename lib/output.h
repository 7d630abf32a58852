/* output.h: the one writer of tabular results for both programs.
 *
 * A result is a list of typed columns and a sequence of rows of text values.
 * It can be written as an aligned table for a terminal, CSV (RFC 4180), TSV,
 * one JSON array, or NDJSON (one object per line).
 *
 * Usage: o = output_new(...); output_row(o, values) per row; output_finish(o);
 * output_free(o). The module never prints to stderr and never exits: every
 * failure comes back as one of the OUTPUT_E* codes below, and an error is
 * sticky (once a call failed, later calls return the same code).
 *
 * What each format does with a value:
 *   table   header, a dashed line, then the rows; columns padded to the widest
 *           cell in display columns (East Asian wide characters count 2);
 *           OUTPUT_INT/OUTPUT_REAL columns right-aligned, text left-aligned; two
 *           spaces between columns; no trailing spaces. Control characters are
 *           shown as \n, \r, \t or \xNN, invalid UTF-8 bytes as \xNN, and the
 *           bidirectional controls and line separators (U+200E, U+200F,
 *           U+202A..U+202E, U+2066..U+2069, U+2028, U+2029) as \uXXXX, so a row
 *           stays on one line and reads as it is stored. Rows are buffered to
 *           measure widths: the first OUTPUT_TABLE_MEASURE_ROWS rows (fewer when
 *           they pass OUTPUT_TABLE_MEASURE_BYTES) decide the widths; later rows
 *           are printed as they come with those widths, and a longer cell is
 *           not cut, it pushes the rest of its line right. NULL is empty.
 *   csv     RFC 4180: header row, comma, CRLF; a field is quoted when it holds
 *           a comma, quote, CR or LF, with quotes doubled. NULL is an empty field.
 *   tsv     header row, tab, LF; tab, CR and LF in a value are written as \t,
 *           \r and \n; a backslash stays as it is, so Windows paths read as
 *           they are (TSV is for reading and grep; csv and json round-trip
 *           exactly). NULL is an empty field.
 *   json    "[", one object per line separated by ",", "]"; no rows gives "[]".
 *   ndjson  one object per line; no rows gives no output.
 *   In JSON, keys are the column names; a NULL value is null; an OUTPUT_INT or
 *   OUTPUT_REAL value that is a valid JSON number is written bare, any other
 *   value as a string. Strings escape '"', '\' and control characters (as
 *   \u00XX, also U+2028 and U+2029).
 *
 * Formula guard (csv and tsv, which spreadsheets open): a cell that begins with
 * '=', '+', '-', '@', tab or CR gets a leading single quote so that Excel shows
 * it as text instead of evaluating it. Not guarded: a cell that is exactly "-"
 * (the Windows placeholder for "none"), and a value of an OUTPUT_INT or
 * OUTPUT_REAL column that is a valid number (so -5 stays -5). Column names get
 * the same guard as text cells.
 *
 * Every text format except table writes valid UTF-8: an invalid byte sequence
 * becomes U+FFFD (one per maximal invalid subpart, as Unicode recommends).
 */
#ifndef OUTPUT_H
#define OUTPUT_H

#include <stddef.h>
#include <stdio.h>

#define OUTPUT_EINVAL	(-1)	/* unknown format name */
#define OUTPUT_ENOMEM	(-2)	/* out of memory */
#define OUTPUT_ETOOBIG	(-3)	/* one line would pass OUTPUT_LINE_MAX bytes */
#define OUTPUT_EIO	(-4)	/* a write to the stream failed */

/* Largest single output line (one row, after escaping). */
#define OUTPUT_LINE_MAX		((size_t)64 << 20)
/* How many rows, and how many bytes of them, the table buffers to measure widths. */
#define OUTPUT_TABLE_MEASURE_ROWS	10000
#define OUTPUT_TABLE_MEASURE_BYTES	((size_t)64 << 20)

enum output_format { OUTPUT_TABLE, OUTPUT_CSV, OUTPUT_TSV, OUTPUT_JSON, OUTPUT_NDJSON };
enum output_type { OUTPUT_TEXT, OUTPUT_INT, OUTPUT_REAL };

struct output_column {
	const char *name;	/* UTF-8 */
	enum output_type type;
};

struct output;		/* opaque */

/* "table", "csv", "tsv", "json" or "ndjson" (exact, lower case): sets *out and
 * returns 0. Anything else, NULL included: OUTPUT_EINVAL, *out untouched. */
int output_format_parse(const char *name, enum output_format *out);

/* The name output_format_parse accepts for fmt; a static string. */
const char *output_format_name(enum output_format fmt);

/* A short lower-case description of an OUTPUT_E* code, for the caller's own
 * error message; a static string. */
const char *output_strerror(int code);

/* Starts a result written to fp, which stays the caller's (never closed here).
 * cols[0..n_cols) is copied, names included, so the caller may free it after
 * the call. bom: write a UTF-8 byte order mark first (csv and tsv only; ignored
 * for the other formats). Nothing is written until the first output_row or
 * output_finish. Returns NULL only when out of memory. */
struct output *output_new(FILE *fp, enum output_format fmt, size_t n_cols,
			  const struct output_column *cols, int bom);

/* Adds one row. values[i] is the UTF-8 text of column i (numbers as decimal
 * text) or NULL for SQL NULL; the values stay the caller's and are not used
 * after the call returns. Returns 0, or OUTPUT_ENOMEM, OUTPUT_ETOOBIG or
 * OUTPUT_EIO (a write failure may only be seen at output_finish, since fp
 * buffers). Must not be called after output_finish. */
int output_row(struct output *o, const char *const *values);

/* Ends the result: the table prints what it still buffers (the header and
 * separator also when there were no rows), csv/tsv write the header if no row
 * did, json closes the array. Then flushes fp. Returns 0, or the first error
 * of this output, or OUTPUT_EIO when ferror(fp) is set. Calling it again
 * returns the same result and writes nothing. */
int output_finish(struct output *o);

/* Frees o without writing anything more (rows a table still buffers are
 * dropped unless output_finish ran). NULL is a no-op. */
void output_free(struct output *o);

#endif
