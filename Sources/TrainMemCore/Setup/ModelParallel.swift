// Tensor, sequence, pipeline and context parallelism, as Megatron-LM lays them out:
// tensor-parallel ranks innermost (inside a node), then context-parallel, then data-parallel,
// pipeline stages outermost (`parallel_state.py`, order tp-cp-dp-pp). The memory and time
// models evaluate one pipeline stage as one of its GPUs sees it: a smaller model (its layers,
// heads / t, intermediate / t, vocabulary / t for the vocab-parallel embedding and loss), a
// shorter sequence (s / c), and the data- and context-parallel ranks sharing its gradients and
// shards. Korthikanti et al. 2022 (arXiv 2205.05198) §4 gives the per-layer activations this
// reproduces: the tensor-parallel region's inputs split t ways, the layer's boundary tensors
// (norms and their outputs) replicated unless sequence parallelism splits them too.

/// The pipeline schedule (Megatron `--num-layers-per-virtual-pipeline-stage`).
public enum PipelineSchedule: String, Sendable, CaseIterable {
  /// PipeDream-Flush one-forward-one-backward: the first stage holds p micro-batches.
  case oneFOneB = "1f1b"
  /// Interleaved 1F1B with `virtual_stages` model chunks per GPU (Narayanan et al. 2021 §2.2).
  case interleaved
}

/// How context parallelism exchanges the sequence between its GPUs (Megatron-Core
/// `--cp-comm-type`, transformer_engine/pytorch/attention: `AttnFuncWithCPAndKVP2P`,
/// `…KVAllGather`, `…QKVOA2A`; DeepSpeed-Ulysses `DistributedAttention`).
public enum ContextParallelType: String, Sendable, CaseIterable {
  /// `p2p`: each GPU keeps its queries and passes key-value chunks around a ring, each transfer
  /// overlapped with the attention over the chunk before (TE, torchtitan's ring attention).
  case ring
  /// `a2a` (DeepSpeed-Ulysses): all-to-alls turn sequence shards into head shards before the
  /// attention and back after, so each GPU attends over the whole sequence for heads / c heads;
  /// not overlapped; the heads must divide by c.
  case allToAll = "all_to_all"
  /// `allgather`: every GPU gathers the whole sequence's keys and values before its attention
  /// (and reduce-scatters their gradients after), holding them all at once; not overlapped.
  case allGather = "all_gather"
  /// `a2a+p2p`: all-to-all among the context ranks inside a node, a ring across nodes.
  case hierarchical
}

/// The model-parallel layout: tensor × pipeline × context GPUs per data-parallel replica.
package struct ModelParallel: Sendable, Equatable {
  package var tensor: Int64 = 1
  package var sequenceParallel = false
  package var pipeline: Int64 = 1
  package var schedule: PipelineSchedule = .oneFOneB
  package var virtualStages: Int64 = 1
  package var context: Int64 = 1
  package var contextType: ContextParallelType = .ring
  /// Megatron-Core's `expert_tensor_parallel_size`: how many ways an expert's width is split.
  ///
  /// nil is the tensor-parallel degree, its default. Below t, the expert group folds the
  /// remaining tensor-parallel ranks into expert and expert-data parallelism ("MoE parallel
  /// folding": ETP × EP × EDP = TP × CP × DP, megatron/core/parallel_state.py).
  package var expertTensor: Int64? = nil
  /// The expert-tensor-parallel degree in effect.
  package var expertTensorDegree: Int64 { max(1, expertTensor ?? tensor) }

  /// The degrees a setting can name.
  package enum Degree: Sendable { case tensor, pipeline, virtualStages, context, expertTensor }

  /// A degree by name (a switch, not a key path: read for every point of a sweep).
  package subscript(_ degree: Degree) -> Int64 {
    get {
      switch degree {
      case .tensor: return tensor
      case .pipeline: return pipeline
      case .virtualStages: return virtualStages
      case .context: return context
      case .expertTensor: return expertTensorDegree
      }
    }
    set {
      switch degree {
      case .tensor: tensor = newValue
      case .pipeline: pipeline = newValue
      case .virtualStages: virtualStages = newValue
      case .context: context = newValue
      case .expertTensor: expertTensor = newValue
      }
    }
  }

  /// The context ranks an all-to-all spans: all of them under `all_to_all`, those inside a node
  /// (after the tensor ranks) under `hierarchical`, none for a ring or all-gather.
  package func headShards(nodeSize: Int64) -> Int64 {
    switch contextType {
    case .ring, .allGather: return 1
    case .allToAll: return context
    case .hierarchical:
      var a = min(context, max(1, nodeSize / tensor))
      while context % a != 0 { a -= 1 }
      return a
    }
  }

  /// GPUs per data-parallel replica.
  package var size: Int64 { tensor * pipeline * context }
  package var isActive: Bool { size > 1 }
  /// "tp 8 × pp 4 × cp 2".
  package var text: String {
    var parts: [String] = []
    if tensor > 1 { parts.append("tp \(tensor)\(sequenceParallel ? " (sequence parallel)" : "")") }
    if pipeline > 1 {
      parts.append("pp \(pipeline)" + (schedule == .interleaved ? " (interleaved, \(virtualStages) virtual)" : ""))
    }
    if context > 1 { parts.append("cp \(context)") }
    return parts.joined(separator: " × ")
  }
}

/// What one GPU of a pipeline stage holds beyond its local model: how many micro-batches'
/// activations are in flight, and by how much sequence parallelism and context parallelism
/// divide what its layers see (defaults: a whole model on one GPU).
package struct StageView: Sendable, Equatable {
  /// Micro-batches whose activations this stage holds at once (1F1B: p on the first stage).
  package var inFlight: Double = 1
  /// Sequence parallelism splits a layer's boundary tensors (norms, their outputs) t ways.
  package var boundaryDivisor: Int64 = 1
  /// Context parallelism: each GPU's queries attend to `attentionSpan` times its own keys.
  package var attentionSpan: Int64 = 1
  /// How the context ranks exchange the sequence, and how many of them an all-to-all spans
  /// (c under `all_to_all`; the ones inside a node under `hierarchical`; 1 for a ring).
  package var contextType: ContextParallelType = .ring
  package var headShards: Int64 = 1
  /// "first stage", for reports; nil for a whole model.
  package var name: String? = nil
  /// The tensor-parallel ranks the expert group folds in beyond the stage's data-parallel ones
  /// (t / expert tensor parallelism): each GPU's experts see 1/fold of the tokens they would
  /// see split t ways, at the width split only ETP ways.
  package var expertFold: Int64 = 1
  /// Tokens a GPU dispatches to the experts: its sequence-parallel share (1/t) under Megatron.
  package var dispatchDivisor: Int64 = 1
  /// Consecutive ranks the expert-parallel group spans (ETP × EP, Megatron's expert rank
  /// order), and the physical node's GPUs, to place it.
  package var expertSpan: Int64 = 1
  package var nodeGPUs: Int64 = 1
}

extension TrainingSetup {
  /// Megatron-LM's mixed precision (`precision: bf16` with `master_weights: fp32`): its saved
  /// activations follow Megatron's fused kernels (`ActivationModel.megatronPerToken`).
  package var megatron: Bool { precision == .bf16 && masterWeights == .fp32 }

  /// The optimizer's update loop as this run's framework runs it: the one given; under
  /// Megatron-LM, Adam is Transformer Engine's FusedAdam (apex's without TE), one multi-tensor
  /// kernel updating the fp32 main parameters in place (megatron/core/optimizer/__init__.py:
  /// `from transformer_engine.pytorch.optimizers import FusedAdam as Adam`); else the library's
  /// default (`OptimizerConfig.effectiveImplementation`).
  package var stepImplementation: StepImplementation {
    if optimizer.implementation == nil && megatron && optimizer.kind == .adamw { return .fused }
    return optimizer.effectiveImplementation
  }

  /// Whether this run's MoE layers compute every expert on every token: transformers' Llama 4
  /// (`MoEConfig.computesEveryToken`), unless Megatron-Core's routed MoE layer runs it.
  package var expertsRunEveryToken: Bool { model.moe?.computesEveryToken == true && !megatron }

  /// The pipeline stages that can hold the peak or the longest step: the first (embedding, the
  /// most layers, p micro-batches in flight) and the last (final norm, head and loss, one
  /// micro-batch); one stage when there is no pipeline.
  ///
  /// Layers that do not divide evenly go to
  /// the first stages (⌈L/p⌉ there, ⌊L/p⌋ on the last: BLOOM's 70 layers on 12 stages).
  package var stages: [TrainingSetup] {
    let mp = modelParallel
    guard mp.isActive else { return [self] }
    let p = mp.pipeline, layers = model.layers
    if p == 1 { return [stage(layers: layers, from: 0, embedding: true, head: true, inFlight: 1, name: nil)] }
    let first = (layers + p - 1) / p, last = layers / p
    let m = Double(accumulation)
    var inFlight = min(Double(p), m)
    if mp.schedule == .interleaved {
      inFlight *= 1 + Double(p - 1) / (Double(p) * Double(mp.virtualStages))
    }
    return [
      stage(layers: first, from: 0, embedding: true, head: false, inFlight: inFlight, name: "first stage"),
      stage(layers: last, from: layers - last, embedding: false, head: true, inFlight: 1, name: "last stage"),
    ]
  }

  /// One stage as its GPUs see it: `layers` decoder layers from the model's layer `first`.
  package func stage(layers: Int64, from first: Int64, embedding: Bool, head: Bool, inFlight: Double, name: String?)
    -> TrainingSetup
  {
    let mp = modelParallel
    var s = self
    // `freeze.layers` counts the model's first layers: a stage freezes those it holds.
    s.freeze.layers = min(layers, max(0, freeze.layers - first))
    let etp = mp.expertTensorDegree
    s.model = model.tensorShard(mp.tensor, expertTensor: etp, layers: layers, embedding: embedding, head: head)
    s.sequence = sequence / mp.context
    // The ranks that share this stage's gradients and shards: data- and context-parallel.
    let replicas = dataParallel * mp.context
    s.gpus = replicas
    if parallel == .none && replicas > 1 { s.parallel = .ddp }
    s.globalBatch = globalBatch.map { $0 * mp.context }
    // The stage's node holds n / t of its GPUs; each keeps its share of the physical node's ports.
    s.interNodeBandwidth = interNodeLink
    s.gpusPerNode = max(1, nodeSize / mp.tensor)
    if let c = checkpointedLayers { s.checkpointedLayers = min(c, layers) }
    s.modelParallel = ModelParallel()
    s.stageView = StageView(
      inFlight: inFlight, boundaryDivisor: mp.sequenceParallel ? mp.tensor : 1, attentionSpan: mp.context,
      contextType: mp.contextType, headShards: mp.headShards(nodeSize: nodeSize), name: name,
      expertFold: max(1, mp.tensor / etp), dispatchDivisor: mp.sequenceParallel ? mp.tensor : 1,
      expertSpan: etp * expertParallel, nodeGPUs: nodeSize)
    return s
  }
}

extension ModelConfig {
  /// One tensor-parallel rank's share of `layers` decoder layers (Megatron's column- and
  /// row-parallel linears: heads, key-value heads — replicated when fewer than t —, the MLP
  /// and the shared expert's widths divided by t, the routed experts' by the expert
  /// tensor-parallel degree; the vocab-parallel embedding and head V / t; norms
  /// whole), with the embedding and the head only on the stages that hold them.
  package func tensorShard(_ t: Int64, expertTensor etp: Int64, layers stageLayers: Int64, embedding: Bool, head: Bool)
    -> ModelConfig
  {
    var m = self
    m.explicitHeadDim = headDim
    m.heads = heads / t
    m.kvHeads = max(1, kvHeads / t)
    m.intermediate = (intermediate + t - 1) / t
    m.vocab = (vocab + t - 1) / t
    if var e = moe {
      e.expertIntermediate = (e.expertIntermediate + etp - 1) / etp
      e.sharedIntermediate = (e.sharedIntermediate + t - 1) / t
      if let l = e.layers { e.layers = l * stageLayers / layers }
      m.moe = e
    }
    m.slidingLayers = slidingLayers * stageLayers / layers
    m.layers = stageLayers
    m.holdsEmbedding = embedding
    m.holdsHead = head
    return m
  }
}
