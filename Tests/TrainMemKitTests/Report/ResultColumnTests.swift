import Foundation
import Testing

@testable import TrainMemCore
@testable import TrainMemIO

/// The result table drives both formats: every CSV result column has its JSON member, and the
/// JSON time ledger adds up to the step.
@Suite struct ResultColumnTests {
  func run(_ parallel: Parallelism) -> RunResult {
    var s = TrainingSetup(model: ModelConfig.preset("llama3-8b")!, gpu: GPUSpec.preset("h100-sxm")!, gpus: 16)
    s.parallel = parallel
    s.sequence = 4096
    return RunResult.evaluate(label: "r", setup: s).withLedgers()
  }

  func object(_ r: RunResult) throws -> [String: Any] {
    let json = JSONRenderer.render(Report(scenario: "t", runs: [r]))
    let top = try #require(JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String: Any])
    return try #require((top["runs"] as? [[String: Any]])?.first)
  }

  @Test("each CSV result is in the JSON with the same value")
  func csvMatchesJSON() throws {
    let r = run(.fsdp)
    let run = try object(r)
    let header = CSVRenderer.header.dropLast().split(separator: ",").map(String.init)
    let cells = CSVRenderer.row(r).dropLast().split(separator: ",", omittingEmptySubsequences: false).map(String.init)
    for column in ResultColumn.csv {
      let (object, key) = try #require(column.json)
      let name = object == .memory ? "memory" : object == .throughput ? "throughput" : "plan"
      let cell = cells[try #require(header.firstIndex(of: column.csv!))]
      let member = (run[name] as? [String: Any])?[key]
      switch column.value(r) {
      case .integer(let v): #expect((member as? NSNumber)?.int64Value == v && cell == "\(v)")
      case .number(let v):
        #expect(abs(((member as? NSNumber)?.doubleValue ?? -1) - v) <= 1e-12 * max(1, v))
        #expect(abs((Double(cell) ?? -1) - v) <= pow(10, -Double(column.digits)) / 2 + 1e-12)
      case .flag(let v): #expect((member as? Bool) == v && cell == "\(v)")
      case .text(let v): #expect(member as? String == v && cell == v)
      case nil: #expect(member == nil && cell.isEmpty)
      }
    }
  }

  @Test("the JSON time ledger lists each term with time and adds up to the step")
  func timeLedger() throws {
    let r = run(.fsdp)
    let throughput = try #require(try object(r)["throughput"] as? [String: Any])
    let terms = try #require(throughput["terms"] as? [[String: Any]])
    #expect(terms.count >= 4)
    let total = terms.compactMap { ($0["seconds"] as? NSNumber)?.doubleValue }.reduce(0, +)
    #expect(abs(total - r.throughput.stepSeconds) < 1e-9 * r.throughput.stepSeconds)
    // FSDP's forward gathers hide behind the forward: listed with their hidden seconds.
    #expect(terms.contains { ($0["hidden_seconds"] as? NSNumber)?.doubleValue ?? 0 > 0 })
  }
}
