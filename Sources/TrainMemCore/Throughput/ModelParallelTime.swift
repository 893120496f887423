// The step of a tensor-, pipeline- or context-parallel run: each pipeline stage's
// micro-batch as its GPUs run it (the local model of `TrainingSetup.stage`), with the
// collectives model parallelism adds on the critical path, and the pipeline's bubble.

extension ThroughputModel {
  /// Megatron's schedule: the slowest stage's micro-batch (its layers with their tensor- and
  /// context-parallel exchanges, the head on the last stage, the sends between stages) taken
  /// m + (p − 1)/v times — the bubble is (p − 1)/(v·m) of the step (Narayanan et al.
  ///
  /// 2021,
  /// arXiv 2104.04473, §2.2) —, then the stage's data-parallel reduction and optimizer step.
  package static func modelParallelEstimate(_ s: TrainingSetup) -> ThroughputEstimate {
    let parts = modelParallelParts(s)
    let m = Double(s.accumulation)
    let compute = parts.slowest * (m + parts.bubble)
    let tokensPerStep = Double(s.tokensPerMicroBatch) * m * Double(s.dataParallel)
    let step = compute + parts.optimizer + parts.communication + parts.refresh
    let peak = Roofline(s).peak
    // Model FLOPs of the whole job over every GPU's peak.
    let flops = modelFLOPs(s, ParameterInventory(s.model)) * m * Double(s.dataParallel)
    return ThroughputEstimate(
      compute: compute, optimizer: parts.optimizer, communication: parts.communication,
      projectionRefresh: parts.refresh, tokensPerStep: tokensPerStep, gpus: s.gpus,
      mfu: flops / (step * peak * Double(s.gpus)), hostBound: parts.hostBound)
  }

  /// The parts of a model-parallel step, computed once for the estimate and the ledger: each
  /// stage's micro-batch, the slowest of them, the bubble in micro-batches, and the largest
  /// optimizer step, exposed collectives and refresh of any stage.
  package struct ModelParallelParts {
    package var stages: [StageTime]
    package var slowest: Double
    package var bubble: Double
    package var optimizer = 0.0
    package var communication = 0.0
    /// The stage whose exposed communication is the largest (the ledger lists its collectives).
    package var communicating = 0
    package var refresh = 0.0
    package var hostBound = false
  }

  package static func modelParallelParts(_ s: TrainingSetup) -> ModelParallelParts {
    let mp = s.modelParallel
    let stages = s.stages.map { stageTime(s, $0) }
    // Every stage runs at the slowest stage's pace: a faster stage waits, and its collectives
    // and host copies hide behind that pace, not behind its own (shorter) micro-batch. So
    // making a stage that is not the slowest slower (more recomputation) frees nothing, and a
    // faster GPU never exposes more than it saves.
    let slowest = stages.map(\.microBatch).max() ?? 0
    let bubble = Double(mp.pipeline - 1) / Double(mp.schedule == .interleaved ? mp.virtualStages : 1)
    var parts = ModelParallelParts(stages: stages, slowest: slowest, bubble: bubble)
    for (index, time) in stages.enumerated() {
      let stage = time.stage
      let inv = ParameterInventory(stage.model)
      let roof = Roofline(stage)
      parts.optimizer = max(parts.optimizer, stepSeconds(stage, inv, roof))
      parts.refresh = max(parts.refresh, refreshSeconds(stage, inv.trainable(stage)) * updatedShare(stage, inv))
      let communication =
        communicationSeconds(stage, inv, microBatch: slowest) + offloadExposedSeconds(stage, inv, slowest)
      if communication > parts.communication { parts.communicating = index }
      parts.communication = max(parts.communication, communication)
      parts.hostBound = parts.hostBound || time.layer.host > time.layer.gpu + time.tensor + time.context
    }
    return parts
  }

  /// The group of a layer's tensor-parallel GPUs: inside a node when t fits in it.
  package static func tensorGroup(_ s: TrainingSetup) -> CollectiveGroup {
    let t = s.modelParallel.tensor
    return CollectiveGroup(
      gpus: t, perNode: min(t, s.nodeSize), intra: s.intraNodeLink, inter: s.interNodeLink, nvlink: s.gpu.nvlinkPeers)
  }

  /// One layer's tensor-parallel collectives per micro-batch, not overlapped (Megatron's default
  /// without `--tp-comm-overlap`): two all-reduces of the layer's b·s·h activations forward (after
  /// attention and after the MLP) and two backward (Shoeybi et al.
  ///
  /// 2019, Fig. 4), two more for a
  /// recomputed forward; with sequence parallelism an all-gather and a reduce-scatter replace
  /// each, the same bytes (Korthikanti et al. 2022 §4.2.2).
  package static func tensorParallelSeconds(_ s: TrainingSetup, _ stage: TrainingSetup) -> Double {
    guard s.modelParallel.tensor > 1 else { return 0 }
    let bytes = Double(stage.tokensPerMicroBatch) * Double(s.model.hidden) * Double(s.precision.activationBytes)
    let recomputed = Double(stage.recomputedLayers) / Double(max(1, stage.model.layers))
    return (4 + 2 * recomputed) * tensorGroup(s).allReduce(bytes)
  }

  /// Context parallelism's ring (Megatron/TE `AttnFuncWithCP`, torchtitan's ring attention):
  /// c − 1 exchanges of a chunk's keys and values forward, and of keys, values and their
  /// gradients backward, each overlapped with the attention over the previous chunk — exposed
  /// only where the transfer outlasts that compute.
  ///
  /// The ring stays inside a node while t·c fits.
  ///
  /// The other exchanges (`ContextParallelType`) are not overlapped: Ulysses' four all-to-alls
  /// (q, k, v in, the output back; their gradients in backward; again in a recomputed forward)
  /// and the all-gather of every chunk's keys and values with the reduce-scatter of their
  /// gradients. `hierarchical` runs the all-to-all inside the node and the ring across nodes.
  package static func contextParallelSeconds(_ s: TrainingSetup, _ stage: TrainingSetup, _ roof: Roofline) -> Double {
    let mp = s.modelParallel, c = mp.context
    guard c > 1 else { return 0 }
    let e = Double(s.precision.activationBytes), tokens = Double(stage.tokensPerMicroBatch), m = stage.model
    let chunk = tokens * Double(m.kvWidth) * e
    let passes = 2 + Double(stage.recomputedLayers) / Double(max(1, m.layers))
    func group(_ n: Int64, inside: Bool) -> CollectiveGroup {
      CollectiveGroup(
        gpus: n, perNode: inside ? n : 1, intra: s.intraNodeLink, inter: s.interNodeLink, nvlink: s.gpu.nvlinkPeers)
    }
    func ring(_ ranks: Int64, inside: Bool) -> Double {
      guard ranks > 1 else { return 0 }
      let link = inside ? s.intraNodeLink : s.interNodeLink
      return max(0, Double(ranks - 1) * (2 * chunk + 4 * chunk) / link - attentionSeconds(stage, roof).compute)
    }
    let shards = stage.stageView.headShards
    let a2a = group(shards, inside: mp.tensor * shards <= s.nodeSize)
    let exchange =
      a2a.allToAll(tokens * Double(m.queryWidth + 2 * m.kvWidth) * e)
      + a2a.allToAll(
        tokens * Double(m.outputWidth) * e)
    switch mp.contextType {
    case .ring: return ring(c, inside: mp.tensor * c <= s.nodeSize)
    case .allToAll: return passes * exchange
    case .hierarchical: return passes * exchange + ring(c / shards, inside: false)
    case .allGather:
      let kv = group(c, inside: mp.tensor * c <= s.nodeSize)
      return passes * kv.allGather(2 * chunk * Double(c))
    }
  }

  /// The point-to-point sends between pipeline stages per micro-batch: the activations forward
  /// and their gradient back, b·s·h values each (split t ways with sequence parallelism, as
  /// Megatron's scatter-gather does), across the network when a stage's t·c·d GPUs fill nodes.
  package static func pipelineSendSeconds(_ s: TrainingSetup, _ stage: TrainingSetup) -> Double {
    let mp = s.modelParallel
    guard mp.pipeline > 1 else { return 0 }
    let bytes =
      Double(stage.tokensPerMicroBatch) * Double(s.model.hidden) * Double(s.precision.activationBytes)
      / Double(mp.sequenceParallel ? mp.tensor : 1)
    let apart = mp.tensor * mp.context * s.dataParallel
    let link = apart >= s.nodeSize ? s.interNodeLink : s.intraNodeLink
    let latency = apart >= s.nodeSize ? CollectiveGroup.networkStepLatency : CollectiveGroup.nvlinkStepLatency
    return 2 * (bytes / link + latency)
  }

  /// One stage's micro-batch and what model parallelism adds to it (see `modelParallelEstimate`).
  package struct StageTime {
    package var stage: TrainingSetup
    package var layer: LayerTime
    package var head: Double
    package var tensor: Double
    package var context: Double
    package var sends: Double
    package var microBatch: Double
  }

  package static func stageTime(_ s: TrainingSetup, _ stage: TrainingSetup) -> StageTime {
    let roof = Roofline(stage)
    let layer = layerTime(stage, roof)
    let tensor = tensorParallelSeconds(s, stage), context = contextParallelSeconds(s, stage, roof)
    let sends = pipelineSendSeconds(s, stage)
    let head = stage.model.holdsHead ? headSeconds(stage, roof) : 0
    let microBatch =
      Double(stage.model.computedLayers) * max(layer.host, layer.gpu + tensor + context) + head + sends
    return StageTime(
      stage: stage, layer: layer, head: head, tensor: tensor, context: context, sends: sends, microBatch: microBatch)
  }

  /// Where a model-parallel step's time goes, read from the same parts as the estimate: the
  /// slowest stage's own terms, the collectives and sends model parallelism adds, the
  /// pipeline's bubble, and the largest optimizer step, data-parallel reduction and refresh of
  /// any stage.
  package static func modelParallelLedger(_ s: TrainingSetup) -> [TimeTerm] {
    let parts = modelParallelParts(s)
    guard let slow = parts.stages.max(by: { $0.microBatch < $1.microBatch }) else { return [] }
    let m = Double(s.accumulation), layers = Double(slow.stage.model.computedLayers)
    var terms = layerTerms(
      slow.stage, slow.layer, layerSteps: layers * m, busy: slow.layer.gpu + slow.tensor + slow.context)
    let where_ = slow.stage.stageView.name.map { " (\($0))" } ?? ""
    terms += [
      TimeTerm(
        name: "lm_head and loss", seconds: slow.head * m, .derived, source: "lm_head matmuls and fp32 cross-entropy"),
      TimeTerm(
        name: "tensor-parallel collectives", seconds: slow.tensor * layers * m,
        .paper,
        source:
          "4 all-reduces of b·s·h per layer (all-gather + reduce-scatter with sequence parallelism), not overlapped"),
      TimeTerm(
        name: "context-parallel ring, exposed", seconds: slow.context * layers * m,
        .framework, source: "keys and values passed around c GPUs, hidden behind attention where it is longer"),
      TimeTerm(
        name: "pipeline sends", seconds: slow.sends * m,
        .derived, source: "activations forward and gradients back between stages, per micro-batch"),
      TimeTerm(
        name: "pipeline bubble", seconds: slow.microBatch * parts.bubble,
        .paper, source: "(p − 1)/(v·m) of the step idle (Narayanan et al. 2021)" + where_),
    ]
    let busiest = parts.stages[parts.communicating].stage
    let communication = communicationTerms(busiest, ParameterInventory(busiest.model), microBatch: parts.slowest)
    return terms
      + perStepTerms(s, optimizer: parts.optimizer, communication: communication, refresh: parts.refresh)
  }
}
