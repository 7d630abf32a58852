/* container.h: opens evidence containers (gzip, zip, tar, compressed tar, 7z, and
 * archives inside archives) in memory and hands every member to a sink.
 *
 * Containers are recognised by their first bytes, never by their names: gzip is
 * read with zlib (multi-member streams too; a gzip stream holding a tar is one
 * tar.gz container), zip, 7z, tar and bzip2/xz/zstd streams with libarchive.
 * Nothing is ever written to disk. Only the first CONTAINER_HEAD_LEN bytes of a member
 * are read to recognise it; a member that is neither EVTX nor a container is then
 * left (skipped without being held; in a compressed tar or a 7z block, libarchive
 * must still expand it, which counts against the limits).
 *
 * Memory: an EVTX member is held whole for the decoder, and a zip or 7z member whole
 * for libarchive (both need random access); tar and compressed streams are read as
 * they come. Member bytes held on the heap, all nesting levels together, never exceed
 * limits.memory_budget: a member that would is held in an anonymous memory file
 * (memfd_create) instead, which libarchive reads with pread and which is mapped
 * read-only for the decoder (an EVTX member's pages then count in the resident size
 * as the decoder reads them). Beyond that, each open container costs fixed buffers
 * (128 KiB blocks, zlib's 32 KiB window) and libarchive's own state (an xz or 7z
 * dictionary is as large as the archive says, commonly up to 64 MiB).
 *
 * Limits: an evidence file may expand to max_expanded bytes in all (every level
 * counted), and each container to max_ratio times its own size (plus
 * CONTAINER_RATIO_FLOOR); containers nest max_depth deep. Past a limit, the container
 * (or for max_expanded, the evidence file) is read no further and reported.
 *
 * Display paths: a member is shown as its container's path, '!', and its name in
 * the container, so a record traces to "case/host1.zip!C/Windows/System32/winevt/
 * Logs/Security.evtx" or "logs.tar.gz!a.zip!Security.evtx"; the one file in a gzip,
 * bzip2, xz or zstd stream is named by the gzip header when it has a name, else by
 * the stream's name without its suffix ("Security.evtx.gz!Security.evtx"). Member
 * names are kept as written (a ".." or a leading '/' is only text here), escaped by
 * the rules of text.h (control characters, line separators, bidirectional controls
 * and invalid UTF-8 shown as \xHH), and '!' is shown as \x21. The container's own
 * path is not escaped: for a file on disk it is the real path.
 *
 * This layer never prints and never touches the database: members, containers and
 * problems go to the sink, which decides what to say and store. */
#ifndef INDEXER_CONTAINER_H
#define INDEXER_CONTAINER_H

#include <stddef.h>
#include <stdint.h>

/* Bytes read from the start of a member to recognise it (tar's magic is at 257). */
#define CONTAINER_HEAD_LEN 512

#define CONTAINER_DEFAULT_MEMORY_BUDGET ((uint64_t)512 << 20)
#define CONTAINER_DEFAULT_MAX_EXPANDED ((uint64_t)64 << 30)
#define CONTAINER_DEFAULT_MAX_RATIO 1000
#define CONTAINER_DEFAULT_MAX_DEPTH 4
/* A container may always expand to this much, whatever its size and the ratio. */
#define CONTAINER_RATIO_FLOOR ((uint64_t)1 << 20)

enum container_kind {
	CONTAINER_KIND_OTHER = 0,	/* neither EVTX nor a container */
	CONTAINER_KIND_EVTX,
	CONTAINER_KIND_GZIP,
	CONTAINER_KIND_ZIP,
	CONTAINER_KIND_7Z,
	CONTAINER_KIND_TAR,
	CONTAINER_KIND_BZIP2,
	CONTAINER_KIND_XZ,
	CONTAINER_KIND_ZSTD,
};

/* What the sink is told when something cannot be read. A member problem takes the
 * place of the member() call for that member. */
enum container_problem {
	/* container problems: path is the container */
	CONTAINER_PROBLEM_DAMAGED,	/* read no further: truncated, corrupt, encrypted index */
	CONTAINER_PROBLEM_RATIO,		/* expands more than max_ratio times its size */
	CONTAINER_PROBLEM_EXPANDED,	/* the evidence file expands to more than max_expanded */
	/* member problems: path is the member */
	CONTAINER_PROBLEM_CORRUPT,	/* bad data or checksum */
	CONTAINER_PROBLEM_ENCRYPTED,	/* no password, wrong password, or not supported */
	CONTAINER_PROBLEM_CUT,		/* cut short by its container's truncation */
	CONTAINER_PROBLEM_TOO_DEEP,	/* a container nested deeper than max_depth */
	CONTAINER_PROBLEM_UNREADABLE,	/* cannot be held (memfd) or read (unsupported method) */
};

/* Whether the problem is about a member (else about a container). */
int container_problem_is_member(enum container_problem what);

struct container_limits {
	uint64_t memory_budget;	/* member bytes held on the heap at once, all levels */
	uint64_t max_expanded;	/* bytes expanded out of one evidence file, all levels; 0: no limit */
	uint64_t max_ratio;	/* bytes a container may expand to per byte of its size; 0: no limit */
	unsigned max_depth;	/* containers in containers; the evidence file itself is 1 */
	const char *password;	/* for encrypted zip members; NULL: none. Not owned */
};

/* Callbacks; path and the bytes passed are valid during the call only. Each returns
 * 0 to go on, or a negative value to stop the whole scan (container_scan_* then
 * returns that value). */
struct container_sink {
	/* A container is opened (the evidence file itself, or a member). */
	int (*container)(void *ctx, const char *path, enum container_kind kind);
	/* A regular member of a container. kind EVTX: buf[0..len) is the whole member
	 * (or all of it that could be read before its container was found truncated,
	 * which has been reported). Other kinds: buf[0..len) is its first bytes, at most
	 * CONTAINER_HEAD_LEN; for a container kind, container() follows. */
	int (*member)(void *ctx, const char *path, enum container_kind kind, const uint8_t *buf, size_t len);
	/* A problem with the container or member at path; reason is short lower-case
	 * text, e.g. "truncated archive after 3 members", "encrypted: no password". */
	int (*problem)(void *ctx, const char *path, enum container_problem what, const char *reason);
	void *ctx;
};

/* Sets the defaults above; no password. */
void container_limits_init(struct container_limits *lim);

/* Recognises EVTX or a container by the first bytes of a file or member. */
enum container_kind container_sniff(const uint8_t *head, size_t len);

/* "gzip", "zip", ... ("other" and "evtx" for the two non-containers). */
const char *container_kind_name(enum container_kind kind);

/* container_path + '!' + name, the name escaped as described above. Returns a string the
 * caller frees, or NULL when out of memory. */
char *container_member_path(const char *container_path, const char *name);

/* Reads the container in the regular file open on fd (size bytes; fd stays the
 * caller's and is read with pread), shown as path. Problems met are passed to the
 * sink and are not failures. Returns 0, -1 when out of memory, or the negative value
 * a sink callback returned. */
int container_scan_fd(const struct container_limits *lim, int fd, uint64_t size, const char *path,
		    const struct container_sink *sink);

/* The same for a container in memory (buf stays the caller's). */
int container_scan_buffer(const struct container_limits *lim, const uint8_t *buf, size_t len,
			const char *path, const struct container_sink *sink);

#endif
