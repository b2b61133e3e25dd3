import Foundation

/// The columns of `cases` a step may change, read through the model's typed properties: a
/// transition's UPDATE compares them before and after the step and writes only those that changed.
///
/// `PlainWrites.changedValues` found them through Fluent's input instead, boxing every field of the
/// model twice and casting each value back: a sixth of a transition's CPU. In debug builds (the
/// tests) `CaseTransitionService.step` still asks Fluent too and fails when the two disagree, so a
/// column that a step learns to change and this list lacks fails every test of that step.
extension CaseModel {
    /// By column name, the order `PlainWrites.changedValues` gives: one set of columns, one statement.
    var stepColumns: [(name: String, value: BulkValue)] {
        [("assigned_grid_code", .text(assignedGridCode)), ("auto_escalated", .bool(autoEscalated)), ("blue_at", .date(blueAt)),
         ("category_code", .text(categoryCode)), ("centre_org_code", .text(centreOrgCode)), ("city_code", .text(cityCode)),
         ("closed_at", .date(closedAt)), ("county_code", .text(countyCode)), ("deadlines", .text(deadlinesJSON)), ("due_at", .date(dueAt)),
         ("event_hash", .text(eventHash)), ("extension_requested", .bool(extensionRequested)), ("grid_code", .text(gridCode)),
         ("last_action", .text(lastAction)), ("lead_department_code", .text(leadDepartmentCode)),
         ("master_case_id", masterCaseID.map { .int($0) } ?? .null), ("overdue_at", .date(overdueAt)), ("public_reply", .text(publicReply)),
         ("rating", .text(rating)), ("reminders_count", .int(remindersCount)), ("result", .text(result)), ("result_by", .text(resultBy)),
         ("returns_count", .int(returnsCount)), ("reworks_count", .int(reworksCount)), ("snapshot", .text(snapshotJSON)),
         ("state", .text(state)), ("supervisions_count", .int(supervisionsCount)), ("township_code", .text(townshipCode)),
         ("updated_at", .date(updatedAt)), ("version", .int(version)), ("village_code", .text(villageCode)), ("yellow_at", .date(yellowAt))]
    }

    /// The step columns whose value `change` changes, by name.
    func stepColumnsChanged(by change: () throws -> Void) rethrows -> [(name: String, value: BulkValue)] {
        let before = stepColumns
        try change()
        return zip(before, stepColumns).compactMap { old, new in old.value == new.value ? nil : new }
    }
}
