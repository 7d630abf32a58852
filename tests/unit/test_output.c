/* test_output.c: exact bytes of every output format, the formula guard,
 * escaping, table alignment and its measuring caps, and write errors. */
#include "output.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int failures;

#define CHECK(cond) check((cond), #cond, __LINE__)

static void check(int ok, const char *what, int line)
{
	if (!ok) {
		fprintf(stderr, "test_output.c:%d: check failed: %s\n", line, what);
		failures++;
	}
}

/* Prints s with every non-printable byte as \xNN, so diffs are readable. */
static void dump(const char *label, const char *s, size_t len)
{
	fprintf(stderr, "  %s (%zu bytes): \"", label, len);
	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)s[i];
		if (c == '\n')
			fputs("\\n\"\n    \"", stderr);
		else if (c == '\\' || c == '"')
			fprintf(stderr, "\\%c", c);
		else if (c < 0x20 || c >= 0x7F)
			fprintf(stderr, "\\x%02X", c);
		else
			fputc(c, stderr);
	}
	fputs("\"\n", stderr);
}

static void expect_bytes(int line, const char *name, const char *got, size_t got_len,
			 const char *want, size_t want_len)
{
	if (got_len == want_len && memcmp(got, want, want_len) == 0)
		return;
	fprintf(stderr, "test_output.c:%d: %s: output differs\n", line, name);
	dump("want", want, want_len);
	dump("got ", got, got_len);
	failures++;
}

struct result {
	char *data;
	size_t len;
	int row_rc;	/* first non-zero output_row result */
	int finish_rc;
};

/* Runs one whole result through the module into memory. cells holds
 * n_rows * n_cols values, row by row. */
static struct result run(enum output_format fmt, size_t n_cols,
			 const struct output_column *cols, size_t n_rows,
			 const char *const *cells, int bom)
{
	struct result r = { NULL, 0, 0, 0 };
	FILE *fp = open_memstream(&r.data, &r.len);
	struct output *o;

	if (!fp) {
		perror("open_memstream");
		exit(2);
	}
	o = output_new(fp, fmt, n_cols, cols, bom);
	if (!o) {
		fprintf(stderr, "output_new failed\n");
		exit(2);
	}
	for (size_t i = 0; i < n_rows; i++) {
		int rc = output_row(o, cells + i * n_cols);
		if (rc && !r.row_rc)
			r.row_rc = rc;
	}
	r.finish_rc = output_finish(o);
	output_free(o);
	fclose(fp);
	return r;
}

#define N(a) (sizeof(a) / sizeof((a)[0]))

/* Expects the exact bytes of a string literal (want may hold any byte but NUL). */
#define EXPECT(name, fmt, cols, cells, n_rows, bom, want)				\
	do {										\
		struct result r_ = run((fmt), N(cols), (cols), (n_rows), (cells), (bom)); \
		CHECK(r_.row_rc == 0);							\
		CHECK(r_.finish_rc == 0);						\
		expect_bytes(__LINE__, (name), r_.data, r_.len, (want), sizeof(want) - 1); \
		free(r_.data);								\
	} while (0)

static const struct output_column cols3[] = {
	{ "id", OUTPUT_INT }, { "name", OUTPUT_TEXT }, { "note", OUTPUT_TEXT },
};

static void test_parse(void)
{
	static const char *const names[] = { "table", "csv", "tsv", "json", "ndjson" };
	static const enum output_format fmts[] = {
		OUTPUT_TABLE, OUTPUT_CSV, OUTPUT_TSV, OUTPUT_JSON, OUTPUT_NDJSON,
	};
	enum output_format f;

	for (size_t i = 0; i < N(names); i++) {
		f = (enum output_format)-1;
		CHECK(output_format_parse(names[i], &f) == 0);
		CHECK(f == fmts[i]);
		CHECK(strcmp(output_format_name(fmts[i]), names[i]) == 0);
	}
	f = OUTPUT_JSON;
	CHECK(output_format_parse("CSV", &f) < 0);
	CHECK(output_format_parse("", &f) < 0);
	CHECK(output_format_parse("csvx", &f) < 0);
	CHECK(output_format_parse(NULL, &f) < 0);
	CHECK(f == OUTPUT_JSON);
	CHECK(strcmp(output_strerror(OUTPUT_EIO), "write error") == 0);
	output_free(NULL);
}

static void test_csv(void)
{
	static const char *const rows[] = {
		"1", "alice", "hello, world",
		"-5", "=cmd|' /C calc'!A0", "say \"hi\"",
		"3", "-", NULL,
		"4", "+1", "line1\nline2",
		"5", "@SUM(A1)", "\tx",
		"6", "-x", "\rfoo",
		NULL, "", "\xC3\xA9\xE4\xB8\xAD",
		"=1", "--", "a\r\nb",
		"-", "a=b", "-3",
	};
	EXPECT("csv", OUTPUT_CSV, cols3, rows, N(rows) / 3, 0,
	       "id,name,note\r\n"
	       "1,alice,\"hello, world\"\r\n"
	       "-5,'=cmd|' /C calc'!A0,\"say \"\"hi\"\"\"\r\n"
	       "3,-,\r\n"
	       "4,'+1,\"line1\nline2\"\r\n"
	       "5,'@SUM(A1),'\tx\r\n"
	       "6,'-x,\"'\rfoo\"\r\n"
	       ",,\xC3\xA9\xE4\xB8\xAD\r\n"
	       "'=1,'--,\"a\r\nb\"\r\n"
	       "-,a=b,'-3\r\n");
}

static void test_csv_numbers(void)
{
	static const struct output_column cols[] = {
		{ "i", OUTPUT_INT }, { "r", OUTPUT_REAL }, { "t", OUTPUT_TEXT },
	};
	static const char *const rows[] = {
		"-5", "-1.5e3", "-5",
		"-9223372036854775808", "-0.25", "+5",
		"+5", "-Inf", "@x",
	};
	/* A number column is only exempt while its value is a number. */
	EXPECT("csv numbers", OUTPUT_CSV, cols, rows, N(rows) / 3, 0,
	       "i,r,t\r\n"
	       "-5,-1.5e3,'-5\r\n"
	       "-9223372036854775808,-0.25,'+5\r\n"
	       "'+5,'-Inf,'@x\r\n");
}

static void test_csv_header_and_utf8(void)
{
	static const struct output_column cols[] = {
		{ "a,b", OUTPUT_TEXT }, { "say \"x\"", OUTPUT_TEXT }, { "=h", OUTPUT_INT },
	};
	static const char *const rows[] = {
		"a\xFF" "b", "\xC0\xAF", "\xE4\xB8",
	};
	EXPECT("csv header quoting, invalid utf-8", OUTPUT_CSV, cols, rows, 1, 0,
	       "\"a,b\",\"say \"\"x\"\"\",'=h\r\n"
	       "a\xEF\xBF\xBD" "b,\xEF\xBF\xBD\xEF\xBF\xBD,\xEF\xBF\xBD\r\n");
}

static void test_csv_empty_and_bom(void)
{
	static const char *const *none = NULL;
	static const char *const rows[] = { "1", "x", "y" };

	EXPECT("csv empty", OUTPUT_CSV, cols3, none, 0, 0, "id,name,note\r\n");
	EXPECT("csv empty bom", OUTPUT_CSV, cols3, none, 0, 1,
	       "\xEF\xBB\xBFid,name,note\r\n");
	EXPECT("csv bom", OUTPUT_CSV, cols3, rows, 1, 1,
	       "\xEF\xBB\xBFid,name,note\r\n1,x,y\r\n");
	EXPECT("tsv bom", OUTPUT_TSV, cols3, rows, 1, 1,
	       "\xEF\xBB\xBFid\tname\tnote\n1\tx\ty\n");
	/* The BOM is for spreadsheets only. */
	EXPECT("json no bom", OUTPUT_JSON, cols3, none, 0, 1, "[]\n");
	EXPECT("ndjson no bom", OUTPUT_NDJSON, cols3, rows, 1, 1,
	       "{\"id\":1,\"name\":\"x\",\"note\":\"y\"}\n");
	EXPECT("table no bom", OUTPUT_TABLE, cols3, rows, 1, 1,
	       "id  name  note\n"
	       "--  ----  ----\n"
	       " 1  x     y\n");
}

static void test_tsv(void)
{
	static const char *const rows[] = {
		"1", "a\tb", "C:\\Windows\\System32",
		"-5", "x\r\ny", NULL,
		"2", "=1+1", "\tfoo",
		"3", "-", "",
		"4", "\xFF", "back\\tslash",
	};
	EXPECT("tsv", OUTPUT_TSV, cols3, rows, N(rows) / 3, 0,
	       "id\tname\tnote\n"
	       "1\ta\\tb\tC:\\Windows\\System32\n"
	       "-5\tx\\r\\ny\t\n"
	       "2\t'=1+1\t'\\tfoo\n"
	       "3\t-\t\n"
	       "4\t\xEF\xBF\xBD\tback\\tslash\n");
	EXPECT("tsv empty", OUTPUT_TSV, cols3, (const char *const *)NULL, 0, 0,
	       "id\tname\tnote\n");
}

static void test_json(void)
{
	static const struct output_column cols[] = {
		{ "id", OUTPUT_INT }, { "score", OUTPUT_REAL }, { "na\"me", OUTPUT_TEXT },
	};
	static const char *const rows[] = {
		"1", "2.5", "a\"b\\c/d",
		NULL, "nan", "\x01\n\x1F\t",
		"007", "-1e5", "\xFF\xC3(",
		"-0", "1.", "\xC3\xA9\xE4\xB8\xAD",
		"12", "3.0E+2", "123",
		"", "0.5", NULL,
		" 1", "1e", "\xED\xA0\x80\xF4\x90\x80\x80",
		"1x", ".5", "\xE2\x80\xA8\x7F",
	};
	static const char *const *none = NULL;

	EXPECT("json", OUTPUT_JSON, cols, rows, N(rows) / 3, 0,
	       "[\n"
	       "{\"id\":1,\"score\":2.5,\"na\\\"me\":\"a\\\"b\\\\c/d\"},\n"
	       "{\"id\":null,\"score\":\"nan\",\"na\\\"me\":\"\\u0001\\u000A\\u001F\\u0009\"},\n"
	       "{\"id\":\"007\",\"score\":-1e5,\"na\\\"me\":\"\xEF\xBF\xBD\xEF\xBF\xBD(\"},\n"
	       "{\"id\":-0,\"score\":\"1.\",\"na\\\"me\":\"\xC3\xA9\xE4\xB8\xAD\"},\n"
	       "{\"id\":12,\"score\":3.0E+2,\"na\\\"me\":\"123\"},\n"
	       "{\"id\":\"\",\"score\":0.5,\"na\\\"me\":null},\n"
	       "{\"id\":\" 1\",\"score\":\"1e\",\"na\\\"me\":\""
	       "\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD"
	       "\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD\"},\n"
	       "{\"id\":\"1x\",\"score\":\".5\",\"na\\\"me\":\"\\u2028\x7F\"}\n"
	       "]\n");
	EXPECT("json empty", OUTPUT_JSON, cols, none, 0, 0, "[]\n");
	EXPECT("json one row", OUTPUT_JSON, cols, rows, 1, 0,
	       "[\n{\"id\":1,\"score\":2.5,\"na\\\"me\":\"a\\\"b\\\\c/d\"}\n]\n");
	/* JSON does not guard formulas: nothing there evaluates them. */
	static const char *const formula[] = { "-5", "-5", "=1" };
	EXPECT("ndjson", OUTPUT_NDJSON, cols, rows, 2, 0,
	       "{\"id\":1,\"score\":2.5,\"na\\\"me\":\"a\\\"b\\\\c/d\"}\n"
	       "{\"id\":null,\"score\":\"nan\",\"na\\\"me\":\"\\u0001\\u000A\\u001F\\u0009\"}\n");
	EXPECT("ndjson formula", OUTPUT_NDJSON, cols, formula, 1, 0,
	       "{\"id\":-5,\"score\":-5,\"na\\\"me\":\"=1\"}\n");
	EXPECT("ndjson empty", OUTPUT_NDJSON, cols, none, 0, 0, "");
}

static void test_table(void)
{
	static const struct output_column cols[] = {
		{ "name", OUTPUT_TEXT }, { "n", OUTPUT_INT }, { "city", OUTPUT_TEXT },
	};
	static const char *const rows[] = {
		"alice", "5", "\xE5\x8C\x97\xE4\xBA\xAC",			/* 北京 */
		"\xE4\xB8\xAD\xE6\x96\x87\xE5\x90\x8D", "12345", "x",		/* 中文名 */
		NULL, NULL, NULL,
		"a\tb\nc", "-1", "\x01",
		"\xED\x95\x9C\xEA\xB5\xAD", "7", "\xEF\xBC\xA1\xEF\xBC\xA2",	/* 한국, ＡＢ */
		"caf\x65\xCC\x81", "0", "\xC3\xA9t\xC3\xA9",			/* café (combining), été */
	};
	EXPECT("table", OUTPUT_TABLE, cols, rows, N(rows) / 3, 0,
	       "name         n  city\n"
	       "-------  -----  ----\n"
	       "alice        5  \xE5\x8C\x97\xE4\xBA\xAC\n"
	       "\xE4\xB8\xAD\xE6\x96\x87\xE5\x90\x8D   12345  x\n"
	       "\n"
	       "a\\tb\\nc     -1  \\x01\n"
	       "\xED\x95\x9C\xEA\xB5\xAD         7  \xEF\xBC\xA1\xEF\xBC\xA2\n"
	       "cafe\xCC\x81         0  \xC3\xA9t\xC3\xA9\n");

	/* Chinese header and cells; the widths come from display columns. */
	static const struct output_column zh[] = {
		{ "\xE7\x94\xA8\xE6\x88\xB7", OUTPUT_TEXT },	/* 用户 */
		{ "id", OUTPUT_INT },
		{ "x", OUTPUT_TEXT },
	};
	static const char *const zh_rows[] = {
		"\xE7\xAE\xA1\xE7\x90\x86\xE5\x91\x98", "1", "a",	/* 管理员 */
		"bob", "22", "b",
	};
	EXPECT("table chinese", OUTPUT_TABLE, zh, zh_rows, 2, 0,
	       "\xE7\x94\xA8\xE6\x88\xB7    id  x\n"
	       "------  --  -\n"
	       "\xE7\xAE\xA1\xE7\x90\x86\xE5\x91\x98   1  a\n"
	       "bob     22  b\n");

	/* Invalid bytes, C1 and DEL as \xNN; layout controls as \uXXXX. */
	static const struct output_column one[] = { { "v", OUTPUT_TEXT }, { "w", OUTPUT_TEXT } };
	static const char *const esc_rows[] = {
		"evil\xE2\x80\xAEtxt.exe", "|",
		"\xFF\xC2\x85\x7F\r", "|",
		"ok  ", "",
	};
	EXPECT("table escapes", OUTPUT_TABLE, one, esc_rows, 3, 0,
	       "v                   w\n"
	       "------------------  -\n"
	       "evil\\u202Etxt.exe   |\n"
	       "\\xFF\\xC2\\x85\\x7F\\r  |\n"
	       "ok\n");

	EXPECT("table empty", OUTPUT_TABLE, cols, (const char *const *)NULL, 0, 0,
	       "name  n  city\n"
	       "----  -  ----\n");
}

/* Reads a whole stream that was written to a tmpfile. */
static char *slurp(FILE *fp, size_t *len)
{
	long n;
	char *s;

	fflush(fp);
	fseek(fp, 0, SEEK_END);
	n = ftell(fp);
	rewind(fp);
	s = malloc((size_t)n + 1);
	if (!s || fread(s, 1, (size_t)n, fp) != (size_t)n) {
		fprintf(stderr, "cannot read tmpfile back\n");
		exit(2);
	}
	s[n] = '\0';
	*len = (size_t)n;
	return s;
}

static void test_table_row_cap(void)
{
	static const struct output_column cols[] = { { "c1", OUTPUT_TEXT }, { "c2", OUTPUT_TEXT } };
	static const char *const short_row[] = { "a", "x" };
	static const char *const long_row[] = { "abcdef", "y" };
	FILE *fp = tmpfile();
	struct output *o;
	char *s, *last;
	size_t len, n_lines = 0;
	int rc = 0;

	CHECK(fp != NULL);
	if (!fp)
		return;
	o = output_new(fp, OUTPUT_TABLE, 2, cols, 0);
	CHECK(o != NULL);
	for (int i = 0; i < OUTPUT_TABLE_MEASURE_ROWS; i++)
		rc |= output_row(o, short_row);
	/* past the measured rows: printed with the widths already fixed */
	rc |= output_row(o, long_row);
	rc |= output_row(o, short_row);
	CHECK(rc == 0);
	CHECK(output_finish(o) == 0);
	output_free(o);
	s = slurp(fp, &len);
	fclose(fp);
	for (size_t i = 0; i < len; i++)
		n_lines += s[i] == '\n';
	CHECK(n_lines == 2 + OUTPUT_TABLE_MEASURE_ROWS + 2);
	CHECK(strncmp(s, "c1  c2\n--  --\na   x\n", 20) == 0);
	last = s + len - strlen("abcdef  y\na   x\n");
	CHECK(strcmp(last, "abcdef  y\na   x\n") == 0);
	free(s);
}

static void test_table_byte_cap(void)
{
	static const struct output_column cols[] = { { "c1", OUTPUT_TEXT }, { "c2", OUTPUT_TEXT } };
	size_t big_len = (size_t)5 << 20, len, n_rows;
	char *big = malloc(big_len + 1), *s;
	const char *row[2];
	FILE *fp = tmpfile();
	struct output *o;
	int rc = 0;

	CHECK(big && fp);
	if (!big || !fp) {
		free(big);
		if (fp)
			fclose(fp);
		return;
	}
	memset(big, 'a', big_len);
	big[big_len] = '\0';
	n_rows = OUTPUT_TABLE_MEASURE_BYTES / big_len + 1;
	o = output_new(fp, OUTPUT_TABLE, 2, cols, 0);
	CHECK(o != NULL);
	row[1] = big;
	for (size_t i = 0; i < n_rows; i++) {
		/* the last row does not fit the measuring budget: its wide first
		 * cell must not widen the column */
		row[0] = i + 1 < n_rows ? "x" : "yyyy";
		rc |= output_row(o, row);
	}
	CHECK(rc == 0);
	CHECK(output_finish(o) == 0);
	output_free(o);
	s = slurp(fp, &len);
	fclose(fp);
	/* header, separator (c2 is as wide as the big cells), rows */
	CHECK(len == 7 + (4 + big_len + 1) + (n_rows - 1) * (4 + big_len + 1) +
		     (6 + big_len + 1));
	CHECK(len > 3 * big_len && strncmp(s, "c1  c2\n--  ---", 14) == 0);
	CHECK(len > 3 * big_len && strncmp(s + 7 + 4 + big_len, "\nx   aaa", 8) == 0);
	CHECK(strncmp(s + len - big_len - 8, "\nyyyy  aaa", 10) == 0);
	free(s);
	free(big);
}

static void test_too_big(void)
{
	static const struct output_column cols[] = { { "v", OUTPUT_TEXT } };
	/* \u0001 is six bytes: the escaped line passes OUTPUT_LINE_MAX */
	size_t n = OUTPUT_LINE_MAX / 6 + 1;
	char *v = malloc(n + 1);
	const char *row[1];
	FILE *fp = fopen("/dev/null", "w");
	struct output *o;

	CHECK(v && fp);
	if (!v || !fp) {
		free(v);
		if (fp)
			fclose(fp);
		return;
	}
	memset(v, 1, n);
	v[n] = '\0';
	row[0] = v;
	o = output_new(fp, OUTPUT_NDJSON, 1, cols, 0);
	CHECK(o != NULL);
	CHECK(output_row(o, row) == OUTPUT_ETOOBIG);
	row[0] = "small";
	CHECK(output_row(o, row) == OUTPUT_ETOOBIG);	/* sticky */
	CHECK(output_finish(o) == OUTPUT_ETOOBIG);
	output_free(o);
	fclose(fp);
	free(v);
}

static void test_write_error(void)
{
	static const enum output_format fmts[] = {
		OUTPUT_TABLE, OUTPUT_CSV, OUTPUT_TSV, OUTPUT_JSON, OUTPUT_NDJSON,
	};
	static const char *const row[] = { "1", "some text", "more text" };

	for (size_t f = 0; f < N(fmts); f++) {
		FILE *fp = fopen("/dev/full", "w");
		struct output *o;

		CHECK(fp != NULL);
		if (!fp)
			return;
		/* few rows: the failure only shows when fp is flushed */
		o = output_new(fp, fmts[f], N(cols3), cols3, 0);
		CHECK(o != NULL);
		CHECK(output_row(o, row) == 0);
		CHECK(output_finish(o) == OUTPUT_EIO);
		CHECK(output_finish(o) == OUTPUT_EIO);
		output_free(o);
		fclose(fp);

		/* enough rows to fill the stdio buffer: output_row reports it */
		fp = fopen("/dev/full", "w");
		CHECK(fp != NULL);
		if (!fp)
			return;
		o = output_new(fp, fmts[f], N(cols3), cols3, 0);
		CHECK(o != NULL);
		if (fmts[f] != OUTPUT_TABLE) {
			int rc = 0;
			for (int i = 0; i < 100000 && rc == 0; i++)
				rc = output_row(o, row);
			CHECK(rc == OUTPUT_EIO);
			CHECK(output_row(o, row) == OUTPUT_EIO);
		}
		CHECK(output_finish(o) == OUTPUT_EIO);
		output_free(o);
		fclose(fp);
	}
}

static void test_lifecycle(void)
{
	char name[] = "first";
	struct output_column cols[] = { { name, OUTPUT_TEXT } };
	const char *row[] = { "v" };
	char *data = NULL;
	size_t len = 0;
	FILE *fp = open_memstream(&data, &len);
	struct output *o;

	CHECK(fp != NULL);
	if (!fp)
		return;
	o = output_new(fp, OUTPUT_CSV, 1, cols, 0);
	CHECK(o != NULL);
	/* the columns were copied */
	name[0] = 'X';
	cols[0].type = OUTPUT_INT;
	row[0] = "-1";
	CHECK(output_row(o, row) == 0);
	CHECK(output_finish(o) == 0);
	CHECK(output_finish(o) == 0);	/* again: nothing more written */
	output_free(o);
	fclose(fp);
	expect_bytes(__LINE__, "copied columns", data, len, "first\r\n'-1\r\n", 12);
	free(data);

	/* freeing without finishing writes nothing */
	data = NULL;
	fp = open_memstream(&data, &len);
	CHECK(fp != NULL);
	if (!fp)
		return;
	o = output_new(fp, OUTPUT_TABLE, 1, cols, 0);
	CHECK(o != NULL);
	CHECK(output_row(o, row) == 0);
	output_free(o);
	fclose(fp);
	CHECK(len == 0);
	free(data);

	/* no columns at all */
	data = NULL;
	fp = open_memstream(&data, &len);
	CHECK(fp != NULL);
	if (!fp)
		return;
	o = output_new(fp, OUTPUT_JSON, 0, NULL, 0);
	CHECK(o != NULL);
	CHECK(output_row(o, NULL) == 0);
	CHECK(output_finish(o) == 0);
	output_free(o);
	fclose(fp);
	expect_bytes(__LINE__, "no columns", data, len, "[\n{}\n]\n", 7);
	free(data);
}

int main(void)
{
	test_parse();
	test_csv();
	test_csv_numbers();
	test_csv_header_and_utf8();
	test_csv_empty_and_bom();
	test_tsv();
	test_json();
	test_table();
	test_table_row_cap();
	test_table_byte_cap();
	test_too_big();
	test_write_error();
	test_lifecycle();
	if (failures) {
		fprintf(stderr, "test_output: %d failure(s)\n", failures);
		return 1;
	}
	printf("test_output: all passed\n");
	return 0;
}
