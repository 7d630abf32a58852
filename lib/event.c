/* event.c: helpers over a decoded record. */
#include <string.h>

#include "event.h"

const char *evtx_event_field(const struct evtx_event *ev, const char *name)
{
	for (size_t i = 0; i < ev->n_fields; i++)
		if (strcmp(ev->fields[i].name, name) == 0)
			return ev->fields[i].value;
	return NULL;
}
