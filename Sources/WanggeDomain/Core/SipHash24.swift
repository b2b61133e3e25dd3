/// SipHash-2-4 (Aumasson and Bernstein, 2012): a keyed pseudo-random function for short inputs, with a
/// 128-bit key. Used as the round function of the query codes' cipher (`QueryCodeCipher`), where it runs
/// twenty times a report: a hash for data integrity (SHA-256) would cost several times as much and is not
/// keyed.
public struct SipHash24: Sendable, Equatable {
    private let k0: UInt64
    private let k1: UInt64

    /// `key`: 16 bytes, read little-endian as the reference does.
    public init?(key: [UInt8]) {
        guard key.count == 16 else { return nil }
        k0 = Self.littleEndian(key, 0, 8)
        k1 = Self.littleEndian(key, 8, 8)
    }

    /// The hash of one 8-byte message, the word `message` written little-endian.
    public func hash(_ message: UInt64) -> UInt64 {
        var state = start()
        state.absorb(message)
        return state.finish(length: 8)
    }

    /// The hash of any bytes (the reference's test vectors).
    public func hash(_ bytes: [UInt8]) -> UInt64 {
        var state = start()
        let whole = bytes.count / 8 * 8
        for offset in stride(from: 0, to: whole, by: 8) {
            state.absorb(Self.littleEndian(bytes, offset, 8))
        }
        return state.finish(length: bytes.count, tail: Self.littleEndian(bytes, whole, bytes.count - whole))
    }

    private func start() -> State {
        State(v0: k0 ^ 0x736f_6d65_7073_6575, v1: k1 ^ 0x646f_7261_6e64_6f6d, v2: k0 ^ 0x6c79_6765_6e65_7261, v3: k1 ^ 0x7465_6462_7974_6573)
    }

    private static func littleEndian(_ bytes: [UInt8], _ offset: Int, _ count: Int) -> UInt64 {
        var word: UInt64 = 0
        for index in 0..<count { word |= UInt64(bytes[offset + index]) << (8 * UInt64(index)) }
        return word
    }

    private struct State {
        var v0, v1, v2, v3: UInt64

        mutating func absorb(_ word: UInt64) {
            v3 ^= word
            round()
            round()
            v0 ^= word
        }

        /// The last block (the message's length in its top byte, the bytes left over below), then the four
        /// finishing rounds.
        mutating func finish(length: Int, tail: UInt64 = 0) -> UInt64 {
            absorb(UInt64(truncatingIfNeeded: length) << 56 | tail)
            v2 ^= 0xff
            round()
            round()
            round()
            round()
            return v0 ^ v1 ^ v2 ^ v3
        }

        @inline(__always)
        mutating func round() {
            v0 &+= v1; v1 = v1.rotatedLeft(13); v1 ^= v0; v0 = v0.rotatedLeft(32)
            v2 &+= v3; v3 = v3.rotatedLeft(16); v3 ^= v2
            v0 &+= v3; v3 = v3.rotatedLeft(21); v3 ^= v0
            v2 &+= v1; v1 = v1.rotatedLeft(17); v1 ^= v2; v2 = v2.rotatedLeft(32)
        }
    }
}

extension UInt64 {
    @inline(__always)
    fileprivate func rotatedLeft(_ bits: UInt64) -> UInt64 {
        self << bits | self >> (64 - bits)
    }
}
