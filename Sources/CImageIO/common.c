#include "common.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

int aec_fail(char *err, size_t errlen, int code, const char *format, ...) {
    if (err != NULL && errlen > 0) {
        va_list args;
        va_start(args, format);
        vsnprintf(err, errlen, format, args);
        va_end(args);
    }
    return code;
}

int aec_size_ok(uint32_t width, uint32_t height, int channels, size_t max_pixels) {
    uint64_t pixels = (uint64_t)width * height;  // < 2^64 for 32-bit sides
    if (pixels > max_pixels) return 0;
    return pixels <= SIZE_MAX / (size_t)(channels > 0 ? channels : 1);
}

void aec_free(void *pointer) { free(pointer); }
