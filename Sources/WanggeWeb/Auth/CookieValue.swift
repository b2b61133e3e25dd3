import Vapor

extension Request {
    /// The value of the cookie `name`, as `cookies[name]?.string` reads it, found in the Cookie headers' bytes: Vapor
    /// parses every cookie of the headers, directives and all, into a dictionary at each read of `cookies`, and the
    /// session and the CSRF check read it on every page (4% of a grid worker's page). Headers with a quote in them,
    /// which Vapor reads as quoted strings, go to its parser.
    func cookie(named name: String) -> String? {
        let headers = self.headers[.cookie]
        guard let value = Self.cookieValue(headers, named: name) else { return cookies[name]?.string }
        return value
    }

    /// RFC 2616's separators, which a cookie's name cannot hold.
    private static let tokenSeparators = Set("()<>@,;:\\\"/[]?={} \t".utf8)

    /// The last value of `name` among the headers' pairs, which are separated by `;` or `,`, each a token name, `=` and a
    /// value trimmed of spaces and tabs, as Vapor's directives are; nil inside when there is none. Nil outside when a header holds a `"`.
    static func cookieValue(_ headers: [String], named name: String) -> String?? {
        var found: String?
        let wanted = Array(name.utf8)
        for var header in headers {
            let scanned: String?? = header.withUTF8 { bytes in
                if bytes.contains(UInt8(ascii: "\"")) { return .none }
                func blank(_ byte: UInt8) -> Bool { byte == UInt8(ascii: " ") || byte == UInt8(ascii: "\t") }
                func separator(_ byte: UInt8) -> Bool { byte == UInt8(ascii: ";") || byte == UInt8(ascii: ",") }
                func token(_ byte: UInt8) -> Bool { byte > 31 && byte < 127 && !Self.tokenSeparators.contains(byte) }
                var last: String?
                var start = 0
                while start < bytes.count {
                    var end = start
                    while end < bytes.count, !separator(bytes[end]) { end += 1 }
                    // A name is a token straight up to its `=`, as RFC 2616 has it (no space before the `=`).
                    var low = start
                    while low < end, blank(bytes[low]) { low += 1 }
                    var equals = low
                    while equals < end, token(bytes[equals]) { equals += 1 }
                    if equals < end, bytes[equals] == UInt8(ascii: "=") {
                        if bytes[low..<equals].elementsEqual(wanted) {
                            var (from, to) = (equals + 1, end)
                            while from < to, blank(bytes[from]) { from += 1 }
                            while to > from, blank(bytes[to - 1]) { to -= 1 }
                            last = String(decoding: UnsafeBufferPointer(rebasing: bytes[from..<to]), as: UTF8.self)
                        }
                    }
                    start = end + 1
                }
                return .some(last)
            }
            guard let scanned else { return .none }
            if let value = scanned { found = value }
        }
        return .some(found)
    }
}
