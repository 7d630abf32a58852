/* ingest.c: from an evidence file to committed rows. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "container.h"
#include "evtx_decode.h"
#include "evtx_libevtx.h"
#include "fileio.h"
#include "hash.h"
#include "ingest.h"
#include "normalize.h"
#include "store.h"
#include "text.h"
#include "verify.h"

/* Past this many, "not an EVTX file" lines are only counted (all are in rejected_path). */
#define REPORT_MAX 20
/* Evidence is hashed in reads of this size. */
#define HASH_READ_LEN (1u << 20)

static int on_event(void *ctx, const struct evtx_event *ev)
{
	struct ingest_file *f = ctx;
	normalize_event(ev, &f->norm);
	return ingest_file_event(f, ev, &f->norm);
}

static int on_skip(void *ctx, const struct evtx_skip *sk)
{
	return ingest_file_skip(ctx, sk);
}

int ingest_file_event(struct ingest_file *f, const struct evtx_event *ev, const struct norm *n)
{
	int dup = 0;
	enum norm_kind k = n->kind;

	if (store_event(f->in->store, f->file_id, ev, n, !f->tallied, &dup)) {
		f->failed = 1;
		return -1;
	}
	if (ev->recovered) {
		f->c.recovered++;
	} else {
		f->c.records++;
		if (k == NORM_PROCESS && !strcmp(n->p.source, "4688"))
			f->c.n_4688++;
		else if (k == NORM_PROCESS)
			f->c.n_sysmon1++;
		else if (k == NORM_SERVICE)
			switch (ev->event_id) {
			case 7036: f->c.n_7036++; break;
			case 7040: f->c.n_7040++; break;
			case 7045: f->c.n_7045++; break;
			case 4697: f->c.n_4697++; break;
			}
	}
	if (k == NORM_PROCESS || k == NORM_SERVICE) {
		f->c.n_duplicates += dup;
		if (!dup)
			*(k == NORM_PROCESS ? &f->in->t.processes : &f->in->t.services) += 1;
	}
	return 0;
}

int ingest_file_skip(struct ingest_file *f, const struct evtx_skip *sk)
{
	/* Slack-space fragments that cannot be rendered are kept in skipped_record but are
	 * not lost records: they do not count as skipped. */
	if (!sk->recovered)
		f->c.skipped += sk->n_records ? sk->n_records : 1;
	if (store_skip(f->in->store, f->file_id, sk)) {
		f->failed = 1;
		return -1;
	}
	return 0;
}

static void not_evtx(struct ingest *in, const char *path, const char *why)
{
	in->t.files_not_evtx++;
	if (in->n_reported++ < REPORT_MAX && !in->quiet) {
		struct text_escaped sp;
		fprintf(stderr, "evtx-index: skipping '%s': %s\n", text_escape(&sp, path), why);
		text_escaped_release(&sp);
	}
}

int ingest_file_begin(struct ingest *in, struct ingest_file *f, const char *display_path, const char *sha,
		      uint64_t size, int *known)
{
	int64_t known_id, known_skipped;

	memset(f, 0, sizeof(*f));
	f->in = in;
	f->path = display_path;
	f->size = size;
	*known = 0;
	if (store_lookup_file(in->store, sha, display_path, &known_id, &known_skipped))
		return -1;
	if (known_id) {
		/* What its first indexing skipped still stands: the run says so again. */
		in->t.files_known++;
		in->t.known_skipped += (uint64_t)known_skipped;
		*known = 1;
		return 0;
	}
	struct store_file_meta meta = { sha, (int64_t)size, display_path,
					in->decoder == INGEST_LIBEVTX ? "libevtx" : "native" };
	return store_file_begin(in->store, &meta, &f->file_id);
}

int ingest_file_verify(struct ingest_file *f, const uint8_t *buf, int fd)
{
	void *map = NULL;
	long d;

	if (!buf) {
		if (f->size == 0 || f->size > SIZE_MAX)
			return 0;
		map = mmap(NULL, (size_t)f->size, PROT_READ, MAP_PRIVATE, fd, 0);
		if (map == MAP_FAILED) {
			const char *err = strerror(errno);
			struct text_escaped sp;
			fprintf(stderr, "evtx-index: warning: cannot verify '%s': %s\n", text_escape(&sp, f->path), err);
			text_escaped_release(&sp);
			return 0;
		}
		buf = map;
	}
	d = verify_buffer(f->path, buf, (size_t)f->size, stderr, 20);
	if (map)
		munmap(map, (size_t)f->size);
	if (d < 0)
		return LIBEVTX_ENOMEM;
	f->in->t.verify_disagreements += (uint64_t)d;
	return 0;
}

int ingest_file_end(struct ingest_file *f, int rc, const struct evtx_file_info *info, const char *why)
{
	struct ingest *in = f->in;
	const char *status;

	if (f->failed || rc == LIBEVTX_ENOMEM) {
		if (rc == LIBEVTX_ENOMEM) {
			struct text_escaped sp;
			fprintf(stderr, "evtx-index: error: out of memory reading '%s'\n", text_escape(&sp, f->path));
			text_escaped_release(&sp);
		}
		store_file_rollback(in->store);
		return -1;
	}
	if (rc == LIBEVTX_EOPEN) {
		struct text_escaped sp;
		status = "unreadable";
		f->c.skipped += f->c.skipped == 0;
		in->t.files_unreadable++;
		fprintf(stderr, "evtx-index: warning: cannot decode '%s': %s\n", text_escape(&sp, f->path), why);
		text_escaped_release(&sp);
	} else {
		status = f->c.skipped ? "partial" : "complete";
		in->t.files_indexed++;
	}
	if (store_file_commit(in->store, f->file_id, &f->c, info, status, why))
		return -1;
	in->t.records += f->c.records;
	in->t.recovered += f->c.recovered;
	in->t.skipped += f->c.skipped;
	in->t.duplicates += f->c.n_duplicates;
	in->t.bytes += f->size;
	return 0;
}

int ingest_buffer(struct ingest *in, const char *display_path, const uint8_t *buf, size_t len)
{
	char sha[HASH_SHA256_HEX_LEN];
	struct ingest_file f;
	struct evtx_file_info info;
	struct evtx_sink sink = { on_event, on_skip, &f, normalize_wants_data };
	const char *why = NULL;
	int rc, known;

	if (hash_sha256_hex(buf, len, sha)) {
		struct text_escaped sp;
		fprintf(stderr, "evtx-index: error: cannot hash '%s'\n", text_escape(&sp, display_path));
		text_escaped_release(&sp);
		return -1;
	}
	if (ingest_file_begin(in, &f, display_path, sha, len, &known))
		return -1;
	if (known)
		return 0;
	if (in->decoder == INGEST_LIBEVTX)
		rc = evtx_libevtx_read(buf, len, &sink, &info, &why);
	else
		rc = evtx_decode_read(buf, len, &sink, &info, &why);
	if (rc == 0 && in->verify)
		rc = ingest_file_verify(&f, buf, -1);
	return ingest_file_end(&f, rc, &info, why);
}

int ingest_decode_fd(enum ingest_decoder decoder, int fd, const char *path, uint64_t size,
		     const struct evtx_sink *sink, struct evtx_file_info *info, const char **why)
{
	if (decoder == INGEST_LIBEVTX)
		return evtx_libevtx_read_fd(fd, path, size, sink, info, why, LIBEVTX_LIVE | LIBEVTX_RECOVERED);
	return evtx_decode_fd(fd, size, sink, info, why);
}

int ingest_hash_fd(int fd, uint64_t size, char sha[HASH_SHA256_HEX_LEN])
{
	struct hash_sha256 h;
	uint8_t *buf = malloc(HASH_READ_LEN);
	int err = ENOMEM;

	if (!buf || hash_sha256_init(&h))
		goto fail;
	for (uint64_t off = 0; off < size;) {
		size_t want = size - off < HASH_READ_LEN ? (size_t)(size - off) : HASH_READ_LEN;
		ssize_t n = fileio_read_full(fd, buf, want, off);
		if (n < 0) {
			err = errno;
			goto fail;
		}
		/* A file that shrank since fstat() is hashed as it now is. */
		if (n == 0)
			break;
		if (hash_sha256_update(&h, buf, (size_t)n))
			goto fail;
		off += (uint64_t)n;
	}
	if (hash_sha256_final_hex(&h, sha))
		goto fail;
	hash_sha256_release(&h);
	free(buf);
	return 0;
fail:
	if (buf)
		hash_sha256_release(&h);
	free(buf);
	errno = err;
	return -1;
}

int ingest_read_error(struct ingest *in, const char *path, int err)
{
	struct text_escaped sp;
	fprintf(stderr, "evtx-index: warning: cannot read '%s': %s\n", text_escape(&sp, path), strerror(err));
	text_escaped_release(&sp);
	in->t.files_unreadable++;
	return store_rejected(in->store, path, strerror(err));
}

/* A loose EVTX file, read from fd with pread(): its pages are never all mapped. */
static int ingest_loose(struct ingest *in, const char *path, int fd, uint64_t size)
{
	char sha[HASH_SHA256_HEX_LEN];
	struct ingest_file f;
	struct evtx_file_info info;
	struct evtx_sink sink = { on_event, on_skip, &f, normalize_wants_data };
	const char *why = NULL;
	int rc, known;

	if (ingest_hash_fd(fd, size, sha))
		return ingest_read_error(in, path, errno);
	if (ingest_file_begin(in, &f, path, sha, size, &known))
		return -1;
	if (known)
		return 0;
	rc = ingest_decode_fd(in->decoder, fd, path, size, &sink, &info, &why);
	if (rc == 0 && in->verify)
		rc = ingest_file_verify(&f, NULL, fd);
	return ingest_file_end(&f, rc, &info, why);
}

static int is_evtx_name(const char *path)
{
	size_t n = strlen(path);
	return n >= 5 && !strcasecmp(path + n - 5, ".evtx");
}

/* ---- Containers: archives and compressed files, opened by archive.c ---- */

/* Past this many, archive problem lines are only counted (all are in rejected_path). */
#define PROBLEMS_MAX 20
/* A callback's failure, reported where it happened (container_scan_fd's own is -1). */
#define SINK_FAILED (-2)

static int is_container(const uint8_t *head, size_t len)
{
	enum container_kind k = container_sniff(head, len);
	return k != CONTAINER_KIND_OTHER && k != CONTAINER_KIND_EVTX;
}

static int on_container(void *ctx, const char *path, enum container_kind kind)
{
	struct ingest *in = ctx;
	(void)path;
	(void)kind;
	in->t.archives++;
	return 0;
}

/* A member that is not EVTX is treated as a walked file of that name would be. */
static int on_member(void *ctx, const char *path, enum container_kind kind, const uint8_t *buf, size_t len)
{
	struct ingest *in = ctx;
	int rc = 0;

	in->t.members++;
	if (kind == CONTAINER_KIND_EVTX) {
		rc = ingest_buffer(in, path, buf, len);
	} else if (kind == CONTAINER_KIND_OTHER && !is_evtx_name(path)) {
		in->t.files_ignored++;
		rc = store_rejected(in->store, path, "ignored: not an EVTX file");
	} else if (kind == CONTAINER_KIND_OTHER) {
		const char *why = len == 0 ? "empty file" : "not an EVTX file";
		not_evtx(in, path, why);
		rc = store_rejected(in->store, path, why);
	}
	if (in->tick)
		in->tick(in);
	return rc < 0 ? SINK_FAILED : 0;
}

static const char *problem_hint(enum container_problem what, const char *reason)
{
	switch (what) {
	case CONTAINER_PROBLEM_ENCRYPTED:
		return strstr(reason, "no password") ? " (give it with --password)" : "";
	case CONTAINER_PROBLEM_RATIO:
		return "; not read further (see --max-ratio)";
	case CONTAINER_PROBLEM_EXPANDED:
		return "; not read further (see --max-expanded-bytes)";
	case CONTAINER_PROBLEM_CORRUPT:
		return "; member skipped";
	default:
		return "";
	}
}

static int on_problem(void *ctx, const char *path, enum container_problem what, const char *reason)
{
	struct ingest *in = ctx;
	in->t.archive_problems++;
	in->t.members += container_problem_is_member(what);
	if (in->n_problems_reported++ < PROBLEMS_MAX) {
		/* libarchive's reasons may quote a member name: escaped as well. */
		struct text_escaped sp, sr;
		fprintf(stderr, "evtx-index: warning: '%s': %s%s\n", text_escape(&sp, path), text_escape(&sr, reason),
			problem_hint(what, reason));
		text_escaped_release(&sp);
		text_escaped_release(&sr);
	}
	return store_rejected(in->store, path, reason) ? SINK_FAILED : 0;
}

/* Opens the container in fd and ingests what it holds. Returns 0 or -1 (fatal). */
static int ingest_container(struct ingest *in, const char *path, int fd, uint64_t size)
{
	struct container_sink sink = { on_container, on_member, on_problem, in };
	int rc = container_scan_fd(&in->limits, fd, size, path, &sink);
	if (rc == -1) {
		struct text_escaped sp;
		fprintf(stderr, "evtx-index: error: out of memory reading '%s'\n", text_escape(&sp, path));
		text_escaped_release(&sp);
	}
	return rc < 0 ? -1 : 0;
}

int ingest_path(struct ingest *in, const char *path, int explicit_arg)
{
	struct stat st;
	uint8_t sig[CONTAINER_HEAD_LEN];
	ssize_t n_sig = 0;
	int fd, rc;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0 || fstat(fd, &st) != 0) {
		const char *err = strerror(errno);
		struct text_escaped sp;
		fprintf(stderr, "evtx-index: warning: cannot open '%s': %s\n", text_escape(&sp, path), err);
		text_escaped_release(&sp);
		if (fd >= 0)
			close(fd);
		in->t.files_unreadable++;
		return store_rejected(in->store, path, err);
	}
	if (st.st_size > 0)
		n_sig = pread(fd, sig, sizeof(sig), 0);
	if (n_sig > 0 && is_container(sig, (size_t)n_sig)) {
		rc = ingest_container(in, path, fd, (uint64_t)st.st_size);
		close(fd);
		return rc;
	}
	if (st.st_size < 8 || n_sig < 8 || memcmp(sig, "ElfFile", 8) != 0) {
		close(fd);
		const char *why = st.st_size == 0 ? "empty file" : "not an EVTX file";
		if (!explicit_arg && !is_evtx_name(path)) {
			in->t.files_ignored++;
			return store_rejected(in->store, path, "ignored: not an EVTX file");
		}
		not_evtx(in, path, why);
		return store_rejected(in->store, path, why);
	}
	rc = ingest_loose(in, path, fd, (uint64_t)st.st_size);
	close(fd);
	return rc;
}

int ingest_sniff_fd(int fd, uint64_t size)
{
	uint8_t sig[CONTAINER_HEAD_LEN];
	ssize_t n_sig = size > 0 ? pread(fd, sig, sizeof(sig), 0) : 0;
	if (n_sig < 8 || is_container(sig, (size_t)n_sig))
		return 0;
	return memcmp(sig, "ElfFile", 8) == 0;
}
