import Foundation
import Testing

@testable import TrainMemCLI
@testable import TrainMemCore
@testable import TrainMemIO

/// One test per error kind, pinning the full rendered diagnostic: location, message, source
/// line and caret.
@Suite struct ScenarioErrorTests {
  static let cases: [(String, String, String)] = [
    (
      "tab", "model: llama-7b\noptimizer:\n\tname: apollo\n",
      """
      x.yaml:3:1: error: tab in indentation; indent with spaces
       3 | \tname: apollo
         | ^

      """
    ),
    (
      "bad indentation", "model: llama-7b\ngpu: h200\n   sequence: 256\n",
      """
      x.yaml:3:4: error: unexpected indentation; keys of one mapping must line up at column 1
       3 |    sequence: 256
         |    ^

      """
    ),
    (
      "duplicate key", "model: llama-7b\ngpu: h200\ngpu: a100-80gb\n",
      """
      x.yaml:3:1: error: duplicate key 'gpu'; first given at line 2
       3 | gpu: a100-80gb
         | ^~~

      """
    ),
    (
      "unknown key", "model: llama-7b\nmicro_bach: 4\n",
      """
      x.yaml:2:1: error: unknown key 'micro_bach'; did you mean 'micro_batch'?
       2 | micro_bach: 4
         | ^~~~~~~~~~

      """
    ),
    (
      "unknown GPU", "model: llama-7b\ngpu: h100-sxm6\n",
      """
      x.yaml:2:6: error: unknown GPU 'h100-sxm6'; did you mean 'h100-sxm'? `trainmem list gpus` shows the catalog; a card not in it is a mapping in a scenario (gpu: memory, bf16_tflops, bandwidth, …) or on the command line (--gpu memory=24GB,bf16_tflops=165,bandwidth=1TB/s; docs/scenario-format.md, "Custom GPUs")
       2 | gpu: h100-sxm6
         |      ^~~~~~~~~

      """
    ),
    (
      "wrong type", "model: llama-7b\ngpus: [1, 2]\nmicro_batch: four\n",
      """
      x.yaml:2:7: error: expected a whole number for 'gpus', got a list
       2 | gpus: [1, 2]
         |       ^
      x.yaml:3:14: error: expected a whole number for 'micro_batch', got 'four'
       3 | micro_batch: four
         |              ^~~~

      """
    ),
    (
      "zero and negative sizes", "model: llama-7b\nmicro_batch: 0\nsequence: -256\n",
      """
      x.yaml:2:14: error: 'micro_batch' must be at least 1, got 0
       2 | micro_batch: 0
         |              ^
      x.yaml:3:11: error: 'sequence' must be at least 1, got -256
       3 | sequence: -256
         |           ^~~~

      """
    ),
    (
      "rank larger than the matrix", "model: llama-60m\noptimizer:\n  name: galore\n  rank: 1024\n",
      """
      x.yaml:4:9: error: 'rank' 1024 is larger than q_proj's smaller side (512 × 512); use a rank of at most 512
       4 |   rank: 1024
         |         ^

      """
    ),
    (
      "kv_heads not dividing heads",
      "model:\n  hidden: 512\n  intermediate: 1376\n  layers: 8\n  heads: 8\n  kv_heads: 3\n",
      """
      x.yaml:6:13: error: 'kv_heads' (3) must divide 'heads' (8)
       6 |   kv_heads: 3
         |             ^

      """
    ),
    (
      "number that overflows", "model: llama-7b\nglobal_batch: 99999999999999999999999\n",
      """
      x.yaml:2:15: error: expected a whole number for 'global_batch', got '99999999999999999999999'
       2 | global_batch: 99999999999999999999999
         |               ^~~~~~~~~~~~~~~~~~~~~~~

      """
    ),
    (
      "sweep key that is not a list", "model: llama-7b\nsweep:\n  micro_batch: 4\n",
      """
      x.yaml:3:16: error: sweep key 'micro_batch' must be a list, e.g. 'micro_batch: [a, b]'
       3 |   micro_batch: 4
         |                ^

      """
    ),
    (
      "unknown enum value", "model: llama-7b\nprecision: bf8\n",
      """
      x.yaml:2:12: error: 'precision' is 'bf8'; did you mean 'bf16'? expected one of bf16, mixed, fp32
       2 | precision: bf8
         |            ^~~

      """
    ),
    (
      "a swept value that breaks a run points at the sweep",
      "model: llama-60m\noptimizer: apollo\nsweep:\n  gpus: [1, 2]\n",
      """
      x.yaml:4:3: error: 2 GPUs with 'parallel: none'; choose ddp, zero1, zero2, zero3 or fsdp
       4 |   gpus: [1, 2]
         |   ^

      """
    ),
    (
      "reference to an unknown run",
      "model: llama-7b\nruns:\n  - label: AdamW\n  - label: APOLLO\n    optimizer: apollo\n    reference:\n      tokens_per_second: 100\n      source: paper\n      ratio_to: Adam\n",
      """
      x.yaml:4:5: error: 'ratio_to' names 'Adam', which is not a run label; did you mean 'AdamW'?
       4 |   - label: APOLLO
         |     ^

      """
    ),
    (
      "unterminated quote", "name: \"unterminated\nmodel: llama-7b\n",
      """
      x.yaml:1:7: error: unterminated quoted string
       1 | name: "unterminated
         |       ^

      """
    ),
    (
      "newer format version", "version: 2\nmodel: llama-7b\n",
      """
      x.yaml:1:10: error: format version 2 is newer than this trainmem understands (1)
       1 | version: 2
         |          ^

      """
    ),
  ]

  @Test("each error kind renders exactly", arguments: cases.indices)
  func kind(_ i: Int) {
    let (name, text, expected) = Self.cases[i]
    #expect(scenarioErrors(text) == expected, "\(name)")
  }

  /// Writes bytes to a temporary file and returns `trainmem run`'s stderr and status.
  func runBytes(_ bytes: [UInt8]) throws -> (String, Int32, String) {
    let url = FileManager.default.temporaryDirectory.appendingPathComponent("trainmem-\(UUID().uuidString).yaml")
    try Data(bytes).write(to: url)
    defer { try? FileManager.default.removeItem(at: url) }
    var out = "", err = ""
    let status = TrainMemCLI.run(arguments: ["run", url.path], stdout: &out, stderr: &err)
    return (err.replacingOccurrences(of: url.path, with: "x.yaml"), status, out)
  }

  @Test("invalid UTF-8 is located at its byte")
  func invalidUTF8() throws {
    let (err, status, out) = try runBytes(Array("model: llama-7b\ngpu: h".utf8) + [0xE9] + Array("200\n".utf8))
    #expect(
      err
        == "x.yaml:2:7: error: invalid UTF-8 (byte 0xE9 at offset 22); save the file as UTF-8\n 2 | gpu: h\u{FFFD}200\n   |       ^\n"
    )
    #expect(status == 65 && out.isEmpty)
  }

  @Test("binary input is located at its first NUL and never echoed raw")
  func binary() throws {
    let (err, status, out) = try runBytes(Array("model: llama-7b\n".utf8) + [0, 1])
    #expect(
      err == "x.yaml:2:1: error: binary data (a NUL byte); a scenario is UTF-8 text\n 2 | \u{FFFD}\u{FFFD}\n   | ^\n")
    #expect(status == 65 && out.isEmpty)
  }
}

/// Issue #12: diagnostics carry a typed reason a caller can match on, not only a message.
@Suite struct DiagnosticReasonTests {
  func reasons(_ text: String) -> [DiagnosticReason] {
    do {
      _ = try ScenarioLoader.load(file: "x.yaml", text: text)
      return []
    } catch {
      return error.errors.map(\.reason)
    }
  }

  @Test("syntax, unknown keys, values, the models' own problems, conflicts and limits are told apart")
  func kinds() throws {
    #expect(reasons("model: llama-7b\n\tgpu: h200\n") == [.syntax])
    #expect(reasons("model: llama-7b\nmicro_bach: 4\n") == [.unknownKey("micro_bach")])
    #expect(reasons("model: llama-7b\nmicro_batch: four\n") == [.invalidValue])
    let rank = reasons("model: llama-60m\noptimizer:\n  name: galore\n  rank: 1024\n")
    guard case .setup(let problem)? = rank.first else {
      Issue.record("expected a setup problem, got \(rank)")
      return
    }
    guard case .rank(let detail) = problem.reason else {
      Issue.record("expected a rank problem")
      return
    }
    #expect(detail.tensor == "q_proj" && detail.rank == 1024)
    #expect(reasons("model: llama-7b\nruns:\n  - label: a\n  - label: a\n") == [.conflict])
    let values = (1...1000).map(String.init).joined(separator: ", ")
    #expect(
      reasons(
        "model: llama-7b\nsweep:\n  micro_batch: [\(values)]\n  sequence: [\(values)]\n  gpus: [\((1...11).map(String.init).joined(separator: ", "))]\n"
      ).contains(.limit))
  }
}
