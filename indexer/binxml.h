/* binxml.h: the binary XML of one EVTX record, decoded straight into a struct evtx_event.
 *
 * One walk over the tokens ([MS-EVEN6] binary XML), expanding each template
 * instance with its substitution values as it goes; no tree is built. Only what
 * the event needs becomes text: System Provider/@Name, EventID, Version,
 * TimeCreated/@SystemTime, EventRecordID, Channel, Computer, Security/@UserID;
 * every leaf element under EventData (a field named by its Name attribute, or
 * Binary) and under UserData (named by the element). Element names and template
 * definitions are cached per chunk by their chunk offset.
 *
 * Semantics, where decoders differ:
 *  - Element starts carry the 2-byte dependency identifier only inside template
 *    definitions; records written without a template and binary XML values that
 *    hold elements directly have none.
 *  - A NULL substitution (normal or optional) leaves its element or attribute in
 *    place with an empty value; dependency identifiers are not used to drop
 *    elements. A leaf with an empty value is still a field; a value that is
 *    a single line feed is empty (so Event Viewer and libevtx show it).
 *  - An array substitution repeats the element that holds it once per item; an
 *    empty array gives one empty element.
 *  - Character references become the character; the entities lt, gt, amp, quot
 *    and apos become theirs, any other stays "&name;". CDATA is text; processing
 *    instructions are skipped.
 *  - Value text follows binxml_text.h.
 * Consistency checks, for damaged records and for deleted ones whose template
 * definition or names have been overwritten since they were written: a template
 * instance's template id must equal the first 4 bytes of the GUID of the
 * definition its offset leads to (BINXML_ETEMPLATEID), and the last byte of each
 * value descriptor must be 0 (BINXML_EDESCRIPTOR). In strict mode (binxml_strict)
 * a name must also end in a UTF-16 NUL and carry the hash of its characters
 * (BINXML_ENAME); readers such as libevtx do not check the hash, so live records
 * are not held to it.
 * Limits: BINXML_MAX_DEPTH nested elements, template instances and binary XML
 * values together; a template may not instantiate itself, directly or not;
 * BINXML_MAX_TOKENS tokens walked per record (repeats count); BINXML_MAX_FIELDS
 * fields. Every offset and length read from the chunk goes through reader.h. */
#ifndef BINXML_H
#define BINXML_H

#include <stddef.h>
#include <stdint.h>

#include "event.h"

#define BINXML_MAX_DEPTH 64
#define BINXML_MAX_TOKENS (1u << 20)
#define BINXML_MAX_FIELDS 65536

#define BINXML_ENOMEM (-1)
#define BINXML_ETRUNCATED (-2)	/* a token, name or value runs past its data */
#define BINXML_ETOKEN (-3)	/* a token that cannot stand here */
#define BINXML_EDEPTH (-4)	/* nested past BINXML_MAX_DEPTH */
#define BINXML_ETEMPLATE (-5)	/* template definition outside the chunk */
#define BINXML_ELOOP (-6)	/* a template instantiates itself */
#define BINXML_ESUBST (-7)	/* substitution outside a template, or index out of range */
#define BINXML_ETOOBIG (-8)	/* past the token, field or text limits */
#define BINXML_ENOEVENTID (-9)	/* decoded, but no System/EventID number */
#define BINXML_ETEMPLATEID (-10)	/* a template instance's id is not its definition's */
#define BINXML_EDESCRIPTOR (-11)	/* a value descriptor whose reserved byte is not 0 */
#define BINXML_ENAME (-12)	/* a name whose hash or terminating NUL is wrong */

struct binxml;

/* A decoder with empty caches; binxml_free(NULL) is a no-op.
 * Returns 0 or BINXML_ENOMEM. */
int binxml_new(struct binxml **out);
void binxml_free(struct binxml *bx);

/* Strict mode on or off (off after binxml_new()): for records found in slack space,
 * whose names may refer to bytes overwritten since. Names already read in the
 * chunk are not read again. */
void binxml_strict(struct binxml *bx, int on);

/* With want set, the EventData or UserData of a record whose EventID (in System,
 * which comes first) want() declines is stepped over: the event has no fields and
 * no binary. NULL (after binxml_new()) renders every record whole. */
void binxml_want_data(struct binxml *bx, int (*want)(uint32_t event_id));

/* Starts a chunk: chunk[0..len) stays owned by the caller and must stay unchanged
 * while its records are decoded. Forgets the names and templates of the last one. */
void binxml_chunk(struct binxml *bx, const uint8_t *chunk, size_t len);

/* Decodes the binary XML at chunk offsets [off, end) and fills in the members of
 * ev that come from the XML (event_id, version, event_record_id, time_created,
 * provider, channel, computer, user_sid, binary, n_fields, fields; "" or 0 when
 * absent); the others are left alone. Strings are owned by bx and valid until the
 * next call on bx. Returns 0 or a negative BINXML_E* code. */
int binxml_record(struct binxml *bx, size_t off, size_t end, struct evtx_event *ev);

/* Short lower-case words for a BINXML_E* code, for a skip reason. */
const char *binxml_strerror(int code);

#endif
