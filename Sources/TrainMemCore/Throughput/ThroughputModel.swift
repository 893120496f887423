import Foundation

// Step time from first principles: a roofline per matmul, memory-bound elementwise work, the
// host's kernel-dispatch floor, the optimizer's memory traffic, amortised SVDs, and exposed
// communication. Constants fitted to the H200 calibration rows say so; everything else is
// arithmetic from the model's shapes and the GPU's datasheet.

/// Time and cost of one setup.
public struct ThroughputEstimate: Sendable, Equatable {
  /// Forward + backward of all micro-batches in a step, seconds.
  package var compute: Double
  /// `optimizer.step()` including amortised projection refreshes, seconds.
  package var optimizer: Double
  /// Communication not hidden behind backward, seconds.
  package var communication: Double
  /// GaLore's SVD refresh every `update_interval` steps, amortised per step, seconds.
  package var projectionRefresh: Double
  /// A step without a projection refresh (what the calibration's steady steps measure).
  package var steadyStepSeconds: Double { compute + optimizer + communication }
  /// The average step over a run, refreshes included.
  public var stepSeconds: Double { steadyStepSeconds + projectionRefresh }
  /// Tokens per optimizer step over the whole job.
  package var tokensPerStep: Double
  public var tokensPerSecond: Double { tokensPerStep / stepSeconds }
  package var gpus: Int64
  package var tokensPerSecondPerGPU: Double { tokensPerSecond / Double(gpus) }
  /// Model FLOPs utilisation: 6 · matmul params · tokens + attention, over peak × time × GPUs.
  public internal(set) var mfu: Double
  /// Whether the host's dispatch, not the GPU, bounds the layers (small models, small batches).
  package var hostBound: Bool
  package var trainHours: Double?
  package var gpuHours: Double?
  package var cost: Double?
}

/// What one GPU sustains: matmul rate, copy bandwidth and the tile curve's scale.
package struct Roofline: Sendable {
  /// Datasheet dense matmul rate for the precision (TF32 for fp32), FLOP/s.
  package var peak: Double
  /// Sustained large-matmul rate, FLOP/s.
  package var rate: Double
  /// Sustained copy bandwidth, bytes/s.
  package var bandwidth: Double
  /// d₀ of the tile curve u(d) = d / (d + d₀).
  ///
  /// What d₀ stands for is time: pipeline fill, epilogue and the wave tail are latencies, paid
  /// per tile whatever the SM's speed. A latency L costs L × r FLOPs of an SM that runs r FLOP/s:
  /// a fixed *volume* of the tile's M × N × K work. u is a volume ratio over three dimensions,
  /// so each side of that lost volume scales as its cube root: d₀ = 768 × (r / r_H200)^(1/3)
  /// (derived; 768 fitted on the H200 rows, where nothing changes). 560 on an A100, 431 on an RTX
  /// 4090, 610 for TF32 on the H200. The cube root is also what keeps a faster GPU faster:
  /// time ∝ (1/r) Π (1 + d₀/d) with d₀ ∝ r^(1/3) never grows with r (its logarithmic
  /// derivative is at most −1/r + 3 · (1/3)/r = 0), while a linear rule (d₀ ∝ r), used first,
  /// made a 4× faster custom GPU slower.
  package var tileScale: Double
  /// The tensor-core generation, for the rate of misaligned matmuls
  /// (`GPUArchitecture.matmulEfficiency(alignmentBytes:)`).
  package var architecture: GPUArchitecture
  /// SMs (or CUs): the size of a wave of tiles.
  package var multiprocessors: Double
  /// Whether matmuls follow cuBLAS's tiles and waves (`kernelUtilisation`) rather than the tile
  /// curve fitted on Hugging Face's eager steps, whose d₀ also holds the gaps between eager
  /// kernels: Megatron-LM runs fused kernels back to back.
  package var tiledKernels = false

  package init(_ gpu: GPUSpec, precision: Precision) {
    peak = precision == .fp32 ? gpu.tf32FLOPS : gpu.tensorFLOPS
    rate = peak * gpu.matmulEfficiency
    bandwidth = gpu.bandwidth * ThroughputModel.bandwidthEfficiency
    architecture = gpu.architecture
    multiprocessors = gpu.multiprocessors
    tileScale =
      ThroughputModel.referenceTileScale * Foundation.cbrt((peak / gpu.multiprocessors) / GPUSpec.referenceRatePerSM)
  }

  /// The roofline of a recipe's FP8 GEMMs: the GPU's dense FP8 rate times the recipe's scaled
  /// GEMM efficiency, with the tile scale of that rate per SM (the same derivation as above).
  package init(_ gpu: GPUSpec, fp8 recipe: FP8Recipe) {
    self.init(gpu, precision: .bf16)
    peak = gpu.fp8FLOPS * recipe.gemmEfficiency
    rate = peak * gpu.matmulEfficiency
    tileScale =
      ThroughputModel.referenceTileScale * Foundation.cbrt((peak / gpu.multiprocessors) / GPUSpec.referenceRatePerSM)
  }

  /// The roofline a setup's matmuls run on: cuBLAS's tiles and waves under Megatron-LM.
  package init(_ s: TrainingSetup) {
    self.init(s.gpu, precision: s.precision)
    tiledKernels = s.megatron
  }

  /// Candidate cuBLAS tiles (rows × columns of the output) and their efficiency relative to the
  /// largest (NVIDIA Matrix Multiplication Background guide §2.3: "256x128 and 128x256 (most
  /// efficient); 128x128; 256x64 and 64x256; 128x64 and 64x128; 64x64 (least efficient)";
  /// the relative values are assumed).
  package static let tiles: [(rows: Double, cols: Double, efficiency: Double)] = [
    (256, 128, 1), (128, 256, 1), (128, 128, 0.95), (128, 64, 0.85), (64, 128, 0.85), (64, 64, 0.7),
  ]
  /// Per-tile fixed work (prologue, epilogue), in K elements: a tile's main loop runs K/(K + k₀)
  /// of the time.
  ///
  /// Fitted: Korthikanti et al. 2022 Table 5 and Narayanan et al. 2021 Table 1
  /// (128 against 512 tried: 128 fits both better).
  package static let tilePrologueK = 128.0

  /// Share of the GPU's sustained rate a matmul gets from cuBLAS's tiles (the best candidate):
  /// tile quantisation (M·N over the tiles' area), wave quantisation (tiles over waves of one
  /// tile per SM; split-K spreads a K longer than 512 over idle SMs when there are fewer tiles
  /// than SMs, in chunks of at least 512), and the main loop's share of each tile (NVIDIA guide §3: "Dimension
  /// Quantization Effects"; CUTLASS example 47 on an A100, 2048³ with 128 × 128 tiles: 256 tiles
  /// in 3 waves of 108, 0.687 of the best shape's rate predicted, 0.686 measured).
  package func kernelUtilisation(_ m: Double, _ n: Double, _ k: Double) -> Double {
    var best = 0.0
    for tile in Self.tiles {
      let rows = (m / tile.rows).rounded(.up), cols = (n / tile.cols).rounded(.up)
      let area = m * n / (rows * tile.rows * cols * tile.cols)
      let count = rows * cols
      // Split-K as a continuous count: cuBLAS's integer choice makes time a sawtooth in K, and
      // with whole splits a matmul over fewer tokens could take longer (invariant 6).
      var splits = 1.0
      if count < multiprocessors {
        splits = max(1, min(multiprocessors / count, k / 512))
      }
      let work = count * splits
      let waves = work / ((work / multiprocessors).rounded(.up) * multiprocessors)
      let loop = (k / splits) / (k / splits + Self.tilePrologueK)
      best = max(best, tile.efficiency * area * waves * loop)
    }
    return best
  }

  /// The FP8 roofline of a setup's recipe (nil: bf16 matmuls), tiled as its 16-bit one.
  package static func fp8(_ s: TrainingSetup) -> Roofline? {
    s.fp8.map { recipe in
      var r = Roofline(s.gpu, fp8: recipe)
      r.tiledKernels = s.megatron
      return r
    }
  }

  /// u(M, N, K) = Π d / (d + d₀).
  package func tileUtilisation(_ m: Double, _ n: Double, _ k: Double) -> Double {
    (m / (m + tileScale)) * (n / (n + tileScale)) * (k / (k + tileScale))
  }

  /// One matmul (M × K) · (K × N): the slower of its compute and its memory traffic.
  ///
  /// `alignment`: the bytes its leading dimensions are aligned to (see `alignment`).
  package func gemmSeconds(_ m: Double, _ k: Double, _ n: Double, elementSize: Double, alignment: Int = 16) -> Double {
    let flops = 2 * m * n * k
    let bytes = elementSize * (m * k + k * n + m * n)
    let u =
      (tiledKernels ? kernelUtilisation(m, n, k) : tileUtilisation(m, n, k))
      * architecture.matmulEfficiency(alignmentBytes: alignment)
    return max(flops / (rate * u), bytes / bandwidth)
  }

  /// The alignment of a weight's two leading dimensions: the largest of 16, 8, 4, 2 (or 1)
  /// bytes that divides both (NVIDIA, Matrix Multiplication Background User's Guide §2.2:
  /// "efficiency is better when matrix dimensions are multiples of 16 bytes").
  ///
  /// Every point of a sweep asks, for every linear: two arguments, no variadic array.
  package static func alignment(_ elementSize: Double, _ a: Double, _ b: Double) -> Int {
    min(alignment(elementSize, a), alignment(elementSize, b))
  }

  /// One dimension's alignment: whole byte counts by their trailing zero bits, fractional ones
  /// by division.
  package static func alignment(_ elementSize: Double, _ d: Double) -> Int {
    let size = d * elementSize
    if size >= 1, size < 9e15, size == size.rounded(.down) {
      return 1 << min(4, Int64(size).trailingZeroBitCount)
    }
    var bytes = 16
    while bytes > 1 && size.truncatingRemainder(dividingBy: Double(bytes)) != 0 { bytes /= 2 }
    return bytes
  }

  package static func aligned(_ d: Double, _ elementSize: Double) -> Bool { alignment(elementSize, d) == 16 }

  /// Forward + backward of one weight over `t` tokens: y = xWᵀ, dx = dy·W, dW = dyᵀ·x.
  ///
  /// The
  /// leading dimensions are the weight's sides (activations are t × k row-major), so only they
  /// need alignment; the token count never does.
  package func linearSeconds(tokens t: Double, input k: Double, output n: Double, e: Double) -> Double {
    let a = Self.alignment(e, k, n)
    return gemmSeconds(t, k, n, elementSize: e, alignment: a)
      + gemmSeconds(t, n, k, elementSize: e, alignment: a)
      + gemmSeconds(k, t, n, elementSize: e, alignment: a)
  }
}

public enum ThroughputModel {
  /// Fraction of the datasheet's dense rate a large bf16 matmul sustains: an H200 runs an 8192³
  /// bf16 matmul at about 790 of 989 TFLOP/s (measured on the H200 calibration steps).
  package static let matmulEfficiency = 0.80
  /// Fraction of datasheet bandwidth a copy sustains: H200 about 4.3 of 4.8 TB/s (measured).
  package static let bandwidthEfficiency = 0.90
  /// Tile-utilisation scale of the matmul efficiency curve u(d) = d / (d + d₀) per dimension,
  /// on the H200: small token counts and thin matrices run far below peak; other GPUs scale it
  /// by their rate per SM (`Roofline.tileScale`).
  ///
  /// Fitted: calibration rows (one constant for all
  /// 16). A separate scale for the token dimension and the weight dimensions (tried: 768–3072 ×
  /// 128–768) fit the rows worse when tried (mean error 7.0–19.6% against 5.9% then).
  package static let referenceTileScale = 768.0
  /// FA2 gives each 128-row query block a loop over key blocks — s / 256 of them on average
  /// under a causal mask — plus about one iteration's worth of fixed work (loading Q, writing
  /// O and the log-sum-exp).
  ///
  /// Efficiency therefore grows as s / (s + 256): half the asymptote at
  /// 256 tokens, 80% at 1,024, 97% at 8,192.
  package static let attentionSequenceScale = 256.0
  /// Host time to dispatch one decoder layer's forward and backward in eager HF transformers
  /// (about 130 kernels and their Python/autograd bookkeeping).
  ///
  /// Fitted: calibration rows — the
  /// 60M–350M steps take 2.6–3.3 ms per layer whatever their FLOPs.
  package static let hostSecondsPerLayer = 2.6e-3
  /// Host time per parameter tensor in a Python optimizer loop (GaLore, APOLLO); fitted.
  package static let hostSecondsPerTensor = 1.0e-4

  public static func estimate(_ s: TrainingSetup) -> ThroughputEstimate {
    estimate(s, ParameterInventory(s.model))
  }

  /// The estimate with the model's inventory given (sweeps reuse it across points).
  package static func estimate(_ s: TrainingSetup, _ inv: ParameterInventory) -> ThroughputEstimate {
    if s.modelParallel.isActive { return withTraining(modelParallelEstimate(s), s) }
    let parts = stepParts(s, inv)
    let accumulation = Double(s.accumulation)
    let compute = parts.microBatch * accumulation
    let tokensPerStep = Double(s.tokensPerMicroBatch) * accumulation * Double(s.dataParallel)
    let step = compute + parts.optimizer + parts.communication + parts.refresh
    let mfu = modelFLOPs(s, inv) * accumulation / (step * parts.peak)
    let result = ThroughputEstimate(
      compute: compute, optimizer: parts.optimizer, communication: parts.communication,
      projectionRefresh: parts.refresh, tokensPerStep: tokensPerStep, gpus: s.gpus, mfu: mfu,
      hostBound: parts.layer.host > parts.layer.gpu)
    return withTraining(result, s)
  }

  /// The parts of a step on one GPU without model parallelism, computed once for the estimate
  /// and the ledger.
  package struct StepParts {
    package var layer: LayerTime
    package var head: Double
    /// One micro-batch's forward and backward: every layer at the longer of its GPU work and
    /// its host dispatch, then the head.
    package var microBatch: Double
    package var optimizer: Double
    package var communication: Double
    package var refresh: Double
    package var peak: Double
  }

  package static func stepParts(_ s: TrainingSetup, _ inv: ParameterInventory) -> StepParts {
    let roof = Roofline(s)
    let layer = layerTime(s, roof)
    let head = headSeconds(s, roof)
    let microBatch = Double(s.model.computedLayers) * max(layer.host, layer.gpu) + head
    // Optimizer step over this GPU's share of the parameters.
    let shard = 1 / updatedShare(s, inv)
    let communication = communicationSeconds(s, inv, microBatch: microBatch) + offloadExposedSeconds(s, inv, microBatch)
    return StepParts(
      layer: layer, head: head, microBatch: microBatch, optimizer: stepSeconds(s, inv, roof),
      communication: communication, refresh: refreshSeconds(s, inv.trainable(s)) / shard, peak: roof.peak)
  }

  /// Where one optimizer step's time goes, term by term, read from the same parts as
  /// `estimate` (the terms add up to its step time).
  ///
  /// Decoder-layer terms are over all layers
  /// and micro-batches; when the host's dispatch is slower than a layer's GPU work, the
  /// difference is its own term.
  package static func ledger(_ s: TrainingSetup, _ inv: ParameterInventory) -> [TimeTerm] {
    if s.modelParallel.isActive { return modelParallelLedger(s) }
    let parts = stepParts(s, inv)
    let accumulation = Double(s.accumulation)
    var terms = layerTerms(
      s, parts.layer, layerSteps: Double(s.model.computedLayers) * accumulation, busy: parts.layer.gpu)
    terms.append(
      TimeTerm(
        name: "lm_head and loss", seconds: parts.head * accumulation,
        .derived, source: "lm_head matmuls and fp32 cross-entropy"))
    let communication = communicationTerms(s, inv, microBatch: parts.microBatch)
    return terms + perStepTerms(s, optimizer: parts.optimizer, communication: communication, refresh: parts.refresh)
  }

  /// The hours, GPU-hours and cost of training the setup's `tokens` at the estimate's rate.
  package static func withTraining(_ estimate: ThroughputEstimate, _ s: TrainingSetup) -> ThroughputEstimate {
    var result = estimate
    if let tokens = s.tokens {
      let hours = tokens / result.tokensPerSecond / 3600
      result.trainHours = hours
      result.gpuHours = hours * Double(s.gpus)
      if let price = s.gpuPrice { result.cost = hours * Double(s.gpus) * price }
    }
    return result
  }

  // MARK: - One decoder layer

  /// Flash attention's FLOPs per token, per position attended and per hidden unit: 4·t·s·h
  /// forward (QKᵀ and PV, halved by the causal mask) and 2.5× that backward (P recomputed).
  package static let flashAttentionFLOPs = 7.0
  /// Eager attention's: full (unmasked) s × s matmuls, 4·t·s·h forward and twice that backward.
  package static let eagerAttentionFLOPs = 12.0
  /// Eager attention's bytes per score and token: scores, scale, mask add, fp32 softmax and its
  /// cast forward, and their gradients backward (counted from `eager_attention_forward`).
  package static let eagerScoreBytes = 60.0
  /// The memory-efficient kernel runs fp32 attention as three TF32 products
  /// (`OpMultiplyAddFastF32`, PyTorch mem_eff_attention `DefaultGemmType<float>` for sm80+).
  package static let fp32AttentionPasses = 3.0
  /// Elementwise traffic (fp32 RMSNorm, rotary, SiLU, residuals) forward and backward, bytes
  /// per token at bf16: per hidden unit and per intermediate unit (counted from the ops in
  /// ActivationModel's sources).
  package static let elementwiseBytesPerHidden = 300.0
  package static let elementwiseBytesPerIntermediate = 30.0
  /// Megatron-LM's fused elementwise kernels, bytes per token (derived from their reads and
  /// writes, 2-byte tensors): per hidden unit, two LayerNorms (forward: read and write, 4;
  /// backward: read the gradient and input, write the gradient, 6) and two fused
  /// bias-dropout-adds (forward read input, bias and residual, write output and a 1-byte mask;
  /// backward about the same: 14 each): 48.
  ///
  /// Per intermediate unit: fused bias-GeLU (4 forward, 6
  /// backward: 10) or SwiGLU (6 and 10: 16).
  package static let megatronBytesPerHidden = 48.0
  package static let megatronBytesPerIntermediate = 10.0
  package static let megatronBytesPerGatedIntermediate = 16.0
  /// Megatron's fused scale-mask-softmax over eager scores, bytes per score: read and write
  /// forward (4), read the output and its gradient and write the input's backward (6); with
  /// dropout, its mask and output forward (1 + 2) and backward (1 + 2 + 2): 20.
  package static let megatronScoreBytes = 10.0
  package static let megatronDropoutScoreBytes = 10.0
  /// Autocast casts each fp32 weight to bf16 in forward (read 4, write 2 bytes) and the bf16
  /// weight gradient back to fp32 in backward (read 2, write 4).
  package static let autocastBytesPerWeight = 12.0
  /// The kernels autocast adds per layer (2 per linear), over the ~130 a layer launches.
  package static let autocastKernelsPerLayer = 14.0
  package static let kernelsPerLayer = 130.0
  /// Full recomputation runs each layer's forward again: forward + backward is 3 forwards, 4
  /// with recomputation.
  package static let recomputationFactor = 4.0 / 3.0

  /// The average layer's time factor for recomputation: 4/3 for the layers recomputed in full
  /// (`checkpointed_layers` of them), 1 for the others.
  package static func recomputeFactor(_ s: TrainingSetup) -> Double {
    1 + (recomputationFactor - 1) * Double(s.recomputedLayers) / Double(s.model.layers)
  }

  /// The share of the attention core's time that is its forward, run again under
  /// `checkpointing: selective`: flash attention 2 of its 7 FLOP units per t·s·h (see
  /// `flashAttentionFLOPs`), eager attention 4 of 12.
  package static func attentionForwardShare(_ s: TrainingSetup) -> Double {
    s.attention == .eager ? 4.0 / 12.0 : 2.0 / flashAttentionFLOPs
  }

  /// The attention core with its selective recomputation.
  package static func attentionWithRecompute(_ s: TrainingSetup, _ roof: Roofline) -> Double {
    let a = attentionSeconds(s, roof)
    return (a.compute + a.traffic) * (s.checkpointing == .selective ? 1 + attentionForwardShare(s) : 1)
  }

  /// The factors recomputation puts on a layer's matmuls, its elementwise work, the rest of its
  /// GPU work and its host dispatch: whole recomputed layers (`checkpointed_layers` of them) run
  /// everything forward again (4/3 each, averaged over the layers); per-op recomputation re-runs
  /// the even-numbered matmuls' forward and every elementwise op's, keeping attention's output.
  package static func recomputation(_ s: TrainingSetup) -> (
    matmuls: Double, elementwise: Double, other: Double, host: Double
  ) {
    if s.checkpointing == .op {
      return (1 + perOpRecomputedMatmulShare(s.model), recomputationFactor, 1, recomputationFactor)
    }
    let whole = recomputeFactor(s)
    return (whole, whole, whole, whole)
  }

  /// The share of a layer's matmul work (forward and backward: 6 FLOPs per weight and token)
  /// that per-op recomputation runs again: the forward (2) of k, o and up (or fc2), the
  /// even-numbered matmuls in call order.
  package static func perOpRecomputedMatmulShare(_ m: ModelConfig) -> Double {
    let h = Double(m.hidden), q = Double(m.queryWidth), kv = Double(m.kvWidth), i = m.activeIntermediate
    let all = 2 * h * q + 2 * h * kv + (m.mlp.gated ? 3 : 2) * h * i
    let recomputed = h * kv + q * h + h * i
    return 2 * recomputed / (6 * all)
  }

  /// One decoder linear's forward and backward: on FP8 tensor cores with its casts when the
  /// setup's recipe converts it, else at the 16-bit rate.
  package static func linearSeconds(
    _ s: TrainingSetup, _ roof: Roofline, _ fp8Roof: Roofline?, tokens: Double, input: Double, output: Double,
    e: Double
  ) -> Double {
    guard let recipe = s.fp8, let fp8Roof, s.convertsToFP8(input: input, output: output) else {
      return roof.linearSeconds(tokens: tokens, input: input, output: output, e: e)
    }
    return fp8Roof.linearSeconds(tokens: tokens, input: input, output: output, e: 1)
      + fp8CastSeconds(s, recipe, tokens: tokens, input: input, output: output, roof)
  }

  /// The casts of one FP8 linear per micro-batch (`FP8Recipe.castBytes`): its input (t × k),
  /// its output gradient (t × n) and its weight (k × n; once per step when the recipe caches
  /// it), memory-bound.
  package static func fp8CastSeconds(
    _ s: TrainingSetup, _ recipe: FP8Recipe, tokens t: Double, input k: Double, output n: Double, _ roof: Roofline
  ) -> Double {
    let bytes = recipe.castBytes
    let weightShare = recipe.castsWeightOncePerStep ? 1 / Double(s.accumulation) : 1
    return (bytes.input * t * k + bytes.gradient * t * n + bytes.weight * k * n * weightShare) / roof.bandwidth
  }

  /// What LoRA adds to a layer, forward and backward.
  ///
  /// - each adapter's two thin matmuls (in → r → out) with their weight gradients, in fp32
  ///   unless autocast runs them in bf16 (peft keeps adapters fp32), and the cast of the input
  ///   to the adapter dtype and of the gradient back (read e, write 4, both ways);
  /// - a quantised base dequantised for each matmul pass: forward, backward, and again for a
  ///   recomputed forward (bitsandbytes reads 0.52 bytes and writes 2 per weight);
  /// - DoRA's merged weight every forward: an identity through both adapters (in² · r and
  ///   in · r · out multiply-adds) and the update, sum and row norms in fp32 (12 bytes per weight).
  package static func adapterSeconds(_ s: TrainingSetup, _ roof: Roofline) -> Double {
    guard let lora = s.lora else { return 0 }
    // Per layer the step runs, the MTP layers among them.
    let m = s.model, tokens = Double(s.tokensPerMicroBatch), layers = Double(m.computedLayers)
    let adapterRoof = s.adapterActivationBytes == 2 ? roof : Roofline(s.gpu, precision: .fp32)
    let ae = Double(s.adapterActivationBytes), e = Double(s.precision.activationBytes), r = Double(lora.rank)
    let passes = 2 + Double(s.recomputedLayers) / layers
    var seconds = 0.0
    for t in ParameterInventory(m).tensors where t.role == .projection || t.role == .router {
      let perLayer = Double(t.count) / layers
      let input = Double(t.cols), output = Double(t.rows)
      if s.quantizedBase && t.role == .projection {
        seconds += perLayer * passes * 2.52 * input * output / roof.bandwidth
      }
      guard lora.targets.matches(t) else { continue }
      let share = m.tokenShare(t)
      let routed = tokens * share
      seconds +=
        perLayer
        * (adapterRoof.linearSeconds(tokens: routed, input: input, output: r, e: ae)
          + adapterRoof.linearSeconds(tokens: routed, input: r, output: output, e: ae))
      if ae != e { seconds += perLayer * 2 * (e + ae) * routed * input / roof.bandwidth }
      if lora.dora {
        let merge =
          adapterRoof.gemmSeconds(input, input, r, elementSize: 4)
          + adapterRoof.gemmSeconds(input, r, output, elementSize: 4)
          + 12 * input * output / roof.bandwidth
        seconds += perLayer * (passes - 1) * merge
      }
    }
    return seconds
  }

  /// The share of a layer's work the average layer does when some are frozen: a frozen layer
  /// skips its weight-gradient matmuls (one of each linear's three), and one below every
  /// gradient (`TrainingSetup.inertLayers`) runs forward only (a third of its work).
  package static func frozenWork(_ s: TrainingSetup) -> (matmuls: Double, other: Double) {
    let l = s.layerTraining
    let layers = Double(s.model.layers), trained = Double(l.trained), frozen = Double(l.frozen)
    let inert = Double(l.inert)
    return ((trained + frozen * 2 / 3 + inert / 3) / layers, (trained + frozen + inert / 3) / layers)
  }

  /// A layer's elementwise traffic (fp32 RMSNorm, rotary, SiLU, residuals), forward and backward.
  package static func elementwiseSeconds(_ s: TrainingSetup, _ roof: Roofline) -> Double {
    // Sequence parallelism splits the hidden-width work (norms, residuals) over the
    // tensor-parallel GPUs; without it each runs all of it.
    let hidden = Double(s.model.hidden) / Double(s.stageView.boundaryDivisor)
    let intermediate = s.model.activeIntermediate(everyToken: s.expertsRunEveryToken)
    let tokens = Double(s.tokensPerMicroBatch), e = Double(s.precision.activationBytes)
    let perHidden = s.megatron ? megatronBytesPerHidden : elementwiseBytesPerHidden
    let perIntermediate =
      s.megatron
      ? (s.model.mlp.gated ? megatronBytesPerGatedIntermediate : megatronBytesPerIntermediate)
      : elementwiseBytesPerIntermediate
    return (perHidden * hidden + perIntermediate * intermediate) * tokens * (e / 2) / roof.bandwidth
  }

  /// The attention core (QKᵀ, softmax, PV) of one layer, forward and backward: its matmuls,
  /// and (eager only) the traffic of the s × s tensors.
  package static func attentionSeconds(_ s: TrainingSetup, _ roof: Roofline) -> (compute: Double, traffic: Double) {
    // Under context parallelism each GPU's queries attend to the whole sequence (c chunks).
    let hidden = s.model.attentionWidth, sequence = Double(s.sequence * s.stageView.attentionSpan)
    let tokens = Double(s.tokensPerMicroBatch)
    let rate = roof.rate * s.gpu.architecture.attentionEfficiency / (s.precision == .fp32 ? fp32AttentionPasses : 1)
    switch s.attention {
    case .sdpa, .flash:
      // The kernel's efficiency grows with the sequence it runs on as s / (s + 256): under
      // context parallelism each ring step runs on one s / c chunk, Ulysses' kernel on the
      // sequence its all-to-all gathered.
      let chunk = Double(s.sequence * s.stageView.headShards)
      let effectiveRate = rate * chunk / (chunk + attentionSequenceScale)
      let window = s.attention == .flash ? slidingWindowShare(s) : 1
      return (flashAttentionFLOPs * tokens * sequence * hidden * window / effectiveRate, 0)
    case .eager:
      let e = Double(s.precision.activationBytes)
      let dropout = s.dropout > 0 ? (s.megatron ? megatronDropoutScoreBytes : dropoutBytesPerScore(e)) : 0
      let scores = s.megatron ? megatronScoreBytes : eagerScoreBytes
      return (
        eagerAttentionFLOPs * tokens * sequence * hidden / rate,
        (scores + dropout) * Double(s.model.heads) * sequence * tokens / roof.bandwidth
      )
    }
  }

  /// The attention work left under sliding windows, averaged over the layers: a causal token
  /// attends to s/2 positions on average, to w − w²/(2s) within a window w ≤ s, to c/2 within
  /// chunks of c.
  ///
  /// Only the
  /// flash-attention kernel skips what the window masks (`window_size` in flash_attn_func);
  /// SDPA and eager attention compute the whole masked matrix (transformers passes the window
  /// as a mask).
  package static func slidingWindowShare(_ s: TrainingSetup) -> Double {
    guard let w = s.model.slidingWindow, s.model.slidingLayers > 0, Double(w) < Double(s.sequence) else { return 1 }
    let seq = Double(s.sequence), window = Double(w)
    // Chunked attention (Llama 4): a causal token attends to c/2 positions of its chunk on average.
    let windowed = s.model.chunkedAttention ? window / seq : (window - window * window / (2 * seq)) / (seq / 2)
    let share = Double(min(s.model.slidingLayers, s.model.layers)) / Double(s.model.layers)
    return 1 - share + share * windowed
  }

  /// Attention dropout on the eager path, bytes per score: forward reads the probabilities (e)
  /// and writes the output (e) and mask (1); backward reads the gradient (e) and mask (1) and
  /// writes the input gradient (e).
  ///
  /// SDPA's kernels draw the mask inside the kernel (not
  /// modelled: no published cost to check it against).
  package static func dropoutBytesPerScore(_ e: Double) -> Double { 4 * e + 2 }

  /// Cross-entropy's fp32 traffic per vocabulary entry and token, forward and backward; a
  /// fused linear cross-entropy writes its logits chunk once and rewrites it in place as the
  /// gradient (Liger), 3e bytes.
  package static let crossEntropyBytesPerVocab = 40.0
  package static func lossBytesPerVocab(_ s: TrainingSetup) -> Double {
    s.loss == .fused ? 3 * Double(s.precision.activationBytes) : crossEntropyBytesPerVocab
  }

  /// The head: lm_head's matmuls, the fp32 cross-entropy, and lm_head's autocast casts; once
  /// more for each multi-token-prediction layer, with its 2h → h projection.
  package static func headSeconds(_ s: TrainingSetup, _ roof: Roofline) -> Double {
    guard s.model.holdsHead else { return 0 }
    let hidden = Double(s.model.hidden), vocab = Double(s.model.vocab)
    let tokens = Double(s.tokensPerMicroBatch)
    let e = Double(s.precision.activationBytes)
    let head =
      roof.linearSeconds(tokens: tokens, input: hidden, output: vocab, e: e)
      + lossBytesPerVocab(s) * vocab * tokens / roof.bandwidth
      + (s.policy.autocastCopies ? autocastBytesPerWeight * vocab * hidden / roof.bandwidth : 0)
    let mtp = Double(s.model.heldMTPLayers)
    guard mtp > 0 else { return head }
    return (1 + mtp) * head + mtp * roof.linearSeconds(tokens: tokens, input: 2 * hidden, output: hidden, e: e)
  }

  // MARK: - Accounting

  /// The model FLOPs of one micro-batch, for MFU: the work the step needs, no more.
  ///
  /// 6 per
  /// matmul parameter per token (the tied head's matmul counted though its weight is the
  /// embedding's; a frozen linear 4, no weight gradient; one below every gradient 2, forward
  /// only), and attention's 12·h·s per token and layer (Narayanan et al. 2021, arXiv:2104.04473
  /// eq. 3) halved by the causal mask, over the positions a sliding window leaves where the
  /// kernel skips them (flash), a third of it (forward only) in layers below every gradient.
  /// Recomputation is not model work. So MFU never exceeds the matmul share the time charges.
  package static func modelFLOPs(_ s: TrainingSetup, _ inv: ParameterInventory) -> Double {
    let m = s.model
    let hidden = Double(m.hidden), vocab = Double(m.vocab), tokens = Double(s.tokensPerMicroBatch)
    let l = s.layerTraining
    let perParameter = Double(6 * l.trained + 4 * l.frozen + 2 * l.inert) / Double(m.layers)
    let window = s.attention == .flash ? slidingWindowShare(s) : 1
    let attentionLayers = Double(l.trained + l.frozen) + Double(l.inert) / 3
    // The MTP layers' matmuls are in the inventory; their attention and their pass through the
    // shared head are added here.
    let mtp = Double(m.heldMTPLayers)
    let heads = (m.tiedEmbeddings ? 1 : 0) + mtp
    // A capacity below 1 drops routed tokens before their experts: that work is not done
    // (padding to capacity computes empty rows, which are not model FLOPs either).
    let dropped = Double(inv.activeExpertMatmulParameters) * (1 - min(1, s.routing.capacityFactor ?? 1))
    let active = Double(inv.activeMatmulParameters) - dropped
    return (perParameter * active + 6 * heads * vocab * hidden) * tokens
      + 6 * (attentionLayers + mtp) * m.attentionWidth * Double(s.sequence) * window * tokens
  }

  /// Seconds per step refreshing projections (GaLore's SVD), from the optimizer's family.
  package static func refreshSeconds(_ s: TrainingSetup, _ inv: ParameterInventory) -> Double {
    s.optimizer.kind.family.refreshSeconds(s, inv)
  }

  /// `optimizer.step()` seconds on one full replica.
  ///
  /// The regular group's memory traffic (the family's bytes per parameter, `Families/`) or the
  /// Python loop's host time per tensor, whichever is longer, plus what the family does beyond
  /// it (projections, orthogonalisation) and the master-weight copies.
  package static func optimizerSeconds(_ s: TrainingSetup, _ inv: ParameterInventory, _ roof: Roofline) -> Double {
    let o = s.optimizer
    let family = o.kind.family
    let projects = family.projectsLowRankGroup
    let regular = Double(inv.parameters - (projects ? inv.lowRankParameters : 0))
    let regularTensors = Double(inv.tensorCount - (projects ? inv.lowRankTensorCount : 0))
    let implementation = s.stepImplementation
    let regularBytes =
      family.regularStepBytes(o, implementation: implementation, paramBytes: Double(s.policy.stateBytes)) * regular
    let perTensorHost = implementation == .loop ? hostSecondsPerTensor : 0
    let seconds = max(regularTensors * perTensorHost, regularBytes / roof.bandwidth)
    return seconds + family.extraStepSeconds(s, inv, roof) + masterCopySeconds(s, inv, roof)
  }

  /// The optimizer step: on the GPU over this GPU's share (and a paged optimizer's traffic), or
  /// with `offload.optimizer`/`offload.parameters` on the host — the gradients copied down and
  /// the 16-bit weights back up over the host link, and the CPU Adam step over the node's
  /// memory bandwidth, which the node's GPUs' processes share (`HostModel`).
  package static func stepSeconds(_ s: TrainingSetup, _ inv: ParameterInventory, _ roof: Roofline) -> Double {
    let trained = inv.trainable(s)
    guard s.offload.optimizer || s.offload.parameters else {
      return optimizerSeconds(s, trained, roof) * updatedShare(s, inv) + pagingSeconds(s, inv)
    }
    let owned = Double(trained.parameters) * updatedShare(s, inv)
    let link = s.gpu.hostLinkBandwidth * HostModel.hostLinkEfficiency
    let transfers = owned * (Double(s.policy.gradientBytes) + Double(s.policy.computeBytes)) / link
    let cpu = owned * HostModel.cpuAdamBytes * Double(s.nodeSize) / HostModel.nodeMemoryBandwidth
    return transfers + cpu
  }

  /// A paged optimizer short of GPU memory streams the states that live on the host in and out
  /// every step, at about half the host link's rate ("page-by-page eviction … roughly half of
  /// PCIe bandwidth", bitsandbytes docs `explanations/optimizers.mdx`).
  package static func pagingSeconds(_ s: TrainingSetup, _ inv: ParameterInventory) -> Double {
    guard s.optimizer.paged else { return 0 }
    let onHost = Double(MemoryModel.estimate(s, inv).pagedToHost)
    return 2 * onHost / (s.gpu.hostLinkBandwidth * 0.5)
  }

  /// A master-weight optimizer's extra traffic: low-precision gradients cast to fp32 (read 2,
  /// write 4 bytes) and the updated master copied into the bf16 weights (read 4, write 2) —
  /// DeepSpeed stage_1_and_2.py, Megatron `_copy_main_params_to_model_params`.
  package static func masterCopySeconds(_ s: TrainingSetup, _ inv: ParameterInventory, _ roof: Roofline) -> Double {
    let policy = s.policy
    guard policy.masterBytes > 0 else { return 0 }
    let cast = policy.gradientBytes < policy.masterBytes ? 6.0 : 0
    return (6 + cast) * Double(inv.parameters) / roof.bandwidth
  }
}
