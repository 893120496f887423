// The step of a tensor-, pipeline- or context-parallel run (issue #21): each pipeline stage's
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
    let mp = s.modelParallel
    var optimizer = 0.0, communication = 0.0, refresh = 0.0
    var hostBound = false
    let stages = s.stages.map { ($0, stageTime(s, $0)) }
    // Every stage runs at the slowest stage's pace: a faster stage waits, and its collectives
    // and host copies hide behind that pace, not behind its own (shorter) micro-batch. So
    // making a stage that is not the slowest slower (more recomputation) frees nothing, and a
    // faster GPU never exposes more than it saves.
    let slowest = stages.map(\.1.microBatch).max() ?? 0
    for (stage, time) in stages {
      let inv = ParameterInventory(stage.model)
      let roof = Roofline(stage)
      optimizer = max(optimizer, stepSeconds(stage, inv, roof))
      refresh = max(refresh, refreshSeconds(stage, inv.trainable(stage)) * updatedShare(stage, inv))
      communication = max(
        communication,
        communicationSeconds(stage, inv, microBatch: slowest) + offloadExposedSeconds(stage, inv, slowest))
      hostBound = hostBound || time.layer.host > time.layer.gpu + time.tensor + time.context
    }
    let m = Double(s.accumulation)
    let bubble = Double(mp.pipeline - 1) / Double(mp.schedule == .interleaved ? mp.virtualStages : 1)
    let compute = slowest * (m + bubble)
    let tokensPerStep = Double(s.tokensPerMicroBatch) * m * Double(s.dataParallel)
    let step = compute + optimizer + communication + refresh
    let peak = Roofline(s).peak
    // Model FLOPs of the whole job over every GPU's peak.
    let flops = modelFLOPs(s, ParameterInventory(s.model)) * m * Double(s.dataParallel)
    return ThroughputEstimate(
      compute: compute, optimizer: optimizer, communication: communication, projectionRefresh: refresh,
      tokensPerStep: tokensPerStep, gpus: s.gpus, mfu: flops / (step * peak * Double(s.gpus)), hostBound: hostBound)
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
  package static func contextParallelSeconds(_ s: TrainingSetup, _ stage: TrainingSetup, _ roof: Roofline) -> Double {
    let c = s.modelParallel.context
    guard c > 1 else { return 0 }
    let chunk = Double(stage.tokensPerMicroBatch) * Double(stage.model.kvWidth) * Double(s.precision.activationBytes)
    let link = s.modelParallel.tensor * c <= s.nodeSize ? s.intraNodeLink : s.interNodeLink
    let ring = Double(c - 1) * (2 * chunk + 4 * chunk) / link
    let attention = attentionSeconds(stage, roof).compute
    return max(0, ring - attention)
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
    package var layer: (gpu: Double, host: Double)
    package var tensor: Double
    package var context: Double
    package var sends: Double
    package var microBatch: Double
  }

  package static func stageTime(_ s: TrainingSetup, _ stage: TrainingSetup) -> StageTime {
    let roof = Roofline(stage)
    let layer = decoderLayer(stage, roof)
    let tensor = tensorParallelSeconds(s, stage), context = contextParallelSeconds(s, stage, roof)
    let sends = pipelineSendSeconds(s, stage)
    let microBatch =
      Double(stage.model.layers) * max(layer.host, layer.gpu + tensor + context)
      + (stage.model.holdsHead ? headSeconds(stage, roof) : 0) + sends
    return StageTime(stage: stage, layer: layer, tensor: tensor, context: context, sends: sends, microBatch: microBatch)
  }

  /// Where a model-parallel step's time goes: the slowest stage's own terms, the collectives and
  /// sends model parallelism adds, the pipeline's bubble, and the largest optimizer step,
  /// data-parallel reduction and refresh of any stage — adding up to `modelParallelEstimate`.
  package static func modelParallelBreakdown(_ s: TrainingSetup) -> [TimeTerm] {
    let mp = s.modelParallel
    let times = s.stages.map { stageTime(s, $0) }
    guard let slow = times.max(by: { $0.microBatch < $1.microBatch }) else { return [] }
    let stage = slow.stage
    let m = Double(s.accumulation), layers = Double(stage.model.layers)
    let own = breakdown(stage, ParameterInventory(stage.model))
    let perStepNames = ["optimizer step", "exposed communication", "projection refresh (amortised)"]
    var terms = own.filter { !perStepNames.contains($0.name) && $0.name != "host dispatch above GPU work" }
    let exchanges = slow.tensor + slow.context
    let where_ = slow.stage.stageView.name.map { " (\($0))" } ?? ""
    terms += [
      TimeTerm(
        name: "host dispatch above GPU work",
        seconds: max(0, slow.layer.host - slow.layer.gpu - exchanges) * layers * m,
        source: "eager PyTorch launches ~130 kernels per layer (fitted: calibration 60M–350M)"),
      TimeTerm(
        name: "tensor-parallel collectives", seconds: slow.tensor * layers * m,
        source:
          "4 all-reduces of b·s·h per layer (all-gather + reduce-scatter with sequence parallelism), not overlapped"),
      TimeTerm(
        name: "context-parallel ring, exposed", seconds: slow.context * layers * m,
        source: "keys and values passed around c GPUs, hidden behind attention where it is longer"),
      TimeTerm(
        name: "pipeline sends", seconds: slow.sends * m,
        source: "activations forward and gradients back between stages, per micro-batch"),
      TimeTerm(
        name: "pipeline bubble",
        seconds: slow.microBatch * Double(mp.pipeline - 1) / Double(mp.schedule == .interleaved ? mp.virtualStages : 1),
        source: "(p − 1)/(v·m) of the step idle (Narayanan et al. 2021)" + where_),
    ]
    // The per-step terms of the stage that is slowest at each, as the estimate takes them.
    var optimizer = 0.0, communication = 0.0, refresh = 0.0
    for time in times {
      let st = time.stage, inv = ParameterInventory(st.model)
      optimizer = max(optimizer, stepSeconds(st, inv, Roofline(st)))
      communication = max(
        communication,
        communicationSeconds(st, inv, microBatch: time.microBatch) + offloadExposedSeconds(st, inv, time.microBatch))
      refresh = max(refresh, refreshSeconds(st, inv.trainable(st)) * updatedShare(st, inv))
    }
    let sources = Dictionary(own.map { ($0.name, $0.source) }, uniquingKeysWith: { a, _ in a })
    for (name, seconds) in zip(perStepNames, [optimizer, communication, refresh]) {
      terms.append(TimeTerm(name: name, seconds: seconds, source: sources[name] ?? ""))
    }
    return terms
  }
}
