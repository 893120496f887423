// The peak over the phases of a training step (design.md "The memory model"):
//   forward/backward: weights + states + held gradients + saved activations + loss buffers
//   optimizer step:   weights + states + all gradients + the step's temporaries
// then the allocator's reserve and the CUDA context on top.

/// Where in the step the allocated peak occurs.
public enum PeakPhase: String, Sendable {
  case forwardBackward = "forward_backward"
  case optimizerStep = "optimizer_step"
}

/// The memory of one GPU for one setup, every term in bytes.
struct MemoryEstimate: Sendable, Equatable {
  var weights: Int64
  /// bf16 copies of fp32 weights made by autocast and kept for backward (mixed precision) or
  /// gathered ZeRO-3 layers.
  var weightCopies: Int64
  var gradients: Int64
  /// Gradients alive at the forward/backward peak (accumulated ones, or one tensor's when
  /// layer-wise).
  var gradientsHeld: Int64
  /// DDP's reducer buckets: a second copy of every gradient (`gradient_as_bucket_view=False`).
  var gradientBuckets: Int64
  var states: OptimizerStateBytes
  var activations: Int64
  var logits: Int64
  /// Temporaries at the peak: the optimizer step's buffers or a layer's backward buffers.
  var transient: Int64
  var peak: Int64
  var peakPhase: PeakPhase
  var forwardBackwardPeak: Int64
  var optimizerStepPeak: Int64
  /// Allocator cache above the peak, as `nvidia-smi` shows it when memory is plentiful.
  var reserve: Int64
  /// Unavoidable fragmentation inside in-use segments (cannot be released on OOM).
  var fragmentation: Int64
  var context: Int64
  var capacity: Int64

  var reserved: Int64 { peak + reserve }
  /// What must fit: the allocated peak, its fragmentation and the CUDA context.
  var required: Int64 { peak + fragmentation + context }
  var fits: Bool { required <= capacity }
  var headroom: Int64 { capacity - required }
}

enum MemoryModel {
  /// Fragmentation inside live segments, as a fraction of the allocated peak: reserved −
  /// allocated at step 1 (before any cache builds up) is 2.0–5.2% in calibration rows 60M–350M
  /// (measured: calibration/h200-llama-pretrain.json peak_reserved_bytes[0] vs
  /// peak_alloc_bytes[0]). 3% is the middle of that range.
  static let fragmentationFraction = 0.03

  /// Bytes of the weights on each GPU. int8 weights: 1 byte per element plus a bf16 scale and
  /// zero point per group of 128 (Q-GaLore `QLinear`, group size 128 as APOLLO Table 8).
  static func weightBytes(_ s: TrainingSetup, _ inv: ParameterInventory) -> Int64 {
    let full: Int64 = s.precision == .bf16 ? 2 : 4
    var total: Int64 = 0
    for t in inv.tensors {
      if s.weightsInt8 && t.role == .projection {
        total += t.count * (t.elements + (t.elements + 127) / 128 * 4)
      } else {
        total += t.totalElements * full
      }
    }
    return total
  }

  static func estimate(_ s: TrainingSetup) -> MemoryEstimate {
    let inv = ParameterInventory(s.model)
    let paramSize: Int64 = s.precision == .bf16 ? 2 : 4
    let formats = StateFormats(param: s.precision == .bf16 ? .bf16 : .fp32)
    let rank = s.rank
    let n = s.dataParallel
    let o = s.optimizer

    // Persistent tensors, sharded per ZeRO stage (Rajbhandari et al. 2020, arXiv:1910.02054 §5).
    var weights = weightBytes(s, inv)
    var states = OptimizerStates.total(inv, optimizer: o, rank: rank, formats: formats)
    let fullGradients = inv.parameters * paramSize
    var gradients = fullGradients
    if s.parallel.shardsStates {
      states.lowRankMoments /= n; states.projections /= n
      states.regularMoments /= n; states.scalars /= n
    }
    if s.parallel.shardsGradients { gradients = fullGradients / n }
    var weightCopies: Int64 = 0
    if s.parallel.shardsWeights {
      weights /= n
      // FSDP/ZeRO-3 gathers one layer for compute and prefetches the next.
      let layerParams = (inv.parameters - 2 * s.model.vocab * s.model.hidden) / s.model.layers
      weightCopies += 2 * layerParams * 2
    }
    if s.precision == .mixed {
      // torch.autocast caches a bf16 copy of each matmul weight; matmuls save it for backward.
      weightCopies += inv.matmulParameters * 2
    }
    let buckets: Int64 = s.parallel == .ddp ? fullGradients : 0

    let act = ActivationModel.sizes(s)
    let layers = s.model.layers
    let savedLayers: Int64
    let recomputed: Int64
    switch s.checkpointing {
    case .none: savedLayers = layers * act.perLayer; recomputed = 0
    case .full: savedLayers = layers * act.checkpointedLayer; recomputed = act.perLayer
    }
    let activations = savedLayers + act.head

    // Gradients alive during forward/backward of a micro-batch: with accumulation the previous
    // micro-batches' gradients persist (set_to_none only after the step); layer-wise updates
    // hold one tensor's gradient and its update temporaries at a time.
    let layerwiseTransient: Int64 = o.layerwise
      ? inv.tensors.map { OptimizerStates.tensorTransient($0, o, rank, paramSize) + $0.elements * paramSize }.max() ?? 0
      : 0
    let held: Int64 = o.layerwise ? 0 : (s.accumulation > 1 ? gradients : 0)
    let base = weights + weightCopies + states.total + buckets + held

    // Candidate instants of forward/backward (the peak is the largest):
    // 1. the loss backward, all activations alive;
    let atLoss = base + activations + act.lossPeak
    // 2. the first layer's backward: lm_head gradient done, logits kept, one layer's
    //    temporaries (and, with checkpointing, the recomputed layer);
    let lmHeadGrad: Int64 = o.layerwise ? 0 : s.model.vocab * s.model.hidden * paramSize
    let atLayer = base + activations + act.logitsKept + recomputed + act.layerBackwardTransient
      + (held > 0 ? 0 : lmHeadGrad) + layerwiseTransient
    // 3. the end of backward: every gradient (non-layer-wise), the kept logits and the
    //    embedding's incoming gradient (measured: calibration 7B, 2V + 2h bytes per token).
    let atEnd = base - held + (o.layerwise ? layerwiseTransient : gradients)
      + act.logitsKept + act.embeddingGradInput
    let fwdBwd = max(atLoss, atLayer, atEnd)

    // Optimizer step (absent when layer-wise: updates happen inside backward).
    var stepTransient = o.layerwise ? 0 : OptimizerStates.stepTransient(inv, optimizer: o, rank: rank, formats: formats)
    if s.parallel.shardsStates && o.effectiveImplementation == .foreach { stepTransient /= n }
    let stepPeak = o.layerwise ? 0 : weights + states.total + gradients + buckets + stepTransient

    let peak = max(fwdBwd, stepPeak)
    let phase: PeakPhase = stepPeak > fwdBwd ? .optimizerStep : .forwardBackward
    let logits = fwdBwd == atLoss ? act.lossPeak : act.logitsKept
    let transient: Int64
    if phase == .optimizerStep { transient = stepTransient }
    else if fwdBwd == atLayer { transient = recomputed + act.layerBackwardTransient + layerwiseTransient }
    else if fwdBwd == atEnd { transient = act.embeddingGradInput + (o.layerwise ? layerwiseTransient : 0) }
    else { transient = 0 }

    let capacity = s.gpu.memory.count
    let reserve: Int64
    switch s.overhead.reserve {
    case .fraction(let f): reserve = Int64(Double(peak) * f)
    case .amount(let b): reserve = b.count
    case .measured:
      reserve = cachedReserve(phase: phase, activations: activations + recomputed, act: act, vocab: s.model.vocab, tokens: s.tokensPerMicroBatch)
    }
    return MemoryEstimate(
      weights: weights, weightCopies: weightCopies, gradients: gradients,
      gradientsHeld: phase == .optimizerStep ? gradients : (fwdBwd == atEnd && !o.layerwise ? gradients : held),
      gradientBuckets: buckets, states: states,
      activations: phase == .optimizerStep ? 0 : (fwdBwd == atEnd ? 0 : activations),
      logits: phase == .optimizerStep ? 0 : logits,
      transient: transient, peak: peak, peakPhase: phase, forwardBackwardPeak: fwdBwd,
      optimizerStepPeak: stepPeak, reserve: reserve,
      fragmentation: Int64(Double(peak) * fragmentationFraction),
      context: s.overhead.context.count, capacity: capacity)
  }

  /// The caching allocator's cache above the allocated peak (reserved − allocated).
  ///
  /// - Peak at the optimizer step: the blocks activations and loss buffers occupied stay cached
  ///   after backward and are too small for the step's parameter-sized tensors, so reserved ≈
  ///   step peak + the activation working set (measured: calibration 7B AdamW, batch 1: 1.65 GB
  ///   cached vs 1.65 GB of activations; batch 4: 6.93 GB vs 6.6 GB).
  /// - Peak in forward/backward: the fp32 logits block from `logits.float()` (4 · V per token)
  ///   is cached and not reused by later, differently sized requests (measured: calibration
  ///   60M/130M, steady reserved − step-1 reserved = exactly 4 · V · tokens).
  /// The cache is released and the allocation retried before PyTorch reports out-of-memory
  /// (CUDACachingAllocator `release_cached_blocks`), so it is shown but does not decide `fits`.
  static func cachedReserve(phase: PeakPhase, activations: Int64, act: ActivationSizes, vocab: Int64, tokens: Int64) -> Int64 {
    switch phase {
    case .optimizerStep: return activations + act.lossPeak
    case .forwardBackward: return 4 * vocab * tokens
    }
  }
}
