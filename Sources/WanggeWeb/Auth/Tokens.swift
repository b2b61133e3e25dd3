import Foundation
import WanggePersistence

/// Random secrets for session cookies, bearer tokens and CSRF tokens. Only their SHA-256 is stored.
enum Tokens {
    /// 32 random bytes, URL-safe base64 without padding (256 bits). Encoded by table: the CSRF
    /// cookie is made on many requests, and Foundation's string replacing was most of its cost.
    static func random() -> String {
        var generator = SystemRandomNumberGenerator()
        var bytes: [UInt8] = []
        bytes.reserveCapacity(33)
        for _ in 0..<4 { withUnsafeBytes(of: generator.next() as UInt64) { bytes += $0 } }
        return base64URL(bytes)
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
