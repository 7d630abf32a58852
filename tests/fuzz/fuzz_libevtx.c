/* fuzz_libevtx.c: libFuzzer harness for fuzz_target_libevtx() (targets.h). */
#include <stddef.h>
#include <stdint.h>

#include "targets.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* libevtx leaks in its own error paths (e.g. libfwevt_xml_document_read_element on
 * a record whose binary XML it cannot read); libevtx is not ours to fix here, so
 * only leaks of our code are reported. */
const char *__lsan_default_suppressions(void);
const char *__lsan_default_suppressions(void)
{
	return "leak:libevtx.so\n";
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	fuzz_target_libevtx(data, size);
	return 0;
}
