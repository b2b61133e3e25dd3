import Crypto
import Foundation

/// SHA-256 as lower-case hex: the one digest used for secrets stored as hashes (session and API
/// tokens, query codes, client keys), photo file names and the audit chain.
public enum SHA256Hex {
    public static func of(_ data: Data) -> String {
        hex(SHA256.hash(data: data))
    }

    /// Lower-case hex by table lookup: `String(format:)` per byte cost more than the hash itself.
    static func hex<Bytes: Sequence>(_ bytes: Bytes) -> String where Bytes.Element == UInt8 {
        let digits = Array("0123456789abcdef".utf8)
        var out: [UInt8] = []
        out.reserveCapacity(64)
        for byte in bytes {
            out.append(digits[Int(byte >> 4)])
            out.append(digits[Int(byte & 0x0f)])
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// Hashes the string's own UTF-8 bytes, without copying them into a `Data` first.
    public static func of(_ text: String) -> String {
        var text = text
        return text.withUTF8 { hex(SHA256.hash(data: UnsafeRawBufferPointer($0))) }
    }
}
