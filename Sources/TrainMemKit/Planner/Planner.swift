// Searches over the memory model: exact integer answers found by doubling then bisection,
// valid because peak memory grows monotonically with micro-batch, sequence and rank, and
// falls with the number of GPUs under sharding.

/// The planner's answers for one run (nil: not asked, or nothing fits).
struct Plan: Sendable, Equatable {
  var maxMicroBatch: Int64?
  var maxSequence: Int64?
  var minGPUs: Int64?
  var maxRank: Int64?
  /// `max_rank` was asked of an optimizer that projects nothing: no rank to search.
  var rankNotApplicable = false
}

enum Planner {
  static func fits(_ s: TrainingSetup) -> Bool {
    guard s.validationProblems().isEmpty else { return false }
    return MemoryModel.estimate(s).fits
  }

  /// Largest n in 1...limit with `ok(n)` true, assuming ok is monotone (true then false).
  static func largest(limit: Int64, _ ok: (Int64) -> Bool) -> Int64? {
    guard ok(1) else { return nil }
    var lo: Int64 = 1
    var hi: Int64 = 2
    while hi <= limit && ok(hi) { lo = hi; hi *= 2 }
    hi = min(hi, limit + 1)
    while hi - lo > 1 {
      let mid = lo + (hi - lo) / 2
      if ok(mid) { lo = mid } else { hi = mid }
    }
    return lo
  }

  static func maxMicroBatch(_ s: TrainingSetup) -> Int64? {
    largest(limit: 1 << 20) { b in
      var t = s; t.microBatch = b; return fits(t)
    }
  }

  static func maxSequence(_ s: TrainingSetup) -> Int64? {
    largest(limit: 1 << 22) { q in
      var t = s; t.sequence = q; return fits(t)
    }
  }

  static func maxRank(_ s: TrainingSetup) -> Int64? {
    guard s.optimizer.kind.isLowRank, !s.optimizer.kind.isMini else { return nil }
    let limit = ParameterInventory(s.model).smallestLowRankSide
    return largest(limit: limit) { r in
      var t = s; t.optimizer.rank = r; return fits(t)
    }
  }

  /// Fewest GPUs (up to 4096) for the setup's parallel mode; `none` searches FSDP.
  static func minGPUs(_ s: TrainingSetup) -> Int64? {
    var base = s
    if base.parallel == .none { base.parallel = .fsdp }
    func ok(_ n: Int64) -> Bool { var t = base; t.gpus = n; return fits(t) }
    if ok(1) { return 1 }
    // Memory falls with more GPUs, so "does not fit" is true then false: the answer is one past
    // its last true.
    guard let last = largest(limit: 4096, { !ok($0) }), last < 4096 else { return nil }
    return last + 1
  }

  static func plan(_ s: TrainingSetup, goals: [SolveGoal]) -> Plan? {
    guard !goals.isEmpty else { return nil }
    var p = Plan()
    for g in goals {
      switch g {
      case .maxMicroBatch: p.maxMicroBatch = maxMicroBatch(s)
      case .maxSequence: p.maxSequence = maxSequence(s)
      case .minGPUs: p.minGPUs = minGPUs(s)
      case .maxRank:
        p.maxRank = maxRank(s)
        p.rankNotApplicable = !s.optimizer.kind.isLowRank || s.optimizer.kind.isMini
      }
    }
    return p
  }
}

/// What a scenario asks the planner to find for each run.
public enum SolveGoal: String, Sendable, CaseIterable {
  case maxMicroBatch = "max_micro_batch"
  case maxSequence = "max_sequence"
  case minGPUs = "min_gpus"
  case maxRank = "max_rank"
}
