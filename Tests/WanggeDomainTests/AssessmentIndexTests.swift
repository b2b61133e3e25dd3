import XCTest
@testable import WanggeDomain

final class AssessmentIndexTests: XCTestCase {
    /// 响应率 0.9, 超期率 0.1, 满意率 (30 + 0.8 × 10) / 50 = 0.76, 重办 4.
    private var counts: CaseCounts {
        var c = CaseCounts()
        c.registered = 100; c.respondedInTime = 90; c.closed = 80; c.closedOnTime = 72; c.overdue = 10
        c.dispatched = 50; c.reworked = 5; c.returned = 2
        c.satisfied = 30; c.basicallySatisfied = 10; c.unsatisfied = 10; c.reopened = 4
        return c
    }

    private func index(_ children: [IndexNode]) -> IndexDefinition {
        IndexDefinition(nameZH: "测试指数", root: .group("root", "测试指数", weight: 1, children))
    }

    func testWeightedLeavesThreeToOne() throws {
        let def = index([
            .leaf("response", "响应率", weight: 3, .rate(.response), worst: 0.5, best: 1), // 0.9 → 80
            .leaf("overdue", "超期率", weight: 1, .rate(.overdueRate), worst: 0.2, best: 0), // 0.1 → 50
        ])
        let score = def.evaluate(counts)
        XCTAssertEqual(try XCTUnwrap(score.score), (3 * 80 + 50) / 4.0, accuracy: 1e-9) // 72.5
        XCTAssertEqual(score.children.map(\.id), ["response", "overdue"])
        XCTAssertEqual(try XCTUnwrap(score.children[0].raw), 0.9, accuracy: 1e-12)
        XCTAssertEqual(try XCTUnwrap(score.children[1].score), 50, accuracy: 1e-9)
        XCTAssertNil(score.raw)
        XCTAssertEqual(score.scoreText, "72.5")
    }

    func testClampingCountsAndSatisfactionWeight() throws {
        let def = index([
            .leaf("below", "低于最差", weight: 1, .rate(.response), worst: 0.95, best: 1),
            .leaf("above", "高于最佳", weight: 1, .rate(.response), worst: 0, best: 0.5),
            .leaf("reopened", "重办数", weight: 1, .count(.reopened), worst: 10, best: 0),
            .leaf("satisfaction", "满意率", weight: 1, .rate(.satisfaction), worst: 0.6, best: 1),
        ])
        let scores = def.evaluate(counts).children.map(\.score)
        XCTAssertEqual(scores[0], 0)
        XCTAssertEqual(scores[1], 100)
        XCTAssertEqual(try XCTUnwrap(scores[2]), 60, accuracy: 1e-9) // 4 reopened, lower is better
        XCTAssertEqual(try XCTUnwrap(scores[3]), 40, accuracy: 1e-9) // 0.76
        let full = def.evaluate(counts, basicallySatisfiedWeight: 1).children[3]
        XCTAssertEqual(try XCTUnwrap(full.score), 50, accuracy: 1e-9) // 0.8
        XCTAssertEqual(def.evaluate(counts).children[2].raw, 4)
    }

    func testMissingScoresAreSkippedAndWeightsRenormalised() throws {
        var noEvaluations = counts
        noEvaluations.satisfied = 0; noEvaluations.basicallySatisfied = 0; noEvaluations.unsatisfied = 0
        let def = index([
            .group("people", "群众满意", weight: 5, [
                .leaf("satisfaction", "满意率", weight: 1, .rate(.satisfaction), worst: 0.6, best: 1),
            ]),
            .leaf("response", "响应率", weight: 1, .rate(.response), worst: 0.5, best: 1),
        ])
        let score = def.evaluate(noEvaluations)
        XCTAssertNil(score.children[0].score, "a group with nothing measured has no score, not 0")
        XCTAssertNil(score.children[0].children[0].raw)
        XCTAssertEqual(try XCTUnwrap(score.score), 80, accuracy: 1e-9, "judged on 响应率 alone")
        XCTAssertEqual(score.children[0].scoreText, "—")

        // With evaluations the group counts 5:1: (5 × 40 + 80) / 6.
        XCTAssertEqual(try XCTUnwrap(def.evaluate(counts).score), (5 * 40 + 80) / 6.0, accuracy: 1e-9)
        XCTAssertNil(def.evaluate(CaseCounts()).score)
    }

    func testDefaultSafetyIndexIsValidAndScores() throws {
        let def = IndexDefinition.safetyIndexDefault
        XCTAssertEqual(def.validate(), [])
        XCTAssertEqual(def.root.children.count, 3)
        var leaves: [IndexMetric] = []
        func collect(_ n: IndexNode) { if let l = n.leaf { leaves.append(l.metric) }; n.children.forEach(collect) }
        collect(def.root)
        XCTAssertEqual(Set(leaves.compactMap { if case .rate(let r) = $0 { r } else { nil } }), Set(Rate.allCases))
        XCTAssertEqual(leaves.filter { if case .count = $0 { true } else { false } }.count, 1)
        let score = try XCTUnwrap(def.evaluate(counts).score)
        XCTAssertTrue((0...100).contains(score))
    }

    func testJSONRoundTripAndMetricShape() throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        XCTAssertEqual(String(decoding: try encoder.encode(IndexMetric.rate(.satisfaction)), as: UTF8.self),
                       #"{"rate":"satisfaction"}"#)
        XCTAssertEqual(String(decoding: try encoder.encode(IndexMetric.count(.closedOnTime)), as: UTF8.self),
                       #"{"count":"closed_on_time"}"#)

        let def = IndexDefinition.safetyIndexDefault
        let decoded = try JSONDecoder().decode(IndexDefinition.self, from: try encoder.encode(def))
        XCTAssertEqual(decoded, def)

        // Hand-written JSON: a leaf may omit `children`.
        let json = #"{"nameZH":"小指数","root":{"id":"root","nameZH":"小指数","weight":1,"children":[{"id":"o","nameZH":"超期数","weight":2,"leaf":{"metric":{"count":"overdue"},"worst":10,"best":0}}]}}"#
        let small = try JSONDecoder().decode(IndexDefinition.self, from: Data(json.utf8))
        XCTAssertEqual(small.root.children[0].leaf, IndexLeaf(metric: .count(.overdue), worst: 10, best: 0))
        XCTAssertEqual(small.validate(), [])

        for bad in [#"{}"#, #"{"rate":"response","count":"overdue"}"#, #"{"rate":"nope"}"#, #"{"count":"responded"}"#] {
            XCTAssertThrowsError(try JSONDecoder().decode(IndexMetric.self, from: Data(bad.utf8)), bad)
        }
    }

    func testEachValidationProblemIsReported() {
        func problems(_ def: IndexDefinition) -> [String] { def.validate() }
        let ok = IndexNode.leaf("ok", "响应率", weight: 1, .rate(.response), worst: 0.5, best: 1)

        XCTAssertEqual(problems(IndexDefinition(nameZH: " ", root: .group("root", "根", weight: 1, [ok]))),
                       ["指数名称不能为空。"])
        XCTAssertEqual(problems(index([ok, ok])), ["指标编号「ok」重复。"])
        XCTAssertEqual(problems(index([ok, ok, ok])), ["指标编号「ok」重复。"], "reported once")
        XCTAssertEqual(problems(index([.leaf("w", "零权重", weight: 0, .rate(.response), worst: 0.5, best: 1)])),
                       ["指标「零权重」的权重必须大于 0。"])
        XCTAssertEqual(problems(index([.leaf("w", "负权重", weight: -1, .rate(.response), worst: 0.5, best: 1)])),
                       ["指标「负权重」的权重必须大于 0。"])
        var leafWithChildren = IndexNode.leaf("l", "末级", weight: 1, .rate(.response), worst: 0.5, best: 1)
        leafWithChildren.children = [.leaf("x", "下级", weight: 1, .rate(.resolution), worst: 0.5, best: 1)]
        XCTAssertEqual(problems(index([leafWithChildren])), ["指标「末级」是末级指标,不能再有下级指标。"])
        XCTAssertEqual(problems(index([.group("g", "空组", weight: 1, [])])), ["指标组「空组」没有下级指标。"])
        XCTAssertEqual(problems(index([.leaf("s", "满意率", weight: 1, .rate(.satisfaction), worst: 0.9, best: 0.9)])),
                       ["指标「满意率」的最差值与最佳值不能相同。"])
        XCTAssertEqual(problems(index([.leaf("p", "百分比", weight: 1, .rate(.resolution), worst: 60, best: 100)])),
                       ["指标「百分比」是比率,最差值和最佳值应在 0 到 1 之间(95% 填 0.95)。"])
        XCTAssertEqual(problems(index([.leaf("Bad-ID", "编号", weight: 1, .rate(.response), worst: 0.5, best: 1)])),
                       ["指标编号「Bad-ID」无效:只能使用小写字母、数字和下划线,长度 1–40。"])
        XCTAssertEqual(problems(index([.leaf(String(repeating: "a", count: 41), "长", weight: 1, .count(.closed), worst: 0, best: 1)])).count, 1)
        XCTAssertEqual(problems(index([.leaf(String(repeating: "a", count: 40), "长", weight: 1, .count(.closed), worst: 0, best: 1)])), [])
        XCTAssertEqual(problems(index([.leaf("", "空编号", weight: 1, .count(.closed), worst: 0, best: 1)])).count, 1)

        // Depth: root plus four nested groups and a leaf is 6 levels.
        var deep = IndexNode.leaf("d5", "第六层", weight: 1, .count(.closed), worst: 0, best: 1)
        for level in (1...4).reversed() { deep = .group("d\(level)", "第\(level + 1)层", weight: 1, [deep]) }
        XCTAssertEqual(problems(index([deep])), ["指标层级不能超过 5 层。"])
        XCTAssertEqual(problems(index(deep.children)), [], "five levels are allowed")

        let many = (1...100).map { IndexNode.leaf("n\($0)", "指标\($0)", weight: 1, .count(.closed), worst: 0, best: 1) }
        XCTAssertEqual(problems(index(many)), ["指标总数不能超过 100 个(当前 101 个)。"])
        XCTAssertEqual(problems(index(Array(many.prefix(99)))), [])
    }
}
