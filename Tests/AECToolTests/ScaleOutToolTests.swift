import AECBase
import AECCodec
import Foundation
import XCTest

/// Runs over large trees as a cluster does them: shards as separate processes (by flag and by each
/// scheduler's variables), re-runs that finish an interrupted run (`--skip-existing`), stale temporary files
/// of killed runs, and the JSON Lines report.
final class ScaleOutToolTests: XCTestCase {
    var folder: String!
    var model: String!

    override func setUpWithError() throws {
        folder = try Tools.temporaryFolder().path
        model = try TinyModels.path(seed: 1)
        // A tree of 23 small PNGs in nested folders.
        let samples = Tools.packageRoot.appendingPathComponent("Samples").path
        let pngs = FolderWalk.files(under: samples, extensions: ["png"]).files.filter { !$0.contains("mosaic") }
        XCTAssertGreaterThan(pngs.count, 3)
        for i in 0..<23 {
            let bytes = try FileSystem.read(Paths.join(samples, pngs[i % pngs.count]))
            try AtomicFile.write(bytes, to: path("in/\(["a", "b/c", "b", "d/e/f"][i % 4])/img-\(i).png"), createFolders: true)
        }
    }

    override func tearDownWithError() throws { try? FileManager.default.removeItem(atPath: folder) }

    func path(_ name: String) -> String { Paths.join(folder, name) }

    func encode(_ arguments: [String], environment: [String: String] = [:]) throws -> BinaryRun {
        try CodecTools.run("aec-encode", arguments + ["--model", model, "--jobs", "1"], environment: environment)
    }

    /// The files under `root` (hidden ones included) with their bytes.
    func contents(_ root: String) throws -> [String: [UInt8]] {
        var all: [String: [UInt8]] = [:]
        guard let walker = FileManager.default.enumerator(atPath: root) else { return [:] }
        while let relative = walker.nextObject() as? String {
            let full = Paths.join(root, relative)
            if FileSystem.kind(of: full) == .file { all[relative] = try FileSystem.read(full) }
        }
        return all
    }

    /// The report's lines as JSON objects.
    func records(_ reportPath: String) throws -> [[String: Any]] {
        let text = String(decoding: try FileSystem.read(reportPath), as: UTF8.self)
        return try text.split(separator: "\n").map { line in
            try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any], String(line))
        }
    }

    func testShardsCoverEveryFileOnceAndMatchASingleRun() throws {
        let single = try encode([path("in"), "-o", path("all")])
        XCTAssertEqual(single.status, 0, single.stderr)
        let expected = try contents(path("all"))
        XCTAssertEqual(expected.count, 23)
        for n in [1, 2, 3, 7] {
            var union: [String: [UInt8]] = [:]
            for k in 0..<n {
                let out = path("shards-\(n)/\(k)")
                let run = try encode([path("in"), "-o", out, "--shard", "\(k)/\(n)"])
                XCTAssertEqual(run.status, 0, run.stderr)
                XCTAssertTrue(run.stderr.contains("; shard \(k)/\(n) (from --shard)"), run.stderr)
                for (name, bytes) in try contents(out) {
                    XCTAssertNil(union[name], "\(name) in two shards of \(n)")
                    union[name] = bytes
                }
            }
            XCTAssertEqual(union, expected, "the \(n) shards together are the single run")
        }
    }

    func testSchedulerVariablesChooseTheShardAndFlagsWin() throws {
        func files(_ environment: [String: String], _ extra: [String] = []) throws -> Set<String> {
            let out = path("env-\(UUID().uuidString)")
            let run = try encode([path("in"), "-o", out] + extra, environment: environment)
            XCTAssertEqual(run.status, 0, run.stderr)
            return Set(try contents(out).keys)
        }
        let reference = try files([:], ["--shard", "1/3"])
        XCTAssertFalse(reference.isEmpty)
        XCTAssertEqual(try files(["SLURM_ARRAY_TASK_ID": "1", "SLURM_ARRAY_TASK_COUNT": "3"]), reference)
        XCTAssertEqual(try files(["SLURM_ARRAY_TASK_ID": "2", "SLURM_ARRAY_TASK_MIN": "1", "SLURM_ARRAY_TASK_MAX": "3"]), reference)
        XCTAssertEqual(try files(["JOB_COMPLETION_INDEX": "1"], ["--shard-count", "3"]), reference)
        XCTAssertEqual(try files(["JOB_COMPLETION_INDEX": "1", "AEC_SHARD_COUNT": "3"]), reference)
        XCTAssertEqual(try files(["AWS_BATCH_JOB_ARRAY_INDEX": "1", "AWS_BATCH_JOB_ARRAY_SIZE": "3"]), reference)
        XCTAssertEqual(try files(["BATCH_TASK_INDEX": "1", "BATCH_TASK_COUNT": "3"]), reference)
        // The flag wins over the environment.
        XCTAssertEqual(try files(["SLURM_ARRAY_TASK_ID": "0", "SLURM_ARRAY_TASK_COUNT": "2"], ["--shard", "1/3"]), reference)
        let named = try encode([path("in"), "-o", path("named")], environment: ["BATCH_TASK_INDEX": "1", "BATCH_TASK_COUNT": "3"])
        XCTAssertTrue(named.stderr.contains("; shard 1/3 (from BATCH_TASK_INDEX)"), named.stderr)
    }

    func testWrongShardsAreUsageErrors() throws {
        let cases: [([String], [String: String], String)] = [
            (["--shard", "3/3"], [:], "not in 0…2"),
            (["--shard", "x/3"], [:], "--shard takes K/N"),
            (["--shard", "1/0"], [:], "at least 1"),
            ([], ["SLURM_ARRAY_TASK_ID": "abc", "SLURM_ARRAY_TASK_COUNT": "3"], "SLURM_ARRAY_TASK_ID must be a whole number"),
            ([], ["SLURM_ARRAY_TASK_ID": "5", "SLURM_ARRAY_TASK_COUNT": "3"], "not in 0…2"),
            ([], ["SLURM_ARRAY_TASK_ID": "1"], "SLURM_ARRAY_TASK_COUNT"),
            ([], ["JOB_COMPLETION_INDEX": "1"], "--shard-count"),
            ([], ["AWS_BATCH_JOB_ARRAY_INDEX": "1"], "AWS_BATCH_JOB_ARRAY_SIZE"),
            ([], ["BATCH_TASK_INDEX": "-1", "BATCH_TASK_COUNT": "3"], "not in 0…2"),
            (["--shard-count", "3"], [:], "JOB_COMPLETION_INDEX"),
            (["--skip-existing", "--force"], [:], "use one"),
        ]
        for (arguments, environment, message) in cases {
            let run = try encode([path("in"), "-o", path("bad")] + arguments, environment: environment)
            XCTAssertEqual(run.status, 64, "\(arguments) \(environment): \(run.stderr)")
            XCTAssertTrue(run.stderr.contains(message), "\(arguments) \(environment): \(run.stderr)")
            XCTAssertFalse(FileManager.default.fileExists(atPath: path("bad")), "nothing written")
        }
    }

    /// A run killed with SIGKILL leaves no file a re-run would take for complete; the re-run with
    /// `--skip-existing` finishes the job, byte for byte as an uninterrupted run, and removes the killed
    /// run's temporary files (but not those of a live process).
    func testKilledRunIsFinishedBySkipExisting() throws {
        let uninterrupted = try encode([path("in"), "-o", path("ref")])
        XCTAssertEqual(uninterrupted.status, 0, uninterrupted.stderr)
        let process = try CodecTools.start("aec-encode", [path("in"), "-o", path("out"), "--model", model, "--jobs", "1"])
        for _ in 0..<500 where (try? contents(path("out")).count) ?? 0 < 3 { usleep(5_000) }
        kill(process.processIdentifier, SIGKILL)
        _ = CodecTools.finish(process)
        // What a killed run leaves: stale temporary files (made here with a dead PID; ours is alive).
        let dead = try deadPID()
        try AtomicFile.write([1, 2], to: path("out/a/.img-0.aec.tmp-\(AtomicFile.hostTag)-\(dead)-7"), createFolders: true)
        try AtomicFile.write([1, 2], to: path("out/a/.img-4.aec.tmp-\(dead)-3"))
        let live = path("out/a/.img-8.aec.tmp-\(AtomicFile.hostTag)-\(getpid())-1")
        try AtomicFile.write([1, 2], to: live)
        let otherHost = path("out/a/.img-8.aec.tmp-00000000-\(dead)-2")
        try AtomicFile.write([1, 2], to: otherHost)
        let before = try contents(path("out")).keys.filter { !$0.contains("/.") }.count
        if before == 23 { print("note: the run finished before SIGKILL; only the re-run and the cleanup are checked") }

        let rerun = try encode([path("in"), "-o", path("out"), "--skip-existing", "--report", path("report.jsonl")])
        XCTAssertEqual(rerun.status, 0, rerun.stderr)
        let left = 23 - before  // the summary says "1 file done", "2 files done"
        XCTAssertTrue(rerun.stderr.contains("\(left) file\(left == 1 ? "" : "s") done, \(before) up to date")
                      || (before == 23 && rerun.stderr.contains("0 files done, 23 up to date")), rerun.stderr)
        XCTAssertTrue(rerun.stderr.contains("removed 2 temporary file(s) of earlier runs"), rerun.stderr)
        var finished = try contents(path("out"))
        XCTAssertNotNil(finished.removeValue(forKey: "a/" + Paths.name(of: live)), "a live process's temporary file stays")
        XCTAssertNotNil(finished.removeValue(forKey: "a/" + Paths.name(of: otherHost)), "another host's temporary file stays")
        XCTAssertEqual(finished, try contents(path("ref")), "complete and byte-identical to the uninterrupted run")
        let statuses = try records(path("report.jsonl")).compactMap { $0["status"] as? String }
        XCTAssertEqual(statuses.filter { $0 == "up to date" }.count, before)
        XCTAssertEqual(statuses.filter { $0 == "done" }.count, 23 - before)
    }

    func testReportIsJSONLinesWhoseTotalsMatchTheSummary() throws {
        try AtomicFile.write([0x89, 0x50, 0x4E, 0x47, 1, 2], to: path("in/b/broken.png"))
        let run = try CodecTools.run("aec-encode", [path("in"), "-o", path("out"), "--model", model, "-v",
                                                   "--report", path("r.jsonl")])
        XCTAssertEqual(run.status, 1, run.stderr)
        let lines = try records(path("r.jsonl"))
        let files = lines.filter { $0["summary"] == nil }
        let summary = try XCTUnwrap(lines.last)
        XCTAssertEqual(summary["summary"] as? Bool, true)
        XCTAssertEqual(files.count, 24)
        XCTAssertEqual(summary["done"] as? Int, 23)
        XCTAssertEqual(summary["failed"] as? Int, 1)
        XCTAssertEqual(summary["up_to_date"] as? Int, 0)
        XCTAssertTrue(summary["shard"] is NSNull)
        let done = files.filter { $0["status"] as? String == "done" }
        XCTAssertEqual(done.count, 23)
        let bytesOut = done.compactMap { $0["bytes_out"] as? Int }.reduce(0, +)
        XCTAssertEqual(summary["bytes_out"] as? Int, bytesOut)
        XCTAssertEqual(summary["bytes_in"] as? Int, done.compactMap { $0["bytes_in"] as? Int }.reduce(0, +))
        let aecBytes = try contents(path("out")).values.map(\.count).reduce(0, +)
        XCTAssertEqual(bytesOut, aecBytes, "the bytes written")
        XCTAssertTrue(run.stderr.contains("23 files done, 1 failed"), run.stderr)
        let fingerprint = String(format: "%06x", try CodecModel.load(from: model).fingerprint)
        for record in done {
            XCTAssertEqual(record["model"] as? String, fingerprint)
            XCTAssertEqual(record["bits"] as? Int, 6)
            XCTAssertNotNil(record["psnr"] as? Double, "PSNR with -v")
            XCTAssertNotNil(record["ms"] as? Double)
            XCTAssertEqual(record.keys.count, 10)
        }
        let failed = try XCTUnwrap(files.first { $0["status"] as? String == "failed" })
        XCTAssertEqual(failed["input"] as? String, path("in/b/broken.png"))
        XCTAssertTrue((failed["message"] as? String)?.contains("broken.png") == true, "\(failed)")

        // Decoding writes the same kind of record.
        let decoded = try CodecTools.run("aec-decode", [path("out"), "-o", path("png"), "--model", model, "--report", path("d.jsonl")])
        XCTAssertEqual(decoded.status, 0, decoded.stderr)
        let decodeLines = try records(path("d.jsonl"))
        XCTAssertEqual(decodeLines.last?["done"] as? Int, 23)
        XCTAssertEqual(decodeLines.last?["tool"] as? String, "aec-decode")
    }

    /// A PID that no process has now: a child that has exited and been waited for.
    func deadPID() throws -> Int32 {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/true")
        try process.run()
        process.waitUntilExit()
        return process.processIdentifier
    }
}
