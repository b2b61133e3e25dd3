/// An extra field a category asks for (Open311 "attributes"): e.g. what a street vendor sells,
/// how many workers are owed wages.
public struct ServiceAttribute: Sendable, Codable, Equatable {
    public enum DataType: String, Sendable, Codable {
        case string, number, datetime, text, singlevaluelist, multivaluelist
    }

    public struct Value: Sendable, Codable, Equatable {
        public var key: String
        public var name: String
        public init(key: String, name: String) {
            self.key = key
            self.name = name
        }
    }

    public var code: String
    public var datatype: DataType
    public var required: Bool
    public var description: String
    public var values: [Value]

    public init(code: String, datatype: DataType, required: Bool, description: String, values: [Value] = []) {
        self.code = code
        self.datatype = datatype
        self.required = required
        self.description = description
        self.values = values
    }

    /// Checks submitted values against the definitions; returns the accepted ones.
    public static func validate(_ submitted: [String: [String]], against definitions: [ServiceAttribute]) throws -> [String: [String]] {
        var accepted: [String: [String]] = [:]
        for definition in definitions {
            let values = (submitted[definition.code] ?? []).map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
            if values.isEmpty {
                if definition.required {
                    throw AppError.invalid("attribute.required", zh: "缺少必填属性 \(definition.code)(\(definition.description))。",
                                           en: "attribute[\(definition.code)] is required.", field: "attribute[\(definition.code)]")
                }
                continue
            }
            switch definition.datatype {
            case .number:
                guard values.count == 1, Double(values[0]) != nil else {
                    throw AppError.invalid("attribute.number", zh: "属性 \(definition.code) 须为数字。", en: "attribute[\(definition.code)] must be a number.")
                }
            case .singlevaluelist, .multivaluelist:
                let keys = Set(definition.values.map(\.key))
                guard values.allSatisfy(keys.contains), definition.datatype == .multivaluelist || values.count == 1 else {
                    throw AppError.invalid("attribute.value", zh: "属性 \(definition.code) 的取值无效。", en: "Invalid value for attribute[\(definition.code)].")
                }
            case .string, .text, .datetime:
                guard values.allSatisfy({ $0.count <= 500 }) else {
                    throw AppError.invalid("attribute.long", zh: "属性 \(definition.code) 过长。", en: "attribute[\(definition.code)] is too long.")
                }
            }
            accepted[definition.code] = values
        }
        return accepted
    }
}
