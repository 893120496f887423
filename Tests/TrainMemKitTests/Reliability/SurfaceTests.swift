import Foundation
import Testing

@testable import TrainMemCLI
@testable import TrainMemCore
@testable import TrainMemIO

/// The defect classes found on the surfaces added with config.json, model parallelism, the
/// fine-tuning keys, FP8 and the planner (README, "Reliability"): one test per class, each
/// through the real executable where the class is about the process.
@Suite struct SurfaceTests {
  static let config = Calibration.root.appendingPathComponent("Scenarios/models/llama-3.2-1b/config.json")

  /// A workspace holding a copy of a config.json as `cfg.json`.
  static func workspace() throws -> Workspace {
    let w = try Workspace()
    try FileManager.default.copyItem(atPath: config.path, toPath: w.path("cfg.json"))
    return w
  }

  @Test("class 1: every file a command reads is an input --output refuses, however it was named")
  func everyFileReadIsAnInput() throws {
    let w = try Self.workspace()
    defer { w.remove() }
    let original = w.read("cfg.json")
    try "model: cfg.json\ngpu: h100-sxm\n".write(toFile: w.path("m.yaml"), atomically: true, encoding: .utf8)
    for script in [
      "$TM estimate --model ./cfg.json --gpu h100-sxm --output cfg.json",
      "$TM run m.yaml --output cfg.json", "$TM run m.yaml --output ./sub/../cfg.json",
      "ln -s cfg.json link.json; $TM run m.yaml --output link.json",
    ] {
      try FileManager.default.createDirectory(atPath: w.path("sub"), withIntermediateDirectories: true)
      let r = try Executable.bash(script, in: w.dir)
      #expect(r.status == 73, "\(script): \(r.stderr)")
      #expect(r.stderr.contains("is an input of this command"), "\(script): \(r.stderr)")
      #expect(w.read("cfg.json") == original, "\(script) changed the config")
    }
  }

  @Test("class 2: a config.json fuzz — every field, every JSON type, extremes — never traps and is located")
  func configFuzz() throws {
    let root = Calibration.root.appendingPathComponent("Scenarios/models")
    let values = [
      "null", "true", "\"x\"", "[]", "{}", "0", "-1", "1.5", "1e300", "-1e300", "9223372036854775807", "[1e300]",
      "[-1]", "[\"x\"]", "[null]", "{\"a\": 1e300}", "1e400",
    ]
    var cases = 0
    for name in try FileManager.default.contentsOfDirectory(atPath: root.path) where !name.hasSuffix(".md") {
      let file = root.appendingPathComponent(name).appendingPathComponent("config.json")
      let text = try String(contentsOf: file, encoding: .utf8)
      let object = try #require(try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any])
      var keys = Array(object.keys) + ["mlp_only_layers", "layer_types", "num_experts", "sliding_window"]
      if let nested = object["text_config"] as? [String: Any] { keys += nested.keys.map { "text_config." + $0 } }
      for key in keys {
        for value in values {
          let mutated = Self.replacing(key, with: value, in: text)
          cases += 1
          do {
            let model = try HFConfig.parse(mutated, file: "fuzz.json")
            let setup = TrainingSetup(model: model, gpu: GPUSpec.catalog.first { $0.id == "h100-sxm" }!)
            if setup.validationProblems().isEmpty {
              #expect(RunResult.evaluate(label: "", setup: setup).isSane, "\(name) \(key): \(value)")
            }
          } catch {
            for e in error.errors {
              #expect(e.location.file == "fuzz.json" && e.location.line >= 1, "\(name) \(key)=\(value): unlocated")
            }
          }
        }
      }
    }
    #expect(cases > 1_000)
  }

  /// `key` (or `text_config.key`) set to `value` in a config's text: the key's line replaced,
  /// or the pair added after the opening brace.
  static func replacing(_ key: String, with value: String, in text: String) -> String {
    let leaf = key.split(separator: ".").last.map(String.init) ?? key
    var lines = text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
    if let i = lines.firstIndex(where: { $0.trimmingCharacters(in: .whitespaces).hasPrefix("\"\(leaf)\":") }) {
      let trailing = lines[i].hasSuffix(",") ? "," : ""
      if lines[i].hasSuffix("[") || lines[i].hasSuffix("{") {
        return text.replacingOccurrences(of: "\"\(leaf)\":", with: "\"\(leaf)\": \(value), \"\(leaf)_old\":")
      }
      lines[i] = "  \"\(leaf)\": \(value)\(trailing)"
      return lines.joined(separator: "\n")
    }
    return text.replacingOccurrences(
      of: "{", with: "{\n  \"\(leaf)\": \(value),", options: [], range: text.range(of: "{"))
  }

  @Test("class 3: each input is read once — a FIFO, standard input, a scenario from standard input")
  func readOnce() throws {
    let w = try Self.workspace()
    defer { w.remove() }
    let fifo = try Executable.bash(
      "mkfifo pipe; cat cfg.json > pipe & timeout 20 $TM estimate --model ./pipe --gpu h100-sxm --format csv", in: w.dir
    )
    #expect(fifo.status == 0, "\(fifo.stderr)")
    let stdin = try Executable.bash(
      "timeout 20 $TM estimate --model /dev/stdin --gpu h100-sxm --format csv < cfg.json", in: w.dir)
    #expect(stdin.status == 0, "\(stdin.stderr)")
    let scenario = try Executable.bash(
      "printf 'model: cfg.json\\ngpu: h100-sxm\\n' | timeout 20 $TM run /dev/stdin --format csv", in: w.dir)
    #expect(scenario.status == 0 && scenario.stdout.contains(",cfg,"), "\(scenario.stderr)")
  }

  @Test("class 4: FP8 with expert parallelism under FSDP and HSDP leaves no negative term")
  func noNegativeTerm() {
    for parallel in [Parallelism.fsdp, .hsdp] {
      for ep: Int64 in [1, 2, 8] {
        var s = TrainingSetup(
          model: ModelConfig.preset("qwen3-30b-a3b")!, gpu: GPUSpec.catalog.first { $0.id == "h100-sxm" }!)
        s.gpus = 16
        s.parallel = parallel
        s.precision = .mixed
        s.expertParallel = ep
        s.matmulPrecision = .fp8
        let m = MemoryModel.estimate(s)
        #expect(m.weightCopies >= 0 && RunResult.evaluate(label: "", setup: s).isSane, "\(parallel) EP \(ep)")
      }
    }
  }

  @Test("class 5: nothing is accepted that means nothing, or the opposite of what was typed")
  func meaningfulInputs() throws {
    let dora = cli(["estimate", "--model", "llama-7b", "--gpu", "h100-sxm", "--lora-dora=false", "--format", "csv"])
    let full = cli(["estimate", "--model", "llama-7b", "--gpu", "h100-sxm", "--format", "csv"])
    #expect(dora.status == 0 && dora.out == full.out, "--lora-dora=false changed the run")
    #expect(cli(["estimate", "--model", "llama-7b", "--tokens", "0"]).status == 64)
    #expect(cli(["fit", "--model", "llama-7b", "--price", "h100-sxm=2,h100-sxm=3"]).status == 64)
    #expect(cli(["estimate", "--model", "llama-7b", "--gpu", "h100-sxm", "--freeze-layers", "0"]).status == 0)
    let custom =
      "model:\n  hidden: 512\n  intermediate: 1024\n  layers: 2\n  heads: 8\n  kv_heads: 8\n  vocab: 1000\n  positions: 0\n  shared_expert_intermediate: 0\ngpu: h100-sxm\n"
    let loaded = try ScenarioLoader.load(file: "c.yaml", text: custom)
    #expect(loaded.runs[0].setup.model.moe == nil, "a shared expert of 0 made a mixture of experts")
    // 2,000 layout searches are beyond the work budget; their answer has a CSV column.
    let layouts =
      "model: llama3-70b\ngpu: h100-sxm\ngpus: 64\nsolve: layout\nsweep:\n  micro_batch: [\((1...2000).map(String.init).joined(separator: ", "))]\n"
    #expect(throws: Diagnostics.self) { try ScenarioLoader.load(file: "l.yaml", text: layouts) }
    #expect(CSVRenderer.header.hasSuffix(",layout,fit\n"))
  }

  @Test("class 6: diagnostics name the flag or key as typed")
  func namedAsTyped() throws {
    #expect(cli(["estimate", "--model", "llama-7b", "--tokens", "1e30"]).err.contains("'--tokens'"))
    #expect(
      cli(["estimate", "--model", "llama-7b", "--offload-optimizer", "gpu"]).err.contains("'--offload-optimizer'"))
    let sweep = try ScenarioLoader.load(file: "s.yaml", text: "gpu: h100-sxm\nsweep:\n  model: [llama-7b, llama-13b]\n")
    #expect(sweep.count == 2)
  }

  @Test("class 7: no quadratic path — 20,000 runs load; an input past 8 MiB is read; long lines are cut")
  func scale() throws {
    var text = "model: llama-60m\ngpu: h200\nruns:\n"
    for i in 0..<20_000 { text += "  - label: run \(i)\n    micro_batch: \(1 + i % 4)\n" }
    #expect(try ScenarioLoader.load(file: "r.yaml", text: text).count == 20_000)
    let w = try Workspace()
    defer { w.remove() }
    // Past the old 8 MiB cap: a comment block of 9 MB before a valid scenario.
    let r = try Executable.bash(
      "{ head -c 9000000 /dev/zero | tr '\\0' '#'; printf '\\nmodel: llama-60m\\ngpu: h200\\n'; } > big.yaml; $TM run big.yaml --format csv",
      in: w.dir)
    #expect(r.status == 0, "\(r.stderr.prefix(300))")
    // A 7.8 MB number in a config.json: a short, located diagnostic.
    let long = try Executable.bash(
      "{ printf '{\"model_type\": \"llama\", \"hidden_size\": 1'; head -c 7800000 /dev/zero | tr '\\0' '0'; printf '}'; } > n.json; $TM estimate --model ./n.json --gpu h200",
      in: w.dir)
    #expect(long.status == 65 && long.stderr.utf8.count < 2_000, "\(long.stderr.utf8.count) bytes of diagnostics")
  }

  @Test("class 8: file names are bytes; a file in a folder the user cannot write is written in place; cells escaped")
  func fileNames() throws {
    let w = try Workspace()
    defer { w.remove() }
    let r = try Executable.bash(
      "$TM run s.yaml --format csv --output \"$(printf 'out-\\377.csv')\" && ls | od -An -c | tr -d ' \\n'", in: w.dir)
    #expect(r.status == 0 && r.stdout.contains("out-377.csv"), "\(r.stdout) \(r.stderr)")
    // As another user (root passes every permission check), when this machine has one.
    let shared = try Executable.bash(
      "command -v runuser >/dev/null && [ $(id -u) = 0 ] || exit 77; mkdir -p ro && echo old > ro/out.md && chmod 666 ro/out.md && chmod 555 ro && cp $TM ./tm && chmod 755 . ./tm && runuser -u nobody -- ./tm run s.yaml --output ro/out.md; s=$?; chmod 755 ro; exit $s",
      in: w.dir)
    if shared.status != 77 {
      #expect(shared.status == 0, "\(shared.stderr)")
      #expect(w.read("ro/out.md")?.hasPrefix("# small") == true)
    }
    let piped =
      "name: p\nruns:\n  - label: a\n    model: llama-60m\n    gpu: h200\n    reference:\n      tokens_per_second: 100\n      source: a | b\n"
    let sc = try ScenarioLoader.load(file: "p.yaml", text: piped)
    var report = ""
    try SweepEngine.map(sc, threads: 1, { $0 }) { report += MarkdownRenderer.references([$0]) }
    #expect(report.contains("a \\| b") && !report.contains("a | b"))
  }
}
