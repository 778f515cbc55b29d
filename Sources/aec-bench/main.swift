import AECBench
for s in EngineBenchmark.convolutionShapes() {
    let r = EngineBenchmark.measureGEMM(s)
    print(s.name, String(format: "%.1f GFLOPS vs ref %.2f, err %.1e", r.gflops, r.referenceGflops, r.maxRelativeError))
}
