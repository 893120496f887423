// Model architectures: what a decoder-only transformer is made of, as transformers builds it.

/// The MLP of a decoder layer (transformers `*MLP` classes).
public enum MLPKind: String, Sendable, CaseIterable {
  /// `down(act(gate(x)) * up(x))` with SiLU: LLaMA, Mistral, Qwen, Phi-3 (fused gate_up), OLMo-2.
  case swiglu
  /// The same with GELU (tanh): Gemma 1/2/3 (`hidden_activation: gelu_pytorch_tanh`).
  case geglu
  /// `fc2(gelu(fc1(x)))`: GPT-2, GPT-NeoX.
  case gelu

  package var gated: Bool { self != .gelu }
}

/// The normalisation layers: RMSNorm (one weight vector) or LayerNorm (weight and bias).
public enum NormKind: String, Sendable, CaseIterable { case rms, layer }

/// Which linear layers carry a bias vector.
public enum BiasKind: String, Sendable, CaseIterable {
  case none
  /// q, k and v only: Qwen2/Qwen2.5 (`nn.Linear(..., bias=True)` for q/k/v, o_proj without).
  case qkv
  /// Every attention projection: LLaMA-family `attention_bias: true`, GPT-2, GPT-NeoX.
  case attention
}

/// Normalisation of queries and keys before rotary embedding.
public enum QKNorm: String, Sendable, CaseIterable {
  case none
  /// One RMSNorm over each head's `head_dim` (Qwen3, Gemma 3).
  case head
  /// One RMSNorm over all heads' width (OLMo-2: `q_norm = RMSNorm(num_heads * head_dim)`).
  case full
}

/// Multi-head latent attention (DeepSeek-V2/V3, Kimi K2), as transformers builds it
/// (`DeepseekV3Attention` in modeling_deepseek_v3.py, v4.57/v5): queries through an optional
/// low-rank `q_a_proj` → `q_a_layernorm` → `q_b_proj` (a full `q_proj` when `q_lora_rank` is
/// null), keys and values through one shared latent (`kv_a_proj_with_mqa` → `kv_a_layernorm`
/// → `kv_b_proj`), each head's key a `qk_nope_head_dim` part from the latent plus a
/// `qk_rope_head_dim` rotary part shared by all heads, values `v_head_dim` wide.
public struct LatentAttention: Sendable, Equatable {
  /// `q_lora_rank`; nil: a full-rank `q_proj`.
  package var queryRank: Int64?
  /// `kv_lora_rank`.
  package var kvRank: Int64
  /// `qk_nope_head_dim`, `qk_rope_head_dim`, `v_head_dim`.
  package var noPositionDim: Int64
  package var rotaryDim: Int64
  package var valueDim: Int64

  package init(queryRank: Int64?, kvRank: Int64, noPositionDim: Int64, rotaryDim: Int64, valueDim: Int64) {
    self.queryRank = queryRank
    self.kvRank = kvRank
    self.noPositionDim = noPositionDim
    self.rotaryDim = rotaryDim
    self.valueDim = valueDim
  }

  /// A query's and a key's width per head: `qk_head_dim = qk_nope_head_dim + qk_rope_head_dim`.
  package var queryKeyDim: Int64 { noPositionDim + rotaryDim }
}

/// A mixture-of-experts MLP (Mixtral, Qwen2/3-MoE, DeepSeek-MoE, GPT-OSS, Llama 4, GLM-4.5): a
/// router picks `perToken` of `experts` gated MLPs for each token, plus an optional always-on
/// shared expert.
public struct MoEConfig: Sendable, Equatable {
  package var experts: Int64
  package var perToken: Int64
  package var expertIntermediate: Int64
  /// The shared experts' intermediate size together, 0 without one: Qwen2-MoE's
  /// `shared_expert_intermediate_size`, DeepSeek's and GLM-4.5's `moe_intermediate_size ×
  /// n_shared_experts` (one MLP that wide: `DeepseekV3MoE.shared_experts`), Llama 4's
  /// `intermediate_size`.
  package var sharedIntermediate: Int64 = 0
  /// Whether the shared expert has a one-output sigmoid gate (`shared_expert_gate`,
  /// Qwen2-MoE only; DeepSeek, GLM-4.5 and Llama 4 add the shared output ungated).
  package var sharedGate = true
  /// Whether the router has a bias vector (GPT-OSS `GptOssTopKRouter.bias`, a parameter).
  ///
  /// DeepSeek-V3's `e_score_correction_bias` is a buffer, not a parameter, and is not counted.
  package var routerBias = false
  /// Whether transformers runs every expert on every token.
  ///
  /// modeling_llama4 `Llama4TextMoe`
  /// repeats the hidden states once per expert, zeroes the unrouted ones by the router's scores
  /// and runs all experts as one `bmm` (transformers v4.51–v4.57). Routed implementations
  /// (Megatron-Core's MoE layer) compute each token in its `perToken` experts only.
  package var computesEveryToken = false
  /// Layers whose MLP is the MoE block; the others keep a dense MLP (`decoder_sparse_step`,
  /// `mlp_only_layers`).
  ///
  /// Nil = every layer.
  package var layers: Int64? = nil

  /// The memberwise initializer, for the other modules (Swift synthesizes it internal).
  package init(
    experts: Int64, perToken: Int64, expertIntermediate: Int64, sharedIntermediate: Int64 = 0, layers: Int64? = nil,
    sharedGate: Bool = true, routerBias: Bool = false
  ) {
    self.experts = experts
    self.perToken = perToken
    self.expertIntermediate = expertIntermediate
    self.sharedIntermediate = sharedIntermediate
    self.layers = layers
    self.sharedGate = sharedGate
    self.routerBias = routerBias
  }
}

/// A decoder-only transformer as transformers builds it.
///
/// The defaults are LLaMA's: RMSNorm,
/// rotary attention (optionally grouped-query), SwiGLU, no biases, untied embeddings.
public struct ModelConfig: Sendable, Equatable {
  package var id: String
  package var hidden: Int64
  package var intermediate: Int64
  package var layers: Int64
  package var heads: Int64
  package var kvHeads: Int64
  package var vocab: Int64
  package var tiedEmbeddings: Bool
  /// The family for `list models` and suggestions (`llama3.2`, `qwen3`, …).
  package var family: String = "custom"
  /// `head_dim` when it is not hidden / heads (Gemma, Qwen3).
  package var explicitHeadDim: Int64? = nil
  package var mlp: MLPKind = .swiglu
  package var norm: NormKind = .rms
  /// Norm layers per decoder layer: 2 (pre-attention, pre-MLP), 4 in Gemma 2/3 (also after
  /// each), 2 in OLMo-2 (after each instead of before).
  package var normsPerLayer: Int64 = 2
  package var bias: BiasKind = .none
  /// Biases on the MLP's linears (`mlp_bias`; GPT-2, GPT-NeoX).
  package var mlpBias = false
  package var qkNorm: QKNorm = .none
  /// Learned position embeddings (GPT-2 `wpe`: n_positions × hidden); 0 with rotary.
  package var learnedPositions: Int64 = 0
  /// GPT-NeoX's parallel residual: attention and MLP read the same input.
  package var parallelResidual: Bool = false
  /// The attention window of sliding-window layers, and how many layers use it.
  package var slidingWindow: Int64? = nil
  package var slidingLayers: Int64 = 0
  package var moe: MoEConfig? = nil
  /// Multi-head latent attention in place of q/k/v projections (DeepSeek-V2/V3, Kimi K2).
  package var latent: LatentAttention? = nil
  /// A learned logit per head appended to each softmax (GPT-OSS `self.sinks`, a parameter of
  /// `num_attention_heads` per layer).
  package var attentionSinks = false
  /// The windowed layers attend within fixed chunks of `slidingWindow` tokens rather than a
  /// sliding window (Llama 4's `attention_chunk_size` on its RoPE layers).
  package var chunkedAttention = false
  /// Multi-token-prediction layers trained with the model.
  ///
  /// Megatron-Core `--mtp-num-layers`,
  /// multi_token_prediction.py; DeepSeek-V3 §2.2), held with the head: each normalises the
  /// hidden state and the next token's embedding (`enorm`, `hnorm`), projects their
  /// concatenation 2h → h (`eh_proj`), runs one decoder layer like the model's last, a final
  /// norm, and the shared output head and loss again. transformers builds none
  /// (`num_nextn_predict_layers` weights are dropped on load).
  package var mtpLayers: Int64 = 0
  /// A pipeline stage's share of the model (`tensorShard`): whether it holds the embedding,
  /// and the final norm, head and loss.
  ///
  /// A whole model holds both.
  package var holdsEmbedding = true
  package var holdsHead = true

  package var headDim: Int64 { explicitHeadDim ?? hidden / heads }
  /// The multi-token-prediction layers this part of the model runs (those with the head).
  package var heldMTPLayers: Int64 { holdsHead ? mtpLayers : 0 }
  /// Decoder layers a micro-batch runs through here: the model's and the MTP layers'.
  package var computedLayers: Int64 { layers + heldMTPLayers }
  /// What the MTP layers hold beyond a decoder layer each: `eh_proj` (2h × h) and, with it, its
  /// three norms; per-layer averages leave them out so every layer weighs the same.
  package var mtpProjectionParameters: Int64 { heldMTPLayers * 2 * hidden * hidden }
  package var mtpExtraParameters: Int64 {
    mtpProjectionParameters + heldMTPLayers * 3 * hidden * (norm == .layer ? 2 : 1)
  }
  /// Of those, the ones with a mixture-of-experts MLP (an MTP layer is like the model's last).
  package var computedMoELayers: Int64 { moeLayers + (moeLayers > 0 ? heldMTPLayers : 0) }
  /// A query's and key's width per head (MLA: `qk_nope_head_dim + qk_rope_head_dim`).
  package var queryKeyHeadDim: Int64 { latent?.queryKeyDim ?? headDim }
  /// A value's and the attention output's width per head (MLA: `v_head_dim`).
  package var valueHeadDim: Int64 { latent?.valueDim ?? headDim }
  /// The transformers modeling file this model follows, from its family (presets name theirs,
  /// a config.json its `model_type`; custom models are LLaMA-shaped).
  package var architecture: Architecture {
    switch family {
    case "qwen2.5": return .qwen2
    case "qwen3-moe": return .qwen3Moe
    case "qwen2-moe": return .qwen2Moe
    case "pythia": return .gptNeox
    case "megatron-gpt": return .gpt2
    default: return Architecture(rawValue: family)?.modelingFile ?? .llama
    }
  }
  /// The modeling file's `model_type`, for reports (`modeling_<type>.py`).
  package var modelType: String { architecture.rawValue }

  /// Width of the queries: heads × head_dim (MLA: heads × qk_head_dim).
  package var queryWidth: Int64 { heads * queryKeyHeadDim }
  /// The mean width of the keys and the values, so that keys and values together are
  /// 2 × kvWidth: kv_heads × head_dim (MLA: heads × (qk_head_dim + v_head_dim) / 2).
  package var kvWidth: Int64 { kvHeads * (queryKeyHeadDim + valueHeadDim) / 2 }
  /// Width of the attention's output, o_proj's input: heads × head_dim (MLA: heads × v_head_dim).
  package var outputWidth: Int64 { heads * valueHeadDim }
  /// The width the attention core's two matmuls run over, averaged: QKᵀ over the queries'
  /// width and PV over the values' (equal but for MLA).
  package var attentionWidth: Double { Double(queryWidth + outputWidth) / 2 }
  /// Layers with a mixture-of-experts MLP.
  package var moeLayers: Int64 { moe.map { min(layers, $0.layers ?? layers) } ?? 0 }

  /// The largest dimension, layer count or vocabulary a custom model may have (2^24): with the
  /// limits on sequence and batch, every byte count stays inside Int64.
  package static let dimensionLimit: Int64 = 1 << 24

  /// The smallest side of any attention or MLP weight (`ParameterInventory.smallestLowRankSide`
  /// without building the inventory): the largest rank a default may take.
  package var narrowestProjection: Int64 {
    var side = min(hidden, intermediate)
    if let a = latent {
      side = min(side, a.kvRank, a.queryRank ?? side)
    } else {
      side = min(side, kvWidth)
    }
    if let e = moe { side = min(side, e.expertIntermediate) }
    return side
  }

  /// The intermediate width one token passes through, averaged over the layers: the dense
  /// MLP's, or in MoE layers its experts' (`experts_per_token` of them) and the shared one's.
  package var activeIntermediate: Double { activeIntermediate(everyToken: false) }

  /// The same when every expert runs on every token (`MoEConfig.computesEveryToken`).
  package func activeIntermediate(everyToken: Bool) -> Double {
    guard let e = moe else { return Double(intermediate) }
    let sparse = Double(moeLayers) / Double(layers)
    let experts = everyToken ? e.experts : e.perToken
    let routed = Double(experts) * Double(e.expertIntermediate) + Double(e.sharedIntermediate)
    return (1 - sparse) * Double(intermediate) + sparse * routed
  }

  /// The share of the tokens a tensor computes on: a routed expert's `experts_per_token /
  /// experts`, every other tensor all of them.
  package func tokenShare(_ t: TensorGroup) -> Double {
    guard t.expert, let e = moe else { return 1 }
    return Double(e.perToken) / Double(e.experts)
  }

  /// The intermediate width a token's MLP runs through, rounded: the dense MLP's, or in MoE
  /// layers the routed experts' and the shared one's (as `activeIntermediate`).
  package var activeIntermediateWidth: Int64 { Int64(activeIntermediate.rounded()) }

  /// The widest intermediate width a token passes through in any one layer.
  package var widestIntermediate: Int64 { widestIntermediate(everyToken: false) }

  /// The same when every expert runs on every token.
  package func widestIntermediate(everyToken: Bool) -> Int64 {
    guard let e = moe else { return intermediate }
    let routed = (everyToken ? e.experts : e.perToken) * e.expertIntermediate + e.sharedIntermediate
    return moeLayers < layers ? max(intermediate, routed) : routed
  }

  /// A decoder layer's linears (`LayerPlan`) on one GPU as (input, output, count, share of the
  /// GPU's tokens each sees), averaged over the layers: q, o; k, v; the MLP's; in MoE layers the
  /// router, the GPU's experts and the shared expert.
  ///
  /// Without expert parallelism a GPU runs every expert, each over `experts_per_token /
  /// experts` of its tokens. Under expert parallelism `ep` it runs `experts / ep` of them over
  /// the tokens the whole group routes there: the all-to-all dispatcher sends each local
  /// expert its tokens from every rank of the group (Megatron-Core `MoEAlltoAllTokenDispatcher`,
  /// torchtitan's `expert_parallel`), so each sees `ep · experts_per_token / experts` of a
  /// GPU's tokens — the same FLOPs in fewer, taller matmuls (derived). Folded tensor ranks
  /// (`StageView.expertFold`) each dispatch only their sequence-parallel share. With `grouped`
  /// the local experts are one grouped matmul over all their tokens (`ExpertRouting.groupedGEMM`):
  /// the same FLOPs as one matmul whose token side is the experts' tokens together — a grouped
  /// kernel schedules every expert's tiles in one launch (assumed: the tiles a small expert
  /// leaves partly empty are not counted). Called with a closure so a sweep's millions of points
  /// build no arrays.
  package static func forEachLinear(
    _ m: ModelConfig, expertParallel ep: Int64 = 1, fold: Int64 = 1, everyToken: Bool = false, load: Double = 1,
    grouped: Bool = false, _ body: (Double, Double, Double, Double) -> Void
  ) {
    var tokens = 1.0, local = 1.0
    if let e = m.moe {
      let experts = Double(e.experts)
      let pooled = Double(max(1, ep))
      // `load`: the routed tokens an expert computes under a capacity (ExpertRouting.expertLoad).
      let routed = (everyToken ? 1 : Double(e.perToken) / experts) * load
      tokens = routed * pooled / Double(max(1, fold))
      local = experts / pooled
    }
    var pending: (input: Double, output: Double, count: Double, share: Double)?
    LayerPlan.forEachPart(of: m) { part in
      guard part.isTimedMatmul, part.layerShare > 0 else { return }
      var count = part.layerShare, share = 1.0
      if part.block == .expert {
        if grouped { share = tokens * local } else { (count, share) = (part.layerShare * local, tokens) }
      }
      let input = Double(part.cols), output = Double(part.rows)
      if part.pairsWithPrevious, let p = pending, p.input == input, p.output == output, p.share == share {
        pending?.count += count
        return
      }
      if let p = pending { body(p.input, p.output, p.count, p.share) }
      pending = (input, output, count, share)
    }
    if let p = pending { body(p.input, p.output, p.count, p.share) }
  }

  /// "SwiGLU, RMSNorm, q/k/v bias, window 4096 × 32 layers, 128 experts (8 per token)".
  package var architectureSummary: String {
    var parts = [mlp == .swiglu ? "SwiGLU" : mlp == .geglu ? "GeGLU" : "GELU", norm == .rms ? "RMSNorm" : "LayerNorm"]
    if normsPerLayer != 2 { parts.append("\(normsPerLayer) norms per layer") }
    if bias != .none { parts.append(bias == .qkv ? "q/k/v bias" : "attention bias") }
    if mlpBias { parts.append("MLP bias") }
    if qkNorm != .none { parts.append("q/k norm") }
    if let a = latent {
      parts.append("MLA (kv rank \(a.kvRank)" + (a.queryRank.map { ", q rank \($0)" } ?? "") + ")")
    }
    if attentionSinks { parts.append("attention sinks") }
    if learnedPositions > 0 { parts.append("learned positions") }
    if parallelResidual { parts.append("parallel residual") }
    if tiedEmbeddings { parts.append("tied embeddings") }
    if let w = slidingWindow, slidingLayers > 0 {
      parts.append("\(chunkedAttention ? "chunks" : "window") \(w) × \(slidingLayers) layers")
    }
    if let e = moe {
      parts.append(
        "\(e.experts) experts (\(e.perToken) per token)" + (e.sharedIntermediate > 0 ? " + shared expert" : "")
          + (moeLayers < layers ? " in \(moeLayers) layers" : ""))
    }
    return parts.joined(separator: ", ")
  }

  /// All experts' intermediate widths together (for size bounds).
  private var expertWidth: Double {
    moe.map { Double($0.experts) * Double($0.expertIntermediate) + Double($0.sharedIntermediate) } ?? 0
  }

  /// Checks the shape is buildable; returns the message naming the problem.
  package func validationProblem() -> String? { validationIssue()?.message }

  /// The problem and the model key it is about (`heads`, `kv_heads`, …).
  package func validationIssue() -> (key: String, message: String)? {
    let limit = Self.dimensionLimit
    // The common case, checked without building anything (this runs for every point of a sweep).
    func ok(_ v: Int64) -> Bool { v > 0 && v <= limit }
    let dimensionsOK = ok(hidden) && ok(intermediate) && ok(layers) && ok(heads) && ok(kvHeads) && ok(vocab)
    let headsOK = (explicitHeadDim.map(ok) ?? (hidden % heads == 0)) && heads % kvHeads == 0
    var expertsOK = true
    if let e = moe {
      expertsOK = ok(e.experts) && ok(e.perToken) && e.perToken <= e.experts && ok(e.expertIntermediate)
    }
    var latentOK = true
    if let a = latent {
      latentOK =
        ok(a.kvRank) && ok(a.noPositionDim) && ok(a.rotaryDim) && ok(a.valueDim) && (a.queryRank.map(ok) ?? true)
        && kvHeads == heads
    }
    let width = Double(hidden) + Double(intermediate) + expertWidth
    let structureOK = slidingLayers <= layers && normsPerLayer <= 8 && (moe?.layers ?? 0) <= layers
    if dimensionsOK && headsOK && expertsOK && latentOK && structureOK && Double(layers) * Double(hidden) * width < 1e14
    {
      return nil
    }
    var dimensions: [(String, Int64)] = [
      ("hidden", hidden), ("intermediate", intermediate), ("layers", layers),
      ("heads", heads), ("kv_heads", kvHeads), ("vocab", vocab),
    ]
    if let d = explicitHeadDim { dimensions.append(("head_dim", d)) }
    if let e = moe {
      dimensions += [
        ("experts", e.experts), ("experts_per_token", e.perToken), ("expert_intermediate", e.expertIntermediate),
      ]
    }
    if let a = latent {
      dimensions += [
        ("kv_lora_rank", a.kvRank), ("qk_nope_head_dim", a.noPositionDim), ("qk_rope_head_dim", a.rotaryDim),
        ("v_head_dim", a.valueDim),
      ]
      if let r = a.queryRank { dimensions.append(("q_lora_rank", r)) }
    }
    for (name, v) in dimensions {
      if v <= 0 { return (name, "'\(name)' must be a positive integer, got \(v)") }
      if v > limit { return (name, "'\(name)' is \(v), above the supported maximum \(limit)") }
    }
    // Each dimension may be within its limit while their product leaves Int64: bound the count
    // (in Double) before any inventory multiplies them. 10^15 is 2,500 times Llama-3-405B.
    let h = Double(hidden),
      approxParameters =
        Double(layers) * (4 * h * Double(max(hidden, queryWidth)) + 3 * h * (Double(intermediate) + expertWidth))
        + 2 * Double(vocab) * h
    if approxParameters > 1e15 {
      return (
        "layers",
        "this model has about \(NumberFormatting.grouped(approxParameters / 1e12))T parameters, beyond the 10^15 trainmem counts; reduce 'layers', 'hidden' or 'intermediate'"
      )
    }
    if explicitHeadDim == nil && hidden % heads != 0 {
      return ("heads", "'heads' (\(heads)) must divide 'hidden' (\(hidden)), or give 'head_dim'")
    }
    if slidingLayers > layers {
      return ("sliding_layers", "'sliding_layers' (\(slidingLayers)) is more than the model's \(layers) layers")
    }
    if let e = moe, let n = e.layers, n > layers {
      return ("moe_layers", "'moe_layers' (\(n)) is more than the model's \(layers) layers")
    }
    if normsPerLayer > 8 {
      return ("norms_per_layer", "'norms_per_layer' is \(normsPerLayer); transformers models have 2 or 4")
    }
    if let e = moe, e.perToken > e.experts {
      return (
        "experts_per_token", "'experts_per_token' (\(e.perToken)) is more than the \(e.experts) 'experts'"
      )
    }
    if latent != nil && kvHeads != heads {
      return (
        "kv_heads",
        "multi-head latent attention expands keys and values to every head: 'kv_heads' must equal 'heads' (\(heads))"
      )
    }
    if heads % kvHeads != 0 { return ("kv_heads", "'kv_heads' (\(kvHeads)) must divide 'heads' (\(heads))") }
    return nil
  }

  /// The memberwise initializer, for the other modules (Swift synthesizes it internal).
  package init(
    id: String, hidden: Int64, intermediate: Int64, layers: Int64, heads: Int64, kvHeads: Int64, vocab: Int64,
    tiedEmbeddings: Bool, family: String = "custom", explicitHeadDim: Int64? = nil, mlp: MLPKind = .swiglu,
    norm: NormKind = .rms, normsPerLayer: Int64 = 2, bias: BiasKind = .none, mlpBias: Bool = false,
    qkNorm: QKNorm = .none, learnedPositions: Int64 = 0, parallelResidual: Bool = false, slidingWindow: Int64? = nil,
    slidingLayers: Int64 = 0, moe: MoEConfig? = nil, holdsEmbedding: Bool = true, holdsHead: Bool = true
  ) {
    self.id = id
    self.hidden = hidden
    self.intermediate = intermediate
    self.layers = layers
    self.heads = heads
    self.kvHeads = kvHeads
    self.vocab = vocab
    self.tiedEmbeddings = tiedEmbeddings
    self.family = family
    self.explicitHeadDim = explicitHeadDim
    self.mlp = mlp
    self.norm = norm
    self.normsPerLayer = normsPerLayer
    self.bias = bias
    self.mlpBias = mlpBias
    self.qkNorm = qkNorm
    self.learnedPositions = learnedPositions
    self.parallelResidual = parallelResidual
    self.slidingWindow = slidingWindow
    self.slidingLayers = slidingLayers
    self.moe = moe
    self.holdsEmbedding = holdsEmbedding
    self.holdsHead = holdsHead
  }
}

/// A Hugging Face `model_type` trainmem builds: its transformers modeling file, with the types
/// that reuse another's (`modelingFile`).
public enum Architecture: String, Sendable, CaseIterable {
  case llama, mistral, mixtral, qwen2
  case qwen2Moe = "qwen2_moe"
  case qwen3
  case qwen3Moe = "qwen3_moe"
  case gemma, gemma2, gemma3
  /// Gemma 3's language model (a `gemma3` config's `text_config`).
  case gemma3Text = "gemma3_text"
  case phi3, gpt2
  case gptNeox = "gpt_neox"
  case olmo2
  case deepseekV2 = "deepseek_v2"
  case deepseekV3 = "deepseek_v3"
  /// Kimi K2: DeepSeek-V3's modeling code under its own type.
  case kimiK2 = "kimi_k2"
  case gptOss = "gpt_oss"
  case llama4
  /// Llama 4's language model (a `llama4` config's `text_config`).
  case llama4Text = "llama4_text"
  case glm4Moe = "glm4_moe"

  /// The architecture whose modeling file runs this type.
  package var modelingFile: Architecture {
    switch self {
    case .gemma3Text: return .gemma3
    case .kimiK2: return .deepseekV3
    case .llama4Text: return .llama4
    case .llama, .mistral, .mixtral, .qwen2, .qwen2Moe, .qwen3, .qwen3Moe, .gemma, .gemma2, .gemma3, .phi3, .gpt2,
      .gptNeox, .olmo2, .deepseekV2, .deepseekV3, .gptOss, .llama4, .glm4Moe:
      return self
    }
  }

  /// Every `model_type` a config.json may name, for messages.
  package static var modelTypes: String { allCases.map(\.rawValue).joined(separator: ", ") }
}
