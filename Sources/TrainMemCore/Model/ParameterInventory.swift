// The parameter tensors of a decoder-only model as transformers creates them (`*ForCausalLM`
// in modeling_llama, _mistral, _qwen2, _qwen3, _gemma2, _gemma3, _phi3, _gpt2, _gpt_neox,
// _olmo2, _mixtral, _qwen2_moe, _qwen3_moe), grouped by identical shape so a 70B model is a
// handful of entries, not thousands. Fused projections (GPT-2 `c_attn`, NeoX `query_key_value`,
// Phi-3 `qkv_proj`/`gate_up_proj`) hold the same elements as separate ones and are listed
// separately. Low-rank target group: every 2-D weight inside attention and the MLP — the
// modules whose name contains "attn" or "mlp" in GaLore `torchrun_main.py` / APOLLO
// `main_pretrain.py` (papers.md §a), experts included. Embeddings, lm_head, routers, biases and
// norms are the regular group (plain AdamW).

/// What a parameter tensor does in the network; decides FLOPs and quantisation.
package enum TensorRole: Sendable {
  /// A linear layer's weight inside attention or the MLP (int8-quantisable, low-rank target).
  case projection
  /// The token (or learned position) embedding: a lookup, no matmul FLOPs.
  case embedding
  /// The output projection to the vocabulary (a matmul; regular group).
  case lmHead
  /// A mixture-of-experts router or a shared expert's gate: a small matmul, regular group.
  case router
  /// A norm's weight or bias vector.
  case norm
  /// A linear layer's bias vector.
  case bias
  /// A LoRA adapter's A or B matrix or DoRA's magnitude (trained, fp32; regular group).
  case adapter
}

/// Which optimizer parameter group a tensor belongs to.
package enum ParameterGroup: Sendable { case lowRank, regular }

/// `count` identical tensors of shape rows × cols (cols = 1 for vectors).
package struct TensorGroup: Sendable {
  package let name: String
  /// Out × in for a linear weight (torch `nn.Linear.weight`), vocab × hidden for embeddings.
  package let rows: Int64
  package let cols: Int64
  package let count: Int64
  package let role: TensorRole
  /// One of a mixture-of-experts layer's experts: held in full, computed for routed tokens only.
  package var expert = false
  package var group: ParameterGroup { role == .projection ? .lowRank : .regular }
  package var isMatrix: Bool { cols > 1 }
  package var elements: Int64 { rows * cols }
  package var totalElements: Int64 { elements * count }
  package var minSide: Int64 { min(rows, cols) }
  package var maxSide: Int64 { max(rows, cols) }
}

/// The model's parameter tensors, with the sums the models read computed once (a sweep
/// evaluates hundreds of thousands of setups; none of them should re-walk the list).
package struct ParameterInventory: Sendable {
  /// The attention block's linears: LLaMA's four and MLA's (`latentTensors`).
  package static let attentionProjections: Set<String> = [
    "q_proj", "k_proj", "v_proj", "o_proj", "q_a_proj", "q_b_proj", "kv_a_proj_with_mqa", "kv_b_proj",
  ]
  package let tensors: [TensorGroup]
  package let parameters: Int64
  package let lowRankParameters: Int64
  /// Number of separate parameter tensors (what per-tensor optimizer loops iterate over).
  package let tensorCount: Int64
  package let lowRankTensorCount: Int64
  /// Parameters that take part in matmuls (all but the embedding lookups, norms and biases).
  package let matmulParameters: Int64
  /// The matmul parameters one token runs through: experts count `experts_per_token` of
  /// `experts` (the model card's "active parameters" less embeddings and norms).
  package let activeMatmulParameters: Int64
  /// Of those, the routed experts' share a token runs through (`experts_per_token / experts`).
  package let activeExpertMatmulParameters: Int64
  package let embeddingParameters: Int64
  package let lmHeadParameters: Int64
  package let finalNormParameters: Int64
  package let expertParameters: Int64
  /// The parameters one token uses: all but the experts it is not routed to (a model card's
  /// "activated parameters").
  package let activeParameters: Int64
  /// The smallest side of any low-rank target: the largest rank GaLore/APOLLO accept.
  package let smallestLowRankSide: Int64

  /// Builds the inventory; sizes are bounded by `ModelConfig.validationProblem`, so every
  /// product here stays far below 2^63 (2^24 · 2^24 · 2^24 at most).
  package init(_ m: ModelConfig) { self.init(tensors: Self.tensors(m), model: m) }

  /// The tensors of one model, in the order transformers registers them.
  package static func tensors(_ m: ModelConfig) -> [TensorGroup] {
    let h = m.hidden, l = m.layers, q = m.queryWidth, kv = m.kvWidth
    var t: [TensorGroup] = []
    if m.holdsEmbedding {
      t.append(TensorGroup(name: "embed_tokens", rows: m.vocab, cols: h, count: 1, role: .embedding))
    }
    if m.learnedPositions > 0 && m.holdsEmbedding {
      t.append(TensorGroup(name: "position embeddings", rows: m.learnedPositions, cols: h, count: 1, role: .embedding))
    }
    if let a = m.latent {
      t += latentTensors(m, a)
    } else {
      t += [
        TensorGroup(name: "q_proj", rows: q, cols: h, count: l, role: .projection),
        TensorGroup(name: "k_proj", rows: kv, cols: h, count: l, role: .projection),
        TensorGroup(name: "v_proj", rows: kv, cols: h, count: l, role: .projection),
        TensorGroup(name: "o_proj", rows: h, cols: q, count: l, role: .projection),
      ]
      if m.bias != .none {
        t.append(TensorGroup(name: "q/k/v biases", rows: q + 2 * kv, cols: 1, count: l, role: .bias))
      }
      if m.bias == .attention { t.append(TensorGroup(name: "o_proj bias", rows: h, cols: 1, count: l, role: .bias)) }
    }
    if m.attentionSinks { t.append(TensorGroup(name: "sinks", rows: m.heads, cols: 1, count: l, role: .bias)) }
    switch m.qkNorm {
    case .none: break
    case .head: t.append(TensorGroup(name: "q/k norms", rows: m.headDim, cols: 1, count: 2 * l, role: .norm))
    case .full: t.append(TensorGroup(name: "q/k norms", rows: q + kv, cols: 1, count: l, role: .norm))
    }
    t += mlpTensors(m, intermediate: m.intermediate, count: l - m.moeLayers, prefix: "")
    if let e = m.moe {
      let n = m.moeLayers
      t.append(TensorGroup(name: "router", rows: e.experts, cols: h, count: n, role: .router))
      if e.routerBias { t.append(TensorGroup(name: "router bias", rows: e.experts, cols: 1, count: n, role: .bias)) }
      t += mlpTensors(m, intermediate: e.expertIntermediate, count: n * e.experts, prefix: "experts.", expert: true)
      if e.sharedIntermediate > 0 {
        t += mlpTensors(m, intermediate: e.sharedIntermediate, count: n, prefix: "shared_expert.")
        if e.sharedGate {
          t.append(TensorGroup(name: "shared_expert_gate", rows: 1, cols: h, count: n, role: .router))
        }
      }
    }
    let perNorm: Int64 = m.norm == .layer ? 2 : 1
    t.append(TensorGroup(name: "layer norms", rows: h, cols: 1, count: m.normsPerLayer * l * perNorm, role: .norm))
    guard m.holdsHead else { return t.filter { $0.count > 0 } }
    t += mtpTensors(m)
    t.append(TensorGroup(name: "final norm", rows: h, cols: 1, count: perNorm, role: .norm))
    if !m.tiedEmbeddings {
      t.append(TensorGroup(name: "lm_head", rows: m.vocab, cols: h, count: 1, role: .lmHead))
    } else if !m.holdsEmbedding {
      // A last pipeline stage keeps its own copy of tied word embeddings for the output layer,
      // kept equal by an all-reduce of their gradients (Megatron `shared_embedding`).
      t.append(TensorGroup(name: "word embeddings (copy)", rows: m.vocab, cols: h, count: 1, role: .lmHead))
    }
    return t.filter { $0.count > 0 }
  }

  /// What the MTP layers' tensors are named by (`mtp.q_proj`).
  package static let mtpPrefix = "mtp."

  /// The multi-token-prediction layers' tensors (`ModelConfig.mtpLayers`).
  ///
  /// One decoder layer like the model's last (a MoE layer when the last is), `eh_proj` [h, 2h]
  /// and three norms each; the embedding and the head are the model's own.
  package static func mtpTensors(_ m: ModelConfig) -> [TensorGroup] {
    let n = m.mtpLayers
    guard n > 0 else { return [] }
    let layer = m.with {
      $0.layers = 1
      $0.moe?.layers = m.moeLayers > 0 ? 1 : 0
      $0.slidingLayers = 0
      $0.mtpLayers = 0
      $0.holdsEmbedding = false
      $0.holdsHead = false
    }
    var t = tensors(layer).map {
      TensorGroup(
        name: mtpPrefix + $0.name, rows: $0.rows, cols: $0.cols, count: $0.count * n, role: $0.role, expert: $0.expert)
    }
    t.append(TensorGroup(name: mtpPrefix + "eh_proj", rows: m.hidden, cols: 2 * m.hidden, count: n, role: .projection))
    let perNorm: Int64 = m.norm == .layer ? 2 : 1
    t.append(TensorGroup(name: "mtp norms", rows: m.hidden, cols: 1, count: 3 * n * perNorm, role: .norm))
    return t
  }

  /// MLA's tensors.
  ///
  /// MLA's tensors (modeling_deepseek_v3 `DeepseekV3Attention.__init__`): `q_a_proj`
  /// [q_lora_rank, h] with `q_a_layernorm` and `q_b_proj` [heads · qk_head_dim, q_lora_rank],
  /// or `q_proj` [heads · qk_head_dim, h]; `kv_a_proj_with_mqa` [kv_lora_rank + qk_rope_head_dim,
  /// h] with `kv_a_layernorm` [kv_lora_rank]; `kv_b_proj` [heads · (qk_nope_head_dim +
  /// v_head_dim), kv_lora_rank]; `o_proj` [h, heads · v_head_dim]. `attention_bias` puts
  /// biases on q_a (or none on q_proj), kv_a and o_proj.
  package static func latentTensors(_ m: ModelConfig, _ a: LatentAttention) -> [TensorGroup] {
    let h = m.hidden, l = m.layers
    var t: [TensorGroup] = []
    var biases: Int64 = a.kvRank + a.rotaryDim + h
    if let r = a.queryRank {
      t += [
        TensorGroup(name: "q_a_proj", rows: r, cols: h, count: l, role: .projection),
        TensorGroup(name: "q_b_proj", rows: m.queryWidth, cols: r, count: l, role: .projection),
        TensorGroup(name: "q_a_layernorm", rows: r, cols: 1, count: l, role: .norm),
      ]
      biases += r
    } else {
      t.append(TensorGroup(name: "q_proj", rows: m.queryWidth, cols: h, count: l, role: .projection))
    }
    t += [
      TensorGroup(name: "kv_a_proj_with_mqa", rows: a.kvRank + a.rotaryDim, cols: h, count: l, role: .projection),
      TensorGroup(name: "kv_a_layernorm", rows: a.kvRank, cols: 1, count: l, role: .norm),
      TensorGroup(
        name: "kv_b_proj", rows: m.heads * (a.noPositionDim + a.valueDim), cols: a.kvRank, count: l, role: .projection),
      TensorGroup(name: "o_proj", rows: h, cols: m.outputWidth, count: l, role: .projection),
    ]
    if m.bias != .none { t.append(TensorGroup(name: "attention biases", rows: biases, cols: 1, count: l, role: .bias)) }
    return t
  }

  /// A dense MLP's tensors, `count` of them: gate, up and down (gated) or fc and proj (GELU),
  /// with their biases under `mlp_bias` (GPT-2, NeoX).
  package static func mlpTensors(
    _ m: ModelConfig, intermediate i: Int64, count: Int64, prefix: String, expert: Bool = false
  )
    -> [TensorGroup]
  {
    guard count > 0 else { return [] }
    let h = m.hidden
    var t: [TensorGroup] = []
    if m.mlp.gated {
      t.append(
        TensorGroup(name: prefix + "gate_proj", rows: i, cols: h, count: count, role: .projection, expert: expert))
    }
    t += [
      TensorGroup(name: prefix + "up_proj", rows: i, cols: h, count: count, role: .projection, expert: expert),
      TensorGroup(name: prefix + "down_proj", rows: h, cols: i, count: count, role: .projection, expert: expert),
    ]
    if m.mlpBias {
      let rows = (m.mlp.gated ? 2 : 1) * i + h
      t.append(TensorGroup(name: prefix + "mlp biases", rows: rows, cols: 1, count: count, role: .bias, expert: expert))
    }
    return t
  }

  package init(tensors t: [TensorGroup], model m: ModelConfig) {
    tensors = t
    var total: Int64 = 0, lowRank: Int64 = 0, count: Int64 = 0, lowRankCount: Int64 = 0
    var matmul: Int64 = 0, embedding: Int64 = 0, lmHead: Int64 = 0, side = Int64.max, experts: Int64 = 0
    var expertMatmul: Int64 = 0
    for g in t {
      total += g.totalElements
      count += g.count
      if g.expert { experts += g.totalElements }
      switch g.role {
      case .projection:
        lowRank += g.totalElements; lowRankCount += g.count; matmul += g.totalElements
        side = min(side, g.minSide)
        if g.expert { expertMatmul += g.totalElements }
      case .router, .adapter: matmul += g.totalElements
      case .lmHead: matmul += g.totalElements; lmHead += g.totalElements
      case .embedding: embedding += g.totalElements
      case .norm, .bias: break
      }
    }
    parameters = total
    lowRankParameters = lowRank
    tensorCount = count
    lowRankTensorCount = lowRankCount
    matmulParameters = matmul
    let share = m.moe.map { Double($0.perToken) / Double($0.experts) } ?? 1
    activeExpertMatmulParameters = Int64((Double(expertMatmul) * share).rounded())
    activeMatmulParameters = matmul - expertMatmul + activeExpertMatmulParameters
    embeddingParameters = embedding
    lmHeadParameters = lmHead
    finalNormParameters = m.hidden * (m.norm == .layer ? 2 : 1)
    expertParameters = experts
    activeParameters = total - experts + Int64((Double(experts) * share).rounded())
    smallestLowRankSide = side
  }

  package var regularParameters: Int64 { parameters - lowRankParameters }
}

/// The last model's inventory, rebuilt only when the model changes (sweep points mostly share
/// one model).
package struct InventoryCache {
  private var model: ModelConfig?
  /// The last model's inventory; nil when that model has a problem (`validInventory`).
  private var cached: ParameterInventory?

  package init() {}

  /// The inventory of a valid model, nil for a model with a problem
  /// (`ModelConfig.validationIssue`), checked once per distinct model in a row.
  package mutating func validInventory(for m: ModelConfig) -> ParameterInventory? {
    if let model, model == m { return cached }
    model = m
    cached = m.validationIssue() == nil ? ParameterInventory(m) : nil
    return cached
  }

  /// The inventory of a model already checked.
  package mutating func inventory(for m: ModelConfig) -> ParameterInventory {
    if let model, model == m, let cached { return cached }
    let inv = ParameterInventory(m)
    model = m
    cached = inv
    return inv
  }
}
