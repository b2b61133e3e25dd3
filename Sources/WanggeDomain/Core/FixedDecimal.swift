import Foundation

/// `x` with `digits` decimals, exactly as `String(format: "%.<digits>f", x)` writes it (glibc's rounding: ties to even
/// on the exact binary value). Foundation's formatting goes through CoreFoundation's format parser before `snprintf`, some
/// 2 µs a number, and a ranking of 1,000 grids or an overview's 5,000 markers write thousands of them; `snprintf` through
/// `withVaList` still built a list object per number (three quarters of this function's time on an overview's map).
/// So a number whose scaled value fits in 64 bits is rounded here in integers, exactly; the rest go to `snprintf`.
public enum FixedDecimal {
    public static func string(_ x: Double, digits: Int) -> String {
        let digits = max(0, min(digits, 17))
        return exact(x, digits: digits) ?? printed(x, digits: digits)
    }

    private static let powersOfTen: [UInt64] = (0...17).map { (0..<$0).reduce(1) { n, _ in n * 10 } }

    /// x × 10^digits rounded as printf rounds it, written with its point; nil when it does not fit in 64 bits.
    private static func exact(_ x: Double, digits: Int) -> String? {
        guard x.isFinite, x.magnitude < 0x1p63 else { return nil }
        // x = m × 2^e exactly (a subnormal has no hidden bit).
        let biased = Int(x.exponentBitPattern)
        let m = UInt128(biased == 0 ? x.significandBitPattern : x.significandBitPattern | (1 << 52))
        let e = (biased == 0 ? 1 : biased) - 1075
        let scale = UInt128(powersOfTen[digits])
        var q: UInt128
        if e >= 0 {
            q = (m << e) * scale // under 2^63 × 10^17
        } else if -e > 110 {
            q = 0 // m × 10^digits < 2^110, under half of 2^-e
        } else {
            let n = m * scale, shift = -e
            q = n >> shift
            let rest = n & ((1 << shift) - 1), half = UInt128(1) << (shift - 1)
            if rest > half || (rest == half && q & 1 == 1) { q += 1 }
        }
        guard q <= UInt128(UInt64.max) else { return nil }
        return written(UInt64(q), digits: digits, negative: x.sign == .minus)
    }

    /// The scaled integer with its point before the last `digits` digits, and printf's sign (also for "-0.0").
    private static func written(_ value: UInt64, digits: Int, negative: Bool) -> String {
        String(unsafeUninitializedCapacity: 24) { buffer in
            // From the right: the fraction's digits, the point, then the whole part (at least a 0); then moved to the front.
            var end = 24, n = value, count = 0
            repeat {
                if count == digits && digits > 0 { end -= 1; buffer[end] = UInt8(ascii: ".") }
                end -= 1
                buffer[end] = UInt8(ascii: "0") + UInt8(n % 10)
                n /= 10
                count += 1
            } while n > 0 || count <= digits
            if negative { end -= 1; buffer[end] = UInt8(ascii: "-") }
            let length = 24 - end
            for i in 0..<length { buffer[i] = buffer[end + i] }
            return length
        }
    }

    private static func printed(_ x: Double, digits: Int) -> String {
        withUnsafeTemporaryAllocation(of: CChar.self, capacity: 352) { buffer in
            // 352: the longest "%.17f" of a finite double (309 digits, sign, point, 17 decimals) and the terminator.
            let written = withVaList([Int32(digits), x]) { vsnprintf(buffer.baseAddress!, buffer.count, "%.*f", $0) }
            guard written >= 0, Int(written) < buffer.count else { return "" }
            return String(cString: buffer.baseAddress!)
        }
    }
}
