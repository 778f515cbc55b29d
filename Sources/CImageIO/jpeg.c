// JPEG encode/decode in memory with libjpeg(-turbo), for benchmarks against the codec.
//
// error_exit (and every corrupt-data warning) longjmps back into encode_pixels() or
// decode_pixels(); the buffers to release live in a context owned by the public function.
#include "common.h"

#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jpeglib.h>
#include <jerror.h>

/// Progressive JPEGs can repeat scans to make a tiny file take very long to decode; this bounds it.
#define MAX_SCANS 500

typedef struct {
    struct jpeg_error_mgr manager;  // first, so that cinfo->err can be cast to jpeg_failure
    jmp_buf jump;
    char message[JMSG_LENGTH_MAX];
} jpeg_failure;

static void on_error(j_common_ptr cinfo) {
    jpeg_failure *failure = (jpeg_failure *)cinfo->err;
    (*cinfo->err->format_message)(cinfo, failure->message);
    longjmp(failure->jump, 1);
}

static void on_message(j_common_ptr cinfo, int level) {
    if (level >= 0) return;  // trace messages
    int code = cinfo->err->msg_code;
    if (code == JWRN_JFIF_MAJOR || code == JWRN_ADOBE_XFORM || code == JWRN_BOGUS_ICC) return;  // harmless
    on_error(cinfo);  // any other warning means corrupt data: stop rather than return a damaged image
}

static void silent_output(j_common_ptr cinfo) { (void)cinfo; }

static void install_error_handlers(jpeg_failure *failure) {
    jpeg_std_error(&failure->manager);
    failure->manager.error_exit = on_error;
    failure->manager.emit_message = on_message;
    failure->manager.output_message = silent_output;
}

// MARK: - Encoding

/// A destination manager writing into a buffer that doubles when full.
typedef struct {
    struct jpeg_destination_mgr manager;  // first, so that cinfo->dest can be cast to growing_destination
    uint8_t *buffer;
    size_t capacity;
    size_t size;
} growing_destination;

static void fail_out_of_memory(j_common_ptr cinfo) {
    jpeg_failure *failure = (jpeg_failure *)cinfo->err;
    snprintf(failure->message, sizeof failure->message, "out of memory");
    longjmp(failure->jump, 1);
}

static void destination_start(j_compress_ptr cinfo) {
    growing_destination *destination = (growing_destination *)cinfo->dest;
    destination->capacity = 1 << 16;
    destination->buffer = malloc(destination->capacity);
    if (destination->buffer == NULL) fail_out_of_memory((j_common_ptr)cinfo);
    destination->manager.next_output_byte = destination->buffer;
    destination->manager.free_in_buffer = destination->capacity;
}

static boolean destination_grow(j_compress_ptr cinfo) {
    // Called when the buffer is full: keep everything written so far and double the space.
    growing_destination *destination = (growing_destination *)cinfo->dest;
    size_t used = destination->capacity;
    uint8_t *grown = destination->capacity <= SIZE_MAX / 2 ? realloc(destination->buffer, used * 2) : NULL;
    if (grown == NULL) fail_out_of_memory((j_common_ptr)cinfo);
    destination->buffer = grown;
    destination->capacity = used * 2;
    destination->manager.next_output_byte = grown + used;
    destination->manager.free_in_buffer = destination->capacity - used;
    return TRUE;
}

static void destination_finish(j_compress_ptr cinfo) {
    growing_destination *destination = (growing_destination *)cinfo->dest;
    destination->size = destination->capacity - destination->manager.free_in_buffer;
}

typedef struct {
    struct jpeg_compress_struct cinfo;
    jpeg_failure failure;
    growing_destination destination;
} jpeg_writer;

static int encode_pixels(jpeg_writer *writer, const uint8_t *pixels, uint32_t width, uint32_t height, int channels,
                         int quality, int optimize_huffman, char *err, size_t errlen) {
    struct jpeg_compress_struct *cinfo = &writer->cinfo;
    if (setjmp(writer->failure.jump)) {
        return aec_fail(err, errlen, AEC_ERR_CORRUPT, "JPEG encoding failed: %s", writer->failure.message);
    }
    writer->destination.manager.init_destination = destination_start;
    writer->destination.manager.empty_output_buffer = destination_grow;
    writer->destination.manager.term_destination = destination_finish;
    cinfo->dest = &writer->destination.manager;

    cinfo->image_width = width;
    cinfo->image_height = height;
    cinfo->input_components = channels;
    cinfo->in_color_space = channels == 1 ? JCS_GRAYSCALE : JCS_RGB;
    jpeg_set_defaults(cinfo);  // gray → 1 component; RGB → YCbCr 4:2:0
    jpeg_set_quality(cinfo, quality, TRUE);
    cinfo->optimize_coding = optimize_huffman ? TRUE : FALSE;
    jpeg_start_compress(cinfo, TRUE);
    size_t row_bytes = (size_t)width * channels;
    while (cinfo->next_scanline < cinfo->image_height) {
        JSAMPROW row = (JSAMPROW)(pixels + (size_t)cinfo->next_scanline * row_bytes);
        jpeg_write_scanlines(cinfo, &row, 1);
    }
    jpeg_finish_compress(cinfo);
    return AEC_OK;
}

int aec_jpeg_encode(const uint8_t *pixels, uint32_t width, uint32_t height, int channels, int quality,
                    int optimize_huffman, uint8_t **out, size_t *out_size, char *err, size_t errlen) {
    if (out == NULL || out_size == NULL) return aec_fail(err, errlen, AEC_ERR_ARGUMENT, "no output buffer");
    *out = NULL;
    *out_size = 0;
    if (channels != 1 && channels != 3) {
        return aec_fail(err, errlen, AEC_ERR_ARGUMENT, "cannot write a JPEG with %d channels (1 or 3 allowed)",
                        channels);
    }
    if (quality < 1 || quality > 100) {
        return aec_fail(err, errlen, AEC_ERR_ARGUMENT, "JPEG quality %d is outside 1...100", quality);
    }
    if (width == 0 || height == 0 || pixels == NULL || !aec_size_ok(width, height, channels, SIZE_MAX)) {
        return aec_fail(err, errlen, AEC_ERR_ARGUMENT, "cannot write a JPEG of %ux%u pixels", (unsigned)width,
                        (unsigned)height);
    }

    jpeg_writer writer;
    memset(&writer, 0, sizeof writer);
    writer.cinfo.err = &writer.failure.manager;
    install_error_handlers(&writer.failure);
    jpeg_create_compress(&writer.cinfo);
    int status = encode_pixels(&writer, pixels, width, height, channels, quality, optimize_huffman, err, errlen);
    jpeg_destroy_compress(&writer.cinfo);
    if (status != AEC_OK) {
        free(writer.destination.buffer);
        return status;
    }
    *out = writer.destination.buffer;
    *out_size = writer.destination.size;
    return AEC_OK;
}

// MARK: - Decoding

typedef struct {
    struct jpeg_decompress_struct cinfo;
    jpeg_failure failure;
    struct jpeg_progress_mgr progress;
    uint8_t *pixels;
    aec_image image;
} jpeg_reader;

static void limit_scans(j_common_ptr cinfo) {
    j_decompress_ptr decompress = (j_decompress_ptr)cinfo;
    if (decompress->input_scan_number > MAX_SCANS) {
        jpeg_failure *failure = (jpeg_failure *)cinfo->err;
        snprintf(failure->message, sizeof failure->message, "more than %d scans", MAX_SCANS);
        longjmp(failure->jump, 1);
    }
}

static int decode_pixels(jpeg_reader *reader, const uint8_t *data, size_t size, size_t max_pixels, char *err,
                         size_t errlen) {
    struct jpeg_decompress_struct *cinfo = &reader->cinfo;
    if (setjmp(reader->failure.jump)) {
        return aec_fail(err, errlen, AEC_ERR_CORRUPT, "corrupt JPEG: %s", reader->failure.message);
    }
    reader->progress.progress_monitor = limit_scans;
    cinfo->progress = &reader->progress;
    jpeg_mem_src(cinfo, data, (unsigned long)size);
    jpeg_read_header(cinfo, TRUE);
    if (!aec_size_ok(cinfo->image_width, cinfo->image_height, 3, max_pixels)) {
        return aec_fail(err, errlen, AEC_ERR_TOO_LARGE, "image too large: %ux%u pixels exceeds the limit of %zu pixels",
                        (unsigned)cinfo->image_width, (unsigned)cinfo->image_height, max_pixels);
    }
    cinfo->out_color_space = cinfo->jpeg_color_space == JCS_GRAYSCALE ? JCS_GRAYSCALE : JCS_RGB;
    jpeg_start_decompress(cinfo);
    int channels = cinfo->output_components;
    if (channels != 1 && channels != 3) {
        return aec_fail(err, errlen, AEC_ERR_CORRUPT, "unsupported JPEG with %d output components", channels);
    }
    size_t row_bytes = (size_t)cinfo->output_width * channels;
    reader->pixels = malloc(row_bytes * cinfo->output_height);
    if (reader->pixels == NULL) return aec_fail(err, errlen, AEC_ERR_NOMEM, "out of memory");
    while (cinfo->output_scanline < cinfo->output_height) {
        JSAMPROW row = reader->pixels + (size_t)cinfo->output_scanline * row_bytes;
        jpeg_read_scanlines(cinfo, &row, 1);
    }
    reader->image.width = cinfo->output_width;
    reader->image.height = cinfo->output_height;
    reader->image.channels = channels;
    jpeg_finish_decompress(cinfo);
    return AEC_OK;
}

int aec_jpeg_decode(const uint8_t *data, size_t size, size_t max_pixels, aec_image *out, char *err, size_t errlen) {
    if (out == NULL) return aec_fail(err, errlen, AEC_ERR_ARGUMENT, "no output image");
    memset(out, 0, sizeof *out);
    if (size == 0 || data == NULL) return aec_fail(err, errlen, AEC_ERR_FORMAT, "not a JPEG file (empty)");
    if (size < 2 || data[0] != 0xFF || data[1] != 0xD8) {
        if (size < 2) return aec_fail(err, errlen, AEC_ERR_FORMAT, "not a JPEG file (starts with 0x%02X)", data[0]);
        return aec_fail(err, errlen, AEC_ERR_FORMAT, "not a JPEG file (starts with 0x%02X 0x%02X)", data[0], data[1]);
    }

    jpeg_reader reader;
    memset(&reader, 0, sizeof reader);
    reader.cinfo.err = &reader.failure.manager;
    install_error_handlers(&reader.failure);
    jpeg_create_decompress(&reader.cinfo);
    int status = decode_pixels(&reader, data, size, max_pixels, err, errlen);
    jpeg_destroy_decompress(&reader.cinfo);
    if (status != AEC_OK) {
        free(reader.pixels);
        return status;
    }
    *out = reader.image;
    out->pixels = reader.pixels;
    return AEC_OK;
}
