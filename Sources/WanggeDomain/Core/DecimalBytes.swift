extension Array where Element == UInt8 {
    /// Appends `n` (not negative) in decimal, zero-padded to `width` digits, as ASCII bytes, without
    /// making a `String` first: JSON dates and the event hash's field lengths are written this way.
    public mutating func appendDecimal(_ n: Int64, width: Int = 1) {
        precondition(n >= 0, "appendDecimal writes no sign")
        var scratch: (UInt64, UInt64, UInt64) = (0, 0, 0) // room for 19 digits and padding up to 24
        Swift.withUnsafeMutableBytes(of: &scratch) { buffer in
            var at = buffer.count, rest = n
            repeat {
                at -= 1
                buffer[at] = UInt8(ascii: "0") + UInt8(rest % 10)
                rest /= 10
            } while rest > 0 || buffer.count - at < width
            append(contentsOf: buffer[at...])
        }
    }
}
