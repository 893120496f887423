import Foundation
import Testing

@testable import TrainMemCLI
@testable import TrainMemCore
@testable import TrainMemIO

/// The planner's ceiling is what the seeds say, recomputed, and the planner says when it is passed.
@Suite struct PublishedMFUTests {
  @Test("each family's best published MFU is the highest its seeds figures imply")
  func bestFromSeeds() throws {
    let text = try String(
      contentsOf: Calibration.root.appendingPathComponent("seeds/published-figures.tsv"), encoding: .utf8)
    var best: [String: (Double, String)] = [:]
    for f in try SeedsReader.parse(text, file: "published-figures.tsv")
    where f.quantity == .tokensPerSecond || f.quantity == .stepSeconds {
      let e = ThroughputModel.estimate(f.setup)
      let published = f.quantity == .stepSeconds ? e.tokensPerStep / f.value : f.value
      let mfu = e.mfu * published / e.tokensPerSecond
      let key = "\(f.setup.gpu.architecture.rawValue) \(f.setup.fp8 != nil)"
      if mfu > (best[key]?.0 ?? 0) { best[key] = (mfu, f.id) }
    }
    for (key, (mfu, figure)) in best {
      let parts = key.split(separator: " ")
      let record = try #require(
        PublishedMFU.best(GPUArchitecture(rawValue: String(parts[0]))!, fp8: parts[1] == "true"), "\(key)")
      #expect(abs(record.mfu - mfu) < 0.001 && record.figure == figure, "\(key): \(mfu) \(figure)")
    }
  }

  @Test("405B on 1,024 H100s at 8,192 tokens: layouts above the best published MFU are marked, with the source")
  func layoutsMarked() {
    let r = cli([
      "fit", "--model", "llama3.1-405b", "--gpu", "h100-sxm", "--gpus", "1024", "--sequence", "8192", "--global-batch",
      "2048", "--precision", "bf16", "--master-weights", "fp32", "--parallel", "zero1",
    ])
    let rows = r.out.split(separator: "\n").filter { $0.hasPrefix("| dp ") }
    #expect(!rows.isEmpty)
    for row in rows {
      let mfu = Double(row.split(separator: "|").last!.filter { $0.isNumber || $0 == "." })! / 100
      #expect(row.contains("†") == (mfu > 0.553), "\(row)")
    }
    if rows.contains(where: { $0.contains("†") }) {
      #expect(
        r.out.contains("† Above the best MFU any published run on Hopper reached: 55.3% (`dgxc-h100-8b-bf16-128`"))
    }
  }
}
