// The peak over the phases of a training step (docs/architecture.md, "The memory model"):
//   forward/backward: weights + states + held gradients + saved activations + loss buffers
//   optimizer step:   weights + states + all gradients + the step's temporaries
// then the allocator's reserve and the CUDA context on top.

/// Where in the step the allocated peak occurs.
public enum PeakPhase: String, Sendable {
  case forwardBackward = "forward_backward"
  case optimizerStep = "optimizer_step"
}

/// What is allocated at one instant of a step.
package struct MemoryInstant: Sendable, Equatable {
  package var phase: PeakPhase = .forwardBackward
  package var weights: Int64 = 0
  package var copies: Int64 = 0
  package var states: Int64 = 0
  package var buckets: Int64 = 0
  package var gradients: Int64 = 0
  package var activations: Int64 = 0
  package var logits: Int64 = 0
  package var transient: Int64 = 0
  package var total: Int64 { weights + copies + states + buckets + gradients + activations + logits + transient }
}

/// The memory of one GPU for one setup, every term in bytes.
public struct MemoryEstimate: Sendable, Equatable {
  package var weights: Int64
  /// bf16 copies of fp32 weights made by autocast and kept for backward (mixed precision) or
  /// gathered ZeRO-3 layers, at the peak instant.
  package var weightCopies: Int64
  package var gradients: Int64
  /// Gradients alive at the forward/backward peak (accumulated ones, or one tensor's when
  /// layer-wise).
  package var gradientsHeld: Int64
  /// DDP's reducer buckets: a second copy of every gradient (`gradient_as_bucket_view=False`).
  package var gradientBuckets: Int64
  package var states: OptimizerStateBytes
  package var activations: Int64
  package var logits: Int64
  /// Temporaries at the peak: the optimizer step's buffers or a layer's backward buffers.
  package var transient: Int64
  public internal(set) var peak: Int64
  package var peakPhase: PeakPhase
  /// The pipeline stage that holds the peak ("first stage"); nil without a pipeline.
  package var stage: String? = nil
  package var forwardBackwardPeak: Int64
  package var optimizerStepPeak: Int64
  /// Allocator cache above the peak, as `nvidia-smi` shows it when memory is plentiful.
  package var reserve: Int64
  /// Unavoidable fragmentation inside in-use segments (cannot be released on OOM).
  package var fragmentation: Int64
  package var context: Int64
  public internal(set) var capacity: Int64
  /// The allocator's cap in bytes when the run sets `memory_limit`; `capacity` is then at most
  /// cap + context.
  package var limit: Int64? = nil
  /// Headroom the run asks to keep (`margin` × capacity); 0 without a margin.
  package var margin: Int64 = 0
  /// Host memory this GPU's process holds for what `offload` moves there.
  package var host: Int64 = 0
  /// A paged optimizer's moments in unified memory: on the GPU while there is room, paged to
  /// the host when there is not; outside the allocated peak and `required`.
  package var pagedStates: Int64 { states.paged }
  /// The part of the paged states that does not fit beside the run and lives on the host.
  package var pagedToHost: Int64 { min(states.paged, max(0, Checked.saturatingSum(required, states.paged) - capacity)) }

  package var reserved: Int64 { Checked.saturatingSum(peak, reserve) }
  /// Fits, but with less to spare than the margin asks: what the model leaves out (NCCL
  /// buffers, fragmentation beyond its 3%, library workspaces, other processes) may not fit.
  package var narrow: Bool { fits && headroom < margin }
  /// One fit state for every report and exit status: fits, fits within the margin, or not.
  package var fit: FitState { !fits ? .no : narrow ? .narrow : .fits }
  /// What must fit: the allocated peak, its fragmentation and the CUDA context.
  public var required: Int64 { Checked.saturatingSum(peak, fragmentation, context) }
  public var fits: Bool { required <= capacity }
  public var headroom: Int64 { capacity - required }
}

public enum MemoryModel {
  /// Fragmentation inside live segments, as a fraction of the allocated peak: reserved −
  /// allocated at step 1 (before any cache builds up) is 2.0–5.2% in calibration rows 60M–350M
  /// (measured: calibration/h200-llama-pretrain.json peak_reserved_bytes[0] vs
  /// peak_alloc_bytes[0]).
  ///
  /// 3% is the middle of that range.
  package static let fragmentationFraction = 0.03

  /// Bytes of the weights on each GPU.
  ///
  /// - projections in int8: Q-GaLore's `QLinear` (1 byte and a bf16 scale and zero point per
  ///   group of 128, APOLLO Table 8), or under LoRA bitsandbytes LLM.int8 (`Int8Params`: int8
  ///   and one fp32 scale per output row); in NF4 (QLoRA) `NF4.bytes`;
  /// - under QLoRA every other weight in fp32 (peft `prepare_model_for_kbit_training`);
  /// - LoRA adapters in fp32.
  package static func weightBytes(_ s: TrainingSetup, _ inv: ParameterInventory) -> Int64 {
    let full = s.policy.weightBytes
    let others: Int64 = s.upcastsUnquantized ? 4 : full
    var total: Int64 = 0
    for t in inv.tensors {
      guard t.role == .projection else {
        total += t.totalElements * others
        continue
      }
      if s.weights == .nf4 {
        total += t.count * NF4.bytes(elements: t.elements, doubleQuant: s.nf4DoubleQuant)
      } else if s.weightsInt8 {
        total += t.count * (s.lora != nil ? t.elements + t.rows * 4 : t.elements + (t.elements + 127) / 128 * 4)
      } else {
        total += t.totalElements * full
      }
    }
    if let lora = s.lora {
      total += ParameterInventory.adapters(lora, of: inv, model: s.model).parameters * lora.dtype.bytes
    }
    return total
  }

  public static func estimate(_ s: TrainingSetup) -> MemoryEstimate {
    estimate(s, ParameterInventory(s.model))
  }

  /// The estimate with the model's inventory given (sweeps reuse it across points): the
  /// persistent tensors, the instants of a step (the peak is the largest), and the capacity.
  package static func estimate(_ s: TrainingSetup, _ inv: ParameterInventory) -> MemoryEstimate {
    if s.modelParallel.isActive { return modelParallelEstimate(s) }
    let held = persistent(s, inv)
    let act = ActivationModel.sizes(s)
    let candidates = instants(s, inv, held, act)
    var top = candidates[0]
    var forwardBackwardPeak: Int64 = 0, stepPeak: Int64 = 0
    for c in candidates {
      if c.total > top.total { top = c }
      switch c.phase {
      case .forwardBackward: forwardBackwardPeak = max(forwardBackwardPeak, c.total)
      case .optimizerStep: stepPeak = max(stepPeak, c.total)
      }
    }
    let peak = top.total
    let (savedActivations, recomputed) = activationBytes(s, act)
    let reserve: Int64
    switch s.overhead.reserve {
    case .fraction(let f): reserve = Checked.bytes(Double(peak) * f)
    case .amount(let b): reserve = b.count
    case .measured:
      reserve = cachedReserve(
        phase: top.phase, activations: savedActivations + recomputed, act: act, vocab: s.model.vocab,
        tokens: s.tokensPerMicroBatch)
    }
    let (capacity, limit) = capacity(s)
    return MemoryEstimate(
      weights: held.weights, weightCopies: top.copies, gradients: held.gradients,
      gradientsHeld: top.gradients, gradientBuckets: held.buckets, states: held.states,
      activations: top.activations, logits: top.logits,
      transient: top.transient, peak: peak, peakPhase: top.phase, forwardBackwardPeak: forwardBackwardPeak,
      optimizerStepPeak: stepPeak, reserve: reserve,
      fragmentation: Int64(Double(peak) * fragmentationFraction),
      context: s.overhead.context.count, capacity: capacity, limit: limit,
      margin: Checked.bytes(Double(capacity) * s.margin),
      host: Checked.saturatingSum(held.host, offloadedActivations(s)))
  }

  /// Under tensor, pipeline or context parallelism: each stage that can hold the peak (the
  /// first: embedding, most layers, micro-batches in flight; the last: head and loss) as its
  /// GPUs see it; the one needing most memory, named.
  package static func modelParallelEstimate(_ s: TrainingSetup) -> MemoryEstimate {
    var worst: MemoryEstimate?
    for stage in s.stages {
      var e = estimate(stage, ParameterInventory(stage.model))
      e.stage = stage.stageView.name
      if worst == nil || e.required > worst!.required { worst = e }
    }
    return worst!
  }

  /// The tensors that live through the whole step, per GPU.
  package struct Persistent {
    package var weights: Int64
    package var states: OptimizerStateBytes
    /// Every gradient of this GPU's shard.
    package var gradients: Int64
    /// Gathered ZeRO-3/FSDP layers and autocast copies, at their largest (during forward).
    package var weightCopies: Int64
    /// Transformer Engine's FP8 weight cache: present at every instant of the step.
    package var fp8Cache: Int64 = 0
    /// FSDP with `reshard_after_forward: false`: the other layers' gathered weights, kept from
    /// each layer's forward to its backward.
    package var forwardCopies: Int64 = 0
    /// FSDP under `gradient_sync: step`: the unsharded gradients accumulated between
    /// micro-batches until the last one reduce-scatters them.
    package var unshardedGradients: Int64 = 0
    package var buckets: Int64
    /// What `offload` keeps in host memory instead.
    package var host: Int64 = 0
  }

  /// Weights, optimizer states (with the fp32 master copy) and gradients, sharded per ZeRO
  /// stage (Rajbhandari et al.
  ///
  /// 2020, arXiv:1910.02054 §5.1: Pos shards states, Pos+g also
  /// gradients, Pos+g+p also weights) over the shard group; the copies ZeRO-3/FSDP gather and
  /// autocast caches; the gradient buckets.
  /// With `expert_parallel: e`, each GPU holds 1/e of the experts, sharded further over the
  /// shard group's GPUs that hold the same experts (torchtitan's `dp_shard_mod_ep` mesh).
  package static func persistent(_ s: TrainingSetup, _ inv: ParameterInventory) -> Persistent {
    let policy = s.policy
    let ep = s.expertParallel
    var held: Persistent
    if ep > 1 && inv.expertParameters > 0 {
      let dense = modelStates(s, ParameterInventory(tensors: inv.tensors.filter { !$0.expert }, model: s.model), 1)
      let experts = modelStates(
        s, ParameterInventory(tensors: inv.tensors.filter(\.expert), model: s.model), ep,
        group: s.shardDegree * s.stageView.expertFold)
      held = dense
      held.weights += experts.weights
      held.gradients += experts.gradients
      held.states.add(experts.states)
    } else {
      held = modelStates(s, inv, 1)
    }
    if s.parallel.shardsWeights { held.weightCopies = gatheredWeights(s, inv) }
    if policy.autocastCopies {
      // torch.autocast caches a bf16 copy of each matmul weight; matmuls save it for backward.
      // Under expert parallelism only this GPU's experts are cast. The cache keeps only weights
      // that require grad (`autocast_mode.cpp`: `arg.requires_grad() && arg.is_leaf()`): under
      // LoRA the adapters, not the frozen base.
      held.weightCopies +=
        s.lora != nil
        ? inv.trainable(s).parameters * 2
        : (inv.matmulParameters - (inv.expertParameters - inv.expertParameters / ep)) * 2
    }
    if let recipe = s.fp8 {
      // Only this GPU's experts are gathered, cast and cached under expert parallelism.
      let converted = s.localFP8Parameters(inv)
      if recipe.gathersInFP8 && (s.parallel == .fsdp || s.parallel == .hsdp) {
        // Two gathered layers hold their converted weights in FP8 (1 byte) instead of bf16; the
        // converted weights include the MTP layers', so the average is over every computed layer.
        held.weightCopies -= 2 * converted / max(1, s.model.computedLayers) * (s.policy.computeBytes - 1)
      }
      held.fp8Cache = Checked.bytes(Double(converted) * recipe.cachedWeightBytes(s.gpu))
    }
    held.buckets = gradientBuckets(s, inv)
    held.forwardCopies = keptGatheredWeights(s, inv)
    held.unshardedGradients = accumulatedUnshardedGradients(s, inv)
    if s.offload.optimizer || s.offload.parameters {
      // The host holds the fp32 master, the moments and fp32 gradients (DeepSpeed's
      // `single_partition_of_fp32_groups` and fp32 `.grad`, FSDP's offloaded shards); the GPU
      // keeps each gradient only until it is copied down.
      let shards = s.parallel.shardsStates ? s.shardDegree : 1
      held.host += held.states.total + held.states.paged + inv.trainable(s).parameters * 4 / shards
      if s.policy.masterBytes == 0 && s.policy.weightBytes < 4 {
        held.host += inv.trainable(s).parameters * 4 / shards  // the fp32 master DeepSpeed adds
      }
      held.states = OptimizerStateBytes()
      held.gradients = 0
    }
    if s.offload.parameters {
      held.host += held.weights
      held.weights = 0
    }
    return held
  }

  /// Saved activations `offload.activations` moves to the host: all but about a layer in flight,
  /// or with `offload.activation_layers` N only N layers' (`onGPUWhenOffloading`).
  package static func offloadedActivations(_ s: TrainingSetup) -> Int64 {
    guard s.offload.activations else { return 0 }
    let act = ActivationModel.sizes(s)
    let saved = activationBytes(s, act, offloading: false).saved
    return max(0, saved - onGPUWhenOffloading(s, act, saved: saved))
  }

  /// The saved activations that stay on the GPU under activation offload: the head's, about a
  /// layer in flight, and the share of the layers' saved tensors (`saved`, recomputation and
  /// pipeline included) that `offload.activation_layers` leaves on the GPU.
  package static func onGPUWhenOffloading(_ s: TrainingSetup, _ act: ActivationSizes, saved: Int64) -> Int64 {
    let kept = s.offload.activationLayers.map { max(0, s.model.layers - $0) } ?? 0
    let layers = max(0, saved - act.head)
    let keptBytes = kept == 0 ? 0 : Int64((Double(layers) * Double(kept) / Double(max(1, s.model.layers))).rounded())
    return act.head + act.perLayer * HostModel.activationLayersOnGPU + keptBytes
  }

  /// Weights, states and gradients of `inv`'s tensors on one GPU when `split` GPUs divide them
  /// first (expert parallelism) and the parallel mode shards them over the rest of its group
  /// (`group` GPUs; the shard degree unless the expert group folds in tensor ranks).
  package static func modelStates(_ s: TrainingSetup, _ inv: ParameterInventory, _ split: Int64, group: Int64? = nil)
    -> Persistent
  {
    let policy = s.policy
    // LoRA adapters are fp32 whatever the precision (peft), with fp32 gradients and states;
    // bf16 adapters (torchtune) have bf16 ones.
    let adapters = s.lora != nil
    let bf16States = adapters ? s.lora?.dtype == .bf16 : policy.stateBytes == 2
    let formats = StateFormats(param: bf16States ? .bf16 : .fp32)
    // The shard group: the data-parallel GPUs, or for experts the expert group with the
    // tensor ranks it folds in (Megatron's expert-data parallelism).
    let n = max(1, (group ?? s.shardDegree) / split)
    var weights = weightBytes(s, inv) / split
    // Gradients, states and the master copy exist for the trained parameters only.
    let trained = inv.trainable(s)
    var states = OptimizerStates.total(trained, optimizer: s.optimizer, rank: s.rank, formats: formats)
    states.masterWeights = adapters ? 0 : trained.parameters * policy.masterBytes
    // A paged optimizer's large moments leave the allocator for unified memory.
    states.paged = OptimizerStates.pagedBytes(trained, optimizer: s.optimizer, formats: formats)
    states.regularMoments -= states.paged
    let partitioned = s.parallel.shardsStates && s.optimizer.kind.family.shardsStatesWithZeRO
    states = states.divided(by: split * (partitioned ? n : 1))
    let gradientBytes = s.lora?.dtype.bytes ?? policy.gradientBytes
    var gradients = trained.parameters * gradientBytes / split / (s.parallel.shardsGradients ? n : 1)
    // BF16_Optimizer's bf16 gradients, beside its fp32 accumulation buffer.
    if s.usesBF16Optimizer { gradients += trained.parameters * policy.computeBytes / split }
    if s.parallel.shardsWeights { weights /= n }
    return Persistent(weights: weights, states: states, gradients: gradients, weightCopies: 0, buckets: 0)
  }

  /// DeepSpeed's `reduce_bucket_size` default, elements (zero/config.py: 5e8).
  package static let deepSpeedReduceBucketElements: Int64 = 500_000_000

  /// The unsharded weights alive during forward and backward under ZeRO-3/FSDP.
  /// - FSDP (`fsdp`, `hsdp`), one unit per decoder layer as torchtitan and HF accelerate wrap
  ///   it: the current layer and the prefetched next (`BackwardPrefetch.BACKWARD_PRE`: "the
  ///   current set of parameters, next set of parameters"; `_limiter_utils.py` allows 2
  ///   all-gathers in flight), plus the root unit — embedding, final norm, lm_head — which is
  ///   not resharded after forward (FSDP `_runtime_utils.py`: `free_unsharded_flat_param = not
  ///   state._is_root`).
  /// - DeepSpeed ZeRO-3 gathers module by module: the largest linear plus a prefetch bucket
  ///   (`stage3_prefetch_bucket_size`), at most `stage3_max_live_parameters` but never less than
  ///   the module in use (`partitioned_param_coordinator.py`).
  package static func gatheredWeights(_ s: TrainingSetup, _ inv: ParameterInventory) -> Int64 {
    let bytes = s.policy.computeBytes
    if s.parallel == .zero3 {
      let largest = inv.tensors.filter { $0.role == .projection }.map(\.elements).max() ?? 0
      return max(largest, min(largest + min(s.zero3.prefetch, inv.parameters), s.zero3.maxLive)) * bytes
    }
    let root = inv.embeddingParameters + inv.lmHeadParameters + inv.finalNormParameters
    return (2 * layerParameters(s, inv) + root) * bytes
  }

  /// FSDP with `reshard_after_forward: false` (FSDP2 `fully_shard`; FSDP1 `SHARD_GRAD_OP`)
  /// frees no layer's gathered weights after its forward: every decoder layer's stay until
  /// its backward, beyond the two `gatheredWeights` counts (torchao's FP8 gather keeps the
  /// converted ones in 1 byte).
  package static func keptGatheredWeights(_ s: TrainingSetup, _ inv: ParameterInventory) -> Int64 {
    guard s.parallel == .fsdp || s.parallel == .hsdp, !s.overlap.reshardAfterForward else { return 0 }
    let bytes = s.policy.computeBytes
    let root = inv.embeddingParameters + inv.lmHeadParameters + inv.finalNormParameters
    let remoteExperts = inv.expertParameters - inv.expertParameters / s.expertParallel
    var all = (inv.parameters - root - remoteExperts) * bytes
    if s.fp8?.gathersInFP8 == true { all -= s.localFP8Parameters(inv) * (bytes - 1) }
    return max(0, all - 2 * layerParameters(s, inv) * bytes)
  }

  /// FSDP's gradients under `gradient_sync: step`: `set_requires_gradient_sync(False)` skips the
  /// reduce-scatter, so each micro-batch adds into the full unsharded gradient, in the reduce
  /// dtype when it differs from the compute dtype (`FSDPParam.to_accumulated_grad_if_needed`),
  /// until the last micro-batch reduces it (torch/distributed/fsdp/_fully_shard).
  package static func accumulatedUnshardedGradients(_ s: TrainingSetup, _ inv: ParameterInventory) -> Int64 {
    guard s.parallel == .fsdp || s.parallel == .hsdp, s.gradientSync == .step, s.accumulation > 1 else { return 0 }
    let trained = inv.trainable(s).parameters
    let local = Double(inv.parameters - (inv.expertParameters - inv.expertParameters / s.expertParallel))
    let share = local / Double(max(1, inv.parameters))
    return Int64((Double(trained) * share).rounded()) * s.policy.reduceBytes
  }

  /// One decoder layer's parameters on this GPU: everything but the embedding, the head and
  /// the final norm, and of the experts only this GPU's share under expert parallelism; the
  /// MTP layers count as layers.
  package static func layerParameters(_ s: TrainingSetup, _ inv: ParameterInventory) -> Int64 {
    let m = s.model
    let layers =
      inv.parameters - inv.embeddingParameters - inv.lmHeadParameters - inv.finalNormParameters - m.mtpExtraParameters
    guard let moe = m.moe else { return layers / m.computedLayers }
    // Dense and MoE layers differ: the larger, with this GPU's experts only.
    let per = LayerPlan.elementsPerLayer(of: m)
    let mlp = per.mlp, experts = per.expert
    let sparseLayers = m.computedMoELayers, denseLayers = m.computedLayers - sparseLayers
    let sparse = experts + per.router + per.sharedExpert + per.sharedGate
    let common = (layers - denseLayers * mlp - sparseLayers * sparse) / m.computedLayers
    let localSparse = sparse - experts + experts / moe.experts * (moe.experts / s.expertParallel)
    return common + max(denseLayers > 0 ? mlp : 0, sparseLayers > 0 ? localSparse : 0)
  }

  /// Buffers gradients pass through on their way to the reduction: DDP's reducer buckets, a
  /// second copy of every gradient (`gradient_as_bucket_view=False`); DeepSpeed ZeRO's
  /// contiguous reduce bucket (`ipg_buffer`, `reduce_bucket_size` elements in the gradient
  /// dtype — stage_1_and_2.py, stage3.py).
  ///
  /// Megatron's DDP reduces in place in its main-gradient
  /// buffer and FSDP reduce-scatters each unit's gradients (counted as a layer's transient).
  package static func gradientBuckets(_ s: TrainingSetup, _ inv: ParameterInventory) -> Int64 {
    let policy = s.policy
    switch s.parallel {
    case .ddp: return policy.kind == .masterWeights ? 0 : inv.trainable(s).parameters * policy.gradientBytes
    case .zero1, .zero2, .zero3:
      // Megatron's distributed optimizer reduces straight from its contiguous gradient buffer;
      // LOMO's hooks run under DeepSpeed without a ZeRO optimizer (parameter partitioning only).
      if s.megatron || s.optimizer.kind.family.updatesInBackward { return 0 }
      // With `overlap_comm` stages 1 and 2 double-buffer it (stage_1_and_2.py `ipg_buffer`).
      let buffers: Int64 = s.overlapsComm && s.parallel != .zero3 ? 2 : 1
      return buffers * min(deepSpeedReduceBucketElements, inv.trainable(s).parameters) * policy.gradientBytes
    case .none, .fsdp, .hsdp: return 0
    }
  }

  /// Saved activations of every layer (or, for the layers fully recomputed, their input) and
  /// the head; and the one layer's activations recomputed during backward.
  package static func activationBytes(_ s: TrainingSetup, _ act: ActivationSizes, offloading: Bool = true)
    -> (saved: Int64, recomputed: Int64)
  {
    // Frozen layers below any gradient keep nothing; of the others, the first k recomputed keep
    // their input only.
    let layers = s.model.layers, live = layers - s.inertLayers
    let k = min(s.recomputedLayers, live)
    let kept = k == 0 && live == layers ? act.allLayers : act.allLayers / layers * (live - k)
    // A pipeline stage holds the activations of every micro-batch in flight on it.
    var saved = Int64((Double(k * act.checkpointedLayer + kept) * s.stageView.inFlight).rounded()) + act.head
    if offloading && s.offload.activations {
      // torchtune's OffloadActivations: about a layer's saved tensors in flight on the GPU.
      saved = min(saved, onGPUWhenOffloading(s, act, saved: saved))
    }
    return (saved, k > 0 ? act.perLayer : 0)
  }

  /// The instants of a step: after the forward, at the loss, during backward, in the step.
  package static func instants(
    _ s: TrainingSetup, _ inv: ParameterInventory, _ held: Persistent, _ act: ActivationSizes
  ) -> [MemoryInstant] {
    let policy = s.policy
    let paramSize = policy.stateBytes
    let gradSize = policy.gradientBytes
    let optimizer = s.optimizer
    let rank = s.rank
    let (activations, recomputed) = activationBytes(s, act)
    let trained = inv.trainable(s)
    // Gradients alive during forward/backward of a micro-batch: with accumulation the previous
    // micro-batches' gradients persist (set_to_none only after the step); layer-wise updates
    // hold one tensor's gradient and its update temporaries at a time.
    let inBackward = optimizer.updatesInBackward
    let family = optimizer.kind.family
    let hookShards = s.parallel == .zero3 ? s.shardDegree : 1
    let layerwiseTransient: Int64 =
      inBackward
      ? family.largestBackwardUpdatePeak(trained, optimizer, rank: rank, paramBytes: paramSize, shards: hookShards)
      : 0
    let heldGradients: Int64 = inBackward ? 0 : (s.accumulation > 1 ? held.gradients : 0)
    let gradShard: Int64 = s.parallel.shardsGradients ? s.shardDegree : 1
    let lmHeadGrad: Int64 = inBackward ? 0 : trained.lmHeadParameters * gradSize / gradShard
    let embeddingGrad = trained.embeddingParameters * gradSize / gradShard
    // The MTP layers' eh_proj is trained with the rest, not with adapters.
    let mtpProjections = s.lora == nil ? s.model.mtpProjectionParameters : 0
    let oneLayerGrads =
      max(0, trained.lowRankParameters - mtpProjections) / s.model.computedLayers * gradSize / gradShard
    // During backward only the gathered layer (ZeRO-3) or its autocast copies (mixed) matter;
    // both are gone by the optimizer step.
    let oneLayerCopies = held.weightCopies / max(1, s.model.layers)
    // FSDP's unsharded gradients of the layer in backward, before its reduce-scatter: in the
    // compute dtype, plus an fp32 copy when reducing in fp32 (`reduce_dtype`).
    let unshardedGradients: Int64 =
      s.parallel == .fsdp || s.parallel == .hsdp
      ? layerParameters(s, inv) * (policy.computeBytes + (policy.reduceBytes > policy.computeBytes ? 4 : 0)) : 0

    var fresh = MemoryInstant(weights: held.weights, states: held.states.total, buckets: held.buckets)
    fresh.copies = held.fp8Cache
    var candidates: [MemoryInstant] = []
    // 1. The loss backward: every activation, the logits and cross-entropy buffers.
    var i1 = fresh
    i1.phase = .forwardBackward
    i1.copies = held.weightCopies + held.forwardCopies + held.fp8Cache
    i1.gradients = heldGradients + held.unshardedGradients
    i1.activations = activations
    i1.logits = act.lossPeak
    candidates.append(i1)
    // 2. The last decoder layer's backward (first in backward order): lm_head's gradient done,
    //    the bf16 logits still referenced, one layer's temporaries (and its recomputation).
    var i2 = i1
    i2.gradients = (heldGradients > 0 ? heldGradients : lmHeadGrad) + held.unshardedGradients
    i2.logits = act.logitsKept
    i2.transient = recomputed + act.layerBackwardTransient + layerwiseTransient + unshardedGradients
    candidates.append(i2)
    // 3. The first decoder layer's backward (last in backward order): nearly every gradient,
    //    only that layer's activations (or checkpointed input plus recomputation) left.
    var i3 = fresh
    i3.phase = .forwardBackward
    i3.copies = (s.parallel.shardsWeights ? held.weightCopies : oneLayerCopies) + held.fp8Cache
    i3.gradients =
      (inBackward ? 0 : max(heldGradients, held.gradients - embeddingGrad - oneLayerGrads))
      + held.unshardedGradients
    i3.activations = (recomputed > 0 ? act.checkpointedLayer : act.perLayer)
    i3.logits = act.logitsKept
    i3.transient = recomputed + act.layerBackwardTransient + layerwiseTransient + unshardedGradients
    candidates.append(i3)
    // 4. The end of backward: every gradient, the kept logits and the embedding's incoming
    //    gradient (measured: calibration 7B, exactly 2V + 2h bytes per token above W+S+G).
    var i4 = fresh
    i4.phase = .forwardBackward
    i4.gradients = (inBackward ? 0 : held.gradients) + held.unshardedGradients
    i4.logits = act.logitsKept
    i4.transient = act.embeddingGradInput + layerwiseTransient
    candidates.append(i4)
    // 5. The optimizer step (absent when layer-wise: updates happen inside backward).
    if !inBackward && !s.offload.optimizer && !s.offload.parameters {
      let formats = StateFormats(param: paramSize == 2 ? .bf16 : .fp32)
      let implementation = s.stepImplementation
      var stepTransient = OptimizerStates.stepTransient(
        trained, optimizer: optimizer, implementation: implementation, rank: rank, formats: formats)
      if s.parallel.shardsStates && implementation == .foreach {
        stepTransient /= s.shardDegree
        // DeepSpeed ZeRO-3 steps one sub-group's flat fp32 tensor at a time (stage3.py).
        if s.parallel == .zero3 && !s.megatron {
          let partition = max(1, trained.parameters / s.shardDegree)
          let largest = trained.tensors.map(\.elements).max() ?? 0
          let group = s.zero3SubGroupElements(partition: partition, largestTensor: largest)
          stepTransient = Int64((Double(stepTransient) * Double(group) / Double(partition)).rounded())
        }
      }
      stepTransient += masterGradientCopies(s, trained)
      var i5 = fresh
      i5.phase = .optimizerStep
      i5.gradients = held.gradients
      i5.transient = stepTransient
      candidates.append(i5)
    }
    return candidates
  }

  /// A master-weight optimizer with low-precision gradients flattens this GPU's gradient
  /// partition and casts it to fp32 before the step, both copies at once.
  ///
  /// DeepSpeed stage_1_and_2.py: `flat_grad_partition = self.flatten(...)`,
  /// `single_grad_partition = flat_grad_partition.to(fp32)`; ZeRO-3 does it one optimizer
  /// sub-group at a time (`TrainingSetup.zero3SubGroupElements`).
  ///
  /// Megatron's fp32 main gradients need neither.
  package static func masterGradientCopies(_ s: TrainingSetup, _ inv: ParameterInventory) -> Int64 {
    let policy = s.policy
    guard policy.masterBytes > 0, policy.gradientBytes < policy.masterBytes else { return 0 }
    let shards = s.parallel.shardsStates ? s.shardDegree : 1
    var elements = inv.parameters / shards
    if s.parallel == .zero3 && !s.megatron {
      let largest = inv.tensors.map(\.elements).max() ?? 0
      elements = s.zero3SubGroupElements(partition: elements, largestTensor: largest)
    }
    return elements * (policy.gradientBytes + policy.masterBytes)
  }

  /// What the run may use: the GPU's memory, or under `memory_limit` the cap plus the context
  /// (allocated + fragmentation must stay below the cap — the same test as `required <=
  /// capacity` with the capacity lowered to cap + context).
  package static func capacity(_ s: TrainingSetup) -> (capacity: Int64, limit: Int64?) {
    let limit = s.memoryLimit?.bytes(of: s.gpu.memory)
    let capacity = min(s.gpu.memory.count, limit.map { Checked.saturatingSum($0, s.overhead.context.count) } ?? .max)
    return (capacity, limit)
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
  package static func cachedReserve(
    phase: PeakPhase, activations: Int64, act: ActivationSizes, vocab: Int64, tokens: Int64
  )
    -> Int64
  {
    switch phase {
    case .optimizerStep: return activations + act.lossPeak
    case .forwardBackward: return act.lossCache
    }
  }
}

/// Whether a run fits, as reports and `--check` say it: `narrow` fits at the point estimate with
/// less to spare than the margin asks, and fails `--check` and `fit` like `no`.
package enum FitState: String, Sendable { case fits, narrow, no }
