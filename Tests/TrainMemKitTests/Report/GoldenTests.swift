import Foundation
import Testing

@testable import TrainMemCLI
@testable import TrainMemCore
@testable import TrainMemIO

/// Golden files: every shipped scenario's report in every format is pinned under
/// `Golden/<scenario>.<md|json|csv|svg>`, so a changed formula shows up as a reviewed diff.
///
/// `UPDATE_GOLDEN=1 swift test` rewrites them and fails, so the rewrite is never silent.
@Suite struct GoldenTests {
  static let scenariosDir = Calibration.root.appendingPathComponent("Scenarios")
  static let goldenDir = Calibration.root.appendingPathComponent("Tests/TrainMemKitTests/Golden")
  static let scenarios: [String] =
    (try? FileManager.default.contentsOfDirectory(atPath: scenariosDir.path))?
    .filter { $0.hasSuffix(".yaml") }.map { String($0.dropLast(5)) }.sorted() ?? []

  /// Markdown tables are read in a terminal: every table row of every shipped scenario's report
  /// and of the pinned `fit` answers fits 160 columns (details go in prose below them).
  @Test("every Markdown table row fits a 160-column terminal")
  func tableWidth() throws {
    let files = try FileManager.default.contentsOfDirectory(atPath: Self.goldenDir.path).filter { $0.hasSuffix(".md") }
    #expect(files.count >= Self.scenarios.count)
    for file in files {
      let text = try String(contentsOf: Self.goldenDir.appendingPathComponent(file), encoding: .utf8)
      for line in text.split(separator: "\n") where line.hasPrefix("|") {
        #expect(line.count <= 160, "\(file): \(line.count) columns: \(line.prefix(60))")
      }
    }
  }

  @Test("every shipped scenario matches its golden reports", arguments: scenarios)
  func golden(_ name: String) throws {
    for format in ReportFormat.allCases {
      var out = "", err = ""
      let status = TrainMemCLI.run(
        arguments: [
          "run", Self.scenariosDir.appendingPathComponent(name + ".yaml").path, "--format", format.rawValue,
          "--threads", "1",
        ],
        stdout: &out, stderr: &err)
      #expect(status == 0, "\(name).\(format.rawValue): \(err)")
      try assertGolden("\(name).\(format.rawValue)", out)
      if format == .svg { #expect(svgHeight(out) <= 1_400, "\(name).svg is taller than a screen") }
    }
  }

  /// The `height` of an SVG's root element, in pixels.
  func svgHeight(_ svg: String) -> Double {
    guard let r = svg.range(of: "height=\"") else { return .infinity }
    return Double(svg[r.upperBound...].prefix { $0 != "\"" }) ?? .infinity
  }

  @Test("no golden file without its scenario")
  func noOrphans() throws {
    let files = try FileManager.default.contentsOfDirectory(atPath: Self.goldenDir.path)
    let fits = FitGoldenTests.examples.map { $0.0 + ".md" }
    for f in files where !fits.contains(f) {
      let base = String(f.prefix { $0 != "." })
      #expect(Self.scenarios.contains(base), "orphan golden file \(f)")
    }
    #expect(files.count == Self.scenarios.count * ReportFormat.allCases.count + fits.count)
  }
}

/// Compares `actual` with `Golden/<name>`; with `UPDATE_GOLDEN=1` rewrites the file and records
/// an issue, so a rewrite never passes silently.
///
/// A missing file fails too.
func assertGolden(_ name: String, _ actual: String) throws {
  let file = GoldenTests.goldenDir.appendingPathComponent(name)
  if ProcessInfo.processInfo.environment["UPDATE_GOLDEN"] == "1" {
    try actual.write(to: file, atomically: true, encoding: .utf8)
    Issue.record("rewrote \(name); review the diff and run the tests again without UPDATE_GOLDEN")
    return
  }
  guard let stored = try? String(contentsOf: file, encoding: .utf8) else {
    Issue.record("missing golden file \(name); create it with UPDATE_GOLDEN=1 swift test")
    return
  }
  let expected = stored.replacingOccurrences(of: "\r\n", with: "\n")
  if expected != actual { Issue.record("\(name) differs:\n\(lineDiff(expected, actual))") }
}

/// The first differing lines, for a readable failure.
func lineDiff(_ expected: String, _ actual: String) -> String {
  let e = expected.split(separator: "\n", omittingEmptySubsequences: false)
  let a = actual.split(separator: "\n", omittingEmptySubsequences: false)
  var out = ""
  var shown = 0
  for i in 0..<max(e.count, a.count) where shown < 8 {
    let x = i < e.count ? String(e[i]) : "<none>"
    let y = i < a.count ? String(a[i]) : "<none>"
    if x != y { out += "line \(i + 1):\n- \(x)\n+ \(y)\n"; shown += 1 }
  }
  return out
}

/// The planner's shipped examples (README "Commands"), pinned like the scenario reports.
@Suite struct FitGoldenTests {
  static let examples: [(String, [String], Int32)] = [
    ("fit-llama-13b-a100", ["fit", "--model", "llama-13b", "--gpu", "a100-80gb", "--optimizer", "adamw"], 1),
    ("fit-llama-7b-rtx4090", ["fit", "--model", "llama-7b", "--gpu", "rtx-4090"], 1),
    ("fit-llama-1b-which-gpu", ["fit", "--model", "llama-1b", "--price", "2.0"], 0),
  ]

  @Test("fit examples match their golden output", arguments: examples.indices)
  func fitGolden(_ i: Int) throws {
    let (name, args, status) = Self.examples[i]
    var out = "", err = ""
    #expect(TrainMemCLI.run(arguments: args, stdout: &out, stderr: &err) == status)
    try assertGolden(name + ".md", out)
  }

  @Test("the 13B advice names APOLLO-Mini with the micro-batch it allows")
  func advice13B() {
    let s = TrainingSetup(model: ModelConfig.preset("llama-13b")!, gpu: GPUSpec.preset("a100-80gb")!)
    let advice = Advice.changes(s)
    let mini = advice.first { $0.change == "optimizer apollo-mini" }
    #expect(mini != nil)
    if let mini {
      let b = Planner.maxMicroBatch(mini.setup)
      #expect(b == 21)
    }
  }

  @Test("7B on an RTX 4090: 8-bit GaLore and Q-APOLLO-Mini, layer-wise, fit; AdamW does not")
  func rtx4090() {
    let s = TrainingSetup(model: ModelConfig.preset("llama-7b")!, gpu: GPUSpec.preset("rtx-4090")!)
    #expect(!MemoryModel.estimate(s).fits)
    let names = Advice.changes(s).map(\.change)
    #expect(names.contains("optimizer galore-8bit, layer-wise"))
    #expect(names.contains("optimizer q-apollo-mini, layer-wise"))
    #expect(names.contains("8-bit GaLore, layer-wise, full recomputation"))
  }
}
