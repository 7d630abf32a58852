/* event.h: one decoded EVTX record, the same whichever decoder produced it.
 *
 * A decoder (libevtx-based or our own) calls the sink once per record it could
 * decode and once per record or chunk it had to skip. Strings are UTF-8 and
 * NUL-terminated; all pointers are owned by the decoder and valid only during
 * the callback. A sink callback returns 0 to go on, negative to stop the file. */
#ifndef EVENT_H
#define EVENT_H

#include <stddef.h>
#include <stdint.h>

#define EVENT_NO_CHUNK UINT32_MAX

struct evtx_field {
	const char *name;	/* Data/@Name, or "" where the element has none */
	const char *value;	/* text content, "" for an empty or NULL value */
};

struct evtx_event {
	uint64_t record_number;	/* number in the record header */
	uint64_t event_record_id; /* System/EventRecordID (differs in exported logs) */
	uint32_t event_id;
	uint32_t version;	/* System/Version, 0 when absent */
	uint64_t time_created;	/* System/TimeCreated/@SystemTime, FILETIME (100 ns since 1601, UTC) */
	uint64_t written_time;	/* record header time, FILETIME */
	const char *provider;	/* System/Provider/@Name */
	const char *channel;
	const char *computer;
	const char *user_sid;	/* System/Security/@UserID, "" when absent */
	const char *binary;	/* EventData/Binary as upper-case hex, "" when absent */
	size_t n_fields;	/* EventData/Data (or UserData leaf) elements, in order */
	const struct evtx_field *fields;
	uint32_t chunk;		/* chunk index, EVENT_NO_CHUNK when the decoder cannot tell */
	int recovered;		/* 1: a deleted/stale record recovered from slack space */
};

struct evtx_skip {
	uint32_t chunk;		/* EVENT_NO_CHUNK when unknown */
	uint64_t record_number;	/* 0 when unknown (a whole chunk) */
	uint64_t n_records;	/* how many records this skip stands for (>= 1) */
	int recovered;
	const char *reason;	/* short, lower case, e.g. "bad chunk crc32" */
};

/* Facts about the file as a whole, filled in by the decoder. */
struct evtx_file_info {
	int major_version, minor_version;
	int dirty;		/* header flag: not closed cleanly */
	uint32_t header_chunks;	/* chunk count the header claims */
	uint32_t chunks_read;	/* chunks actually read */
	int repaired;		/* 1: bad chunk headers were zeroed in a private copy to open it */
	uint32_t chunks_bad_crc;	/* chunks whose header or records CRC32 is wrong; their records are still read */
	int header_bad_crc;	/* 1: the file header's CRC32 is wrong (the file is read all the same) */
};

struct evtx_sink {
	int (*event)(void *ctx, const struct evtx_event *ev);
	int (*skip)(void *ctx, const struct evtx_skip *sk);
	void *ctx;
	/* Optional: called with a record's event id; when it returns 0, a decoder may
	 * leave out the record's EventData/UserData (no fields, no binary). NULL: all
	 * records are rendered whole. */
	int (*wants_data)(uint32_t event_id);
};

/* Looks up a field by name (case-sensitive, as Windows writes them); NULL if absent. */
const char *evtx_event_field(const struct evtx_event *ev, const char *name);

#endif
