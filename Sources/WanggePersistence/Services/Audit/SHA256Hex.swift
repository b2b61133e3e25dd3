import Crypto
import Foundation

/// SHA-256 as lower-case hex: the one digest used for secrets stored as hashes (session and API
/// tokens, query codes, client keys), photo file names and the audit chain.
public enum SHA256Hex {
    public static func of(_ data: Data) -> String {
        SHA256.hash(data: data).withUnsafeBytes { hex($0, after: "") }
    }

    /// Lower-case hex by table lookup: `String(format:)` per byte cost more than the hash itself.
    static func hex<Bytes: Sequence>(_ bytes: Bytes) -> String where Bytes.Element == UInt8 {
        Array(bytes).withUnsafeBytes { hex($0, after: "") }
    }

    /// `prefix` and the bytes in lower-case hex, written into the string's own storage at once.
    private static func hex(_ bytes: UnsafeRawBufferPointer, after prefix: String) -> String {
        String(unsafeUninitializedCapacity: prefix.utf8.count + 2 * bytes.count) { out in
            var end = 0
            for byte in prefix.utf8 {
                out[end] = byte
                end += 1
            }
            for byte in bytes {
                out[end] = digits[Int(byte >> 4)]
                out[end + 1] = digits[Int(byte & 0x0f)]
                end += 2
            }
            return end
        }
    }

    private static let digits = Array("0123456789abcdef".utf8)

    /// Hashes the string's own UTF-8 bytes, without copying them into a `Data` first.
    public static func of(_ text: String) -> String {
        of(text, after: "")
    }

    /// `prefix` followed by the digest of `text` (a query code's stored form, `QueryCodeHash.stored`) in one string.
    public static func of(_ text: String, after prefix: String) -> String {
        var text = text
        return text.withUTF8 { SHA256.hash(data: UnsafeRawBufferPointer($0)).withUnsafeBytes { hex($0, after: prefix) } }
    }
}
