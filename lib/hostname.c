/* hostname.c: host keys for matching host names across logs. */
#include <ctype.h>
#include <string.h>

#include "hostname.h"

static int is_ipv4(const char *s)
{
	int dots = 0;
	for (; *s; s++) {
		if (*s == '.')
			dots++;
		else if (!isdigit((unsigned char)*s))
			return 0;
	}
	return dots == 3;
}

void hostname_key(const char *name, char *out, size_t out_len)
{
	size_t n = 0;
	int ip;
	if (out_len == 0)
		return;
	while (*name == '\\')
		name++;
	ip = is_ipv4(name);
	for (; *name && n + 1 < out_len; name++) {
		if (*name == '.' && !ip)
			break;
		out[n++] = (char)tolower((unsigned char)*name);
	}
	out[n] = '\0';
}
