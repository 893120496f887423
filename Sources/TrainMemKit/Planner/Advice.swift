// What `fit` answers, as values: whether a setup fits with its largest micro-batch and
// sequence, the single changes that make a setup fit, and every catalog GPU ranked. The CLI
// only prints these.

/// A setup's fit: its estimates and the planner's largest micro-batch and sequence.
struct FitAnswer: Sendable {
  var setup: TrainingSetup
  var memory: MemoryEstimate
  var throughput: ThroughputEstimate
  /// Largest micro-batch that fits, and tokens/s at it.
  var maxMicroBatch: Int64?
  /// Smaller micro-batches that do not fit although `maxMicroBatch` does (accumulation).
  var microBatchGap: ClosedRange<Int64>?
  var tokensPerSecondAtMax: Double?
  var maxSequence: Int64?
  /// When it does not fit: changes that make it fit, highest throughput first.
  var changes: [Advice]

  init(_ s: TrainingSetup) {
    setup = s
    memory = MemoryModel.estimate(s)
    throughput = ThroughputModel.estimate(s)
    changes = []
    if memory.fits && !memory.narrow {
      let search = Planner.microBatchSearch(s)
      maxMicroBatch = search.largest
      microBatchGap = search.gap
      if let b = maxMicroBatch {
        var big = s
        big.microBatch = b
        tokensPerSecondAtMax = ThroughputModel.estimate(big).tokensPerSecond
      }
      maxSequence = Planner.maxSequence(s)
    } else {
      changes = Advice.changes(s)
    }
  }
}

/// One change that makes a setup fit.
struct Advice: Sendable {
  var change: String
  var setup: TrainingSetup
  var memory: MemoryEstimate
  var tokensPerSecond: Double
  var maxMicroBatch: Int64?
  /// The longest sequence the change allows at the run's micro-batch ("what context fits on my
  /// card" with this lever pulled).
  var maxSequence: Int64?
  /// Tokens/s at the change's own largest micro-batch: what the change is worth once the batch
  /// grows into the memory it frees (a change that allows micro-batch 21 is not judged at 1).
  var tokensPerSecondAtMax: Double

  /// Candidate single changes, in order of increasing memory saving, then combined ones; those
  /// that are valid and fit, sorted by throughput at their largest micro-batch (highest first).
  static func changes(_ s: TrainingSetup) -> [Advice] {
    var out: [Advice] = []
    for (name, t) in candidates(s) where t.validationProblems().isEmpty {
      let m = MemoryModel.estimate(t)
      guard m.fits && !m.narrow else { continue }
      let tps = ThroughputModel.estimate(t).tokensPerSecond
      let largest = Planner.maxMicroBatch(t)
      var atMax = tps
      if let b = largest, b > t.microBatch {
        var big = t
        big.microBatch = b
        atMax = max(tps, ThroughputModel.estimate(big).tokensPerSecond)
      }
      out.append(
        Advice(
          change: name, setup: t, memory: m, tokensPerSecond: tps, maxMicroBatch: largest,
          maxSequence: Planner.maxSequence(t), tokensPerSecondAtMax: atMax))
    }
    return out.sorted {
      $0.tokensPerSecondAtMax != $1.tokensPerSecondAtMax
        ? $0.tokensPerSecondAtMax > $1.tokensPerSecondAtMax : $0.change < $1.change
    }
  }

  private static func candidates(_ s: TrainingSetup) -> [(String, TrainingSetup)] {
    var c: [(String, TrainingSetup)] = []
    func add(_ name: String, _ edit: (inout TrainingSetup) -> Void) {
      var t = s
      edit(&t)
      if t != s { c.append((name, t)) }
    }
    let ladder: [OptimizerKind] = [
      .adamw8bit, .adamw4bit, .adafactor, .galore, .galore8bit, .apollo, .apolloMini, .qApolloMini,
    ]
    for k in ladder where k != s.optimizer.kind {
      add("optimizer \(k.rawValue)") { $0.optimizer = OptimizerConfig(kind: k) }
      add("optimizer \(k.rawValue), layer-wise") { $0.optimizer = OptimizerConfig(kind: k, layerwise: true) }
    }
    if s.optimizer.kind.isLowRank && !s.optimizer.kind.isMini {
      add("rank \(max(1, s.rank / 2))") { $0.optimizer.rank = max(1, s.rank / 2) }
    }
    add("full recomputation") { $0.checkpointing = .full }
    // Fine-tuning levers (issue #15): adapters on a frozen base, a 4-bit base, and a loss that
    // never holds the fp32 logits.
    if s.lora == nil {
      let adapters = LoRAConfig(rank: 16, alpha: 16, targets: .allLinear)
      func lora(_ t: inout TrainingSetup) {
        t.lora = adapters
        t.optimizer = OptimizerConfig(kind: .adamw)
        t.freeze = Freeze()
        if t.weights == .int8 { t.weights = .bf16 }
      }
      add("LoRA r16 on every linear") { lora(&$0) }
      add("QLoRA r16 on every linear (NF4 base)") {
        lora(&$0)
        $0.weights = .nf4
      }
      add("QLoRA r16, full recomputation, fused loss") {
        lora(&$0)
        $0.weights = .nf4
        $0.checkpointing = .full
        $0.loss = .fused
      }
    }
    if s.lora == nil && !s.optimizer.paged {
      add("paged 8-bit AdamW (bitsandbytes)") {
        $0.optimizer = OptimizerConfig(kind: .adamw8bit)
        $0.optimizer.paged = true
        if $0.weights == .int8 { $0.weights = .bf16 }
      }
    }
    if !s.offload.optimizer && !s.optimizer.layerwise && !s.optimizer.paged {
      var t = s
      t.offload.optimizer = true
      let host = MemoryModel.estimate(t).host
      add("optimizer on the CPU (\(Bytes(host)) of host memory per GPU)") { $0.offload.optimizer = true }
    }
    if s.loss != .fused { add("fused cross-entropy (Liger)") { $0.loss = .fused } }
    if s.loss == .full { add("chunked cross-entropy (torchtune)") { $0.loss = .chunked } }
    if s.attention == .eager { add("selective recomputation") { $0.checkpointing = .selective } }
    add("layer-wise updates") { $0.optimizer.layerwise = true }
    add("int8 weights") { $0.weights = .int8 }
    add("8-bit GaLore, layer-wise, full recomputation") {
      $0.optimizer = OptimizerConfig(kind: .galore8bit, layerwise: true)
      $0.checkpointing = .full
    }
    add("Q-APOLLO-Mini, layer-wise, full recomputation") {
      $0.optimizer = OptimizerConfig(kind: .qApolloMini, layerwise: true)
      $0.checkpointing = .full
    }
    if s.gpus > 1 {
      for p in [Parallelism.zero1, .zero2, .zero3, .fsdp] where p != s.parallel {
        add("\(p.rawValue) over \(s.gpus) GPUs") { $0.parallel = p }
      }
      if s.gpus > s.nodeSize && s.gpus % s.nodeSize == 0 && s.parallel != .hsdp {
        add("hsdp over \(s.gpus) GPUs") { $0.parallel = .hsdp }
      }
    }
    var fsdp = s
    if fsdp.parallel == .none { fsdp.parallel = .fsdp }
    if let n = Planner.minGPUs(fsdp), n > s.gpus {
      add("\(n) GPUs with \(fsdp.parallel.rawValue)") {
        $0.gpus = n
        $0.parallel = fsdp.parallel
      }
    }
    return c
  }
}

/// One catalog GPU for a setup: fits at its micro-batch, the largest micro-batch, tokens/s and
/// the cost of a billion tokens there.
struct GPURanking: Sendable {
  var gpu: GPUSpec
  /// "v100 (fp16 mixed)" when the precision was changed for a card without bf16.
  var name: String
  /// Why the setup cannot run on this GPU at all.
  var problem: String?
  var memory: MemoryEstimate?
  var maxMicroBatch: Int64?
  var tokensPerSecond: Double
  var costPerBillionTokens: Double?

  /// Every catalog GPU, fastest (at its largest micro-batch) first.
  static func rank(_ s: TrainingSetup) -> [GPURanking] {
    var rows: [GPURanking] = []
    for g in GPUSpec.catalog {
      var t = s
      t.gpu = g
      var name = g.id
      // A card without bf16 (V100) trains in fp16 mixed precision instead.
      if g.bf16FLOPS == 0 && t.precision == .bf16 {
        t.precision = .mixed
        name += " (fp16 mixed)"
      }
      if let problem = t.validationProblems().first {
        rows.append(GPURanking(gpu: g, name: name, problem: problem.message, tokensPerSecond: -1))
        continue
      }
      let mb = Planner.maxMicroBatch(t)
      var tps = 0.0
      if let mb {
        var big = t
        big.microBatch = mb
        tps = ThroughputModel.estimate(big).tokensPerSecond
      }
      let cost = (s.prices[g.id] ?? s.price).flatMap { price in
        tps > 0 ? price * Double(s.gpus) / tps * 1e9 / 3600 : nil
      }
      rows.append(
        GPURanking(
          gpu: g, name: name, memory: MemoryModel.estimate(t), maxMicroBatch: mb, tokensPerSecond: tps,
          costPerBillionTokens: cost))
    }
    // Stable: equal throughputs keep the catalog's order.
    return rows.enumerated().sorted {
      $0.element.tokensPerSecond != $1.element.tokensPerSecond
        ? $0.element.tokensPerSecond > $1.element.tokensPerSecond : $0.offset < $1.offset
    }.map(\.element)
  }
}

/// A misaligned intermediate size and what padding it would gain (issue #17): the MLP matmuls
/// of a model whose intermediate size is not a multiple of 16 bytes run at a fraction of the
/// aligned rate (`GPUArchitecture.misalignedMatmulEfficiency`); padded to a multiple of 64
/// elements (NVIDIA's matmul guide: tensor-core tiles) they run at full rate, for a few more
/// parameters.
struct PaddingAdvice: Sendable, Equatable {
  var intermediate: Int64
  var padded: Int64
  var stepSeconds: Double
  var paddedStepSeconds: Double
  var extraParameters: Int64

  static let multiple: Int64 = 64

  static func advice(_ s: TrainingSetup) -> PaddingAdvice? {
    let e = Double(s.precision.activationBytes)
    guard !Roofline.aligned(Double(s.model.intermediate), e) else { return nil }
    var padded = s
    padded.model.intermediate = (s.model.intermediate + multiple - 1) / multiple * multiple
    guard padded.validationProblems().isEmpty else { return nil }
    let before = ParameterInventory(s.model).parameters, after = ParameterInventory(padded.model).parameters
    return PaddingAdvice(
      intermediate: s.model.intermediate, padded: padded.model.intermediate,
      stepSeconds: ThroughputModel.estimate(s).stepSeconds,
      paddedStepSeconds: ThroughputModel.estimate(padded).stepSeconds,
      extraParameters: after - before)
  }

  /// "intermediate 5,461 is not a multiple of 16 bytes …", for reports.
  var sentence: String {
    let gain = NumberFormatting.percent(paddedStepSeconds / stepSeconds - 1)
    let start =
      "The intermediate size \(NumberFormatting.grouped(Double(intermediate))) is not a multiple of 16 bytes, so the MLP "
    guard paddedStepSeconds < stepSeconds * 0.98 else {
      return start + "matmuls run on slower kernels; at this batch the step is bound elsewhere (host dispatch or "
        + "memory traffic), so padding it to \(NumberFormatting.grouped(Double(padded))) would gain nothing (\(gain))."
    }
    return start
      + "matmuls run on slower kernels; padded to \(NumberFormatting.grouped(Double(padded))) (a multiple of 64) the step "
      + "would take \(NumberFormatting.fixed(paddedStepSeconds, 3)) s instead of \(NumberFormatting.fixed(stepSeconds, 3)) s "
      + "(\(gain)) for \(NumberFormatting.grouped(Double(extraParameters))) more parameters."
  }
}
