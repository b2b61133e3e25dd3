import CShims
import Foundation

/// A thread of its own for SQLite's writes (`Database.writeRows`, and the intake's `GroupCommit`),
/// another for copying the log into the file (`WALCheckpoints`), one for the server's background jobs
/// (`background`), and a lane of threads for the pages whose work grows with an area (`HeavyPages`).
/// On the shared task pool a group of reports, between its steps, queued behind the requests being
/// parsed there while it held the one write lock SQLite allows. Writes are one at a time anyway,
/// so a thread that does nothing else picks each step up at once.
public final class WriterThread: TaskExecutor, @unchecked Sendable {
    public static let shared = WriterThread(name: "wangge-writer")
    /// For the server's background jobs' own work (folding the rollup journal, indexing search terms), at the
    /// lowest priority: under full intake the two cores are idle a fifth of the time, in the group commit's
    /// phases, and the jobs' summing and sorting ran on the event loops at the requests' priority. Their
    /// writes still go to the writer.
    public static let background = WriterThread(name: "wangge-bg", nice: 19)

    private let condition = NSCondition()
    private var jobs: [UnownedJob] = []
    /// With one thread, it takes every waiting job at once; with more, one job at a time, so that none waits
    /// behind another's while a thread is free.
    private let oneAtATime: Bool

    public init(name: String, nice: Int32 = 0, threads: Int = 1) {
        oneAtATime = threads > 1
        for _ in 0..<max(1, threads) {
            // Named in C (`CShims`): Foundation's name does not reach the system's thread list on Linux,
            // where `top` and `perf` showed the thread under the name of whoever started it.
            Thread { [unowned self] in
                wangge_name_this_thread(name)
                if nice != 0 { _ = wangge_nice_this_thread(nice) }
                self.run()
            }.start()
        }
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
            if oneAtATime {
                batch.append(jobs.removeFirst())
            } else {
                swap(&batch, &jobs)
            }
            condition.unlock()
            for job in batch { job.runSynchronously(on: asUnownedTaskExecutor()) }
            batch.removeAll(keepingCapacity: true)
        }
    }
}
