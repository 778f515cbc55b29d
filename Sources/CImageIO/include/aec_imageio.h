// aec_imageio.h — PNG and JPEG in memory, with errors returned as text.
//
// libpng and libjpeg report fatal errors by longjmp, which Swift cannot catch. Every setjmp/longjmp stays
// inside these C functions: each returns AEC_OK (0) on success, or one of the AEC_ERR_* codes with a
// one-line, human-readable message written (NUL-terminated, truncated to fit) into `err[0..<errlen]`.
// On failure nothing is allocated for the caller and `*out` is left empty.
#ifndef AEC_IMAGEIO_H
#define AEC_IMAGEIO_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define AEC_OK 0
#define AEC_ERR_FORMAT 1     // not a file of the expected format (bad signature, empty)
#define AEC_ERR_CORRUPT 2    // the library rejected the data: bad CRC, bad compressed data, truncation, …
#define AEC_ERR_TOO_LARGE 3  // width * height exceeds the caller's max_pixels
#define AEC_ERR_NOMEM 4      // an allocation failed
#define AEC_ERR_ARGUMENT 5   // the caller passed an invalid argument (size, channels, quality)

/// A decoded image: 8-bit samples, row-major, channels interleaved (1 gray, 2 gray+alpha, 3 RGB, 4 RGBA).
typedef struct aec_image {
    uint8_t *pixels;  // width * height * channels bytes; malloc'd, release with aec_free
    uint32_t width;
    uint32_t height;
    int channels;
} aec_image;

/// PNG decoding in two calls, so that the samples land in the caller's buffer without a copy:
/// aec_png_read_header gives the size and channel count (out->pixels stays NULL) from the header alone;
/// aec_png_decode_into then decodes into a buffer of exactly width * height * channels bytes (out->pixels
/// is that buffer). Any PNG becomes 8-bit samples: palette images expand to RGB (RGBA when they have tRNS),
/// 1/2/4-bit gray expands to 8 bits with exact scaling (1-bit 1 → 255), 16-bit samples become
/// round(v * 255 / 65535), tRNS on gray or RGB adds an alpha channel. No gamma or colour transforms are
/// applied. Interlaced images are supported. Images with width * height > max_pixels, and files too short
/// for the rows their header declares, are rejected by both calls.
int aec_png_read_header(const uint8_t *data, size_t size, size_t max_pixels, aec_image *out, char *err, size_t errlen);
int aec_png_decode_into(const uint8_t *data, size_t size, size_t max_pixels, uint8_t *pixels, size_t capacity,
                        aec_image *out, char *err, size_t errlen);

/// Encodes 8-bit samples (channels 1 gray, 2 gray+alpha, 3 RGB, 4 RGBA) as a PNG with default compression.
/// On success `*out` is a malloc'd buffer of `*out_size` bytes; release it with aec_free.
int aec_png_encode(const uint8_t *pixels, uint32_t width, uint32_t height, int channels,
                   uint8_t **out, size_t *out_size, char *err, size_t errlen);

/// Encodes 8-bit samples (channels 1 → one grayscale component; 3 → YCbCr with the library's default 4:2:0
/// subsampling) as a baseline JPEG of the given quality (1...100), with optimized Huffman tables when
/// `optimize_huffman` is non-zero. On success `*out` is a malloc'd buffer of `*out_size` bytes (aec_free).
int aec_jpeg_encode(const uint8_t *pixels, uint32_t width, uint32_t height, int channels, int quality,
                    int optimize_huffman, uint8_t **out, size_t *out_size, char *err, size_t errlen);

/// Decodes a JPEG: grayscale stays 1 channel, everything else becomes RGB (3 channels). Corrupt-data warnings
/// (e.g. a truncated file) are treated as errors.
int aec_jpeg_decode(const uint8_t *data, size_t size, size_t max_pixels, aec_image *out, char *err, size_t errlen);

/// Encodes 8-bit samples as a lossy WebP of the given quality (0...100): libwebp's default preset (method 4,
/// 4 segments, sns 50), with `method` (0...6), `segments` (1...4) and `sns_strength` (0...100) replacing the
/// preset's where they are not -1 (cwebp's -m, -segments, -sns). Gray (1 channel) and gray + alpha (2) are
/// widened to RGB / RGBA with R = G = B; 2 and 4 channels keep alpha. Either side must be at most 16383
/// pixels. On success `*out` is a malloc'd buffer of `*out_size` bytes (aec_free).
int aec_webp_encode(const uint8_t *pixels, uint32_t width, uint32_t height, int channels, float quality,
                    int method, int segments, int sns_strength, uint8_t **out, size_t *out_size, char *err,
                    size_t errlen);

/// Decodes a WebP (lossy or lossless) to RGB (3 channels), or RGBA (4) when it has alpha.
int aec_webp_decode(const uint8_t *data, size_t size, size_t max_pixels, aec_image *out, char *err, size_t errlen);

/// libwebp's encoder version as 0xMMmmpp (e.g. 0x010204 for 1.2.4).
int aec_webp_encoder_version(void);

/// The libjpeg in use: LIBJPEG_TURBO_VERSION_NUMBER (e.g. 2001005 for 2.1.5) with libjpeg-turbo, else 0;
/// `*api` receives JPEG_LIB_VERSION (e.g. 62).
int aec_jpeg_library_version(int *api);

/// Releases a buffer returned by this library (NULL is allowed).
void aec_free(void *pointer);

#ifdef __cplusplus
}
#endif

#endif
