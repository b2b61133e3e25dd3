import Foundation

/// `<option>` elements written in Swift for the long lists (a county's 1,000 grids, 1,112 units):
/// Leaf's loop took some 20 µs an option, 40% of a dispatcher's case page, whose dispatch forms
/// each list every grid. Values and labels are escaped as Leaf's `#()` escapes them.
enum SelectOptions {
    static func html(_ options: [(value: String, label: String, selected: Bool)]) -> String {
        var out = ""
        out.reserveCapacity(options.reduce(0) { $0 + $1.value.utf8.count + $1.label.utf8.count + 36 })
        for option in options {
            out += "<option value=\"" + Markup.escape(option.value) + (option.selected ? "\" selected>" : "\">")
                + Markup.escape(option.label) + "</option>"
        }
        return out
    }

    static func html(_ options: [PageOption]) -> String {
        html(options.map { ($0.value, $0.label, $0.selected) })
    }

    /// The options with the one whose value is `value` selected (a form sent back, a filter as asked).
    static func html(_ options: [PageOption], selecting value: String?) -> String {
        html(options.map { ($0.value, $0.label, $0.value == value) })
    }

    /// Each group's options under an `<optgroup>` of its label.
    static func groups(_ groups: [(label: String, options: [PageOption])]) -> String {
        groups.map { "<optgroup label=\"" + Markup.escape($0.label) + "\">" + html($0.options) + "</optgroup>" }.joined()
    }

    /// A checkbox for each option, named `name`, none checked.
    static func checks(_ options: [PageOption], name: String) -> String {
        var out = ""
        for option in options {
            out += "<label class=\"check\"><input type=\"checkbox\" name=\"" + Markup.escape(name) + "\" value=\""
                + Markup.escape(option.value) + "\"> " + Markup.escape(option.label) + "</label>"
        }
        return out
    }

    /// `html` (options written by `html(_:)`, none selected) with the option of `value` selected. Found by its bytes:
    /// Foundation's `range(of:)` over a county's 1,000 grids' options was a quarter of a dispatcher's case page.
    static func selecting(_ value: String, in html: String) -> String {
        let value = Markup.escape(value)
        var html = html
        let needle = Array(("<option value=\"" + value + "\">").utf8)
        return html.withUTF8 { text -> String in
            guard let at = firstIndex(of: needle, in: text) else { return String(decoding: text, as: UTF8.self) }
            return String(decoding: text[..<at], as: UTF8.self) + "<option value=\"" + value + "\" selected>"
                + String(decoding: text[(at + needle.count)...], as: UTF8.self)
        }
    }

    /// Where `needle` first starts in `text`: `memchr` to each `<`, then `memcmp`.
    private static func firstIndex(of needle: [UInt8], in text: UnsafeBufferPointer<UInt8>) -> Int? {
        guard let base = text.baseAddress, !needle.isEmpty else { return nil }
        var at = 0
        while text.count - at >= needle.count {
            guard let hit = memchr(base + at, Int32(needle[0]), text.count - at) else { return nil }
            at = UnsafeRawPointer(hit) - UnsafeRawPointer(base)
            guard text.count - at >= needle.count else { return nil }
            if memcmp(base + at, needle, needle.count) == 0 { return at }
            at += 1
        }
        return nil
    }
}
