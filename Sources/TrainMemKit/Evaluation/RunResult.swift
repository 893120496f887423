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
      reference: reference, parameters: inventory.parameters)
  }
}

