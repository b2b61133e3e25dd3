import Foundation

/// The project's one escape for text written into HTML and SVG, as Leaf's `#()` escapes it (the same five characters, the
/// same entities): pages, lists and maps written in Swift go through it.
enum Markup {
    /// Escapes text for HTML and SVG. Ranking pages and maps escape thousands of names, nearly all
    /// without a special character: those are returned as they are, and the rest are rewritten
    /// byte by byte (the five characters are ASCII, so UTF-8 sequences pass through whole).
    static func escape(_ text: String) -> String {
        var text = text
        // Scanned as the string's own bytes: through the `utf8` view, each byte an index step of its own, the scan of a
        // thousand grids' names was 6% of a ranking page.
        let escaped: String? = text.withUTF8 { bytes in
            guard let first = bytes.firstIndex(where: isSpecial) else { return nil }
            var out: [UInt8] = []
            out.reserveCapacity(bytes.count + 16)
            out.append(contentsOf: bytes[..<first])
            for byte in bytes[first...] {
                switch byte {
                case 0x26: out += "&amp;".utf8
                case 0x3C: out += "&lt;".utf8
                case 0x3E: out += "&gt;".utf8
                case 0x22: out += "&quot;".utf8
                case 0x27: out += "&#39;".utf8
                default: out.append(byte)
                }
            }
            return String(decoding: out, as: UTF8.self)
        }
        return escaped ?? text
    }

    /// `&`, `<`, `>`, `"` and `'`, all below `?`: a byte of a Chinese character, at 0x80 or above, is passed at the first
    /// comparison.
    @inline(__always) private static func isSpecial(_ byte: UInt8) -> Bool {
        byte < 0x3F && (byte == 0x26 || byte == 0x3C || byte == 0x3E || byte == 0x22 || byte == 0x27)
    }
}
