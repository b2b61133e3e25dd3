import Foundation

/// A thread of its own for SQLite's writes (`Database.writeRows`, and the intake's `GroupCommit`).
/// On the shared task pool a group of reports, between its steps, queued behind the requests being
/// parsed there while it held the one write lock SQLite allows. Writes are one at a time anyway,
/// so a thread that does nothing else picks each step up at once.
public final class WriterThread: TaskExecutor, @unchecked Sendable {
    public static let shared = WriterThread(name: "wangge-sqlite-writer")

    private let condition = NSCondition()
    private var jobs: [UnownedJob] = []

    private init(name: String) {
        let thread = Thread { [unowned self] in self.run() }
        thread.name = name
        thread.start()
    }

    public func enqueue(_ job: consuming ExecutorJob) {
        let job = UnownedJob(job)
        condition.lock()
        jobs.append(job)
        condition.signal()
        condition.unlock()
    }

    private func run() {
        var batch: [UnownedJob] = []
        while true {
            condition.lock()
            while jobs.isEmpty { condition.wait() }
            swap(&batch, &jobs)
            condition.unlock()
            for job in batch { job.runSynchronously(on: asUnownedTaskExecutor()) }
            batch.removeAll(keepingCapacity: true)
        }
    }
}
