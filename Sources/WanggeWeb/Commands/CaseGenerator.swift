import Crypto
import Fluent
import Foundation
import SQLKit
import Vapor
import WanggeDomain
import WanggePersistence

/// Builds the benchmark county and its cases. Rows go in with multi-row INSERTs inside one
/// transaction per batch, which is what makes a million cases a matter of minutes on SQLite.
struct CaseGenerator {
    let db: any Database
    var random: SplitMix64
    let timeZone: TimeZone
    let sla: SLAContext
    let console: any Console
    /// On SQLite, the connection the case rows go through (see `SQLiteWriteConnection`); nil writes them through Fluent.
    let writer: SQLiteWriteConnection?
    /// How many rollup rows are made at a time (see `writeRollups`); tests make it small.
    var rollupSlice = 50_000
    /// How long a case stays red before the SLA sweep escalates it: the generated history has done what the sweep would have.
    var escalateAfter: TimeInterval = 24 * 3600
    /// Over how many days up to now the cases were reported: three years by default.
    var days = defaultDays
    static let defaultDays = 3 * 365
    /// 10 townships × 10 villages × 10 grids.
    static let townships = 10, villagesPerTownship = 10, gridsPerVillage = 10

    init(db: any Database, writer: SQLiteWriteConnection?, seed: UInt64, timeZone: TimeZone, sla: SLAContext, console: any Console) {
        self.db = db
        self.writer = writer
        random = SplitMix64(seed: seed)
        self.timeZone = timeZone
        self.sla = sla
        self.console = console
    }

    var gridCodes: [String] {
        var codes: [String] = []
        for t in 1...Self.townships {
            for v in 1...Self.villagesPerTownship {
                for g in 1...Self.gridsPerVillage {
                    codes.append(String(format: "330110%03d%03d-%02d", t, v, g))
                }
            }
        }
        return codes
    }

    /// City, county, townships, villages, 1,000 grid polygons, the demo's departments and categories,
    /// and a dispatcher, handler and grid worker per unit.
    func county(hasher: PasswordHashing) async throws {
        let columns = Self.villagesPerTownship * Self.gridsPerVillage / 2 // 50 columns × 20 rows of cells
        let rows = Self.townships * 2
        let lattice = DemoGeometry.lattice(columns: columns, rows: rows, origin: GeoPoint(lon: 120.0, lat: 30.2),
                                           cellLon: 0.006, cellLat: 0.005, jitter: 0.001, seed: 7)
        let hash = try await hasher.hash(DemoCounty.password)
        try await db.transaction { tx in
            let city = try await OrgUnitService(db: tx).createRoot(code: "330100", name: "临江市")
            let countyUnit = OrgUnitModel()
            countyUnit.code = "330110"; countyUnit.name = "安澜区"; countyUnit.level = "county"
            countyUnit.$parent.id = try city.requireID(); countyUnit.ancestry = city.ancestry.child(level: .county, code: "330110")
            try await countyUnit.create(on: tx)
            var units: [String: OrgUnitModel] = ["330110": countyUnit]
            var index = 0
            for t in 1...Self.townships {
                let township = try await add(String(format: "330110%03d", t), "第\(t)街道", .township, parent: countyUnit, tx)
                for v in 1...Self.villagesPerTownship {
                    let village = try await add(String(format: "330110%03d%03d", t, v), "第\(t)街道第\(v)社区", .village, parent: township, tx)
                    for g in 1...Self.gridsPerVillage {
                        let code = String(format: "330110%03d%03d-%02d", t, v, g)
                        let polygon = lattice[index % columns][index / columns]
                        let grid = try await add(code, "\(village.name)第\(g)网格", .grid, parent: village, tx, shape: GeoMultiPolygon(polygon))
                        units[code] = grid
                        index += 1
                    }
                }
            }
            for department in DemoCounty.departments where department.orgCode == "330110" {
                try await DepartmentModel(code: department.code, name: department.name, orgUnitID: countyUnit.requireID()).create(on: tx)
            }
            for (i, category) in DemoCounty.categories.enumerated() {
                try await CategoryModel(code: category.code, name: category.name, parentCode: category.parentCode, defaultLevel: category.defaultLevel,
                                        defaultDepartmentCode: category.defaultDepartmentCode, sort: i).create(on: tx)
            }
            let departments = try await DepartmentModel.query(on: tx).all()
            var people: [(String, String, Role, UUID, UUID?)] = [("admin", "管理员", .admin, try countyUnit.requireID(), nil),
                                                                  ("dispatcher", "区调度员", .dispatcher, try countyUnit.requireID(), nil),
                                                                  ("leader", "区领导", .leader, try countyUnit.requireID(), nil)]
            for department in departments {
                people.append(("handler-" + department.code.lowercased(), department.name + "处置人员", .handler, try countyUnit.requireID(), department.id))
            }
            for (i, code) in gridCodes.enumerated() {
                people.append(("grid\(i + 1)", "网格员\(i + 1)", .gridWorker, try units[code]!.requireID(), nil))
            }
            for (username, name, role, unit, department) in people {
                let user = UserModel()
                user.username = username; user.displayName = name; user.passwordHash = hash; user.role = role.rawValue
                user.$orgUnit.id = unit; user.$department.id = department; user.active = true; user.failedLogins = 0
                try await user.create(on: tx)
                if role == .gridWorker { try await GridAssignmentModel(gridID: unit, userID: user.requireID()).create(on: tx) }
            }
        }
        console.info("county: \(gridCodes.count) grids, \(Self.townships) townships")
    }

    func add(_ code: String, _ name: String, _ level: OrgLevel, parent: OrgUnitModel, _ tx: any Database, shape: GeoMultiPolygon? = nil) async throws -> OrgUnitModel {
        let unit = OrgUnitModel()
        unit.code = code; unit.name = name; unit.level = level.rawValue
        unit.$parent.id = try parent.requireID()
        unit.ancestry = parent.ancestry.child(level: level, code: code)
        if let shape {
            let box = shape.bbox
            unit.geometry = shape.geoJSONString
            unit.minLon = box.minLon; unit.minLat = box.minLat; unit.maxLon = box.maxLon; unit.maxLat = box.maxLat
        }
        try await unit.create(on: tx)
        return unit
    }
}
