/* fuzz_svc_action.c: libFuzzer harness for fuzz_target_svc_action() (targets.h). */
#include <stddef.h>
#include <stdint.h>

#include "targets.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	fuzz_target_svc_action(data, size);
	return 0;
}
