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

    private func append(_ request: Open311RequestRow, to bytes: inout [UInt8]) -> Bool {
        let summary = request.summary
        func key(_ name: StaticString) {
            bytes.append(UInt8(ascii: "\""))
            bytes.append(contentsOf: UnsafeBufferPointer(start: name.utf8Start, count: name.utf8CodeUnitCount))
            bytes.append(contentsOf: "\":".utf8)
        }
        func field(_ name: StaticString, _ text: String?, first: Bool = false) {
            if !first { bytes.append(UInt8(ascii: ",")) }
            key(name)
            bytes.appendJSONString(orNull: text)
        }
        func moment(_ name: StaticString, _ date: Date?) {
            bytes.append(UInt8(ascii: ","))
            key(name)
            time.appendJSON(date, to: &bytes)
        }
        func number(_ name: StaticString, _ value: Double?) -> Bool {
            bytes.append(UInt8(ascii: ","))
            key(name)
            return Open311Value.appendJSONNumber(value, to: &bytes)
        }
        bytes.append(UInt8(ascii: "{"))
        field("address", summary.address, first: true)
        field("address_id", nil)
        field("agency_responsible", agency(request))
        field("description", summary.description)
        moment("expected_datetime", expected(request))
        guard number("lat", summary.lat), number("long", summary.lon) else { return false }
        field("media_url", mediaURL(request))
        moment("requested_datetime", summary.createdAt)
        field("service_code", summary.categoryCode)
        field("service_name", serviceName(request))
        field("service_notice", nil)
        field("service_request_id", summary.code)
        field("status", status(request))
        field("status_notes", request.statusNotes)
        moment("updated_datetime", request.updatedAt)
        field("zipcode", nil)
        bytes.append(UInt8(ascii: "}"))
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
