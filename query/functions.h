/* functions.h: SQL functions evtx-query adds to its read-only connection, and the
 * critical-services list behind them.
 *
 *   critical_level(key, display)    'high' | 'critical' | NULL
 *   critical_category(key, display) 'backup', 'security', ... | NULL
 *   textbook_t1489(command_line)    1 when CommandLine contains 'net stop' or 'sc stop'
 *   same_host(a, b)                 1 when both name one host: equal ignoring case, or
 *                                   equal host keys (hostname.h)
 *   host_key(name)                  the host key of a name (hostname.h) */
#ifndef FUNCTIONS_H
#define FUNCTIONS_H

#include <sqlite3.h>

/* Adds the patterns of a critical-services file (pattern, category, level; tab
 * separated; # comments) to the built-in list. Returns 0, or -1 (message printed). */
int functions_load_critical(const char *path);

/* Registers the functions on db. Returns 0 or -1. */
int functions_register(sqlite3 *db);

#endif
