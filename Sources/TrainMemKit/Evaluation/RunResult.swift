// Running the models on one setup: the only place outside the planner that does.

/// One evaluated run.
struct RunResult: Sendable {
  var label: String
  var setup: TrainingSetup
  var memory: MemoryEstimate
  var throughput: ThroughputEstimate
  var plan: Plan?
  var reference: Reference? = nil
  /// The model's parameter count (from the inventory the models used).
  var parameters: Int64 = 0
  /// The label of the scenario run this point belongs to (`label` adds sweep coordinates).
  var runLabel: String = ""

  static func evaluate(label: String, setup: TrainingSetup, goals: [SolveGoal] = []) -> RunResult {
    evaluate(label: label, setup: setup, inventory: ParameterInventory(setup.model), goals: goals)
  }

  static func evaluate(
    label: String, setup: TrainingSetup, inventory: ParameterInventory, goals: [SolveGoal],
    reference: Reference? = nil
  ) -> RunResult {
    RunResult(
      label: label, setup: setup, memory: MemoryModel.estimate(setup, inventory),
      throughput: ThroughputModel.estimate(setup, inventory), plan: Planner.plan(setup, goals: goals),
      reference: reference, parameters: inventory.parameters, runLabel: label)
  }
}

extension RunResult {
  /// Whether every number the reports print is finite and not negative (headroom excepted: it
  /// is negative when a run does not fit). The input ranges are chosen so that this always
  /// holds; the sweep engine checks it on every point anyway, so a gap in those ranges is an
  /// error at the run, never a `nan` in a report.
  var isSane: Bool { Self.sane(memory, throughput) }

  static func sane(_ m: MemoryEstimate, _ t: ThroughputEstimate) -> Bool {
    let times = [
      t.stepSeconds, t.steadyStepSeconds, t.tokensPerSecond, t.tokensPerSecondPerGPU, t.mfu, t.compute,
      t.optimizer, t.communication, t.projectionRefresh, t.tokensPerStep,
    ]
    let optional = [t.trainHours, t.gpuHours, t.cost].compactMap { $0 }
    guard (times + optional).allSatisfy({ $0.isFinite && $0 >= 0 }), t.stepSeconds > 0 else { return false }
    return [
      m.peak, m.required, m.reserved, m.capacity, m.weights, m.gradientsHeld, m.states.total, m.activations,
      m.logits, m.transient, m.fragmentation, m.context,
    ].allSatisfy { $0 >= 0 }
  }
}
