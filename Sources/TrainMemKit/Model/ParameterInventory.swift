// The parameter tensors of a LLaMA model as `LlamaForCausalLM` (HF transformers) creates them,
// grouped by identical shape so a 70B model is a handful of entries, not thousands.
// Low-rank target group: every 2-D weight inside `self_attn` and `mlp` — the modules whose
// name contains "attn" or "mlp" in GaLore `torchrun_main.py` / APOLLO `main_pretrain.py`
// (papers.md §a). Embeddings, lm_head and norms are the regular group (plain AdamW).

/// What a parameter tensor does in the network; decides FLOPs and quantisation.
enum TensorRole: Sendable {
  /// A linear layer's weight inside attention or the MLP (int8-quantisable, low-rank target).
  case projection
  /// The token embedding: a lookup, no matmul FLOPs.
  case embedding
  /// The output projection to the vocabulary (a matmul; regular group).
  case lmHead
  /// An RMSNorm scale vector.
  case norm
}

/// Which optimizer parameter group a tensor belongs to.
enum ParameterGroup: Sendable { case lowRank, regular }

/// `count` identical tensors of shape rows × cols (cols = 1 for vectors).
struct TensorGroup: Sendable {
  let name: String
  /// Out × in for a linear weight (torch `nn.Linear.weight`), vocab × hidden for embeddings.
  let rows: Int64
  let cols: Int64
  let count: Int64
  let role: TensorRole
  var group: ParameterGroup { role == .projection ? .lowRank : .regular }
  var isMatrix: Bool { cols > 1 }
  var elements: Int64 { rows * cols }
  var totalElements: Int64 { elements * count }
  var minSide: Int64 { min(rows, cols) }
  var maxSide: Int64 { max(rows, cols) }
}

/// The model's parameter tensors, with the sums the models read computed once (a sweep
/// evaluates hundreds of thousands of setups; none of them should re-walk the list).
struct ParameterInventory: Sendable {
  let tensors: [TensorGroup]
  let parameters: Int64
  let lowRankParameters: Int64
  /// Number of separate parameter tensors (what per-tensor optimizer loops iterate over).
  let tensorCount: Int64
  let lowRankTensorCount: Int64
  /// Parameters that take part in matmuls (all but the embedding lookup and the norms).
  let matmulParameters: Int64
  let embeddingParameters: Int64
  let lmHeadParameters: Int64
  /// The smallest side of any low-rank target: the largest rank GaLore/APOLLO accept.
  let smallestLowRankSide: Int64

  /// Builds the inventory; sizes are bounded by `ModelConfig.validationProblem`, so every
  /// product here stays far below 2^63 (2^24 · 2^24 · 2^24 at most).
  init(_ m: ModelConfig) {
    let h = m.hidden, i = m.intermediate, l = m.layers, kv = m.kvWidth
    var t: [TensorGroup] = [
      TensorGroup(name: "embed_tokens", rows: m.vocab, cols: h, count: 1, role: .embedding),
      TensorGroup(name: "q_proj", rows: h, cols: h, count: l, role: .projection),
      TensorGroup(name: "k_proj", rows: kv, cols: h, count: l, role: .projection),
      TensorGroup(name: "v_proj", rows: kv, cols: h, count: l, role: .projection),
      TensorGroup(name: "o_proj", rows: h, cols: h, count: l, role: .projection),
      TensorGroup(name: "gate_proj", rows: i, cols: h, count: l, role: .projection),
      TensorGroup(name: "up_proj", rows: i, cols: h, count: l, role: .projection),
      TensorGroup(name: "down_proj", rows: h, cols: i, count: l, role: .projection),
      TensorGroup(name: "layer norms", rows: h, cols: 1, count: 2 * l + 1, role: .norm),
    ]
    if !m.tiedEmbeddings {
      t.append(TensorGroup(name: "lm_head", rows: m.vocab, cols: h, count: 1, role: .lmHead))
    }
    tensors = t
    var total: Int64 = 0, lowRank: Int64 = 0, count: Int64 = 0, lowRankCount: Int64 = 0
    var matmul: Int64 = 0, embedding: Int64 = 0, lmHead: Int64 = 0, side = Int64.max
    for g in t {
      total += g.totalElements
      count += g.count
      switch g.role {
      case .projection:
        lowRank += g.totalElements; lowRankCount += g.count; matmul += g.totalElements
        side = min(side, g.minSide)
      case .lmHead: matmul += g.totalElements; lmHead += g.totalElements
      case .embedding: embedding += g.totalElements
      case .norm: break
      }
    }
    parameters = total
    lowRankParameters = lowRank
    tensorCount = count
    lowRankTensorCount = lowRankCount
    matmulParameters = matmul
    embeddingParameters = embedding
    lmHeadParameters = lmHead
    smallestLowRankSide = side
  }

  var regularParameters: Int64 { parameters - lowRankParameters }
}

/// The last model's inventory, rebuilt only when the model changes (sweep points mostly share
/// one model).
struct InventoryCache {
  private var model: ModelConfig?
  private var cached: ParameterInventory?

  mutating func inventory(for m: ModelConfig) -> ParameterInventory {
    if let cached, model == m { return cached }
    let inv = ParameterInventory(m)
    model = m
    cached = inv
    return inv
  }
}
