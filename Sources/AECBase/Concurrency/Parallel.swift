import Dispatch
import Foundation

public enum Parallel {
    /// The number of cores this process may use.
    public static var coreCount: Int { max(1, ProcessInfo.processInfo.activeProcessorCount) }

    /// Calls `body(worker, item)` for every item in 0..<count on `threads` threads; worker t takes items
    /// t, t + threads, t + 2·threads, … in order. Callers that need thread-count-independent results give
    /// each *item* its own output and combine items in index order afterwards.
    public static func forEach(_ count: Int, threads: Int, _ body: (_ worker: Int, _ item: Int) -> Void) {
        let t = max(1, min(threads, count))
        if t == 1 {
            for i in 0..<count { body(0, i) }
            return
        }
        DispatchQueue.concurrentPerform(iterations: t) { worker in
            var i = worker
            while i < count { body(worker, i); i += t }
        }
    }
}
