import Foundation

/// A report as it arrives, from any channel.
public struct IntakeInput: Codable, Sendable {
    public struct Location: Codable, Sendable {
        public var lat: Double
        public var lon: Double
        public init(lat: Double, lon: Double) {
            self.lat = lat
            self.lon = lon
        }
    }

    public var channel: String
    public var description: String
    public var categoryCode: String?
    public var location: Location?
    public var address: String?
    public var gridCode: String?
    public var reporterName: String?
    public var reporterPhone: String?
    public var anonymous: Bool?
    public var urgency: String?
    public var hotlineNumber: String?
    public var hotlineTicket: String?
    public var petitionKind: String?
    /// A grid worker fixed it on the spot (小事不出网格): `result` says how.
    public var resolvedOnSpot: Bool?
    public var result: String?
    /// Values for the category's extra fields; when given (Open311 always does), required ones are enforced.
    public var attributes: [String: [String]]?

    public init(channel: String, description: String, categoryCode: String? = nil, location: Location? = nil,
                address: String? = nil, gridCode: String? = nil, reporterName: String? = nil, reporterPhone: String? = nil,
                anonymous: Bool? = nil, urgency: String? = nil, hotlineNumber: String? = nil, hotlineTicket: String? = nil,
                petitionKind: String? = nil, resolvedOnSpot: Bool? = nil, result: String? = nil, attributes: [String: [String]]? = nil) {
        self.attributes = attributes
        self.channel = channel
        self.description = description
        self.categoryCode = categoryCode
        self.location = location
        self.address = address
        self.gridCode = gridCode
        self.reporterName = reporterName
        self.reporterPhone = reporterPhone
        self.anonymous = anonymous
        self.urgency = urgency
        self.hotlineNumber = hotlineNumber
        self.hotlineTicket = hotlineTicket
        self.petitionKind = petitionKind
        self.resolvedOnSpot = resolvedOnSpot
        self.result = result
    }
}
