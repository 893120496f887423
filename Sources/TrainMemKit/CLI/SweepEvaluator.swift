import Foundation

/// Evaluates a scenario's points in chunks spread over threads, delivering results in index
/// order so output is byte-identical whatever the thread count.
enum SweepEvaluator {
  static let chunk = 8192

  static func evaluate(_ sc: Scenario, threads: Int, progress: inout some TextOutputStream, _ deliver: (RunResult) -> Void) {
    let total = sc.count
    let showProgress = total > 10_000 && isatty(2) != 0
    var start = 0
    while start < total {
      let end = min(total, start + chunk)
      let results = evaluateRange(sc, start..<end, threads: threads)
      for r in results { deliver(r) }
      if showProgress { progress.write("\r\(end)/\(total) points") }
      start = end
    }
    if showProgress { progress.write("\n") }
  }

  static func evaluateRange(_ sc: Scenario, _ range: Range<Int>, threads: Int) -> [RunResult] {
    let n = range.count
    let box = ResultBox(count: n)
    let workers = max(1, min(threads, n / 256 + 1))
    DispatchQueue.concurrentPerform(iterations: workers) { w in
      var i = w
      while i < n {
        let index = range.lowerBound + i
        let p = sc.point(index)
        box.set(i, RunResult.evaluate(label: sc.label(index), setup: p.setup, goals: sc.solve))
        i += workers
      }
    }
    return box.values()
  }
}

/// Slots written by distinct indices from several threads, read after all finish.
final class ResultBox: @unchecked Sendable {
  private var slots: [RunResult?]
  init(count: Int) { slots = Array(repeating: nil, count: count) }
  func set(_ i: Int, _ r: RunResult) { slots[i] = r }
  func values() -> [RunResult] { slots.compactMap { $0 } }
}
