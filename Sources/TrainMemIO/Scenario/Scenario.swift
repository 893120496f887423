import TrainMemCore

/// A change to a setup, from one scenario key.
package typealias SetupEdit = @Sendable (inout TrainingSetup) -> Void

/// One value of a sweep axis: its text for labels and the edit it makes.
package struct SweepValue: Sendable {
  package var text: String
  package var edit: SetupEdit
}

package struct SweepAxis: Sendable {
  package var key: String
  package var values: [SweepValue]
  package var location: SourceLocation
}

/// A published or measured figure to print next to a run's prediction (scenario key
/// `reference` inside a run).
package struct Reference: Sendable, Equatable {
  package var tokensPerSecond: Double?
  /// Seconds per optimizer step, compared with the steady step (no projection refresh).
  package var stepSeconds: Double? = nil
  /// Total memory per GPU as the source reports it, compared with `required`.
  package var memory: Bytes?
  package var source: String
  /// Label of another run: also compare the tokens/s ratio to it (published vs predicted).
  package var ratioTo: String? = nil
}

/// A run before sweeping: its label, its edits over the defaults, where it was written.
package struct RunTemplate: Sendable {
  package var label: String
  package var setup: TrainingSetup
  package var location: SourceLocation
  /// Where each key that shaped this run was written (`gpus`, `optimizer.rank`,
  /// `model.kv_heads`), defaults first, the run's own keys after.
  package var keyLocations: [(String, SourceLocation)] = []
  package var reference: Reference? = nil
}

/// One point to evaluate.
package struct RunSpec: Sendable {
  package var label: String
  package var setup: TrainingSetup
  package var location: SourceLocation
  package var reference: Reference?
}

/// A loaded scenario: runs × the sweep's cartesian product, generated on demand so a
/// 100,000-point sweep is never held in memory at once.
package struct Scenario: Sendable {
  package var name: String
  package var description: String? = nil
  package var runs: [RunTemplate]
  package var sweep: [SweepAxis]
  package var sweepLocation: SourceLocation?
  package var solve: [SolveGoal]
  /// Evaluate only the first `limit` points (benchmarks).
  package var limit: Int? = nil

  package var pointsPerRun: Int { sweep.reduce(1) { $0 * max(1, $1.values.count) } }
  package var count: Int { min(limit ?? Int.max, runs.count * pointsPerRun) }

  /// The index-th point: run-major, then the sweep axes in file order, last axis fastest.
  package func point(_ index: Int) -> RunSpec {
    let r = index / pointsPerRun
    return RunSpec(
      label: runs[r].label, setup: setup(index), location: sweepLocation ?? runs[r].location,
      reference: runs[r].reference)
  }

  /// The index-th point's setup alone (the sweep's inner loop: no run template is copied).
  ///
  /// The axes are decoded first axis first, with no closure: a closure over `self` let the
  /// optimizer copy the whole scenario per point (`perf`: a third of a CSV sweep's retains).
  package func setup(_ index: Int) -> TrainingSetup {
    let perRun = pointsPerRun
    var setup = runs[index / perRun].setup
    var rest = index % perRun, stride = perRun
    for a in sweep.indices {
      stride /= sweep[a].values.count
      sweep[a].values[rest / stride].edit(&setup)
      rest %= stride
    }
    return setup
  }

  /// Calls `body(axis, value index)` for each sweep axis of point `index`, first axis first,
  /// without allocating (the sweep's inner loop).
  package func withCoordinates(_ index: Int, _ body: (Int, Int) -> Void) {
    guard !sweep.isEmpty else { return }
    withUnsafeTemporaryAllocation(of: Int.self, capacity: sweep.count) { digits in
      var rest = index % pointsPerRun
      for a in stride(from: sweep.count - 1, through: 0, by: -1) {
        let n = sweep[a].values.count
        digits[a] = rest % n
        rest /= n
      }
      for a in 0..<sweep.count { body(a, digits[a]) }
    }
  }

  /// Where the key behind a problem of point `index` was written: the sweep (applied last),
  /// else the run's own key, else the defaults; a nested key falls back to its parent.
  package func location(of key: String, point index: Int) -> SourceLocation {
    let run = runs[index / pointsPerRun]
    var k = key
    while true {
      if let axis = sweep.last(where: { $0.key == k }) { return axis.location }
      if let hit = run.keyLocations.last(where: { $0.0 == k }) { return hit.1 }
      guard let dot = k.lastIndex(of: ".") else { return run.location }
      k = String(k[..<dot])
    }
  }

  /// The defaults point `index` runs with that its scenario never set (`Assumption`).
  package func assumptions(point index: Int, _ setup: TrainingSetup) -> [Assumption] {
    let run = runs[index / pointsPerRun]
    return setup.assumptions { id in
      sweep.contains { $0.key == id.path } || run.keyLocations.contains { $0.0 == id.path }
    }
  }

  /// "AdamW sequence=1024 micro_batch=8": the run's label with the sweep coordinates.
  package func label(_ index: Int) -> String {
    guard !sweep.isEmpty else { return runs[index / pointsPerRun].label }
    var label = runs[index / pointsPerRun].label
    withCoordinates(index) { a, d in
      label += " "
      label += sweep[a].key
      label += "="
      label += sweep[a].values[d].text
    }
    return label
  }
}
