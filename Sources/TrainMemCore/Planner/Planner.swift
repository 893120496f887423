// Searches over the memory model: exact integer answers found by doubling then bisection,
// valid because peak memory grows monotonically with micro-batch, sequence and rank, and
// falls with the number of GPUs under sharding.

/// The planner's answers for one run (nil: not asked, or nothing fits).
package struct Plan: Sendable, Equatable {
  package var maxMicroBatch: Int64?
  package var maxSequence: Int64?
  package var minGPUs: Int64?
  package var maxRank: Int64?
  /// `max_rank` was asked of an optimizer that projects nothing: no rank to search.
  package var rankNotApplicable = false
  /// Micro-batches below the largest that do not fit (they accumulate gradients).
  package var microBatchGap: ClosedRange<Int64>? = nil
  /// The fastest layout over the run's GPUs that fits (`LayoutSearch`), and how many were tried.
  package var layout: Layout? = nil
  package var layoutsEvaluated = 0
}

package enum Planner {
  /// Fits and keeps the margin the run asks for: every search answers within it.
  package static func fits(_ s: TrainingSetup) -> Bool {
    guard s.validationProblems().isEmpty else { return false }
    let m = MemoryModel.estimate(s)
    return m.fits && !m.narrow
  }

  /// Largest n in 1...limit with `ok(n)` true, assuming ok is monotone (true then false).
  package static func largest(limit: Int64, _ ok: (Int64) -> Bool) -> Int64? {
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

  /// The largest micro-batch that fits.
  ///
  /// Without a global batch, memory grows with the
  /// micro-batch and one search finds it. With one, accumulation steps follow the micro-batch
  /// (ceil(global / (micro × replicas))): below one micro-batch per step the gradients of the
  /// earlier micro-batches are held, at one per step they are not — so "fits" can be false for
  /// micro-batch 7 and true for 16. Each regime is monotone and searched on its own; the
  /// micro-batch never exceeds a replica's share of the global batch (beyond it the run would
  /// take a larger global batch than asked).
  package static func maxMicroBatch(_ s: TrainingSetup) -> Int64? { microBatchSearch(s).largest }

  package struct MicroBatchAnswer: Sendable, Equatable {
    package var largest: Int64?
    /// Smaller micro-batches that do not fit although `largest` does (they accumulate).
    package var gap: ClosedRange<Int64>?
  }

  package static func microBatchSearch(_ s: TrainingSetup) -> MicroBatchAnswer {
    func ok(_ b: Int64) -> Bool {
      var t = s
      t.microBatch = b
      return fits(t)
    }
    guard let global = s.globalBatch else {
      return MicroBatchAnswer(largest: largest(limit: SetupLimits.microBatch, ok))
    }
    // The smallest micro-batch with a single micro-batch per step, and the cap.
    let share = max(1, (global + s.dataParallel - 1) / s.dataParallel)
    let accumulating = share > 1 ? largest(limit: share - 1, ok) : nil
    if ok(share) {
      let gap = (accumulating ?? 0) + 1 < share ? ((accumulating ?? 0) + 1)...(share - 1) : nil
      return MicroBatchAnswer(largest: share, gap: gap)
    }
    return MicroBatchAnswer(largest: accumulating)
  }

  /// The micro-batch a plan trains at: the largest that fits or, with a global batch, the
  /// largest divisor of a replica's share at or above half of it, so the global batch stays as
  /// asked (a Trainer steps micro × accumulation × replicas sequences: micro-batch 44 of a
  /// 64-sequence share rounds 512 up to 704; 32 keeps it).
  ///
  /// Without such a divisor, the largest,
  /// and the report says the global batch is rounded.
  package static func bestMicroBatch(_ s: TrainingSetup, largest: Int64) -> Int64 {
    guard let global = s.globalBatch, global % s.dataParallel == 0 else { return largest }
    let share = global / s.dataParallel
    guard let b = divisors(of: share, upTo: largest).last, b * 2 >= largest else { return largest }
    return b
  }

  /// The divisors of `n` up to `limit`, ascending (√n trial divisions).
  package static func divisors(of n: Int64, upTo limit: Int64) -> [Int64] {
    var low: [Int64] = [], high: [Int64] = []
    var d: Int64 = 1
    while d * d <= n {
      if n % d == 0 {
        if d <= limit { low.append(d) }
        if n / d != d && n / d <= limit { high.append(n / d) }
      }
      d += 1
    }
    return low + high.reversed()
  }

  /// The best micro-batch and tokens/s at it (nil when no micro-batch fits).
  package static func bestRate(_ s: TrainingSetup, largest: Int64?) -> (microBatch: Int64, tokensPerSecond: Double)? {
    guard let largest else { return nil }
    var t = s
    t.microBatch = bestMicroBatch(s, largest: largest)
    return (t.microBatch, ThroughputModel.estimate(t).tokensPerSecond)
  }

  package static func maxSequence(_ s: TrainingSetup) -> Int64? {
    largest(limit: SetupLimits.sequence) { q in
      var t = s; t.sequence = q; return fits(t)
    }
  }

  package static func maxRank(_ s: TrainingSetup) -> Int64? {
    guard s.optimizer.kind.isLowRank, !s.optimizer.kind.isMini else { return nil }
    let limit = ParameterInventory(s.model).smallestLowRankSide
    return largest(limit: limit) { r in
      var t = s; t.optimizer.rank = r; return fits(t)
    }
  }

  /// Fewest GPUs (up to 4096) at the setup's parallel mode; with `parallel: none`, one GPU as
  /// it is, and more GPUs with FSDP (the only way `none` can use them).
  package static func minGPUs(_ s: TrainingSetup) -> Int64? {
    func ok(_ n: Int64) -> Bool {
      var t = s
      t.gpus = n
      if n > 1 && t.parallel == .none { t.parallel = .fsdp }
      return fits(t)
    }
    if ok(1) { return 1 }
    // From two GPUs on, memory falls with every GPU added (sharded states, or fewer
    // accumulation steps), so "does not fit" is true then false: the answer is one past its
    // last true. HSDP shards over one node at most: beyond it memory stops falling.
    let limit: Int64 = s.parallel == .hsdp ? (s.gpusPerNode ?? s.gpu.gpusPerNode) : 4096
    guard let last = largest(limit: limit, { $0 == 1 || !ok($0) }), last < limit else { return nil }
    return last + 1
  }

  package static func plan(_ s: TrainingSetup, goals: [SolveGoal]) -> Plan? {
    guard !goals.isEmpty else { return nil }
    var p = Plan()
    for g in goals {
      switch g {
      case .maxMicroBatch:
        let answer = microBatchSearch(s)
        p.maxMicroBatch = answer.largest
        p.microBatchGap = answer.gap
      case .maxSequence: p.maxSequence = maxSequence(s)
      case .minGPUs: p.minGPUs = minGPUs(s)
      case .maxRank:
        p.maxRank = maxRank(s)
        p.rankNotApplicable = !s.optimizer.kind.isLowRank || s.optimizer.kind.isMini
      case .layout:
        let found = LayoutSearch.search(s, keep: 1)
        p.layout = found.layouts.first
        p.layoutsEvaluated = found.evaluated
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
  case layout

  /// Model evaluations one search costs, for the scenario's work budget.
  ///
  /// A bisection over up
  /// to 2^24 (two under a global batch): about 50. The layout search: about 26,000 — measured,
  /// 2,000 searches of a 70B layout took 66 s (33 ms each) where one evaluation takes about
  /// 1.7 µs (`trainmem bench`), and per-op recomputation since adds 28% more layouts (589 →
  /// 754 tried in the 3-D scenario).
  package var evaluations: Double { self == .layout ? 26_000 : 50 }
}
