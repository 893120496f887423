import TrainMemCore

// Every result a run reports, declared once: the CSV header and cells and the members of the
// run's JSON `memory`, `throughput` and `plan` objects all read this table, so the formats
// cannot drift apart.

/// The JSON object of a run a result belongs to.
package enum ResultObject: Sendable {
  case memory, throughput, plan
}

/// One result of a run: its CSV column and its JSON member (a class: the row loops read the
/// table per point without copying its closures).
package final class ResultColumn: Sendable {
  /// The CSV header; nil: JSON only.
  package let csv: String?
  /// The JSON object and member name; nil: CSV only.
  package let json: (object: ResultObject, key: String)?
  /// Digits after the point in the CSV (JSON writes the shortest form that round-trips).
  package let digits: Int
  /// Text that is an enum's raw value (a word): written to the CSV as is, with no scan for
  /// characters to quote.
  package let word: Bool
  /// The value: nil leaves the CSV cell empty and the JSON member out.
  package let value: @Sendable (RunResult) -> FieldValue?
  /// A JSON member that is not one value (the memory ledger, the layout object): writes its
  /// key and value, or nothing.
  package let writeJSON: (@Sendable (RunResult, _ key: String, inout JSONWriter) -> Void)?

  init(
    _ csv: String?, _ object: ResultObject?, _ key: String? = nil, digits: Int = 0, word: Bool = false,
    _ value: @escaping @Sendable (RunResult) -> FieldValue?,
    json writeJSON: (@Sendable (RunResult, _ key: String, inout JSONWriter) -> Void)? = nil
  ) {
    self.csv = csv
    self.json = object.map { ($0, key ?? csv ?? "") }
    self.digits = digits
    self.word = word
    self.value = value
    self.writeJSON = writeJSON
  }
}

extension ResultColumn {
  /// CSV order first (the header after the settings' columns); JSON-only members after.
  package static let all: [ResultColumn] = csvColumns + jsonOnly

  private static let csvColumns: [ResultColumn] = [
    ResultColumn("fits", .memory) { .flag($0.memory.fits) },
    ResultColumn("peak_bytes", .memory, "peak") { .integer($0.memory.peak) },
    ResultColumn("required_bytes", .memory, "required") { .integer($0.memory.required) },
    ResultColumn("reserved_bytes", .memory, "reserved") { .integer($0.memory.reserved) },
    ResultColumn("capacity_bytes", .memory, "capacity") { .integer($0.memory.capacity) },
    ResultColumn("headroom_bytes", .memory, "headroom") { .integer($0.memory.headroom) },
    ResultColumn("peak_phase", .memory, word: true) { .text($0.memory.peakPhase.rawValue) },
    ResultColumn("weights_bytes", .memory, "weights") { .integer($0.memory.weights + $0.memory.weightCopies) },
    ResultColumn("gradients_bytes", .memory, "gradients") {
      .integer($0.memory.gradientsHeld + $0.memory.gradientBuckets)
    },
    ResultColumn("optimizer_state_bytes", .memory, "optimizer_states") { .integer($0.memory.states.total) },
    ResultColumn("activation_bytes", .memory, "activations") { .integer($0.memory.activations) },
    ResultColumn("logits_bytes", .memory, "logits") { .integer($0.memory.logits) },
    ResultColumn("transient_bytes", .memory, "transient") { .integer($0.memory.transient) },
    ResultColumn("step_seconds", .throughput, digits: 6) { .number($0.throughput.stepSeconds) },
    ResultColumn("tokens_per_second", .throughput, digits: 1) { .number($0.throughput.tokensPerSecond) },
    ResultColumn("mfu", .throughput, digits: 4) { .number($0.throughput.mfu) },
    ResultColumn("max_micro_batch", .plan) { $0.plan?.maxMicroBatch.map(FieldValue.integer) },
    ResultColumn("max_sequence", .plan) { $0.plan?.maxSequence.map(FieldValue.integer) },
    ResultColumn("min_gpus", .plan) { $0.plan?.minGPUs.map(FieldValue.integer) },
    // `solve: layout`'s answer: text in the CSV ("dp 8 × tp 8 × pp 4, zero1, …"), an object in
    // the JSON.
    ResultColumn(
      "layout", .plan, nil, { $0.plan?.layout.map { .text($0.text) } },
      json: { run, key, w in
        guard let layout = run.plan?.layout else { return }
        w.key(key)
        JSONRenderer.layout(layout, to: &w)
      }),
    // One fit state (fits, narrow, no), last so positional readers of `fits` are unchanged.
    ResultColumn("fit", .memory, word: true) { .text($0.memory.fit.rawValue) },
  ]

  private static let jsonOnly: [ResultColumn] = [
    ResultColumn(nil, .memory, "error_band") { .number($0.band.memory) },
    ResultColumn(nil, .memory, "fragmentation") { .integer($0.memory.fragmentation) },
    ResultColumn(nil, .memory, "host_memory") { $0.memory.host > 0 ? .integer($0.memory.host) : nil },
    ResultColumn(nil, .memory, "host_memory_per_node") {
      $0.memory.host > 0 ? .integer(Checked.saturatingProduct($0.memory.host, $0.setup.nodeSize)) : nil
    },
    ResultColumn(nil, .memory, "narrow_fit") { $0.memory.margin > 0 ? .flag($0.memory.narrow) : nil },
    ResultColumn(nil, .memory, "overhead") { .integer($0.memory.context + $0.memory.fragmentation) },
    ResultColumn(nil, .memory, "paged_optimizer_states") {
      $0.memory.pagedStates > 0 ? .integer($0.memory.pagedStates) : nil
    },
    ResultColumn(nil, .memory, "paged_to_host") { $0.memory.pagedStates > 0 ? .integer($0.memory.pagedToHost) : nil },
    ResultColumn(nil, .memory, "peak_stage") { $0.memory.stage.map(FieldValue.text) },
    ResultColumn(
      nil, .memory, "terms", { _ in nil },
      json: { run, key, w in
        w.key(key)
        JSONRenderer.terms(run.memoryTerms, to: &w)
      }),
    ResultColumn(nil, .throughput, "communication_seconds") { .number($0.throughput.communication) },
    ResultColumn(nil, .throughput, "compute_seconds") { .number($0.throughput.compute) },
    ResultColumn(nil, .throughput, "cost") { $0.throughput.cost.map(FieldValue.number) },
    ResultColumn(nil, .throughput, "error_band") { .number($0.band.throughput) },
    ResultColumn(nil, .throughput, "error_band_checked") { .flag($0.band.throughputChecked) },
    ResultColumn(nil, .throughput, "gpu_hours") { $0.throughput.gpuHours.map(FieldValue.number) },
    ResultColumn(nil, .throughput, "optimizer_seconds") { .number($0.throughput.optimizer) },
    ResultColumn(nil, .throughput, "refresh_seconds") { .number($0.throughput.projectionRefresh) },
    ResultColumn(nil, .throughput, "steady_step_seconds") { .number($0.throughput.steadyStepSeconds) },
    ResultColumn(nil, .throughput, "tokens_per_second_per_gpu") { .number($0.throughput.tokensPerSecondPerGPU) },
    // The step's time ledger, term by term (`ThroughputModel.ledger`), when the run carries it.
    ResultColumn(
      nil, .throughput, "terms", { _ in nil },
      json: { run, key, w in
        guard !run.timeTerms.isEmpty else { return }
        w.key(key)
        JSONRenderer.timeTerms(run.timeTerms, to: &w)
      }),
    ResultColumn(nil, .throughput, "train_hours") { $0.throughput.trainHours.map(FieldValue.number) },
    ResultColumn(nil, .plan, "max_rank") { $0.plan?.maxRank.map(FieldValue.integer) },
  ]

  /// The CSV's result columns, in order.
  package static let csv = all.filter { $0.csv != nil }

  /// One JSON object's members, in key order.
  package static func json(_ object: ResultObject) -> [ResultColumn] {
    switch object {
    case .memory: return memoryMembers
    case .throughput: return throughputMembers
    case .plan: return planMembers
    }
  }
  private static let memoryMembers = members(of: .memory)
  private static let throughputMembers = members(of: .throughput)
  private static let planMembers = members(of: .plan)
  private static func members(of object: ResultObject) -> [ResultColumn] {
    all.filter { $0.json?.object == object }.sorted { $0.json!.key < $1.json!.key }
  }

}
