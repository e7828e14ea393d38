import Foundation

/// This node's slots: the attempts it runs and the slots reserved by claims in flight.
///
/// A pure value guarded by the processor's lock. Every claim first reserves slots, so two claims
/// in flight at once (the claim loop's and the completion batch's) can never together take more
/// than `capacity`; the reservation is then turned into running attempts, or given back.
struct SlotLedger {
    let capacity: Int
    private(set) var running: [UUID: JobProcessor.RunningAttempt] = [:]
    private(set) var reserved = 0

    init(capacity: Int) {
        self.capacity = capacity
    }

    /// Reserves up to `wanted` slots, counting `freeing` running attempts as already gone because
    /// the claim commits together with their completion.
    mutating func reserve(upTo wanted: Int, freeing: Int = 0) -> Int {
        let available = self.capacity - self.occupied - self.reserved + freeing
        let granted = max(0, min(wanted, available))
        self.reserved += granted
        return granted
    }

    /// Turns a reservation of `granted` slots into the attempts claimed with it, after removing the
    /// attempts whose completion was committed with the claim.
    mutating func admit(_ claimed: [UUID: JobProcessor.RunningAttempt], reserved granted: Int, completed: [UUID]) {
        precondition(claimed.count <= granted, "a claim returns no more than it reserved")
        for id in completed {
            self.running.removeValue(forKey: id)
        }
        self.reserved -= granted
        self.running.merge(claimed) { _, new in new }
    }

    /// Attempts that hold a slot: every running attempt except parents waiting for their children.
    var occupied: Int {
        self.running.values.count { !$0.isAwaitingChildren }
    }

    /// Gives up the slot of a parent while it waits for its children, so they can run here too.
    mutating func beginAwaitingChildren(_ id: UUID) {
        self.running[id]?.isAwaitingChildren = true
    }

    /// Takes a slot again for a parent whose children have ended; false while every slot is taken,
    /// so the node never runs more than its capacity.
    mutating func endAwaitingChildren(_ id: UUID, force: Bool = false) -> Bool {
        guard self.running[id]?.isAwaitingChildren == true else { return true }
        guard force || self.occupied + self.reserved < self.capacity else { return false }
        self.running[id]?.isAwaitingChildren = false
        return true
    }

    /// Gives back a reservation that claimed nothing.
    mutating func release(reserved granted: Int) {
        self.reserved -= granted
    }

    /// Marks an attempt whose outcome is being recorded.
    mutating func markFinishing(_ id: UUID) {
        self.running[id]?.isFinishing = true
    }

    /// Forgets an attempt that has finished (or was never started).
    mutating func remove(_ id: UUID) {
        self.running.removeValue(forKey: id)
    }
}
