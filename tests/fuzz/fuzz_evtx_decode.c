/* fuzz_evtx_decode.c: libFuzzer harness for fuzz_target_evtx_decode() (targets.h). */
#include <stddef.h>
#include <stdint.h>

#include "targets.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	fuzz_target_evtx_decode(data, size);
	return 0;
}
