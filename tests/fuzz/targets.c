/* targets.c: the fuzz entry points declared in targets.h. Compiled into each
 * libFuzzer harness and included by the replay unit test. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "targets.h"

#include "binxml.h"
#include "container.h"
#include "event.h"
#include "evtx_decode.h"
#include "evtx_format.h"
#include "evtx_libevtx.h"
#include "normalize.h"
#include "reader.h"
#include "svc_action.h"

/* Tight container limits, so that a bomb costs milliseconds, not gigabytes. */
#define FUZZ_CONTAINER_MEMORY_BUDGET ((uint64_t)1 << 20)
#define FUZZ_CONTAINER_MAX_EXPANDED ((uint64_t)8 << 20)
#define FUZZ_CONTAINER_MAX_RATIO 50
#define FUZZ_CONTAINER_MAX_DEPTH 3

/* Reads every byte of every string the decoder hands out, so that a string that
 * is not NUL-terminated or points outside its buffer is found by the sanitizer. */
static size_t fuzz_touch(const char *s)
{
	return s ? strlen(s) : 0;
}

static size_t fuzz_touch_event(const struct evtx_event *ev)
{
	size_t n = fuzz_touch(ev->provider) + fuzz_touch(ev->channel) + fuzz_touch(ev->computer) +
		   fuzz_touch(ev->user_sid) + fuzz_touch(ev->binary);
	for (size_t i = 0; i < ev->n_fields; i++)
		n += fuzz_touch(ev->fields[i].name) + fuzz_touch(ev->fields[i].value);
	return n;
}

static int fuzz_on_event(void *ctx, const struct evtx_event *ev)
{
	*(size_t *)ctx += fuzz_touch_event(ev);
	return 0;
}

static int fuzz_on_skip(void *ctx, const struct evtx_skip *sk)
{
	*(size_t *)ctx += fuzz_touch(sk->reason);
	return 0;
}

/* data in an anonymous memory file; -1 when it cannot be made. */
static int fuzz_memfd(const uint8_t *data, size_t len)
{
	size_t done = 0;
	int fd = memfd_create("fuzz-evtx", MFD_CLOEXEC);

	if (fd < 0)
		return -1;
	while (done < len) {
		ssize_t n = write(fd, data + done, len - done);
		if (n <= 0) {
			close(fd);
			return -1;
		}
		done += (size_t)n;
	}
	return fd;
}

/* The same bytes as a file, read slot by slot with pread (evtx_decode_fd), the way
 * loose files are read; when the last byte is odd, the size given is larger than the
 * file, as for a file that shrinks while it is read. */
static size_t fuzz_decode_fd(const uint8_t *data, size_t len, const struct evtx_sink *sink)
{
	struct evtx_file_info info;
	const char *why = NULL;
	size_t sum = 0;
	uint64_t size = len;
	int fd = fuzz_memfd(data, len);

	if (fd < 0)
		return 0;
	if (len && (data[len - 1] & 1))
		size += EVTX_CHUNK_SIZE + 1;
	if (evtx_decode_fd(fd, size, sink, &info, &why) == EVTX_DECODE_EOPEN)
		sum += fuzz_touch(why);
	close(fd);
	return sum;
}

int fuzz_target_evtx_decode(const uint8_t *data, size_t len)
{
	size_t sum = 0;
	struct evtx_sink sink = { fuzz_on_event, fuzz_on_skip, &sum, NULL };
	struct evtx_file_info info;
	const char *why = NULL;

	if (evtx_decode_read(data, len, &sink, &info, &why) == EVTX_DECODE_EOPEN)
		sum += fuzz_touch(why);
	/* The file path as evtx-index reads: data only of the events it keeps. */
	sink.wants_data = normalize_wants_data;
	sum += fuzz_decode_fd(data, len, &sink);
	return sum == (size_t)-1;
}

int fuzz_target_libevtx(const uint8_t *data, size_t len)
{
	static int inited;
	size_t sum = 0;
	struct evtx_sink sink = { fuzz_on_event, fuzz_on_skip, &sum, NULL };
	struct evtx_file_info info;
	const char *why = NULL;
	char path[64];
	int fd;

	if (!inited) {
		evtx_libevtx_global_init();
		inited = 1;
	}
	if (evtx_libevtx_read(data, len, &sink, &info, &why) == LIBEVTX_EOPEN)
		sum += fuzz_touch(why);
	fd = fuzz_memfd(data, len);
	if (fd < 0)
		return 0;
	/* libbfio opens the file again by its name. Through a file, live and recovered
	 * records run the same libevtx code as in memory: only when the last byte is
	 * odd, to spend the time on other inputs. */
	snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
	why = NULL;
	if (len && (data[len - 1] & 1) &&
	    evtx_libevtx_read_fd(fd, path, len, &sink, &info, &why, LIBEVTX_LIVE | LIBEVTX_RECOVERED) == LIBEVTX_EOPEN)
		sum += fuzz_touch(why);
	why = NULL;
	if (evtx_libevtx_read_fd(fd, path, len, &sink, &info, &why, LIBEVTX_RECOVERED) == LIBEVTX_EOPEN)
		sum += fuzz_touch(why);
	close(fd);
	return sum == (size_t)-1;
}

/* One record's binary XML at chunk offsets [off, end). */
static void fuzz_binxml_one(struct binxml *bx, size_t off, size_t end, size_t *sum)
{
	struct evtx_event ev;

	memset(&ev, 0, sizeof(ev));
	if (binxml_record(bx, off, end, &ev) == 0)
		*sum += fuzz_touch_event(&ev);
	else
		*sum += 1;
}

int fuzz_target_binxml(const uint8_t *data, size_t len)
{
	struct binxml *bx;
	struct reader c;
	size_t pos = EVTX_CHUNK_HEADER_SIZE, sum = 0, n_records = 0;

	if (binxml_new(&bx))
		return 0;
	binxml_chunk(bx, data, len);
	reader_init(&c, data, len);
	/* Records as evtx_decode.c finds them, but up to the end of the buffer. */
	while (pos < len) {
		uint32_t sig = 0, size = 0;

		if (reader_u32_at(&c, pos + EVTX_REC_SIGNATURE, &sig) || reader_u32_at(&c, pos + EVTX_REC_SIZE, &size))
			break;
		if (sig != EVTX_RECORD_SIGNATURE || size < EVTX_RECORD_HEADER_SIZE + EVTX_RECORD_TRAILER_SIZE ||
		    size > len - pos)
			break;
		fuzz_binxml_one(bx, pos + EVTX_RECORD_HEADER_SIZE, pos + size - EVTX_RECORD_TRAILER_SIZE, &sum);
		n_records++;
		pos += size;
	}
	if (n_records == 0) {
		if (len > EVTX_CHUNK_HEADER_SIZE)
			fuzz_binxml_one(bx, EVTX_CHUNK_HEADER_SIZE, len, &sum);
		else
			fuzz_binxml_one(bx, 0, len, &sum);
	}
	binxml_free(bx);
	return sum == (size_t)-1;
}

static int fuzz_on_container(void *ctx, const char *path, enum container_kind kind)
{
	*(size_t *)ctx += fuzz_touch(path) + fuzz_touch(container_kind_name(kind));
	return 0;
}

static int fuzz_on_member(void *ctx, const char *path, enum container_kind kind, const uint8_t *buf, size_t len)
{
	size_t sum = fuzz_touch(path) + (size_t)kind;

	/* Every byte handed out must be readable. */
	for (size_t i = 0; i < len; i++)
		sum += buf[i];
	*(size_t *)ctx += sum;
	return 0;
}

static int fuzz_on_problem(void *ctx, const char *path, enum container_problem what, const char *reason)
{
	*(size_t *)ctx += fuzz_touch(path) + fuzz_touch(reason) + (size_t)container_problem_is_member(what);
	return 0;
}

int fuzz_target_container(const uint8_t *data, size_t len)
{
	struct container_limits lim;
	size_t sum = 0;
	struct container_sink sink = { fuzz_on_container, fuzz_on_member, fuzz_on_problem, &sum };

	container_limits_init(&lim);
	lim.memory_budget = FUZZ_CONTAINER_MEMORY_BUDGET;
	lim.max_expanded = FUZZ_CONTAINER_MAX_EXPANDED;
	lim.max_ratio = FUZZ_CONTAINER_MAX_RATIO;
	lim.max_depth = FUZZ_CONTAINER_MAX_DEPTH;
	lim.password = "infected";
	sum += (size_t)container_sniff(data, len);
	container_scan_buffer(&lim, data, len, "fuzz", &sink);
	return sum == (size_t)-1;
}

int fuzz_target_svc_action(const uint8_t *data, size_t len)
{
	struct svc_actions acts;
	const char *image = NULL, *line;
	char *s = malloc(len + 1);
	const uint8_t *nul;
	size_t sum = 0;

	if (!s)
		return 0;
	if (len)
		memcpy(s, data, len);
	s[len] = '\0';
	line = s;
	nul = len ? memchr(data, 0, len) : NULL;
	if (nul) {
		image = s;
		line = s + (nul - data) + 1;
	}
	svc_actions_init(&acts);
	svc_parse(line, image, &acts);
	for (size_t i = 0; i < acts.n; i++)
		sum += fuzz_touch(acts.v[i].rule) + fuzz_touch(acts.v[i].tool) + fuzz_touch(acts.v[i].verb) +
		       fuzz_touch(acts.v[i].service) + fuzz_touch(acts.v[i].remote_host) +
		       fuzz_touch(acts.v[i].why) + (size_t)acts.v[i].role;
	sum += (size_t)svc_textbook_match(line);
	svc_actions_release(&acts);
	free(s);
	return sum == (size_t)-1;
}
