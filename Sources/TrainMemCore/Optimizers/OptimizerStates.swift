// Optimizer-state bytes counted tensor by tensor, as each implementation allocates them.
// Verified against calibration/h200-llama-pretrain.json `state_tensor_bytes` (every row,
// AdamW/GaLore/APOLLO/APOLLO-Mini, 60M–7B) in OptimizerStatesTests.

/// The bytes an optimizer keeps between steps, split the way reports show them.
package struct OptimizerStateBytes: Sendable, Equatable {
  /// Moments (and momentum) of the low-rank group, on the projected shape.
  package var lowRankMoments: Int64 = 0
  /// Stored projection matrices (GaLore's SVD factor, APOLLO's random matrix).
  package var projections: Int64 = 0
  /// Moments of the regular group (embeddings, lm_head, norms), or of everything for AdamW.
  package var regularMoments: Int64 = 0
  /// Per-tensor scalars: AdamW `step` tensors, APOLLO's norm-growth limiter, 8-bit absmax.
  package var scalars: Int64 = 0
  /// The fp32 master copy of bf16 weights, which Megatron's and DeepSpeed's optimizers hold
  /// and ZeRO shards with the moments (`PrecisionPolicy.masterWeights`).
  package var masterWeights: Int64 = 0
  /// Moments a paged optimizer keeps in unified memory, outside the allocator (not in `total`).
  package var paged: Int64 = 0
  /// What the caching allocator holds: every state but the paged ones.
  package var total: Int64 { lowRankMoments + projections + regularMoments + scalars + masterWeights }

  /// Adds `count` times another tensor's (or group's) states, term by term.
  package mutating func add(_ o: OptimizerStateBytes, times count: Int64 = 1) {
    lowRankMoments += o.lowRankMoments * count
    projections += o.projections * count
    regularMoments += o.regularMoments * count
    scalars += o.scalars * count
    masterWeights += o.masterWeights * count
    paged += o.paged * count
  }

  /// Each term's share on one of `n` shards (rounded down).
  package func divided(by n: Int64) -> OptimizerStateBytes {
    OptimizerStateBytes(
      lowRankMoments: lowRankMoments / n, projections: projections / n, regularMoments: regularMoments / n,
      scalars: scalars / n, masterWeights: masterWeights / n, paged: paged / n)
  }
}

/// Element formats the optimizer sees for a precision mode.
package struct StateFormats: Sendable {
  /// Format of parameters (and so of `zeros_like(grad)` moments): bf16 in pure-bf16 training,
  /// fp32 with fp32 master weights.
  package let param: NumericFormat
}

package enum OptimizerStates {
  /// bitsandbytes blockwise quantisation block and the size under which states stay 32-bit
  /// (`min_8bit_size=4096`).
  ///
  /// The current optimizers quantise in blocks of 256 with an fp32
  /// absmax each (bitsandbytes `optim/optimizer.py`, 0.49–0.50: `blocksize = 256` for 8-bit
  /// Adam and Lion); papers.md §f's 2048 is the older release's.
  package static let blockSize: Int64 = 256
  package static let min8bitSize: Int64 = 4096

  /// Two 8-bit moments with one fp32 absmax per `blockSize`-element block each, or two fp32 moments
  /// for tensors under 4096 elements (bitsandbytes `Optimizer2State.init_state`).
  package static func eightBitAdam(elements n: Int64) -> (moments: Int64, absmax: Int64) {
    if n < min8bitSize { return (2 * n * 4, 0) }
    let blocks = (n + blockSize - 1) / blockSize
    return (2 * n, 2 * blocks * 4)
  }

  /// States for one tensor of the inventory (multiply by `TensorGroup.count`).
  ///
  /// Rules, by family:
  /// - `adamw`: `exp_avg`, `exp_avg_sq` = `zeros_like(p)` (2 · mn · bytes(param)) plus a 0-dim
  ///   fp32 `step` tensor per parameter (torch.optim.AdamW `_init_group`; the calibration's
  ///   7B row is 4 · P + 4 · 291 bytes).
  /// - `adamw-8bit`: `eightBitAdam`.
  /// - `sgd`: one `momentum_buffer` = `clone(grad)` when momentum is on.
  /// - `galore`: low-rank m × n, rank r: `exp_avg`, `exp_avg_sq` on the projected gradient,
  ///   r × max(m, n), and the stored SVD factor `ortho_matrix`, r × min(m, n), cast back to the
  ///   parameter's dtype (galore_torch `GaLoreProjector.get_orthogonal_matrix`); `step` is a
  ///   Python int. GaLore T1 / §4.2: mr + 2nr.
  /// - `apollo`, `apollo-mini`: the same shapes (apollo_torch `GradientProjector` stores the
  ///   random matrix although the paper says it could be regenerated from a seed), plus the
  ///   norm-growth limiter's `scaling_grad`, a 0-dim tensor in the parameter's dtype (7B
  ///   calibration: 448 bytes = 224 projected tensors × 2 bytes).
  /// - `galore-8bit`: GaLore shapes with bitsandbytes 8-bit moments.
  /// - `q-apollo*`: bitsandbytes `Optimizer2State` with `optim_bits=32` for the projected
  ///   moments (fp32, "avoid quantized optimizer state", papers.md §d); the regular group uses
  ///   bnb Adam8bit in the per-layer variant and 32-bit states otherwise.
  /// Regular-group tensors get plain AdamW moments inside every low-rank optimizer.
  /// The rank is capped at the tensor's smaller side as this GPU holds it (a tensor-parallel
  /// shard's): galore_torch keeps `U[:, :rank]` of an SVD with min(m, n) columns, and a
  /// projection as large as the tensor projects nothing away.
  package static func forTensor(
    _ t: TensorGroup, optimizer o: OptimizerConfig, rank requested: Int64, formats f: StateFormats
  ) -> OptimizerStateBytes {
    let r = min(requested, t.minSide)
    let p = f.param.size
    let n = t.elements
    var s = OptimizerStateBytes()
    let projected = o.kind.isLowRank && t.group == .lowRank
    switch o.kind {
    case .adamw:
      s.regularMoments = 2 * n * p
      s.scalars = 4
    case .adamw8bit:
      let e = eightBitAdam(elements: n)
      s.regularMoments = e.moments
      s.scalars = e.absmax
    case .sgd:
      s.regularMoments = o.momentum ? n * p : 0
    case .galore, .apollo, .apolloMini:
      if projected {
        s.lowRankMoments = 2 * r * t.maxSide * p
        s.projections = r * t.minSide * p
        if o.kind.isAPOLLO { s.scalars = p }
      } else {
        s.regularMoments = 2 * n * p
      }
    case .galore8bit:
      if projected {
        let e = eightBitAdam(elements: r * t.maxSide)
        s.lowRankMoments = e.moments
        s.scalars = e.absmax
        s.projections = r * t.minSide * p
      } else {
        let e = eightBitAdam(elements: n)
        s.regularMoments = e.moments
        s.scalars = e.absmax
      }
    case .qApollo, .qApolloMini:
      if projected {
        s.lowRankMoments = 2 * r * t.maxSide * 4
        s.projections = r * t.minSide * p
        s.scalars = p
      } else if o.layerwise {
        let e = eightBitAdam(elements: n)
        s.regularMoments = e.moments
        s.scalars = e.absmax
      } else {
        s.regularMoments = 2 * n * 4
      }
    case .muon, .adafactor, .lion, .adamMini, .adamw4bit:
      s = currentOptimizer(t, o.kind, p)
    }
    return s
  }

  /// States of the whole model: the sum over the inventory.
  ///
  /// A rank larger than a projected
  /// tensor's smaller side is rejected (`rankProblem`) before this is called.
  package static func total(
    _ inv: ParameterInventory, optimizer o: OptimizerConfig, rank r: Int64, formats f: StateFormats
  ) -> OptimizerStateBytes {
    var sum = OptimizerStateBytes()
    for t in inv.tensors {
      sum.add(forTensor(t, optimizer: o, rank: r, formats: f), times: t.count)
    }
    return sum
  }

  /// bitsandbytes pages only tensors of at least this many elements (`optimizer.py`
  /// `get_state_buffer`: `if not self.is_paged or p.numel() < 1e5: return torch.zeros_like(p)`);
  /// 8-bit absmax tensors stay ordinary CUDA allocations.
  package static let pagedMinimumElements: Int64 = 100_000

  /// The state bytes a paged optimizer keeps in unified memory (moments of large tensors).
  package static func pagedBytes(_ inv: ParameterInventory, optimizer o: OptimizerConfig, formats f: StateFormats)
    -> Int64
  {
    guard o.paged else { return 0 }
    var total: Int64 = 0
    for t in inv.tensors where t.elements >= pagedMinimumElements {
      total += forTensor(t, optimizer: o, rank: 0, formats: f).regularMoments * t.count
    }
    return total
  }

  /// States of the optimizers people use now, counted from their code.
  ///
  /// - Muon (`torch/optim/_muon.py`): "Muon only supports 2D parameters" — a momentum buffer
  ///   (`zeros_like(grad)`) for each hidden matrix; embeddings, lm_head and vectors go to AdamW,
  ///   as its documentation requires.
  /// - Adafactor (transformers): `beta1=None`, so no first moment; a 2-D tensor keeps fp32
  ///   row and column second moments, a vector a full fp32 one.
  /// - Lion (lion-pytorch): one `exp_avg` per parameter, in its dtype.
  /// - Adam-mini: a full first moment; one second moment per head for q and k, per row for
  ///   embeddings, lm_head, v, o and the MLP, one scalar for norms; biases keep both moments.
  /// - torchao AdamW4bit: two 4-bit moments (half a byte each) with an fp32 scale per 128, for
  ///   tensors of at least 4,096 elements divisible by 128; the rest `zeros_like` in the
  ///   parameter's dtype.
  package static func currentOptimizer(_ t: TensorGroup, _ kind: OptimizerKind, _ p: Int64) -> OptimizerStateBytes {
    let n = t.elements
    var s = OptimizerStateBytes()
    switch kind {
    case .muon:
      if t.role == .projection || t.role == .router || t.role == .adapter && t.isMatrix {
        s.regularMoments = n * p
      } else {
        s.regularMoments = 2 * n * p
        s.scalars = 4
      }
    case .adafactor:
      s.regularMoments = t.isMatrix ? (t.rows + t.cols) * 4 : n * 4
      s.scalars = 4
    case .lion:
      s.regularMoments = n * p
    case .adamMini:
      let heads = ["q_proj", "k_proj"].contains(t.name)
      let second: Int64 = t.role == .bias ? n : t.role == .norm ? 1 : heads ? max(1, n / 128) : t.rows
      s.regularMoments = n * p + (t.role == .bias ? n * p : second * 4)
      s.scalars = 4
    case .adamw4bit:
      if n >= 4096 && n % 128 == 0 {
        s.regularMoments = 2 * (n / 2 + n / 128 * 4)
      } else {
        s.regularMoments = 2 * n * p
      }
      s.scalars = 4
    default: break
    }
    return s
  }

  /// The first projected tensor whose smaller side is below the rank.
  package static func rankProblem(_ inv: ParameterInventory, optimizer o: OptimizerConfig, rank r: Int64)
    -> RankProblem?
  {
    guard o.kind.isLowRank, r > inv.smallestLowRankSide || r <= 0 else { return nil }
    guard r > 0 else { return RankProblem(rank: r, tensor: "", rows: 0, cols: 0) }
    for t in inv.tensors where t.group == .lowRank && r > t.minSide {
      return RankProblem(rank: r, tensor: t.name, rows: t.rows, cols: t.cols)
    }
    return nil
  }

  /// The step's temporaries at their largest, in bytes (non-layer-wise step).
  ///
  /// - foreach AdamW: `_foreach_sqrt(exp_avg_sqs)` makes one buffer per parameter at once:
  ///   P · bytes(param) (measured: calibration 7B AdamW, step peak − after backward = 4 · P · 2 −
  ///   3 · P · 2 exactly).
  /// - fused AdamW, bitsandbytes, SGD: none (in-place kernels).
  /// - per-tensor loop (torch `foreach=False`, GaLore, APOLLO regular group): `denom =
  ///   exp_avg_sq.sqrt().add_(eps)` and `exp_avg / denom`: two copies of the largest tensor
  ///   (measured: calibration 7B APOLLO/APOLLO-Mini, step peak − after backward = 2 × lm_head).
  /// - a projected tensor: the low-rank gradient, denominator and update (3 · r · max(m, n)),
  ///   then the full-size update and its rescaled copy (2 · m · n): GaLore `project_back(...) *
  ///   scale`, APOLLO `p.grad * scaling_factor` then `/ limiter` then `* sqrt(scale)`.
  package static func stepTransient(
    _ inv: ParameterInventory, optimizer o: OptimizerConfig, rank r: Int64, formats f: StateFormats
  ) -> Int64 {
    let p = f.param.size
    switch o.effectiveImplementation {
    case .fused: return o.kind.isLowRank ? largestProjectedTransient(inv, o, r, p) : 0
    case .foreach:
      switch o.kind {
      case .adamw: return inv.parameters * p
      case .sgd, .adamw8bit, .adamw4bit: return 0
      default: return largestProjectedTransient(inv, o, r, p)
      }
    case .loop:
      var best: Int64 = 0
      for t in inv.tensors { best = max(best, tensorTransient(t, o, r, p)) }
      return best
    }
  }

  /// The temporaries while one tensor is updated (used by the loop and by layer-wise updates).
  package static func tensorTransient(_ t: TensorGroup, _ o: OptimizerConfig, _ r: Int64, _ p: Int64) -> Int64 {
    let n = t.elements
    if o.kind.isLowRank && t.group == .lowRank {
      let lowRankTemps: Int64 = (o.kind == .galore8bit) ? 1 : 3
      return 2 * n * p + lowRankTemps * r * t.maxSide * p
    }
    switch o.kind {
    case .adamw8bit, .galore8bit, .adamw4bit: return 0
    case .sgd: return 0
    case .qApollo, .qApolloMini: return o.layerwise ? 0 : 2 * n * 4
    // Muon: the Nesterov `grad.lerp(buf)` copy, its bf16 cast and the Gram matrices
    // (min side²) of the Newton–Schulz step.
    case .muon:
      return t.role == .projection ? n * p + n * 2 + 2 * t.minSide * t.minSide * 2 : 2 * n * p
    // Adafactor: fp32 copies of the parameter and gradient and a full-size update.
    case .adafactor: return 3 * n * 4
    // Lion: `exp_avg.clone()` for the update.
    case .lion: return n * p
    default: return 2 * n * p
    }
  }

  private static func largestProjectedTransient(
    _ inv: ParameterInventory, _ o: OptimizerConfig, _ r: Int64, _ p: Int64
  ) -> Int64 {
    var best: Int64 = 0
    for t in inv.tensors where t.group == .lowRank { best = max(best, tensorTransient(t, o, r, p)) }
    return best
  }
}

/// A projection rank larger than a projected tensor's smaller side (or not positive).
package struct RankProblem: Sendable, Equatable {
  package var rank: Int64
  package var tensor: String
  package var rows: Int64
  package var cols: Int64

  /// The message, with the rank setting named as the user wrote it (`'--rank'`, `'rank'`).
  package func message(_ setting: String) -> String {
    guard rank > 0 else { return "\(setting) must be a positive integer, got \(rank)" }
    return
      "\(setting) \(rank) is larger than \(tensor)'s smaller side (\(rows) × \(cols)); use a rank of at most \(min(rows, cols))"
  }
}
