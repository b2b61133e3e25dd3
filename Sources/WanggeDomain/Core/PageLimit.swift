/// How many rows a list page may ask for: every paged list answers a bad `limit` the same way.
public enum PageLimit {
    /// `raw` as a page size from 1 to `max`, or the 400 that says so.
    public static func parse(_ raw: String, max: Int) throws -> Int {
        guard let value = Int(raw), (1...max).contains(value) else {
            throw AppError.invalid("page.limit", zh: "每页条数须为 1–\(max)。", en: "limit is 1–\(max).", field: "limit")
        }
        return value
    }
}
