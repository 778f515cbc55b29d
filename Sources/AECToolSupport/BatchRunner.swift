import AECBase
import AECCodec
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Dispatch

/// The exit statuses of `aec-encode` and `aec-decode` (an interrupted run exits 128 + the signal).
public enum ExitStatus {
    public static let success: Int32 = 0
    /// Something failed (some files may still have been done).
    public static let failure: Int32 = 1
    /// Bad usage (ArgumentParser's validation errors give the same).
    public static let usage: Int32 = 64
}

/// Runs a plan: every file through a `FileJob`, in parallel, with progress, one line per failure and a
/// summary at the end.
///
/// One file uses all `jobs` threads for its tiles; several files run `jobs` at a time, each on one
/// thread. The codec's output does not depend on the number of threads, so neither do the files written.
public enum BatchRunner {
    /// - Returns: `ExitStatus.success`, or `.failure` when any file (or the output folder, or the report)
    ///   failed.
    public static func run(_ plan: InputPlan, job: some FileJob, settings: RunSettings, direction: RunSummary.Direction,
                           console: Console) -> Int32 {
        var plan = plan
        if let shard = settings.shard { plan.files.removeAll { !shard.contains(relativePath: $0.relativePath) } }
        for failure in plan.failures { console.error(failure.path, failure.cause) }
        for folder in plan.emptyFolders {
            console.warning("\(folder): no \(direction == .encode ? ".png or .jpg" : ".aec") files in this folder")
        }
        if let folder = plan.outputFolder, !plan.files.isEmpty {
            do {
                try FileSystem.makeFolders(folder)
                guard access(folder, W_OK | X_OK) == 0 else {
                    throw FileFailure(path: folder, cause: "cannot write into this folder: \(FileSystem.reason())")
                }
            } catch let error as FileSystemError {
                let isFile = FileSystem.kind(of: error.path) == .file
                console.error(error.path, isFile ? "exists and is not a folder" : error.reason)
                return ExitStatus.failure
            } catch {
                let failure = error as? FileFailure ?? FileFailure(path: folder, cause: "\(error)")
                console.error(failure.path, failure.cause)
                return ExitStatus.failure
            }
        }
        let report: RunReport?
        do {
            report = try settings.reportPath.map { try RunReport(path: $0) }
        } catch {
            let failure = error as? FileFailure ?? FileFailure(path: settings.reportPath ?? "", cause: "\(error)")
            console.error(failure.path, failure.cause)
            return ExitStatus.failure
        }
        removeStaleTemporaries(of: plan.files, console: console)

        var summary = RunSummary(direction: direction)
        summary.failed = plan.failures.count
        summary.skipped = plan.skippedOtherFiles
        let lock = Lock()
        let progress = Progress(console: console, total: plan.files.count)
        let files = plan.files
        var next = 0
        let work = { (file: PlannedFile, threads: Int, within: Codec.ProgressHandler?) in
            let start = DispatchTime.now().uptimeNanoseconds
            let milliseconds = { Double(DispatchTime.now().uptimeNanoseconds - start) / 1e6 }
            if settings.skipExisting, case .file(let path) = file.destination, FileSystem.kind(of: path) == .file {
                // Outputs are put in place whole (AtomicFile), so one that exists is complete.
                report?.file(file, status: "up to date", milliseconds: milliseconds())
                let now = lock.withLock { summary.upToDate += 1; return summary }
                progress.update(now)
                return
            }
            do {
                let outcome = try job.run(file, jobs: threads, progress: within)
                console.detail(outcome.detail)
                for note in outcome.notes { console.detail("note: \(file.name): \(note)") }
                report?.file(file, status: "done", outcome: outcome, milliseconds: milliseconds())
                let now = lock.withLock { summary.add(outcome); return summary }
                progress.update(now)
            } catch {
                let failure = error as? FileFailure ?? FileFailure(path: file.name, cause: ToolHints.describe(error))
                console.error(failure.path, failure.cause)
                report?.file(file, status: "failed", message: failure.description, milliseconds: milliseconds())
                let now = lock.withLock { summary.failed += 1; return summary }
                progress.update(now)
            }
        }
        if files.count == 1 {
            // One file: progress within it, band by band.
            work(files[0], settings.jobs, progress.withinFile(named: files[0].name))
        } else if !files.isEmpty {
            let workers = max(1, min(settings.jobs, files.count))
            DispatchQueue.concurrentPerform(iterations: workers) { _ in
                while true {
                    let index = lock.withLock { () -> Int in defer { next += 1 }; return next }
                    guard index < files.count else { return }
                    work(files[index], 1, nil)
                }
            }
        }
        progress.finish()
        let shard = settings.shard.map { "; shard \($0) (from \($0.source))" } ?? ""
        console.info(summary.line(seconds: progress.elapsed) + shard)
        report?.summary(summary, tool: console.tool, shard: settings.shard, seconds: progress.elapsed)
        return summary.failed > 0 ? ExitStatus.failure : ExitStatus.success
    }

    /// Removes, from every folder this run writes into, the temporary files of earlier runs on this host
    /// that were killed before they could clean up (`AtomicFile.removeStaleTemporaries`).
    static func removeStaleTemporaries(of files: [PlannedFile], console: Console) {
        var folders = Set<String>()
        for file in files { if case .file(let path) = file.destination { folders.insert(Paths.parent(of: path)) } }
        for folder in folders.sorted() {
            let removed = AtomicFile.removeStaleTemporaries(in: folder)
            if !removed.isEmpty {
                console.info("removed \(removed.count) temporary file(s) of earlier runs that were killed, in \(folder)")
            }
        }
    }
}
