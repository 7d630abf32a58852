/* hostname.h: the key that names one host however a log writes it: System/Computer
 * may be "FS01" in one log and "FS01.qax.local" in another, and a command names a
 * remote host as "\\fs01". */
#ifndef HOSTNAME_H
#define HOSTNAME_H

#include <stddef.h>

/* Writes the host key of name to out: lower case (ASCII), the part before the first
 * dot unless the name is an IPv4 address, leading backslashes dropped. */
void hostname_key(const char *name, char *out, size_t out_len);

#endif
