import Foundation
import LeafKit
import XCTest
@testable import WanggeWeb

/// The types handed to Leaf as its data directly (`LeafDataRepresentable`) give the templates every field their
/// `Encodable` form has, by the same names and values: a field added to one and forgotten in the other would vanish
/// from the page without an error.
final class LeafDataParityTests: XCTestCase {
    func testTheStringTablesLeafDataIsTheirEncodedForm() throws {
        // The pages' lists and choices are written in Swift now (`SelectOptions`, `Markup.escape`); the string tables
        // are what remains handed to Leaf as its data directly.
        try assertParity(StringTable.chinese)
        try assertParity(StringTable.english)
    }

    private func assertParity<T: Encodable & LeafDataRepresentable>(_ value: T, file: StaticString = #filePath, line: UInt = #line) throws {
        let encoded = try XCTUnwrap(JSONSerialization.jsonObject(with: JSONEncoder().encode(value)) as? [String: Any], file: file, line: line)
        let leaf = try XCTUnwrap(value.leafData.dictionary, file: file, line: line)
        XCTAssertEqual(Set(leaf.keys), Set(encoded.keys), "\(T.self): the same fields", file: file, line: line)
        for (key, plain) in encoded {
            let data = try XCTUnwrap(leaf[key], file: file, line: line)
            switch data.celf {
            case .bool: XCTAssertEqual(data.bool, plain as? Bool, "\(T.self).\(key)", file: file, line: line)
            case .string: XCTAssertEqual(data.string, plain as? String, "\(T.self).\(key)", file: file, line: line)
            case .int: XCTAssertEqual(data.int, (plain as? NSNumber)?.intValue, "\(T.self).\(key)", file: file, line: line)
            default: XCTFail("\(T.self).\(key): Leaf data of \(data.celf) not compared", file: file, line: line)
            }
        }
    }
}
