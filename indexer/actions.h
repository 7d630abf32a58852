/* actions.h: service actions (stop, disable, delete, pause, kill) derived from the
 * command lines of stored process rows, written to the service_action table, with
 * each action's process columns and target host key in action_context. */
#ifndef ACTIONS_H
#define ACTIONS_H

#include <sqlite3.h>
#include <stdint.h>

#include "normalize.h"

struct actions;

/* Prepares the statements on db (not owned). Returns 0 or -1 (message printed). */
int actions_open(sqlite3 *db, struct actions **out);
void actions_close(struct actions *a);	/* NULL is a no-op */

/* Parses p's command line and stores its actions for the process row. A net1.exe
 * started by net.exe for the same stop is stored with role "relay"; a cmd or
 * PowerShell wrapper whose child does the work with role "launcher".
 * Returns 0 or -1. */
int actions_derive(struct actions *a, int64_t process_id, int64_t host_id, int64_t time,
		   const struct norm_process *p);

/* Deletes every action (and its action_context row) and derives them again from the
 * stored command lines (inside the caller's transaction). Returns the number of
 * actions, or -1. */
long actions_rederive(struct actions *a);

#endif
