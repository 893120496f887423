import TrainMemCore

// Running the models on one setup: the only place outside the planner that does.

/// One evaluated run.
package struct RunResult: Sendable {
  package var label: String
  package var setup: TrainingSetup
  package var memory: MemoryEstimate
  package var throughput: ThroughputEstimate
  package var plan: Plan?
  package var reference: Reference? = nil
  /// The model's parameter count (from the inventory the models used).
  package var parameters: Int64 = 0
  /// The label of the scenario run this point belongs to (`label` adds sweep coordinates).
  package var runLabel: String = ""
  /// The memory and time ledgers and what padding would gain: computed for the formats that
  /// print them (`withLedgers`, `withDetails`), not for every point of a CSV sweep.
  package var memoryTerms: [MemoryTerm] = []
  package var timeTerms: [TimeTerm] = []
  package var padding: PaddingAdvice? = nil
  /// The defaults the run was not given (Markdown opens each run with them).
  package var assumptions: [Assumption] = []
  /// Where the setup sits against what `validate` checks, and so how far to trust the estimate.
  package var coverage: Coverage
  package var band: ErrorBand

  package static func evaluate(label: String, setup: TrainingSetup, goals: [SolveGoal] = []) -> RunResult {
    evaluate(label: label, setup: setup, inventory: ParameterInventory(setup.model), goals: goals)
  }

  package static func evaluate(
    label: String, setup: TrainingSetup, inventory: ParameterInventory, goals: [SolveGoal],
    reference: Reference? = nil
  ) -> RunResult {
    let coverage = Coverage(setup)
    return RunResult(
      label: label, setup: setup, memory: MemoryModel.estimate(setup, inventory),
      throughput: ThroughputModel.estimate(setup, inventory), plan: Planner.plan(setup, goals: goals),
      reference: reference, parameters: inventory.parameters, runLabel: label, coverage: coverage,
      band: ErrorBand(coverage))
  }
}

extension RunResult {
  /// Whether every number the reports print is finite and not negative (headroom excepted: it
  /// is negative when a run does not fit).
  ///
  /// The input ranges are chosen so that this always
  /// holds; the sweep engine checks it on every point anyway, so a gap in those ranges is an
  /// error at the run, never a `nan` in a report.
  package var isSane: Bool { Self.sane(memory, throughput) }

  package static func sane(_ m: MemoryEstimate, _ t: ThroughputEstimate) -> Bool {
    func ok(_ v: Double) -> Bool { v.isFinite && v >= 0 }
    func ok(_ v: Double?) -> Bool { v.map(ok) ?? true }
    guard t.stepSeconds > 0, ok(t.stepSeconds), ok(t.steadyStepSeconds), ok(t.tokensPerSecond),
      ok(t.tokensPerSecondPerGPU), ok(t.mfu), ok(t.compute), ok(t.optimizer), ok(t.communication),
      ok(t.projectionRefresh), ok(t.tokensPerStep), ok(t.trainHours), ok(t.gpuHours), ok(t.cost)
    else { return false }
    // Every term the reports print (headroom excepted), each state component on its own; an
    // `&&` chain, not an array: this runs for every point of a sweep.
    let st = m.states
    return m.peak >= 0 && m.required >= 0 && m.reserved >= 0 && m.reserve >= 0 && m.capacity >= 0
      && m.weights >= 0 && m.weightCopies >= 0 && m.gradients >= 0 && m.gradientsHeld >= 0
      && m.gradientBuckets >= 0 && st.lowRankMoments >= 0 && st.projections >= 0 && st.regularMoments >= 0
      && st.scalars >= 0 && st.masterWeights >= 0 && st.paged >= 0 && m.activations >= 0 && m.logits >= 0
      && m.transient >= 0 && m.fragmentation >= 0 && m.context >= 0 && m.host >= 0 && m.forwardBackwardPeak >= 0
      && m.optimizerStepPeak >= 0 && m.margin >= 0 && (m.limit ?? 0) >= 0
  }
}

extension RunResult {
  /// The result with the step's time ledger and the padding advice filled in (Markdown).
  package func withDetails() -> RunResult {
    var r = withLedgers()
    r.padding = PaddingAdvice.advice(setup)
    return r
  }

  /// The result with the memory and time ledgers filled in (JSON's `memory.terms` and
  /// `throughput.terms`, the Markdown's tables): the renderers print them, never compute them.
  package func withLedgers() -> RunResult {
    var r = self
    r.memoryTerms = MemoryModel.ledger(setup, memory)
    r.timeTerms = ThroughputModel.ledger(setup, ParameterInventory(setup.model))
    return r
  }
}
