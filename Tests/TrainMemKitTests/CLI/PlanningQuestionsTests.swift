import Foundation
import Testing

@testable import TrainMemCLI
@testable import TrainMemCore
@testable import TrainMemIO

/// The README's "Nine planning questions" (issue #16): each question's commands are read from
/// the README itself, run, and their answers checked — so the README cannot drift from what the
/// tool says.
@Suite struct PlanningQuestionsTests {
  /// The `swift run trainmem …` lines under each numbered question, as argument lists, with
  /// scenario paths made absolute and `--output` sent to a temporary directory.
  static let questions: [[[String]]] = {
    let readme = (try? String(contentsOf: Calibration.root.appendingPathComponent("README.md"), encoding: .utf8)) ?? ""
    guard let start = readme.range(of: "## Nine planning questions"),
      let end = readme.range(of: "\n## ", range: start.upperBound..<readme.endIndex)
    else { return [] }
    var out: [[[String]]] = []
    for line in readme[start.upperBound..<end.lowerBound].split(separator: "\n") {
      let text = line.trimmingCharacters(in: .whitespaces)
      if text.first?.isNumber == true && text.contains(". ") { out.append([]) }
      guard text.hasPrefix("swift run trainmem "), !out.isEmpty else { continue }
      out[out.count - 1].append(text.dropFirst("swift run trainmem ".count).split(separator: " ").map(String.init))
    }
    return out
  }()

  static let outputDir = FileManager.default.temporaryDirectory.appendingPathComponent(
    "questions-\(UUID().uuidString)")

  func answer(_ question: Int, _ command: Int = 0) throws -> Captured {
    try #require(Self.questions.count == 9, "the README lists nine questions")
    try FileManager.default.createDirectory(at: Self.outputDir, withIntermediateDirectories: true)
    let args = Self.questions[question - 1][command].map { arg -> String in
      if arg.hasPrefix("Scenarios/") { return Calibration.root.appendingPathComponent(arg).path }
      if arg.hasSuffix(".svg") || arg.hasSuffix(".json") { return Self.outputDir.appendingPathComponent(arg).path }
      return arg
    }
    return cli(args)
  }

  /// The numbers in a Markdown table row's cells ("$2,611" → 2611).
  func number(_ cell: Substring) -> Double? {
    Double(cell.filter { $0.isNumber || $0 == "." })
  }

  @Test("1: APOLLO 7B on 8×A100 fits; 20B tokens in hours and dollars at the largest micro-batch keeping 512")
  func apolloCost() throws {
    let r = try answer(1)
    #expect(r.status == 0 && r.out.contains("Fits: yes"))
    // Micro-batch 16 keeps the 64-sequence share of the global batch; its bill is priced.
    let line = try #require(r.out.split(separator: "\n").first { $0.hasPrefix("Largest micro-batch:") })
    #expect(line.contains("20B tokens in") && line.contains("$"))
    var s = TrainingSetup(
      model: ModelConfig.preset("llama-7b")!, gpu: GPUSpec.preset("a100-80gb")!, gpus: 8,
      optimizer: OptimizerConfig(kind: .apollo))
    s.parallel = .ddp
    s.globalBatch = 512
    s.tokens = 20e9
    s.price = 1.8
    let fit = FitAnswer(s)
    let bill = try #require(fit.bill)
    #expect(64 % fit.bestMicroBatch == 0)
    #expect(
      abs(bill.dollars! - bill.hours * 8 * 1.8) < 1e-6
        && abs(bill.hours - 20e9 / fit.tokensPerSecondAtMax! / 3600) < 1e-9)
  }

  @Test("2: AdamW there is a narrow fit inside the error band; exit 1; changes ranked cheapest first, each fits")
  func adamwChanges() throws {
    let r = try answer(2)
    #expect(r.status == 1 && r.err.contains("narrow fit"))
    #expect(r.out.contains("needs 78.07 GiB (±5%) of 79.25 GiB, 1.18 GiB to spare"))
    #expect(r.out.contains("**Narrow fit**") && r.out.contains("Changes that keep the margin"))
    // The changes table only: the layouts' table follows under its own heading.
    func changes(_ text: String) -> [Substring] {
      let head = text.components(separatedBy: "\n## Layouts")[0]
      return head.split(separator: "\n").filter { $0.hasPrefix("| ") && !$0.hasPrefix("| change") }
    }
    let rows = changes(r.out)
    let costs = rows.compactMap { row -> Double? in
      let cells = row.split(separator: "|", omittingEmptySubsequences: false)
      return cells.count > 8 ? number(cells[8]) : nil
    }
    #expect(costs.count >= 5 && costs == costs.sorted(), "cheapest first: \(costs)")
    // Ranked by time instead, hours ascend.
    let byTime = cli(Self.questions[1][0] + ["--rank-by", "time"])
    let hours = changes(byTime.out)
      .compactMap { row -> Double? in
        let cells = row.split(separator: "|", omittingEmptySubsequences: false)
        return cells.count > 7 ? number(cells[7]) : nil
      }
    #expect(hours.count == costs.count && hours == hours.sorted())
    #expect(cli(Self.questions[1][0] + ["--rank-by", "speed"]).err.contains("expected cost or time"))
  }

  @Test("3: an 8B model on one RTX 4090 at 2,048 tokens: adapters with recomputation fit, with their longest sequence")
  func consumer8B() throws {
    let r = try answer(3)
    #expect(r.status == 1 && r.out.contains("Changes that make it fit"))
    #expect(r.out.contains("| QLoRA r16, full recomputation, fused loss |"))
    let json = cli(Self.questions[2][0] + ["--format", "json"])
    let object = try JSONSerialization.jsonObject(with: Data(json.out.utf8)) as? [String: Any]
    let changes = try #require(object?["changes"] as? [[String: Any]])
    let capacity = try #require(object?["capacity_bytes"] as? Int64)
    #expect(!changes.isEmpty && object?["changes_kind"] as? String == "make_it_fit")
    for c in changes {
      #expect((c["required_bytes"] as? Int64 ?? .max) <= capacity)
      #expect((c["max_sequence"] as? Int64 ?? 0) >= 2048)
    }
  }

  @Test("4: GPUs ranked by the cost of 20B tokens at each card's own price, list prices for the others")
  func whichGPU() throws {
    let r = try answer(4)
    #expect(r.status == 0 && r.out.contains("at the prices given (list prices for the others)"))
    let rows = r.out.split(separator: "\n").filter { $0.hasPrefix("| ") && !$0.hasPrefix("| GPU") && $0.contains("$") }
    let dollars = rows.compactMap { number($0.split(separator: "|", omittingEmptySubsequences: false)[8]) }
    #expect(dollars.count >= 10 && dollars == dollars.sorted())
    // The given prices cost their cards: the H200's row is 20B tokens at $3.50 on 8 GPUs.
    let h200 = try #require(rows.first { $0.hasPrefix("| h200 |") })
    let cells = h200.split(separator: "|", omittingEmptySubsequences: false)
    let hours = try #require(number(cells[7]))
    #expect(abs(try #require(number(cells[8])) / (hours * 8 * 3.5) - 1) < 0.01)
  }

  @Test("5: the 13B optimizer comparison: every optimizer, term sources, runs that do not fit drawn faded and uncosted")
  func optimizerComparison() throws {
    let md = try answer(5)
    #expect(md.status == 0)
    for name in ["adamw", "adamw-8bit", "adamw-4bit", "adafactor", "galore", "galore-8bit", "apollo", "apollo-mini"] {
      #expect(md.out.contains("optimizer \(name),") || md.out.contains("optimizer \(name)\n"))
    }
    // Runs that do not fit carry no cost; those that do are costed.
    let rows = md.out.split(separator: "\n").filter { $0.hasPrefix("| ") && $0.contains("GiB") && $0.hasSuffix("|") }
    #expect(rows.contains { $0.contains("**no**") } && rows.contains { $0.contains("| yes |") })
    #expect(rows.allSatisfy { $0.contains("**no**") == $0.hasSuffix("| – |") })
    #expect(md.out.contains("| source |") && md.out.contains("How far to trust it: peak memory ±"))
    let svg = try answer(5, 1)
    #expect(svg.status == 0)
    let chart = try String(contentsOf: Self.outputDir.appendingPathComponent("optimizers.svg"), encoding: .utf8)
    #expect(chart.contains("does not fit"))
  }

  @Test("6: the CI gate: --check exits 1 naming the run that does not fit; the JSON report is still written")
  func gate() throws {
    let r = try answer(6)
    #expect(r.status == 1 && r.err.contains("do not fit") && r.err.contains("'AdamW"))
    let data = try Data(contentsOf: Self.outputDir.appendingPathComponent("trainmem.json"))
    let object = try JSONSerialization.jsonObject(with: data) as? [String: Any]
    #expect((object?["runs"] as? [Any])?.isEmpty == false)
  }

  @Test("7: the memory timeline peaks at the estimate's peak; the report gives its error band and calibrated range")
  func timelineAndTrust() throws {
    let chart = try answer(7)
    #expect(chart.status == 0)
    let svg = try String(contentsOf: Self.outputDir.appendingPathComponent("step.svg"), encoding: .utf8)
    #expect(svg.contains("peak"))
    let report = try answer(7, 1)
    #expect(report.out.contains("How far to trust it: peak memory ±1%, tokens/s ±15%; inside the calibration"))
    let json = cli(Self.questions[6][1] + ["--format", "json"])
    #expect(json.out.contains("\"error_band\" : 0.01") && json.out.contains("\"error_band\" : 0.15"))
  }

  @Test("8: a 70B full fine-tune that does not fit keeps its goal: full fine-tunes that fit, no adapters unasked")
  func fullFineTuneKeepsGoal() throws {
    let r = try answer(8)
    #expect(r.status == 1 && r.out.contains("Fits: **no**"))
    // The changes table only: the layouts' table follows under its own heading.
    func changes(_ text: String) -> [Substring] {
      let head = text.components(separatedBy: "\n## Layouts")[0]
      return head.split(separator: "\n").filter { $0.hasPrefix("| ") && !$0.hasPrefix("| change") }
    }
    let rows = changes(r.out)
    #expect(rows.contains { $0.hasPrefix("| 8-bit AdamW, full recomputation") })
    #expect(rows.contains { $0.hasPrefix("| optimizer on the CPU, full recomputation") })
    #expect(!rows.contains { $0.contains("LoRA") })
    #expect(r.out.contains("Adapters (LoRA, QLoRA) are not offered"))
  }

  @Test("9: 405B on 1,024 H100s: every layout above the best published Hopper MFU is marked, with its source")
  func layoutWithinPublishedMFU() throws {
    let r = try answer(9)
    let rows = r.out.split(separator: "\n").filter { $0.hasPrefix("| dp ") }
    #expect(!rows.isEmpty)
    let ceiling = try #require(PublishedMFU.best(.hopper, fp8: false))
    for row in rows {
      let mfu = Double(row.split(separator: "|").last!.filter { $0.isNumber || $0 == "." })! / 100
      #expect(row.contains("†") == (mfu > ceiling.mfu), "\(row)")
    }
    #expect(!rows.contains { $0.contains("†") } || r.out.contains("(`\(ceiling.figure)` in `trainmem validate`)"))
  }
}
