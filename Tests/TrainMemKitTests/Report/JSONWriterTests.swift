import Foundation
import Testing

@testable import TrainMemCLI
@testable import TrainMemCore
@testable import TrainMemIO

/// `JSONWriter` promises JSONEncoder's bytes: generated documents (every value kind, nested
/// containers, empty ones, escapes, extreme doubles) written both ways must be equal.
@Suite struct JSONWriterTests {
  /// A JSON value that JSONEncoder can encode (the oracle) and the writer can write.
  indirect enum Value: Encodable {
    case object([String: Value]), array([Value]), string(String), integer(Int64), number(Double), flag(Bool)

    func encode(to encoder: Encoder) throws {
      var c = encoder.singleValueContainer()
      switch self {
      case .object(let v): try c.encode(v)
      case .array(let v): try c.encode(v)
      case .string(let v): try c.encode(v)
      case .integer(let v): try c.encode(v)
      case .number(let v): try c.encode(v)
      case .flag(let v): try c.encode(v)
      }
    }

    func write(to w: inout JSONWriter) {
      switch self {
      case .object(let members):
        w.openObject()
        for key in members.keys.sorted() {
          w.key(key)
          members[key]!.write(to: &w)
        }
        w.closeObject()
      case .array(let elements):
        w.openArray()
        for e in elements { e.write(to: &w) }
        w.closeArray()
      case .string(let v): w.value(v)
      case .integer(let v): w.value(v)
      case .number(let v): w.value(v)
      case .flag(let v): w.value(v)
      }
    }
  }

  static let doubles: [Double] = [
    0, -0.0, 1, 0.1, 0.3, 1e15, 2.5e15, 1e16, 1e20, 1e-5, 1e-7, 123_456.789, .leastNonzeroMagnitude,
    .greatestFiniteMagnitude,
    -2.75, 1.0 / 3,
  ]

  static func value(_ rng: inout SplitMix, depth: Int) -> Value {
    switch depth > 3 ? rng.int(4) + 2 : rng.int(6) {
    case 0:
      var members: [String: Value] = [:]
      for _ in 0..<rng.int(5) { members[key(&rng)] = value(&rng, depth: depth + 1) }
      return .object(members)
    case 1: return .array((0..<rng.int(4)).map { _ in value(&rng, depth: depth + 1) })
    case 2: return .string(text(&rng))
    case 3: return .integer(Int64(bitPattern: rng.next()) >> rng.int(64))
    case 4:
      return rng.chance(0.5) ? .number(rng.pick(doubles)) : .number(Double(bitPattern: rng.next() >> 2) * 1e-300)
    default: return .flag(rng.chance(0.5))
    }
  }

  static func key(_ rng: inout SplitMix) -> String {
    String((0..<(1 + rng.int(12))).map { _ in rng.pick(Array("abcAB_z019")) })
  }

  static func text(_ rng: inout SplitMix) -> String {
    let pieces = ["a", "/", "\"", "\\", "\n", "\t", "\r", "\u{8}", "\u{C}", "\u{1B}", "\u{0}", "é", "\u{7F}", "→", " "]
    return (0..<rng.int(8)).map { _ in rng.pick(pieces) }.joined()
  }

  @Test(
    "2,000 generated documents: the writer's bytes are JSONEncoder's, pretty-printed and compact",
    arguments: [false, true])
  func matchesJSONEncoder(compact: Bool) throws {
    let encoder = JSONEncoder()
    encoder.outputFormatting =
      compact ? [.sortedKeys, .withoutEscapingSlashes] : [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
    var rng = SplitMix(seed: compact ? 28 : 27)
    for _ in 0..<2_000 {
      let doc = Value.object(["root": Self.value(&rng, depth: 0), "z": .array([]), "zz": .object([:])])
      var w = JSONWriter(compact: compact)
      doc.write(to: &w)
      let expected = String(decoding: try encoder.encode(doc), as: UTF8.self)
      #expect(w.text == expected)
      if w.text != expected { break }
    }
  }

  @Test("JSON Lines: a line per run, each the JSON report's run object, streamed and rendered alike")
  func jsonLinesHoldTheJSONRuns() throws {
    for file in ["Scenarios/llama-13b-a100.yaml", "Scenarios/moe-2026.yaml"] {
      let path = Calibration.root.appendingPathComponent(file).path
      let json = cli(["run", path, "--format", "json"]), lines = cli(["run", path, "--format", "jsonl"])
      #expect(json.status == 0 && lines.status == 0, "\(file): \(lines.err)")
      let report = try #require(
        JSONSerialization.jsonObject(with: Data(json.out.utf8)) as? [String: Any])
      let runs = try #require(report["runs"] as? [[String: Any]])
      let parsed = lines.out.split(separator: "\n").map {
        (try? JSONSerialization.jsonObject(with: Data($0.utf8))) as? [String: Any]
      }
      #expect(parsed.count == runs.count, "\(file)")
      for (line, run) in zip(parsed, runs) {
        let line = try #require(line, "\(file): a line is not a JSON object")
        #expect(NSDictionary(dictionary: line["run"] as? [String: Any] ?? [:]).isEqual(to: run), "\(file)")
        #expect(line["scenario"] as? String == report["scenario"] as? String && line["schema"] as? Int == 1)
      }
    }
    // estimate renders a report without streaming: the same line.
    let one = cli(["estimate", "--model", "llama3-8b", "--gpu", "h100", "--format", "jsonl"])
    #expect(one.status == 0 && one.out.filter { $0 == "\n" }.count == 1 && one.out.hasPrefix("{\"run\":{"))
  }
}

/// The Markdown cell's byte scan agrees with the definition it replaces: `|`, `\` or a control
/// character (`isControl`) anywhere in the text.
@Suite struct MarkdownCellTests {
  @Test("5,000 generated strings: the byte scan finds exactly what a scalar scan finds")
  func byteScanMatchesScalars() {
    let pieces = [
      "a", "×", "—", "|", "\\", "\t", "\n", "\u{7F}", "\u{80}", "\u{9F}", "\u{A0}", "é", "\u{2028}", "\u{2029}",
      "\u{2027}", "\u{FFFE}", "\u{FFFF}", "\u{FFFD}", "🙂", " ", "≤",
    ]
    var rng = SplitMix(seed: 31)
    for _ in 0..<5_000 {
      let s = (0..<rng.int(6)).map { _ in rng.pick(pieces) }.joined()
      let expected = s.unicodeScalars.contains { $0 == "|" || $0 == "\\" || isControl($0) }
      #expect(MarkdownRenderer.needsEscape(s) == expected, "\(s.unicodeScalars.map { $0.value })")
    }
  }
}
