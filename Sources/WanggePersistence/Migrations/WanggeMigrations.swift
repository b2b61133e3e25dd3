import FluentKit

/// Every migration in order. A landed migration is never edited: add a new one at the end.
public enum WanggeMigrations {
    public static let all: [any Migration] = [
        CreateOrgUnits(),
        CreateDepartments(),
        CreateUsers(),
        CreateAuthSessions(),
        CreateCategories(),
        CreateCases(),
        AddDeadlines(),
        AddOpen311(),
        AddEventHashes(),
        CreateAccessLog(),
        CreateRollups(),
        SlimCaseIndexes(),
        QueueSearchTerms(),
        DropCaseLocationIndex(),
        IndexGridWorkerEvents(),
        IndexExtensionRequests(),
        RemoveDepartmentRowsOfUnassignedCases(),
        IndexSharedDepartmentRows(),
        IndexCasesByCategory(),
        CountFinishedCases(),
        IndexNotificationsByUser(),
        IndexCasesByTime(),
        IndexOpenCaseWarnings(),
        IndexSweepCandidates(),
        DropCaseCategoryTimeIndex(),
        CreateRollupJournal(),
        IndexSearchTermsInFullText(),
        CreateQueryCodeKey(),
        VacuumCasesOften(),
        SlimSearchTermRows(),
        IndexOpenCasesNewestFirst(),
        WidenCaseTimeIndex(),
    ]
}
