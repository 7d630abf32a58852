/* pipeline.c: worker threads decode loose EVTX files; the calling thread stores them in walk order. */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "evtx_decode.h"
#include "evtx_format.h"
#include "evtx_libevtx.h"
#include "fileio.h"
#include "hash.h"
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

/* An event of a kind the case stores, with its norm; a skip; the first record of
 * a computer among those not sent (so host rows are made in record order); and,
 * at the end of a part, the coverage counts of the records not sent, per
 * computer and channel, and how many of them there were. */
enum entry_type { ENTRY_EVENT = 1, ENTRY_SKIP, ENTRY_HOST, ENTRY_COVERAGE, ENTRY_UNSENT };

struct entry_head {
	size_t len;		/* the whole entry */
	int type;		/* enum entry_type */
	int kind;		/* enum norm_kind, for an event */
	int tally;		/* event: the writer counts its coverage */
};

/* ENTRY_UNSENT: records normalized to NORM_NONE that only the counts carry. */
struct unsent {
	uint64_t live, recovered;
};

/* A worker's coverage counts per computer and channel (names this long at most;
 * records of longer names, or past TALLY_MAX pairs, go to the writer whole). */
#define TALLY_MAX 32
#define TALLY_COMPUTER_MAX 256
#define TALLY_CHANNEL_MAX 128
struct tally {
	char computer[TALLY_COMPUTER_MAX], channel[TALLY_CHANNEL_MAX];
	struct coverage_count c;
};

enum job_kind { JOB_PENDING = 0, JOB_OTHER, JOB_EVTX, JOB_UNREADABLE };

/* What one worker decodes: a whole file, or a run of chunks of a big one. */
struct part {
	struct batch *first, *last;
	size_t bytes;		/* queued */
	int done;		/* the worker has finished: rc, info and why are set */
	int rc;
	struct evtx_file_info info;
	const char *why;
};

/* One walked file. Guarded by the pipeline's mutex once workers run. A big loose
 * EVTX file is split into parts of PART_CHUNKS chunks decoded by any worker while
 * the one that split it hashes it; the writer stores the parts in order. */
struct job {
	const char *path;
	enum job_kind kind;	/* JOB_PENDING until the worker has sniffed and hashed it */
	int err;		/* JOB_UNREADABLE: errno */
	uint64_t size;
	char sha[HASH_SHA256_HEX_LEN];
	int cancel;		/* the writer needs no more of it */
	uint32_t n_parts;	/* 1 unless split; set before kind */
	uint32_t next_part;	/* split: the next part to hand out */
	struct part one;	/* the part of a file that is not split */
	struct part *parts;	/* &one, or n_parts parts */
	int fd;			/* split: shared by the parts, closed by the last user */
	uint32_t users;		/* split: parts not finished, plus the hashing worker */
};

/* Files up to WHOLE_MAX bytes are read once into a worker's buffer, hashed and
 * decoded there; larger ones are read twice (hash, then decode) a piece at a time. */
#define WHOLE_MAX ((size_t)2 << 20)

/* Files of at least SPLIT_MIN bytes are decoded PART_CHUNKS chunks at a time. */
#define PART_CHUNKS 32u
#define SPLIT_MIN ((uint64_t)16 << 20)
#define NONE SIZE_MAX

struct pipeline {
	pthread_mutex_t mu;
	pthread_cond_t to_writer, to_workers;
	struct job *jobs;
	size_t n_jobs, next;	/* next job to take */
	size_t head;		/* the job being stored */
	uint32_t head_part;	/* and its part being stored */
	size_t splitting;	/* a split job with parts not handed out yet, or NONE */
	size_t sniffing;	/* jobs taken whose split is not decided yet */
	size_t queued;
	unsigned n_workers;
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
	uint32_t part;
	struct norm norm;
	struct batch *cur;
	int enomem;
	struct tally tally[TALLY_MAX];
	size_t n_tally, last_tally;
	struct unsent unsent;
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

/* After the workers are joined: a run stopped early may leave a split file open. */
static void job_release(struct job *job)
{
	for (uint32_t p = 0; p < job->n_parts; p++)
		batches_free(job->parts[p].first);
	if (job->parts != &job->one)
		free(job->parts);
	if (job->users > 0 && job->fd >= 0)
		close(job->fd);
}

/* Hands the current batch to the writer; waits while too much is queued.
 * Returns 0, or -1 when the writer wants no more of this file. */
static int publish(struct producer *pr)
{
	struct pipeline *pl = pr->pl;
	struct job *job = pr->job;
	struct part *part = &job->parts[pr->part];
	struct batch *b = pr->cur;
	int rc = 0;

	pr->cur = NULL;
	pthread_mutex_lock(&pl->mu);
	while (!pl->stop && !job->cancel &&
	       (part->bytes >= HEAD_MAX ||
		((pr->index != pl->head || pr->part != pl->head_part) && pl->queued >= QUEUE_MAX)))
		pthread_cond_wait(&pl->to_workers, &pl->mu);
	if (pl->stop || job->cancel) {
		rc = -1;
	} else if (b) {
		b->next = NULL;
		if (part->last)
			part->last->next = b;
		else
			part->first = b;
		part->last = b;
		part->bytes += b->cap;
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

static unsigned char *put_head(unsigned char *p, size_t len, int type)
{
	struct entry_head h = { .len = len, .type = type };
	memcpy(p, &h, sizeof(h));
	return p + sizeof(h);
}

/* The tally of the record's computer and channel; NULL when it has none (names too
 * long, table full). *fresh is set when the computer is new to the table. */
static struct tally *tally_find(struct producer *pr, const char *computer, const char *channel, int *fresh)
{
	struct tally *t = &pr->tally[pr->last_tally];
	*fresh = 0;
	if (pr->n_tally && !strcmp(t->computer, computer) && !strcmp(t->channel, channel))
		return t;
	if (strlen(computer) >= TALLY_COMPUTER_MAX || strlen(channel) >= TALLY_CHANNEL_MAX)
		return NULL;
	*fresh = 1;
	for (size_t i = 0; i < pr->n_tally; i++) {
		t = &pr->tally[i];
		if (!strcmp(t->computer, computer)) {
			*fresh = 0;
			if (!strcmp(t->channel, channel)) {
				pr->last_tally = i;
				return t;
			}
		}
	}
	if (pr->n_tally == TALLY_MAX)
		return NULL;
	t = &pr->tally[pr->n_tally];
	memset(t, 0, sizeof(*t));
	strcpy(t->computer, computer);
	strcpy(t->channel, channel);
	pr->last_tally = pr->n_tally++;
	return t;
}

/* Counts the record into the worker's tally. Returns 1 when counted, 0 when the
 * writer must count it, -1 when out of memory or told to stop. A record that is
 * not sent and whose computer is new is announced (ENTRY_HOST). */
static int tally_record(struct producer *pr, const struct evtx_event *ev, int send)
{
	const char *computer = ev->computer ? ev->computer : "";
	int fresh;
	struct tally *t = tally_find(pr, computer, ev->channel ? ev->channel : "", &fresh);

	if (!t)
		return 0;
	coverage_count_add(&t->c, ev, &pr->norm);
	if (fresh && !send) {
		size_t len = sizeof(struct entry_head) + strlen(computer) + 1;
		unsigned char *p = reserve(pr, len);
		if (!p)
			return -1;
		memcpy(put_head(p, len, ENTRY_HOST), computer, len - sizeof(struct entry_head));
		pr->cur->len += len;
	}
	return 1;
}

/* At the end of a part: the tallies and the count of records not sent. */
static int produce_tallies(struct producer *pr)
{
	size_t len = sizeof(struct entry_head) + sizeof(pr->unsent);
	unsigned char *p;

	for (size_t i = 0; i < pr->n_tally; i++) {
		const struct tally *t = &pr->tally[i];
		size_t n1 = strlen(t->computer) + 1, n2 = strlen(t->channel) + 1;
		size_t tlen = sizeof(struct entry_head) + sizeof(t->c) + n1 + n2;
		if (!(p = reserve(pr, tlen)))
			return -1;
		p = put_head(p, tlen, ENTRY_COVERAGE);
		memcpy(p, &t->c, sizeof(t->c));
		memcpy(p + sizeof(t->c), t->computer, n1);
		memcpy(p + sizeof(t->c) + n1, t->channel, n2);
		pr->cur->len += tlen;
	}
	if (!(p = reserve(pr, len)))
		return -1;
	memcpy(put_head(p, len, ENTRY_UNSENT), &pr->unsent, sizeof(pr->unsent));
	pr->cur->len += len;
	return 0;
}

/* The norm and the event's own strings are copied; EventData fields and Binary are
 * not (normalize_event has read what the case keeps of them). An event of no kind
 * the case stores is only counted, unless the writer has to count it. */
static int produce_event(void *ctx, const struct evtx_event *ev)
{
	struct producer *pr = ctx;
	struct evtx_event e = *ev;
	const char **s[NORM_STRINGS_MAX + 4];
	struct entry_head h;
	size_t n_s, part_len, len, off;
	unsigned char *p;
	void *part;
	int counted;

	normalize_event(ev, &pr->norm);
	counted = tally_record(pr, ev, pr->norm.kind != NORM_NONE);
	if (counted < 0)
		return -1;
	if (counted && pr->norm.kind == NORM_NONE) {
		*(ev->recovered ? &pr->unsent.recovered : &pr->unsent.live) += 1;
		return 0;
	}
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
	h.tally = !counted;
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
	size_t len = sizeof(struct entry_head) + sizeof(k) + str_len(k.reason);
	unsigned char *p = reserve(pr, len);

	if (!p)
		return -1;
	str_move(&k.reason, p + sizeof(struct entry_head) + sizeof(k));
	memcpy(put_head(p, len, ENTRY_SKIP), &k, sizeof(k));
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

/* After decoding: the tallies, and the last batch handed over. Returns the part's rc. */
static int finish(struct producer *pr, int rc)
{
	if (!pr->enomem && produce_tallies(pr) && rc == 0 && !pr->enomem)
		rc = LIBEVTX_ESTOP;
	if (pr->cur && !pr->enomem && publish(pr) && rc == 0)
		rc = LIBEVTX_ESTOP;
	if (pr->enomem)
		rc = LIBEVTX_ENOMEM;
	return rc;
}

/* Ends a part: its results for the writer, and the file closed by its last user. */
static void part_done(struct pipeline *pl, struct job *job, struct part *part, int rc,
		      const struct evtx_file_info *info, const char *why)
{
	int fd = -1;
	pthread_mutex_lock(&pl->mu);
	part->rc = rc;
	part->info = *info;
	part->why = why;
	part->done = 1;
	if (job->n_parts > 1 && --job->users == 0)
		fd = job->fd;
	pthread_cond_broadcast(&pl->to_writer);
	pthread_mutex_unlock(&pl->mu);
	if (fd >= 0)
		close(fd);
}

/* Decodes part p of a split job: chunks [p * PART_CHUNKS, (p + 1) * PART_CHUNKS). */
static void run_part(struct pipeline *pl, size_t index, uint32_t p)
{
	struct job *job = &pl->jobs[index];
	struct producer pr = { .pl = pl, .job = job, .index = index, .part = p };
	struct evtx_sink sink = { produce_event, produce_skip, &pr, normalize_wants_data };
	struct evtx_file_info info;
	const char *why = NULL;
	int rc = 0, cancel;

	memset(&info, 0, sizeof(info));
	pthread_mutex_lock(&pl->mu);
	cancel = job->cancel || pl->stop;
	pthread_mutex_unlock(&pl->mu);
	if (!cancel) {
		rc = evtx_decode_fd_chunks(job->fd, job->size, p * PART_CHUNKS, PART_CHUNKS, &sink, &info, &why);
		rc = finish(&pr, rc);
	}
	free(pr.cur);
	part_done(pl, job, &job->parts[p], rc, &info, why);
}

/* A big loose EVTX file for the native decoder, with more than one worker, is split:
 * its parts are handed out before any new file. Returns the number of parts. */
static uint32_t split(struct pipeline *pl, struct job *job, int fd, uint64_t size)
{
	uint64_t chunks = (size - EVTX_FILE_HEADER_BLOCK_SIZE + EVTX_CHUNK_SIZE - 1) / EVTX_CHUNK_SIZE;
	uint64_t n = (chunks + PART_CHUNKS - 1) / PART_CHUNKS;
	struct part *parts;

	if (pl->decoder != INGEST_NATIVE || pl->n_workers < 2 || size < SPLIT_MIN || n < 2 || n > UINT32_MAX / PART_CHUNKS)
		return 1;
	parts = calloc((size_t)n, sizeof(*parts));
	if (!parts)
		return 1;	/* decoded whole by this worker instead */
	job->parts = parts;
	job->fd = fd;
	job->size = size;
	job->users = (uint32_t)n + 1;
	return (uint32_t)n;
}

/* Sniffs, hashes and decodes one file (no SQLite, no printing). A split file is
 * only sniffed and hashed here; its parts go to run_part(). */
static void run_job(struct pipeline *pl, size_t index, uint8_t *whole)
{
	struct job *job = &pl->jobs[index];
	struct producer pr = { .pl = pl, .job = job, .index = index };
	struct evtx_sink sink = { produce_event, produce_skip, &pr, normalize_wants_data };
	struct evtx_file_info info;
	enum job_kind kind = JOB_OTHER;
	const char *why = NULL;
	char sha[HASH_SHA256_HEX_LEN];
	struct stat st;
	uint32_t n_parts = 1;
	uint64_t size;
	const uint8_t *data = NULL;	/* the whole file, read into `whole` */
	int fd, rc = 0, err = 0, known = 0;

	memset(&info, 0, sizeof(info));
	fd = open(job->path, O_RDONLY | O_CLOEXEC);
	if (fd >= 0 && fstat(fd, &st) == 0 && ingest_sniff_fd(fd, (uint64_t)st.st_size)) {
		kind = JOB_EVTX;
		n_parts = split(pl, job, fd, (uint64_t)st.st_size);
	}
	pthread_mutex_lock(&pl->mu);
	job->n_parts = n_parts;
	if (n_parts > 1) {
		job->next_part = 0;
		pl->splitting = index;
	}
	pl->sniffing--;
	pthread_cond_broadcast(&pl->to_workers);
	pthread_mutex_unlock(&pl->mu);

	size = kind == JOB_EVTX ? (uint64_t)st.st_size : 0;
	if (kind == JOB_EVTX && n_parts == 1 && pl->decoder == INGEST_NATIVE && whole && size <= WHOLE_MAX) {
		/* Read once, hashed and decoded from memory; a file that shrank since
		 * fstat() is taken as it now is. */
		ssize_t n = fileio_read_full(fd, whole, (size_t)size, 0);
		if (n < 0) {
			kind = JOB_UNREADABLE;
			err = errno;
		} else if (hash_sha256_hex(whole, (size_t)n, sha)) {
			kind = JOB_UNREADABLE;
			err = ENOMEM;
		} else {
			size = (uint64_t)n;
			data = whole;
		}
	} else if (kind == JOB_EVTX && ingest_hash_fd(fd, size, sha) != 0) {
		kind = JOB_UNREADABLE;
		err = errno;
	}
	if (kind == JOB_EVTX)
		known = known_at_start(pl, sha);
	pthread_mutex_lock(&pl->mu);
	job->kind = kind;
	job->err = err;
	if (kind == JOB_EVTX) {
		job->size = size;
		memcpy(job->sha, sha, sizeof(sha));
	}
	/* The parts of a file already in the case, or unreadable, are not decoded. */
	if (n_parts > 1 && (known || kind != JOB_EVTX))
		job->cancel = 1;
	pthread_cond_broadcast(&pl->to_writer);
	pthread_cond_broadcast(&pl->to_workers);
	if (n_parts > 1) {
		fd = --job->users == 0 ? fd : -1;
		pthread_mutex_unlock(&pl->mu);
		if (fd >= 0)
			close(fd);
		return;
	}
	pthread_mutex_unlock(&pl->mu);

	if (kind == JOB_EVTX && !known) {
		if (data)
			rc = evtx_decode_read(data, (size_t)size, &sink, &info, &why);
		else
			rc = ingest_decode_fd(pl->decoder, fd, job->path, size, &sink, &info, &why);
		rc = finish(&pr, rc);
	}
	free(pr.cur);
	if (fd >= 0)
		close(fd);
	part_done(pl, job, &job->one, rc, &info, why);
}

/* Takes the next piece of work: a part of the file being split, else the next
 * file. Waits while a file being sniffed may still be split. */
static void *worker(void *arg)
{
	struct pipeline *pl = arg;
	uint8_t *whole = malloc(WHOLE_MAX);	/* NULL: every file is read twice, with pread */

	for (;;) {
		size_t i;
		pthread_mutex_lock(&pl->mu);
		while (!pl->stop && pl->splitting == NONE && pl->next == pl->n_jobs && pl->sniffing > 0)
			pthread_cond_wait(&pl->to_workers, &pl->mu);
		if (pl->stop) {
			pthread_mutex_unlock(&pl->mu);
			free(whole);
			return NULL;
		}
		if (pl->splitting != NONE) {
			struct job *job = &pl->jobs[pl->splitting];
			uint32_t p = job->next_part++;
			i = pl->splitting;
			if (job->next_part == job->n_parts)
				pl->splitting = NONE;
			pthread_mutex_unlock(&pl->mu);
			run_part(pl, i, p);
			continue;
		}
		if (pl->next == pl->n_jobs) {
			pthread_mutex_unlock(&pl->mu);
			free(whole);
			return NULL;
		}
		i = pl->next++;
		pl->sniffing++;
		pthread_mutex_unlock(&pl->mu);
		run_job(pl, i, whole);
	}
}

/* The next batch of a part, or NULL once its worker is done and all is taken. */
static struct batch *take(struct pipeline *pl, struct part *part)
{
	struct batch *b;
	pthread_mutex_lock(&pl->mu);
	while (!part->first && !part->done)
		pthread_cond_wait(&pl->to_writer, &pl->mu);
	b = part->first;
	if (b) {
		part->first = b->next;
		if (!part->first)
			part->last = NULL;
		part->bytes -= b->cap;
		pl->queued -= b->cap;
		pthread_cond_broadcast(&pl->to_workers);
	}
	pthread_mutex_unlock(&pl->mu);
	return b;
}

/* Tells the workers of job to stop and throws away what they queued. */
static void discard(struct pipeline *pl, struct job *job)
{
	struct batch *b;
	pthread_mutex_lock(&pl->mu);
	job->cancel = 1;
	pthread_cond_broadcast(&pl->to_workers);
	pthread_mutex_unlock(&pl->mu);
	for (uint32_t p = 0; p < job->n_parts; p++)
		while ((b = take(pl, &job->parts[p])))
			free(b);
}

/* The file's info from its parts' (the same header; chunk counts added up) and
 * the first failure. */
static int merge_parts(const struct job *job, struct evtx_file_info *info, const char **why)
{
	int rc = 0;
	*info = job->parts[0].info;
	*why = job->parts[0].why;
	for (uint32_t p = 0; p < job->n_parts; p++) {
		const struct part *part = &job->parts[p];
		if (p > 0) {
			info->chunks_read += part->info.chunks_read;
			info->chunks_bad_crc += part->info.chunks_bad_crc;
		}
		if (rc == 0 && part->rc != 0) {
			rc = part->rc;
			*why = part->why;
		}
	}
	return rc;
}

static int replay(struct ingest_file *f, const struct batch *b, struct norm *n)
{
	for (size_t off = 0; off < b->len;) {
		const unsigned char *p = b->data + off;
		struct entry_head h;
		int rc = 0;

		memcpy(&h, p, sizeof(h));
		p += sizeof(h);
		if (h.type == ENTRY_EVENT) {
			struct evtx_event ev;
			size_t part_len;
			void *part;
			memcpy(&ev, p, sizeof(ev));
			n->kind = (enum norm_kind)h.kind;
			part = norm_part(n, &part_len);
			if (part_len)
				memcpy(part, p + sizeof(ev), part_len);
			f->tallied = !h.tally;
			rc = ingest_file_event(f, &ev, n);
		} else if (h.type == ENTRY_SKIP) {
			struct evtx_skip sk;
			memcpy(&sk, p, sizeof(sk));
			rc = ingest_file_skip(f, &sk);
		} else if (h.type == ENTRY_HOST) {
			rc = store_host(f->in->store, (const char *)p);
		} else if (h.type == ENTRY_COVERAGE) {
			struct coverage_count c;
			const char *computer = (const char *)p + sizeof(c);
			memcpy(&c, p, sizeof(c));
			rc = store_coverage(f->in->store, computer, computer + strlen(computer) + 1, &c);
		} else {
			struct unsent u;
			memcpy(&u, p, sizeof(u));
			f->c.records += u.live;
			f->c.recovered += u.recovered;
		}
		if (rc) {
			f->failed = 1;
			return -1;
		}
		off += h.len;
	}
	return 0;
}

/* Stores walked file i, in its turn. Returns 0 or -1 (fatal). */
static int store_job(struct pipeline *pl, struct ingest *in, const struct walk_entry *w, size_t i)
{
	struct job *job = &pl->jobs[i];
	struct ingest_file f;
	struct evtx_file_info info;
	const char *why;
	struct batch *b;
	int known, rc;

	pthread_mutex_lock(&pl->mu);
	pl->head = i;
	pl->head_part = 0;
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
	for (uint32_t p = 0; p < job->n_parts; p++) {
		pthread_mutex_lock(&pl->mu);
		pl->head_part = p;
		pthread_cond_broadcast(&pl->to_workers);
		pthread_mutex_unlock(&pl->mu);
		while ((b = take(pl, &job->parts[p]))) {
			rc = replay(&f, b, &f.norm);
			free(b);
			if (rc) {
				discard(pl, job);
				merge_parts(job, &info, &why);
				return ingest_file_end(&f, 0, &info, NULL);
			}
		}
	}
	/* Every part is done: its results are no longer written. */
	rc = merge_parts(job, &info, &why);
	if (rc == 0 && in->verify) {
		int fd = open(w->path, O_RDONLY | O_CLOEXEC);
		rc = ingest_file_verify(&f, NULL, fd);
		if (fd >= 0)
			close(fd);
	}
	return ingest_file_end(&f, rc, &info, why);
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
	if (store_known_sha256(in->store, &known, &pl.n_known))
		return -1;
	pl.known = known;
	pl.decoder = in->decoder;
	pl.n_workers = n_workers;
	pl.splitting = NONE;
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
	for (size_t i = 0; i < files->n; i++) {
		pl.jobs[i].path = files->v[i].path;
		pl.jobs[i].parts = &pl.jobs[i].one;
		pl.jobs[i].n_parts = 1;
		pl.jobs[i].fd = -1;
	}
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
		job_release(&pl.jobs[i]);
	pthread_cond_destroy(&pl.to_workers);
	pthread_cond_destroy(&pl.to_writer);
	pthread_mutex_destroy(&pl.mu);
	free(threads);
	free(pl.jobs);
	free(known);
	return rc;
}
