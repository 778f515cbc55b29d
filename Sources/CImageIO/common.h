// Helpers shared by the CImageIO sources (not part of the public header).
#ifndef AEC_IMAGEIO_COMMON_H
#define AEC_IMAGEIO_COMMON_H

#include "aec_imageio.h"

/// Writes the printf-style message into err (when there is room) and returns `code`.
int aec_fail(char *err, size_t errlen, int code, const char *format, ...) __attribute__((format(printf, 4, 5)));

/// Whether width * height * channels fits in size_t and width * height <= max_pixels.
int aec_size_ok(uint32_t width, uint32_t height, int channels, size_t max_pixels);

#endif
