/// Scratch memory that one thread reuses across layer calls, so that hot loops never allocate.
///
/// A slot is a growable float buffer; `buffer(_:count:)` returns it with at least `count` floats (contents
/// unspecified). A workspace must not be shared between threads.
public final class Workspace {
    private var slots: [UnsafeMutableBufferPointer<Float>] = []

    public init() {}

    deinit { for s in slots { s.deallocate() } }

    public func buffer(_ slot: Int, count: Int) -> UnsafeMutablePointer<Float> {
        while slots.count <= slot { slots.append(.allocate(capacity: 0)) }
        if slots[slot].count < max(count, 1) {
            slots[slot].deallocate()
            slots[slot] = .allocate(capacity: max(count, 1))
        }
        return slots[slot].baseAddress!
    }
}
