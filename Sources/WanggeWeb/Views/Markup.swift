import Foundation

/// The project's one escape for text written into HTML and SVG, as Leaf's `#()` escapes it (the same five characters, the
/// same entities): pages, lists and maps written in Swift go through it.
enum Markup {
    /// Escapes text for HTML and SVG. Ranking pages and maps escape thousands of names, nearly all
    /// without a special character: those are returned as they are, and the rest are rewritten
    /// byte by byte (the five characters are ASCII, so UTF-8 sequences pass through whole).
    static func escape(_ text: String) -> String {
        guard text.utf8.contains(where: { $0 == 0x26 || $0 == 0x3C || $0 == 0x3E || $0 == 0x22 || $0 == 0x27 }) else { return text }
        var bytes: [UInt8] = []
        bytes.reserveCapacity(text.utf8.count + 16)
        for byte in text.utf8 {
            switch byte {
            case 0x26: bytes += "&amp;".utf8
            case 0x3C: bytes += "&lt;".utf8
            case 0x3E: bytes += "&gt;".utf8
            case 0x22: bytes += "&quot;".utf8
            case 0x27: bytes += "&#39;".utf8
            default: bytes.append(byte)
            }
        }
        return String(decoding: bytes, as: UTF8.self)
    }
}
