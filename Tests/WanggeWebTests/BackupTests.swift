import Fluent
import Foundation
import SQLKit
import Vapor
import WanggeDomain
import WanggePersistence
import XCTest
import XCTVapor
@testable import WanggeWeb

final class BackupTests: XCTestCase {
    /// Reports arrive while the backup runs; every report acknowledged before the backup started is in
    /// the restored copy, with its events and its photo, and the audit chains verify.
    func testABackupTakenUnderLoadRestoresEveryAcknowledgedCase() async throws {
        try await withApp { t in
            let app = t.app
            let spot = try t.centre(of: "330110001001-01")
            func report(_ i: Int) async throws -> String? {
                let (body, type) = multipartBody([("channel", "citizen"), ("description", "备份压力测试第\(i)条"),
                                                  ("lat", "\(spot.lat)"), ("lon", "\(spot.lon)")],
                                                 files: [Upload(name: "photos[]", filename: "p.png", contentType: "image/png", data: tinyPNG + Data([UInt8(i % 250)]))])
                var code: String?
                try await app.test(.POST, "/api/v1/cases", beforeRequest: { req in
                    req.headers.contentType = type
                    req.body = body
                }, afterResponse: { res async in
                    if res.status == .created { code = try? res.content.get(String.self, at: "code") }
                })
                return code
            }
            var before: [String] = []
            for i in 0..<10 { if let code = try await report(i) { before.append(code) } }
            XCTAssertEqual(before.count, 10)

            let backups = FileManager.default.temporaryDirectory.appendingPathComponent("wangge-backups-\(UUID().uuidString)").path
            try FileManager.default.createDirectory(atPath: backups, withIntermediateDirectories: true)
            defer { try? FileManager.default.removeItem(atPath: backups) }
            let archive = backups + "/wangge.tar.gz"
            // Load keeps coming while the snapshot is taken.
            async let during: [String] = withThrowingTaskGroup(of: String?.self) { group in
                for i in 10..<30 { group.addTask { try await report(i) } }
                var codes: [String] = []
                for try await code in group { if let code { codes.append(code) } }
                return codes
            }
            let manifest = try await BackupService(app: app).backup(to: archive)
            let acknowledgedDuring = try await during
            XCTAssertGreaterThanOrEqual(manifest.cases, 10)
            XCTAssertEqual(acknowledgedDuring.count, 20)
            // The snapshot made beside the archive is gone once the archive is written.
            XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: backups), ["wangge.tar.gz"])

            // Restore where a disaster left nothing: a new data folder (SQLite) or a wiped schema (PostgreSQL).
            let restoredDir = FileManager.default.temporaryDirectory.appendingPathComponent("wangge-restored-\(UUID().uuidString)").path
            defer { try? FileManager.default.removeItem(atPath: restoredDir) }
            if t.database == .postgres, let sql = app.db as? any SQLDatabase {
                try await sql.raw("DROP SCHEMA public CASCADE").run()
                try await sql.raw("CREATE SCHEMA public").run()
            }
            let restored = try await Application.make(.testing)
            do {
                try await configure(restored, config: WanggeConfig(dataDirectory: restoredDir, databaseURL: app.wanggeConfig.databaseURL, bcryptCost: 4))
                _ = try await BackupService(app: restored).restore(from: archive)
                let codes = Set(try await CaseModel.query(on: restored.db).all().map(\.code))
                XCTAssertTrue(Set(before).isSubset(of: codes), "every case acknowledged before the backup is restored")
                XCTAssertGreaterThanOrEqual(codes.count, manifest.cases)
                for code in before {
                    let model = try await CaseModel.query(on: restored.db).filter(\.$code == code).first()!
                    let events = try await CaseEventModel.query(on: restored.db).filter(\.$caseID == model.requireID()).count()
                    XCTAssertEqual(events, 1)
                    let photo = try await AttachmentModel.query(on: restored.db).filter(\.$caseID == model.requireID()).first()
                    let path = restored.photoStore.path(sha: photo?.sha256 ?? "", contentType: photo?.contentType ?? "")
                    XCTAssertTrue(path.map { FileManager.default.fileExists(atPath: $0) } ?? false, "the photo of \(code) is restored")
                }
                let (_, findings) = try await EventHashChain.verify(on: restored.db)
                XCTAssertEqual(findings, [])
            } catch {
                try? await restored.asyncShutdown()
                throw error
            }
            try await restored.asyncShutdown()
        }
    }

    /// `wangge backup` runs beside a live server at the lowest CPU priority and in the idle I/O class, every
    /// thread of it (here a stand-in process with threads of its own, so the test runner keeps its pace).
    func testABackupProcessGivesWayToTheServer() throws {
        let standIn = Process()
        standIn.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        // Three threads: python's main one and two waiting.
        standIn.arguments = ["python3", "-c", "import threading, time\nfor _ in range(2): threading.Thread(target=time.sleep, args=(30,), daemon=True).start()\ntime.sleep(30)"]
        try standIn.run()
        defer { standIn.terminate(); standIn.waitUntilExit() }
        let pid = standIn.processIdentifier
        let tasks = "/proc/\(pid)/task"
        for _ in 0..<100 where ((try? FileManager.default.contentsOfDirectory(atPath: tasks))?.count ?? 0) < 3 { usleep(20_000) }
        let threads = try FileManager.default.contentsOfDirectory(atPath: tasks)
        XCTAssertEqual(threads.count, 3)

        XCTAssertEqual(BackgroundPriority.lower(pid: pid), 3)
        for thread in threads {
            // The nice value is the 19th field of stat, counted after the command's name in brackets.
            let stat = try String(contentsOfFile: "\(tasks)/\(thread)/stat", encoding: .utf8)
            let fields = stat[stat.range(of: ")")!.upperBound...].split(separator: " ")
            XCTAssertEqual(fields[16], "19", "thread \(thread) at the lowest CPU priority")
            let ionice = Process()
            ionice.executableURL = URL(fileURLWithPath: "/usr/bin/env")
            ionice.arguments = ["ionice", "-p", thread]
            let output = Pipe()
            ionice.standardOutput = output
            try ionice.run()
            ionice.waitUntilExit()
            XCTAssertEqual(String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self), "idle\n", "thread \(thread) in the idle I/O class")
        }
    }

    /// Intake writes a photo under a temporary name and renames it; a backup copying the store at that
    /// moment once failed on the vanished temporary file. Temporary files are not part of a backup.
    func testPhotosBeingWrittenAreLeftOutOfTheCopy() throws {
        let fm = FileManager.default
        let root = fm.temporaryDirectory.appendingPathComponent("wangge-photos-\(UUID().uuidString)")
        defer { try? fm.removeItem(at: root) }
        let source = root.appendingPathComponent("photos/bc")
        try fm.createDirectory(at: source, withIntermediateDirectories: true)
        try Data("photo".utf8).write(to: source.appendingPathComponent("bccabf.png"))
        try Data("half".utf8).write(to: source.appendingPathComponent("bcdead.png.tmp-\(UUID().uuidString)"))
        let target = root.appendingPathComponent("copy").path
        try BackupService.copyPhotos(from: root.appendingPathComponent("photos").path, to: target)
        XCTAssertEqual(try fm.contentsOfDirectory(atPath: target + "/bc"), ["bccabf.png"])
        XCTAssertEqual(try Data(contentsOf: URL(fileURLWithPath: target + "/bc/bccabf.png")), Data("photo".utf8))
    }
}
