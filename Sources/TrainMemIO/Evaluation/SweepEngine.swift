import Foundation
import TrainMemCore

/// Evaluates a scenario's points in chunks spread over threads — evaluation and rendering both
/// run on the workers — and delivers results in index order, so output is byte-identical
/// whatever the thread count.
///
/// Workers share no mutable state: each fills its own part and hands
/// it over through a lock.
package enum SweepEngine {
  /// Points evaluated between two hand-overs: about 10 MB of CSV rows; for the other formats,
  /// whose runs are 2–4 KB of text each, 4,096 points (about 16 MB of JSON).
  package static let chunk = 32768
  package static let textChunk = 4096
  /// Room reserved per CSV row (rows run about 300 bytes), so a worker's buffer never regrows.
  package static let bytesPerRow = 320
  /// Points per worker below which a second worker is not worth starting.
  package static let pointsPerWorker = 256

  /// Evaluates every point, turns each result into `T` on the workers, and hands them to
  /// `deliver` in order.
  ///
  /// `progress` is told how many points are done after each chunk.
  package static func map<T: Sendable>(
    _ scenario: Scenario, threads: Int, progress: ((Int, Int) -> Void)? = nil,
    _ transform: @escaping @Sendable (RunResult) -> T, _ deliver: (T) throws -> Void
  ) throws {
    try forEachChunk(
      scenario, threads: threads, progress: progress, makePart: { [T](reservingCapacity: $0) }, chunk: textChunk
    ) {
      part, result, _ in
      part.append(transform(result))
    } deliver: { part in
      for item in part { try deliver(item) }
    }
  }

  /// Every point rendered as bytes by `render` (given the point's index) into one buffer per
  /// worker, delivered in order: no string per point.
  ///
  /// With `label: false` results carry no
  /// label (CSV writes it from `LabelBytes`). `bytesPerPoint` reserves room so a worker's
  /// buffer rarely regrows.
  package static func bytes(
    _ scenario: Scenario, threads: Int, progress: ((Int, Int) -> Void)? = nil, label: Bool = true,
    bytesPerPoint: Int = bytesPerRow, chunk: Int = SweepEngine.chunk,
    _ render: @escaping @Sendable (RunResult, Int, inout [UInt8]) -> Void,
    _ deliver: ([UInt8]) throws -> Void
  ) throws {
    try forEachChunk(
      scenario, threads: threads, progress: progress,
      makePart: { [UInt8](reservingCapacity: $0 * bytesPerPoint) }, label: label, chunk: chunk
    ) {
      part, result, index in
      render(result, index, &part)
    } deliver: {
      try deliver($0)
    }
  }

  /// CSV rows: each point's label from `LabelBytes`, then its cells.
  package static func csv(
    _ scenario: Scenario, threads: Int, progress: ((Int, Int) -> Void)? = nil, _ deliver: ([UInt8]) throws -> Void
  ) throws {
    let labels = LabelBytes(scenario)
    try bytes(scenario, threads: threads, progress: progress, label: false) { run, index, out in
      CSVRenderer.appendRow(run, labels: labels, index: index, to: &out)
    } _: {
      try deliver($0)
    }
  }

  /// The engine: chunks of `chunk` points, each split over up to `threads` workers that fill a
  /// `Part` (made by `makePart` with room for its points) with `add`; parts are delivered in
  /// order, chunk k on the calling thread while the workers evaluate chunk k + 1, so writing
  /// overlaps evaluation.
  ///
  /// A point whose numbers are not all finite and non-negative stops the
  /// sweep with `ImpossibleResult` before its chunk is delivered. With `label: false` results
  /// carry no label (the renderer writes it from the index).
  package static func forEachChunk<Part: Sendable>(
    _ scenario: Scenario, threads: Int, progress: ((Int, Int) -> Void)?, makePart: @escaping @Sendable (Int) -> Part,
    label: Bool = true,
    chunk: Int = SweepEngine.chunk, add: @escaping @Sendable (inout Part, RunResult, Int) -> Void,
    deliver: (Part) throws -> Void
  ) throws {
    let total = scenario.count
    var finished: (handoff: Handoff<Part>, end: Int)? = nil
    var start = 0
    while start < total || finished != nil {
      let end = min(total, start + chunk)
      let group = DispatchGroup()
      var computing: Handoff<Part>? = nil
      if start < total {
        let handoff = Handoff<Part>(workers: max(1, min(threads, (end - start) / pointsPerWorker + 1)))
        computing = handoff
        let range = start..<end
        DispatchQueue.global().async(group: group) {
          evaluate(scenario, range, label: label, into: handoff, makePart: makePart, add: add)
        }
      }
      // The previous chunk is written while this one is evaluated; on an error, the workers
      // finish their chunk before the error leaves (nothing outlives the call).
      if let done = finished {
        do {
          for part in done.handoff.parts { try deliver(part) }
        } catch {
          group.wait()
          throw error
        }
        progress?(done.end, total)
      }
      group.wait()
      finished = nil
      if let handoff = computing {
        if let index = handoff.rejected { throw ImpossibleResult(scenario: scenario, index: index) }
        finished = (handoff, end)
      }
      start = end
    }
  }

  /// One chunk over `handoff.workers` workers, each filling its own part.
  private static func evaluate<Part: Sendable>(
    _ scenario: Scenario, _ range: Range<Int>, label: Bool, into handoff: Handoff<Part>,
    makePart: @Sendable (Int) -> Part, add: @Sendable (inout Part, RunResult, Int) -> Void
  ) {
    let workers = handoff.workers
    DispatchQueue.concurrentPerform(iterations: workers) { w in
      let lo = range.lowerBound + range.count * w / workers
      let hi = range.lowerBound + range.count * (w + 1) / workers
      var cache = InventoryCache()
      var part = makePart(hi - lo)
      for index in lo..<hi {
        let point = scenario.point(index)
        var result = RunResult.evaluate(
          label: label ? scenario.label(index) : "", setup: point.setup,
          inventory: cache.inventory(for: point.setup.model), goals: scenario.solve, reference: point.reference)
        // An impossible result is never rendered (JSON cannot encode infinity): the sweep stops.
        guard result.isSane else {
          handoff.reject(index)
          break
        }
        result.runLabel = point.label
        add(&part, result, index)
      }
      handoff.put(w, part)
    }
  }
}

/// Every point's label as UTF-8 pieces (each run's label, each sweep value's ` key=value`),
/// built once per sweep, so a CSV row copies bytes instead of building a string; labels that
/// need CSV quoting take the string path.
package struct LabelBytes: Sendable {
  package let runs: [[UInt8]]
  package let values: [[[UInt8]]]
  package let scenario: Scenario
  package let needsQuoting: Bool

  package init(_ scenario: Scenario) {
    self.scenario = scenario
    runs = scenario.runs.map { Array($0.label.utf8) }
    values = scenario.sweep.map { axis in axis.values.map { Array(" \(axis.key)=\($0.text)".utf8) } }
    // Quoting, or control characters to show visibly: either way the string path.
    let texts = scenario.runs.map(\.label) + scenario.sweep.flatMap { axis in axis.values.map(\.text) }
    needsQuoting = texts.contains { text in
      text.unicodeScalars.contains { $0 == "," || $0 == "\"" || isControl($0) }
    }
  }

  /// Appends point `index`'s label as a CSV field.
  package func append(_ index: Int, to out: inout [UInt8]) {
    guard !needsQuoting else {
      CSVRenderer.appendField(scenario.label(index), to: &out)
      return
    }
    out.append(contentsOf: runs[index / scenario.pointsPerRun])
    scenario.withCoordinates(index) { a, d in out.append(contentsOf: values[a][d]) }
  }
}

/// A point whose predicted numbers are not finite and non-negative: an input combination the
/// settings' ranges did not exclude.
///
/// Reported at the run, exit 65.
package struct ImpossibleResult: Error {
  package var scenario: Scenario
  package var index: Int

  package var diagnostic: Diagnostic {
    let point = scenario.point(index)
    return Diagnostic(
      location: point.location,
      message:
        "'\(scenario.label(index))' gives numbers trainmem cannot print (infinite, not a number or negative); a value in this run is outside what the models can evaluate"
    )
  }
}

/// Each worker's finished part, and the first rejected point.
private final class Handoff<Part>: Sendable {
  private let state: Locked<(slots: [Part?], firstRejected: Int?)>
  package let workers: Int

  package init(workers: Int) {
    self.workers = workers
    state = Locked((Array(repeating: nil, count: workers), nil))
  }

  package func put(_ worker: Int, _ part: Part) { state.withLock { $0.slots[worker] = part } }
  package func reject(_ index: Int) { state.withLock { $0.firstRejected = min($0.firstRejected ?? index, index) } }
  package var rejected: Int? { state.withLock { $0.firstRejected } }
  package var parts: [Part] { state.withLock { $0.slots.compactMap { $0 } } }
}

extension Array {
  /// An empty array with room for `capacity` elements.
  package init(reservingCapacity capacity: Int) {
    self.init()
    reserveCapacity(capacity)
  }
}
