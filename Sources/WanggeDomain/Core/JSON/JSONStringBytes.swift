extension Array where Element == UInt8 {
    /// A finite number as JSON: its shortest description, a whole one without ".0", as Foundation's encoder
    /// writes it (`StreamingJSONEncoder` and Open311's writer). The caller has checked that it is finite.
    public mutating func appendJSONNumber<F: BinaryFloatingPoint & LosslessStringConvertible>(_ value: F) {
        var text = value.description
        if text.hasSuffix(".0") { text.removeLast(2) }
        append(contentsOf: text.utf8)
    }

    /// Appends `text` as a JSON string: quotes, backslashes and control characters escaped; slashes and
    /// non-ASCII as they are (every byte of a multi-byte UTF-8 sequence is 0x80 or above, so escaping byte
    /// by byte is safe). The API's answers (`JSONOutput`) and PostgreSQL's JSON rows (`PostgresJSONRows`)
    /// are written with it.
    public mutating func appendJSONString(_ text: String) {
        var text = text
        text.withUTF8 { utf8 in
            append(UInt8(ascii: "\""))
            var runStart = 0
            for (i, byte) in utf8.enumerated() where byte < 0x20 || byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "\\") {
                append(contentsOf: UnsafeBufferPointer(rebasing: utf8[runStart..<i]))
                runStart = i + 1
                switch byte {
                case UInt8(ascii: "\""): append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "\"")])
                case UInt8(ascii: "\\"): append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "\\")])
                case 0x0A: append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "n")])
                case 0x0D: append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "r")])
                case 0x09: append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "t")])
                case 0x08: append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "b")])
                case 0x0C: append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "f")])
                default:
                    append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "u"), UInt8(ascii: "0"), UInt8(ascii: "0"),
                                        jsonHexDigits[Int(byte >> 4)], jsonHexDigits[Int(byte & 0xF)]])
                }
            }
            append(contentsOf: UnsafeBufferPointer(rebasing: utf8[runStart...]))
            append(UInt8(ascii: "\""))
        }
    }
}

private let jsonHexDigits = Array("0123456789abcdef".utf8)
