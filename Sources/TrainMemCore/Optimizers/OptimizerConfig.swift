// The optimizers trainmem models, as their reference implementations run them:
// torch.optim.AdamW / SGD (PyTorch 2.x), bitsandbytes Adam8bit (blockwise 8-bit states),
// galore-torch 1.0 GaLoreAdamW / GaLoreAdamW8bit, apollo-torch 1.0.3 APOLLOAdamW
// (papers.md §d; calibration/README.md "Optimizers and their parameter groups").

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

  /// Projects the low-rank group's gradients (GaLore and APOLLO families).
  package var isLowRank: Bool {
    switch self {
    case .adamw, .adamw8bit, .sgd, .muon, .adafactor, .lion, .adamMini, .adamw4bit: return false
    case .galore, .galore8bit, .apollo, .apolloMini, .qApollo, .qApolloMini: return true
    }
  }
  /// APOLLO-Mini variants are rank 1 with tensor-wise scaling by definition (APOLLO §4.2).
  package var isMini: Bool { self == .apolloMini || self == .qApolloMini }
  package var isAPOLLO: Bool { self == .apollo || self == .apolloMini || self == .qApollo || self == .qApolloMini }
  /// Q-APOLLO variants keep the projected layers' weights in int8 (APOLLO Table 8, group 128).
  package var forcesInt8Weights: Bool { self == .qApollo || self == .qApolloMini }
  /// Optimizers that update int8 weights in place (Q-GaLore's 8-bit GaLore, Q-APOLLO).
  package var updatesInt8Weights: Bool { self == .galore8bit || forcesInt8Weights }

  package var summary: String {
    switch self {
    case .adamw: return "torch.optim.AdamW: two moments per parameter"
    case .adamw8bit: return "bitsandbytes Adam8bit: blockwise 8-bit moments (block 256)"
    case .sgd: return "torch.optim.SGD, optional momentum buffer"
    case .galore: return "GaLore (galore-torch): SVD projection, moments on r × max(m, n)"
    case .galore8bit: return "8-bit GaLore: GaLore with bitsandbytes 8-bit moments"
    case .apollo: return "APOLLO (apollo-torch): random projection, channel-wise scaling"
    case .apolloMini: return "APOLLO-Mini: rank 1, tensor-wise scaling"
    case .qApollo: return "Q-APOLLO: APOLLO with int8 projected weights (group 128)"
    case .qApolloMini: return "Q-APOLLO-Mini: APOLLO-Mini with int8 projected weights"
    case .muon:
      return "torch.optim.Muon: one momentum per hidden matrix, Newton–Schulz orthogonalised; AdamW on the rest"
    case .adafactor: return "transformers Adafactor: factored fp32 second moments, no first moment"
    case .lion: return "Lion (lion-pytorch): one momentum per parameter"
    case .adamMini: return "Adam-mini: full first moment, one second moment per head or row"
    case .adamw4bit: return "torchao AdamW4bit: 4-bit moments with an fp32 scale per 128"
    }
  }
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
  /// every ≤1B script, 500 for the 7B GaLore scripts (papers.md §d).
  package var updateInterval: Int64 = OptimizerConfig.defaultUpdateInterval
  package static let defaultUpdateInterval: Int64 = 200
  package var implementation: StepImplementation?
  /// GaLore-style per-layer weight update: each gradient is applied and freed in its hook.
  package var layerwise: Bool = false
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

  /// The rank actually used: APOLLO-Mini is rank 1; GaLore defaults to hidden/4 (GaLore T2:
  /// "rank 1/4 of d_model"); APOLLO to 256 ("256 works well for 1B and 7B", APOLLO README),
  /// capped at hidden/4 for small models as the scripts do (60M uses 128).
  ///
  /// A default never
  /// exceeds `smallestSide`, the smallest side of the projected tensors (k_proj's kv width under
  /// grouped-query attention: 1,024 for Llama-2/3-70B, where hidden/4 is 2,048).
  package func effectiveRank(hidden: Int64, smallestSide: Int64) -> Int64 {
    if kind.isMini { return 1 }
    if let rank { return rank }
    switch kind {
    case .galore, .galore8bit: return max(1, min(hidden / 4, smallestSide))
    default: return max(1, min(256, hidden / 4, smallestSide))
    }
  }

  /// The loop the real library runs unless told otherwise: torch defaults to foreach on CUDA;
  /// bitsandbytes runs one fused kernel per tensor; GaLore/APOLLO loop in Python.
  package var effectiveImplementation: StepImplementation {
    if let implementation { return implementation }
    // A paged AdamW is bitsandbytes' PagedAdamW32bit: one fused kernel, updated in place.
    if paged && kind == .adamw { return .fused }
    switch kind {
    case .adamw, .sgd: return .foreach
    case .adamw8bit, .adamw4bit: return .fused
    case .muon, .adafactor, .lion, .adamMini: return .loop
    case .galore, .galore8bit, .apollo, .apolloMini, .qApollo, .qApolloMini: return .loop
    }
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
