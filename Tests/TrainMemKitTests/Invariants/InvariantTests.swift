import Foundation
import Testing

@testable import TrainMemKit

/// The invariants of docs/invariants.md, each a property checked over generated setups: 100,000
/// per run of the suite, on every core. A failure is shrunk to the fewest settings that still
/// break the invariant and printed as a scenario a person can run.
@Suite struct InvariantTests {
  static let setups = 100_000
  /// The planner's searches cost ~40 evaluations each: checked on every `plannerEvery`-th setup.
  static let plannerEvery = 40

  typealias Check = @Sendable (TrainingSetup) -> String?

  /// Every invariant: a name and a check returning what broke, or nil.
  static let invariants: [(String, Check)] = [
    ("every number finite and non-negative", finite),
    ("the terms at the peak add up to the peak", peakIsItsTerms),
    ("sharded states × shards = the replicated states", shardedStates),
    ("memory never decreases when micro-batch, sequence, layers, vocabulary or rank grow", memoryGrowsWithWork),
    ("per-GPU memory never increases with more GPUs sharing a sharded state", memoryFallsWithShards),
    ("time never increases with faster hardware or less work", timeFallsWithSpeed),
  ]

  static func evaluate(_ s: TrainingSetup) -> RunResult { RunResult.evaluate(label: "", setup: s) }
  static func valid(_ s: TrainingSetup) -> Bool { s.validationProblems().isEmpty }

  @Sendable static func finite(_ s: TrainingSetup) -> String? {
    evaluate(s).isSane ? nil : "a number is infinite, not a number or negative"
  }

  @Sendable static func peakIsItsTerms(_ s: TrainingSetup) -> String? {
    let m = MemoryModel.estimate(s)
    let sum =
      m.weights + m.weightCopies + m.states.total + m.gradientBuckets + m.gradientsHeld + m.activations + m.logits
      + m.transient
    guard sum == m.peak else { return "terms add up to \(sum), peak is \(m.peak)" }
    guard m.required == m.peak + m.fragmentation + m.context, m.fits == (m.required <= m.capacity) else {
      return "required or fits disagree with their definition"
    }
    return nil
  }

  @Sendable static func shardedStates(_ s: TrainingSetup) -> String? {
    guard s.parallel.shardsStates, s.gpus > 1 else { return nil }
    var replicated = s
    replicated.parallel = .ddp
    let n = s.dataParallel
    let shard = MemoryModel.estimate(s).states.total, whole = MemoryModel.estimate(replicated).states.total
    // Each of the four state kinds is divided with rounding down: at most n − 1 bytes each.
    return abs(shard * n - whole) <= 4 * n ? nil : "\(n) shards of \(shard) bytes vs \(whole) replicated"
  }

  /// The same setup with one thing changed, when it is still a valid setup.
  static func variant(_ s: TrainingSetup, _ edit: (inout TrainingSetup) -> Void) -> TrainingSetup? {
    var t = s
    edit(&t)
    return t != s && valid(t) ? t : nil
  }

  @Sendable static func memoryGrowsWithWork(_ s: TrainingSetup) -> String? {
    let base = MemoryModel.estimate(s).peak
    // Without a global batch: with one, accumulation (and the gradients it keeps) changes with
    // the micro-batch, and memory legitimately falls at the step to one micro-batch per step.
    var bigger: [(String, TrainingSetup?)] = [
      ("sequence", variant(s) { $0.sequence *= 2 }),
      ("layers", variant(s) { $0.model.layers += 1 }),
      ("vocab", variant(s) { $0.model.vocab += 1024 }),
      ("rank", rankMayGrow(s) ? variant(s) { $0.optimizer.rank = $0.rank * 2 } : nil),
    ]
    if s.globalBatch == nil { bigger.append(("micro_batch", variant(s) { $0.microBatch += 1 })) }
    for case (let what, let t?) in bigger {
      let peak = MemoryModel.estimate(t).peak
      if peak < base { return "more \(what): peak \(base) → \(peak)" }
    }
    return nil
  }

  /// Whether more rank must mean more memory: not for 8-bit optimizers whose projected moments
  /// are under bitsandbytes' `min_8bit_size` (4,096 elements), where states stay 32-bit until a
  /// larger rank makes them 8-bit — and smaller (OptimizerStates.min8bitSize).
  static func rankMayGrow(_ s: TrainingSetup) -> Bool {
    let kind = s.optimizer.kind
    guard kind.isLowRank, !kind.isMini else { return false }
    guard kind == .galore8bit else { return true }
    let inventory = ParameterInventory(s.model)
    return inventory.tensors.allSatisfy { $0.group != .lowRank || s.rank * $0.maxSide >= OptimizerStates.min8bitSize }
  }

  @Sendable static func memoryFallsWithShards(_ s: TrainingSetup) -> String? {
    guard s.parallel.shardsStates, let t = variant(s, { $0.gpus *= 2 }) else { return nil }
    let a = MemoryModel.estimate(s).peak, b = MemoryModel.estimate(t).peak
    return b <= a ? nil : "\(s.gpus) → \(t.gpus) GPUs: peak \(a) → \(b)"
  }

  @Sendable static func timeFallsWithSpeed(_ s: TrainingSetup) -> String? {
    let base = ThroughputModel.estimate(s).stepSeconds
    let faster: [(String, TrainingSetup?)] = [
      (
        "2× matmul rate",
        variant(s) {
          $0.gpu.bf16FLOPS *= 2; $0.gpu.fp16FLOPS *= 2; $0.gpu.fp32FLOPS *= 2
        }
      ),
      ("2× memory bandwidth", variant(s) { $0.gpu.bandwidth *= 2 }),
      ("2× link bandwidth", variant(s) { $0.gpu.linkBandwidth *= 2 }),
      ("2× SMs", variant(s) { $0.gpu.multiprocessors *= 2 }),
      ("one layer fewer", s.model.layers > 1 ? variant(s) { $0.model.layers -= 1 } : nil),
      ("half the sequence", s.sequence > 1 ? variant(s) { $0.sequence /= 2 } : nil),
    ]
    for case (let what, let t?) in faster {
      let seconds = ThroughputModel.estimate(t).stepSeconds
      if seconds > base * (1 + 1e-12) { return "\(what): step \(base) s → \(seconds) s" }
    }
    return nil
  }

  /// The first broken invariant of a generated case, if any (nil also for refused setups).
  static func broken(_ c: SetupGenerator.Case) -> (String, String)? {
    guard let s = c.setup(), valid(s) else { return nil }
    for (name, check) in invariants { if let why = check(s) { return (name, why) } }
    return nil
  }

  /// The case with every setting that does not matter to the failure removed.
  static func shrink(_ c: SetupGenerator.Case, _ invariant: String) -> SetupGenerator.Case {
    var current = c
    var changed = true
    while changed {
      changed = false
      for (key, _) in current.settings {
        let smaller = current.without(key)
        if broken(smaller)?.0 == invariant {
          current = smaller
          changed = true
          break
        }
      }
      if current.customGPU != nil {
        var smaller = current
        smaller.customGPU = nil
        if broken(smaller)?.0 == invariant { current = smaller; changed = true }
      }
    }
    return current
  }

  @Test("100,000 generated setups keep every invariant")
  func properties() {
    let workers = max(1, min(4, ProcessInfo.processInfo.activeProcessorCount))
    let log = FailureLog()
    DispatchQueue.concurrentPerform(iterations: workers) { w in
      var generator = SetupGenerator(random: CLIFuzzTests.Random(state: 0x1A7A_0000 + UInt64(w)))
      for _ in 0..<(Self.setups / workers) {
        let c = generator.next()
        guard let s = c.setup(), Self.valid(s) else { continue }
        log.succeeded()
        for (name, check) in Self.invariants {
          guard let why = check(s) else { continue }
          let small = Self.shrink(c, name)
          log.add("\(name): \(Self.broken(small)?.1 ?? why)\n--- shrunk to:\n\(small)")
          break
        }
      }
    }
    #expect(log.entries.isEmpty, "\(log.count) broken, first:\n\(log.entries.prefix(3).joined(separator: "\n\n"))")
    #expect(log.successes > Self.setups / 4, "only \(log.successes) generated setups were valid")
  }

  @Test("every declared setting has generated values (a new key joins the generator)")
  func generatorCoversSettings() {
    for s in Settings.all { #expect(SetupGenerator.values(for: s.key) != nil, "no generated values for '\(s.key)'") }
  }
}
