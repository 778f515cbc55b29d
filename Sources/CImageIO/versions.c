// Library versions, for benchmark reports.
#include "common.h"

#include <stdio.h>

#include <jpeglib.h>

int aec_jpeg_library_version(int *api) {
    if (api != NULL) *api = JPEG_LIB_VERSION;
#ifdef LIBJPEG_TURBO_VERSION_NUMBER
    return LIBJPEG_TURBO_VERSION_NUMBER;
#else
    return 0;
#endif
}
