/* arena.h: a bump allocator for data that lives as long as one generated case.
 *
 * Everything allocated from an arena is freed at once by arena_release(). The
 * total size is capped; allocation fails (NULL) beyond the cap. */
#ifndef ARENA_H
#define ARENA_H

#include <stddef.h>

struct arena_block;

struct arena {
	struct arena_block *head;
	size_t total;		/* bytes held in blocks */
	size_t cap;		/* limit on total */
};

void arena_init(struct arena *a, size_t cap);
void arena_release(struct arena *a);

/* Zeroed memory aligned for any type; NULL when the cap is reached or malloc fails. */
void *arena_alloc(struct arena *a, size_t n);
/* A copy of s (NULL gives NULL). */
char *arena_strdup(struct arena *a, const char *s);
/* A formatted string. */
char *arena_printf(struct arena *a, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

#endif
