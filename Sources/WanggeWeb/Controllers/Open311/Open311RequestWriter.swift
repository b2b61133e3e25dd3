import Vapor
import WanggeDomain

/// What a service request shows of its row (`Open311RequestRow`), worked out once and written straight as JSON or
/// XML; as an `Open311Value` it is the form both are held to (`Open311Tests`). Built as values first, a list of 1,000
/// requests spent a quarter of its CPU making them and walking them again to write them.
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

    /// `<service_requests>…` of the requests, the bytes `Open311Format.response` writes for an array of their `value`s:
    /// each element in the specification's order.
    func xml(_ requests: [Open311RequestRow]) -> [UInt8] {
        var writer = XMLWriter()
        writer.open("service_requests")
        for request in requests {
            let summary = request.summary
            writer.open("request")
            writer.element("service_request_id", summary.code)
            writer.element("status", status(request))
            writer.element("status_notes", request.statusNotes)
            writer.element("service_name", serviceName(request))
            writer.element("service_code", summary.categoryCode)
            writer.element("description", summary.description)
            writer.element("agency_responsible", agency(request))
            writer.element("service_notice", nil)
            writer.element("requested_datetime", time.string(summary.createdAt))
            writer.element("updated_datetime", time.string(request.updatedAt))
            writer.element("expected_datetime", time.string(expected(request)))
            writer.element("address", summary.address)
            writer.element("address_id", nil)
            writer.element("zipcode", nil)
            writer.element("lat", summary.lat.map(Open311Value.numberText))
            writer.element("long", summary.lon.map(Open311Value.numberText))
            writer.element("media_url", mediaURL(request))
            writer.close("request")
        }
        writer.close("service_requests")
        return writer.bytes
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
