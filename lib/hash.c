/* hash.c: SHA-256 through OpenSSL's EVP interface. */
#include <openssl/evp.h>

#include "hash.h"

static void to_hex(const unsigned char *md, unsigned md_len, char out[HASH_SHA256_HEX_LEN])
{
	static const char hex[] = "0123456789abcdef";
	for (unsigned i = 0; i < md_len; i++) {
		out[2 * i] = hex[md[i] >> 4];
		out[2 * i + 1] = hex[md[i] & 15];
	}
	out[2 * md_len] = '\0';
}

int hash_sha256_hex(const void *buf, size_t len, char out[HASH_SHA256_HEX_LEN])
{
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int md_len = 0;

	if (EVP_Digest(buf, len, md, &md_len, EVP_sha256(), NULL) != 1 || md_len != 32)
		return -1;
	to_hex(md, md_len, out);
	return 0;
}

int hash_sha256_init(struct hash_sha256 *h)
{
	EVP_MD_CTX *ctx = EVP_MD_CTX_new();
	h->md_ctx = ctx;
	if (!ctx || EVP_DigestInit_ex(ctx, EVP_sha256(), NULL) != 1)
		return -1;
	return 0;
}

int hash_sha256_update(struct hash_sha256 *h, const void *buf, size_t len)
{
	return EVP_DigestUpdate(h->md_ctx, buf, len) == 1 ? 0 : -1;
}

int hash_sha256_final_hex(struct hash_sha256 *h, char out[HASH_SHA256_HEX_LEN])
{
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int md_len = 0;

	if (EVP_DigestFinal_ex(h->md_ctx, md, &md_len) != 1 || md_len != 32)
		return -1;
	to_hex(md, md_len, out);
	return 0;
}

void hash_sha256_release(struct hash_sha256 *h)
{
	EVP_MD_CTX_free(h->md_ctx);
	h->md_ctx = NULL;
}
