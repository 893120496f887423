// The step's time ledger. One computation of each part — a decoder layer's matmuls, attention,
// adapters, casts and elementwise work; the head; the optimizer step; the exposed collectives;
// the refresh — is read both by `ThroughputModel.estimate` (which adds them into the step) and
// by `ThroughputModel.ledger` (which names and cites them), so the two cannot drift apart.

/// One term of a step's time, for reports: the seconds it adds to the step and, for work that
/// overlaps other terms (collectives), the seconds hidden behind them.
package struct TimeTerm: Sendable, Equatable {
  package var name: String
  package var seconds: Double
  package var citation: Citation
  package var hidden = 0.0
  package var source: String { citation.text }

  package init(name: String, seconds: Double, _ kind: Citation.Kind, source: String, hidden: Double = 0) {
    self.name = name
    self.seconds = seconds
    citation = Citation(kind: kind, text: source)
    self.hidden = hidden
  }
}

/// One decoder layer's forward and backward, part by part, with the setup's recomputation and
/// frozen-layer factors applied: GPU seconds per part, and the host's dispatch seconds (the layer
/// takes whichever of GPU work and dispatch is longer).
package struct LayerTime: Sendable {
  /// All decoder linears, and the share of them at the 16-bit aligned, misaligned and FP8 rates.
  package var matmuls = 0.0
  package var alignedMatmuls = 0.0
  package var misalignedMatmuls = 0.0
  package var fp8Matmuls = 0.0
  /// The narrowest alignment, in bytes, of any linear's side (16 when all are aligned).
  package var worstAlignment = 16
  package var attention = 0.0
  package var adapters = 0.0
  package var autocast = 0.0
  package var elementwise = 0.0
  package var gpu = 0.0
  package var host = 0.0
}

extension ThroughputModel {
  /// One decoder layer's forward and backward (see `LayerTime`).
  package static func layerTime(_ s: TrainingSetup, _ roof: Roofline) -> LayerTime {
    let tokens = Double(s.tokensPerMicroBatch)
    let e = Double(s.precision.activationBytes)
    var t = LayerTime()
    var layerWeights = 0.0
    let fp8Roof = Roofline.fp8(s)
    ModelConfig.forEachLinear(
      s.model, expertParallel: s.expertParallel, fold: s.stageView.expertFold, everyToken: s.expertsRunEveryToken,
      load: s.routing.expertLoad, grouped: s.routing.groupedGEMM
    ) {
      input, output, count, share in
      let seconds = count * linearSeconds(s, roof, fp8Roof, tokens: tokens * share, input: input, output: output, e: e)
      t.matmuls += seconds
      layerWeights += count * input * output
      let alignment = Roofline.alignment(e, input, output)
      if s.convertsToFP8(input: input, output: output) {
        t.fp8Matmuls += seconds
      } else if alignment < 16 {
        t.misalignedMatmuls += seconds
        t.worstAlignment = min(t.worstAlignment, alignment)
      } else {
        t.alignedMatmuls += seconds
      }
    }
    let attention = attentionWithRecompute(s, roof), adapters = adapterSeconds(s, roof)
    var other = attention + adapters
    var host = hostSecondsPerLayer
    var autocast = 0.0
    if s.policy.autocastCopies {
      autocast = autocastBytesPerWeight * layerWeights / roof.bandwidth
      other += autocast
      host *= 1 + autocastKernelsPerLayer / kernelsPerLayer
    }
    let work = frozenWork(s)
    let again = recomputation(s)
    let elementwise = elementwiseSeconds(s, roof)
    t.gpu =
      t.matmuls * again.matmuls * work.matmuls + (other * again.other + elementwise * again.elementwise) * work.other
    t.host = host * work.other * again.host
    let matmulFactor = again.matmuls * work.matmuls, otherFactor = again.other * work.other
    t.matmuls *= matmulFactor
    t.alignedMatmuls *= matmulFactor
    t.misalignedMatmuls *= matmulFactor
    t.fp8Matmuls *= matmulFactor
    t.attention = attention * otherFactor
    t.adapters = adapters * otherFactor
    t.autocast = autocast * otherFactor
    t.elementwise = elementwise * again.elementwise * work.other
    return t
  }

  /// The terms of a layer, over `layerSteps` layer passes, with the host's dispatch beyond
  /// `busy` seconds of the layer's GPU work (its own, and any collectives it waits on).
  package static func layerTerms(_ s: TrainingSetup, _ t: LayerTime, layerSteps: Double, busy: Double) -> [TimeTerm] {
    let percent = NumberFormatting.fixed(
      s.gpu.architecture.matmulEfficiency(alignmentBytes: t.worstAlignment) * 100, 0)
    var terms = [
      TimeTerm(
        name: "layer matmuls", seconds: t.alignedMatmuls * layerSteps,
        .measurement, source: "roofline per matmul, tile curve fitted on the H200 calibration steps"),
      TimeTerm(
        name: "layer matmuls, misaligned", seconds: t.misalignedMatmuls * layerSteps,
        .measurement,
        source:
          "a side aligned to \(t.worstAlignment) bytes, not 16: \(percent)% of the aligned rate on \(s.gpu.architecture.displayName)"
      ),
      TimeTerm(
        name: "attention core", seconds: t.attention * layerSteps,
        .paper,
        source: "FlashAttention-2 (Dao 2023) or eager attention"
          + (s.checkpointing == .selective ? "; its forward recomputed (selective)" : "")),
      TimeTerm(
        name: "adapters", seconds: t.adapters * layerSteps,
        .framework, source: "LoRA's thin matmuls and dtype casts, a quantised base dequantised per pass, DoRA's merge"),
      TimeTerm(
        name: "elementwise", seconds: t.elementwise * layerSteps,
        .derived, source: "norms, rotary, SiLU, residuals at memory bandwidth"),
      TimeTerm(
        name: "autocast casts", seconds: t.autocast * layerSteps,
        .framework, source: "mixed precision: weights to bf16, gradients to fp32"),
      TimeTerm(
        name: "host dispatch above GPU work", seconds: max(0, t.host - busy) * layerSteps,
        .measurement, source: "eager PyTorch launches ~130 kernels per layer (fitted: calibration 60M–350M)"),
    ]
    if let recipe = s.fp8 {
      terms.insert(
        TimeTerm(
          name: "layer matmuls, FP8", seconds: t.fp8Matmuls * layerSteps,
          .framework, source: "FP8 tensor cores (\(recipe.rawValue)) with their casts and scales"),
        at: 2)
    }
    return terms
  }

  /// The per-step terms: the optimizer step, the collectives (`communicationTerms`) and the
  /// amortised refresh.
  package static func perStepTerms(
    _ s: TrainingSetup, optimizer: Double, communication: [TimeTerm], refresh: Double
  ) -> [TimeTerm] {
    [
      TimeTerm(
        name: "optimizer step", seconds: optimizer,
        .framework,
        source: s.offload.optimizer || s.offload.parameters
          ? "on the host: gradients down and weights up over the host link, CPU Adam at the node's memory bandwidth"
          : "\(s.optimizer.kind.rawValue)'s update: memory traffic counted from its library's code")
    ] + communication + [
      TimeTerm(
        name: "projection refresh (amortised)", seconds: refresh,
        .measurement, source: "GaLore's SVD every update_interval steps")
    ]
  }

  /// Each data-parallel collective's exposed seconds with what hides the rest, expert
  /// parallelism's all-to-alls, and offload copies beyond the compute they overlap.
  package static func communicationTerms(_ s: TrainingSetup, _ inv: ParameterInventory, microBatch: Double)
    -> [TimeTerm]
  {
    let times = collectiveTimes(s, inv, microBatch: microBatch)
    let accumulation = Double(s.accumulation), reducing = reducingMicroBatches(s)
    var terms: [TimeTerm] = []
    for c in times.collectives {
      let exposed = c.exposed
      let all = c.seconds * (c.perStep ? 1 : c.reducing ? reducing : accumulation)
      guard all > 0 else { continue }
      let behind: String
      switch c.window {
      case .forward: behind = "the forward of each micro-batch"
      case .backward: behind = c.perStep ? "the last micro-batch's backward" : "the backward of each micro-batch"
      case .nextForward: behind = "the next step's first forward"
      case .none: behind = ""
      }
      let source =
        c.window == .none
        ? "NCCL ring, on the critical path"
        : "NCCL ring, overlapped with \(behind): \(NumberFormatting.fixed(all - exposed, 3)) s of \(NumberFormatting.fixed(all, 3)) s hidden"
      terms.append(
        TimeTerm(
          name: "\(s.collectiveOwner) \(c.name.description)", seconds: exposed, .framework, source: source,
          hidden: all - exposed))
    }
    terms.append(
      TimeTerm(
        name: "expert all-to-alls", seconds: allToAllSeconds(s) * accumulation,
        .framework, source: "4 per MoE layer (dispatch and combine, forward and backward), on the critical path"))
    terms.append(
      TimeTerm(
        name: "offload copies beyond compute", seconds: offloadExposedSeconds(s, inv, microBatch),
        .derived,
        source: "host-link copies of offloaded activations and parameters, sharing the compute with the collectives"))
    return terms
  }
}
