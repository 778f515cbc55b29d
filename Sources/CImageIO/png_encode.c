// 8-bit samples → PNG in a growing memory buffer, with the classic libpng API.
#include "common.h"

#include <png.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct {
    jmp_buf jump;
    char message[192];
    png_structp png;
    png_infop info;
    png_bytep *rows;
    uint8_t *buffer;
    size_t size;
    size_t capacity;
} png_writer;

static void on_error(png_structp png, png_const_charp message) {
    png_writer *writer = png_get_error_ptr(png);
    snprintf(writer->message, sizeof writer->message, "%s", message);
    longjmp(writer->jump, 1);
}

static void on_warning(png_structp png, png_const_charp message) {
    (void)png;
    (void)message;
}

static void on_write(png_structp png, png_bytep data, size_t count) {
    png_writer *writer = png_get_io_ptr(png);
    if (count > writer->capacity - writer->size) {
        size_t capacity = writer->capacity ? writer->capacity : 4096;
        while (capacity - writer->size < count) {
            if (capacity > SIZE_MAX / 2) png_error(png, "out of memory");
            capacity *= 2;
        }
        uint8_t *grown = realloc(writer->buffer, capacity);
        if (grown == NULL) png_error(png, "out of memory");
        writer->buffer = grown;
        writer->capacity = capacity;
    }
    memcpy(writer->buffer + writer->size, data, count);
    writer->size += count;
}

static void on_flush(png_structp png) { (void)png; }

/// Writes the whole PNG into writer->buffer; the only function here that calls setjmp.
static int encode_pixels(png_writer *writer, const uint8_t *pixels, uint32_t width, uint32_t height, int channels,
                         char *err, size_t errlen) {
    static const int color_types[5] = {0, PNG_COLOR_TYPE_GRAY, PNG_COLOR_TYPE_GRAY_ALPHA, PNG_COLOR_TYPE_RGB,
                                       PNG_COLOR_TYPE_RGB_ALPHA};
    png_structp png = writer->png;
    png_infop info = writer->info;
    if (setjmp(writer->jump)) {
        return aec_fail(err, errlen, AEC_ERR_CORRUPT, "PNG encoding failed: %s", writer->message);
    }
    png_set_write_fn(png, writer, on_write, on_flush);
    png_set_user_limits(png, 0x7fffffff, 0x7fffffff);
    png_set_IHDR(png, info, width, height, 8, color_types[channels], PNG_INTERLACE_NONE, PNG_COMPRESSION_TYPE_DEFAULT,
                 PNG_FILTER_TYPE_DEFAULT);
    png_write_info(png, info);
    size_t row_bytes = (size_t)width * channels;
    writer->rows = malloc(sizeof(png_bytep) * height);
    if (writer->rows == NULL) return aec_fail(err, errlen, AEC_ERR_NOMEM, "out of memory");
    for (uint32_t y = 0; y < height; y++) writer->rows[y] = (png_bytep)(pixels + (size_t)y * row_bytes);
    png_write_image(png, writer->rows);
    png_write_end(png, NULL);
    return AEC_OK;
}

int aec_png_encode(const uint8_t *pixels, uint32_t width, uint32_t height, int channels, uint8_t **out,
                   size_t *out_size, char *err, size_t errlen) {
    if (out == NULL || out_size == NULL) return aec_fail(err, errlen, AEC_ERR_ARGUMENT, "no output buffer");
    *out = NULL;
    *out_size = 0;
    if (channels < 1 || channels > 4) {
        return aec_fail(err, errlen, AEC_ERR_ARGUMENT, "cannot write a PNG with %d channels (1...4 allowed)", channels);
    }
    if (width == 0 || height == 0 || width > 0x7fffffff || height > 0x7fffffff || pixels == NULL ||
        !aec_size_ok(width, height, channels, SIZE_MAX)) {
        return aec_fail(err, errlen, AEC_ERR_ARGUMENT, "cannot write a PNG of %ux%u pixels", (unsigned)width,
                        (unsigned)height);
    }

    png_writer writer;
    memset(&writer, 0, sizeof writer);
    writer.png = png_create_write_struct(PNG_LIBPNG_VER_STRING, &writer, on_error, on_warning);
    if (writer.png != NULL) writer.info = png_create_info_struct(writer.png);
    if (writer.png == NULL || writer.info == NULL) {
        png_destroy_write_struct(&writer.png, &writer.info);
        return aec_fail(err, errlen, AEC_ERR_NOMEM, "out of memory (cannot create the PNG writer)");
    }

    int status = encode_pixels(&writer, pixels, width, height, channels, err, errlen);
    png_destroy_write_struct(&writer.png, &writer.info);
    free(writer.rows);
    if (status != AEC_OK) {
        free(writer.buffer);
        return status;
    }
    *out = writer.buffer;
    *out_size = writer.size;
    return AEC_OK;
}
