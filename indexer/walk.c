/* walk.c: recursive, sorted folder walk. */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "text.h"
#include "walk.h"

#define WALK_MAX_DEPTH 64

void walk_list_init(struct walk_list *l)
{
	memset(l, 0, sizeof(*l));
}

void walk_list_release(struct walk_list *l)
{
	for (size_t i = 0; i < l->n; i++)
		free(l->v[i].path);
	free(l->v);
	walk_list_init(l);
}

static int push(struct walk_list *l, const char *path, int explicit_arg)
{
	if (l->n == l->cap) {
		size_t cap = l->cap ? l->cap * 2 : 64;
		struct walk_entry *v = realloc(l->v, cap * sizeof(*v));
		if (!v)
			return -1;
		l->v = v;
		l->cap = cap;
	}
	l->v[l->n].path = strdup(path);
	if (!l->v[l->n].path)
		return -1;
	l->v[l->n].explicit_arg = explicit_arg;
	l->n++;
	return 0;
}

static void report(struct walk_list *l, const char *path, const char *why)
{
	struct text_escaped shown;
	fprintf(stderr, "evtx-index: warning: cannot read '%s': %s\n", text_escape(&shown, path), why);
	text_escaped_release(&shown);
	l->n_errors++;
}

static int walk_dir(struct walk_list *l, const char *dir, int depth)
{
	struct dirent **names = NULL;
	int n, rc = 0;

	if (depth > WALK_MAX_DEPTH) {
		report(l, dir, "folders nested too deep");
		return 0;
	}
	n = scandir(dir, &names, NULL, alphasort);
	if (n < 0) {
		report(l, dir, strerror(errno));
		return 0;
	}
	for (int i = 0; i < n; i++) {
		const char *nm = names[i]->d_name;
		if (rc == 0 && strcmp(nm, ".") && strcmp(nm, "..")) {
			size_t len = strlen(dir) + strlen(nm) + 2;
			char *p = malloc(len);
			struct stat st, lst;
			if (!p) {
				rc = -1;
			} else {
				snprintf(p, len, "%s%s%s", dir, dir[strlen(dir) - 1] == '/' ? "" : "/", nm);
				if (lstat(p, &lst) != 0) {
					report(l, p, strerror(errno));
				} else if (S_ISDIR(lst.st_mode)) {
					rc = walk_dir(l, p, depth + 1);
				} else if (S_ISLNK(lst.st_mode)) {
					/* Follow links to files only: a link to a folder could loop. */
					if (stat(p, &st) == 0 && S_ISREG(st.st_mode))
						rc = push(l, p, 0);
				} else if (S_ISREG(lst.st_mode)) {
					rc = push(l, p, 0);
				}
				free(p);
			}
		}
		free(names[i]);
	}
	free(names);
	return rc;
}

int walk_add(struct walk_list *l, const char *path)
{
	struct stat st;
	if (stat(path, &st) != 0) {
		report(l, path, strerror(errno));
		return 0;
	}
	if (S_ISDIR(st.st_mode))
		return walk_dir(l, path, 0);
	return push(l, path, 1);
}
