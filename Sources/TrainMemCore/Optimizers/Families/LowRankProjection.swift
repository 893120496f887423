/// Gradient projection onto a low rank: GaLore (galore-torch), APOLLO (apollo-torch) and their
/// 8-bit and int8-weight variants.
///
/// A projected m × n tensor of rank r keeps `exp_avg` and `exp_avg_sq` on the projected
/// gradient, r × max(m, n), and the projection, r × min(m, n), cast back to the parameter's
/// dtype: GaLore's SVD factor `ortho_matrix` (`GaLoreProjector.get_orthogonal_matrix`; `step`
/// is a Python int; GaLore T1 / §4.2: mr + 2nr) or APOLLO's random matrix, which
/// `GradientProjector` stores although the paper says it could be regenerated from a seed.
/// APOLLO adds the norm-growth limiter's `scaling_grad`, a 0-dim tensor in the parameter's
/// dtype (7B calibration: 448 bytes = 224 projected tensors × 2 bytes). The regular group
/// (embeddings, lm_head, norms) gets AdamW moments. Verified against calibration
/// `state_tensor_bytes` (every row, 60M–7B) in OptimizerStatesTests.
package struct LowRankProjection: OptimizerFamily {
  /// How the gradient is projected.
  package enum Projection: Sendable {
    /// GaLore: the top singular vectors of the gradient, refreshed by an SVD.
    case svd
    /// APOLLO: a seeded Gaussian matrix; the raw gradient is rescaled, not projected back.
    case random
  }
  /// How the moments are stored.
  package enum Moments: Sendable {
    /// `zeros_like` in the parameter's dtype.
    case parameterDType
    /// bitsandbytes 8-bit blocks in both groups (8-bit GaLore).
    case eightBit
    /// bitsandbytes `optim_bits=32` for the projected moments; the regular group 8-bit in the
    /// per-layer variant and 32-bit otherwise (Q-APOLLO scripts in zhuhanqing/APOLLO @ 76b3472).
    case fp32
  }

  /// What the variant does with the projected layers' weights.
  package enum Weights: Sendable {
    /// Whatever `weights` says; int8 is refused (bf16 updates).
    case asGiven
    /// Updates int8 weights in place when `weights: int8` is given (Q-GaLore's 8-bit GaLore).
    case int8Accepted
    /// Always int8 (Q-APOLLO: `QLinear` weights, group 128).
    case int8
  }

  package let projection: Projection
  package let moments: Moments
  /// APOLLO-Mini: rank 1 with tensor-wise scaling (APOLLO §4.2).
  package let rankOne: Bool
  package let weights: Weights

  /// Computed, not stored, so the family stays four bytes: an existential holds it inline.
  package var summary: StaticString {
    switch (projection, moments, rankOne) {
    case (.svd, .parameterDType, _): return "GaLore (galore-torch): SVD projection, moments on r × max(m, n)"
    case (.svd, _, _): return "8-bit GaLore: GaLore with bitsandbytes 8-bit moments"
    case (.random, .fp32, false): return "Q-APOLLO: APOLLO with int8 projected weights (group 128)"
    case (.random, .fp32, true): return "Q-APOLLO-Mini: APOLLO-Mini with int8 projected weights"
    case (.random, _, false): return "APOLLO (apollo-torch): random projection, channel-wise scaling"
    case (.random, _, true): return "APOLLO-Mini: rank 1, tensor-wise scaling"
    }
  }

  package static let galore = LowRankProjection(
    projection: .svd, moments: .parameterDType, rankOne: false, weights: .asGiven)
  package static let galore8bit = LowRankProjection(
    projection: .svd, moments: .eightBit, rankOne: false, weights: .int8Accepted)
  package static let apollo = LowRankProjection(
    projection: .random, moments: .parameterDType, rankOne: false, weights: .asGiven)
  package static let apolloMini = LowRankProjection(
    projection: .random, moments: .parameterDType, rankOne: true, weights: .asGiven)
  package static let qApollo = LowRankProjection(
    projection: .random, moments: .fp32, rankOne: false, weights: .int8)
  package static let qApolloMini = LowRankProjection(
    projection: .random, moments: .fp32, rankOne: true, weights: .int8)

  /// A Python loop over parameters.
  package var defaultImplementation: StepImplementation { .loop }
  package var projectsLowRankGroup: Bool { true }
  /// APOLLO's channel-wise scaling (not the Mini's tensor-wise one).
  private var channelwise: Bool { projection == .random && !rankOne }

  /// The rank in use: APOLLO-Mini is rank 1 whatever is given; else the one given, or the
  /// default.
  ///
  /// GaLore defaults to hidden/4 (GaLore T2: "rank 1/4 of d_model"); APOLLO to 256 ("256
  /// works well for 1B and 7B", APOLLO README), capped at hidden/4 for small models as the
  /// scripts do (60M uses 128). Never above the smallest projected side (k_proj's kv width
  /// under grouped-query attention: 1,024 for Llama-2/3-70B, where hidden/4 is 2,048).
  package func rank(given: Int64?, hidden: Int64, smallestSide: Int64) -> Int64 {
    if rankOne { return 1 }
    if let given { return given }
    return max(1, projection == .svd ? min(hidden / 4, smallestSide) : min(256, hidden / 4, smallestSide))
  }

  /// The rank is capped at the tensor's smaller side as this GPU holds it (a tensor-parallel
  /// shard's): galore_torch keeps `U[:, :rank]` of an SVD with min(m, n) columns.
  ///
  /// - `galore-8bit`: GaLore's shapes with bitsandbytes 8-bit moments, everywhere.
  /// - `q-apollo*`: bitsandbytes `Optimizer2State` with `optim_bits=32` for the projected
  ///   moments (fp32, "avoid quantized optimizer state", APOLLO repository @ 76b3472); the regular group uses
  ///   bnb Adam8bit in the per-layer variant and 32-bit states otherwise.
  package func states(_ t: TensorGroup, _ o: OptimizerConfig, rank requested: Int64, paramBytes p: Int64)
    -> OptimizerStateBytes
  {
    let r = min(requested, t.minSide)
    let n = t.elements
    guard t.group == .lowRank else { return regularStates(n, o, p) }
    var s = OptimizerStateBytes()
    s.projections = r * t.minSide * p
    switch moments {
    case .eightBit:
      s = eightBitMoments(elements: r * t.maxSide)
      s.lowRankMoments = s.regularMoments
      s.regularMoments = 0
      s.projections = r * t.minSide * p
    case .fp32:
      s.lowRankMoments = 2 * r * t.maxSide * 4
      s.scalars = p
    case .parameterDType:
      s.lowRankMoments = 2 * r * t.maxSide * p
      if projection == .random { s.scalars = p }
    }
    return s
  }

  private func regularStates(_ n: Int64, _ o: OptimizerConfig, _ p: Int64) -> OptimizerStateBytes {
    var s = OptimizerStateBytes()
    switch moments {
    case .eightBit: return eightBitMoments(elements: n)
    case .fp32:
      if o.layerwise { return eightBitMoments(elements: n) }
      s.regularMoments = 2 * n * 4
    case .parameterDType: s.regularMoments = 2 * n * p
    }
    return s
  }

  /// The temporaries while one tensor is updated.
  ///
  /// A projected tensor: the low-rank gradient, denominator and update (3 · r · max(m, n)),
  /// then the full-size update and its rescaled copy (2 · m · n): GaLore `project_back(...) *
  /// scale`, APOLLO `p.grad * scaling_factor` then `/ limiter` then `* sqrt(scale)`; 8-bit
  /// GaLore's kernel keeps one low-rank temporary. The regular group: AdamW's two copies (none
  /// in bitsandbytes' kernels, fp32 ones in Q-APOLLO's 32-bit states).
  package func tensorTransient(_ t: TensorGroup, _ o: OptimizerConfig, rank r: Int64, paramBytes p: Int64) -> Int64 {
    let n = t.elements
    if t.group == .lowRank {
      let lowRankTemps: Int64 = moments == .eightBit ? 1 : 3
      return 2 * n * p + lowRankTemps * r * t.maxSide * p
    }
    switch moments {
    case .eightBit: return 0
    case .fp32: return o.layerwise ? 0 : 2 * n * 4
    case .parameterDType: return 2 * n * p
    }
  }

  /// Fused or not, the projected tensors are updated one at a time in Python.
  package func fusedTransient(_ inv: ParameterInventory, _ o: OptimizerConfig, rank r: Int64, paramBytes p: Int64)
    -> Int64
  {
    largestLowRankTransient(inv, o, rank: r, paramBytes: p)
  }

  package func regularStepBytes(_ o: OptimizerConfig, implementation: StepImplementation, paramBytes p: Double)
    -> Double
  {
    switch moments {
    case .eightBit: return EightBitAdam.stepBytes
    case .fp32: return o.layerwise ? EightBitAdam.stepBytes : AdamW.unfusedAccesses * 4
    case .parameterDType: return AdamW.accesses(implementation) * p
    }
  }

  /// Full-size accesses per projected parameter besides the projection matmuls.
  ///
  /// APOLLO 10
  /// (`p.grad * scaling_factor` 2, the limiter's `norm` 1, `/ limiter` 2, `* sqrt(scale)` 2,
  /// `p.add_` 3 — apollo_torch `APOLLOAdamW.step`), APOLLO-Mini 11 (the same plus its rank-1
  /// projection, a matrix-vector product reading the gradient once), GaLore 5 (`* scale` 2,
  /// `p.add_` 3 — galore_torch `GaLoreProjector`), 8-bit GaLore 7 (also `p.saved_data =
  /// p.data.clone()` 2 — galore_torch `AdamW8bit.step`). Derived; checked on an A100 against
  /// APOLLO Table 7 (`trainmem validate`, apollo-t7-*).
  package var projectedAccesses: Double {
    switch projection {
    case .random: return rankOne ? 11 : 10
    case .svd: return moments == .eightBit ? 7 : 5
    }
  }

  /// APOLLO's norm-growth limiter compares a tensor with a float in Python, which waits for
  /// the GPU once per projected tensor; the host then pays its full dispatch cost serially
  /// (8-bit GaLore's `torch.cuda.synchronize()` per tensor is charged the same).
  ///
  /// Fitted: calibration APOLLO-Mini rows (tensor-wise scaling); channel-wise scaling (APOLLO)
  /// launches a few more kernels per tensor (two `norm(dim=)`, `unsqueeze`, broadcast), fitted
  /// on the APOLLO rows.
  package static let hostSecondsPerSyncedTensor = 2.0e-4
  package static let hostSecondsPerSyncedTensorChannelwise = 2.5e-4

  /// The projected tensors' update: their full-size traffic, the projection matmuls on each
  /// tensor's own shape (thin: one side is the rank; GaLore projects and projects back, APOLLO
  /// only projects, as it rescales the raw gradient; APOLLO-Mini's rank-1 projection is a
  /// matrix-vector product counted in its traffic), and the host.
  ///
  /// Host and GPU overlap except where the code waits for the GPU once per tensor: APOLLO's
  /// limiter and 8-bit GaLore's sync split each tensor's update — before the wait, host
  /// dispatch and GPU work overlap; after it, they run one after the other. Modelled as the
  /// slower of the two plus half the faster.
  package func extraStepSeconds(_ s: TrainingSetup, _ inv: ParameterInventory, _ roof: Roofline) -> Double {
    let p = Double(s.policy.stateBytes)
    let r = Double(s.rank)
    let tensors = Double(inv.lowRankTensorCount)
    var gpu = projectedAccesses * p * Double(inv.lowRankParameters) / roof.bandwidth
    if !rankOne {
      let passes: Double = projection == .random ? 1 : 2
      for t in inv.tensors where t.group == .lowRank {
        gpu +=
          passes * Double(t.count)
          * roof.gemmSeconds(
            Double(t.maxSide), Double(t.minSide), r, elementSize: p,
            alignment: min(Roofline.alignment(p, Double(t.maxSide), Double(t.minSide)), Roofline.alignment(p, r)))
      }
    }
    guard projection == .random || moments == .eightBit else {
      return max(tensors * ThroughputModel.hostSecondsPerTensor, gpu)
    }
    let host = channelwise ? Self.hostSecondsPerSyncedTensorChannelwise : Self.hostSecondsPerSyncedTensor
    let gpuPerTensor = gpu / tensors
    return tensors * (max(host, gpuPerTensor) + min(host, gpuPerTensor) / 2)
  }

  /// SVD of an m × n gradient in fp32 on the H200: a + b · m · n · min(m, n) seconds.
  ///
  /// Fitted on the calibration's first GaLore steps (60M 1.4 s, 350M 10.5 s; 130M predicted 3.2
  /// vs 3.5 s); it predicts about 10 minutes per refresh for LLaMA-7B, as APOLLO §1 states.
  package static let svdSecondsPerTensor = 0.0196
  package static let svdSecondsPerMNK = 2.32e-11

  /// GaLore's SVD of every projected gradient, once per `update_interval` steps, amortised.
  ///
  /// Not scaled by GPU: `torch.linalg.svd` on CUDA is bound by the solver's sequential sweeps,
  /// not by FLOPs or bandwidth — the H200 fit predicts 620 s for all of LLaMA-7B, and the
  /// published 7B figures on other cards agree: "approximately 10 minutes" (APOLLO §1, A100)
  /// and "∼10 min per SVD" on an RTX A6000 (Q-GaLore §3, arXiv 2407.08296). APOLLO re-seeds a
  /// Gaussian matrix instead, whose cost is negligible (APOLLO §3).
  package func refreshSeconds(_ s: TrainingSetup, _ inv: ParameterInventory) -> Double {
    guard projection == .svd else { return 0 }
    var svd = 0.0
    for t in inv.tensors where t.group == .lowRank {
      let m = Double(t.rows), n = Double(t.cols)
      svd += Double(t.count) * (Self.svdSecondsPerTensor + Self.svdSecondsPerMNK * m * n * min(m, n))
    }
    return svd / Double(s.optimizer.updateInterval)
  }
}
