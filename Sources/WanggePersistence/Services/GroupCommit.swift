import Synchronization

/// Writes that arrive while another is under way wait here, and the next write takes all of them:
/// one transaction, one commit and one set of statements for many. The first caller of an idle
/// queue starts a writing task, which writes at once and then keeps taking whoever is waiting
/// until nobody is. A group that fails is written again one item at a time, so a bad item fails alone.
///
/// On SQLite one group is written at a time (one writer per file). PostgreSQL takes several transactions at once,
/// and a group there spends most of its time waiting: for each statement's answer, and for its task's and the event
/// loop's turns, while the two cores stood half idle under full intake. With `writers` above one, whoever arrives
/// while every writer is busy waits for the next of them to finish its group, and a second writer starts while one
/// is busy and others wait.
///
/// Callers only append under a lock and wait; they never move to the writer's executor. As an
/// actor entered from the writer's thread, every caller hopped there and back: after each group
/// that thread ran a dozen short jobs (the answered callers leaving, the next ones queueing)
/// before it wrote again, and was idle a quarter of the time under steady intake.
public final class GroupCommit<Item: Sendable, Output: Sendable>: Sendable {
    private struct Waiter: Sendable {
        let item: Item
        let write: @Sendable ([Item]) async throws -> [Output]
        let answer: UnsafeContinuation<Result<Output, any Error>, Never>
    }

    private struct Queue: Sendable {
        var waiting: [Waiter] = []
        var writing = 0
    }

    private let queue = Mutex(Queue())
    private let maxGroup: Int
    private let writers: Int
    /// Where groups are written (SQLite's writer thread); nil writes on the shared pool.
    private let executor: (any TaskExecutor)?

    public init(maxGroup: Int = 64, writers: Int = 1, executor: (any TaskExecutor)? = nil) {
        self.maxGroup = max(1, maxGroup)
        self.writers = max(1, writers)
        self.executor = executor
    }

    /// `write` writes a group and returns one output per item, in order. It runs in a task started
    /// by the caller who found the queue idle, so it sees that caller's task-local values (the
    /// request's SQLite connection).
    public func submit(_ item: Item, write: @escaping @Sendable ([Item]) async throws -> [Output]) async throws -> Output {
        // Unchecked: each waiter is resumed exactly once, by `writeWhileWaiting`. The checked kind allocated a
        // guard object per report and swapped it atomically on the one writer's thread at every answer.
        try await withUnsafeContinuation { (answer: UnsafeContinuation<Result<Output, any Error>, Never>) in
            let startsWriting = queue.withLock { queue in
                queue.waiting.append(Waiter(item: item, write: write, answer: answer))
                guard queue.writing < writers else { return false }
                queue.writing += 1
                return true
            }
            guard startsWriting else { return }
            Task(executorPreference: executor) { await self.writeWhileWaiting() }
        }.get()
    }

    private func writeWhileWaiting() async {
        while let group = nextGroup() {
            let results = await Self.writeGroup(group.map(\.item), group[0].write)
            for (waiter, result) in zip(group, results) {
                waiter.answer.resume(returning: result)
            }
        }
    }

    /// Up to `maxGroup` waiters, longest waiting first; nil (and one writer fewer) when nobody waits.
    private func nextGroup() -> [Waiter]? {
        queue.withLock { queue in
            guard !queue.waiting.isEmpty else {
                queue.writing -= 1
                return nil
            }
            let group = Array(queue.waiting.prefix(maxGroup))
            queue.waiting.removeFirst(group.count)
            return group
        }
    }

    private static func writeGroup(_ items: [Item], _ write: @Sendable ([Item]) async throws -> [Output]) async
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
