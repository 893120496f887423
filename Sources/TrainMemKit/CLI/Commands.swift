import Foundation

/// Maps command-line flags to scenario keys, so flags and files share one loader and one set
/// of checks.
enum SetupFlags {
  static let valued = [
    "model", "gpu", "gpus", "parallel", "gradient-sync", "precision", "weights", "sequence",
    "micro-batch", "global-batch", "attention", "checkpointing", "optimizer", "rank",
    "update-interval", "implementation", "tokens", "price", "format", "output", "context", "reserve",
    "memory-limit",
  ]
  static let boolean = ["layerwise"]

  /// The setup the flags describe; bad values are usage errors naming the flag.
  static func setup(_ a: Arguments, requireGPU: Bool = false) throws -> TrainingSetup {
    if a.value("model") == nil { throw UsageError(message: "missing '--model'; e.g. '--model llama-7b' (trainmem list models)") }
    if requireGPU && a.value("gpu") == nil { throw UsageError(message: "missing '--gpu'; e.g. '--gpu a100-80gb' (trainmem list gpus)") }
    var pairs = a.values.filter { $0.0 != "format" && $0.0 != "output" }
      .map { ($0.0.replacingOccurrences(of: "-", with: "_"), $0.1) }
    if a.has("layerwise") { pairs.append(("layerwise", "true")) }
    switch ScenarioLoader.setup(pairs: pairs, file: "<command line>") {
    case .success(let s): return s
    case .failure(let errors):
      let msg = errors.errors.map(\.message).joined(separator: "; ")
      throw UsageError(message: msg.replacingOccurrences("'micro_batch'", "'--micro-batch'"))
    }
  }
}

enum EstimateCommand {
  static func estimate(_ args: [String], _ out: inout some TextOutputStream, _ err: inout some TextOutputStream) throws -> Int32 {
    let a = try Arguments(args, valued: SetupFlags.valued, boolean: SetupFlags.boolean)
    if let p = a.positionals.first { throw UsageError(message: "unexpected argument '\(p)'; options start with '--'") }
    let format = try a.format()
    let s = try SetupFlags.setup(a)
    let r = RunResult.evaluate(label: "\(s.model.id) \(s.optimizer.label) on \(s.gpus)× \(s.gpu.id)", setup: s)
    out.write(render(Report(scenario: "trainmem estimate", runs: [r]), format))
    return ExitStatus.ok
  }
}

enum ListCommand {
  static func run(_ args: [String], _ out: inout some TextOutputStream) throws -> Int32 {
    switch args.first {
    case "models":
      out.write("| id | parameters | hidden | intermediate | layers | heads | kv heads | vocab |\n|---|---:|---:|---:|---:|---:|---:|---:|\n")
      for m in ModelConfig.presets {
        out.write("| \(m.id) | \(NumberFormatting.grouped(Double(ParameterInventory(m).parameters))) | \(m.hidden) | \(m.intermediate) | \(m.layers) | \(m.heads) | \(m.kvHeads) | \(m.vocab) |\n")
      }
    case "gpus":
      out.write("| id | name | memory | bf16 TFLOP/s | SMs | bandwidth GB/s | link | link GB/s | TDP W |\n|---|---|---:|---:|---:|---:|---|---:|---:|\n")
      for g in GPUSpec.catalog {
        out.write("| \(g.id) | \(g.name) | \(g.memory) | \(g.bf16FLOPS > 0 ? NumberFormatting.fixed(g.bf16FLOPS / 1e12, 1) : "none (fp16 \(NumberFormatting.fixed(g.fp16FLOPS / 1e12, 0)))") | \(Int(g.multiprocessors)) | \(NumberFormatting.grouped(g.bandwidth / 1e9)) | \(g.interconnect.rawValue) | \(NumberFormatting.grouped(g.linkBandwidth / 1e9)) | \(Int(g.tdpWatts)) |\n")
      }
    case "optimizers":
      for o in OptimizerKind.allCases { out.write("\(o.rawValue.padding(toLength: 14, withPad: " ", startingAt: 0)) \(o.summary)\n") }
    default:
      throw UsageError(message: "expected 'models', 'gpus' or 'optimizers' after 'list'")
    }
    return ExitStatus.ok
  }
}

enum RunCommand {
  static func readScenario(_ path: String) throws(ScenarioErrors) -> Scenario {
    let loc = SourceLocation(file: path, line: 1, column: 1)
    guard let data = FileManager.default.contents(atPath: path) else {
      throw ScenarioErrors(errors: [ScenarioError(location: loc, message: "cannot read '\(path)'; check the path")])
    }
    let bytes = [UInt8](data)
    if let nul = bytes.firstIndex(of: 0) {
      throw ScenarioErrors(errors: [ScenarioError(location: byteLocation(bytes, nul, path), message: "binary data (a NUL byte); a scenario is UTF-8 text")])
    }
    guard let raw = String(validating: bytes, as: UTF8.self) else {
      let bad = firstInvalidUTF8(bytes)
      throw ScenarioErrors(errors: [ScenarioError(location: byteLocation(bytes, bad, path), message: "invalid UTF-8 (byte 0x\(String(bytes[bad], radix: 16, uppercase: true)) at offset \(bad)); save the file as UTF-8")])
    }
    return try ScenarioLoader.load(file: path, text: ScenarioParser.normalise(raw))
  }

  /// Line and column (in characters of the valid prefix) of byte `offset`.
  static func byteLocation(_ bytes: [UInt8], _ offset: Int, _ file: String) -> SourceLocation {
    let before = bytes[..<offset]
    let line = before.filter { $0 == 0x0A }.count + 1
    let lineStart = (before.lastIndex(of: 0x0A).map { $0 + 1 }) ?? 0
    let prefix = String(decoding: bytes[lineStart..<offset], as: UTF8.self)
    return SourceLocation(file: file, line: line, column: prefix.count + 1)
  }

  /// Offset of the first byte that does not start or continue a valid UTF-8 sequence.
  static func firstInvalidUTF8(_ bytes: [UInt8]) -> Int {
    var i = 0
    while i < bytes.count {
      let b = bytes[i]
      let n = b < 0x80 ? 1 : (b >> 5 == 0x6 ? 2 : (b >> 4 == 0xE ? 3 : (b >> 3 == 0x1E ? 4 : 0)))
      if n == 0 || i + n > bytes.count { return i }
      if String(validating: bytes[i..<(i + n)], as: UTF8.self) == nil { return i }
      i += n
    }
    return max(0, bytes.count - 1)
  }

  static func run(_ args: [String], _ out: inout some TextOutputStream, _ err: inout some TextOutputStream) throws -> Int32 {
    let a = try Arguments(args, valued: ["format", "output", "threads"], boolean: [])
    let format = try a.format()
    guard !a.positionals.isEmpty else { throw UsageError(message: "missing scenario file; e.g. 'trainmem run Scenarios/apollo-7b-8xa100.yaml'") }
    let threads = try a.value("threads").map { v -> Int in
      guard let n = Int(v), n >= 1, n <= 256 else { throw UsageError(message: "'--threads' expects a number from 1 to 256, got '\(v)'") }
      return n
    } ?? ProcessInfo.processInfo.activeProcessorCount
    var scenarios: [Scenario] = []
    var failed = false
    for path in a.positionals {
      do {
        scenarios.append(try readScenario(path))
      } catch {
        failed = true
        let text = (FileManager.default.contents(atPath: path).flatMap { String(data: $0, encoding: .utf8) }).map(ScenarioParser.normalise) ?? ""
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false)
        for e in error.errors { err.write(e.rendered(source: lines)) }
      }
    }
    if failed { return ExitStatus.dataError }

    let file: FileHandle?
    if let path = a.value("output") {
      guard FileManager.default.createFile(atPath: path, contents: nil), let h = FileHandle(forWritingAtPath: path) else {
        throw UsageError(message: "cannot write '\(path)'; check the folder exists and is writable")
      }
      file = h
    } else { file = nil }
    var buffer = ""
    func emit(_ text: String) {
      buffer += text
      if buffer.utf8.count > 1 << 16 { flush() }
    }
    func flush() {
      if let file { file.write(Data(buffer.utf8)) } else { out.write(buffer) }
      buffer = ""
    }
    for sc in scenarios {
      if format == .csv {
        emit(CSVRenderer.header)
        SweepEvaluator.map(sc, threads: threads, progress: &err, CSVRenderer.row) { emit($0) }
      } else {
        var runs: [RunResult] = []
        SweepEvaluator.evaluate(sc, threads: threads, progress: &err) { runs.append($0) }
        emit(render(Report(scenario: sc.name, description: sc.description, runs: runs), format))
      }
    }
    flush()
    try? file?.close()
    return ExitStatus.ok
  }
}
