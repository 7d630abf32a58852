/* hash.h: SHA-256 of evidence content (OpenSSL libcrypto). */
#ifndef HASH_H
#define HASH_H

#include <stddef.h>

#define HASH_SHA256_HEX_LEN 65	/* 64 hex digits and a NUL */

/* Writes the lower-case hex SHA-256 of buf[0..len) to out. Returns 0 or -1. */
int hash_sha256_hex(const void *buf, size_t len, char out[HASH_SHA256_HEX_LEN]);

#endif
