/* xml_event.h: reads the event XML that libevtx renders into a struct evtx_event.
 *
 * The scan is tolerant: libevtx writes control characters raw and the XML is not
 * always well-formed, so this is a small tag scanner, not an XML parser. It takes
 * the System values, EventData/Data (by Name) and Binary, and UserData leaves. */
#ifndef XML_EVENT_H
#define XML_EVENT_H

#include <stddef.h>

#include "event.h"

#define XML_EVENT_MAX_FIELDS 512

/* Scratch space reused from record to record; owned by the caller. */
struct xml_event_buf {
	char *arena;
	size_t arena_cap;
	struct evtx_field *fields;
	size_t fields_cap;
};

void xml_event_buf_init(struct xml_event_buf *b);
void xml_event_buf_release(struct xml_event_buf *b);

/* Fills the XML-derived members of ev (provider, event id, version, time, record id,
 * channel, computer, user SID, fields, binary); strings point into b and stay valid
 * until the next call. Other members are left as they are.
 * Returns 0, -1 out of memory, -2 when the text is not an event (no System/EventID). */
int xml_event_parse(const char *xml, size_t len, struct xml_event_buf *b, struct evtx_event *ev);

#endif
