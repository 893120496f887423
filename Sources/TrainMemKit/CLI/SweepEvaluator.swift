import Foundation

/// Evaluates a scenario's points in chunks spread over threads — evaluation and the per-point
/// rendering both run in the workers — and delivers results in index order, so output is
/// byte-identical whatever the thread count.
enum SweepEvaluator {
  static let chunk = 8192

  /// Evaluates every point, turns each result into `T` on the workers, and hands them to
  /// `deliver` in order.
  static func map<T: Sendable>(
    _ sc: Scenario, threads: Int, progress: inout some TextOutputStream,
    _ transform: @escaping @Sendable (RunResult) -> T, _ deliver: (T) -> Void
  ) {
    let total = sc.count
    let showProgress = total > 10_000 && isatty(2) != 0
    var start = 0
    while start < total {
      let end = min(total, start + chunk)
      for r in evaluateRange(sc, start..<end, threads: threads, transform) { deliver(r) }
      if showProgress { progress.write("\r\(end)/\(total) points") }
      start = end
    }
    if showProgress { progress.write("\n") }
  }

  /// Evaluates every point and hands the results to `deliver` in order.
  static func evaluate(_ sc: Scenario, threads: Int, progress: inout some TextOutputStream, _ deliver: (RunResult) -> Void) {
    map(sc, threads: threads, progress: &progress, { $0 }, deliver)
  }

  static func evaluateRange<T: Sendable>(
    _ sc: Scenario, _ range: Range<Int>, threads: Int, _ transform: @escaping @Sendable (RunResult) -> T
  ) -> [T] {
    let n = range.count
    let box = ResultBox<T>(count: n)
    let workers = max(1, min(threads, n / 256 + 1))
    DispatchQueue.concurrentPerform(iterations: workers) { w in
      // Contiguous slices keep each worker's writes apart.
      let lo = n * w / workers, hi = n * (w + 1) / workers
      var cache = InventoryCache()
      for i in lo..<hi {
        let index = range.lowerBound + i
        let p = sc.point(index)
        let r = RunResult.evaluate(
          label: sc.label(index), setup: p.setup, inventory: cache.inventory(for: p.setup.model),
          goals: sc.solve, reference: p.reference)
        box.set(i, transform(r))
      }
    }
    return box.values()
  }
}

/// Slots written by distinct indices from several threads, read after all finish.
final class ResultBox<T>: @unchecked Sendable {
  private var slots: [T?]
  init(count: Int) { slots = Array(repeating: nil, count: count) }
  func set(_ i: Int, _ r: T) { slots[i] = r }
  func values() -> [T] { slots.compactMap { $0 } }
}
