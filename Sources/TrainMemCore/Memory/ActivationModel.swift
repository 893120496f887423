// What autograd saves for backward in HF transformers' `LlamaForCausalLM` (bf16 unless noted),
// counted tensor by tensor. Sources: transformers `modeling_llama.py` (LlamaRMSNorm,
// LlamaAttention with `sdpa_attention_forward` / `eager_attention_forward`, LlamaMLP) and
// `loss_utils.ForCausalLMLoss`; PyTorch derivative formulas (`derivatives.yaml`: mul saves the
// other operand, pow saves its input, silu saves its input, mm saves both inputs).
// Checked: calibration/h200-llama-pretrain.json, 60M–350M at 8192 tokens per step — the layer
// terms below plus the loss terms leave a residual of 10 bytes per token (130M, 350M).
//
// Notation per token: h hidden, i intermediate, a heads, kv = kv_heads · head_dim, s sequence,
// e = activation element size (2 for bf16 and mixed autocast, 4 for fp32), r = residual-stream
// element size (2 bf16; 4 in mixed, where the embedding output and residual adds are fp32).

/// Saved-activation sizes for one micro-batch, in bytes.
package struct ActivationSizes: Sendable {
  /// Everything one decoder layer keeps for backward (the largest layer, when dense and
  /// mixture-of-experts layers differ).
  package var perLayer: Int64
  /// What every decoder layer keeps, summed.
  package var allLayers: Int64
  /// What a checkpointed layer keeps: its input.
  package var checkpointedLayer: Int64
  /// Final norm, lm_head input, token ids and shifted labels.
  package var head: Int64
  /// Logits and cross-entropy buffers alive at the loss backward's peak.
  package var lossPeak: Int64
  /// The bf16 logits, which the model output keeps until backward returns.
  package var logitsKept: Int64
  /// The loss's largest block, which the caching allocator keeps reserved afterwards.
  package var lossCache: Int64
  /// Largest temporaries while one layer runs backward.
  package var layerBackwardTransient: Int64
  /// Gradient flowing into the embedding at the end of backward.
  package var embeddingGradInput: Int64
}

package enum ActivationModel {
  /// Saved bytes per token of one layer's MLP (dense layers and MoE layers averaged).
  ///
  /// - gated (SwiGLU, GeGLU): the gate output (saved by the activation), the activation's and
  ///   up's outputs (saved by their product) and the product (down's input): 4 · e · i;
  /// - plain GELU (GPT-2, NeoX): fc's output (saved by GELU) and GELU's (fc2's input): 2 · e · i;
  /// - MoE (modeling_mixtral `MixtralSparseMoeBlock`, qwen2_moe, qwen3_moe), per routed
  ///   expert: its input rows gathered from the hidden states (e·h), its MLP, and its output
  ///   saved by the routing-weight product (e·h); the router's fp32 softmax (4 per expert); a
  ///   shared expert's MLP and its sigmoid-gated output (e·h + e).
  /// When every expert runs on every token (Llama 4 in transformers), each expert keeps its
  /// share for every token: the repeated input and its score-weighted copy stand for the two e·h.
  /// Under an expert capacity the routed experts keep `load` of that (`ExpertRouting`).
  package static func mlpPerToken(_ m: ModelConfig, e: Int64, everyToken: Bool = false, load: Double = 1) -> (
    dense: Int64, sparse: Int64
  ) {
    func dense(_ i: Int64) -> Int64 { (m.mlp.gated ? 4 : 2) * e * i }
    guard let moe = m.moe else { return (dense(m.intermediate), 0) }
    let experts = everyToken ? moe.experts : moe.perToken
    let routed = experts * (dense(moe.expertIntermediate) + 2 * e * m.hidden)
    var sparse = (load == 1 ? routed : Int64((Double(routed) * load).rounded())) + 4 * moe.experts
    if moe.sharedIntermediate > 0 { sparse += dense(moe.sharedIntermediate) + e * m.hidden + e }
    return (dense(m.intermediate), sparse)
  }

  /// A decoder layer's saved activations per token as Megatron-LM keeps them (fused kernels,
  /// 16-bit throughout), in Korthikanti et al. 2022 (arXiv 2205.05198) §4.1's accounting:
  /// - boundary, outside the tensor-parallel region (split t ways only by sequence
  ///   parallelism): each norm's input (e·h), the QKV and MLP inputs (e·h each) and, with
  ///   dropout, the two hidden-dropout masks (1 byte per value) — 10 bytes per h for GPT;
  /// - attention, split by t: Q, K, V and the core's output (o_proj's input); eager attention
  ///   adds its softmax output (e per score) and, with dropout, the mask (1) and the dropped
  ///   output (e): the 5as term; flash attention keeps its log-sum-exp (4 per head) instead;
  /// - MLP, split by t: a gated MLP's gate, up and product (3e·i), GELU's input and output
  ///   (2e·i: 16 bytes per h for GPT's i = 4h).
  /// `dropout` is both the attention and the hidden dropout here, as in Megatron's GPT
  /// defaults. GPT-3 shapes give exactly sbh(34 + 5as/h) (checked in `validate`).
  package static func megatronPerToken(_ s: TrainingSetup) -> (
    boundary: Int64, attention: Int64, mlp: Int64, core: Int64
  ) {
    let m = s.model
    let e = s.precision.activationBytes, h = m.hidden, q = m.queryWidth, kv = m.kvWidth
    let masks: Int64 = s.dropout > 0 ? 1 : 0
    let boundary = m.normsPerLayer * e * h + 2 * e * h + 2 * masks * h
    let scores = m.heads * s.sequence
    let core: Int64 = s.attention == .eager ? (e + masks * (1 + e)) * scores : 0
    var attention =
      e * q + 2 * e * kv + e * m.outputWidth + latentPerToken(m, e: e, lora: false)
      + (s.attention == .eager ? 0 : 4 * m.heads)
    if s.checkpointing != .selective { attention += core }
    let mlp = (m.mlp.gated ? 3 : 2) * e * m.intermediate
    return (boundary, attention, mlp, s.checkpointing == .selective ? core : 0)
  }

  /// What torchtitan's per-op selective recomputation keeps of a layer, per token.
  ///
  /// The layer's input (r·h, the checkpoint's), the outputs of the odd-numbered matmuls in
  /// call order — q, v, gate (or fc1) and down: "saves output of all compute ops, except every
  /// second mm" — and attention's output with its log-sum-exp (`_save_list`: mm, the SDPA
  /// kernels). `widest`: for the layer with the widest MLP (what one layer holds), not the layers'
  /// average (what they hold together), when dense and mixture-of-experts layers differ.
  package static func perOpSavedPerToken(_ s: TrainingSetup, r: Int64, widest: Bool = false) -> Int64 {
    let m = s.model
    let e = s.precision.activationBytes
    let width = widest ? m.widestIntermediate(everyToken: s.expertsRunEveryToken) : m.activeIntermediateWidth
    let i = m.mlp.gated ? width : 0
    // Gated: q, k, v, o, gate, up, down → q, v, gate, down. Plain: q, k, v, o, fc1, fc2 →
    // q, v, fc1.
    let odd =
      m.mlp.gated ? e * (m.queryWidth + m.kvWidth + i + m.hidden) : e * (m.queryWidth + m.kvWidth + m.intermediate)
    // The input is a boundary tensor: sequence parallelism splits it over the tensor-parallel GPUs.
    return r * m.hidden / s.stageView.boundaryDivisor + odd + e * m.outputWidth + 4 * m.heads
  }

  /// What MLA's low-rank paths save per token.
  ///
  /// What MLA's low-rank paths save per token beyond q, k, v and the output
  /// (modeling_deepseek_v3 `DeepseekV3Attention.forward`): `q_a_layernorm` and `kv_a_layernorm`
  /// each keep their own tensors (an RMSNorm over the e-byte projection output) and their
  /// outputs, which `q_b_proj` and `kv_b_proj` save for their weight gradients — not when
  /// those are frozen under LoRA. The rotary key part saves only cos and sin.
  package static func latentPerToken(_ m: ModelConfig, e: Int64, lora: Bool) -> Int64 {
    guard let a = m.latent else { return 0 }
    let kept: Int64 = lora ? 0 : e
    var bytes = normInternals(.rms, h: a.kvRank, r: e) + kept * a.kvRank
    if let r = a.queryRank { bytes += normInternals(.rms, h: r, r: e) + kept * r }
    return bytes
  }

  /// What a layer's LoRA adapters save per token (peft `Linear.forward`): each adapted linear
  /// casts its input to the adapter dtype for lora_A, which saves that copy; lora_B saves
  /// lora_A's r-wide output; DoRA saves the base and adapter outputs it rescales.
  ///
  /// Experts'
  /// adapters see `experts_per_token / experts` of the tokens.
  package static func adapterPerToken(_ s: TrainingSetup) -> (attention: Int64, dense: Int64, sparse: Int64) {
    guard let lora = s.lora else { return (0, 0, 0) }
    let m = s.model
    let bytes = Double(s.adapterActivationBytes)
    var attention = 0.0, dense = 0.0, sparse = 0.0
    for t in ParameterInventory(m).tensors where lora.targets.matches(t) {
      var perToken = bytes * Double(t.cols + lora.rank)
      if lora.dora { perToken += 2 * bytes * Double(t.rows) }
      // Per layer of the kind the tensor belongs to: attention (every layer), a dense MLP, or
      // a MoE layer's router, shared expert and routed experts.
      // The MTP layers' tensors (`mtp.*`) count with the layers of their kind.
      // `eh_proj` is once per MTP layer, not per decoder layer: its 2h-wide input is saved with
      // the MTP head's tensors (`sizes`), which its adapter's `lora_A` shares (the rank-wide
      // intermediate, r bytes per token, is left out).
      let prefix = ParameterInventory.mtpPrefix
      let name = t.name.hasPrefix(prefix) ? String(t.name.dropFirst(prefix.count)) : t.name
      if name == "eh_proj" { continue }
      if ParameterInventory.attentionProjections.contains(name) {
        attention += Double(t.count) / Double(m.computedLayers) * perToken
      } else if m.moe != nil, t.expert || t.role == .router || name.hasPrefix("shared_expert") {
        let share = m.tokenShare(t)
        sparse += Double(t.count) / Double(max(1, m.computedMoELayers)) * share * perToken
      } else {
        dense += Double(t.count) / Double(max(1, m.computedLayers - m.computedMoELayers)) * perToken
      }
    }
    return (Int64(attention.rounded()), Int64(dense.rounded()), Int64(sparse.rounded()))
  }

  /// Temporaries while an adapted layer runs: a quantised base weight dequantised to bf16 for
  /// its matmul (bitsandbytes `MatMul4Bit`: `dequantize_4bit` in forward and again in
  /// backward; LLM.int8's backward builds an fp16 weight), and DoRA's merged weight — an
  /// identity `in × in` pushed through the adapters, the `out × in` update and the sum whose
  /// row norms it takes (peft `dora.py`), all in fp32.
  package static func adapterTransient(_ s: TrainingSetup) -> Int64 {
    guard let lora = s.lora else { return 0 }
    let inv = ParameterInventory(s.model)
    var largest: Int64 = 0, dora: Int64 = 0
    for t in inv.tensors where t.role == .projection {
      largest = max(largest, t.elements)
      if lora.dora && lora.targets.matches(t) { dora = max(dora, 4 * t.cols * t.cols + 8 * t.elements) }
    }
    return (s.quantizedBase ? 2 * largest : 0) + dora
  }

  /// The loss's memory: at its backward peak, what stays referenced after it, and its largest
  /// block (cached by the allocator).
  /// - full (transformers `ForCausalLMLoss`): `logits.float()` (4V) and log_softmax's saved
  ///   output (4V), then in backward the nll gradient (4V) and log_softmax's input gradient
  ///   (4V) while the e-byte logits are still referenced: (e + 12) · V per token (fp32: 16 · V).
  ///   Measured: calibration 60M–350M at 8192 tokens.
  /// - chunked (torchtune `CEWithChunkedOutputLoss`, 8 chunks): the bf16 logits of every chunk
  ///   stay alive, each chunk is upcast alone, and eager log_softmax keeps every chunk's fp32
  ///   output; the backward's two fp32 gradients exist for one chunk: (e + 4 + 1) · V.
  /// - fused (Liger `LigerFusedLinearCrossEntropyLoss`): no logits are kept; the forward
  ///   computes the gradients chunk by chunk into `grad_input` (t × h) and `grad_weight` (V × h,
  ///   in the weight's dtype), reusing one logits chunk of `next_power_of_2(⌈t / ⌈V/h⌉⌉)` rows.
  package static func loss(_ s: TrainingSetup, tokens t: Int64, e: Int64) -> (peak: Int64, kept: Int64, cache: Int64) {
    let v = s.model.vocab, h = s.model.hidden
    switch s.loss {
    case .full: return (t * v * (e + 12), t * v * e, 4 * v * t)
    case .chunked: return (t * v * (e + 5), t * v * e, 4 * v * ((t + 7) / 8))
    case .fused:
      let chunks = (v + h - 1) / h
      var rows: Int64 = 1
      while rows < (t + chunks - 1) / chunks { rows *= 2 }
      let chunk = min(rows, t) * v * e
      let weightGradient = s.lora == nil ? v * h * s.policy.weightBytes : 0
      return (t * h * e + weightGradient + chunk, 0, chunk)
    }
  }

  /// What a norm itself saves per token, its output aside: RMSNorm as above (4h + 4 + r·h);
  /// LayerNorm (`nn.LayerNorm`, native_layer_norm) its input and fp32 mean and rstd (r·h + 8).
  package static func normInternals(_ kind: NormKind, h: Int64, r: Int64) -> Int64 {
    kind == .rms ? 4 * h + 4 + r * h : r * h + 8
  }

  package static func sizes(_ s: TrainingSetup) -> ActivationSizes {
    let m = s.model
    let h = m.hidden, a = m.heads, kv = m.kvWidth, q = m.queryWidth
    let t = s.tokensPerMicroBatch
    let seq = s.sequence
    let e = s.precision.activationBytes
    // Under QLoRA the norms and embeddings are fp32 (prepare_model_for_kbit_training), and so
    // is the residual stream they feed.
    let r = s.upcastsUnquantized ? 4 : s.policy.residualBytes

    // Attention block, per token; and what selective recomputation rebuilds in backward.
    var attention: Int64
    var recomputedCore: Int64 = 0
    switch s.attention {
    case .sdpa, .flash:
      // q after rotary (e·q), k and v at kv width (SDPA's native GQA, no repeat_kv), the
      // kernel's output (e·q, which is already the o_proj input's layout) and its fp32
      // log-sum-exp (4 per head). No s² matrix (FlashAttention-2, Dao 2023).
      attention = e * q + 2 * e * kv + e * m.outputWidth + 4 * a
    case .eager:
      // q (e·q), k and v repeated to all heads by `repeat_kv` (e·q each), softmax output in
      // fp32 (4·a·s) and its cast back (e·a·s, absent in fp32), o_proj input (e·q). A sliding
      // window is a mask here: the s × s matrices are whole (`eager_attention_forward`).
      var probs = e == 4 ? 4 * a * seq : (4 + e) * a * seq
      // Attention dropout (`nn.functional.dropout(attn_weights, p)` in training): native_dropout
      // saves its bool mask (1 byte per score) and the PV matmul saves the dropped output
      // instead of the cast probabilities — in fp32, where the cast was the softmax output
      // itself, both are new (1 + 4). SDPA's kernels keep only the RNG seed and offset.
      if s.dropout > 0 { probs += (e == 4 ? 5 : 1) * a * seq }
      attention = e * q + e * a * (m.queryKeyHeadDim + m.valueHeadDim) + probs + e * m.outputWidth
      recomputedCore = probs
    }
    if s.checkpointing == .selective {
      // Megatron's selective recomputation checkpoints the attention core (QKᵀ, softmax,
      // dropout, PV): it keeps the core's inputs — q, and k and v before `repeat_kv` — and
      // recomputes the rest in backward (Korthikanti et al. 2022 §4: the 5as/h term goes). The
      // output is still saved, as o_proj's input; SDPA loses only its log-sum-exp.
      attention = e * q + 2 * e * kv + e * m.outputWidth
    } else {
      recomputedCore = 0
    }
    // q/k norms (Qwen3, Gemma 3 per head; OLMo-2 over the whole width): each RMSNorm keeps its
    // fp32 input, one rsqrt per normalised row and the normalised cast (modeling_qwen3,
    // modeling_olmo2); rotary then saves only cos and sin.
    switch m.qkNorm {
    case .none: break
    case .head: attention += 4 * q + 4 * a + e * q + 4 * kv + 4 * m.kvHeads + e * kv
    case .full: attention += 4 * q + 4 + e * q + 4 * kv + 4 + e * kv
    }
    attention += latentPerToken(m, e: e, lora: s.lora != nil)
    var mlp = mlpPerToken(m, e: e, everyToken: s.expertsRunEveryToken, load: s.routing.expertLoad)
    if s.megatron {
      let layer = megatronPerToken(s)
      attention = layer.attention
      recomputedCore = layer.core
      mlp.dense = layer.mlp
    }
    // The norms' own tensors, and the two inputs of the attention and MLP blocks that their
    // first linears save (for LLaMA: two RMSNorms' outputs) — not under LoRA, whose frozen
    // linears need only their weight for the input gradient (autograd saves `x` for `mm` only
    // when the weight's gradient is wanted); the adapters keep their own copies instead.
    var norms =
      s.megatron ? megatronPerToken(s).boundary : m.normsPerLayer * normInternals(m.norm, h: h, r: r) + 2 * e * h
    if s.lora != nil {
      norms -= 2 * e * h
      // The down projection's (fc2's) input is saved for its weight gradient only.
      mlp.dense -= e * m.intermediate
      if let moe = m.moe { mlp.sparse -= moe.perToken * e * (moe.expertIntermediate + m.hidden) }
      let adapters = adapterPerToken(s)
      attention += adapters.attention
      mlp.dense += adapters.dense
      mlp.sparse += adapters.sparse
    }
    if let fp8 = s.fp8?.savedInputBytes, s.lora == nil {
      // Transformer Engine saves a converted linear's input for backward in FP8 (its
      // transpose) instead of bf16: the two norm outputs (q/k/v's and gate/up's input) and the
      // inputs of o_proj and down (dense layers; experts keep the bf16 accounting).
      func cut(_ width: Int64, _ k: Int64, _ n: Int64) -> Int64 {
        s.convertsToFP8(input: Double(k), output: Double(n)) ? Int64((Double(e) - fp8) * Double(width)) : 0
      }
      norms -= cut(h, h, q) + cut(h, h, m.intermediate)
      attention -= cut(m.outputWidth, m.outputWidth, h)
      mlp.dense -= cut(m.intermediate, m.intermediate, h)
    }
    // Sequence parallelism splits the layer's boundary tensors (the norms and their outputs)
    // over the tensor-parallel GPUs (Korthikanti et al. 2022 §4.2.2: the 10sbh term becomes
    // 10sbh/t).
    norms /= s.stageView.boundaryDivisor
    let moeLayers = m.moeLayers, denseLayers = m.layers - moeLayers
    // Dense and mixture-of-experts layers differ: the sum over all layers, and the largest one
    // (what one layer's backward or recomputation holds).
    var allLayersToken = m.layers * (norms + attention) + denseLayers * mlp.dense + moeLayers * mlp.sparse
    var perLayerToken = norms + attention + max(denseLayers > 0 ? mlp.dense : 0, moeLayers > 0 ? mlp.sparse : 0)
    // Per-op recomputation keeps a layer's input and what `perOpSavedPerToken` lists; the rest
    // is rebuilt during that layer's backward (the transient below).
    var rebuilt: Int64 = 0
    if s.checkpointing == .op {
      // A subset of what the layer saves without recomputation, never more (frozen linears
      // under LoRA save no input at all).
      // The largest layer keeps its widest MLP's tensors; all layers together, their average.
      let keptByLayer = min(perOpSavedPerToken(s, r: r, widest: true), perLayerToken)
      let keptOnAverage = min(perOpSavedPerToken(s, r: r), perLayerToken)
      rebuilt = max(0, perLayerToken - keptByLayer)
      perLayerToken = keptByLayer
      allLayersToken = min(m.layers * keptOnAverage, allLayersToken)
    }

    // Eager attention's backward, one layer at a time: the probabilities' gradient (e bytes per
    // score, from the PV matmul) and its fp32 cast (4) live together; softmax's backward then
    // returns the input dtype (`_softmax_backward_data(..., input_dtype)`), so at most
    // (e + 4) · a · s per token (fp32: 4 + 4).
    let eagerBackward: Int64 = s.attention == .eager ? (e + 4) * a * seq : 0
    // MLP backward: gradients of the product, SiLU output and up output (3 · e · i) live at once,
    // in the layer with the widest MLP per token (dense, or a MoE layer's routed experts).
    let i = m.widestIntermediate(everyToken: s.expertsRunEveryToken)
    // Context parallelism's ring holds the chunk of keys and values in flight beside the one in
    // use (double-buffered sends, as Megatron/TE `AttnFuncWithCP` keeps them); an all-to-all
    // holds its re-laid-out q, k and v beside their inputs; an all-gather every rank's keys and
    // values at once.
    let view = s.stageView
    var ring: Int64 = 0
    if view.attentionSpan > 1 {
      switch view.contextType {
      case .ring: ring = 4 * e * kv
      case .allToAll: ring = e * (q + 2 * kv)
      case .hierarchical: ring = e * (q + 2 * kv) + (view.attentionSpan > view.headShards ? 4 * e * kv : 0)
      case .allGather: ring = 2 * e * kv * view.attentionSpan
      }
    }
    // The all-gather dispatcher holds every expert-parallel GPU's tokens at once.
    let gathered: Int64 =
      s.routing.dispatcher == .allgather && s.expertParallel > 1 && m.moe != nil
      ? s.expertParallel * e * h / s.stageView.dispatchDivisor : 0
    let layerTransient =
      t * (3 * e * i + eagerBackward + recomputedCore + rebuilt + ring + gathered) + adapterTransient(s)

    // A pipeline stage without the head holds no logits, loss or head input.
    var (lossPeak, logitsKept, lossCache) = m.holdsHead ? loss(s, tokens: t, e: e) : (0, 0, 0)
    // Final norm + lm_head input, input ids (int64) and the shifted labels nll_loss saves.
    var head = m.holdsHead ? t * (normInternals(m.norm, h: h, r: r) + e * h + 16) : 0
    // Each MTP layer keeps a decoder layer's tensors (its input only when layers are
    // recomputed whole), its two input norms and the 2h-wide input of eh_proj, and a head of
    // its own: its logits stay until its loss's backward, beside the main loss's peak.
    let mtp = m.heldMTPLayers
    if mtp > 0 {
      let layer = s.recomputedLayers > 0 ? r * h : norms + attention + (moeLayers > 0 ? mlp.sparse : mlp.dense)
      head += mtp * t * (layer + 2 * normInternals(m.norm, h: h, r: r) + 2 * e * h) + mtp * head
      lossPeak += mtp * logitsKept
      logitsKept *= 1 + mtp
    }

    return ActivationSizes(
      perLayer: t * perLayerToken,
      allLayers: t * allLayersToken,
      checkpointedLayer: t * r * h / s.stageView.boundaryDivisor,
      head: head,
      lossPeak: lossPeak,
      logitsKept: logitsKept,
      lossCache: lossCache,
      layerBackwardTransient: layerTransient,
      embeddingGradInput: m.holdsEmbedding ? t * r * h : 0)
  }
}
