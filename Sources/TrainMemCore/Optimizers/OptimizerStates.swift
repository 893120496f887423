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
  /// Adam and Lion); older releases used 2048.
  package static let blockSize: Int64 = 256
  package static let min8bitSize: Int64 = 4096

  /// Two 8-bit moments with one fp32 absmax per `blockSize`-element block each, or two fp32 moments
  /// for tensors under 4096 elements (bitsandbytes `Optimizer2State.init_state`).
  package static func eightBitAdam(elements n: Int64) -> (moments: Int64, absmax: Int64) {
    if n < min8bitSize { return (2 * n * 4, 0) }
    let blocks = (n + blockSize - 1) / blockSize
    return (2 * n, 2 * blocks * 4)
  }

  /// States for one tensor of the inventory (multiply by `TensorGroup.count`), by its family's
  /// rules (`Families/`).
  package static func forTensor(
    _ t: TensorGroup, optimizer o: OptimizerConfig, rank requested: Int64, formats f: StateFormats
  ) -> OptimizerStateBytes {
    o.kind.family.states(t, o, rank: requested, paramBytes: f.param.size)
  }

  /// States of the whole model: the sum over the inventory.
  ///
  /// A rank larger than a projected
  /// tensor's smaller side is rejected (`rankProblem`) before this is called.
  package static func total(
    _ inv: ParameterInventory, optimizer o: OptimizerConfig, rank r: Int64, formats f: StateFormats
  ) -> OptimizerStateBytes {
    o.kind.family.totalStates(inv, o, rank: r, paramBytes: f.param.size)
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

  /// The step's temporaries at their largest, in bytes (non-layer-wise step): the family's
  /// foreach or fused kernels, or the largest tensor of a per-tensor loop.
  package static func stepTransient(
    _ inv: ParameterInventory, optimizer o: OptimizerConfig, implementation: StepImplementation, rank r: Int64,
    formats f: StateFormats
  ) -> Int64 {
    let p = f.param.size
    let family = o.kind.family
    switch implementation {
    case .fused: return family.fusedTransient(inv, o, rank: r, paramBytes: p)
    case .foreach: return family.foreachTransient(inv, o, rank: r, paramBytes: p)
    case .loop: return family.largestTensorTransient(inv, o, rank: r, paramBytes: p)
    }
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
