import Foundation
import WanggeDomain

/// A minimal XML writer for Open311's flat documents, as UTF-8 bytes; every value is escaped as the exports' XML is
/// (`ExportText.xmlEscape`: characters XML 1.0 cannot carry are dropped rather than breaking the document).
struct XMLWriter {
    private(set) var bytes = Array("<?xml version=\"1.0\" encoding=\"utf-8\"?>".utf8)

    mutating func open(_ name: String) {
        bytes.append(UInt8(ascii: "<"))
        bytes.append(contentsOf: name.utf8)
        bytes.append(UInt8(ascii: ">"))
    }

    mutating func close(_ name: String) {
        bytes.append(contentsOf: "</".utf8)
        bytes.append(contentsOf: name.utf8)
        bytes.append(UInt8(ascii: ">"))
    }

    mutating func element(_ name: String, _ value: String?) {
        guard let value else {
            bytes.append(UInt8(ascii: "<"))
            bytes.append(contentsOf: name.utf8)
            bytes.append(contentsOf: "/>".utf8)
            return
        }
        open(name)
        ExportText.appendXMLEscaped(value, to: &bytes)
        close(name)
    }
}
