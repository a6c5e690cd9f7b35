#ifndef KINFER_CFUZZERDRIVER_H
#define KINFER_CFUZZERDRIVER_H

#include <stddef.h>
#include <stdint.h>

/// libFuzzer's driver (compiler-rt's FuzzerInterface.h), linked in by `-sanitize=fuzzer`. Declared here because
/// SwiftPM names an executable's entry point itself, so libFuzzer's own `main` is never linked: the fuzzing build's
/// entry point calls this instead.
int LLVMFuzzerRunDriver(int *argc, char ***argv, int (*callback)(const uint8_t *data, size_t size));

#endif
