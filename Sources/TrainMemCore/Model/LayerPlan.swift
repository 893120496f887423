/// Where a part of a decoder layer sits, which decides how time and memory treat it.
package enum LayerBlock: Sendable, Equatable {
  /// Attention's linears (q/k/v/o, or MLA's low-rank pairs).
  case attention
  /// A dense layer's MLP.
  case mlp
  /// A mixture of experts' router: a small matmul over every token.
  case router
  /// One routed expert's MLP: held whole, computed for the tokens routed to it.
  case expert
  /// The shared expert's MLP, over every token of a MoE layer.
  case sharedExpert
  /// Qwen2-MoE's sigmoid gate on the shared expert: 1 × h, too small to time.
  case sharedGate
  /// A norm's weight or bias, or a linear's bias: no matmul.
  case vector

  /// Holds matmuls the time model prices.
  package var isTimed: Bool { self != .sharedGate && self != .vector }
}

/// One kind of tensor in the decoder layers: the inventory's entry (name, shape, count over the
/// model), where it sits, and the share of the layers that hold it.
package struct LayerPart: Sendable {
  /// A static name, so walking the plan on every sweep point counts no references.
  package let name: StaticString
  /// Out × in for a linear's weight (`nn.Linear.weight`), the length for a vector.
  package let rows: Int64
  package let cols: Int64
  /// How many the model holds: `perLayer` in each holding layer.
  package let count: Int64
  /// How many one holding layer has (a routed expert's: the experts).
  package let perLayer: Int64
  package let role: TensorRole
  package let block: LayerBlock
  /// The share of the decoder layers holding it: 1, or the dense or MoE layers' share.
  package let layerShare: Double
  /// Priced with the linear before it as one matmul of twice the count when their shapes
  /// match: o with q, v with k, up with gate (derived: the same FLOPs on the same shape).
  package let pairsWithPrevious: Bool

  init(
    _ name: StaticString, rows: Int64, cols: Int64, perLayer: Int64 = 1, layers: Int64, share: Double,
    _ block: LayerBlock, role: TensorRole, pairs: Bool = false
  ) {
    self.name = name
    self.rows = rows
    self.cols = cols
    self.perLayer = perLayer
    count = perLayer * layers
    self.role = role
    self.block = block
    layerShare = share
    pairsWithPrevious = pairs
  }

  /// The inventory's entry.
  package var tensor: TensorGroup {
    TensorGroup(name: "\(name)", rows: rows, cols: cols, count: count, role: role, expert: block == .expert)
  }
  /// One holding layer's elements of it.
  package var elementsPerLayer: Int64 { rows * cols * perLayer }
  /// A linear's weight the time model prices (not a bias, norm or the shared expert's gate).
  package var isTimedMatmul: Bool { block.isTimed && (role == .projection || role == .router) }
}

/// A decoder layer's structure, written once, which the inventory, the time model's matmuls
/// and the memory model's per-layer sizes all read.
///
/// Every linear, norm and bias comes with its shape, how many the model holds, where it sits
/// and the share of the layers holding it.
/// Each modeling file is cited where its mechanism appears: modeling_llama (q/k/v/o, gated
/// MLP), modeling_gpt2/gpt_neox (plain GELU MLP, biases), modeling_deepseek_v3 (MLA,
/// DeepSeek-MoE), modeling_mixtral/qwen2_moe/qwen3_moe (routers, experts, shared experts),
/// modeling_gpt_oss (sinks, router bias). Walked with a closure, so a sweep's millions of
/// points build no arrays.
package enum LayerPlan {
  /// Calls `body` with each part in order: attention, its biases and norms, the dense MLP,
  /// the router, the routed experts, the shared expert, the layer norms.
  package static func forEachPart(of m: ModelConfig, _ body: (LayerPart) -> Void) {
    let l = m.layers
    forEachAttentionPart(m, body)
    if m.attentionSinks { body(LayerPart("sinks", rows: m.heads, cols: 1, layers: l, share: 1, .vector, role: .bias)) }
    switch m.qkNorm {
    case .none: break
    case .head:
      body(LayerPart("q/k norms", rows: m.headDim, cols: 1, perLayer: 2, layers: l, share: 1, .vector, role: .norm))
    case .full:
      body(LayerPart("q/k norms", rows: m.queryWidth + m.kvWidth, cols: 1, layers: l, share: 1, .vector, role: .norm))
    }
    let sparse = Double(m.moeLayers) / Double(m.layers)
    forEachMLPPart(m, width: m.intermediate, layers: l - m.moeLayers, share: 1 - sparse, .mlp, body)
    if let e = m.moe {
      let n = m.moeLayers, h = m.hidden
      body(LayerPart("router", rows: e.experts, cols: h, layers: n, share: sparse, .router, role: .router))
      if e.routerBias {
        body(LayerPart("router bias", rows: e.experts, cols: 1, layers: n, share: sparse, .vector, role: .bias))
      }
      forEachMLPPart(m, width: e.expertIntermediate, perLayer: e.experts, layers: n, share: sparse, .expert, body)
      if e.sharedIntermediate > 0 {
        forEachMLPPart(m, width: e.sharedIntermediate, layers: n, share: sparse, .sharedExpert, body)
        if e.sharedGate {
          body(LayerPart("shared_expert_gate", rows: 1, cols: h, layers: n, share: sparse, .sharedGate, role: .router))
        }
      }
    }
    let perNorm: Int64 = m.norm == .layer ? 2 : 1
    body(
      LayerPart(
        "layer norms", rows: m.hidden, cols: 1, perLayer: m.normsPerLayer * perNorm, layers: l, share: 1, .vector,
        role: .norm))
  }

  /// Attention's linears and biases: q, o, k, v (modeling_llama; o priced with q and v with k
  /// when their shapes match), or MLA's (`forEachLatentPart`).
  private static func forEachAttentionPart(_ m: ModelConfig, _ body: (LayerPart) -> Void) {
    if let a = m.latent { return forEachLatentPart(m, a, body) }
    let h = m.hidden, l = m.layers, q = m.queryWidth, kv = m.kvWidth
    body(LayerPart("q_proj", rows: q, cols: h, layers: l, share: 1, .attention, role: .projection))
    body(LayerPart("o_proj", rows: h, cols: q, layers: l, share: 1, .attention, role: .projection, pairs: true))
    body(LayerPart("k_proj", rows: kv, cols: h, layers: l, share: 1, .attention, role: .projection))
    body(LayerPart("v_proj", rows: kv, cols: h, layers: l, share: 1, .attention, role: .projection, pairs: true))
    if m.bias != .none {
      body(LayerPart("q/k/v biases", rows: q + 2 * kv, cols: 1, layers: l, share: 1, .vector, role: .bias))
    }
    if m.bias == .attention {
      body(LayerPart("o_proj bias", rows: h, cols: 1, layers: l, share: 1, .vector, role: .bias))
    }
  }

  /// MLA's tensors (modeling_deepseek_v3 `DeepseekV3Attention.__init__`).
  ///
  /// `q_a_proj` [q_lora_rank, h] with `q_a_layernorm` and `q_b_proj` [heads · qk_head_dim, q_lora_rank],
  /// or `q_proj` [heads · qk_head_dim, h]; `kv_a_proj_with_mqa` [kv_lora_rank + qk_rope_head_dim,
  /// h] with `kv_a_layernorm` [kv_lora_rank]; `kv_b_proj` [heads · (qk_nope_head_dim +
  /// v_head_dim), kv_lora_rank]; `o_proj` [h, heads · v_head_dim]. `attention_bias` puts
  /// biases on q_a (or none on q_proj), kv_a and o_proj.
  private static func forEachLatentPart(_ m: ModelConfig, _ a: LatentAttention, _ body: (LayerPart) -> Void) {
    let h = m.hidden, l = m.layers
    func linear(_ name: StaticString, _ rows: Int64, _ cols: Int64) {
      body(LayerPart(name, rows: rows, cols: cols, layers: l, share: 1, .attention, role: .projection))
    }
    func norm(_ name: StaticString, _ rows: Int64) {
      body(LayerPart(name, rows: rows, cols: 1, layers: l, share: 1, .vector, role: .norm))
    }
    var biases: Int64 = a.kvRank + a.rotaryDim + h
    if let r = a.queryRank {
      linear("q_a_proj", r, h)
      linear("q_b_proj", m.queryWidth, r)
      norm("q_a_layernorm", r)
      biases += r
    } else {
      linear("q_proj", m.queryWidth, h)
    }
    linear("kv_a_proj_with_mqa", a.kvRank + a.rotaryDim, h)
    norm("kv_a_layernorm", a.kvRank)
    linear("kv_b_proj", m.heads * (a.noPositionDim + a.valueDim), a.kvRank)
    linear("o_proj", h, m.outputWidth)
    if m.bias != .none {
      body(LayerPart("attention biases", rows: biases, cols: 1, layers: l, share: 1, .vector, role: .bias))
    }
  }

  /// An MLP's tensors in `layers` layers (`perLayer` of them in each): gate, up and down
  /// (gated), or fc and proj (GELU), with their biases under `mlp_bias` (GPT-2, NeoX).
  private static func forEachMLPPart(
    _ m: ModelConfig, width i: Int64, perLayer: Int64 = 1, layers: Int64, share: Double, _ block: LayerBlock,
    _ body: (LayerPart) -> Void
  ) {
    let h = m.hidden
    let names: (gate: StaticString, up: StaticString, down: StaticString, biases: StaticString)
    switch block {
    case .expert: names = ("experts.gate_proj", "experts.up_proj", "experts.down_proj", "experts.mlp biases")
    case .sharedExpert:
      names = (
        "shared_expert.gate_proj", "shared_expert.up_proj", "shared_expert.down_proj", "shared_expert.mlp biases"
      )
    // Only MLP blocks reach here; the others are named as a dense MLP would be.
    case .mlp, .attention, .router, .sharedGate, .vector:
      names = ("gate_proj", "up_proj", "down_proj", "mlp biases")
    }
    func part(_ name: StaticString, _ rows: Int64, _ cols: Int64, pairs: Bool = false, role: TensorRole = .projection) {
      body(
        LayerPart(
          name, rows: rows, cols: cols, perLayer: perLayer, layers: layers, share: share, block, role: role,
          pairs: pairs))
    }
    if m.mlp.gated { part(names.gate, i, h) }
    part(names.up, i, h, pairs: m.mlp.gated)
    part(names.down, h, i)
    if m.mlpBias { part(names.biases, (m.mlp.gated ? 2 : 1) * i + h, 1, role: .bias) }
  }

  /// The elements one holding layer has in each block (a dense MLP's weights and biases,
  /// every routed expert's), in one walk.
  package static func elementsPerLayer(of m: ModelConfig) -> BlockElements {
    var sizes = BlockElements()
    forEachPart(of: m) { sizes.add($0.elementsPerLayer, to: $0.block) }
    return sizes
  }
}

/// Elements per holding layer by block (`LayerPlan.elementsPerLayer`).
package struct BlockElements: Sendable {
  package var attention: Int64 = 0, mlp: Int64 = 0, router: Int64 = 0, expert: Int64 = 0
  package var sharedExpert: Int64 = 0, sharedGate: Int64 = 0, vector: Int64 = 0

  mutating func add(_ n: Int64, to block: LayerBlock) {
    switch block {
    case .attention: attention += n
    case .mlp: mlp += n
    case .router: router += n
    case .expert: expert += n
    case .sharedExpert: sharedExpert += n
    case .sharedGate: sharedGate += n
    case .vector: vector += n
    }
  }
}
