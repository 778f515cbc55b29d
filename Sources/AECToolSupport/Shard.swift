import Foundation

/// One of N parts of a run's input files, so that N processes (on N machines) can share a tree without
/// talking to each other.
///
/// A file belongs to shard `hash(path) mod N`, where the path is relative to its input root (`a/b.png` for
/// `IN/a/b.png`; a file given by itself is hashed by the path as written) and the hash is 64-bit FNV-1a of
/// its UTF-8 bytes. So the split depends on neither listing order nor file system, and every shard of one
/// command line agrees on it.
public struct Shard: Equatable, Sendable, CustomStringConvertible {
    /// 0-based index, below `count`.
    public let index: Int
    public let count: Int
    /// Where the shard came from: "--shard" or the environment variable that set it.
    public let source: String

    public init(index: Int, count: Int, source: String) {
        self.index = index; self.count = count; self.source = source
    }

    /// "2/7"
    public var description: String { "\(index)/\(count)" }

    /// Whether the file at `relativePath` (relative to its input root) is this shard's.
    public func contains(relativePath: String) -> Bool {
        Int(Self.hash(relativePath) % UInt64(count)) == index
    }

    /// 64-bit FNV-1a of the path's UTF-8 bytes.
    static func hash(_ path: String) -> UInt64 {
        var h: UInt64 = 0xCBF2_9CE4_8422_2325
        for byte in path.utf8 { h = (h ^ UInt64(byte)) &* 0x0000_0100_0000_01B3 }
        return h
    }

    /// The environment variable that gives the shard count where the scheduler does not (Kubernetes
    /// Indexed Jobs set only `JOB_COMPLETION_INDEX`).
    public static let countVariable = "AEC_SHARD_COUNT"

    /// The shard of this run: `--shard K/N` when given, else the one a scheduler's array job sets, else nil
    /// (the whole input). `countFlag` is `--shard-count`, for schedulers that give only the index.
    ///
    /// Schedulers, in the order they are looked for:
    /// - Slurm job arrays: `SLURM_ARRAY_TASK_ID` − `SLURM_ARRAY_TASK_MIN` (0 when unset) of
    ///   `SLURM_ARRAY_TASK_COUNT` (or `SLURM_ARRAY_TASK_MAX` − `SLURM_ARRAY_TASK_MIN` + 1);
    /// - Kubernetes Indexed Jobs: `JOB_COMPLETION_INDEX` of `--shard-count` or `AEC_SHARD_COUNT`;
    /// - AWS Batch array jobs: `AWS_BATCH_JOB_ARRAY_INDEX` of `AWS_BATCH_JOB_ARRAY_SIZE`;
    /// - Google Cloud Batch: `BATCH_TASK_INDEX` of `BATCH_TASK_COUNT`.
    /// - Throws: `UsageError` for a malformed value, an index not below the count, or an index without a count.
    public static func resolve(flag: String?, countFlag: Int?, environment: [String: String]) throws -> Shard? {
        if let flag {
            let parts = flag.split(separator: "/", omittingEmptySubsequences: false)
            guard parts.count == 2, let k = Int(parts[0]), let n = Int(parts[1]) else {
                throw UsageError("--shard takes K/N, like 2/7 (got '\(flag)')")
            }
            return try checked(k, n, source: "--shard")
        }
        func number(_ name: String) throws -> Int? {
            guard let text = environment[name] else { return nil }
            guard let value = Int(text.trimmingCharacters(in: .whitespaces)) else {
                throw UsageError("\(name) must be a whole number (got '\(text)')")
            }
            return value
        }
        if let id = try number("SLURM_ARRAY_TASK_ID") {
            let min = try number("SLURM_ARRAY_TASK_MIN") ?? 0
            var count = try number("SLURM_ARRAY_TASK_COUNT")
            if count == nil, let max = try number("SLURM_ARRAY_TASK_MAX") { count = max - min + 1 }
            guard let count else {
                throw UsageError("SLURM_ARRAY_TASK_ID is set but neither SLURM_ARRAY_TASK_COUNT nor SLURM_ARRAY_TASK_MAX is")
            }
            return try checked(id - min, count, source: "SLURM_ARRAY_TASK_ID")
        }
        if let index = try number("JOB_COMPLETION_INDEX") {
            guard let count = try countFlag ?? number(countVariable) else {
                throw UsageError("JOB_COMPLETION_INDEX is set: give the number of shards with --shard-count or \(countVariable)")
            }
            return try checked(index, count, source: "JOB_COMPLETION_INDEX")
        }
        if let index = try number("AWS_BATCH_JOB_ARRAY_INDEX") {
            guard let count = try number("AWS_BATCH_JOB_ARRAY_SIZE") else {
                throw UsageError("AWS_BATCH_JOB_ARRAY_INDEX is set but AWS_BATCH_JOB_ARRAY_SIZE is not")
            }
            return try checked(index, count, source: "AWS_BATCH_JOB_ARRAY_INDEX")
        }
        if let index = try number("BATCH_TASK_INDEX") {
            guard let count = try number("BATCH_TASK_COUNT") else {
                throw UsageError("BATCH_TASK_INDEX is set but BATCH_TASK_COUNT is not")
            }
            return try checked(index, count, source: "BATCH_TASK_INDEX")
        }
        if countFlag != nil { throw UsageError("--shard-count goes with JOB_COMPLETION_INDEX (Kubernetes); use --shard K/N otherwise") }
        return nil
    }

    private static func checked(_ index: Int, _ count: Int, source: String) throws -> Shard {
        guard count >= 1 else { throw UsageError("\(source): the number of shards must be at least 1 (got \(count))") }
        guard (0..<count).contains(index) else {
            throw UsageError("\(source): shard \(index) is not in 0…\(count - 1) (\(count) shards)")
        }
        return Shard(index: index, count: count, source: source)
    }
}
