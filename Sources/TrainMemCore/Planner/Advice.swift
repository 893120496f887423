// What `fit` answers, as values: whether a setup fits with its largest micro-batch and
// sequence, the single changes that make a setup fit, and every catalog GPU ranked. The CLI
// only prints these.

/// What the planner ranks alternatives and GPUs by (`fit --rank-by`): the user picks.
package enum PlanRanking: String, CaseIterable, Sendable {
  /// Cheapest to train first: dollars at the run's GPU price, GPU-hours without one.
  case cost
  /// Shortest time to train first (highest total tokens/s).
  case time
}

/// Hours and money to train the setup's `tokens` (one billion when it names none) at a rate.
package struct TrainingBill: Sendable, Equatable {
  package var tokens: Double
  package var hours: Double
  package var gpuHours: Double
  /// nil without a price for the setup's GPU.
  package var dollars: Double?

  /// nil when the rate is zero (nothing trains).
  package init?(_ s: TrainingSetup, tokensPerSecond: Double) {
    guard tokensPerSecond > 0 else { return nil }
    tokens = s.tokens ?? 1e9
    hours = tokens / tokensPerSecond / 3600
    gpuHours = hours * Double(s.gpus)
    dollars = s.gpuPrice.map { gpuHours * $0 }
  }

  /// What `rank` compares: dollars (GPU-hours without a price) or hours.
  package func key(_ rank: PlanRanking) -> Double { rank == .time ? hours : (dollars ?? gpuHours) }

  /// Better than `other` by more than 1% on time or on cost: worth offering as an alternative.
  package func improves(on other: TrainingBill) -> Bool {
    hours < other.hours * 0.99 || key(.cost) < other.key(.cost) * 0.99
  }
}

/// A setup's fit: its estimates and the planner's largest micro-batch and sequence, and the
/// alternatives: changes that make it fit, or — when it fits — cheaper or faster setups.
package struct FitAnswer: Sendable {
  package var setup: TrainingSetup
  /// The defaults the question did not set (filled by the caller, who knows what was given).
  package var assumptions: [Assumption] = []
  package var memory: MemoryEstimate
  package var throughput: ThroughputEstimate
  /// Largest micro-batch that fits.
  package var maxMicroBatch: Int64?
  /// Largest micro-batch that still fits if memory comes out at the top of the error band
  /// (`required` × (1 + band) ≤ capacity): the one recommended, with `maxMicroBatch` beside it.
  package var maxMicroBatchInsideBand: Int64?
  /// The micro-batch the run is best trained at (`Planner.bestMicroBatch`; the run's own when
  /// no larger one is faster), and tokens/s there.
  package var bestMicroBatch: Int64
  package var tokensPerSecondAtMax: Double?
  /// Smaller micro-batches that do not fit although `maxMicroBatch` does (accumulation).
  package var microBatchGap: ClosedRange<Int64>?
  /// Time and cost to train at the largest micro-batch (at the run's own when it does not fit).
  package var bill: TrainingBill?
  package var maxSequence: Int64?
  package var rankBy: PlanRanking
  /// Changes that make it fit, or when it fits those that train cheaper or faster; ranked by
  /// `rankBy`, each at its own largest micro-batch.
  package var changes: [Advice]
  /// On several GPUs: the fastest layouts that fit (`LayoutSearch`), and how many were tried.
  package var layouts: [Layout] = []
  package var layoutsEvaluated = 0
  /// What the layout search covered, in words (`LayoutSearch.covered`); empty without one.
  package var layoutsCovered = ""
  /// What padding the matmul shapes would gain, when it would (`PaddingAdvice`).
  package var padding: PaddingAdvice?
  /// How far to trust the estimate: the `validate` figures that cover the setup.
  package var band: ErrorBand

  package var fitsWithMargin: Bool { memory.fits && !memory.narrow }

  package init(_ s: TrainingSetup, rankBy: PlanRanking = .cost) {
    setup = s
    self.rankBy = rankBy
    bestMicroBatch = s.microBatch
    if s.gpus > 1 {
      (layouts, layoutsEvaluated) = LayoutSearch.search(s)
      layoutsCovered = LayoutSearch.covered(s)
    }
    memory = MemoryModel.estimate(s)
    throughput = ThroughputModel.estimate(s)
    padding = PaddingAdvice.advice(s)
    band = ErrorBand(s)
    guard memory.fits && !memory.narrow else {
      bill = TrainingBill(s, tokensPerSecond: throughput.tokensPerSecond)
      changes = Advice.changes(s, improving: nil, rankBy: rankBy)
      return
    }
    let search = Planner.microBatchSearch(s)
    maxMicroBatch = search.largest
    microBatchGap = search.gap
    // A margin of band / (1 + band) of capacity keeps room for the band: required · (1 + band)
    // ≤ capacity.
    var banded = s
    banded.margin = max(s.margin, band.memory / (1 + band.memory))
    maxMicroBatchInsideBand = Planner.microBatchSearch(banded).largest
    var best = throughput.tokensPerSecond
    if let rate = Planner.bestRate(s, largest: maxMicroBatchInsideBand), rate.tokensPerSecond > best {
      best = rate.tokensPerSecond
      bestMicroBatch = rate.microBatch
    }
    tokensPerSecondAtMax = best
    maxSequence = Planner.maxSequence(s)
    bill = TrainingBill(s, tokensPerSecond: best)
    changes = Advice.changes(s, improving: bill, rankBy: rankBy)
  }
}

/// One alternative setup: a change that makes a setup fit, or one that trains it cheaper or
/// faster.
package struct Advice: Sendable {
  package var change: String
  package var setup: TrainingSetup
  package var memory: MemoryEstimate
  package var tokensPerSecond: Double
  package var maxMicroBatch: Int64?
  /// The micro-batch it is judged at (`Planner.bestMicroBatch`).
  package var bestMicroBatch: Int64
  /// The longest sequence the change allows at the run's micro-batch ("what context fits on my
  /// card" with this lever pulled).
  package var maxSequence: Int64?
  /// Tokens/s at the change's own largest micro-batch: what the change is worth once the batch
  /// grows into the memory it frees (a change that allows micro-batch 21 is not judged at 1).
  package var tokensPerSecondAtMax: Double
  /// Time and cost to train at that micro-batch.
  package var bill: TrainingBill

  /// Candidate changes that are valid (no framework refuses them) and fit with the margin,
  /// ranked by `rankBy` at their own largest micro-batch.
  ///
  /// With `improving` (the run fits), only
  /// those that train cheaper or faster than it.
  package static func changes(
    _ s: TrainingSetup, improving baseline: TrainingBill? = nil, rankBy: PlanRanking = .cost
  ) -> [Advice] {
    var out: [Advice] = []
    for (name, t) in candidates(s, fits: baseline != nil) where t.validationProblems().isEmpty {
      let m = MemoryModel.estimate(t)
      guard m.fits && !m.narrow else { continue }
      let tps = ThroughputModel.estimate(t).tokensPerSecond
      let largest = Planner.maxMicroBatch(t)
      var atMax = tps
      var best = t.microBatch
      if let rate = Planner.bestRate(t, largest: largest), rate.tokensPerSecond > tps {
        atMax = rate.tokensPerSecond
        best = rate.microBatch
      }
      guard let bill = TrainingBill(t, tokensPerSecond: atMax) else { continue }
      if let baseline, !bill.improves(on: baseline) { continue }
      out.append(
        Advice(
          change: name, setup: t, memory: m, tokensPerSecond: tps, maxMicroBatch: largest, bestMicroBatch: best,
          maxSequence: Planner.maxSequence(t), tokensPerSecondAtMax: atMax, bill: bill))
    }
    return out.sorted {
      let a = $0.bill.key(rankBy), b = $1.bill.key(rankBy)
      return a != b ? a < b : $0.change < $1.change
    }
  }

  /// Single changes (and a few combinations people make together).
  ///
  /// `fits`: the run already
  /// fits, so levers that spend memory for speed (less recomputation, no offload, more GPUs)
  /// are offered too.
  private static func candidates(_ s: TrainingSetup, fits: Bool) -> [(String, TrainingSetup)] {
    var c: [(String, TrainingSetup)] = []
    // A change is one that changes what runs (recomputation compared as in effect: QLoRA's
    // default is already full).
    var base = s
    base.checkpointingChoice = s.checkpointing
    func add(_ name: String, _ edit: (inout TrainingSetup) -> Void) {
      var t = s
      edit(&t)
      var effective = t
      effective.checkpointingChoice = t.checkpointing
      if effective != base { c.append((name, t)) }
    }
    memoryLevers(s, fits: fits, add)
    if fits { speedLevers(s, add) }
    gpuLevers(s, fits: fits, add)
    return c
  }

  /// Changes that free memory: lighter optimizers, recomputation, adapters, offload, losses.
  private static func memoryLevers(
    _ s: TrainingSetup, fits: Bool, _ add: (String, (inout TrainingSetup) -> Void) -> Void
  ) {
    let ladder: [OptimizerKind] = [
      .adamw8bit, .adamw4bit, .adafactor, .adalomo, .galore, .galore8bit, .apollo, .apolloMini, .qApolloMini,
    ]
    for k in ladder where k != s.optimizer.kind {
      add("optimizer \(k.rawValue)") { $0.optimizer = OptimizerConfig(kind: k) }
      if !k.family.updatesInBackward {
        add("optimizer \(k.rawValue), layer-wise") { $0.optimizer = OptimizerConfig(kind: k, layerwise: true) }
      }
    }
    if s.optimizer.kind.isLowRank && !s.optimizer.kind.isMini {
      add("rank \(max(1, s.rank / 2))") { $0.optimizer.rank = max(1, s.rank / 2) }
    }
    add("full recomputation") {
      $0.checkpointing = .full
      $0.checkpointedLayers = nil
    }
    // Adapters on a frozen base train something else than the run asks (a few million new
    // parameters, not its weights): offered only to make a run fit, and only when the user
    // allows them (`allow: adapters`), never as a cheaper way to run what already fits.
    if s.lora == nil && !fits && s.allow == .adapters {
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
      add("LoRA r16, full recomputation") {
        lora(&$0)
        $0.checkpointing = .full
        $0.checkpointedLayers = nil
      }
      add("QLoRA r16, full recomputation, fused loss") {
        lora(&$0)
        $0.weights = .nf4
        $0.checkpointing = .full
        $0.checkpointedLayers = nil
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
    if !s.offload.optimizer && !s.optimizer.updatesInBackward && !s.optimizer.paged {
      var t = s
      t.offload.optimizer = true
      let host = MemoryModel.estimate(t).host
      add("optimizer on the CPU (\(Bytes(host)) of host memory per GPU)") { $0.offload.optimizer = true }
    }
    combinations(s, add)
    if s.loss != .fused { add("fused cross-entropy (Liger)") { $0.loss = .fused } }
    if s.loss == .full { add("chunked cross-entropy (torchtune)") { $0.loss = .chunked } }
    if s.attention == .eager { add("selective recomputation", selective) }
    if s.checkpointing == .none { add("per-op recomputation (torchtitan)") { $0.checkpointing = .op } }
    if !s.optimizer.updatesInBackward { add("layer-wise updates") { $0.optimizer.layerwise = true } }
    add("int8 weights") { $0.weights = .int8 }
    add("8-bit GaLore, layer-wise, full recomputation") {
      $0.optimizer = OptimizerConfig(kind: .galore8bit, layerwise: true)
      $0.checkpointing = .full
    }
    add("Q-APOLLO-Mini, layer-wise, full recomputation") {
      $0.optimizer = OptimizerConfig(kind: .qApolloMini, layerwise: true)
      $0.checkpointing = .full
    }
  }

  /// Two or three levers people combine, each keeping the run's goal: lighter states or an
  /// offloaded optimizer with recomputation and a fused loss.
  private static func combinations(_ s: TrainingSetup, _ add: (String, (inout TrainingSetup) -> Void) -> Void) {
    guard s.lora == nil else { return }
    func recompute(_ t: inout TrainingSetup) {
      t.checkpointing = .full
      t.checkpointedLayers = nil
    }
    add("8-bit AdamW, full recomputation") {
      $0.optimizer = OptimizerConfig(kind: .adamw8bit)
      recompute(&$0)
    }
    add("8-bit AdamW, full recomputation, fused loss") {
      $0.optimizer = OptimizerConfig(kind: .adamw8bit)
      recompute(&$0)
      $0.loss = .fused
    }
    if !s.optimizer.updatesInBackward && !s.optimizer.paged {
      add("optimizer on the CPU, full recomputation") {
        $0.offload.optimizer = true
        recompute(&$0)
      }
    }
    add("full recomputation, fused loss") {
      recompute(&$0)
      $0.loss = .fused
    }
    var sharded = s
    if sharded.parallel == .none || sharded.parallel == .ddp { sharded.parallel = .fsdp }
    recompute(&sharded)
    if let n = Planner.minGPUs(sharded), n != s.gpus {
      add("\(n) GPUs with \(sharded.parallel.rawValue), full recomputation") {
        $0.gpus = n
        $0.parallel = sharded.parallel
        recompute(&$0)
      }
    }
  }

  /// Changes that spend memory the run has to spare on speed: less recomputation, nothing
  /// offloaded or paged, a 16-bit base under adapters.
  private static func speedLevers(_ s: TrainingSetup, _ add: (String, (inout TrainingSetup) -> Void) -> Void) {
    if s.checkpointing != .none {
      add("no recomputation") {
        $0.checkpointing = .none
        $0.checkpointedLayers = nil
      }
    }
    if s.checkpointing == .full { add("selective recomputation", selective) }
    if s.offload.isActive { add("nothing offloaded") { $0.offload = Offload() } }
    if s.optimizer.paged { add("unpaged optimizer states") { $0.optimizer.paged = false } }
    if s.lora != nil && (s.weights == .nf4 || s.weights == .int8) { add("bf16 base (LoRA)") { $0.weights = .bf16 } }
  }

  /// Megatron's recomputation of the attention core only (replacing any full recomputation).
  private static func selective(_ t: inout TrainingSetup) {
    t.checkpointing = .selective
    t.checkpointedLayers = nil
  }

  /// Other sharding over the same GPUs, the fewest GPUs that fit, and — for a run that fits —
  /// half or twice its GPUs.
  private static func gpuLevers(
    _ s: TrainingSetup, fits: Bool, _ add: (String, (inout TrainingSetup) -> Void) -> Void
  ) {
    if s.gpus > 1 {
      for p in [Parallelism.ddp, .zero1, .zero2, .zero3, .fsdp] where p != s.parallel {
        add("\(p.rawValue) over \(s.gpus) GPUs") { $0.parallel = p }
      }
      if s.gpus > s.nodeSize && s.gpus % s.nodeSize == 0 && s.parallel != .hsdp {
        add("hsdp over \(s.gpus) GPUs") { $0.parallel = .hsdp }
      }
    }
    var sharded = s
    if sharded.parallel == .none { sharded.parallel = .fsdp }
    if let n = Planner.minGPUs(sharded), n != s.gpus {
      add(n == 1 ? "1 GPU" : "\(n) GPUs with \(sharded.parallel.rawValue)") {
        $0.gpus = n
        $0.parallel = n > 1 ? sharded.parallel : .none
      }
    }
    guard fits else { return }
    if s.gpus > 2 && s.gpus % 2 == 0 {
      add("\(s.gpus / 2) GPUs") { $0.gpus = s.gpus / 2 }
    }
    if s.gpus * 2 <= 4096 {
      add("\(s.gpus * 2) GPUs with \(sharded.parallel.rawValue)") {
        $0.gpus = s.gpus * 2
        $0.parallel = sharded.parallel
      }
    }
  }
}

/// One catalog GPU for a setup: fits at its micro-batch, the largest micro-batch, tokens/s and
/// the cost of a billion tokens there.
package struct GPURanking: Sendable {
  package var gpu: GPUSpec
  /// "v100 (fp16 mixed)" when the precision was changed for a card without bf16.
  package var name: String
  /// Why the setup cannot run on this GPU at all.
  package var problem: String?
  package var memory: MemoryEstimate?
  package var maxMicroBatch: Int64?
  /// The micro-batch its tokens/s is at (`Planner.bestMicroBatch`).
  package var bestMicroBatch: Int64?
  package var tokensPerSecond: Double
  package var costPerBillionTokens: Double?

  /// Time and cost to train at the largest micro-batch on this card.
  package var bill: TrainingBill?
  /// How far to trust this card's numbers (AMD and some Blackwell cards are unchecked).
  package var band: ErrorBand? = nil

  /// Every catalog GPU at its largest micro-batch: cheapest to train first (dollars at each
  /// card's price, or GPU-hours when unpriced) or fastest first; cards that cannot run it last.
  package static func rank(_ s: TrainingSetup, by ranking: PlanRanking = .cost, among cards: [GPUSpec]? = nil)
    -> [GPURanking]
  {
    var rows: [GPURanking] = []
    for g in cards ?? GPUSpec.catalog {
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
      let rate = Planner.bestRate(t, largest: mb)
      let tps = rate?.tokensPerSecond ?? 0
      let cost = t.gpuPrice.flatMap { price in
        tps > 0 ? price * Double(s.gpus) / tps * 1e9 / 3600 : nil
      }
      rows.append(
        GPURanking(
          gpu: g, name: name, memory: MemoryModel.estimate(t), maxMicroBatch: mb, bestMicroBatch: rate?.microBatch,
          tokensPerSecond: tps,
          costPerBillionTokens: cost, bill: TrainingBill(t, tokensPerSecond: tps), band: ErrorBand(t)))
    }
    // Stable: equal keys keep the catalog's order; a card that trains nothing sorts last, and
    // by cost, cards without a price (costed in GPU-hours) after those with one (in dollars).
    func key(_ r: GPURanking) -> (Int, Double) {
      guard let bill = r.bill else { return (2, 0) }
      return (ranking == .cost && bill.dollars == nil ? 1 : 0, bill.key(ranking))
    }
    return rows.enumerated().sorted {
      key($0.element) != key($1.element) ? key($0.element) < key($1.element) : $0.offset < $1.offset
    }.map(\.element)
  }
}

/// Misaligned model dimensions and what padding them would gain: a linear whose
/// sides are not multiples of 16 bytes runs at a fraction of the aligned rate
/// (`GPUArchitecture.matmulEfficiency(alignmentBytes:)`); the intermediate size and the
/// vocabulary padded to multiples of 64 elements (NVIDIA's matmul guide: tensor-core tiles;
/// Karpathy's nanoGPT vocabulary 50,257 → 50,304, about 25% faster) run at full rate, for a
/// few more parameters.
package struct PaddingAdvice: Sendable, Equatable {
  /// The dimensions padded: ("intermediate size", 5461, 5504).
  package var dimensions: [Dimension]
  package var stepSeconds: Double
  package var paddedStepSeconds: Double
  package var extraParameters: Int64

  package struct Dimension: Sendable, Equatable {
    package var name: String
    package var size: Int64
    package var padded: Int64
  }

  package static let multiple: Int64 = 64

  package static func advice(_ s: TrainingSetup) -> PaddingAdvice? {
    let e = Double(s.precision.activationBytes)
    var padded = s
    var dimensions: [Dimension] = []
    func pad(_ name: String, _ size: Int64, _ set: (inout ModelConfig, Int64) -> Void) {
      guard !Roofline.aligned(Double(size), e) else { return }
      let to = (size + multiple - 1) / multiple * multiple
      dimensions.append(Dimension(name: name, size: size, padded: to))
      set(&padded.model, to)
    }
    pad("intermediate size", s.model.intermediate) { $0.intermediate = $1 }
    pad("vocabulary", s.model.vocab) { $0.vocab = $1 }
    guard !dimensions.isEmpty, padded.validationProblems().isEmpty else { return nil }
    let before = ParameterInventory(s.model).parameters, after = ParameterInventory(padded.model).parameters
    return PaddingAdvice(
      dimensions: dimensions, stepSeconds: ThroughputModel.estimate(s).stepSeconds,
      paddedStepSeconds: ThroughputModel.estimate(padded).stepSeconds, extraParameters: after - before)
  }

  /// "The intermediate size 5,461 is not a multiple of 16 bytes …", for reports.
  package var sentence: String {
    let gain = NumberFormatting.percent(paddedStepSeconds / stepSeconds - 1)
    let names = dimensions.map { "\($0.name) \(NumberFormatting.grouped(Double($0.size)))" }.joined(separator: " and ")
    let targets = dimensions.map { NumberFormatting.grouped(Double($0.padded)) }.joined(separator: " and ")
    let start =
      "The \(names) \(dimensions.count > 1 ? "are" : "is") not a multiple of 16 bytes, so \(dimensions.count > 1 ? "their" : "its") matmuls run on slower kernels; "
    guard paddedStepSeconds < stepSeconds * 0.98 else {
      return start + "at this batch the step is bound elsewhere (host dispatch or memory traffic), so padding to "
        + "\(targets) would gain nothing (\(gain))."
    }
    return start
      + "padded to \(targets) (multiples of 64) the step would take \(NumberFormatting.fixed(paddedStepSeconds, 3)) s "
      + "instead of \(NumberFormatting.fixed(stepSeconds, 3)) s (\(gain)) for \(NumberFormatting.grouped(Double(extraParameters))) more parameters."
  }
}
