import FluentKit

extension Fields {
    /// A column kept as a plain stored value (`ColumnProperty`); an optional `Value` is a nullable column.
    public typealias Column<Value> = ColumnProperty<Self, Value> where Value: Codable & Sendable
}

/// A model's column held as a plain value of its type, for a model read and written on hot paths (the case).
///
/// Fluent's `@Field` and `@OptionalField` keep a value that was set as a `DatabaseQuery.Value` and read it
/// back with a dynamic cast, in generic code of another module that looks up its type's metadata under a lock
/// at every read and write: a transition touches its case's columns some 150 times (decoding the row, the
/// step's before and after, the answer), and those wrappers were a seventh of its CPU. Here a read is a load
/// and a write a store, specialised in this module.
///
/// To Fluent it is what `@Field` is (and with an optional `Value`, `@OptionalField`): a column a query filters
/// and sorts by, whose changes a save writes (set since it was last read or saved) and which decoding a row
/// fills. Reading it before it is set or read gives nil for an optional column and otherwise stops the program,
/// as Fluent's do.
@propertyWrapper
public final class ColumnProperty<Model: Fields, WrappedValue: Codable & Sendable>: @unchecked Sendable {
    public let key: FieldKey
    /// nil until set or read; a nullable column's NULL is `.some(nil)`.
    private var stored: WrappedValue?
    /// Set since it was last read or saved: what a save writes.
    private var changed = false

    public init(key: FieldKey) {
        self.key = key
    }

    public var wrappedValue: WrappedValue {
        get {
            if let stored { return stored }
            // As Fluent's: an optional column never set nor read is nil; any other stops the program.
            guard let nullable = WrappedValue.self as? any NullableColumnValue.Type else {
                fatalError("Cannot access field '\(Model.self).\(key)' before it is initialized or fetched")
            }
            return nullable.null as! WrappedValue
        }
        set {
            stored = newValue
            changed = true
        }
    }

    public var projectedValue: ColumnProperty<Model, WrappedValue> { self }

    /// The value as the database takes it: NULL for a nullable column's nil.
    static func databaseValue(_ value: WrappedValue) -> DatabaseQuery.Value {
        guard let nullable = value as? any NullableColumnValue else { return .bind(value) }
        // What an optional `WrappedValue` wraps is `Codable & Sendable` too (a column's types are).
        return nullable.wrapped.map { .bind($0 as! any Encodable & Sendable) } ?? .null
    }
}

/// An optional column value, seen without knowing its wrapped type.
private protocol NullableColumnValue {
    var wrapped: Any? { get }
    static var null: Self { get }
}

extension Optional: NullableColumnValue {
    var wrapped: Any? { map { $0 } }
    static var null: Self { nil }
}

extension ColumnProperty: Property {
    public var value: WrappedValue? {
        get { stored }
        set {
            stored = newValue
            changed = newValue != nil
        }
    }
}

extension ColumnProperty: AnyQueryableProperty, QueryableProperty {
    public var path: [FieldKey] { [key] }

    public static func queryValue(_ value: WrappedValue) -> DatabaseQuery.Value {
        databaseValue(value)
    }
}

extension ColumnProperty: AnyQueryAddressableProperty, QueryAddressableProperty {
    public var anyQueryableProperty: any AnyQueryableProperty { self }
    public var queryablePath: [FieldKey] { path }
    public var queryableProperty: ColumnProperty<Model, WrappedValue> { self }
}

extension ColumnProperty: AnyDatabaseProperty {
    public var keys: [FieldKey] { [key] }

    public func input(to input: any DatabaseInput) {
        if input.wantsUnmodifiedKeys {
            input.set(stored.map(Self.databaseValue) ?? .default, at: key)
        } else if changed, let stored {
            input.set(Self.databaseValue(stored), at: key)
        }
    }

    public func output(from output: any DatabaseOutput) throws {
        guard output.contains(key) else { return }
        do {
            // A nullable column's NULL asked first, as Fluent's own does: what a save hands back (its input)
            // holds NULL as `.null`, which it cannot decode as an optional.
            if let nullable = WrappedValue.self as? any NullableColumnValue.Type, try output.decodeNil(key) {
                stored = .some(nullable.null as! WrappedValue)
            } else {
                stored = try output.decode(key, as: WrappedValue.self)
            }
            changed = false
        } catch {
            throw FluentError.invalidField(name: key.description, valueType: WrappedValue.self, error: error)
        }
    }
}

extension ColumnProperty: AnyCodableProperty {
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(wrappedValue)
    }

    public func decode(from decoder: any Decoder) throws {
        wrappedValue = try decoder.singleValueContainer().decode(WrappedValue.self)
    }
}
