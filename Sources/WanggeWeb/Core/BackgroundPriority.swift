import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Puts a process behind everything else on the machine: the lowest CPU priority and the idle I/O class,
/// for every thread it has (Linux keeps both per thread; threads started later inherit them). `wangge
/// backup` runs so beside a live server, whose reports waited on the disk during a backup at a million
/// cases (BENCHMARKS.md, "A report while the operator takes a backup"). Measured there, this did not
/// shorten those waits clearly (the kernel writes the backup's pages back on its own account); it keeps
/// the backup's `gzip` from taking a core from the server on equal terms.
enum BackgroundPriority {
    /// Lowers every thread of `pid` (this process by default). Best effort: where `ionice` is missing or
    /// the kernel refuses, the backup still runs, only less politely. Returns the threads lowered.
    @discardableResult
    static func lower(pid: Int32 = getpid()) -> Int {
        let threads = (try? FileManager.default.contentsOfDirectory(atPath: "/proc/\(pid)/task"))?.compactMap { Int32($0) } ?? [pid]
        var lowered = 0
        for thread in threads where setpriority(__priority_which_t(PRIO_PROCESS.rawValue), id_t(thread), 19) == 0 {
            lowered += 1
        }
        // The I/O class has no libc wrapper (its system call is variadic to Swift); util-linux's tool sets it.
        let ionice = Process()
        ionice.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        ionice.arguments = ["ionice", "-c", "3", "-p"] + threads.map(String.init)
        ionice.standardOutput = FileHandle.nullDevice
        ionice.standardError = FileHandle.nullDevice
        if (try? ionice.run()) != nil { ionice.waitUntilExit() }
        return lowered
    }
}
