// Lossy WebP encode/decode in memory with libwebp, for benchmarks against the codec.
//
// libwebp reports errors by status codes (no longjmp); this file turns them into AEC_ERR_* and a message.
// Buffers handed to the caller are malloc'd here (aec_free), never libwebp's own allocations.
#include "common.h"

#include <stdlib.h>
#include <string.h>

#include <webp/decode.h>
#include <webp/encode.h>

/// WebP's own limit on either side (VP8's 14-bit dimensions).
#define WEBP_MAX_SIDE 16383

static const char *encode_error_name(WebPEncodingError code) {
    switch (code) {
    case VP8_ENC_ERROR_OUT_OF_MEMORY: return "OUT_OF_MEMORY";
    case VP8_ENC_ERROR_BITSTREAM_OUT_OF_MEMORY: return "BITSTREAM_OUT_OF_MEMORY";
    case VP8_ENC_ERROR_NULL_PARAMETER: return "NULL_PARAMETER";
    case VP8_ENC_ERROR_INVALID_CONFIGURATION: return "INVALID_CONFIGURATION";
    case VP8_ENC_ERROR_BAD_DIMENSION: return "BAD_DIMENSION";
    case VP8_ENC_ERROR_PARTITION0_OVERFLOW: return "PARTITION0_OVERFLOW";
    case VP8_ENC_ERROR_PARTITION_OVERFLOW: return "PARTITION_OVERFLOW";
    case VP8_ENC_ERROR_BAD_WRITE: return "BAD_WRITE";
    case VP8_ENC_ERROR_FILE_TOO_BIG: return "FILE_TOO_BIG";
    case VP8_ENC_ERROR_USER_ABORT: return "USER_ABORT";
    default: return "UNKNOWN";
    }
}

static const char *decode_status_name(VP8StatusCode code) {
    switch (code) {
    case VP8_STATUS_OUT_OF_MEMORY: return "OUT_OF_MEMORY";
    case VP8_STATUS_INVALID_PARAM: return "INVALID_PARAM";
    case VP8_STATUS_BITSTREAM_ERROR: return "BITSTREAM_ERROR";
    case VP8_STATUS_UNSUPPORTED_FEATURE: return "UNSUPPORTED_FEATURE";
    case VP8_STATUS_SUSPENDED: return "SUSPENDED";
    case VP8_STATUS_USER_ABORT: return "USER_ABORT";
    case VP8_STATUS_NOT_ENOUGH_DATA: return "NOT_ENOUGH_DATA";
    default: return "UNKNOWN";
    }
}

/// Gray (and gray + alpha) samples widened to RGB (RGBA) with R = G = B; NULL when out of memory.
static uint8_t *widen_gray(const uint8_t *pixels, size_t count, int channels) {
    int out_channels = channels == 1 ? 3 : 4;
    uint8_t *rgb = malloc(count * (size_t)out_channels);
    if (rgb == NULL) return NULL;
    for (size_t i = 0; i < count; i++) {
        uint8_t v = pixels[i * (size_t)channels];
        rgb[i * out_channels] = v;
        rgb[i * out_channels + 1] = v;
        rgb[i * out_channels + 2] = v;
        if (channels == 2) rgb[i * out_channels + 3] = pixels[i * 2 + 1];
    }
    return rgb;
}

int aec_webp_encode(const uint8_t *pixels, uint32_t width, uint32_t height, int channels, float quality,
                    int method, int segments, int sns_strength, uint8_t **out, size_t *out_size, char *err,
                    size_t errlen) {
    if (out == NULL || out_size == NULL) return aec_fail(err, errlen, AEC_ERR_ARGUMENT, "no output buffer");
    *out = NULL;
    *out_size = 0;
    if (channels < 1 || channels > 4) {
        return aec_fail(err, errlen, AEC_ERR_ARGUMENT, "cannot write a WebP with %d channels (1...4 allowed)", channels);
    }
    if (!(quality >= 0 && quality <= 100)) {
        return aec_fail(err, errlen, AEC_ERR_ARGUMENT, "WebP quality %g is outside 0...100", (double)quality);
    }
    if (width == 0 || height == 0 || width > WEBP_MAX_SIDE || height > WEBP_MAX_SIDE || pixels == NULL ||
        !aec_size_ok(width, height, 4, SIZE_MAX)) {
        return aec_fail(err, errlen, AEC_ERR_ARGUMENT, "cannot write a WebP of %ux%u pixels (at most %d a side)",
                        (unsigned)width, (unsigned)height, WEBP_MAX_SIDE);
    }

    WebPConfig config;
    if (!WebPConfigPreset(&config, WEBP_PRESET_DEFAULT, quality)) {
        return aec_fail(err, errlen, AEC_ERR_ARGUMENT, "libwebp rejected the configuration (version mismatch?)");
    }
    if (method >= 0) config.method = method;
    if (segments >= 0) config.segments = segments;
    if (sns_strength >= 0) config.sns_strength = sns_strength;
    if (!WebPValidateConfig(&config)) {
        return aec_fail(err, errlen, AEC_ERR_ARGUMENT, "libwebp rejected method %d, segments %d, sns %d",
                        method, segments, sns_strength);
    }
    WebPPicture picture;
    if (!WebPPictureInit(&picture)) return aec_fail(err, errlen, AEC_ERR_ARGUMENT, "libwebp version mismatch");
    picture.width = (int)width;
    picture.height = (int)height;

    const uint8_t *source = pixels;
    uint8_t *widened = NULL;
    if (channels <= 2) {
        widened = widen_gray(pixels, (size_t)width * height, channels);
        if (widened == NULL) return aec_fail(err, errlen, AEC_ERR_NOMEM, "out of memory");
        source = widened;
    }
    int has_alpha = channels == 2 || channels == 4;
    int stride = (int)width * (has_alpha ? 4 : 3);
    int imported = has_alpha ? WebPPictureImportRGBA(&picture, source, stride)
                             : WebPPictureImportRGB(&picture, source, stride);
    free(widened);
    if (!imported) {
        WebPPictureFree(&picture);
        return aec_fail(err, errlen, AEC_ERR_NOMEM, "out of memory");
    }

    WebPMemoryWriter writer;
    WebPMemoryWriterInit(&writer);
    picture.writer = WebPMemoryWrite;
    picture.custom_ptr = &writer;
    int ok = WebPEncode(&config, &picture);
    WebPEncodingError code = picture.error_code;
    WebPPictureFree(&picture);
    if (!ok) {
        WebPMemoryWriterClear(&writer);
        int status = code == VP8_ENC_ERROR_OUT_OF_MEMORY || code == VP8_ENC_ERROR_BITSTREAM_OUT_OF_MEMORY
                         ? AEC_ERR_NOMEM : AEC_ERR_ARGUMENT;
        return aec_fail(err, errlen, status, "WebP encoding failed. Status: %d(%s)", (int)code, encode_error_name(code));
    }
    uint8_t *copy = malloc(writer.size > 0 ? writer.size : 1);
    if (copy == NULL) {
        WebPMemoryWriterClear(&writer);
        return aec_fail(err, errlen, AEC_ERR_NOMEM, "out of memory");
    }
    memcpy(copy, writer.mem, writer.size);
    *out = copy;
    *out_size = writer.size;
    WebPMemoryWriterClear(&writer);
    return AEC_OK;
}

int aec_webp_decode(const uint8_t *data, size_t size, size_t max_pixels, aec_image *out, char *err, size_t errlen) {
    if (out == NULL) return aec_fail(err, errlen, AEC_ERR_ARGUMENT, "no output image");
    memset(out, 0, sizeof *out);
    if (size == 0 || data == NULL) return aec_fail(err, errlen, AEC_ERR_FORMAT, "not a WebP file (empty)");
    if (size < 12 || memcmp(data, "RIFF", 4) != 0 || memcmp(data + 8, "WEBP", 4) != 0) {
        return aec_fail(err, errlen, AEC_ERR_FORMAT, "not a WebP file (no RIFF/WEBP header)");
    }

    WebPDecoderConfig config;
    if (!WebPInitDecoderConfig(&config)) return aec_fail(err, errlen, AEC_ERR_ARGUMENT, "libwebp version mismatch");
    VP8StatusCode status = WebPGetFeatures(data, size, &config.input);
    if (status != VP8_STATUS_OK) {
        return aec_fail(err, errlen, AEC_ERR_CORRUPT, "corrupt WebP: Status: %d(%s)", (int)status,
                        decode_status_name(status));
    }
    if (config.input.width <= 0 || config.input.height <= 0) {
        return aec_fail(err, errlen, AEC_ERR_CORRUPT, "corrupt WebP: %dx%d pixels", config.input.width,
                        config.input.height);
    }
    uint32_t width = (uint32_t)config.input.width, height = (uint32_t)config.input.height;
    int channels = config.input.has_alpha ? 4 : 3;
    if (!aec_size_ok(width, height, channels, max_pixels)) {
        return aec_fail(err, errlen, AEC_ERR_TOO_LARGE, "image too large: %ux%u pixels exceeds the limit of %zu pixels",
                        (unsigned)width, (unsigned)height, max_pixels);
    }
    size_t stride = (size_t)width * channels;
    uint8_t *pixels = malloc(stride * height);
    if (pixels == NULL) return aec_fail(err, errlen, AEC_ERR_NOMEM, "out of memory");

    config.output.colorspace = channels == 4 ? MODE_RGBA : MODE_RGB;
    config.output.is_external_memory = 1;
    config.output.u.RGBA.rgba = pixels;
    config.output.u.RGBA.stride = (int)stride;
    config.output.u.RGBA.size = stride * height;
    status = WebPDecode(data, size, &config);
    WebPFreeDecBuffer(&config.output);  // releases nothing of ours (external memory), but is the documented pairing
    if (status != VP8_STATUS_OK) {
        free(pixels);
        return aec_fail(err, errlen, AEC_ERR_CORRUPT, "corrupt WebP: Decoding failed. Status: %d(%s)", (int)status,
                        decode_status_name(status));
    }
    out->pixels = pixels;
    out->width = width;
    out->height = height;
    out->channels = channels;
    return AEC_OK;
}

int aec_webp_encoder_version(void) { return WebPGetEncoderVersion(); }
