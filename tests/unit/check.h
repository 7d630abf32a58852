/* check.h: the assertions the C unit tests share. A failed check prints the file,
 * line and values and is counted; check_exit() is main's return value. */
#ifndef CHECK_H
#define CHECK_H

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

static int check_failures;

#define CHECK(cond) check_true((cond), #cond, __FILE__, __LINE__)
#define CHECK_STR(got, want) check_str((got), (want), #got, __FILE__, __LINE__)
#define CHECK_INT(got, want) check_int((int64_t)(got), (int64_t)(want), #got, __FILE__, __LINE__)

static inline void check_true(int ok, const char *what, const char *file, int line)
{
	if (!ok) {
		fprintf(stderr, "%s:%d: check failed: %s\n", file, line, what);
		check_failures++;
	}
}

/* NULL compares equal only to NULL. */
static inline void check_str(const char *got, const char *want, const char *what, const char *file, int line)
{
	if ((got == NULL) != (want == NULL) || (got && strcmp(got, want) != 0)) {
		fprintf(stderr, "%s:%d: %s is \"%s\", expected \"%s\"\n", file, line, what,
			got ? got : "(null)", want ? want : "(null)");
		check_failures++;
	}
}

static inline void check_int(int64_t got, int64_t want, const char *what, const char *file, int line)
{
	if (got != want) {
		fprintf(stderr, "%s:%d: %s is %" PRId64 ", expected %" PRId64 "\n", file, line, what, got, want);
		check_failures++;
	}
}

static inline int check_exit(void)
{
	if (check_failures)
		fprintf(stderr, "%d check(s) failed\n", check_failures);
	return check_failures ? 1 : 0;
}

#endif
