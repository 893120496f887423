import TrainMemCore

// One `Report` value feeds every renderer.

/// A named memory term with the source of its formula.
package struct MemoryTerm: Sendable {
  package var name: String
  package var bytes: Int64
  package var source: String
}

package struct Report: Sendable {
  package var scenario: String
  package var description: String? = nil
  package var runs: [RunResult]

  package init(scenario: String, description: String? = nil, runs: [RunResult]) {
    self.scenario = scenario
    self.description = description
    self.runs = runs
  }
}

/// Where the loss's memory comes from, per `loss`.
private func lossSource(_ loss: LossKind) -> String {
  switch loss {
  case .full: return "(e + 12) · V per token at the loss backward (calibration)"
  case .chunked: return "(e + 5) · V per token: bf16 logits kept, one fp32 chunk of 8 upcast at a time (torchtune)"
  case .fused: return "no logits: the input and lm_head gradients and one logits chunk (Liger)"
  }
}

/// What the weights a GPU holds are, in a precision policy.
private func weightKind(_ policy: PrecisionPolicy) -> String {
  switch policy.kind {
  case .pureBF16: return "bf16"
  case .masterWeights: return "bf16 working weights; the fp32 master is in the optimizer"
  case .fp32: return "fp32"
  case .autocast, .fsdp: return "fp32 master weights"
  }
}

extension RunResult {
  /// Every term at the peak, then the overheads, each with its source.
  package var terms: [MemoryTerm] {
    let m = memory
    let s = setup
    var t: [MemoryTerm] = []
    let policy = s.policy
    let wsrc =
      s.weightsInt8
      ? "int8 projected weights + bf16 scale/zero per 128 (Q-GaLore QLinear; APOLLO Table 8)"
      : "parameters × \(policy.weightBytes) bytes (\(weightKind(policy)))"
    t.append(
      MemoryTerm(name: "weights", bytes: m.weights, source: wsrc + (s.parallel.shardsWeights ? ", sharded" : "")))
    // The main terms are always listed, zero or not, so every report reads the same way.
    var copies: String
    if policy.autocastCopies {
      copies = "autocast bf16 weight cache kept for backward"
    } else if s.parallel == .zero3 {
      copies = "DeepSpeed ZeRO-3: the module in use + stage3_prefetch_bucket_size (5e7) gathered"
    } else if s.parallel.shardsWeights {
      copies = "FSDP: the layer in use + the prefetched next + the root unit (embedding, lm_head), gathered"
    } else {
      copies = "none: no autocast cache, no gathered layer"
    }
    if let recipe = s.fp8 {
      copies +=
        recipe.cachedWeightBytes(s.gpu) > 0
        ? "; Transformer Engine's FP8 weight cache (\(recipe.rawValue), kept across micro-batches)"
        : recipe.gathersInFP8 && (s.parallel == .fsdp || s.parallel == .hsdp)
          ? "; layers gathered in FP8 (torchao)" : ""
    }
    t.append(MemoryTerm(name: "weight copies", bytes: m.weightCopies, source: copies))
    let st = m.states
    t.append(
      MemoryTerm(
        name: "optimizer states", bytes: st.total,
        source: "\(s.optimizer.kind.summary); counted tensor by tensor as the library allocates them"))
    if st.lowRankMoments > 0 {
      t.append(
        MemoryTerm(
          name: "  projected moments", bytes: st.lowRankMoments,
          source: "2 · r · max(m, n) per projected tensor (GaLore T1 / APOLLO T1)"))
    }
    if st.projections > 0 {
      t.append(
        MemoryTerm(
          name: "  projection matrices", bytes: st.projections,
          source: "r · min(m, n), stored by galore-torch / apollo-torch"))
    }
    if st.regularMoments > 0 {
      t.append(
        MemoryTerm(
          name: "  full-rank moments", bytes: st.regularMoments,
          source: s.optimizer.kind.isLowRank ? "AdamW on embeddings, lm_head, norms" : "moments of every parameter"))
    }
    if st.masterWeights > 0 {
      t.append(
        MemoryTerm(
          name: "  fp32 master weights", bytes: st.masterWeights,
          source: "parameters × 4 bytes held by the optimizer" + (s.parallel.shardsStates ? ", sharded" : "")))
    }
    if st.paged > 0 {
      t.append(
        MemoryTerm(
          name: "  paged moments (unified memory)", bytes: st.paged,
          source:
            "bitsandbytes paged optimizer: cudaMallocManaged outside the allocator, not in the peak; \(Bytes(m.pagedToHost)) of it paged to the host"
        ))
    }
    if st.scalars > 0 {
      t.append(
        MemoryTerm(name: "  per-tensor scalars", bytes: st.scalars, source: "step tensors, limiter norms, 8-bit absmax")
      )
    }
    let gradients =
      m.gradientsHeld > 0
      ? "parameters × gradient bytes" + (s.parallel.shardsGradients ? ", sharded" : "")
      : (s.optimizer.layerwise
        ? "none held: layer-wise updates apply and free each gradient in its hook"
        : "none yet: the peak comes before backward produces them")
    t.append(MemoryTerm(name: "gradients", bytes: m.gradientsHeld, source: gradients))
    if m.gradientBuckets > 0 {
      t.append(
        s.parallel == .ddp
          ? MemoryTerm(
            name: "DDP gradient buckets", bytes: m.gradientBuckets,
            source: "torch DDP reducer, gradient_as_bucket_view=False")
          : MemoryTerm(
            name: "ZeRO reduce bucket", bytes: m.gradientBuckets,
            source: "DeepSpeed ipg_buffer: reduce_bucket_size (5e8) elements in the gradient dtype"))
    }
    t.append(
      MemoryTerm(
        name: "activations", bytes: m.activations,
        source: m.activations > 0
          ? (s.megatron
            ? "saved tensors per layer as Megatron-LM keeps them (Korthikanti et al. 2022 §4)"
            : "saved tensors per layer, HF modeling_\(s.model.modelType) (LLaMA calibrated 60M–350M)")
            + (s.modelParallel.pipeline > 1 ? ", every micro-batch in flight on the stage" : "")
          : "none: released by the optimizer step"
      ))
    t.append(
      MemoryTerm(
        name: "logits and loss", bytes: m.logits,
        source: m.logits > 0
          ? lossSource(s.loss) : "none: freed after backward"))
    t.append(
      MemoryTerm(
        name: "transient", bytes: m.transient,
        source: m.peakPhase == .optimizerStep
          ? "optimizer step temporaries (\(s.optimizer.effectiveImplementation.rawValue))" : "backward temporaries"))
    let stage = m.stage.map { ", on the \($0) (the stage holding the peak)" } ?? ""
    t.append(
      MemoryTerm(name: "peak allocated", bytes: m.peak, source: "max over phases: \(m.peakPhase.rawValue)\(stage)"))
    t.append(
      MemoryTerm(name: "fragmentation", bytes: m.fragmentation, source: "3% of peak (calibration step-1 reserve 2–5%)"))
    t.append(
      MemoryTerm(name: "CUDA context", bytes: m.context, source: "scenario 'overhead.context' (default 0.5 GiB)"))
    if let limit = m.limit {
      t.append(
        MemoryTerm(
          name: "memory limit", bytes: limit,
          source:
            "scenario 'memory_limit' (torch.cuda.set_per_process_memory_fraction): allocated + fragmentation must stay below it"
        ))
    }
    if m.host > 0 {
      t.append(
        MemoryTerm(
          name: "host memory (offloaded)", bytes: m.host,
          source:
            "per GPU process, \(Bytes(Checked.saturatingProduct(m.host, s.nodeSize))) per node of \(s.nodeSize): offload \(s.offload.parts.joined(separator: ", "))"
        ))
    }
    t.append(
      MemoryTerm(
        name: "allocator cache", bytes: m.reserve,
        source: "reserved − allocated as nvidia-smi shows it; released before OOM"))
    return t
  }
}
