import Foundation
import Testing

@testable import TrainMemCLI
@testable import TrainMemCore
@testable import TrainMemIO

/// Loads `text` and returns the rendered errors (empty when it loads).
func scenarioErrors(_ text: String) -> String {
  do {
    _ = try ScenarioLoader.load(file: "x.yaml", text: ScenarioParser.normalise(text))
    return ""
  } catch {
    let lines = ScenarioParser.normalise(text).split(separator: "\n", omittingEmptySubsequences: false)
    return error.errors.map { $0.rendered(source: lines) }.joined()
  }
}

@Suite struct ScenarioLoaderTests {
  @Test("unknown key with a suggestion; all semantic errors sorted")
  func unknownKeys() {
    let e = scenarioErrors("model: llama-7b\nmicro_bach: 4\ngpu: a200\n")
    #expect(e.contains("x.yaml:2:1: error: unknown key 'micro_bach'; did you mean 'micro_batch'?"))
    #expect(e.contains("x.yaml:3:6: error: unknown GPU 'a200'"))
    #expect(e.range(of: "2:1")!.lowerBound < e.range(of: "3:6")!.lowerBound)
  }

  @Test("a configuration too large to count is an error, not an overflow")
  func tooLarge() {
    #expect(
      scenarioErrors("model: llama3-70b\nsequence: 16000000\nmicro_batch: 16000000\n").contains(
        "tokens per micro-batch, above the supported 2^31"))
    #expect(
      scenarioErrors("model: llama3-70b\nsequence: 1000000\nmicro_batch: 2000\n").contains(
        "beyond what trainmem counts"))
  }

  @Test("sweeps expand to the cartesian product in file order")
  func sweep() throws {
    let sc = try ScenarioLoader.load(
      file: "x", text: "model: llama-60m\ngpu: h200\nsweep:\n  micro_batch: [1, 2]\n  sequence: [128, 256, 512]\n")
    #expect(sc.count == 6)
    #expect(sc.point(5).setup.microBatch == 2 && sc.point(5).setup.sequence == 512)
    #expect(sc.label(1) == "x micro_batch=1 sequence=256")
  }

  @Test("every shipped scenario loads and evaluates")
  func shipped() throws {
    let dir = Calibration.root.appendingPathComponent("Scenarios")
    let files = try FileManager.default.contentsOfDirectory(atPath: dir.path).filter { $0.hasSuffix(".yaml") }
    #expect(files.count >= 6)
    for f in files {
      let path = dir.appendingPathComponent(f).path
      let sc = try ScenarioLoader.load(file: path, text: TextFile.read(path))
      #expect(sc.count >= 1, "\(f)")
    }
  }

  /// Seeded mutations of the shipped scenarios: no input crashes the reader, and every
  /// rejection carries a location inside the file.
  @Test("fuzz: 12,000 mutated scenarios never crash and every error has a location")
  func fuzz() throws {
    let dir = Calibration.root.appendingPathComponent("Scenarios")
    let texts = try FileManager.default.contentsOfDirectory(atPath: dir.path).filter { $0.hasSuffix(".yaml") }.sorted()
      .map { try String(contentsOf: dir.appendingPathComponent($0), encoding: .utf8) }
    var rng = SplitMix(seed: 0x7A11)
    let pieces = [
      "\t", " ", ":", "- ", "[", "]", "#", "\"", "'", "\n", "-1", "0", "1e400", "99999999999999999999", "GiB", "é",
      "\u{0}", "  ", "{", "rank: 9999\n",
    ]
    var rejected = 0
    for i in 0..<12_000 {
      var chars = Array(texts[i % texts.count])
      for _ in 0..<(1 + Int(rng.next() % 4)) {
        let pos = Int(rng.next() % UInt64(chars.count + 1))
        switch rng.next() % 3 {
        case 0: chars.insert(contentsOf: pieces[Int(rng.next() % UInt64(pieces.count))], at: pos)
        case 1: if pos < chars.count { chars.remove(at: pos) }
        default: if pos < chars.count { chars[pos] = pieces[Int(rng.next() % UInt64(pieces.count))].first ?? " " }
        }
      }
      let text = ScenarioParser.normalise(String(chars))
      let lineCount = text.split(separator: "\n", omittingEmptySubsequences: false).count
      do { _ = try ScenarioLoader.load(file: "f", text: text) } catch {
        rejected += 1
        #expect(!error.errors.isEmpty)
        for e in error.errors {
          #expect(e.location.line >= 1 && e.location.line <= max(1, lineCount) && e.location.column >= 1)
        }
      }
    }
    #expect(rejected > 1000)
  }
}
