/* walk.h: collects the files under the paths given on the command line.
 *
 * Folders are walked recursively in name order (so runs are repeatable); symbolic
 * links to files are followed, links to folders are not (no loops). */
#ifndef WALK_H
#define WALK_H

#include <stddef.h>

struct walk_entry {
	char *path;
	int explicit_arg;	/* named on the command line, not found by walking */
};

struct walk_list {
	struct walk_entry *v;
	size_t n, cap;
	size_t n_errors;	/* paths that could not be read (reported on stderr) */
};

void walk_list_init(struct walk_list *l);
void walk_list_release(struct walk_list *l);

/* Appends path (a file or a folder) to l. Unreadable entries are reported once on
 * stderr and counted in n_errors. Returns 0, or -1 on out of memory. */
int walk_add(struct walk_list *l, const char *path);

#endif
