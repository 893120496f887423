import Foundation
import Testing

@testable import TrainMemCLI
@testable import TrainMemCore
@testable import TrainMemIO

struct Captured { var out = ""; var err = ""; var status: Int32 = 0 }
func cli(_ args: [String]) -> Captured {
  var c = Captured()
  c.status = TrainMemCLI.run(arguments: args, stdout: &c.out, stderr: &c.err)
  return c
}

@Suite struct CLITests {
  @Test("bad usage: unknown command, unknown flag with suggestion, exit 64 and empty stdout")
  func usage() {
    let a = cli(["estimat"])
    #expect(a.status == 64 && a.out.isEmpty && a.err.contains("did you mean 'estimate'?"))
    let b = cli(["estimate", "--model", "llama-7b", "--micro-bach", "4"])
    #expect(b.status == 64 && b.out.isEmpty && b.err.contains("unknown option '--micro-bach'"))
    let c = cli(["estimate", "--model", "llama-7x"])
    #expect(c.status == 64 && c.err.contains("unknown model 'llama-7x'; llama has") && c.err.contains("'llama-7b'?"))
    let d = cli(["estimate", "--model", "llama-7b", "--optimizer", "apollo", "--rank", "0"])
    #expect(d.status == 64 && d.err.contains("'--rank' must be at least 1, got 0"))
  }

  @Test("'<command> --help' prints that command's help and exits 0")
  func subcommandHelp() {
    for command in ["run", "estimate", "fit", "validate", "list", "bench"] {
      let r = cli([command, "--help"])
      #expect(r.status == 0 && r.err.isEmpty && r.out.hasPrefix("USAGE: trainmem \(command)"), "\(command)")
    }
    let bad = cli(["estimat", "--help"])
    #expect(bad.status == 64 && bad.out.isEmpty)
  }

  @Test("a scenario with errors exits 65 with nothing on stdout")
  func badScenario() {
    let r = cli(["run", "/nonexistent/x.yaml"])
    #expect(r.status == 65 && r.out.isEmpty && r.err.contains("cannot read"))
  }

  @Test("estimate prints the breakdown; JSON has schema 1")
  func estimate() {
    let r = cli([
      "estimate", "--model", "llama-7b", "--gpu", "h200", "--optimizer", "apollo", "--rank", "256", "--format", "json",
    ])
    #expect(r.status == 0 && r.out.contains("\"schema\" : 1") && r.out.contains("\"peak_phase\""))
  }

  @Test("fit says an optimizer change trains another update rule, and none where no change swaps it")
  func optimizerChangeNote() {
    let lomo = cli(["fit", "--model", "llama-13b", "--gpu", "rtx-3090", "--optimizer", "lomo", "--sequence", "1024"])
    #expect(lomo.out.contains("A change of optimizer (lomo → ") && lomo.out.contains("its convergence is not"))
    let fits = cli(["fit", "--model", "llama-60m", "--gpu", "h100", "--optimizer", "adamw"])
    let swaps = fits.out.contains("| APOLLO") || fits.out.contains("| GaLore") || fits.out.contains("| Adam-mini")
    #expect(fits.out.contains("A change of optimizer") == swaps)
  }

  @Test("fit: 13B AdamW on one A100 does not fit (exit 1) and the advice names APOLLO-Mini")
  func fit13B() {
    let r = cli(["fit", "--model", "llama-13b", "--gpu", "a100-80gb", "--optimizer", "adamw"])
    #expect(r.status == 1)
    #expect(r.out.contains("optimizer apollo-mini |"))
  }

  @Test("planner: the returned micro-batch fits and one more does not")
  func plannerBoundary() throws {
    for (model, gpu, opt) in [
      ("llama-7b", "a100-80gb", OptimizerKind.apollo), ("llama-1b", "rtx-4090", .adamw),
      ("llama-13b", "a100-80gb", .apolloMini),
    ] {
      var s = TrainingSetup(
        model: ModelConfig.preset(model)!, gpu: GPUSpec.preset(gpu)!, optimizer: OptimizerConfig(kind: opt))
      let b = try #require(Planner.maxMicroBatch(s))
      s.microBatch = b
      #expect(MemoryModel.estimate(s).fits)
      s.microBatch = b + 1
      #expect(!MemoryModel.estimate(s).fits)
    }
  }

  @Test("APOLLO paper claims come out of the model")
  func paperClaims() {
    func setup(_ m: String, _ g: String, _ o: OptimizerConfig, mb: Int64 = 1, ddp: Bool = false) -> TrainingSetup {
      var s = TrainingSetup(model: ModelConfig.preset(m)!, gpu: GPUSpec.preset(g)!, microBatch: mb, optimizer: o)
      if ddp { s.gpus = 8; s.parallel = .ddp; s.globalBatch = 512 }
      return s
    }
    #expect(!MemoryModel.estimate(setup("llama-13b", "a100-80gb", OptimizerConfig(kind: .adamw))).fits)
    #expect(MemoryModel.estimate(setup("llama-13b", "a100-80gb", OptimizerConfig(kind: .apolloMini))).fits)
    let q = MemoryModel.estimate(setup("llama-7b", "a100-80gb", OptimizerConfig(kind: .qApolloMini, layerwise: true)))
    #expect(q.required < Bytes.gb(12).count)
    #expect(MemoryModel.estimate(setup("llama-7b", "a100-80gb", OptimizerConfig(kind: .adamw), mb: 4, ddp: true)).fits)
    #expect(
      MemoryModel.estimate(setup("llama-7b", "a100-80gb", OptimizerConfig(kind: .apollo, rank: 256), mb: 16, ddp: true))
        .fits)
    #expect(
      !MemoryModel.estimate(
        setup("llama-7b", "a100-80gb", OptimizerConfig(kind: .apollo, rank: 256), mb: 32, ddp: true)
      ).fits)
  }

  @Test("sweep output is identical with 1, 2 and 4 threads, with more than one worker running")
  func deterministic() throws {
    let sc = try ScenarioLoader.load(
      file: "x",
      text:
        "model: llama-1b\ngpu: h100-sxm\noptimizer: apollo\nparallel: zero3\nsweep:\n  micro_batch: [1, 2, 4, 8, 16]\n  sequence: [256, 512, 1024, 2048, 4096]\n  gpus: [1, 2, 4, 8, 16, 32, 64, 128]\n  global_batch: [64, 128, 256, 512, 1024]\n"
    )
    #expect(sc.count == 1000 && sc.count / SweepEngine.pointsPerWorker + 1 >= 4)
    var outputs: [String] = []
    for threads in [1, 2, 4] {
      var text = ""
      try SweepEngine.map(sc, threads: threads, CSVRenderer.row) { text += $0 }
      outputs.append(text)
    }
    #expect(outputs[0] == outputs[1] && outputs[0] == outputs[2])
    #expect(outputs[0].split(separator: "\n").count == 1000)
  }
}

@Suite struct BenchTests {
  @Test("Benchmarks/sweep-1m.yaml is the bench's sweep (10^6 points); sweep-100k.yaml is its APOLLO part")
  func benchFile() throws {
    let dir = Calibration.root.appendingPathComponent("Benchmarks")
    let full = try String(contentsOf: dir.appendingPathComponent("sweep-1m.yaml"), encoding: .utf8)
    #expect(full == BenchCommand.sweepText)
    #expect(BenchCommand.benchScenario(points: 2_000_000).count == 1_000_000)
    let part = try ScenarioLoader.load(
      file: "sweep-100k.yaml",
      text: try String(contentsOf: dir.appendingPathComponent("sweep-100k.yaml"), encoding: .utf8))
    #expect(part.count == 100_000)
    for index in [0, 1, 4_999, 99_999] {
      #expect(part.setup(index) == BenchCommand.scenario.setup(index))
    }
  }

  @Test("bench times every format and both planner searches")
  func benchFormats() throws {
    var out = "", err = ""
    let status = TrainMemCLI.run(
      arguments: ["bench", "--points", "200", "--format", "all"], stdout: &out, stderr: &err)
    #expect(status == 0, "\(err)")
    for line in ["csv: 200 points", "json: 200 points", "md: 200 points", "layout search", "every GPU ranked"] {
      #expect(out.contains(line), "\(line) missing from: \(out)")
    }
  }
}

@Suite struct RunMarginTests {
  @Test("run --margin sets every run's margin: --check fails narrow fits; a bare number is refused")
  func runMargin() {
    let path = Calibration.root.appendingPathComponent("Scenarios/apollo-7b-8xa100.yaml").path
    #expect(cli(["run", path, "--check"]).status == 0)
    let narrow = cli(["run", path, "--check", "--margin", "40%"])
    #expect(narrow.status == 1 && narrow.err.contains("narrow fit"))
    let bare = cli(["run", path, "--margin", "0.2"])
    #expect(bare.status == 64 && bare.err.contains("written with '%'"))
    // Given on the command line, the margin is not among the assumed defaults.
    #expect(!cli(["run", path, "--margin", "5%"]).out.contains("`margin: 0%`"))
  }
}

@Suite struct SettingsDeclarationTests {
  @Test("the settings table declares every SettingID once, in the IDs' order")
  func everyIDDeclaredOnce() {
    #expect(Settings.all.map(\.id) == SettingID.allCases)
  }

  @Test("docs/scenario-format.md holds the settings table generated from the declarations")
  func docsTable() throws {
    let doc = try String(
      contentsOf: Calibration.root.appendingPathComponent("docs/scenario-format.md"), encoding: .utf8)
    let begin = try #require(doc.range(of: "<!-- settings:begin -->\n"))
    let end = try #require(doc.range(of: "<!-- settings:end -->"))
    #expect(String(doc[begin.upperBound..<end.lowerBound]) == Settings.markdownTable)
    for t in CustomMappings.tables {
      let begin = try #require(doc.range(of: "<!-- \(t.marker):begin -->\n"))
      let end = try #require(doc.range(of: "<!-- \(t.marker):end -->"))
      #expect(String(doc[begin.upperBound..<end.lowerBound]) == t.table, "\(t.marker)")
    }
  }

  @Test("every declared setting has a unique key path and flag, and appears in --help")
  func uniqueAndHelped() {
    #expect(Set(Settings.all.map(\.path)).count == Settings.all.count)
    #expect(Set(Settings.all.map(\.flag)).count == Settings.all.count)
    let help = cli(["help", "estimate"]).out
    for s in Settings.all where s.hasFlag { #expect(help.contains("--\(s.flag)"), "\(s.flag)") }
  }

  @Test("a setting given as a flag, a scenario key and a seed condition gives the same setup")
  func sameSetupEverywhere() throws {
    let flags = cli([
      "estimate", "--model", "llama-1b", "--gpu", "h100-sxm", "--optimizer", "galore", "--rank", "128", "--micro-batch",
      "4", "--format", "json",
    ])
    let file = try ScenarioLoader.load(
      file: "x", text: "model: llama-1b\ngpu: h100-sxm\noptimizer:\n  name: galore\n  rank: 128\nmicro_batch: 4\n")
    let seed = try SeedsReader.parse(
      SeedsReader.columns.joined(separator: "\t")
        + "\nf\tt\tfits\t1\tbool\t0\tcheck\t\tmodel=llama-1b;gpu=h100-sxm;optimizer=galore;rank=128;micro_batch=4\t\n",
      file: "s.tsv")
    #expect(file.runs[0].setup == seed[0].setup)
    let json = try #require(try JSONSerialization.jsonObject(with: Data(flags.out.utf8)) as? [String: Any])
    let runs = try #require(json["runs"] as? [[String: Any]])
    let peak = try #require((runs[0]["memory"] as? [String: Any])?["peak"] as? Int64)
    #expect(peak == MemoryModel.estimate(file.runs[0].setup).peak)
  }
}

/// Issue #12: each error names exactly what the user wrote, and where.
@Suite struct DiagnosticOriginTests {
  @Test("a flag's error names the flag as typed")
  func flags() {
    #expect(
      cli(["estimate", "--model", "llama-7b", "--global-batch", "0"]).err
        == "error: '--global-batch' must be at least 1, got 0\n")
    #expect(
      cli(["estimate", "--model", "llama-7b", "--optimizer", "galore", "--rank", "99999"]).err
        == "error: '--rank' 99999 is larger than q_proj's smaller side (4096 × 4096); use a rank of at most 4096\n")
    #expect(
      cli(["estimate", "--model", "llama-7b", "--gpus", "2"]).err
        == "error: 2 GPUs with '--parallel none'; choose ddp, zero1, zero2, zero3 or fsdp\n")
  }

  @Test("a bad model.kv_heads inside a sweep is reported at its own line")
  func sweptModel() throws {
    let text =
      "model: llama-60m\nsweep:\n  model:\n    - llama-60m\n    - hidden: 512\n      intermediate: 1376\n      layers: 8\n      heads: 8\n      kv_heads: 3\n"
    #expect(
      scenarioErrors(text)
        == "x.yaml:9:17: error: 'kv_heads' (3) must divide 'heads' (8)\n 9 |       kv_heads: 3\n   |                 ^\n"
    )
  }
}
