import Foundation

/// `x` with `digits` decimals, exactly as `String(format: "%.<digits>f", x)` writes it, through C's `snprintf` directly:
/// Foundation's formatting goes through CoreFoundation's format parser before the same `snprintf`, some 2 µs a number,
/// and a ranking of 1,000 grids or an overview's 5,000 markers write thousands of them.
public enum FixedDecimal {
    public static func string(_ x: Double, digits: Int) -> String {
        let digits = Int32(max(0, min(digits, 17)))
        return withUnsafeTemporaryAllocation(of: CChar.self, capacity: 352) { buffer in
            // 352: the longest "%.17f" of a finite double (309 digits, sign, point, 17 decimals) and the terminator.
            let written = withVaList([digits, x]) { vsnprintf(buffer.baseAddress!, buffer.count, "%.*f", $0) }
            guard written >= 0, Int(written) < buffer.count else { return "" }
            return String(cString: buffer.baseAddress!)
        }
    }
}
