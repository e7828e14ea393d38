extension Duration {
    /// The whole milliseconds in this duration, for SQL intervals and log fields.
    public var milliseconds: Int64 {
        self.components.seconds * 1000 + self.components.attoseconds / 1_000_000_000_000_000
    }
}
