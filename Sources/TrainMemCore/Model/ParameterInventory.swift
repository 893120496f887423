// The parameter tensors of a decoder-only model as transformers creates them (`*ForCausalLM`
// in modeling_llama, _mistral, _qwen2, _qwen3, _gemma2, _gemma3, _phi3, _gpt2, _gpt_neox,
// _olmo2, _mixtral, _qwen2_moe, _qwen3_moe), grouped by identical shape so a 70B model is a
// handful of entries, not thousands. Fused projections (GPT-2 `c_attn`, NeoX `query_key_value`,
// Phi-3 `qkv_proj`/`gate_up_proj`) hold the same elements as separate ones and are listed
// separately. Low-rank target group: every 2-D weight inside attention and the MLP — the
// modules whose name contains "attn" or "mlp" in GaLore `torchrun_main.py` / APOLLO
// `main_pretrain.py`, experts included. Embeddings, lm_head, routers, biases and
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
  /// The attention block's linears: LLaMA's four and MLA's (`LayerPlan`).
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

  /// The tensors of one model: the embeddings, the decoder layers' (`LayerPlan`), the MTP
  /// layers', the final norm and the head.
  package static func tensors(_ m: ModelConfig) -> [TensorGroup] {
    let h = m.hidden
    var t: [TensorGroup] = []
    if m.holdsEmbedding {
      t.append(TensorGroup(name: "embed_tokens", rows: m.vocab, cols: h, count: 1, role: .embedding))
    }
    if m.learnedPositions > 0 && m.holdsEmbedding {
      t.append(TensorGroup(name: "position embeddings", rows: m.learnedPositions, cols: h, count: 1, role: .embedding))
    }
    LayerPlan.forEachPart(of: m) { t.append($0.tensor) }
    let perNorm: Int64 = m.norm == .layer ? 2 : 1
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
