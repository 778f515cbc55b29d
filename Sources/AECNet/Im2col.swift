/// im2col and col2im for the only convolution the network uses: 3×3 kernel, stride 1, zero padding 1
/// ("same"), on channels-last images (see `Tensor`).
///
/// The pixels of an N×H×W batch are numbered q = (b·H + y)·W + x. For a run of `count` pixels starting at
/// `first`, the column matrix is [count × 9·C]:
///
///     col[q − first, (ky·3 + kx)·C + ci] = in[b, y + ky − 1, x + kx − 1, ci]     (0 outside the image)
///
/// so `col · W` with W laid out [3, 3, Cin, Cout] (a (9·Cin)×Cout matrix) is the convolution. Working on a
/// run of pixels rather than a whole batch keeps the column buffer small enough to stay in cache.

/// Fills `col` ([count × 9·c]) from `input` ([n, h, w, c]) for pixels first..<first+count.
func im2col3x3(input: UnsafePointer<Float>, h: Int, w: Int, c: Int,
               first: Int, count: Int, col: UnsafeMutablePointer<Float>) {
    let rowLength = 9 * c
    for q in first..<(first + count) {
        let b = q / (h * w), y = (q / w) % h, x = q % w
        var dst = col + (q - first) * rowLength
        for ky in 0..<3 {
            let yy = y + ky - 1
            for kx in 0..<3 {
                let xx = x + kx - 1
                if yy >= 0 && yy < h && xx >= 0 && xx < w {
                    dst.update(from: input + ((b * h + yy) * w + xx) * c, count: c)
                } else {
                    dst.update(repeating: 0, count: c)
                }
                dst += c
            }
        }
    }
}

/// The adjoint of `im2col3x3`: adds (`+=`) every entry of `col` back into the input position it was
/// copied from, so `dInput` accumulates the gradient of all nine taps.
func col2im3x3(col: UnsafePointer<Float>, h: Int, w: Int, c: Int,
               first: Int, count: Int, dInput: UnsafeMutablePointer<Float>) {
    let rowLength = 9 * c
    for q in first..<(first + count) {
        let b = q / (h * w), y = (q / w) % h, x = q % w
        var src = col + (q - first) * rowLength
        for ky in 0..<3 {
            let yy = y + ky - 1
            for kx in 0..<3 {
                let xx = x + kx - 1
                if yy >= 0 && yy < h && xx >= 0 && xx < w {
                    addInPlace(dInput + ((b * h + yy) * w + xx) * c, src, count: c)
                }
                src += c
            }
        }
    }
}

/// dst[i] += src[i] for i in 0..<count, eight at a time.
@inline(__always)
func addInPlace(_ dst: UnsafeMutablePointer<Float>, _ src: UnsafePointer<Float>, count: Int) {
    var i = 0
    while i + 8 <= count {
        let d = UnsafeMutableRawPointer(dst + i)
        d.storeBytes(of: d.loadUnaligned(as: SIMD8<Float>.self)
                        + UnsafeRawPointer(src + i).loadUnaligned(as: SIMD8<Float>.self), as: SIMD8<Float>.self)
        i += 8
    }
    while i < count { dst[i] += src[i]; i += 1 }
}
