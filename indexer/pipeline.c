/* pipeline.c: worker threads decode loose EVTX files; the calling thread stores them in walk order. */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "evtx_libevtx.h"
#include "pipeline.h"
#include "store.h"

#define BATCH_LEN (256u << 10)	/* a batch holds this much, or one larger entry */
#define QUEUE_MAX (16u << 20)	/* queued bytes past which workers ahead of the writer wait */
#define HEAD_MAX (4u << 20)	/* queued bytes of the file being stored past which its worker waits */

/* Queued records, one entry after the other, each read back with memcpy():
 * struct entry_head, then struct evtx_event and the used part of struct norm (an
 * event) or struct evtx_skip (a skip), then the strings they point to. */
struct batch {
	struct batch *next;
	size_t len, cap;
	unsigned char data[];
};

enum entry_type { ENTRY_EVENT = 1, ENTRY_SKIP };

struct entry_head {
	size_t len;		/* the whole entry */
	int type;		/* enum entry_type */
	int kind;		/* enum norm_kind, for an event */
};

enum job_kind { JOB_PENDING = 0, JOB_OTHER, JOB_EVTX, JOB_UNREADABLE };

/* One walked file. Guarded by the pipeline's mutex once workers run. */
struct job {
	const char *path;
	enum job_kind kind;	/* JOB_PENDING until the worker has sniffed and hashed it */
	int err;		/* JOB_UNREADABLE: errno */
	uint64_t size;
	char sha[HASH_SHA256_HEX_LEN];
	struct batch *first, *last;
	size_t bytes;		/* queued */
	int cancel;		/* the writer needs no more of it */
	int done;		/* the worker has finished: rc, info and why are set */
	int rc;
	struct evtx_file_info info;
	const char *why;
};

struct pipeline {
	pthread_mutex_t mu;
	pthread_cond_t to_writer, to_workers;
	struct job *jobs;
	size_t n_jobs, next, head;	/* next to take; the one being stored */
	size_t queued;
	int stop;
	const char *known;	/* SHA-256 in the case at start, sorted, HASH_SHA256_HEX_LEN apart */
	size_t n_known;
	enum ingest_decoder decoder;
};

/* A worker's state while it decodes one file. */
struct producer {
	struct pipeline *pl;
	struct job *job;
	size_t index;
	struct norm norm;
	struct batch *cur;
	int enomem;
};

static void *norm_part(struct norm *n, size_t *len)
{
	switch (n->kind) {
	case NORM_PROCESS: *len = sizeof(n->p); return &n->p;
	case NORM_SERVICE: *len = sizeof(n->s); return &n->s;
	case NORM_HOST: *len = sizeof(n->h); return &n->h;
	default: *len = 0; return NULL;
	}
}

static void batches_free(struct batch *b)
{
	while (b) {
		struct batch *next = b->next;
		free(b);
		b = next;
	}
}

/* Hands the current batch to the writer; waits while too much is queued.
 * Returns 0, or -1 when the writer wants no more of this file. */
static int publish(struct producer *pr)
{
	struct pipeline *pl = pr->pl;
	struct job *job = pr->job;
	struct batch *b = pr->cur;
	int rc = 0;

	pr->cur = NULL;
	pthread_mutex_lock(&pl->mu);
	while (!pl->stop && !job->cancel &&
	       (job->bytes >= HEAD_MAX || (pr->index != pl->head && pl->queued >= QUEUE_MAX)))
		pthread_cond_wait(&pl->to_workers, &pl->mu);
	if (pl->stop || job->cancel) {
		rc = -1;
	} else if (b) {
		b->next = NULL;
		if (job->last)
			job->last->next = b;
		else
			job->first = b;
		job->last = b;
		job->bytes += b->cap;
		pl->queued += b->cap;
		pthread_cond_signal(&pl->to_writer);
		b = NULL;
	}
	pthread_mutex_unlock(&pl->mu);
	free(b);
	return rc;
}

/* Room for len more bytes in the current batch; NULL when out of memory or told to stop. */
static unsigned char *reserve(struct producer *pr, size_t len)
{
	struct batch *b = pr->cur;
	if (b && b->cap - b->len < len) {
		if (publish(pr))
			return NULL;
		b = NULL;
	}
	if (!b) {
		size_t cap = len > BATCH_LEN ? len : BATCH_LEN;
		b = malloc(sizeof(*b) + cap);
		if (!b) {
			pr->enomem = 1;
			return NULL;
		}
		b->next = NULL;
		b->len = 0;
		b->cap = cap;
		pr->cur = b;
	}
	return b->data + b->len;
}

static size_t str_len(const char *s)
{
	return s ? strlen(s) + 1 : 0;
}

/* Copies *s to dst and points *s at the copy; returns the bytes used. */
static size_t str_move(const char **s, unsigned char *dst)
{
	size_t n = str_len(*s);
	if (n) {
		memcpy(dst, *s, n);
		*s = (const char *)dst;
	}
	return n;
}

/* The norm and the event's own strings are copied; EventData fields and Binary are
 * not (normalize_event has read what the case keeps of them). */
static int produce_event(void *ctx, const struct evtx_event *ev)
{
	struct producer *pr = ctx;
	struct evtx_event e = *ev;
	const char **s[NORM_STRINGS_MAX + 4];
	struct entry_head h;
	size_t n_s, part_len, len, off;
	unsigned char *p;
	void *part;

	normalize_event(ev, &pr->norm);
	e.fields = NULL;
	e.n_fields = 0;
	e.binary = "";
	n_s = normalize_strings(&pr->norm, s);
	s[n_s++] = &e.provider;
	s[n_s++] = &e.channel;
	s[n_s++] = &e.computer;
	s[n_s++] = &e.user_sid;
	part = norm_part(&pr->norm, &part_len);
	len = sizeof(h) + sizeof(e) + part_len;
	for (size_t i = 0; i < n_s; i++)
		len += str_len(*s[i]);
	if (!(p = reserve(pr, len)))
		return -1;
	off = sizeof(h) + sizeof(e) + part_len;
	for (size_t i = 0; i < n_s; i++)
		off += str_move(s[i], p + off);
	h.len = len;
	h.type = ENTRY_EVENT;
	h.kind = pr->norm.kind;
	memcpy(p, &h, sizeof(h));
	memcpy(p + sizeof(h), &e, sizeof(e));
	if (part_len)
		memcpy(p + sizeof(h) + sizeof(e), part, part_len);
	pr->cur->len += len;
	return 0;
}

static int produce_skip(void *ctx, const struct evtx_skip *sk)
{
	struct producer *pr = ctx;
	struct evtx_skip k = *sk;
	struct entry_head h;
	size_t len = sizeof(h) + sizeof(k) + str_len(k.reason);
	unsigned char *p = reserve(pr, len);

	if (!p)
		return -1;
	str_move(&k.reason, p + sizeof(h) + sizeof(k));
	h.len = len;
	h.type = ENTRY_SKIP;
	h.kind = 0;
	memcpy(p, &h, sizeof(h));
	memcpy(p + sizeof(h), &k, sizeof(k));
	pr->cur->len += len;
	return 0;
}

static int known_at_start(const struct pipeline *pl, const char *sha)
{
	size_t lo = 0, hi = pl->n_known;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		int c = strcmp(pl->known + mid * HASH_SHA256_HEX_LEN, sha);
		if (c == 0)
			return 1;
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return 0;
}

/* Sniffs, hashes and decodes one file (no SQLite, no printing). */
static void run_job(struct pipeline *pl, size_t index)
{
	struct job *job = &pl->jobs[index];
	struct producer pr = { .pl = pl, .job = job, .index = index };
	struct evtx_sink sink = { produce_event, produce_skip, &pr };
	struct evtx_file_info info;
	enum job_kind kind = JOB_OTHER;
	const char *why = NULL;
	char sha[HASH_SHA256_HEX_LEN];
	struct stat st;
	int fd, rc = 0, err = 0;

	memset(&info, 0, sizeof(info));
	fd = open(job->path, O_RDONLY | O_CLOEXEC);
	if (fd >= 0 && fstat(fd, &st) == 0 && ingest_sniff_fd(fd, (uint64_t)st.st_size)) {
		if (ingest_hash_fd(fd, (uint64_t)st.st_size, sha) == 0) {
			kind = JOB_EVTX;
		} else {
			kind = JOB_UNREADABLE;
			err = errno;
		}
	}
	pthread_mutex_lock(&pl->mu);
	job->kind = kind;
	job->err = err;
	if (kind == JOB_EVTX) {
		job->size = (uint64_t)st.st_size;
		memcpy(job->sha, sha, sizeof(sha));
	}
	pthread_cond_broadcast(&pl->to_writer);
	pthread_mutex_unlock(&pl->mu);

	if (kind == JOB_EVTX && !known_at_start(pl, sha)) {
		rc = ingest_decode_fd(pl->decoder, fd, job->path, (uint64_t)st.st_size, &sink, &info, &why);
		if (pr.cur && !pr.enomem && publish(&pr) && rc == 0)
			rc = LIBEVTX_ESTOP;
		if (pr.enomem)
			rc = LIBEVTX_ENOMEM;
	}
	free(pr.cur);
	if (fd >= 0)
		close(fd);
	pthread_mutex_lock(&pl->mu);
	job->rc = rc;
	job->info = info;
	job->why = why;
	job->done = 1;
	pthread_cond_broadcast(&pl->to_writer);
	pthread_mutex_unlock(&pl->mu);
}

static void *worker(void *arg)
{
	struct pipeline *pl = arg;
	for (;;) {
		size_t i;
		pthread_mutex_lock(&pl->mu);
		if (pl->stop || pl->next == pl->n_jobs) {
			pthread_mutex_unlock(&pl->mu);
			return NULL;
		}
		i = pl->next++;
		pthread_mutex_unlock(&pl->mu);
		run_job(pl, i);
	}
}

/* The next batch of job, or NULL once the worker is done and all is taken. */
static struct batch *take(struct pipeline *pl, struct job *job)
{
	struct batch *b;
	pthread_mutex_lock(&pl->mu);
	while (!job->first && !job->done)
		pthread_cond_wait(&pl->to_writer, &pl->mu);
	b = job->first;
	if (b) {
		job->first = b->next;
		if (!job->first)
			job->last = NULL;
		job->bytes -= b->cap;
		pl->queued -= b->cap;
		pthread_cond_broadcast(&pl->to_workers);
	}
	pthread_mutex_unlock(&pl->mu);
	return b;
}

/* Tells the worker to stop and throws away what it queued. */
static void discard(struct pipeline *pl, struct job *job)
{
	struct batch *b;
	pthread_mutex_lock(&pl->mu);
	job->cancel = 1;
	pthread_cond_broadcast(&pl->to_workers);
	pthread_mutex_unlock(&pl->mu);
	while ((b = take(pl, job)))
		free(b);
}

static int replay(struct ingest_file *f, const struct batch *b, struct norm *n)
{
	for (size_t off = 0; off < b->len;) {
		const unsigned char *p = b->data + off;
		struct entry_head h;
		int rc;

		memcpy(&h, p, sizeof(h));
		if (h.type == ENTRY_EVENT) {
			struct evtx_event ev;
			size_t part_len;
			void *part;
			memcpy(&ev, p + sizeof(h), sizeof(ev));
			n->kind = (enum norm_kind)h.kind;
			part = norm_part(n, &part_len);
			if (part_len)
				memcpy(part, p + sizeof(h) + sizeof(ev), part_len);
			rc = ingest_file_event(f, &ev, n);
		} else {
			struct evtx_skip sk;
			memcpy(&sk, p + sizeof(h), sizeof(sk));
			rc = ingest_file_skip(f, &sk);
		}
		if (rc)
			return -1;
		off += h.len;
	}
	return 0;
}

/* Stores walked file i, in its turn. Returns 0 or -1 (fatal). */
static int store_job(struct pipeline *pl, struct ingest *in, const struct walk_entry *w, size_t i)
{
	struct job *job = &pl->jobs[i];
	struct ingest_file f;
	struct batch *b;
	int known, rc;

	pthread_mutex_lock(&pl->mu);
	pl->head = i;
	pthread_cond_broadcast(&pl->to_workers);
	while (job->kind == JOB_PENDING)
		pthread_cond_wait(&pl->to_writer, &pl->mu);
	pthread_mutex_unlock(&pl->mu);

	if (job->kind == JOB_OTHER)
		return ingest_path(in, w->path, w->explicit_arg);
	if (job->kind == JOB_UNREADABLE)
		return ingest_read_error(in, w->path, job->err);
	if (ingest_file_begin(in, &f, w->path, job->sha, job->size, &known) || known) {
		discard(pl, job);
		return known ? 0 : -1;
	}
	while ((b = take(pl, job))) {
		rc = replay(&f, b, &f.norm);
		free(b);
		if (rc) {
			discard(pl, job);
			return ingest_file_end(&f, 0, &job->info, NULL);
		}
	}
	/* The worker is done: its results are no longer written. */
	rc = job->rc;
	if (rc == 0 && in->verify) {
		int fd = open(w->path, O_RDONLY | O_CLOEXEC);
		rc = ingest_file_verify(&f, NULL, fd);
		if (fd >= 0)
			close(fd);
	}
	return ingest_file_end(&f, rc, &job->info, job->why);
}

int pipeline_run(struct ingest *in, const struct walk_list *files, unsigned n_workers,
		 void (*done)(const struct ingest *in, size_t n_done))
{
	struct pipeline pl;
	pthread_t *threads;
	char *known = NULL;
	unsigned started = 0;
	int rc = 0;

	memset(&pl, 0, sizeof(pl));
	if (files->n == 0)
		return 0;
	if (n_workers == 0)
		n_workers = 1;
	if (n_workers > files->n)
		n_workers = (unsigned)files->n;
	if (store_known_sha256(in->store, &known, &pl.n_known))
		return -1;
	pl.known = known;
	pl.decoder = in->decoder;
	pl.n_jobs = files->n;
	pl.jobs = calloc(files->n, sizeof(*pl.jobs));
	threads = calloc(n_workers, sizeof(*threads));
	if (!pl.jobs || !threads) {
		fprintf(stderr, "evtx-index: error: out of memory\n");
		free(pl.jobs);
		free(threads);
		free(known);
		return -1;
	}
	for (size_t i = 0; i < files->n; i++)
		pl.jobs[i].path = files->v[i].path;
	pthread_mutex_init(&pl.mu, NULL);
	pthread_cond_init(&pl.to_writer, NULL);
	pthread_cond_init(&pl.to_workers, NULL);
	for (; started < n_workers; started++)
		if (pthread_create(&threads[started], NULL, worker, &pl) != 0)
			break;
	if (started == 0) {
		fprintf(stderr, "evtx-index: error: cannot start a thread: %s\n", strerror(errno));
		rc = -1;
	}
	for (size_t i = 0; i < files->n && rc == 0; i++) {
		rc = store_job(&pl, in, &files->v[i], i);
		if (done)
			done(in, i + 1);
	}
	pthread_mutex_lock(&pl.mu);
	pl.stop = 1;
	pthread_cond_broadcast(&pl.to_workers);
	pthread_mutex_unlock(&pl.mu);
	for (unsigned t = 0; t < started; t++)
		pthread_join(threads[t], NULL);
	/* The files stored so far are complete, even when the run stops on an error. */
	if (store_flush(in->store))
		rc = -1;
	for (size_t i = 0; i < files->n; i++)
		batches_free(pl.jobs[i].first);
	pthread_cond_destroy(&pl.to_workers);
	pthread_cond_destroy(&pl.to_writer);
	pthread_mutex_destroy(&pl.mu);
	free(threads);
	free(pl.jobs);
	free(known);
	return rc;
}
