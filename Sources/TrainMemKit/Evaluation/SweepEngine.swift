import Foundation

/// Evaluates a scenario's points in chunks spread over threads — evaluation and the per-point
/// rendering both run on the workers — and delivers results in index order, so output is
/// byte-identical whatever the thread count. Workers share no mutable state: each fills its own
/// array and hands it over through a lock.
enum SweepEngine {
  static let chunk = 8192
  /// Points per worker below which a second worker is not worth starting.
  static let pointsPerWorker = 256

  /// Evaluates every point, turns each result into `T` on the workers, and hands them to
  /// `deliver` in order. `progress` is told how many points are done after each chunk.
  static func map<T: Sendable>(
    _ scenario: Scenario, threads: Int, progress: ((Int, Int) -> Void)? = nil,
    _ transform: @escaping @Sendable (RunResult) -> T, _ deliver: (T) throws -> Void
  ) throws {
    let total = scenario.count
    var start = 0
    while start < total {
      let end = min(total, start + chunk)
      let (results, insane) = evaluate(scenario, start..<end, threads: threads, transform)
      if let index = insane { throw ImpossibleResult(scenario: scenario, index: index) }
      for r in results { try deliver(r) }
      progress?(end, total)
      start = end
    }
  }

  /// The points of `range`, transformed, in order, and the first point whose numbers are not
  /// all finite and non-negative, if any.
  static func evaluate<T: Sendable>(
    _ scenario: Scenario, _ range: Range<Int>, threads: Int, _ transform: @escaping @Sendable (RunResult) -> T
  ) -> ([T], Int?) {
    let n = range.count
    let workers = max(1, min(threads, n / pointsPerWorker + 1))
    let handoff = Handoff<T>(workers: workers)
    DispatchQueue.concurrentPerform(iterations: workers) { w in
      let lo = range.lowerBound + n * w / workers
      let hi = range.lowerBound + n * (w + 1) / workers
      var cache = InventoryCache()
      var results: [T] = []
      results.reserveCapacity(hi - lo)
      for index in lo..<hi {
        let point = scenario.point(index)
        var result = RunResult.evaluate(
          label: scenario.label(index), setup: point.setup, inventory: cache.inventory(for: point.setup.model),
          goals: scenario.solve, reference: point.reference)
        result.runLabel = point.label
        // An impossible result is never rendered (JSON cannot encode infinity): the chunk fails.
        guard result.isSane else {
          handoff.reject(index)
          break
        }
        results.append(transform(result))
      }
      handoff.put(w, results)
    }
    return (handoff.joined(), handoff.rejected)
  }
}

/// A point whose predicted numbers are not finite and non-negative: an input combination the
/// settings' ranges did not exclude. Reported at the run, exit 65.
struct ImpossibleResult: Error {
  var scenario: Scenario
  var index: Int

  var diagnostic: ScenarioError {
    let point = scenario.point(index)
    return ScenarioError(
      location: point.location,
      message:
        "'\(scenario.label(index))' gives numbers trainmem cannot print (infinite, not a number or negative); a value in this run is outside what the models can evaluate"
    )
  }
}

/// Each worker's finished slice, stored and read under one lock.
private final class Handoff<T>: @unchecked Sendable {
  private let lock = NSLock()
  private var slices: [[T]]

  init(workers: Int) { slices = Array(repeating: [], count: workers) }

  func put(_ worker: Int, _ slice: [T]) {
    lock.lock()
    slices[worker] = slice
    lock.unlock()
  }

  private var firstRejected: Int?

  func reject(_ index: Int) {
    lock.lock()
    firstRejected = min(firstRejected ?? index, index)
    lock.unlock()
  }

  var rejected: Int? {
    lock.lock()
    defer { lock.unlock() }
    return firstRejected
  }

  func joined() -> [T] {
    lock.lock()
    defer { lock.unlock() }
    return slices.flatMap { $0 }
  }
}
