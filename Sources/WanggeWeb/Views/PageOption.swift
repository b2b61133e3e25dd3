/// One choice of a page's `<select>` or checkboxes, written out by `SelectOptions`.
struct PageOption {
    var value: String
    var label: String
    var selected = false
}
