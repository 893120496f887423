import Foundation
import Testing

@testable import TrainMemCLI
@testable import TrainMemCore
@testable import TrainMemIO

#if canImport(FoundationXML)
  import FoundationXML
#endif

/// Issue #13 classes 3–7, in process: numbers, limits, strict seeds, options, escaping.
@Suite struct ReliabilityInputTests {
  func run(_ text: String, _ extra: [String] = []) throws -> Captured {
    let url = FileManager.default.temporaryDirectory.appendingPathComponent("trainmem-\(UUID().uuidString).yaml")
    try text.write(to: url, atomically: true, encoding: .utf8)
    defer { try? FileManager.default.removeItem(at: url) }
    var c = cli(["run", url.path] + extra)
    c.err = c.err.replacingOccurrences(of: url.path, with: "x.yaml")
    return c
  }

  @Test("class 3: values that would make numbers non-finite or overflow are refused where they are read")
  func numbers() throws {
    let gpu = try run("model: llama-7b\ngpu:\n  memory: 80GB\n  bf16_tflops: 1e-320\n  bandwidth: 2TB/s\n")
    #expect(
      gpu.status == 65 && gpu.err.hasPrefix("x.yaml:4:16: error: 'bf16_tflops' must be at least 0.01"), "\(gpu.err)")
    let price = cli(["fit", "--model", "llama-1b", "--price", "1000000T"])
    #expect(price.status == 64 && price.err.contains("'--price' is '1000000T', above the supported maximum"))
    let reserve = cli([
      "estimate", "--model", "llama3-70b", "--sequence", "4096", "--micro-batch", "262144", "--reserve", "9199999TB",
      "--format", "json",
    ])
    #expect(reserve.status == 64 && reserve.err.contains("'--reserve'"))
    for bad in ["nan", "inf", "-inf", "1e999"] {
      let r = cli(["estimate", "--model", "llama-7b", "--tokens", bad])
      #expect(r.status == 64, "\(bad)")
    }
    let dims = try run(
      "model:\n  hidden: 16777216\n  intermediate: 16777216\n  layers: 16777216\n  heads: 1\nsequence: 16777216\n")
    #expect(dims.status == 65 && dims.out.isEmpty)
  }

  @Test("class 3: the largest accepted inputs still print finite, non-negative numbers in every format")
  func extremes() throws {
    let text =
      "model:\n  hidden: 64\n  intermediate: 128\n  layers: 1\n  heads: 1\n  vocab: 100000\n  tied_embeddings: true\ngpus: 2\nparallel: zero3\ngpu:\n  memory: 1MiB\n  bf16_tflops: 0.01\n  bandwidth: 1GB/s\ntokens: 1e16\nprice: 1000000\n"
    for format in ReportFormat.allCases {
      let r = try run(text, ["--format", format.rawValue])
      #expect(r.status == 0, "\(format): \(r.err)")
      for bad in ["nan", "inf", "-0\"", "\"weights\" : -"] { #expect(!r.out.contains(bad), "\(format) \(bad)") }
    }
  }

  @Test("class 4: the point limit counts runs × sweep and is checked before any evaluation")
  func pointLimit() throws {
    let runs = (1...100).map { "  - label: r\($0)\n" }.joined()
    let values = (1...1000).map(String.init).joined(separator: ", ")
    let r = try run("model: llama-60m\nruns:\n\(runs)sweep:\n  micro_batch: [\(values)]\n  sequence: [\(values)]\n")
    #expect(r.status == 65 && r.err.contains("100,000,000 points (100 run(s) × the sweep); the limit is 10,000,000"))
    let dup = [
      "gpus", "sequence", "micro_batch", "global_batch", "tokens", "price", "memory_limit", "parallel", "precision",
      "weights",
    ]
    let huge =
      "model: llama-7b\nsweep:\n"
      + dup.map {
        "  \($0): [\(Array(repeating: $0 == "parallel" ? "ddp" : ($0 == "precision" || $0 == "weights" ? "bf16" : ($0 == "memory_limit" ? "50%" : "1")), count: 100).joined(separator: ", "))]\n"
      }.joined()
    let h = try run(huge)
    #expect(h.status == 65 && h.err.contains("the limit is 10,000,000"))
    let goals =
      "model: llama-7b\nsolve: [max_micro_batch, max_sequence, min_gpus, max_rank]\nsweep:\n  micro_batch: [\(values)]\n  sequence: [\((1...1000).map { String($0 * 8) }.joined(separator: ", "))]\n"
    let g = try run(goals)
    #expect(
      g.status == 65 && g.err.contains("x.yaml:2:1: error: the scenario asks for about 201,000,000 model evaluations"),
      "\(g.err)")
  }

  func validate(_ rows: [String]) throws -> Captured {
    let dir = FileManager.default.temporaryDirectory.appendingPathComponent("seeds-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(at: dir) }
    let text = ([SeedsReader.columns.joined(separator: "\t")] + rows).joined(separator: "\n") + "\n"
    try text.write(to: dir.appendingPathComponent("a.tsv"), atomically: true, encoding: .utf8)
    var c = cli(["validate", dir.path])
    c.err = c.err.replacingOccurrences(of: dir.path, with: "seeds")
    return c
  }

  @Test("class 5: seed files are read strictly; nothing is skipped; an exact 0 matches 0")
  func seeds() throws {
    let good = "f\tt\tfits\t1\tbool\t0\tcheck\t\tmodel=llama-60m;gpu=h200\t"
    #expect(try validate([good]).status == 0)
    let zero = "z\tt\tfits\t0\tbool\t5%\tcheck\t\tmodel=llama-7b;gpu=rtx-3060\t"
    #expect(try validate([zero]).status == 0)
    let cases: [(String, String)] = [
      (
        "f\tt\tfits\t1\tbool\t0\tcheck\t\tmodel=llama-60m;gpu\t",
        "seeds/a.tsv:2:42: error: condition 'gpu' is not 'key=value'"
      ),
      ("f\tt\tfits\t1\tbool\tinf%\tcheck\t\tmodel=llama-60m\t", "tolerance 'inf%' is not a finite"),
      ("f\tt\tfits\tnan\tbool\t0\tcheck\t\tmodel=llama-60m\t", "value 'nan' is not a finite number"),
      ("f\tt\tfits\t1\tbool\t0x10\tcheck\t\tmodel=llama-60m\t", "tolerance '0x10'"),
      ("f\tt\tfits\t1\tbool\t0\tcheck\t\tmodel=bogus-model\t", "seeds/a.tsv:2:32: error: unknown model 'bogus-model'"),
      ("f\tt\tfits\t1\tbool\t0\tchekc\t\tmodel=llama-60m\t", "expect 'chekc' is not one of check, gap"),
      ("f\tt\tfits\t1\tTiB\t0\tcheck\t\tmodel=llama-60m\t", "unit 'TiB' does not measure fits"),
      (
        "f\tt\tfits\t1\tbool\t0\tgap\t\tmodel=llama-60m;micro_batch=0\t",
        "seeds/a.tsv:2:52: error: 'micro_batch' must be at least 1, got 0"
      ),
    ]
    for (row, message) in cases {
      let r = try validate([row])
      #expect(r.status == 65 && r.out.isEmpty && r.err.contains(message), "\(row): \(r.err)")
    }
    let dupe = try validate([good, good])
    #expect(dupe.status == 65 && dupe.err.contains("duplicate figure id 'f'"))
  }

  @Test("class 5: CRLF seeds read like LF; invalid UTF-8 is an error at its byte, not a skipped file")
  func seedEncodings() throws {
    let dir = FileManager.default.temporaryDirectory.appendingPathComponent("seeds-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(at: dir) }
    let text =
      SeedsReader.columns.joined(separator: "\t")
      + "\r\nf\tt\tfits\t1\tbool\t0\tcheck\t\tmodel=llama-60m;gpu=h200\t\r\n"
    try text.write(to: dir.appendingPathComponent("a.tsv"), atomically: true, encoding: .utf8)
    #expect(cli(["validate", dir.path]).status == 0)
    try Data(Array(text.utf8) + [0xFF, 0x0A]).write(to: dir.appendingPathComponent("b.tsv"))
    let r = cli(["validate", dir.path])
    #expect(r.status == 65 && r.err.contains("invalid UTF-8 (byte 0xFF"))
  }

  @Test("class 6: every option is honoured or a usage error")
  func options() throws {
    let out = FileManager.default.temporaryDirectory.appendingPathComponent("est-\(UUID().uuidString).json").path
    defer { try? FileManager.default.removeItem(atPath: out) }
    let e = cli(["estimate", "--model", "llama-7b", "--format", "json", "--output", out])
    #expect(e.status == 0 && e.out.isEmpty)
    let written = try #require(FileManager.default.contents(atPath: out))
    #expect((try? JSONSerialization.jsonObject(with: written)) != nil)
    let fit = cli(["fit", "--model", "llama-7b", "--gpu", "h200", "--format", "json"])
    #expect(fit.status == 0 && (try? JSONSerialization.jsonObject(with: Data(fit.out.utf8))) != nil)
    let ranking = cli(["fit", "--model", "llama-1b", "--format", "json"])
    #expect(ranking.status == 0 && (try? JSONSerialization.jsonObject(with: Data(ranking.out.utf8))) != nil)
    for bad in [
      ["bench", "--points", "0"], ["bench", "--points", "2000000"], ["bench", "--threads", "abc"],
      ["bench", "--threads", "-5"], ["list", "models", "--bogus"], ["help", "nope"], ["list"],
      ["estimate", "--model", "llama-7b", "--layerwise=maybe"], ["validate", "a", "b"],
      ["run", "Scenarios/llama-13b-a100.yaml", "Scenarios/table2-models.yaml", "--format", "json"],
    ] {
      #expect(cli(bad).status == 64, "\(bad)")
    }
    let off = cli(["estimate", "--model", "llama-7b", "--optimizer", "apollo", "--layerwise=false"])
    let on = cli(["estimate", "--model", "llama-7b", "--optimizer", "apollo", "--layerwise"])
    #expect(!off.out.contains("layer-wise") && on.out.contains("layer-wise"))
    let gb = cli(["estimate", "--model", "llama-7b", "--global-batch", "0"])
    #expect(gb.err == "error: '--global-batch' must be at least 1, got 0\n")
  }

  @Test("class 7: labels cannot break Markdown or SVG; diagnostics show control characters")
  func escaping() throws {
    let text = "name: \"a|b \u{1B}[31m\"\nmodel: llama-60m\ngpu: h200\nruns:\n  - label: \"x|y \u{1B}[2J\u{7}\"\n"
    let md = try run(text)
    #expect(md.status == 0 && md.out.contains("x\\|y \\\\u{1B}[2J\\\\u{7}") && !md.out.contains("\u{1B}"))
    let svg = try run(text, ["--format", "svg"])
    #expect(svg.status == 0 && !svg.out.contains("\u{1B}"))
    let parser = XMLParser(data: Data(svg.out.utf8))
    #expect(parser.parse(), "SVG is not well-formed XML")
    let bad = try run("model: llama-60m\n\u{1B}[31mkey: 1\n")
    #expect(bad.status == 65 && bad.err.contains("\\u{1B}[31mkey") && !bad.err.contains("\u{1B}"))
    let flag = cli(["estimate", "--model", "llama-7b\u{1B}[2J"])
    #expect(flag.status == 64 && !flag.err.contains("\u{1B}"))
  }
}
