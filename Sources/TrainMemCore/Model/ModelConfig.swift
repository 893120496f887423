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

/// A mixture-of-experts MLP (Mixtral, Qwen2-MoE, Qwen3-MoE): a router picks `perToken` of
/// `experts` gated MLPs for each token, plus an optional always-on shared expert.
public struct MoEConfig: Sendable, Equatable {
  package var experts: Int64
  package var perToken: Int64
  package var expertIntermediate: Int64
  /// The shared expert's intermediate size (Qwen2-MoE), 0 without one; it comes with a
  /// one-output sigmoid gate (`shared_expert_gate`).
  package var sharedIntermediate: Int64 = 0
  /// Layers whose MLP is the MoE block; the others keep a dense MLP (`decoder_sparse_step`,
  /// `mlp_only_layers`).
  ///
  /// Nil = every layer.
  package var layers: Int64? = nil

  /// The memberwise initializer, for the other modules (Swift synthesizes it internal).
  package init(
    experts: Int64, perToken: Int64, expertIntermediate: Int64, sharedIntermediate: Int64 = 0, layers: Int64? = nil
  ) {
    self.experts = experts
    self.perToken = perToken
    self.expertIntermediate = expertIntermediate
    self.sharedIntermediate = sharedIntermediate
    self.layers = layers
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
  /// A pipeline stage's share of the model (`tensorShard`): whether it holds the embedding,
  /// and the final norm, head and loss.
  ///
  /// A whole model holds both.
  package var holdsEmbedding = true
  package var holdsHead = true

  package var headDim: Int64 { explicitHeadDim ?? hidden / heads }
  /// The transformers `model_type` whose modeling file this model follows.
  package var modelType: String {
    let known = [
      ("qwen2.5", "qwen2"), ("qwen3-moe", "qwen3_moe"), ("qwen2-moe", "qwen2_moe"), ("pythia", "gpt_neox"),
      ("gemma3", "gemma3"), ("megatron-gpt", "gpt2"),
    ]
    if let (_, type) = known.first(where: { family == $0.0 }) { return type }
    if Self.modelTypes.contains(family) { return family == "gemma3_text" ? "gemma3" : family }
    return family.hasPrefix("llama") || family == "custom" ? "llama" : family
  }
  /// The Hugging Face `model_type`s trainmem builds, in the order `list` shows them.
  package static let modelTypes = [
    "llama", "mistral", "mixtral", "qwen2", "qwen2_moe", "qwen3", "qwen3_moe", "gemma", "gemma2", "gemma3",
    "gemma3_text", "phi3", "gpt2", "gpt_neox", "olmo2",
  ]

  /// Width of the q projection's output and o_proj's input: heads × head_dim.
  package var queryWidth: Int64 { heads * headDim }
  /// Width of the k and v projections: kv_heads × head_dim.
  package var kvWidth: Int64 { kvHeads * headDim }
  /// Layers with a mixture-of-experts MLP.
  package var moeLayers: Int64 { moe.map { min(layers, $0.layers ?? layers) } ?? 0 }

  /// The largest dimension, layer count or vocabulary a custom model may have (2^24): with the
  /// limits on sequence and batch, every byte count stays inside Int64.
  package static let dimensionLimit: Int64 = 1 << 24

  /// The intermediate width one token passes through, averaged over the layers: the dense
  /// MLP's, or in MoE layers its experts' (`experts_per_token` of them) and the shared one's.
  package var activeIntermediate: Double {
    guard let e = moe else { return Double(intermediate) }
    let sparse = Double(moeLayers) / Double(layers)
    let routed = Double(e.perToken) * Double(e.expertIntermediate) + Double(e.sharedIntermediate)
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
  package var widestIntermediate: Int64 {
    guard let e = moe else { return intermediate }
    let routed = e.perToken * e.expertIntermediate + e.sharedIntermediate
    return moeLayers < layers ? max(intermediate, routed) : routed
  }

  /// A decoder layer's linears on one GPU as (input, output, count, share of the GPU's tokens
  /// each sees), averaged over the layers: q, o; k, v; the MLP's; in MoE layers the router,
  /// the GPU's experts and the shared expert.
  ///
  /// Without expert parallelism a GPU runs every expert, each over `experts_per_token /
  /// experts` of its tokens. Under expert parallelism `ep` it runs `experts / ep` of them over
  /// the tokens the whole group routes there: the all-to-all dispatcher sends each local
  /// expert its tokens from every rank of the group (Megatron-Core `MoEAlltoAllTokenDispatcher`,
  /// torchtitan's `expert_parallel`), so each sees `ep · experts_per_token / experts` of a
  /// GPU's tokens — the same FLOPs in fewer, taller matmuls (derived). Folded tensor ranks
  /// (`StageView.expertFold`) each dispatch only their sequence-parallel share. Called with a
  /// closure so a sweep's millions of points build no arrays.
  package static func forEachLinear(
    _ m: ModelConfig, expertParallel ep: Int64 = 1, fold: Int64 = 1, _ body: (Double, Double, Double, Double) -> Void
  ) {
    let h = Double(m.hidden), q = Double(m.queryWidth)
    if q == h { body(h, h, 2, 1) } else { body(h, q, 1, 1); body(q, h, 1, 1) }
    body(h, Double(m.kvWidth), 2, 1)
    let sparse = Double(m.moeLayers) / Double(m.layers)
    func mlp(_ width: Double, _ count: Double, _ share: Double) {
      guard count > 0 else { return }
      body(h, width, (m.mlp.gated ? 2 : 1) * count, share)
      body(width, h, count, share)
    }
    mlp(Double(m.intermediate), 1 - sparse, 1)
    if let e = m.moe {
      let experts = Double(e.experts)
      body(h, experts, sparse, 1)
      let pooled = Double(max(1, ep))
      let tokens = Double(e.perToken) * pooled / experts / Double(max(1, fold))
      mlp(Double(e.expertIntermediate), sparse * experts / pooled, tokens)
      if e.sharedIntermediate > 0 { mlp(Double(e.sharedIntermediate), sparse, 1) }
    }
  }

  /// "SwiGLU, RMSNorm, q/k/v bias, window 4096 × 32 layers, 128 experts (8 per token)".
  package var architectureSummary: String {
    var parts = [mlp == .swiglu ? "SwiGLU" : mlp == .geglu ? "GeGLU" : "GELU", norm == .rms ? "RMSNorm" : "LayerNorm"]
    if normsPerLayer != 2 { parts.append("\(normsPerLayer) norms per layer") }
    if bias != .none { parts.append(bias == .qkv ? "q/k/v bias" : "attention bias") }
    if mlpBias { parts.append("MLP bias") }
    if qkNorm != .none { parts.append("q/k norm") }
    if learnedPositions > 0 { parts.append("learned positions") }
    if parallelResidual { parts.append("parallel residual") }
    if tiedEmbeddings { parts.append("tied embeddings") }
    if let w = slidingWindow, slidingLayers > 0 { parts.append("window \(w) × \(slidingLayers) layers") }
    if let e = moe {
      parts.append(
        "\(e.experts) experts (\(e.perToken) per token)" + (e.sharedIntermediate > 0 ? " + shared expert" : ""))
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
    let width = Double(hidden) + Double(intermediate) + expertWidth
    let structureOK = slidingLayers <= layers && normsPerLayer <= 8 && (moe?.layers ?? 0) <= layers
    if dimensionsOK && headsOK && expertsOK && structureOK && Double(layers) * Double(hidden) * width < 1e14 {
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
