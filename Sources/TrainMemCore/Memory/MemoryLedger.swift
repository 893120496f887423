// The memory model's ledger: each term of a run's memory with the source of its formula, typed
// by how it is established. Reports print it; nothing else states the memory model in prose.

/// Where a term's formula comes from, and how it is established.
public struct Citation: Sendable, Equatable {
  public enum Kind: String, Sendable {
    /// A paper's formula or table.
    case paper
    /// What a framework's code allocates (its source file named in the text).
    case framework
    /// Fitted to or read off measurements (the H200 calibration, published figures).
    case measurement
    /// Assumed where nothing is published.
    case assumption
    /// A value the user set (or its documented default).
    case setting
    /// Arithmetic over other terms.
    case derived
  }
  public var kind: Kind
  public var text: String
}

/// A named memory term with the source of its formula.
package struct MemoryTerm: Sendable {
  package var name: String
  package var bytes: Int64
  package var citation: Citation
  package var source: String { citation.text }

  package init(name: String, bytes: Int64, _ kind: Citation.Kind, source: String) {
    self.name = name
    self.bytes = bytes
    citation = Citation(kind: kind, text: source)
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

extension MemoryModel {
  /// The memory ledger: every term at the peak, then the overheads, each with where its formula
  /// comes from (the peak is the sum of the terms above it: invariant 2).
  package static func ledger(_ s: TrainingSetup, _ m: MemoryEstimate) -> [MemoryTerm] {
    var t: [MemoryTerm] = []
    let policy = s.policy
    let wsrc =
      s.weights == .nf4
      ? "NF4 projections, \(s.nf4DoubleQuant ? "4.13 bits with double quantisation" : "4.5 bits") (bitsandbytes); the rest \(s.upcastsUnquantized ? "upcast to fp32 (peft)" : "at \(policy.weightBytes) bytes"), adapters \(s.lora?.dtype.bytes ?? 4) bytes"
      : s.weightsInt8 && s.lora != nil
        ? "LLM.int8 projections: int8 and an fp32 scale per row (bitsandbytes Int8Params)"
        : s.weightsInt8
          ? "int8 projected weights + bf16 scale/zero per 128 (Q-GaLore QLinear; APOLLO Table 8)"
          : "parameters × \(policy.weightBytes) bytes (\(weightKind(policy)))"
    t.append(
      MemoryTerm(
        name: "weights", bytes: m.weights, .framework, source: wsrc + (s.parallel.shardsWeights ? ", sharded" : "")))
    // The main terms are always listed, zero or not, so every report reads the same way.
    var copies: String
    if policy.autocastCopies {
      copies = "autocast bf16 weight cache kept for backward"
    } else if s.parallel == .zero3 {
      copies =
        "DeepSpeed ZeRO-3: module in use + prefetch bucket (\(elementsText(s.zero3.prefetch))), at most max live (\(elementsText(s.zero3.maxLive)))"
    } else if s.parallel.shardsWeights && !s.overlap.reshardAfterForward {
      copies = "FSDP reshard_after_forward false: every layer's gathered weights, kept from its forward to its backward"
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
    t.append(MemoryTerm(name: "weight copies", bytes: m.weightCopies, .framework, source: copies))
    let st = m.states
    t.append(
      MemoryTerm(
        name: "optimizer states", bytes: st.total,
        .framework, source: "\(s.optimizer.kind.summary); per tensor, from its code"))
    if st.lowRankMoments > 0 {
      t.append(
        MemoryTerm(
          name: "  projected moments", bytes: st.lowRankMoments,
          .paper, source: "2 · r · max(m, n) per projected tensor (GaLore T1 / APOLLO T1)"))
    }
    if st.projections > 0 {
      t.append(
        MemoryTerm(
          name: "  projection matrices", bytes: st.projections,
          .framework, source: "r · min(m, n), stored by galore-torch / apollo-torch"))
    }
    if st.regularMoments > 0 {
      t.append(
        MemoryTerm(
          name: "  full-rank moments", bytes: st.regularMoments,
          .framework,
          source: s.optimizer.kind.isLowRank ? "AdamW on embeddings, lm_head, norms" : "moments of every parameter"))
    }
    if st.masterWeights > 0 {
      t.append(
        MemoryTerm(
          name: "  fp32 master weights", bytes: st.masterWeights,
          .framework,
          source: "parameters × 4 bytes held by the optimizer" + (s.parallel.shardsStates ? ", sharded" : "")))
    }
    if st.paged > 0 {
      t.append(
        MemoryTerm(
          name: "  paged moments (unified memory)", bytes: st.paged,
          .framework,
          source:
            "bitsandbytes paged optimizer: cudaMallocManaged outside the allocator, not in the peak; \(Bytes(m.pagedToHost)) of it paged to the host"
        ))
    }
    if st.scalars > 0 {
      t.append(
        MemoryTerm(
          name: "  per-tensor scalars", bytes: st.scalars, .framework,
          source: "step tensors, limiter norms, 8-bit absmax")
      )
    }
    let gradients =
      m.gradientsHeld > 0
      ? (s.usesBF16Optimizer
        ? "DeepSpeed BF16_Optimizer: parameters × 2 (bf16) + × 4 (its unsharded fp32 accumulation buffer)"
        : "parameters × gradient bytes" + (s.parallel.shardsGradients ? ", sharded" : ""))
      : (s.optimizer.updatesInBackward
        ? "none held: \(s.optimizer.layerwise ? "layer-wise updates" : s.optimizer.kind.rawValue) apply and free each gradient in its hook"
        : "none yet: the peak comes before backward produces them")
    let unsharded =
      s.gradientSync == .step && s.parallel.shardsWeights && s.accumulation > 1
      ? "; under gradient_sync: step FSDP also holds the unsharded gradients (\(policy.reduceBytes) bytes each) until the last micro-batch reduces them"
      : ""
    t.append(MemoryTerm(name: "gradients", bytes: m.gradientsHeld, .framework, source: gradients + unsharded))
    if m.gradientBuckets > 0 {
      t.append(
        s.parallel == .ddp
          ? MemoryTerm(
            name: "DDP gradient buckets", bytes: m.gradientBuckets,
            .framework, source: "torch DDP reducer, gradient_as_bucket_view=False")
          : MemoryTerm(
            name: "ZeRO reduce bucket", bytes: m.gradientBuckets,
            .framework,
            source: "DeepSpeed ipg_buffer: reduce_bucket_size (5e8) elements in the gradient dtype"
              + (s.overlapsComm && s.parallel != .zero3 ? ", two with overlap_comm" : "")))
    }
    t.append(
      MemoryTerm(
        name: "activations", bytes: m.activations,
        s.megatron ? .paper : .measurement,
        source: m.activations > 0
          ? (s.megatron
            ? "saved tensors per layer as Megatron-LM keeps them (Korthikanti et al. 2022 §4)"
            : "saved tensors per layer, HF modeling_\(s.model.modelType) (LLaMA calibrated 60M–350M)")
            + (s.modelParallel.pipeline > 1 ? ", all micro-batches in flight" : "")
          : "none: released by the optimizer step"
      ))
    t.append(
      MemoryTerm(
        name: "logits and loss", bytes: m.logits,
        m.logits > 0 && s.loss == .full ? .measurement : .framework,
        source: m.logits > 0
          ? lossSource(s.loss) : "none: freed after backward"))
    t.append(
      MemoryTerm(
        name: "transient", bytes: m.transient,
        .framework,
        source: m.peakPhase == .optimizerStep
          ? "optimizer step temporaries (\(s.stepImplementation.rawValue))"
            + (s.parallel == .zero3 && !s.megatron
              ? ", one sub-group of sub_group_size (\(elementsText(s.zero3.subGroup))) at a time" : "")
          : "backward temporaries"))
    let stage = m.stage.map { ", on the \($0) (the stage holding the peak)" } ?? ""
    t.append(
      MemoryTerm(
        name: "peak allocated", bytes: m.peak, .derived, source: "max over phases: \(m.peakPhase.rawValue)\(stage)"))
    t.append(
      MemoryTerm(
        name: "fragmentation", bytes: m.fragmentation, .measurement,
        source: "3% of peak (calibration step-1 reserve 2–5%)"))
    t.append(
      MemoryTerm(
        name: "CUDA context", bytes: m.context, .setting, source: "scenario 'overhead.context' (default 0.5 GiB)"))
    if let limit = m.limit {
      t.append(
        MemoryTerm(
          name: "memory limit", bytes: limit,
          .setting,
          source:
            "scenario 'memory_limit' (torch.cuda.set_per_process_memory_fraction): allocated + fragmentation must stay below it"
        ))
    }
    if m.host > 0 {
      t.append(
        MemoryTerm(
          name: "host memory (offloaded)", bytes: m.host,
          .derived,
          source:
            "per GPU process, \(Bytes(Checked.saturatingProduct(m.host, s.nodeSize))) per node of \(s.nodeSize): offload \(s.offload.parts.joined(separator: ", "))"
        ))
    }
    t.append(
      MemoryTerm(
        name: "allocator cache", bytes: m.reserve,
        .measurement, source: "reserved − allocated as nvidia-smi shows it; released before OOM"))
    return t
  }
}

/// An element count as DeepSpeed's configs write it: `5e7`, `1e9`, else the number.
private func elementsText(_ n: Int64) -> String {
  var exponent = 0, mantissa = n
  while mantissa >= 10 && mantissa % 10 == 0 {
    mantissa /= 10
    exponent += 1
  }
  return exponent >= 3 ? "\(mantissa)e\(exponent)" : String(n)
}
