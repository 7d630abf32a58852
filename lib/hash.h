/* hash.h: SHA-256 of evidence content (OpenSSL libcrypto), in one call or in pieces. */
#ifndef HASH_H
#define HASH_H

#include <stddef.h>

#define HASH_SHA256_HEX_LEN 65	/* 64 hex digits and a NUL */

/* Writes the lower-case hex SHA-256 of buf[0..len) to out. Returns 0 or -1. */
int hash_sha256_hex(const void *buf, size_t len, char out[HASH_SHA256_HEX_LEN]);

/* An incremental SHA-256: hash_sha256_init(), any number of hash_sha256_update(),
 * hash_sha256_final_hex(), then hash_sha256_release() (also after a failure, and
 * after a failed init). The context is owned by the struct. */
struct hash_sha256 {
	void *md_ctx;		/* EVP_MD_CTX */
};

/* Returns 0 or -1 (out of memory, or the digest is not available). */
int hash_sha256_init(struct hash_sha256 *h);
/* Adds buf[0..len). Returns 0 or -1. */
int hash_sha256_update(struct hash_sha256 *h, const void *buf, size_t len);
/* Writes the lower-case hex digest of everything added. Returns 0 or -1. */
int hash_sha256_final_hex(struct hash_sha256 *h, char out[HASH_SHA256_HEX_LEN]);
void hash_sha256_release(struct hash_sha256 *h);

#endif
