import Foundation
import Testing

@testable import TrainMemCLI
@testable import TrainMemCore
@testable import TrainMemIO

#if canImport(FoundationXML)
  import FoundationXML
#endif

/// Issue #13: a seeded fuzz of whole command lines — random commands, flags and values, valid
/// and hostile — run in process.
///
/// Every one must end with a known exit status, print nothing
/// on stdout when it fails with a usage, data or output error, and print a valid document in
/// the requested format when it succeeds.
@Suite struct CLIFuzzTests {
  static let commandLines = TestScale.draws(20_000)
  static let statuses: Set<Int32> = [0, 1, 64, 65, 73, 74]

  /// Values a flag may get: valid ids and numbers of every setting, edge cases and garbage.
  static let values: [String] = {
    var v = [
      "llama-60m", "llama-1b", "llama-7b", "llama3-70b", "llama2-70b", "h200", "a100-80gb", "rtx-4090", "v100",
      "rtx-3060", "adamw", "apollo", "apollo-mini", "galore", "galore-8bit", "q-apollo-mini", "adamw-8bit", "sgd",
      "ddp", "zero3", "fsdp", "none", "mixed", "fp32", "bf16", "int8", "eager", "flash", "full", "fused", "loop",
      "measured", "5%", "50%", "150%", "40GiB", "0.5GiB", "1PiB", "2PiB", "19.7B", "1e16", "1e17", "2.5",
      "0", "-1", "-0", "1", "2", "3", "7", "64", "256", "1024", "4096", "65536", "16777216", "16777217", "1e3",
      "99999999999999999999", "nan", "inf", "-inf", "0x10", "1e-320", "abc", "", " ", "true", "false", "md",
      "json", "jsonl", "csv", "svg", "xml", "micro_batch", "step", "\u{1B}[31m", "a|b", "\"q\"", "ü", "١٢",
    ]
    v += ReportFormat.allCases.map(\.rawValue)
    return v
  }()

  static let flags: [String] =
    Settings.all.filter(\.hasFlag).map(\.flag) + [
      "format", "output", "threads", "points", "help", "version", "bogus", "micro-bach", "check", "chart",
    ]

  /// One random command line; `dir` holds copies of the scenarios and seeds to write next to.
  static func commandLine(_ r: inout SplitMix, dir: String) -> [String] {
    let scenarios = ["a.yaml", "b.yaml", "missing.yaml", "-", "seeds"].map { dir + "/" + $0 }
    let command = r.pick([
      "run", "run", "estimate", "estimate", "estimate", "fit", "validate", "list", "bench", "help", "--version", "nope",
      "--help",
    ])
    var args = [command]
    switch command {
    case "run": args += (0..<(r.chance(0.9) ? 1 : 2)).map { _ in r.pick(scenarios) }
    case "estimate", "fit":
      if command == "fit" && r.chance(0.1) {
        args.append(r.pick(scenarios))
      } else if r.chance(0.9) {
        args += ["--model", r.pick(["llama-60m", "llama-350m", "llama-7b", "llama3-8b", "nope"])]
      }
    case "validate": args.append(r.chance(0.8) ? dir + "/seeds" : r.pick(scenarios))
    case "list": if r.chance(0.9) { args.append(r.pick(ListCommand.topics + ["bogus"])) }
    case "bench": args += ["--points", r.pick(["1", "10", "50", "0", "abc"])]
    case "help": if r.chance(0.8) { args.append(r.pick(TrainMemCLI.commands + ["nope"])) }
    default: break
    }
    let own = ownFlags(command)
    for _ in 0..<r.int(5) {
      // Mostly the command's own flags with values of their kind; sometimes anything.
      let flag = own.isEmpty || r.chance(0.15) ? r.pick(flags) : r.pick(own)
      if r.chance(0.6), let good = validValues(flag) {
        args += ["--\(flag)", flag == "output" ? dir + "/" + r.pick(["out.txt", "sub/none"]) : r.pick(good)]
        continue
      }
      switch r.int(10) {
      case 0: args.append("--\(flag)")
      case 1: args.append("--\(flag)=\(r.pick(values))")
      case 2: args.append(r.pick(values))
      default:
        // `run` is refused an input as its output; other commands never get one.
        let outputs = ["out.txt", "sub/none", "."].map { dir + "/" + $0 } + (command == "run" ? [args[1]] : [])
        let value = flag == "output" ? r.pick(outputs) : r.pick(values)
        args += ["--\(flag)", value]
      }
    }
    return confined(args, dir: dir)
  }

  /// The command line with every `--output` value moved into `dir`: whatever the generator
  /// put after the flag (`--output fsdp`, `--output=5%`), the fuzz never writes elsewhere.
  static func confined(_ args: [String], dir: String) -> [String] {
    var out = args
    for i in out.indices {
      if out[i] == "--output", i + 1 < out.count, !out[i + 1].hasPrefix(dir) {
        out[i + 1] =
          dir + "/out-"
          + String(String.UnicodeScalarView(out[i + 1].unicodeScalars.filter { $0.properties.isAlphabetic }.prefix(8)))
      } else if out[i].hasPrefix("--output="), !out[i].dropFirst(9).hasPrefix(dir) {
        out[i] = "--output=" + dir + "/out-eq"
      }
    }
    return out
  }

  static func ownFlags(_ command: String) -> [String] {
    switch command {
    case "run": return RunCommand.options.map(\.name)
    case "estimate": return EstimateCommand.options.map(\.name)
    case "fit": return FitCommand.options.map(\.name)
    case "validate": return ["format", "output"]
    case "bench": return ["threads"]
    default: return []
    }
  }

  /// Values of the kind a flag takes.
  static func validValues(_ flag: String) -> [String]? {
    switch flag {
    case "format": return ReportFormat.allCases.map(\.rawValue)
    case "output": return []
    case "threads": return ["1", "2", "4"]
    case "chart": return ["timeline", "bars", "pie"]
    case "model": return ["llama-60m", "llama-350m", "llama-7b", "llama3-8b", "llama2-70b"]
    case "gpu": return GPUSpec.catalog.map(\.id)
    case "gpus": return ["1", "2", "8", "64"]
    case "sequence": return ["128", "256", "2048", "8192"]
    case "micro-batch", "global-batch": return ["1", "2", "16", "512"]
    case "rank", "update-interval": return ["1", "64", "128", "512"]
    case "tokens": return ["1B", "19.7B", "1e12"]
    case "price": return ["0", "1.8", "2.5"]
    case "memory-limit": return ["50%", "40GiB", "1GB"]
    case "context": return ["0.5GiB", "0", "2GiB"]
    case "reserve": return ["measured", "5%", "2GiB"]
    default:
      guard let setting = Settings.byFlag[flag], !setting.isBoolean else { return nil }
      return setting.value.split(separator: "|").map(String.init)
    }
  }

  @Test("random command lines (20,000 in CI): no trap, a known exit status, valid output")
  func fuzz() throws {
    let dir = FileManager.default.temporaryDirectory.appendingPathComponent("trainmem-fuzz-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: dir.appendingPathComponent("seeds"), withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(at: dir) }
    let root = Calibration.root
    try FileManager.default.copyItem(
      at: root.appendingPathComponent("Scenarios/llama-13b-a100.yaml"), to: dir.appendingPathComponent("a.yaml"))
    try "name: b\nmodel: llama-60m\ngpu: h200\nsweep:\n  optimizer: [adamw, apollo]\n  micro_batch: [1, 8]\n"
      .write(to: dir.appendingPathComponent("b.yaml"), atomically: true, encoding: .utf8)
    // The seeds' header and their first ten figures keep each `validate` fast.
    let seeds = try String(contentsOf: root.appendingPathComponent("seeds/published-figures.tsv"), encoding: .utf8)
    try (seeds.split(separator: "\n").prefix(12).joined(separator: "\n") + "\n")
      .write(to: dir.appendingPathComponent("seeds/p.tsv"), atomically: true, encoding: .utf8)
    let original = try String(contentsOf: dir.appendingPathComponent("a.yaml"), encoding: .utf8)
    let before = Set(
      (try? FileManager.default.contentsOfDirectory(atPath: FileManager.default.currentDirectoryPath)) ?? [])
    let workers = 2
    let failures = FailureLog()
    DispatchQueue.concurrentPerform(iterations: workers) { w in
      var r = SplitMix(seed: 0x5EED_0000 + UInt64(w))
      for _ in 0..<(Self.commandLines / workers) {
        let args = Self.commandLine(&r, dir: dir.path)
        var c = Captured()
        c.status = TrainMemCLI.run(arguments: args, stdout: &c.out, stderr: &c.err)
        if let problem = Self.problem(args, c) { failures.add("\(problem): trainmem \(args.joined(separator: " "))") }
        if c.status == 0 { failures.succeeded() }
      }
    }
    #expect(failures.entries.isEmpty, "\(failures.entries.prefix(10).joined(separator: "\n"))")
    let after = Set(
      (try? FileManager.default.contentsOfDirectory(atPath: FileManager.default.currentDirectoryPath)) ?? [])
    #expect(after.subtracting(before).isEmpty, "the fuzz wrote outside its folder: \(after.subtracting(before))")
    // The generator reaches the models, not only the option parser.
    #expect(failures.successes >= Self.commandLines / 10, "only \(failures.successes) command lines succeeded")
    #expect(
      try String(contentsOf: dir.appendingPathComponent("a.yaml"), encoding: .utf8) == original,
      "an input file was changed")
  }

  /// What is wrong with one command's outcome, if anything.
  static func problem(_ args: [String], _ c: Captured) -> String? {
    guard statuses.contains(c.status) else { return "exit \(c.status)" }
    if [64, 65, 73, 74].contains(c.status) && !c.out.isEmpty { return "stdout not empty on exit \(c.status)" }
    if c.status != 0 && c.err.isEmpty { return "exit \(c.status) without a diagnostic" }
    if c.out.unicodeScalars.contains(where: { $0.value < 0x20 && $0 != "\n" && $0 != "\t" }) {
      return "raw control character on stdout"
    }
    guard c.status == 0, !c.out.isEmpty else { return nil }
    let format = args.last { ReportFormat(rawValue: $0) != nil }.flatMap { _ in formatOf(args) } ?? .md
    switch format {
    case .json:
      if (try? JSONSerialization.jsonObject(with: Data(c.out.utf8))) == nil { return "invalid JSON" }
    case .jsonl:
      for line in c.out.split(separator: "\n") where (try? JSONSerialization.jsonObject(with: Data(line.utf8))) == nil {
        return "a JSON Lines line that is not JSON"
      }
    case .svg:
      if !XMLParser(data: Data(c.out.utf8)).parse() { return "ill-formed SVG" }
    case .csv:
      let counts = Set(csvRows(c.out).map(\.count))
      if counts.count != 1 { return "CSV rows with different field counts \(counts)" }
    case .md:
      break
    }
    for bad in [" nan ", " inf ", "NaN"] where c.out.contains(bad) { return "'\(bad)' in the output" }
    return nil
  }

  /// The format the command line asks for (the last `--format`), when the command takes one.
  static func formatOf(_ args: [String]) -> ReportFormat? {
    var format: ReportFormat?
    var i = 0
    while i < args.count {
      if args[i] == "--format", i + 1 < args.count { format = ReportFormat(rawValue: args[i + 1]) }
      if args[i].hasPrefix("--format=") { format = ReportFormat(rawValue: String(args[i].dropFirst(9))) }
      i += 1
    }
    if ["list", "help", "--help", "--version", "bench"].contains(args[0]) || args.contains("--help") { return nil }
    return format
  }

  /// RFC 4180 records: fields split on commas outside quotes, records on newlines outside quotes.
  static func csvRows(_ text: String) -> [[String]] {
    var rows: [[String]] = [], row: [String] = [], field = "", quoted = false
    for ch in text {
      if quoted {
        if ch == "\"" { quoted = false } else { field.append(ch) }
      } else if ch == "\"" {
        quoted = true
      } else if ch == "," {
        row.append(field)
        field = ""
      } else if ch == "\n" {
        row.append(field)
        rows.append(row)
        row = []
        field = ""
      } else {
        field.append(ch)
      }
    }
    return rows
  }
}

/// Failures collected from the fuzz workers under a lock.
final class FailureLog: @unchecked Sendable {
  private let lock = NSLock()
  private var list: [String] = []
  private var ok = 0
  func succeeded() {
    lock.lock()
    ok += 1
    lock.unlock()
  }
  var successes: Int {
    lock.lock()
    defer { lock.unlock() }
    return ok
  }
  private var dropped = 0
  /// Keeps the first 20 failures (a broken invariant can fail thousands of times) and counts
  /// the rest.
  func add(_ s: String) {
    lock.lock()
    if list.count < 20 { list.append(s) } else { dropped += 1 }
    lock.unlock()
  }
  var count: Int {
    lock.lock()
    defer { lock.unlock() }
    return list.count + dropped
  }
  var entries: [String] {
    lock.lock()
    defer { lock.unlock() }
    return list
  }
}
