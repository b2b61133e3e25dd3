import FluentKit
import WanggePersistence
import XCTest

/// The hot models list their properties by hand instead of letting Fluent reflect on every row;
/// a property left out of the list would silently never be read or written, so the lists must
/// equal what reflection finds, in the same order.
final class ModelPropertiesTests: XCTestCase {
    func testListedPropertiesEqualTheReflectedOnes() {
        let models: [any Fields] = [CaseModel(), CaseEventModel(), AttachmentModel(), UserModel(), AuthSessionModel(), OrgUnitModel(), CategoryModel(), RollupModel(), OpenGaugeModel()]
        for model in models {
            let reflected = Mirror(reflecting: model).children.compactMap { $0.value as? any AnyProperty }.map { ObjectIdentifier($0 as AnyObject) }
            let listed = model.properties.map { ObjectIdentifier($0 as AnyObject) }
            XCTAssertFalse(listed.isEmpty)
            XCTAssertEqual(listed, reflected, "\(type(of: model)) lists other properties than it declares")
        }
    }
}
