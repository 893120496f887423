import Foundation
import Testing

@testable import TrainMemCLI
@testable import TrainMemCore
@testable import TrainMemIO

/// `margin` and `run --check`: the CI gate (issue #16 items 2 and 4).
@Suite struct GateTests {
  static let scenario = """
    name: gate
    model: llama-7b
    gpu: a100-80gb
    gpus: 8
    parallel: ddp
    global_batch: 512
    runs:
      - label: AdamW b4
        micro_batch: 4
      - label: APOLLO b16
        optimizer: apollo
        micro_batch: 16

    """

  func run(_ text: String, _ args: [String]) throws -> Captured {
    let url = FileManager.default.temporaryDirectory.appendingPathComponent("gate-\(UUID().uuidString).yaml")
    try text.write(to: url, atomically: true, encoding: .utf8)
    defer { try? FileManager.default.removeItem(at: url) }
    var c = cli(["run", url.path] + args)
    c.err = c.err.replacingOccurrences(of: url.path, with: "x.yaml")
    return c
  }

  @Test(
    "without a margin both runs fit and --check passes; with 5% the AdamW run (1.18 GiB to spare) is a narrow fit and fails it"
  )
  func check() throws {
    let plain = try run(Self.scenario, ["--check"])
    #expect(plain.status == 0 && plain.err.isEmpty)
    let margin = try run(
      Self.scenario.replacingOccurrences(of: "parallel: ddp\n", with: "parallel: ddp\nmargin: 5%\n"), ["--check"])
    #expect(margin.status == 1)
    #expect(
      margin.err.contains("1 of 2 runs do not fit or break their margin")
        && margin.err.contains("'AdamW b4' (narrow fit"))
    #expect(margin.out.contains("| AdamW b4 | narrow |") && margin.out.contains("**Narrow fit**"))
    // 5% of the A100's 79.25 GiB (85,094,039,552 bytes) is 4,254,701,977 bytes: 3.96 GiB.
    #expect(margin.err.contains("of a 3.96 GiB margin"))
    let bad = try run(
      Self.scenario.replacingOccurrences(of: "parallel: ddp\n", with: "parallel: ddp\nmargin: 60%\n"), [])
    #expect(
      bad.status == 65 && bad.err.contains("x.yaml:6:9: error: 'margin' is '60%', above the supported maximum 50%"))
    let json = try run(
      Self.scenario.replacingOccurrences(of: "parallel: ddp\n", with: "parallel: ddp\nmargin: 5%\n"),
      ["--format", "json"])
    #expect(json.out.contains("\"narrow_fit\" : true") && json.out.contains("\"margin\" : 0.05"))
  }

  @Test("a run that does not fit fails --check by name; the report is still written")
  func doesNotFit() throws {
    let r = try run("model: llama-13b\ngpu: a100-80gb\nruns:\n  - label: AdamW 13B\n", ["--check", "--format", "csv"])
    #expect(r.status == 1 && r.err.contains("'AdamW 13B' (needs") && r.out.hasPrefix("label,"))
  }

  @Test("fit with a margin: a narrow fit exits 1, and the planner's answers keep the margin")
  func fitMargin() {
    let narrow = cli([
      "fit", "--model", "llama-7b", "--gpu", "a100-80gb", "--gpus", "8", "--parallel", "ddp", "--micro-batch", "4",
      "--margin", "5%",
    ])
    #expect(
      narrow.status == 1 && narrow.err.contains("narrow fit") && narrow.out.contains("Changes that keep the margin"))
    var s = TrainingSetup(
      model: ModelConfig.preset("llama-7b")!, gpu: GPUSpec.preset("a100-80gb")!,
      optimizer: OptimizerConfig(kind: .apollo))
    let without = Planner.maxMicroBatch(s)
    s.margin = 0.2
    let with = Planner.maxMicroBatch(s)
    #expect(without != nil && with != nil && with! < without!)
    var at = s
    at.microBatch = with!
    let m = MemoryModel.estimate(at)
    #expect(m.headroom >= m.margin)
  }
}

@Suite struct FitFileTests {
  @Test("fit FILE answers for every run of a scenario, in Markdown and JSON; exit 1 naming the runs that do not fit")
  func fitFile() throws {
    let path = Calibration.root.appendingPathComponent("Scenarios/llama-13b-a100.yaml").path
    let md = cli(["fit", path])
    #expect(
      md.status == 1 && md.out.contains("## AdamW:") && md.out.contains("## APOLLO-Mini:") && md.err.contains("'AdamW'")
    )
    let json = cli(["fit", path, "--format", "json"])
    let object = try #require(try JSONSerialization.jsonObject(with: Data(json.out.utf8)) as? [String: Any])
    #expect((object["runs"] as? [Any])?.count == 2)
    #expect(cli(["fit", path, "--gpu", "h200"]).status == 64)
    #expect(cli(["fit", Calibration.root.appendingPathComponent("Benchmarks/sweep-100k.yaml").path]).status == 64)
  }
}

@Suite struct RefusedSetupTests {
  @Test("layer-wise updates with DDP or accumulation are refused, and never suggested")
  func layerwise() {
    #expect(
      cli([
        "estimate", "--model", "llama-7b", "--optimizer", "galore", "--layerwise", "--gpus", "8", "--parallel", "ddp",
      ]).status == 64)
    #expect(
      cli(["estimate", "--model", "llama-7b", "--optimizer", "galore", "--layerwise", "--global-batch", "4"]).status
        == 64)
    var s = TrainingSetup(model: ModelConfig.preset("llama-13b")!, gpu: GPUSpec.preset("a100-80gb")!)
    s.gpus = 8
    s.parallel = .ddp
    #expect(!Advice.changes(s).contains { $0.change.contains("layer-wise") })
  }
}

@Suite struct ChartLabelTests {
  @Test("sweep coordinates shared by every run leave the labels for the subtitle")
  func shortLabels() {
    let (labels, shared) = SVGRenderer.shortLabels(["A micro_batch=1 sequence=256", "A micro_batch=2 sequence=256"])
    #expect(labels == ["A micro_batch=1", "A micro_batch=2"] && shared == ["sequence=256"])
    #expect(SVGRenderer.shortLabels(["AdamW", "APOLLO"]).shared.isEmpty)
  }
}
