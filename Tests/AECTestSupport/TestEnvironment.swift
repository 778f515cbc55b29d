import AECBase
import Foundation
import XCTest

/// Switches and places every test target shares.
public enum TestEnvironment {
    /// Whether the slow tests run: `AEC_HEAVY_TESTS=1`.
    public static var heavyTestsEnabled: Bool { ProcessInfo.processInfo.environment["AEC_HEAVY_TESTS"] == "1" }

    /// Throws XCTSkip unless `AEC_HEAVY_TESTS=1`.
    public static func requireHeavyTests(_ what: String) throws {
        try XCTSkipUnless(heavyTestsEnabled, "\(what): heavy test, run with AEC_HEAVY_TESTS=1")
    }

    /// A new empty folder under the system's temporary folder.
    public static func temporaryFolder(_ prefix: String = "aec-test") throws -> String {
        let path = Paths.join(NSTemporaryDirectory(), "\(prefix)-\(UUID().uuidString)")
        try FileSystem.makeFolders(path)
        return path
    }
}
