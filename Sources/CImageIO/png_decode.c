// PNG → 8-bit interleaved samples with the classic libpng API, reading from memory.
//
// The libpng error handler longjmps back into decode_pixels(); everything that must be released afterwards
// lives in the png_reader owned by png_run(), which cleans up on every path.
#include "common.h"

#include <ctype.h>
#include <png.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

typedef struct {
    const uint8_t *data;
    size_t size;
    size_t position;
    jmp_buf jump;
    char message[192];
    char warning[192];  // the latest warning: libpng explains "Invalid IHDR data" in warnings
    png_structp png;
    png_infop info;
    uint8_t *pixels;
    uint8_t *destination;  // the caller's buffer for the pixels
    size_t capacity;       // its size in bytes
    int header_only;       // stop after the header: size and channels only
    png_bytep *rows;
    uint32_t width;
    uint32_t height;
    int channels;
} png_reader;

static void on_error(png_structp png, png_const_charp message) {
    png_reader *reader = png_get_error_ptr(png);
    if (strcmp(message, "Invalid IHDR data") == 0 && reader->warning[0] != 0) {
        snprintf(reader->message, sizeof reader->message, "invalid IHDR: %s", reader->warning);
    } else {
        snprintf(reader->message, sizeof reader->message, "%s", message);
    }
    longjmp(reader->jump, 1);
}

static void on_warning(png_structp png, png_const_charp message) {
    // Warnings (bad ancillary chunks, odd profiles) do not stop decoding and are not printed.
    png_reader *reader = png_get_error_ptr(png);
    snprintf(reader->warning, sizeof reader->warning, "%s", message);
}

static void on_read(png_structp png, png_bytep out, size_t count) {
    png_reader *reader = png_get_io_ptr(png);
    if (count > reader->size - reader->position) {
        char message[96];
        snprintf(message, sizeof message, "file is truncated (unexpected end of data after %zu bytes)", reader->size);
        png_error(png, message);
    }
    memcpy(out, reader->data + reader->position, count);
    reader->position += count;
}

static uint32_t read_be32(const uint8_t *p) {
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

/// libpng inflates IDAT data before it reaches the chunk's CRC, so damage inside IDAT would be reported as a
/// zlib error; checking the CRCs of the critical chunks first names the real cause. Anything else that is
/// wrong with the chunk layout is left for libpng to report.
static int check_critical_crcs(const uint8_t *data, size_t size, char *err, size_t errlen) {
    size_t position = 8;
    while (size - position >= 12) {
        uint32_t length = read_be32(data + position);
        const uint8_t *type = data + position + 4;
        if (length > 0x7fffffff || length > size - position - 12) return AEC_OK;
        for (int i = 0; i < 4; i++) {
            if (!isalpha(type[i])) return AEC_OK;
        }
        int critical = (type[0] & 0x20) == 0;
        if (critical && crc32(0, type, length + 4) != read_be32(type + 4 + length)) {
            return aec_fail(err, errlen, AEC_ERR_CORRUPT, "corrupt PNG: %.4s: CRC error", (const char *)type);
        }
        if (memcmp(type, "IEND", 4) == 0) return AEC_OK;
        position += 12 + (size_t)length;
    }
    return AEC_OK;
}

/// Reads header and pixels into reader->pixels; the only function here that calls setjmp.
static int decode_pixels(png_reader *reader, size_t max_pixels, char *err, size_t errlen) {
    png_structp png = reader->png;
    png_infop info = reader->info;
    if (setjmp(reader->jump)) {
        return aec_fail(err, errlen, AEC_ERR_CORRUPT, "corrupt PNG: %s", reader->message);
    }
    png_set_read_fn(png, reader, on_read);
    png_set_user_limits(png, 0x7fffffff, 0x7fffffff);  // max_pixels below is the limit that matters
    png_read_info(png, info);

    png_uint_32 width = png_get_image_width(png, info);
    png_uint_32 height = png_get_image_height(png, info);
    if (!aec_size_ok(width, height, 4, max_pixels)) {
        return aec_fail(err, errlen, AEC_ERR_TOO_LARGE, "image too large: %ux%u pixels exceeds the limit of %zu pixels",
                        (unsigned)width, (unsigned)height, max_pixels);
    }

    // Deflate never expands more than 1032:1, so a file too short to hold the declared rows at that ratio is
    // truncated or lying: refuse it before allocating memory for what its header claims.
    double raw_bytes = (double)png_get_rowbytes(png, info) * height;  // before any transform: the stored rows
    if (raw_bytes / 1032 > (double)reader->size + 1024) {
        return aec_fail(err, errlen, AEC_ERR_CORRUPT,
                        "corrupt PNG: file is truncated: %zu bytes cannot hold the %ux%u image its header declares",
                        reader->size, (unsigned)width, (unsigned)height);
    }

    // Palette → RGB (+ alpha from tRNS), 1/2/4-bit gray → 8 bits scaled exactly, tRNS on gray/RGB → alpha.
    png_set_expand(png);
    // 16 → 8 bits as round(v * 255 / 65535); strip_16 would truncate instead. No gamma handling is requested.
    if (png_get_bit_depth(png, info) == 16) png_set_scale_16(png);
    png_set_interlace_handling(png);
    png_read_update_info(png, info);

    int channels = png_get_channels(png, info);
    size_t row_bytes = png_get_rowbytes(png, info);
    if (png_get_bit_depth(png, info) != 8 || channels < 1 || channels > 4 || row_bytes != (size_t)width * channels) {
        return aec_fail(err, errlen, AEC_ERR_CORRUPT, "unsupported PNG layout after conversion (%d channels, %d bits)",
                        channels, png_get_bit_depth(png, info));
    }
    reader->width = width;
    reader->height = height;
    reader->channels = channels;
    if (reader->header_only) return AEC_OK;
    if (reader->destination == NULL || reader->capacity != row_bytes * height) {
        return aec_fail(err, errlen, AEC_ERR_ARGUMENT, "pixel buffer of %zu bytes for a %ux%ux%d image",
                        reader->capacity, (unsigned)width, (unsigned)height, channels);
    }
    reader->pixels = reader->destination;
    reader->rows = malloc(sizeof(png_bytep) * height);
    if (reader->rows == NULL) {
        return aec_fail(err, errlen, AEC_ERR_NOMEM, "out of memory for a %ux%u image", (unsigned)width, (unsigned)height);
    }
    for (png_uint_32 y = 0; y < height; y++) reader->rows[y] = reader->pixels + (size_t)y * row_bytes;
    png_read_image(png, reader->rows);
    png_read_end(png, NULL);  // checks the chunks after the image data, up to IEND
    return AEC_OK;
}

/// aec_png_read_header and aec_png_decode_into: the header only, or the pixels into the caller's buffer
/// (`destination`).
static int png_run(const uint8_t *data, size_t size, size_t max_pixels, uint8_t *destination, size_t capacity,
                   int header_only, aec_image *out, char *err, size_t errlen) {
    if (out == NULL) return aec_fail(err, errlen, AEC_ERR_ARGUMENT, "no output image");
    memset(out, 0, sizeof *out);
    if (size == 0 || data == NULL) return aec_fail(err, errlen, AEC_ERR_FORMAT, "not a PNG file (empty)");
    if (size < 8 || png_sig_cmp(data, 0, 8) != 0) {
        char start[32] = "";
        size_t shown = size < 4 ? size : 4;
        for (size_t i = 0; i < shown; i++) {
            snprintf(start + strlen(start), sizeof start - strlen(start), "%s0x%02X", i ? " " : "", data[i]);
        }
        return aec_fail(err, errlen, AEC_ERR_FORMAT, "not a PNG file (starts with %s)", start);
    }

    int status = header_only ? AEC_OK : check_critical_crcs(data, size, err, errlen);
    if (status != AEC_OK) return status;

    png_reader reader;
    memset(&reader, 0, sizeof reader);
    reader.data = data;
    reader.size = size;
    reader.destination = destination;
    reader.capacity = capacity;
    reader.header_only = header_only;
    reader.png = png_create_read_struct(PNG_LIBPNG_VER_STRING, &reader, on_error, on_warning);
    if (reader.png != NULL) reader.info = png_create_info_struct(reader.png);
    if (reader.png == NULL || reader.info == NULL) {
        png_destroy_read_struct(&reader.png, &reader.info, NULL);
        return aec_fail(err, errlen, AEC_ERR_NOMEM, "out of memory (cannot create the PNG reader)");
    }

    status = decode_pixels(&reader, max_pixels, err, errlen);
    png_destroy_read_struct(&reader.png, &reader.info, NULL);
    free(reader.rows);
    if (status != AEC_OK) return status;
    out->pixels = reader.pixels;
    out->width = reader.width;
    out->height = reader.height;
    out->channels = reader.channels;
    return AEC_OK;
}

int aec_png_read_header(const uint8_t *data, size_t size, size_t max_pixels, aec_image *out, char *err, size_t errlen) {
    return png_run(data, size, max_pixels, NULL, 0, 1, out, err, errlen);
}

int aec_png_decode_into(const uint8_t *data, size_t size, size_t max_pixels, uint8_t *pixels, size_t capacity,
                        aec_image *out, char *err, size_t errlen) {
    if (pixels == NULL) return aec_fail(err, errlen, AEC_ERR_ARGUMENT, "no pixel buffer");
    return png_run(data, size, max_pixels, pixels, capacity, 0, out, err, errlen);
}
