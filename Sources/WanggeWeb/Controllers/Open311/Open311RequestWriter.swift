import Vapor
import WanggeDomain

/// What a service request shows of its row (`Open311RequestRow`), worked out once and written either way: as an
/// `Open311Value` (the XML answers, and the form the JSON answers are held to) or straight as JSON. Built as values
/// first, a list of 1,000 requests spent a quarter of its CPU making them and walking them again to write them.
struct Open311RequestWriter {
    let names: NameBook
    let time: Open311Time
    /// `http://host`, which the media links begin with.
    let base: String

    init(_ req: Request) async throws {
        self.init(names: try await NameBook.load(on: req), time: Open311Time(timeZone: req.application.wanggeConfig.timeZone),
                  base: Open311Controller.baseURL(req))
    }

    init(names: NameBook, time: Open311Time, base: String) {
        (self.names, self.time, self.base) = (names, time, base)
    }

    /// In the specification's order, which XML keeps.
    func value(_ request: Open311RequestRow) -> Open311Value {
        let summary = request.summary
        return .object([
            ("service_request_id", .string(summary.code)),
            ("status", .string(status(request))),
            ("status_notes", .string(request.statusNotes)),
            ("service_name", .string(serviceName(request))),
            ("service_code", .string(summary.categoryCode)),
            ("description", .string(summary.description)),
            ("agency_responsible", .string(agency(request))),
            ("service_notice", .string(nil)),
            ("requested_datetime", .string(time.string(summary.createdAt))),
            ("updated_datetime", .string(time.string(request.updatedAt))),
            ("expected_datetime", .string(time.string(expected(request)))),
            ("address", .string(summary.address)),
            ("address_id", .string(nil)),
            ("zipcode", .string(nil)),
            ("lat", .number(summary.lat)),
            ("long", .number(summary.lon)),
            ("media_url", .string(mediaURL(request))),
        ])
    }

    /// `[…]` of the requests, the bytes `Open311Value.jsonBytes()` writes for an array of their `value`s (`Open311Tests`):
    /// each object's fields sorted by name. nil where a number is not finite, as there.
    func json(_ requests: [Open311RequestRow]) -> [UInt8]? {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(requests.count * 560)
        bytes.append(UInt8(ascii: "["))
        for (index, request) in requests.enumerated() {
            if index > 0 { bytes.append(UInt8(ascii: ",")) }
            guard append(request, to: &bytes) else { return nil }
        }
        bytes.append(UInt8(ascii: "]"))
        return bytes
    }

    /// Each name written with the punctuation around it, and the fields that are always null as constants.
    private func append(_ request: Open311RequestRow, to bytes: inout [UInt8]) -> Bool {
        let summary = request.summary
        func put(_ text: StaticString) {
            bytes.append(contentsOf: UnsafeBufferPointer(start: text.utf8Start, count: text.utf8CodeUnitCount))
        }
        put(#"{"address":"#)
        bytes.appendJSONString(orNull: summary.address)
        put(#","address_id":null,"agency_responsible":"#)
        bytes.appendJSONString(orNull: agency(request))
        put(#","description":"#)
        bytes.appendJSONString(summary.description)
        put(#","expected_datetime":"#)
        time.appendJSON(expected(request), to: &bytes)
        put(#","lat":"#)
        guard Open311Value.appendJSONNumber(summary.lat, to: &bytes) else { return false }
        put(#","long":"#)
        guard Open311Value.appendJSONNumber(summary.lon, to: &bytes) else { return false }
        put(#","media_url":"#)
        bytes.appendJSONString(orNull: mediaURL(request))
        put(#","requested_datetime":"#)
        time.appendJSON(summary.createdAt, to: &bytes)
        put(#","service_code":"#)
        bytes.appendJSONString(orNull: summary.categoryCode)
        put(#","service_name":"#)
        bytes.appendJSONString(orNull: serviceName(request))
        put(#","service_notice":null,"service_request_id":"#)
        bytes.appendJSONString(summary.code)
        put(#","status":"#)
        bytes.appendJSONString(status(request))
        put(#","status_notes":"#)
        bytes.appendJSONString(orNull: request.statusNotes)
        put(#","updated_datetime":"#)
        time.appendJSON(request.updatedAt, to: &bytes)
        put(#","zipcode":null}"#)
        return true
    }

    private func status(_ request: Open311RequestRow) -> String {
        request.summary.caseState.isOpen ? "open" : "closed"
    }

    private func serviceName(_ request: Open311RequestRow) -> String? {
        request.summary.categoryCode.map { names.categories[$0] ?? $0 }
    }

    private func agency(_ request: Open311RequestRow) -> String? {
        request.summary.leadDepartmentCode.map { names.departments[$0] ?? $0 }
    }

    private func expected(_ request: Open311RequestRow) -> Date? {
        CaseDeadlines.resolveDue(storedJSON: request.summary.deadlinesJSON)
    }

    private func mediaURL(_ request: Open311RequestRow) -> String? {
        request.firstPhotoID.map { "\(base)/open311/v2/media/\(request.summary.code)/\($0)" }
    }
}
