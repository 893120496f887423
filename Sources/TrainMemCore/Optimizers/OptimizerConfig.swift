// The optimizers trainmem models, as their reference implementations run them:
// torch.optim.AdamW / SGD (PyTorch 2.x), bitsandbytes Adam8bit (blockwise 8-bit states),
// galore-torch 1.0 GaLoreAdamW / GaLoreAdamW8bit, apollo-torch 1.0.3 APOLLOAdamW
// (GaLore @ 2cc66f8, APOLLO @ 76b3472; docs/models.md).

/// Optimizer families; raw values are the scenario and CLI spellings.
public enum OptimizerKind: String, Sendable, CaseIterable {
  case adamw
  case adamw8bit = "adamw-8bit"
  case sgd
  case galore
  case galore8bit = "galore-8bit"
  case apollo
  case apolloMini = "apollo-mini"
  case qApollo = "q-apollo"
  case qApolloMini = "q-apollo-mini"
  case muon
  case adafactor
  case lion
  case adamMini = "adam-mini"
  case adamw4bit = "adamw-4bit"
  case lomo
  case adalomo

  /// Projects the low-rank group's gradients (GaLore and APOLLO families).
  package var isLowRank: Bool { lowRank != nil }
  /// APOLLO-Mini variants are rank 1 with tensor-wise scaling by definition (APOLLO §4.2).
  package var isMini: Bool { lowRank?.rankOne ?? false }
  /// Q-APOLLO variants keep the projected layers' weights in int8 (APOLLO Table 8, group 128).
  package var forcesInt8Weights: Bool { lowRank?.weights == .int8 }
  /// Optimizers that update int8 weights in place (Q-GaLore's 8-bit GaLore, Q-APOLLO).
  package var updatesInt8Weights: Bool { lowRank.map { $0.weights != .asGiven } ?? false }

  /// One line for reports, from the family's rules.
  package var summary: String { family.summary.description }
}

/// How the update loop runs; decides the optimizer step's temporaries and speed.
public enum StepImplementation: String, Sendable, CaseIterable {
  /// torch `_multi_tensor_*`: one parameter-sized temporary for all tensors at once.
  case foreach
  /// torch `_fused_*` / bitsandbytes kernels: no temporaries.
  case fused
  /// A Python loop over parameters (GaLore, APOLLO, torch `foreach=False`).
  case loop
}

/// An optimizer with its settings.
public struct OptimizerConfig: Sendable, Equatable {
  package var kind: OptimizerKind
  /// Projection rank for the low-rank families; nil means the family's default for the model.
  package var rank: Int64?
  /// Steps between projection refreshes (GaLore SVD / APOLLO re-seeded random matrix): 200 in
  /// every ≤1B script, 500 for the 7B GaLore scripts (`update_proj_gap` in GaLore's and
  /// APOLLO's `scripts/`).
  package var updateInterval: Int64 = OptimizerConfig.defaultUpdateInterval
  package static let defaultUpdateInterval: Int64 = 200
  package var implementation: StepImplementation?
  /// GaLore-style per-layer weight update: each gradient is applied and freed in its hook.
  package var layerwise: Bool = false
  /// Whether each tensor is updated inside backward as its gradient arrives: `layerwise`, or
  /// an optimizer built that way (LOMO, AdaLomo).
  package var updatesInBackward: Bool { layerwise || kind.family.updatesInBackward }
  /// SGD momentum buffer.
  package var momentum: Bool = true
  /// bitsandbytes paged optimizer (`PagedAdamW`, `PagedAdamW8bit`): states of tensors of 10^5
  /// elements or more live in CUDA unified memory (`cudaMallocManaged`), outside PyTorch's
  /// allocator, and move to the host only when the GPU runs short.
  package var paged: Bool = false

  init(
    kind: OptimizerKind, rank: Int64? = nil, updateInterval: Int64 = OptimizerConfig.defaultUpdateInterval,
    implementation: StepImplementation? = nil, layerwise: Bool = false, momentum: Bool = true
  ) {
    self.kind = kind
    self.rank = rank
    self.updateInterval = updateInterval
    self.implementation = implementation
    self.layerwise = layerwise
    self.momentum = momentum
  }

  /// The rank actually used: the one given, else the family's default for the model
  /// (`LowRankProjection.rank`).
  package func effectiveRank(hidden: Int64, smallestSide: Int64) -> Int64 {
    kind.family.rank(given: rank, hidden: hidden, smallestSide: smallestSide)
  }

  /// The loop the real library runs unless told otherwise (the family's); a paged AdamW is
  /// bitsandbytes' PagedAdamW32bit, one fused kernel updated in place.
  package var effectiveImplementation: StepImplementation {
    if let implementation { return implementation }
    if paged && kind == .adamw { return .fused }
    return kind.family.defaultImplementation
  }

  /// A short label: "apollo r256", "adamw (fused)".
  package var label: String {
    var s = kind.rawValue
    if kind.isLowRank && !kind.isMini, let rank { s += " r\(rank)" }
    if layerwise { s += " layer-wise" }
    return s
  }

  /// The memberwise initializer, for the other modules (Swift synthesizes it internal).
  package init(
    kind: OptimizerKind, rank: Int64? = nil, updateInterval: Int64 = OptimizerConfig.defaultUpdateInterval,
    implementation: StepImplementation? = nil, layerwise: Bool = false, momentum: Bool = true, paged: Bool = false
  ) {
    self.kind = kind
    self.rank = rank
    self.updateInterval = updateInterval
    self.implementation = implementation
    self.layerwise = layerwise
    self.momentum = momentum
    self.paged = paged
  }
}
