/// Cuts a tenant's entities into chunks of consecutive ids, the unit a large job processes (and,
/// later, hands out to other nodes).
public enum IDRangeChunks {
    /// Consecutive id ranges holding at most `chunkSize` of `sortedIDs` each.
    ///
    /// The ranges are contiguous, from the first id to the last: each starts at one of the ids and
    /// runs up to the next range's start, so an entity that appears in a gap later still belongs to
    /// exactly one range.
    ///
    /// - Parameters:
    ///   - sortedIDs: the entities' ids, ascending and distinct.
    ///   - chunkSize: the most ids a range may hold; at least 1.
    public static func ranges(of sortedIDs: [Int64], chunkSize: Int) -> [ClosedRange<Int64>] {
        precondition(chunkSize > 0, "a chunk must hold at least one id, not \(chunkSize)")
        guard let last = sortedIDs.last else { return [] }
        let starts = stride(from: 0, to: sortedIDs.count, by: chunkSize).map { sortedIDs[$0] }
        return starts.indices.map { index in
            let end = index + 1 < starts.count ? starts[index + 1] - 1 : last
            return starts[index]...end
        }
    }
}
