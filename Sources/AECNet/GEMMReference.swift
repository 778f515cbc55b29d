/// The plain triple-loop matrix multiply that the tests and the benchmark compare `sgemm` against.
///
/// Same contract as `sgemm`: `C = op(A)·op(B)` (or `C += op(A)·op(B)` when `accumulate`), all row-major,
/// where `op(A)` is M×K and `op(B)` is K×N. Sums run over K in order in `Double`, so it is also the
/// accurate answer the fast version is measured against.
public func sgemmReference(
    transA: Bool, transB: Bool, m: Int, n: Int, k: Int,
    a: UnsafePointer<Float>, lda: Int,
    b: UnsafePointer<Float>, ldb: Int,
    c: UnsafeMutablePointer<Float>, ldc: Int,
    accumulate: Bool
) {
    for i in 0..<m {
        for j in 0..<n {
            var sum = 0.0
            for p in 0..<k {
                let aip = transA ? a[p * lda + i] : a[i * lda + p]
                let bpj = transB ? b[j * ldb + p] : b[p * ldb + j]
                sum += Double(aip) * Double(bpj)
            }
            c[i * ldc + j] = Float(sum) + (accumulate ? c[i * ldc + j] : 0)
        }
    }
}
