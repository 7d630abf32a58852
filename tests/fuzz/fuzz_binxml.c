/* fuzz_binxml.c: libFuzzer harness for fuzz_target_binxml() (targets.h). */
#include <stddef.h>
#include <stdint.h>

#include "targets.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	fuzz_target_binxml(data, size);
	return 0;
}
