import Foundation
import WanggeDomain

/// A minimal XML writer for Open311's flat documents; every value is escaped as the exports' XML is
/// (`ExportText.xmlEscape`: characters XML 1.0 cannot carry are dropped rather than breaking the document).
struct XMLWriter {
    private(set) var text = "<?xml version=\"1.0\" encoding=\"utf-8\"?>"

    mutating func open(_ name: String) { text += "<\(name)>" }
    mutating func close(_ name: String) { text += "</\(name)>" }

    mutating func element(_ name: String, _ value: String?) {
        guard let value else {
            text += "<\(name)/>"
            return
        }
        text += "<\(name)>\(ExportText.xmlEscape(value))</\(name)>"
    }
}
