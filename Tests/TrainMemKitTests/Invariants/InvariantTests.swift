import Foundation
import Testing

@testable import TrainMemCLI
@testable import TrainMemCore
@testable import TrainMemIO

/// The invariants of docs/invariants.md, each a property checked over generated setups: 100,000
/// per run of the suite, on every core.
///
/// A failure is shrunk to the fewest settings that still
/// break the invariant and printed as a scenario a person can run.
@Suite struct InvariantTests {
  static let setups = TestScale.draws(100_000)
  /// The planner's searches cost ~40 evaluations each: checked on every `plannerEvery`-th setup.
  static let plannerEvery = 40

  typealias Check = @Sendable (TrainingSetup) -> String?

  /// Every invariant: a name and a check returning what broke, or nil.
  static let invariants: [(String, Check)] = [
    ("every number finite and non-negative", finite),
    ("the terms at the peak add up to the peak", peakIsItsTerms),
    ("sharded states, gradients and weights × shards = the replicated ones", shardedStates),
    (
      "memory never decreases when micro-batch, sequence, layers, hidden size, vocabulary or rank grow",
      memoryGrowsWithWork
    ),
    ("per-GPU memory never increases with more GPUs sharing a sharded state", memoryFallsWithShards),
    ("time never increases with faster hardware or less work", timeFallsWithSpeed),
    ("every term of the time ledger is finite and not negative, and they add up to the step", timeTermsFinite),
    ("MFU never exceeds 1 (under FP8, the FP8-to-bf16 ratio)", mfuAtMostOne),
    ("per-op recomputation never keeps more than no recomputation", perOpKeepsLess),
    ("more recomputation is never faster", recomputationCostsTime),
    ("a projected moment is never larger than AdamW's moments", projectedMomentsBounded),
    ("a pipeline freezes the model's first layers, and a tied head with the embedding", pipelineFreezing),
    ("each collective's exposed time is between none and all of it, and the shares add up", collectivesBounded),
  ]

  /// Each data-parallel collective exposes between none and all of its time, and the shares
  /// the ledger prints add up to the exposed total the step charges (per stage under a pipeline).
  @Sendable static func collectivesBounded(_ s: TrainingSetup) -> String? {
    guard let stage = s.stages.first else { return nil }
    let inv = ParameterInventory(stage.model)
    let microBatch = ThroughputModel.stepParts(stage, inv).microBatch
    let times = ThroughputModel.collectiveTimes(stage, inv, microBatch: microBatch)
    let accumulation = Double(stage.accumulation), reducing = ThroughputModel.reducingMicroBatches(stage)
    for c in times.collectives {
      let all = c.seconds * (c.perStep ? 1 : c.reducing ? reducing : accumulation)
      if !(c.exposed >= 0 && c.exposed <= all * (1 + 1e-9) + 1e-12) {
        return "\(c.name.description) exposes \(c.exposed) s of \(all) s"
      }
    }
    let shares = times.collectives.reduce(0) { $0 + $1.exposed }
    return abs(shares - times.total) <= 1e-9 * max(1, times.total) ? nil : "shares \(shares) s, total \(times.total) s"
  }

  @Sendable static func timeTermsFinite(_ s: TrainingSetup) -> String? {
    let terms = ThroughputModel.ledger(s, ParameterInventory(s.model))
    if let bad = terms.first(where: { !$0.seconds.isFinite || $0.seconds < 0 }) {
      return "time term '\(bad.name)' is \(bad.seconds) s"
    }
    let total = terms.map(\.seconds).reduce(0, +), step = ThroughputModel.estimate(s).stepSeconds
    return abs(total / step - 1) < 1e-9 ? nil : "time terms add up to \(total) s, the step is \(step) s"
  }

  /// MFU is against the dense bf16 (fp32: TF32) peak, as torchtitan and Megatron report it;
  /// FP8 linears run at their own rate, so under FP8 the bound is the FP8-to-bf16 ratio.
  @Sendable static func mfuAtMostOne(_ s: TrainingSetup) -> String? {
    let mfu = ThroughputModel.estimate(s).mfu
    let bound = s.fp8 == nil ? 1 : max(1, s.gpu.fp8FLOPS / Roofline(s).peak)
    return mfu <= bound * (1 + 1e-12) ? nil : "MFU \(mfu) above \(bound)"
  }

  @Sendable static func perOpKeepsLess(_ s: TrainingSetup) -> String? {
    guard s.checkpointing == .none, let op = variant(s, { $0.checkpointing = .op }) else { return nil }
    let none = MemoryModel.estimate(s), withOp = MemoryModel.estimate(op)
    return withOp.activations <= none.activations
      ? nil : "activations: none \(none.activations), op \(withOp.activations)"
  }

  /// none ≤ selective ≤ full and none ≤ op ≤ full, and one more recomputed layer is never
  /// faster — except where the memory it frees buys time: activations offloaded (fewer copies
  /// to the host) or a paged optimizer (more of its states stay on the GPU).
  @Sendable static func recomputationCostsTime(_ s: TrainingSetup) -> String? {
    guard !s.offload.activations, !s.optimizer.paged else { return nil }
    func time(_ c: Checkpointing) -> Double? {
      variant(
        s,
        {
          $0.checkpointing = c; $0.checkpointedLayers = nil
        }
      ).map { ThroughputModel.estimate($0).stepSeconds }
        ?? (s.checkpointing == c && s.checkpointedLayers == nil ? ThroughputModel.estimate(s).stepSeconds : nil)
    }
    let tolerance = 1e-12
    for (less, more) in [
      (Checkpointing.none, Checkpointing.selective), (.selective, .full), (.none, .op), (.op, .full),
    ] {
      if let a = time(less), let b = time(more), b < a * (1 - tolerance) {
        return "\(less.rawValue) \(a) s, \(more.rawValue) \(b) s"
      }
    }
    if s.checkpointing == .full, let n = s.checkpointedLayers, n < s.model.layers,
      let t = variant(s, { $0.checkpointedLayers = n + 1 })
    {
      let a = ThroughputModel.estimate(s).stepSeconds, b = ThroughputModel.estimate(t).stepSeconds
      if b < a * (1 - tolerance) { return "\(n) recomputed layers \(a) s, \(n + 1) \(b) s" }
    }
    return nil
  }

  /// For the optimizers whose projected moments are in the parameter's dtype, as AdamW's are
  /// (8-bit GaLore and Q-APOLLO store theirs in 8 and 32 bits).
  @Sendable static func projectedMomentsBounded(_ s: TrainingSetup) -> String? {
    guard [.galore, .apollo, .apolloMini].contains(s.optimizer.kind), s.lora == nil,
      let adam = variant(s, { $0.optimizer = OptimizerConfig(kind: .adamw) })
    else { return nil }
    let lowRank = MemoryModel.estimate(s).states, full = MemoryModel.estimate(adam).states
    return lowRank.lowRankMoments <= full.regularMoments
      ? nil : "projected moments \(lowRank.lowRankMoments) > AdamW's \(full.regularMoments)"
  }

  @Sendable static func pipelineFreezing(_ s: TrainingSetup) -> String? {
    guard s.modelParallel.pipeline > 1, s.lora == nil, let last = s.stages.last else { return nil }
    let before = s.model.layers - last.model.layers
    if s.freeze.layers <= before, !s.freeze.embeddings,
      let unfrozen = variant(s, { $0.freeze = Freeze() })?.stages.last
    {
      let a = MemoryModel.estimate(last).peak, b = MemoryModel.estimate(unfrozen).peak
      if a != b { return "freezing \(s.freeze.layers) of the first stage's layers moved the last stage: \(b) → \(a)" }
    }
    if s.freeze.embeddings && s.model.tiedEmbeddings {
      let trained = ParameterInventory(last.model).trainable(last)
      if trained.tensors.contains(where: { $0.role == .lmHead }) { return "the tied head's copy trains" }
    }
    return nil
  }

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
    // Tensor and pipeline parallelism hold another model on each GPU; context parallelism only
    // widens the shard group (data × context ranks).
    guard s.modelParallel.tensor == 1 && s.modelParallel.pipeline == 1 else { return nil }
    // AdaLomo allocates its moments on the full shape on every rank (`p.ds_shape`).
    guard s.optimizer.kind.family.shardsStatesWithZeRO else { return nil }
    // Expert parallelism across shard groups (HSDP's replicas) divides experts beyond the group.
    guard s.shardDegree % s.expertParallel == 0 else { return nil }
    // The same framework and precision policy on one GPU: one shard holds everything.
    var replicated = s
    replicated.gpus = 1
    replicated.expertParallel = 1
    replicated.modelParallel = ModelParallel()
    let n = s.shardDegree
    let sharded = MemoryModel.estimate(s), whole = MemoryModel.estimate(replicated)
    // Each of the five state kinds is divided with rounding down: at most n − 1 bytes each.
    if abs(sharded.states.total * n - whole.states.total) > 5 * n {
      return "\(n) shards of \(sharded.states.total) state bytes vs \(whole.states.total) replicated"
    }
    if s.parallel.shardsGradients && abs(sharded.gradients * n - whole.gradients) >= n {
      return "\(n) shards of \(sharded.gradients) gradient bytes vs \(whole.gradients) replicated"
    }
    if s.parallel.shardsWeights && abs(sharded.weights * n - whole.weights) >= n {
      return "\(n) shards of \(sharded.weights) weight bytes vs \(whole.weights) replicated"
    }
    return nil
  }

  /// Every layer alike: dense, or all mixture-of-experts.
  static func uniformLayers(_ m: ModelConfig) -> Bool { m.moeLayers == 0 || m.moeLayers == m.layers }

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
      // Under a pipeline, a model whose MoE layers are a subset moves them between stages as
      // layers are added (which layer is which depends on position): left out.
      (
        "layers", s.modelParallel.pipeline > 1 && s.model.moe?.layers != nil ? nil : variant(s) { $0.model.layers += 1 }
      ),
      // Liger's fused loss rounds its logits chunk to a power of two of ⌈tokens / ⌈V/h⌉⌉ rows,
      // so a larger vocabulary can halve the chunk: the library's own behaviour, left out.
      ("vocab", s.loss == .fused ? nil : variant(s) { $0.model.vocab += 1024 }),
      // A step of the FP8 recipe's alignment keeps a converted model converted (a linear that
      // loses its alignment stays bf16 and sheds Transformer Engine's FP8 weight cache).
      // A paged optimizer moves the moments of tensors above bitsandbytes' paging size out of
      // the allocator, so a wider model can hold less on the GPU: the library's own behaviour.
      (
        "hidden",
        s.optimizer.paged ? nil : variant(s) { $0.model.hidden += max(8, s.fp8?.alignment ?? 8) * $0.model.heads }
      ),
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
      ("2× network ports", variant(s) { $0.nicsPerNode = 2 * ($0.nicsPerNode ?? $0.gpu.nics) }),
      ("2× network port rate", variant(s) { $0.nicBandwidth = 2 * ($0.nicBandwidth ?? $0.gpu.nicBandwidth) }),
      // The same rate over twice the SMs: each SM half as fast. The tile curve gets faster; cuBLAS's
      // waves (Megatron runs) may not — a tile runs on one SM — so only under the curve.
      ("2× SMs", s.megatron ? nil : variant(s) { $0.gpu.multiprocessors *= 2 }),
      (
        "2× SMs at the same rate per SM",
        variant(s) {
          $0.gpu.multiprocessors *= 2; $0.gpu.bf16FLOPS *= 2; $0.gpu.fp16FLOPS *= 2; $0.gpu.fp32FLOPS *= 2
          $0.gpu.fp8FLOPS *= 2
        }
      ),
      // A model mixing dense and MoE layers changes its mix when a layer goes, and the layers
      // `checkpointed_layers` recomputes are an average of that mix: only uniform models here.
      ("one layer fewer", s.model.layers > 1 && uniformLayers(s.model) ? variant(s) { $0.model.layers -= 1 } : nil),
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

  @Test("generated setups (100,000 in CI) keep every invariant")
  func properties() {
    let workers = max(1, min(4, ProcessInfo.processInfo.activeProcessorCount))
    let log = FailureLog()
    DispatchQueue.concurrentPerform(iterations: workers) { w in
      var generator = SetupGenerator(random: SplitMix(seed: 0x1A7A_0000 + UInt64(w)))
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

  /// The planner agrees with the models: the largest micro-batch fits and the next does not (up
  /// to a replica's share of the global batch), the values in its reported gap do not fit and
  /// those below it do; the fewest GPUs fit and one fewer does not.
  @Sendable static func plannerAgrees(_ s: TrainingSetup) -> String? {
    func fits(_ edit: (inout TrainingSetup) -> Void) -> Bool {
      var t = s
      edit(&t)
      return Planner.fits(t)
    }
    let answer = Planner.microBatchSearch(s)
    if let b = answer.largest {
      let cap = s.globalBatch.map { max(1, ($0 + s.dataParallel - 1) / s.dataParallel) } ?? (1 << 20)
      guard fits({ $0.microBatch = b }) else { return "largest micro-batch \(b) does not fit" }
      if b < cap && fits({ $0.microBatch = b + 1 }) { return "micro-batch \(b + 1) fits too" }
      if let gap = answer.gap {
        for probe in [gap.lowerBound, gap.upperBound] where fits({ $0.microBatch = probe }) {
          return "micro-batch \(probe), in the reported gap, fits"
        }
        if gap.lowerBound > 1 && !fits({ $0.microBatch = gap.lowerBound - 1 }) {
          return "micro-batch \(gap.lowerBound - 1), below the gap, does not fit"
        }
      } else if b > 1 && !fits({ $0.microBatch = b - 1 }) {
        return "micro-batch \(b - 1) does not fit and no gap is reported"
      }
    } else if fits({ $0.microBatch = 1 }) {
      return "micro-batch 1 fits but no largest micro-batch was found"
    }
    if let n = Planner.minGPUs(s) {
      func fitsOn(_ g: Int64) -> Bool {
        fits {
          $0.gpus = g
          if g > 1 && $0.parallel == .none { $0.parallel = .fsdp }
        }
      }
      if !fitsOn(n) { return "fewest GPUs \(n) does not fit" }
      if n > 1 && fitsOn(n - 1) { return "\(n - 1) GPUs fit too" }
    }
    return nil
  }

  @Test("the planner agrees with the models on generated setups, with and without accumulation")
  func plannerProperties() {
    let log = FailureLog()
    let workers = max(1, min(4, ProcessInfo.processInfo.activeProcessorCount))
    DispatchQueue.concurrentPerform(iterations: workers) { w in
      var generator = SetupGenerator(random: SplitMix(seed: 0x9A4E_0000 + UInt64(w)))
      for _ in 0..<(Self.setups / Self.plannerEvery / workers) {
        let c = generator.next()
        guard let s = c.setup(), Self.valid(s) else { continue }
        log.succeeded()
        if let why = Self.plannerAgrees(s) { log.add("\(why)\n--- setup:\n\(c)") }
      }
    }
    #expect(log.entries.isEmpty, "\(log.count) broken, first:\n\(log.entries.prefix(3).joined(separator: "\n\n"))")
    #expect(log.successes > Self.setups / Self.plannerEvery / 4)
  }

  @Test("issue #18: min_gpus is 1 for a run that fits on its one GPU (no FSDP at one GPU)")
  func minGPUsAtOne() throws {
    let sc = try ScenarioLoader.load(file: "x", text: "model: llama-1b\ngpu: h200\noptimizer: adamw\nsolve: min_gpus\n")
    let s = try #require(sc.runs.first).setup
    #expect(MemoryModel.estimate(s).fits)
    #expect(Planner.minGPUs(s) == 1)
  }

  @Test(
    "issue #18: with a global batch the largest micro-batch is found past micro-batches that accumulate and do not fit")
  func microBatchWithAccumulation() throws {
    // LLaMA-7B APOLLO on 8 × A100 with a 512-sequence global batch: 64 sequences per GPU run
    // as one micro-batch per step without held gradients, which smaller micro-batches need.
    var found = false
    for memory in stride(from: 30, through: 80, by: 2) {
      let text =
        "model: llama-7b\ngpu:\n  memory: \(memory)GiB\n  bf16_tflops: 312\n  bandwidth: 2TB/s\ngpus: 8\nparallel: ddp\noptimizer: apollo-mini\nglobal_batch: 64\n"
      let s = try #require(try ScenarioLoader.load(file: "x", text: text).runs.first).setup
      let answer = Planner.microBatchSearch(s)
      #expect(Self.plannerAgrees(s) == nil, "\(memory) GiB")
      if answer.gap != nil { found = true }
    }
    #expect(found, "no memory size gives a gap; the test no longer exercises accumulation")
  }

  @Test("the same generated setup through a scenario, flags and a seeds condition is the same setup")
  func threeWaysIn() throws {
    var generator = SetupGenerator(random: SplitMix(seed: 0x3_0000))
    var compared = 0
    for _ in 0..<4000 {
      let c = generator.next()
      guard c.customModel == nil, c.customGPU == nil, let fromFile = c.setup() else { continue }
      let flags = c.settings.map { "--" + $0.key.replacingOccurrences(of: "_", with: "-") + "=" + $0.value }
      let options = try ParsedOptions(flags, command: "estimate", specs: OptionSpec.settings)
      let fromFlags = try? CommandLineSetup.setup(options)
      let conditions = c.settings.map { "\($0.key)=\($0.value)" }.joined(separator: ";")
      let row = "f\tt\tfits\t1\tbool\t0\tcheck\t\t\(conditions)\t"
      let fromSeeds = try? SeedsReader.parse(
        SeedsReader.columns.joined(separator: "\t") + "\n" + row + "\n", file: "s.tsv")
      #expect(fromFlags == fromFile, "flags: \(flags)")
      #expect(fromSeeds?.first?.setup == fromFile, "seeds: \(conditions)")
      compared += 1
    }
    #expect(compared > 800, "only \(compared) setups were compared")
  }

  @Test(
    "every default is valid: each preset × optimizer × GPU with only defaults is accepted, or refused about a value given"
  )
  func defaultsAreValid() {
    var accepted = 0
    for model in ModelConfig.presets {
      for optimizer in OptimizerKind.allCases {
        for gpu in GPUSpec.catalog {
          let given = [("model", model.id), ("gpu", gpu.id), ("optimizer", optimizer.rawValue)]
          let flat = given.map { (key: $0.0, value: $0.1, location: SourceLocation.commandLine("--" + $0.0)) }
          switch ScenarioLoader.setup(flat: flat, origin: .commandLine("--model")) {
          case .success: accepted += 1
          case .failure(let e):
            for error in e.errors {
              #expect(
                ["--gpu", "--model", "--optimizer"].contains(error.location.flag ?? ""), "\(given): \(error.message)")
            }
          }
        }
      }
    }
    // Only the V100 and the T4 (no bf16) are refused with the default pure-bf16 precision.
    let bf16Cards = GPUSpec.catalog.filter { $0.bf16FLOPS > 0 }.count
    #expect(bf16Cards == GPUSpec.catalog.count - 2)
    #expect(accepted == ModelConfig.presets.count * OptimizerKind.allCases.count * bf16Cards)
  }

  @Test("issue #18: GaLore's default rank fits grouped-query attention (llama3-70b, llama2-70b, 8-bit too)")
  func defaultRankUnderGQA() {
    for model in ["llama3-70b", "llama2-70b"] {
      for optimizer in ["galore", "galore-8bit"] {
        let r = cli(["estimate", "--model", model, "--optimizer", optimizer])
        #expect(r.status == 0 && r.out.contains("rank 1024"), "\(model) \(optimizer): \(r.err)")
      }
    }
  }

  @Test("every declared setting has sample values, each one its syntax accepts (a new key joins the generator)")
  func generatorCoversSettings() {
    let location = SourceLocation(file: "samples", line: 1, column: 1)
    for s in Settings.all {
      #expect(!s.samples.isEmpty, "no sample values for '\(s.flatKey)'")
      for value in s.samples {
        if case .failure(let e) = ScenarioLoader.edit(s, value, at: location) {
          Issue.record("sample '\(value)' of '\(s.flatKey)' is refused: \(e.message)")
        }
      }
    }
  }
}
