import Foundation
import WanggeDomain

/// The generator's rollups: tallies summed per place × day × category × channel × department ×
/// worker while cases are made, expanded into rollup rows once at the end. `RollupKeys.entries` is
/// linear in the tally, so this equals adding every event's rows one by one (what `rollups check`
/// verifies), at a fraction of the cost.
struct GeneratedTallies {
    struct Key: Hashable {
        var place: String
        var day: Int
        var category: String?
        var channel: String
        var department: String?
        var worker: String?
        var workerOrg: String?
    }

    private var sums: [Key: EventTally] = [:]

    var count: Int { sums.count }

    mutating func add(_ tally: EventTally, place: String, category: String?, channel: String, at: Date,
                      worker: String?, workerOrg: String?, timeZone: TimeZone) {
        guard !tally.isEmpty else { return }
        let local = Int((at.timeIntervalSince1970 + Double(timeZone.secondsFromGMT(for: at))).rounded(.down))
        let day = local >= 0 ? local / 86400 : (local - 86399) / 86400
        let key = Key(place: place, day: day, category: category, channel: channel, department: tally.departmentCode,
                      worker: tally.worker == CaseCounts() ? nil : worker, workerOrg: tally.worker == CaseCounts() ? nil : workerOrg)
        var sum = sums[key] ?? EventTally()
        sum.place = sum.place + tally.place
        sum.department = sum.department + tally.department
        sum.departmentCode = tally.departmentCode ?? sum.departmentCode
        sum.worker = sum.worker + tally.worker
        sums[key] = sum
    }

    func entries(timeZone: TimeZone) -> [RollupEntry] {
        var rows: [RollupKey: RollupEntry] = [:]
        for (key, tally) in sums {
            // Noon of the key's local day stands for the day.
            let noon = Date(timeIntervalSince1970: TimeInterval(key.day * 86400 + 43200))
            let at = noon.addingTimeInterval(-TimeInterval(timeZone.secondsFromGMT(for: noon)))
            let context = RollupKeys.Context(placeCode: key.place, categoryCode: key.category, channel: key.channel, at: at, timeZone: timeZone,
                                             workerUsername: key.worker, workerOrgCode: key.workerOrg)
            for entry in RollupKeys.entries(tally, context) {
                if var existing = rows[entry.key] {
                    existing.counts = existing.counts + entry.counts
                    rows[entry.key] = existing
                } else {
                    rows[entry.key] = entry
                }
            }
        }
        return rows.values.sorted { $0.key < $1.key }
    }
}
