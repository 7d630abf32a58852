/* evtx_writer.h: writes EVTX files laid out the way the Windows event log
 * service writes them, for test cases and sample collections.
 *
 * A file is a 4096-byte header and 64 KiB chunks with valid CRC32 checksums.
 * Each record is a template instance: a System template whose values all come
 * by substitution, and EventData as a binary-XML substitution value that is
 * itself an instance of a template per field layout (as Windows 10 writes
 * manifest-based events). Templates and element names are stored once per
 * chunk, in the chunk's template and string tables, and referenced afterwards.
 *
 * The writer never prints. Functions return 0 or a negative EVTX_WRITER_E*. */
#ifndef EVTX_WRITER_H
#define EVTX_WRITER_H

#include <stddef.h>
#include <stdint.h>

#include "evtx_format.h"

#define EVTX_WRITER_EIO		(-1)	/* cannot create or write the file; errno tells why */
#define EVTX_WRITER_ENOMEM	(-2)
#define EVTX_WRITER_EINVAL	(-3)	/* a value cannot be encoded (see struct evtx_writer_field) */
#define EVTX_WRITER_ETOOBIG	(-4)	/* the record does not fit in an empty chunk, or the file is full */

#define EVTX_WRITER_MAX_FIELDS	128

/* One EventData value. Which member is read depends on type:
 *   STRING     text, UTF-8
 *   SID        text, "S-1-5-21-..."
 *   GUID       text, "{xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx}"
 *   UINT8 UINT16 UINT32 UINT64 HEX_INT32 HEX_INT64 FILETIME    num (must fit the type)
 *   SIZE       num; the template declares Size and the value is stored as
 *              HEX_INT64, as Security auditing does for process ids
 *   BINARY     bin, bin_len
 * Other types are refused. EventData values are bound by normal substitution,
 * which readers expect to carry a value of the declared type: an absent value
 * is an empty STRING, as Windows writes it. */
struct evtx_writer_field {
	const char *name;	/* Data/@Name, UTF-8; NULL: the value is carried in the
				   record but no Data element shows it (the Service Control
				   Manager stores the length of its Binary this way) */
	enum evtx_value_type type;
	const char *text;
	uint64_t num;
	const void *bin;
	size_t bin_len;
};

/* One event. Strings are UTF-8. The writer copies what it needs during
 * evtx_writer_append(); the caller keeps ownership of everything here. */
struct evtx_writer_event {
	const char *provider;		/* Provider/@Name */
	const char *provider_guid;	/* Provider/@Guid "{...}"; NULL: none */
	const char *channel;
	const char *computer;
	uint16_t event_id;
	int32_t qualifiers;		/* EventID/@Qualifiers; negative: none */
	uint8_t version;
	uint8_t level;			/* enum evtx_level */
	uint8_t opcode;
	uint16_t task;
	uint64_t keywords;
	uint64_t time_created;		/* TimeCreated/@SystemTime, FILETIME */
	uint64_t written_time;		/* record header time, FILETIME; 0: time_created */
	uint64_t record_id;		/* EventRecordID and record number; 0: previous + 1.
					   Must grow from record to record. */
	uint32_t process_id;		/* Execution/@ProcessID */
	uint32_t thread_id;		/* Execution/@ThreadID */
	const char *user_sid;		/* Security/@UserID "S-1-..."; NULL: none */
	const struct evtx_writer_field *fields;	/* EventData/Data, in order */
	size_t n_fields;		/* at most EVTX_WRITER_MAX_FIELDS */
	const void *binary;		/* EventData/Binary; NULL: none */
	size_t binary_len;
	int nul_terminated;		/* 1: EventData strings are stored with a trailing
					   NUL, as Security auditing stores them */
};

struct evtx_writer;

/* Creates (or truncates) the file at path. On success *out is a writer that
 * evtx_writer_close() must release. */
int evtx_writer_open(const char *path, struct evtx_writer **out);

/* Appends one record; starts a new chunk when the current one is full.
 * After EVTX_WRITER_EINVAL or EVTX_WRITER_ETOOBIG the record is not written and
 * the writer stays usable (a record too large even for an empty chunk may have
 * closed the chunk in progress first); after EVTX_WRITER_EIO every later call
 * fails the same way. */
int evtx_writer_append(struct evtx_writer *w, const struct evtx_writer_event *ev);

/* Writes the last chunk and the file header, closes the file and frees w
 * (w may be NULL). Returns the first error met since evtx_writer_open(). */
int evtx_writer_close(struct evtx_writer *w);

/* Records and chunks written so far (the current chunk counts once it holds a record). */
uint64_t evtx_writer_records(const struct evtx_writer *w);
uint32_t evtx_writer_chunks(const struct evtx_writer *w);

/* A short lower-case description of an EVTX_WRITER_E* code. */
const char *evtx_writer_strerror(int rc);

#endif
