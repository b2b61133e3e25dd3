import Foundation
import WanggePersistence

/// Random secrets for session cookies, bearer tokens and CSRF tokens. Only their SHA-256 is stored.
enum Tokens {
    /// 32 random bytes, URL-safe base64 without padding (256 bits). Encoded by table: the CSRF
    /// cookie is made on many requests, and Foundation's string replacing was most of its cost.
    static func random() -> String {
        base64URL(randomBytes(32))
    }

    /// `count` random bytes drawn eight at a time: each draw is a system call, and a page's mask drawn byte by byte
    /// (43 calls) was a twentieth of the report form's CPU.
    static func randomBytes(_ count: Int) -> [UInt8] {
        var generator = SystemRandomNumberGenerator()
        var bytes: [UInt8] = []
        bytes.reserveCapacity(count + 7)
        while bytes.count < count { withUnsafeBytes(of: generator.next() as UInt64) { bytes += $0 } }
        return Array(bytes.prefix(count))
    }

    private static let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_".utf8)

    /// RFC 4648 §5 (URL and filename safe), no padding.
    static func base64URL(_ bytes: [UInt8]) -> String {
        var out: [UInt8] = []
        out.reserveCapacity((bytes.count * 4 + 2) / 3)
        var i = 0
        while i < bytes.count {
            let b0 = Int(bytes[i]), b1 = i + 1 < bytes.count ? Int(bytes[i + 1]) : 0, b2 = i + 2 < bytes.count ? Int(bytes[i + 2]) : 0
            out.append(alphabet[b0 >> 2])
            out.append(alphabet[((b0 & 0x03) << 4) | (b1 >> 4)])
            if i + 1 < bytes.count { out.append(alphabet[((b1 & 0x0F) << 2) | (b2 >> 6)]) }
            if i + 2 < bytes.count { out.append(alphabet[b2 & 0x3F]) }
            i += 3
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// The token under a fresh random mask: the pad, then the token XOR the pad, in URL-safe base64.
    /// Every page then carries different bytes for the same secret, so the length of a compressed
    /// page that also echoes what a visitor typed tells an eavesdropper nothing about it (BREACH).
    static func masked(_ token: String) -> String {
        let secret = Array(token.utf8)
        let pad = randomBytes(secret.count)
        return base64URL(pad + zip(pad, secret).map { $0 ^ $1 })
    }

    /// The token inside a masked one, or nil when `text` is not one.
    static func unmasked(_ text: String) -> String? {
        var base64 = text.replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
        base64 += String(repeating: "=", count: (4 - base64.count % 4) % 4)
        guard let data = Data(base64Encoded: base64), !data.isEmpty, data.count % 2 == 0 else { return nil }
        let bytes = Array(data), half = bytes.count / 2
        return String(validating: zip(bytes[..<half], bytes[half...]).map { $0 ^ $1 }, as: UTF8.self)
    }

    static func hash(_ token: String) -> String {
        SHA256Hex.of(token)
    }

    /// Constant-time comparison so a CSRF check leaks nothing through timing.
    static func equal(_ a: String, _ b: String) -> Bool {
        let x = Array(a.utf8), y = Array(b.utf8)
        guard x.count == y.count else { return false }
        var diff: UInt8 = 0
        for i in 0..<x.count { diff |= x[i] ^ y[i] }
        return diff == 0
    }
}
