/// Rows for one multi-row insert, written column by column into one list of values, the columns' names taken
/// from the first row. Intake's group made each case and event an array of (name, value) pairs and then copied
/// the values out of them all, on the one writer's thread: the copy and the arrays' freeing were 2.3% of all the
/// server's samples under intake at a million cases, 0.5% so (BENCHMARKS.md, "Intake with less Swift work").
struct FlatRows {
    private(set) var columns: [String] = []
    private(set) var values: [BulkValue] = []
    private(set) var count = 0

    init(reservingValues capacity: Int = 0) {
        values.reserveCapacity(capacity)
    }

    /// Begins a row: the `add`s that follow give its columns, in the same order as every other row's.
    mutating func startRow() {
        count += 1
    }

    mutating func add(_ name: String, _ value: BulkValue) {
        if count == 1 { columns.append(name) }
        values.append(value)
    }

    /// Whether every row gave as many values as the first named columns.
    var isRectangular: Bool { values.count == columns.count * count }

    /// A single row as (name, value) pairs.
    var pairs: [(name: String, value: BulkValue)] {
        Array(zip(columns, values.prefix(columns.count)))
    }
}
