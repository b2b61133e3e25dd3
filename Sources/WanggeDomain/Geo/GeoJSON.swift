import Foundation

/// Where in a GeoJSON document a problem is, all indices 0-based. Error messages print them
/// 1-based in words ("第 2 个要素的第 1 个多边形…") because the readers are admins, not programmers.
public struct GeoJSONLocation: Hashable, Sendable {
    /// Index in a FeatureCollection's `features`.
    public var feature: Int?
    /// Index in a MultiPolygon's `coordinates`; nil for a plain Polygon.
    public var polygon: Int?
    /// 0 is the outer ring, 1… are holes.
    public var ring: Int?
    /// Index of the position within the ring, as uploaded.
    public var position: Int?

    public init(feature: Int? = nil, polygon: Int? = nil, ring: Int? = nil, position: Int? = nil) {
        self.feature = feature
        self.polygon = polygon
        self.ring = ring
        self.position = position
    }

    func with(polygon: Int? = nil, ring: Int? = nil, position: Int? = nil) -> GeoJSONLocation {
        GeoJSONLocation(feature: feature, polygon: polygon ?? self.polygon,
                        ring: ring ?? self.ring, position: position ?? self.position)
    }

    /// e.g. "第 3 个要素中,多边形第 1 个环(外环)的第 4 个坐标点"; empty for the whole document.
    var zh: String {
        var s = feature.map { "第 \($0 + 1) 个要素" } ?? ""
        if let ring {
            if !s.isEmpty { s += "中," }
            s += polygon.map { "第 \($0 + 1) 个多边形的" } ?? "多边形"
            s += "第 \(ring + 1) 个环" + (ring == 0 ? "(外环)" : "(内环,即第 \(ring) 个洞)")
        } else if let polygon {
            s += (s.isEmpty ? "" : "中,") + "第 \(polygon + 1) 个多边形"
        }
        if let position { s += "的第 \(position + 1) 个坐标点" }
        return s
    }

    var en: String {
        var parts: [String] = []
        if let position { parts.append("position \(position + 1)") }
        if let ring { parts.append(ring == 0 ? "ring 1 (outer ring)" : "ring \(ring + 1) (hole \(ring))") }
        if let polygon { parts.append("polygon \(polygon + 1)") }
        if let feature { parts.append("feature \(feature + 1)") }
        return parts.joined(separator: " of ")
    }
}

/// Everything that can be wrong with an uploaded boundary. Each case says where (`at`) so the admin
/// can find the spot in QGIS or geojson.io; `messageZH` is what the upload page shows.
public enum GeoJSONError: Error, Hashable, Sendable, CustomStringConvertible {
    /// Not parseable as JSON at all; `detail` is the parser's own (English) hint, e.g. line/column.
    case invalidJSON(detail: String)
    /// The document, a feature or a geometry is not a JSON object (`{…}`).
    case notAnObject(at: GeoJSONLocation)
    /// A required member such as `type`, `coordinates`, `geometry` or `features` is absent or null.
    case missingMember(String, at: GeoJSONLocation)
    /// A member exists but has the wrong JSON kind (e.g. `features` is not an array, or the document is not an object).
    case wrongMemberType(String, at: GeoJSONLocation)
    /// A `type` we do not take, e.g. LineString, Point, GeometryCollection.
    case unsupportedType(String, at: GeoJSONLocation)
    /// `coordinates` nested at the wrong depth, or a position with fewer than two values.
    case invalidCoordinates(at: GeoJSONLocation)
    /// A coordinate that is a string, null, bool….
    case nonNumericCoordinate(at: GeoJSONLocation)
    case coordinateOutOfRange(lon: Double, lat: Double, at: GeoJSONLocation)
    /// Fewer than 4 positions (a closed triangle needs 4: first == last).
    case ringTooShort(count: Int, at: GeoJSONLocation)
    case ringNotClosed(at: GeoJSONLocation)
    /// Two non-adjacent edges cross or touch (or an edge doubles back on the previous one) near `near`.
    case selfIntersection(near: GeoPoint, at: GeoJSONLocation)
    /// All positions collinear or coincident.
    case zeroArea(at: GeoJSONLocation)
    /// A Polygon without rings, a MultiPolygon without polygons, or a FeatureCollection without features.
    case empty(at: GeoJSONLocation)
    /// A single boundary was expected but the FeatureCollection holds several.
    case multipleFeatures(count: Int)

    /// Stable machine-readable code for the API and logs.
    public var code: String {
        switch self {
        case .invalidJSON: "geojson.invalid_json"
        case .notAnObject: "geojson.not_an_object"
        case .missingMember: "geojson.missing_member"
        case .wrongMemberType: "geojson.wrong_member_type"
        case .unsupportedType: "geojson.unsupported_type"
        case .invalidCoordinates: "geojson.invalid_coordinates"
        case .nonNumericCoordinate: "geojson.non_numeric_coordinate"
        case .coordinateOutOfRange: "geojson.coordinate_out_of_range"
        case .ringTooShort: "geojson.ring_too_short"
        case .ringNotClosed: "geojson.ring_not_closed"
        case .selfIntersection: "geojson.self_intersection"
        case .zeroArea: "geojson.zero_area"
        case .empty: "geojson.empty"
        case .multipleFeatures: "geojson.multiple_features"
        }
    }

    public var messageZH: String {
        // "第 2 个要素中,多边形第 1 个环" + "未闭合…"; a bare document gets no prefix.
        func at(_ loc: GeoJSONLocation, _ fallback: String = "") -> String {
            let s = loc.zh
            return s.isEmpty ? fallback : s
        }
        switch self {
        case .invalidJSON(let detail):
            return "文件不是合法的 JSON(解析器提示:\(detail))。请检查括号、引号、逗号是否完整,或在 QGIS / geojson.io 中重新导出为 GeoJSON。"
        case .notAnObject(let loc):
            let example = loc.zh.isEmpty ? ",例如 {\"type\": \"Polygon\", \"coordinates\": […]}" : ""
            return "\(at(loc, "文件内容"))应为 GeoJSON 对象(以 { 开头)\(example)。"
        case .missingMember(let name, let loc):
            return "\(at(loc, "文件"))缺少 \"\(name)\" 字段。"
        case .wrongMemberType(let name, let loc):
            let expected = ["features": "数组 […]", "properties": "对象 {…}", "type": "字符串"][name].map { "(应为\($0))" } ?? ""
            return "\(at(loc, "文件"))的 \"\(name)\" 格式不正确\(expected)。"
        case .unsupportedType(let type, let loc):
            return "\(at(loc, "文件"))的类型 \"\(type)\" 不受支持:只接受 Polygon(多边形)、MultiPolygon(多多边形)、Feature 或 FeatureCollection。网格边界必须是闭合的面,不能是线或点。"
        case .invalidCoordinates(let loc):
            let place = loc.ring != nil ? loc.zh : (loc.zh.isEmpty ? "" : loc.zh + "的") + "坐标 (coordinates)"
            return "\(place)格式不正确:每个坐标点应为 [经度, 纬度],多边形应为由坐标环组成的数组。"
        case .nonNumericCoordinate(let loc):
            return "\(at(loc, "坐标"))不是有效的数字坐标:经度、纬度必须是数字,不能加引号或留空。"
        case .coordinateOutOfRange(let lon, let lat, let loc):
            return "\(at(loc, "坐标")) (\(GeoJSON.formatNumber(lon)), \(GeoJSON.formatNumber(lat))) 超出 WGS-84 经纬度范围(经度 -180~180,纬度 -90~90)。请确认经纬度没有写反,且坐标系为 WGS-84 经纬度而不是投影坐标(米)。"
        case .ringTooShort(let count, let loc):
            return "\(at(loc))只有 \(count) 个坐标点,至少需要 4 个(最后一个点须与第一个点相同)。"
        case .ringNotClosed(let loc):
            return "\(at(loc))未闭合(首尾坐标必须相同)。"
        case .selfIntersection(let near, let loc):
            return "\(at(loc))的边界自相交或自接触(位于 \(GeoJSON.formatNumber(near.lon)), \(GeoJSON.formatNumber(near.lat)) 附近)。请修正为不交叉的简单多边形。"
        case .zeroArea(let loc):
            return "\(at(loc))面积为零(所有点共线或重合)。"
        case .empty(let loc):
            return "\(at(loc, "文件"))为空:没有任何坐标或要素。"
        case .multipleFeatures(let count):
            return "文件包含 \(count) 个要素,此处只能上传一个网格边界。如需一次导入多个网格,请使用批量导入。"
        }
    }

    public var messageEN: String {
        func at(_ loc: GeoJSONLocation, _ fallback: String = "the document") -> String {
            let s = loc.en
            return s.isEmpty ? fallback : s
        }
        switch self {
        case .invalidJSON(let detail):
            return "The file is not valid JSON (\(detail))."
        case .notAnObject(let loc):
            return "\(at(loc).capitalizedFirst) must be a GeoJSON object ({…})."
        case .missingMember(let name, let loc):
            return "\"\(name)\" is missing in \(at(loc))."
        case .wrongMemberType(let name, let loc):
            return "\"\(name)\" has the wrong format in \(at(loc))."
        case .unsupportedType(let type, let loc):
            return "Unsupported type \"\(type)\" in \(at(loc)); expected Polygon, MultiPolygon, Feature or FeatureCollection."
        case .invalidCoordinates(let loc):
            return "Malformed coordinates in \(at(loc)): positions must be [lon, lat] and polygons arrays of rings."
        case .nonNumericCoordinate(let loc):
            return "Non-numeric coordinate at \(at(loc))."
        case .coordinateOutOfRange(let lon, let lat, let loc):
            return "Coordinate (\(GeoJSON.formatNumber(lon)), \(GeoJSON.formatNumber(lat))) at \(at(loc)) is outside WGS-84 range (lon -180…180, lat -90…90); check for swapped or projected coordinates."
        case .ringTooShort(let count, let loc):
            return "\(at(loc).capitalizedFirst) has \(count) positions; at least 4 are required (last equal to first)."
        case .ringNotClosed(let loc):
            return "\(at(loc).capitalizedFirst) is not closed (first and last positions must be equal)."
        case .selfIntersection(let near, let loc):
            return "\(at(loc).capitalizedFirst) intersects or touches itself near (\(GeoJSON.formatNumber(near.lon)), \(GeoJSON.formatNumber(near.lat)))."
        case .zeroArea(let loc):
            return "\(at(loc).capitalizedFirst) has zero area (all positions collinear or coincident)."
        case .empty(let loc):
            return "\(at(loc).capitalizedFirst) is empty (no coordinates or features)."
        case .multipleFeatures(let count):
            return "The file holds \(count) features but a single boundary was expected; use bulk import for several grids."
        }
    }

    public var description: String { "\(code): \(messageEN)" }

    /// As the project's common error, so web handlers need no GeoJSON-specific mapping.
    public func appError(field: String? = "geometry") -> AppError {
        AppError.invalid(code, zh: messageZH, en: messageEN, field: field)
    }
}

private extension String {
    var capitalizedFirst: String { prefix(1).uppercased() + dropFirst() }
}

/// GeoJSON (RFC 7946) in and out, restricted to what a grid boundary can be: Polygon, MultiPolygon,
/// or Features / FeatureCollections of those. Everything parsed here has passed ring validation,
/// so the rest of the system can assume simple, closed, non-degenerate rings.
public enum GeoJSON {
    public struct Feature: Hashable, Sendable {
        public var shape: GeoMultiPolygon
        /// String and number properties only (numbers written without a trailing ".0"); others are dropped.
        public var properties: [String: String]

        public init(shape: GeoMultiPolygon, properties: [String: String] = [:]) {
            self.shape = shape
            self.properties = properties
        }
    }

    // MARK: Parsing

    /// One boundary: a Polygon, a MultiPolygon, a Feature, or a FeatureCollection holding exactly one
    /// feature (geojson.io and many GIS exports always wrap a single shape in a collection).
    public static func parseGeometry(_ data: Data) throws(GeoJSONError) -> GeoMultiPolygon {
        let features = try parseFeatures(data)
        guard features.count == 1 else { throw GeoJSONError.multipleFeatures(count: features.count) }
        return features[0].shape
    }

    public static func parseGeometry(_ text: String) throws(GeoJSONError) -> GeoMultiPolygon {
        try parseGeometry(Data(text.utf8))
    }

    /// Bulk upload: every feature of a FeatureCollection with its properties (typically `code`, `name`).
    /// A bare geometry or Feature yields one element. Fails on the first invalid feature, naming it.
    public static func parseFeatures(_ data: Data) throws(GeoJSONError) -> [Feature] {
        let root = try decodeJSON(data)
        let type = try typeName(of: root, at: GeoJSONLocation())
        switch type {
        case "FeatureCollection":
            guard case .object(let members) = root else { throw GeoJSONError.notAnObject(at: GeoJSONLocation()) }
            guard let list = members["features"], list != .null else {
                throw GeoJSONError.missingMember("features", at: GeoJSONLocation())
            }
            guard case .array(let items) = list else { throw GeoJSONError.wrongMemberType("features", at: GeoJSONLocation()) }
            guard !items.isEmpty else { throw GeoJSONError.empty(at: GeoJSONLocation()) }
            var result: [Feature] = []
            result.reserveCapacity(items.count)
            for (i, item) in items.enumerated() {
                result.append(try feature(item, at: GeoJSONLocation(feature: i)))
            }
            return result
        case "Feature":
            return [try feature(root, at: GeoJSONLocation())]
        default:
            return [Feature(shape: try geometry(root, at: GeoJSONLocation()))]
        }
    }

    public static func parseFeatures(_ text: String) throws(GeoJSONError) -> [Feature] {
        try parseFeatures(Data(text.utf8))
    }

    // MARK: Validation of shapes built in code

    /// The same ring checks the parser applies, for shapes that did not come from GeoJSON
    /// (demo data, drawn shapes). Ranges, closure, length, self-intersection, zero area.
    public static func validate(_ shape: GeoMultiPolygon) throws(GeoJSONError) {
        guard !shape.polygons.isEmpty else { throw GeoJSONError.empty(at: GeoJSONLocation()) }
        for (i, polygon) in shape.polygons.enumerated() {
            try validate(polygon, at: GeoJSONLocation(polygon: shape.polygons.count > 1 ? i : nil))
        }
    }

    public static func validate(_ polygon: GeoPolygon) throws(GeoJSONError) {
        try validate(polygon, at: GeoJSONLocation())
    }

    static func validate(_ polygon: GeoPolygon, at loc: GeoJSONLocation) throws(GeoJSONError) {
        for (r, ring) in polygon.rings.enumerated() {
            let ringLoc = loc.with(ring: r)
            for (k, p) in ring.enumerated() where !p.isValidWGS84 {
                throw GeoJSONError.coordinateOutOfRange(lon: p.lon, lat: p.lat, at: ringLoc.with(position: k))
            }
            _ = try checkedRing(ring, at: ringLoc)
        }
    }

    // MARK: Serialisation

    /// Compact, deterministic: fixed member order, no whitespace, shortest round-tripping numbers
    /// (integral values without ".0"), so equal shapes store as equal strings.
    static func write(rings: [[GeoPoint]], into s: inout String) {
        s += "["
        for (r, ring) in rings.enumerated() {
            if r > 0 { s += "," }
            s += "["
            for (k, p) in ring.enumerated() {
                if k > 0 { s += "," }
                s += "[" + formatNumber(p.lon) + "," + formatNumber(p.lat) + "]"
            }
            s += "]"
        }
        s += "]"
    }

    /// Integral values print as integers; everything else uses Swift's shortest round-trip form
    /// (which may use exponent notation such as 1e-05 — valid JSON).
    static func formatNumber(_ d: Double) -> String {
        if d == 0 { return "0" } // also folds -0
        if d == d.rounded(), abs(d) < 9_007_199_254_740_992 { return String(Int64(d)) }
        return "\(d)"
    }

    // MARK: Internals

    /// A parsed JSON value. Decoding via `JSONDecoder` keeps booleans and numbers apart on every
    /// platform, which `JSONSerialization`'s NSNumber bridging does not.
    indirect enum JSONValue: Decodable, Equatable, Sendable {
        case null
        case bool(Bool)
        /// `exact` keeps integers beyond 2^53 (long numeric codes) that Double would round.
        case number(Double, exact: Int64?)
        case string(String)
        case array([JSONValue])
        case object([String: JSONValue])

        init(from decoder: any Decoder) throws {
            let c = try decoder.singleValueContainer()
            // Most frequent kinds first: a boundary file is mostly numbers and arrays.
            if c.decodeNil() {
                self = .null
            } else if let d = try? c.decode(Double.self) {
                var exact: Int64?
                if d == d.rounded(), abs(d) >= 9_007_199_254_740_992 { exact = try? c.decode(Int64.self) }
                self = .number(d, exact: exact)
            } else if let a = try? c.decode([JSONValue].self) {
                self = .array(a)
            } else if let s = try? c.decode(String.self) {
                self = .string(s)
            } else if let b = try? c.decode(Bool.self) {
                self = .bool(b)
            } else {
                self = .object(try c.decode([String: JSONValue].self))
            }
        }
    }

    static func decodeJSON(_ data: Data) throws(GeoJSONError) -> JSONValue {
        var bytes = data
        // Windows tools like to prepend a UTF-8 BOM, which JSON forbids but admins cannot see.
        if bytes.starts(with: [0xEF, 0xBB, 0xBF]) { bytes = bytes.dropFirst(3) }
        if bytes.allSatisfy({ $0 == 0x20 || $0 == 0x0A || $0 == 0x0D || $0 == 0x09 }) {
            throw GeoJSONError.invalidJSON(detail: "empty input")
        }
        do {
            return try JSONDecoder().decode(JSONValue.self, from: Data(bytes))
        } catch let DecodingError.dataCorrupted(context) {
            // JSONDecoder's message has no position on Linux; JSONSerialization's says where
            // ("around character 14"). Error path only, so the second parse costs nothing normally.
            var detail = context.debugDescription
            do {
                _ = try JSONSerialization.jsonObject(with: Data(bytes), options: [.fragmentsAllowed])
            } catch {
                if let hint = (error as NSError).userInfo[NSDebugDescriptionErrorKey] as? String { detail = hint }
            }
            throw GeoJSONError.invalidJSON(detail: detail)
        } catch {
            throw GeoJSONError.invalidJSON(detail: String(describing: error))
        }
    }

    static func typeName(of value: JSONValue, at loc: GeoJSONLocation) throws(GeoJSONError) -> String {
        guard case .object(let members) = value else { throw GeoJSONError.notAnObject(at: loc) }
        guard let t = members["type"], t != .null else { throw GeoJSONError.missingMember("type", at: loc) }
        guard case .string(let name) = t else { throw GeoJSONError.wrongMemberType("type", at: loc) }
        return name
    }

    static func feature(_ value: JSONValue, at loc: GeoJSONLocation) throws(GeoJSONError) -> Feature {
        let type = try typeName(of: value, at: loc)
        guard type == "Feature" else { throw GeoJSONError.unsupportedType(type, at: loc) }
        guard case .object(let members) = value else { throw GeoJSONError.notAnObject(at: loc) }
        guard let g = members["geometry"], g != .null else { throw GeoJSONError.missingMember("geometry", at: loc) }
        var properties: [String: String] = [:]
        switch members["properties"] ?? .null {
        case .null: break
        case .object(let props):
            for (key, v) in props {
                switch v {
                case .string(let s): properties[key] = s
                case .number(let d, let exact): properties[key] = exact.map { String($0) } ?? formatNumber(d)
                default: break // bools, nulls, nested values carry nothing a grid needs
                }
            }
        default:
            throw GeoJSONError.wrongMemberType("properties", at: loc)
        }
        return Feature(shape: try geometry(g, at: loc), properties: properties)
    }

    static func geometry(_ value: JSONValue, at loc: GeoJSONLocation) throws(GeoJSONError) -> GeoMultiPolygon {
        let type = try typeName(of: value, at: loc)
        guard type == "Polygon" || type == "MultiPolygon" else { throw GeoJSONError.unsupportedType(type, at: loc) }
        guard case .object(let members) = value else { throw GeoJSONError.notAnObject(at: loc) }
        guard let coords = members["coordinates"], coords != .null else {
            throw GeoJSONError.missingMember("coordinates", at: loc)
        }
        guard case .array(let items) = coords else { throw GeoJSONError.invalidCoordinates(at: loc) }
        guard !items.isEmpty else { throw GeoJSONError.empty(at: loc) }
        if type == "Polygon" {
            return GeoMultiPolygon(try polygon(items, at: loc))
        }
        var polygons: [GeoPolygon] = []
        polygons.reserveCapacity(items.count)
        for (i, item) in items.enumerated() {
            let pLoc = loc.with(polygon: i)
            guard case .array(let rings) = item else { throw GeoJSONError.invalidCoordinates(at: pLoc) }
            guard !rings.isEmpty else { throw GeoJSONError.empty(at: pLoc) }
            polygons.append(try polygon(rings, at: pLoc))
        }
        return GeoMultiPolygon(polygons)
    }

    static func polygon(_ ringValues: [JSONValue], at loc: GeoJSONLocation) throws(GeoJSONError) -> GeoPolygon {
        var rings: [[GeoPoint]] = []
        rings.reserveCapacity(ringValues.count)
        for (r, ringValue) in ringValues.enumerated() {
            let ringLoc = loc.with(ring: r)
            guard case .array(let positions) = ringValue else { throw GeoJSONError.invalidCoordinates(at: ringLoc) }
            var ring: [GeoPoint] = []
            ring.reserveCapacity(positions.count)
            for (k, position) in positions.enumerated() {
                ring.append(try point(position, at: ringLoc.with(position: k)))
            }
            rings.append(try checkedRing(ring, at: ringLoc))
        }
        return GeoPolygon(outer: rings[0], holes: Array(rings.dropFirst()))
    }

    /// `[lon, lat]` or `[lon, lat, altitude]`; altitude is ignored.
    static func point(_ value: JSONValue, at loc: GeoJSONLocation) throws(GeoJSONError) -> GeoPoint {
        guard case .array(let values) = value else { throw GeoJSONError.invalidCoordinates(at: loc) }
        guard values.count >= 2 else {
            // ["120.1", "30.2"] style mistakes surface as non-numeric even when one is missing.
            if values.contains(where: { if case .number = $0 { false } else { true } }) {
                throw GeoJSONError.nonNumericCoordinate(at: loc)
            }
            throw GeoJSONError.invalidCoordinates(at: loc)
        }
        guard case .number(let lon, _) = values[0], case .number(let lat, _) = values[1] else {
            throw GeoJSONError.nonNumericCoordinate(at: loc)
        }
        let p = GeoPoint(lon: lon, lat: lat)
        guard p.isValidWGS84 else { throw GeoJSONError.coordinateOutOfRange(lon: lon, lat: lat, at: loc) }
        return p
    }

    /// Length, closure, degeneracy and simplicity of one ring. Returns the ring with consecutive
    /// duplicate positions removed (legal in GeoJSON, but they would look like touching edges).
    static func checkedRing(_ ring: [GeoPoint], at loc: GeoJSONLocation) throws(GeoJSONError) -> [GeoPoint] {
        guard ring.count >= 4 else { throw GeoJSONError.ringTooShort(count: ring.count, at: loc) }
        guard ring.first == ring.last else { throw GeoJSONError.ringNotClosed(at: loc) }
        var cleaned: [GeoPoint] = [ring[0]]
        cleaned.reserveCapacity(ring.count)
        for p in ring.dropFirst() where p != cleaned[cleaned.count - 1] { cleaned.append(p) }
        // Collinearity first: a bow-tie also has zero signed area, but it is a self-intersection.
        guard cleaned.count >= 4, !RingTopology.allCollinear(cleaned) else { throw GeoJSONError.zeroArea(at: loc) }
        if let near = RingTopology.firstSelfIntersection(cleaned) {
            throw GeoJSONError.selfIntersection(near: near, at: loc)
        }
        guard GeoPolygon.signedArea(cleaned) != 0 else { throw GeoJSONError.zeroArea(at: loc) }
        return cleaned
    }
}

/// Planar segment tests for ring validation, in degrees. Plain double arithmetic rather than
/// exact predicates: fine for surveyed boundaries, whose vertices are metres apart, not 1e-15°.
enum RingTopology {
    @inline(__always)
    static func cross(_ o: GeoPoint, _ a: GeoPoint, _ b: GeoPoint) -> Double {
        (a.lon - o.lon) * (b.lat - o.lat) - (a.lat - o.lat) * (b.lon - o.lon)
    }

    static func allCollinear(_ ring: [GeoPoint]) -> Bool {
        let o = ring[0]
        guard let a = ring.first(where: { $0 != o }) else { return true }
        return ring.allSatisfy { cross(o, a, $0) == 0 }
    }

    /// `ring` is closed with no consecutive duplicates. Returns a point where two non-adjacent edges
    /// cross or touch, or where an edge doubles back along its predecessor; nil for a simple ring.
    /// Edges are swept in order of their west end, so only pairs whose longitude spans overlap are
    /// tested: O(n²) worst case, close to O(n log n) for real boundaries.
    static func firstSelfIntersection(_ ring: [GeoPoint]) -> GeoPoint? {
        let m = ring.count - 1 // edges; edge i runs ring[i] → ring[i + 1]
        // Adjacent edges share exactly one vertex; they may only overlap if the ring reverses there.
        for i in 0..<m {
            let a = ring[i], b = ring[i + 1], c = ring[(i + 1) % m + 1]
            let dot = (a.lon - b.lon) * (c.lon - b.lon) + (a.lat - b.lat) * (c.lat - b.lat)
            if cross(a, b, c) == 0, dot > 0 { return b }
        }
        guard m > 3 else { return nil } // in a triangle every pair of edges is adjacent
        var minLon = [Double](repeating: 0, count: m), maxLon = minLon
        for i in 0..<m {
            minLon[i] = min(ring[i].lon, ring[i + 1].lon)
            maxLon[i] = max(ring[i].lon, ring[i + 1].lon)
        }
        let order = (0..<m).sorted { minLon[$0] < minLon[$1] || (minLon[$0] == minLon[$1] && $0 < $1) }
        for k in 0..<m {
            let i = order[k]
            for l in (k + 1)..<m {
                let j = order[l]
                if minLon[j] > maxLon[i] { break }
                let d = abs(i - j)
                if d == 1 || d == m - 1 { continue } // adjacent, including last ↔ first
                if let hit = intersection(ring[i], ring[i + 1], ring[j], ring[j + 1]) { return hit }
            }
        }
        return nil
    }

    /// Closed-segment intersection: proper crossings and touches (an endpoint on the other segment).
    static func intersection(_ p1: GeoPoint, _ p2: GeoPoint, _ q1: GeoPoint, _ q2: GeoPoint) -> GeoPoint? {
        if max(p1.lat, p2.lat) < min(q1.lat, q2.lat) || max(q1.lat, q2.lat) < min(p1.lat, p2.lat) { return nil }
        let d1 = cross(p1, p2, q1), d2 = cross(p1, p2, q2)
        let d3 = cross(q1, q2, p1), d4 = cross(q1, q2, p2)
        if ((d1 > 0 && d2 < 0) || (d1 < 0 && d2 > 0)) && ((d3 > 0 && d4 < 0) || (d3 < 0 && d4 > 0)) {
            let t = d3 / (d3 - d4)
            return GeoPoint(lon: p1.lon + t * (p2.lon - p1.lon), lat: p1.lat + t * (p2.lat - p1.lat))
        }
        if d1 == 0, within(q1, p1, p2) { return q1 }
        if d2 == 0, within(q2, p1, p2) { return q2 }
        if d3 == 0, within(p1, q1, q2) { return p1 }
        if d4 == 0, within(p2, q1, q2) { return p2 }
        return nil
    }

    /// For a point already known to be collinear with a–b: is it inside the segment's box?
    @inline(__always)
    static func within(_ p: GeoPoint, _ a: GeoPoint, _ b: GeoPoint) -> Bool {
        p.lon >= min(a.lon, b.lon) && p.lon <= max(a.lon, b.lon) && p.lat >= min(a.lat, b.lat) && p.lat <= max(a.lat, b.lat)
    }
}

extension GeoPolygon {
    /// `{"type":"Polygon","coordinates":…}` — see `GeoJSON.write` for the number format.
    public var geoJSONString: String {
        var s = #"{"type":"Polygon","coordinates":"#
        GeoJSON.write(rings: rings, into: &s)
        return s + "}"
    }
}

extension GeoMultiPolygon {
    /// Always a MultiPolygon, even with one part, so stored geometries have a single shape of JSON.
    public var geoJSONString: String {
        var s = #"{"type":"MultiPolygon","coordinates":["#
        for (i, polygon) in polygons.enumerated() {
            if i > 0 { s += "," }
            GeoJSON.write(rings: polygon.rings, into: &s)
        }
        return s + "]}"
    }
}
