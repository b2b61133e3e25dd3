import Crypto
import Foundation

/// SHA-256 as lower-case hex: the one digest used for secrets stored as hashes (session and API
/// tokens, query codes, client keys), photo file names and the audit chain.
public enum SHA256Hex {
    public static func of(_ data: Data) -> String {
        SHA256.hash(data: data).map { String(format: "%02x", $0) }.joined()
    }

    public static func of(_ text: String) -> String { of(Data(text.utf8)) }
}
