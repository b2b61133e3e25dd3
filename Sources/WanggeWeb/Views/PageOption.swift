import LeafKit

/// One choice of a page's `<select>` as the templates loop over it (`#(o.value)`, `#(o.label)`, `#if(o.selected)`).
/// Handed to Leaf as its data directly: through `Codable`, Leaf's encoder made a container for each option's
/// three fields, and a page's options and rows were a tenth of its CPU.
struct PageOption: Encodable, LeafDataRepresentable {
    var value: String
    var label: String
    var selected = false

    var leafData: LeafData {
        .dictionary(["value": .string(value), "label": .string(label), "selected": .bool(selected)])
    }
}
