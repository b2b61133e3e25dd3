import Foundation

/// `<option>` elements written in Swift for the long lists (a county's 1,000 grids, 1,112 units):
/// Leaf's loop took some 20 µs an option, 40% of a dispatcher's case page, whose dispatch forms
/// each list every grid. Values and labels are escaped as Leaf's `#()` escapes them.
enum SelectOptions {
    static func html(_ options: [(value: String, label: String, selected: Bool)]) -> String {
        var out = ""
        out.reserveCapacity(options.reduce(0) { $0 + $1.value.utf8.count + $1.label.utf8.count + 36 })
        for option in options {
            out += "<option value=\"" + GridMapSVG.escape(option.value) + (option.selected ? "\" selected>" : "\">")
                + GridMapSVG.escape(option.label) + "</option>"
        }
        return out
    }

    /// `html` (options written by `html(_:)`, none selected) with the option of `value` selected.
    static func selecting(_ value: String, in html: String) -> String {
        let value = GridMapSVG.escape(value)
        guard let option = html.range(of: "<option value=\"" + value + "\">") else { return html }
        var out = html
        out.replaceSubrange(option, with: "<option value=\"" + value + "\" selected>")
        return out
    }
}
