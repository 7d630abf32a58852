/* archive.h: opens evidence containers (gzip, zip, tar, compressed tar, 7z, and
 * archives inside archives) in memory and hands every member to a sink.
 *
 * Containers are recognised by their first bytes, never by their names: gzip is
 * read with zlib (multi-member streams too; a gzip stream holding a tar is one
 * tar.gz container), zip, 7z, tar and bzip2/xz/zstd streams with libarchive.
 * Nothing is ever written to disk. Only the first ARCHIVE_HEAD_LEN bytes of a member
 * are read to recognise it; a member that is neither EVTX nor a container is then
 * left (cheaply skipped). An EVTX member is decompressed whole, into heap memory
 * while the member bytes held on the heap stay within limits.memory_budget, into an
 * anonymous memory file (memfd_create) beyond that. A zip or 7z member is held the
 * same way (they need random access); tar and compressed streams are read as they
 * come, without holding them.
 *
 * Display paths: a member is shown as its container's path, '!', and its name in
 * the container, so a record traces to "case/host1.zip!C/Windows/System32/winevt/
 * Logs/Security.evtx" or "logs.tar.gz!a.zip!Security.evtx". Member names are kept as
 * written (a ".." or a leading '/' is only text here) except that control
 * characters, invalid UTF-8, bidirectional overrides and '!' are shown as \xHH.
 *
 * This layer never prints and never touches the database: members, containers and
 * problems go to the sink, which decides what to say and store. */
#ifndef INDEXER_ARCHIVE_H
#define INDEXER_ARCHIVE_H

#include <stddef.h>
#include <stdint.h>

/* Bytes read from the start of a member to recognise it (tar's magic is at 257). */
#define ARCHIVE_HEAD_LEN 512

#define ARCHIVE_DEFAULT_MEMORY_BUDGET ((uint64_t)512 << 20)
#define ARCHIVE_DEFAULT_MAX_EXPANDED ((uint64_t)64 << 30)
#define ARCHIVE_DEFAULT_MAX_RATIO 1000
#define ARCHIVE_DEFAULT_MAX_DEPTH 4
/* A container may always expand to this much, whatever its size and the ratio. */
#define ARCHIVE_RATIO_FLOOR ((uint64_t)1 << 20)

enum archive_kind {
	ARCHIVE_KIND_OTHER = 0,	/* neither EVTX nor a container */
	ARCHIVE_KIND_EVTX,
	ARCHIVE_KIND_GZIP,
	ARCHIVE_KIND_ZIP,
	ARCHIVE_KIND_7Z,
	ARCHIVE_KIND_TAR,
	ARCHIVE_KIND_BZIP2,
	ARCHIVE_KIND_XZ,
	ARCHIVE_KIND_ZSTD,
};

/* What the sink is told when something cannot be read. */
enum archive_problem {
	ARCHIVE_PROBLEM_DAMAGED,	/* container: read no further (truncated or corrupt) */
	ARCHIVE_PROBLEM_CORRUPT,	/* member: bad data or checksum; skipped */
	ARCHIVE_PROBLEM_ENCRYPTED,	/* member or container: encrypted, not read */
	ARCHIVE_PROBLEM_RATIO,		/* container: expands more than max_ratio times its size */
	ARCHIVE_PROBLEM_EXPANDED,	/* evidence file: more than max_expanded bytes expanded */
	ARCHIVE_PROBLEM_TOO_DEEP,	/* member: a container nested deeper than max_depth */
	ARCHIVE_PROBLEM_UNREADABLE,	/* member: cannot be held (memfd) or read (unsupported method) */
};

struct archive_limits {
	uint64_t memory_budget;	/* member bytes held on the heap at once, all levels */
	uint64_t max_expanded;	/* bytes expanded out of one evidence file, all levels; 0: no limit */
	uint64_t max_ratio;	/* bytes a container may expand to per byte of its size; 0: no limit */
	unsigned max_depth;	/* containers in containers; the evidence file itself is 1 */
	const char *password;	/* for encrypted zip members; NULL: none. Not owned */
};

/* Callbacks; path and the bytes passed are valid during the call only. Each returns
 * 0 to go on, or a negative value to stop the whole scan (archive_scan_* then
 * returns that value). */
struct archive_sink {
	/* A container is opened (the evidence file itself, or a member). */
	int (*container)(void *ctx, const char *path, enum archive_kind kind);
	/* A regular member of a container. kind EVTX: buf[0..len) is the whole member
	 * (or all of it that could be read before the container was found truncated; a
	 * problem then follows). Other kinds: buf[0..len) is its first bytes, at most
	 * ARCHIVE_HEAD_LEN; for a container kind, container() follows when it is opened. */
	int (*member)(void *ctx, const char *path, enum archive_kind kind, const uint8_t *buf, size_t len);
	/* A problem with the container or member at path; reason is short lower-case
	 * text, e.g. "truncated archive after 3 members", "encrypted: no password". */
	int (*problem)(void *ctx, const char *path, enum archive_problem what, const char *reason);
	void *ctx;
};

/* Sets the defaults above; no password. */
void archive_limits_init(struct archive_limits *lim);

/* Recognises EVTX or a container by the first bytes of a file or member. */
enum archive_kind archive_sniff(const uint8_t *head, size_t len);

/* "gzip", "zip", ... ("other" and "evtx" for the two non-containers). */
const char *archive_kind_name(enum archive_kind kind);

/* container_path + '!' + name, escaped as described above. Returns a string the
 * caller frees, or NULL when out of memory. */
char *archive_member_path(const char *container_path, const char *name);

/* Reads the container in the regular file open on fd (size bytes; fd stays the
 * caller's and is read with pread), shown as path. Problems met are passed to the
 * sink and are not failures. Returns 0, -1 when out of memory, or the negative value
 * a sink callback returned. */
int archive_scan_fd(const struct archive_limits *lim, int fd, uint64_t size, const char *path,
		    const struct archive_sink *sink);

/* The same for a container in memory (buf stays the caller's). */
int archive_scan_buffer(const struct archive_limits *lim, const uint8_t *buf, size_t len,
			const char *path, const struct archive_sink *sink);

#endif
