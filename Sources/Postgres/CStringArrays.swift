import Foundation

/// Calls `body` with two NULL-terminated-string arrays built from `first` and `second`.
///
/// The C strings live only for the duration of `body`; nil entries in `second` become NULL pointers,
/// which libpq reads as SQL NULL parameters. Nothing may keep the pointers after `body` returns.
func withCStringArrays<Result>(
    _ first: [String],
    _ second: [String?],
    _ body: (UnsafePointer<UnsafePointer<CChar>?>, UnsafePointer<UnsafePointer<CChar>?>) throws -> Result
) rethrows -> Result {
    let firstCopies = first.map { strdup($0) } + [nil]
    let secondCopies = second.map { $0.map { strdup($0) } ?? nil } + [nil]
    defer {
        for pointer in firstCopies { free(pointer) }
        for pointer in secondCopies { free(pointer) }
    }
    let firstConst = firstCopies.map { UnsafePointer($0) }
    let secondConst = secondCopies.map { UnsafePointer($0) }
    return try firstConst.withUnsafeBufferPointer { firstBuffer in
        try secondConst.withUnsafeBufferPointer { secondBuffer in
            try body(firstBuffer.baseAddress!, secondBuffer.baseAddress!)
        }
    }
}
