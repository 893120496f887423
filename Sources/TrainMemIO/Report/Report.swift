import TrainMemCore

// One `Report` value feeds every renderer.

package struct Report: Sendable {
  package var scenario: String
  package var description: String? = nil
  package var runs: [RunResult]

  package init(scenario: String, description: String? = nil, runs: [RunResult]) {
    self.scenario = scenario
    self.description = description
    self.runs = runs
  }
}
