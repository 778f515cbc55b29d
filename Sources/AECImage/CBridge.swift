import CImageIO

/// Calls into CImageIO: error-buffer handling and copying C-allocated results into Swift arrays.
enum CBridge {
    private static let errorCapacity = 256

    /// Runs `body` with an error buffer; throws the matching `ImageIOError` when it returns a non-zero status.
    static func call(_ body: (UnsafeMutablePointer<CChar>, Int) -> Int32) throws {
        var message = [CChar](repeating: 0, count: errorCapacity)
        let status = message.withUnsafeMutableBufferPointer { buffer -> Int32 in
            guard let base = buffer.baseAddress else { return AEC_ERR_NOMEM }
            return body(base, buffer.count)
        }
        if status != AEC_OK {
            let bytes = message.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }
            throw ImageIOError(status: status, message: String(decoding: bytes, as: UTF8.self))
        }
    }

    /// Runs a C decoder over `bytes` and turns its `aec_image` into an `Image`.
    static func decode(_ bytes: [UInt8], maxPixels: Int,
                       _ decoder: (UnsafePointer<UInt8>?, Int, Int, UnsafeMutablePointer<aec_image>,
                                   UnsafeMutablePointer<CChar>, Int) -> Int32) throws -> Image {
        var decoded = aec_image()
        try bytes.withUnsafeBufferPointer { data in
            try call { err, errlen in
                decoder(data.baseAddress, data.count, max(0, maxPixels), &decoded, err, errlen)
            }
        }
        defer { aec_free(decoded.pixels) }
        let width = Int(decoded.width), height = Int(decoded.height), channels = Int(decoded.channels)
        guard let pixels = decoded.pixels, width >= 1, height >= 1, (1...4).contains(channels) else {
            throw ImageIOError(.corrupt, "decoder returned an empty image")
        }
        let samples = Array(UnsafeBufferPointer(start: pixels, count: width * height * channels))
        return Image(width: width, height: height, channels: channels, samples: samples)
    }

    /// Runs a C encoder over `image` and returns its output bytes.
    static func encode(_ image: Image,
                       _ encoder: (UnsafePointer<UInt8>?, UInt32, UInt32, Int32,
                                   UnsafeMutablePointer<UnsafeMutablePointer<UInt8>?>, UnsafeMutablePointer<Int>,
                                   UnsafeMutablePointer<CChar>, Int) -> Int32) throws -> [UInt8] {
        guard let width = UInt32(exactly: image.width), let height = UInt32(exactly: image.height) else {
            throw ImageIOError(.invalidArgument, "cannot encode an image of \(image.width)x\(image.height) pixels")
        }
        var output: UnsafeMutablePointer<UInt8>? = nil
        var size = 0
        defer { aec_free(output) }
        try image.samples.withUnsafeBufferPointer { samples in
            try call { err, errlen in
                encoder(samples.baseAddress, width, height, Int32(image.channels), &output, &size, err, errlen)
            }
        }
        guard let output else { throw ImageIOError(.outOfMemory, "encoder returned no data") }
        return Array(UnsafeBufferPointer(start: output, count: size))
    }
}
