/* test_text.c: names escaped for display (text_escape, text_escape_to). */
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "text.h"

static void check_escape(const char *name, const char *want)
{
	struct text_escaped e, again;
	const char *got = text_escape(&e, name);
	CHECK_STR(got, want);
	/* The escaped form is its own escaped form. */
	CHECK_STR(text_escape(&again, got), want);
	text_escaped_release(&again);
	text_escaped_release(&e);
}

static void test_rules(void)
{
	check_escape("case/WS01/Security.evtx", "case/WS01/Security.evtx");
	check_escape("C:\\Windows\\System32\\winevt\\Logs\\System.evtx",
		     "C:\\Windows\\System32\\winevt\\Logs\\System.evtx");
	check_escape("", "");
	check_escape(NULL, "(null)");
	check_escape("new\nline.evtx", "new\\x0aline.evtx");
	check_escape("cr\r\ttab", "cr\\x0d\\x09tab");
	check_escape("x\x1b[31mred\x1b]0;title\x07", "x\\x1b[31mred\\x1b]0;title\\x07");
	check_escape("del\x7f", "del\\x7f");
	check_escape("nel\xc2\x85 csi\xc2\x9b", "nel\\xc2\\x85 csi\\xc2\\x9b");
	check_escape("rlo\xe2\x80\xaegpj.evtx", "rlo\\xe2\\x80\\xaegpj.evtx");
	check_escape("lri\xe2\x81\xa6 pdi\xe2\x81\xa9", "lri\\xe2\\x81\\xa6 pdi\\xe2\\x81\\xa9");
	check_escape("lrm\xe2\x80\x8e rlm\xe2\x80\x8f alm\xd8\x9c", "lrm\\xe2\\x80\\x8e rlm\\xe2\\x80\\x8f alm\\xd8\\x9c");
	check_escape("ls\xe2\x80\xa8ps\xe2\x80\xa9", "ls\\xe2\\x80\\xa8ps\\xe2\\x80\\xa9");
	check_escape("bad\xff\xfeutf8", "bad\\xff\\xfeutf8");
	check_escape("over\xc0\xaf", "over\\xc0\\xaf");
	check_escape("surrogate\xed\xa0\x80", "surrogate\\xed\\xa0\\x80");
	check_escape("past\xf4\x90\x80\x80", "past\\xf4\\x90\\x80\\x80");
	check_escape("cut\xe6\x97", "cut\\xe6\\x97");
	check_escape("stray\x80", "stray\\x80");
	check_escape("caf\xc3\xa9 \xe6\x97\xa5 \xf0\x9f\x93\x81 \xe2\x80\x8b",
		     "caf\xc3\xa9 \xe6\x97\xa5 \xf0\x9f\x93\x81 \xe2\x80\x8b");
	check_escape("bang!", "bang!");
	check_escape("a.zip!b\\x21c", "a.zip!b\\x21c");
}

static void test_extra_and_room(void)
{
	char out[TEXT_ESCAPE_ROOM(8)];
	const char *s = "x!\n\xe2\x80\xae";

	CHECK_INT(text_escape_to(out, sizeof(out), s, strlen(s), "!"), strlen(s));
	CHECK_STR(out, "x\\x21\\x0a\\xe2\\x80\\xae");
	/* Whole characters only: a 3-byte escape needs 12 bytes and its NUL. */
	CHECK_INT(text_escape_to(out, 12, "\xe2\x80\xae", 3, NULL), 0);
	CHECK_STR(out, "");
	CHECK_INT(text_escape_to(out, 13, "\xe2\x80\xae", 3, NULL), 3);
	CHECK_INT(text_escape_to(out, 3, "\xc3\xa9z", 3, NULL), 2);
	CHECK_STR(out, "\xc3\xa9");
	CHECK_INT(text_escape_to(out, 1, "abc", 3, NULL), 0);
	CHECK_STR(out, "");
	/* The NUL of the string is not escaped, and "extra" holds ASCII only. */
	CHECK_INT(text_escape_to(out, sizeof(out), "a", 1, ""), 1);
	CHECK_STR(out, "a");
}

static void test_long(void)
{
	size_t n = 3 * TEXT_ESCAPED_INLINE;
	char *s = malloc(n + 1), *want = malloc(4 * n + 1);
	struct text_escaped e;
	const char *got;

	if (!s || !want) {
		free(s);
		free(want);
		CHECK(0);
		return;
	}
	for (size_t i = 0; i < n; i++) {
		s[i] = i % 7 ? 'a' : '\n';
		memcpy(want + 4 * i, i % 7 ? "a" : "\\x0a", i % 7 ? 1 : 4);
	}
	s[n] = '\0';
	/* Compacts want: 'a' took one byte of its four. */
	size_t o = 0;
	for (size_t i = 0; i < n; i++) {
		size_t k = i % 7 ? 1 : 4;
		memmove(want + o, want + 4 * i, k);
		o += k;
	}
	want[o] = '\0';
	got = text_escape(&e, s);
	CHECK(e.heap != NULL);
	CHECK_STR(got, want);
	text_escaped_release(&e);
	text_escaped_release(&e);
	free(s);
	free(want);
}

int main(void)
{
	test_rules();
	test_extra_and_room();
	test_long();
	return check_exit();
}
