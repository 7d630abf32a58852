/* test_hash.c: SHA-256 in one call and in pieces. */
#include <string.h>

#include "check.h"
#include "hash.h"

static void test_known(void)
{
	char hex[HASH_SHA256_HEX_LEN];
	CHECK_INT(hash_sha256_hex("abc", 3, hex), 0);
	CHECK_STR(hex, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
	CHECK_INT(hash_sha256_hex("", 0, hex), 0);
	CHECK_STR(hex, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
}

static void test_pieces(void)
{
	static unsigned char buf[100000];
	char whole[HASH_SHA256_HEX_LEN], parts[HASH_SHA256_HEX_LEN];
	struct hash_sha256 h;

	for (size_t i = 0; i < sizeof(buf); i++)
		buf[i] = (unsigned char)(i * 7 + (i >> 8));
	CHECK_INT(hash_sha256_hex(buf, sizeof(buf), whole), 0);
	for (size_t step = 1; step <= 65536; step = step * 3 + 1) {
		CHECK_INT(hash_sha256_init(&h), 0);
		for (size_t off = 0; off < sizeof(buf); off += step)
			CHECK_INT(hash_sha256_update(&h, buf + off, sizeof(buf) - off < step ? sizeof(buf) - off : step), 0);
		CHECK_INT(hash_sha256_final_hex(&h, parts), 0);
		hash_sha256_release(&h);
		CHECK_STR(parts, whole);
	}
	CHECK_INT(hash_sha256_init(&h), 0);
	CHECK_INT(hash_sha256_final_hex(&h, parts), 0);
	hash_sha256_release(&h);
	CHECK_STR(parts, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
}

int main(void)
{
	test_known();
	test_pieces();
	return check_exit();
}
