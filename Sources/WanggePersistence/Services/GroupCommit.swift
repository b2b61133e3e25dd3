/// Writes that arrive while another is under way wait here, and the next write takes all of them:
/// one transaction, one commit and one set of statements for many. The first caller of an idle
/// queue writes at once, alone. When its write is done it answers the callers it wrote for and
/// hands the queue to the longest waiter, who writes for everyone waiting by then. A group that
/// fails is written again one item at a time, so a bad item fails alone.
public actor GroupCommit<Item: Sendable, Output: Sendable> {
    private enum Turn: Sendable {
        case written(Result<Output, any Error>)
        case lead
    }

    private var waiting: [(item: Item, turn: CheckedContinuation<Turn, Never>)] = []
    private var writing = false
    private let maxGroup: Int
    /// Where groups are written and handed on (SQLite's writer thread); nil leaves callers where they are.
    private nonisolated let executor: (any TaskExecutor)?

    public init(maxGroup: Int = 64, executor: (any TaskExecutor)? = nil) {
        self.maxGroup = max(1, maxGroup)
        self.executor = executor
    }

    /// `write` writes a group and returns one output per item, in order; it runs in the task of
    /// whichever caller leads that group. With an executor the leader stays on it from one group to
    /// the next: handing over on the shared task pool, it waited there behind requests being parsed.
    public nonisolated func submit(_ item: Item, write: @escaping @Sendable ([Item]) async throws -> [Output]) async throws -> Output {
        guard let executor else { return try await queue(item, write) }
        return try await withTaskExecutorPreference(executor) { try await queue(item, write) }
    }

    private func queue(_ item: Item, _ write: @escaping @Sendable ([Item]) async throws -> [Output]) async throws -> Output {
        if writing {
            let turn = await withCheckedContinuation { waiting.append((item, $0)) }
            if case .written(let result) = turn { return try result.get() }
        }
        writing = true
        let others = Array(waiting.prefix(maxGroup - 1))
        waiting.removeFirst(others.count)
        let results = await Self.writeGroup([item] + others.map(\.item), write)
        for (other, result) in zip(others, results.dropFirst()) {
            other.turn.resume(returning: .written(result))
        }
        if waiting.isEmpty {
            writing = false
        } else {
            waiting.removeFirst().turn.resume(returning: .lead)
        }
        return try results[0].get()
    }

    private nonisolated static func writeGroup(_ items: [Item], _ write: @Sendable ([Item]) async throws -> [Output]) async
        -> [Result<Output, any Error>] {
        do {
            let outputs = try await write(items)
            return outputs.map { .success($0) }
        } catch {
            guard items.count > 1 else { return [.failure(error)] }
            var results: [Result<Output, any Error>] = []
            for item in items {
                do {
                    results.append(.success(try await write([item])[0]))
                } catch {
                    results.append(.failure(error))
                }
            }
            return results
        }
    }
}
