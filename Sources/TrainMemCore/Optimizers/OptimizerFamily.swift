/// One optimizer family's rules, read from its library's code.
///
/// A family says what each tensor keeps between steps, what the step allocates and moves, and
/// the loop it runs unless told otherwise. The models read only this protocol: adding an
/// optimizer is a file in `Families/` and a case of `OptimizerKind` mapped in `family`.
package protocol OptimizerFamily: Sendable {
  /// One line for reports: the library and what it keeps (static text: a family is a
  /// trivially copyable value, made per use without reference counting).
  var summary: StaticString { get }
  /// The loop the library runs unless told otherwise.
  var defaultImplementation: StepImplementation { get }
  /// Whether the family projects the low-rank group's gradients (GaLore, APOLLO).
  var projectsLowRankGroup: Bool { get }
  /// Whether the update runs inside backward, one parameter at a time, whatever the
  /// `layerwise` setting says (LOMO's fused backward).
  var updatesInBackward: Bool { get }
  /// Whether ZeRO partitions the states with the parameters (AdaLomo allocates them on the
  /// full shape on every rank).
  var shardsStatesWithZeRO: Bool { get }

  /// What one tensor of the inventory keeps between steps (multiply by `TensorGroup.count`).
  func states(_ t: TensorGroup, _ o: OptimizerConfig, rank r: Int64, paramBytes p: Int64) -> OptimizerStateBytes
  /// The temporaries while one tensor is updated: the per-tensor loop and layer-wise updates.
  func tensorTransient(_ t: TensorGroup, _ o: OptimizerConfig, rank r: Int64, paramBytes p: Int64) -> Int64
  /// One tensor's update inside backward (layer-wise updates, LOMO's hooks) at its largest, its
  /// gradient included; `shards` is the ZeRO-3 partition count (1 without).
  func backwardUpdatePeak(_ t: TensorGroup, _ o: OptimizerConfig, rank r: Int64, paramBytes p: Int64, shards: Int64)
    -> Int64
  /// The step's temporaries at their largest when the update runs as torch's foreach kernels.
  func foreachTransient(_ inv: ParameterInventory, _ o: OptimizerConfig, rank r: Int64, paramBytes p: Int64)
    -> Int64
  /// The step's temporaries at their largest when the update runs as fused kernels.
  func fusedTransient(_ inv: ParameterInventory, _ o: OptimizerConfig, rank r: Int64, paramBytes p: Int64) -> Int64
  /// Bytes the step reads and writes per parameter of the regular (unprojected) group.
  func regularStepBytes(_ o: OptimizerConfig, implementation: StepImplementation, paramBytes p: Double) -> Double
  /// Step seconds beyond the regular group's traffic (projections, orthogonalisation), on one
  /// full replica.
  func extraStepSeconds(_ s: TrainingSetup, _ inv: ParameterInventory, _ roof: Roofline) -> Double
  /// Seconds per step spent refreshing projections, amortised over `update_interval`.
  func refreshSeconds(_ s: TrainingSetup, _ inv: ParameterInventory) -> Double

  // Whole-inventory loops, requirements with default implementations so that each runs in one
  // call through the existential, with the family's per-tensor rules inlined.

  /// The states of every tensor of `inv`, summed.
  func totalStates(_ inv: ParameterInventory, _ o: OptimizerConfig, rank r: Int64, paramBytes p: Int64)
    -> OptimizerStateBytes
  /// The largest per-tensor update over `inv` (the per-tensor loop's peak).
  func largestTensorTransient(_ inv: ParameterInventory, _ o: OptimizerConfig, rank r: Int64, paramBytes p: Int64)
    -> Int64
  /// The largest update inside backward over `inv`.
  func largestBackwardUpdatePeak(
    _ inv: ParameterInventory, _ o: OptimizerConfig, rank r: Int64, paramBytes p: Int64, shards: Int64
  ) -> Int64
  /// The projection rank in use: the one given, else the family's default for the model.
  func rank(given: Int64?, hidden: Int64, smallestSide: Int64) -> Int64
}

extension OptimizerFamily {
  package var projectsLowRankGroup: Bool { false }
  package var updatesInBackward: Bool { false }
  package var shardsStatesWithZeRO: Bool { true }

  /// The default: the gradient and the update's temporaries (GaLore's per-layer hooks, fired
  /// after accumulation, see one gradient at a time).
  package func backwardUpdatePeak(
    _ t: TensorGroup, _ o: OptimizerConfig, rank r: Int64, paramBytes p: Int64, shards: Int64
  ) -> Int64 {
    tensorTransient(t, o, rank: r, paramBytes: p) + t.elements * p
  }

  /// The default: the largest projected tensor's update (none without a projection).
  package func foreachTransient(_ inv: ParameterInventory, _ o: OptimizerConfig, rank r: Int64, paramBytes p: Int64)
    -> Int64
  {
    largestLowRankTransient(inv, o, rank: r, paramBytes: p)
  }
  package func fusedTransient(_ inv: ParameterInventory, _ o: OptimizerConfig, rank r: Int64, paramBytes p: Int64)
    -> Int64
  { 0 }
  package func extraStepSeconds(_ s: TrainingSetup, _ inv: ParameterInventory, _ roof: Roofline) -> Double { 0 }
  package func refreshSeconds(_ s: TrainingSetup, _ inv: ParameterInventory) -> Double { 0 }
  /// Without a projection nothing reads the rank (a given one is refused): 1.
  package func rank(given: Int64?, hidden: Int64, smallestSide: Int64) -> Int64 { given ?? 1 }

  package func totalStates(_ inv: ParameterInventory, _ o: OptimizerConfig, rank r: Int64, paramBytes p: Int64)
    -> OptimizerStateBytes
  {
    var sum = OptimizerStateBytes()
    for t in inv.tensors { sum.add(states(t, o, rank: r, paramBytes: p), times: t.count) }
    return sum
  }

  package func largestTensorTransient(
    _ inv: ParameterInventory, _ o: OptimizerConfig, rank r: Int64, paramBytes p: Int64
  ) -> Int64 {
    var best: Int64 = 0
    for t in inv.tensors { best = max(best, tensorTransient(t, o, rank: r, paramBytes: p)) }
    return best
  }

  package func largestBackwardUpdatePeak(
    _ inv: ParameterInventory, _ o: OptimizerConfig, rank r: Int64, paramBytes p: Int64, shards: Int64
  ) -> Int64 {
    var best: Int64 = 0
    for t in inv.tensors { best = max(best, backwardUpdatePeak(t, o, rank: r, paramBytes: p, shards: shards)) }
    return best
  }

  /// The largest per-tensor update among the low-rank group's tensors.
  package func largestLowRankTransient(
    _ inv: ParameterInventory, _ o: OptimizerConfig, rank r: Int64, paramBytes p: Int64
  ) -> Int64 {
    var best: Int64 = 0
    for t in inv.tensors where t.group == .lowRank {
      best = max(best, tensorTransient(t, o, rank: r, paramBytes: p))
    }
    return best
  }
}

/// A family whose kernels update each tensor in place (bitsandbytes' and torchao's low-bit Adam,
/// torch SGD): no temporaries per tensor or in its foreach kernels.
package protocol InPlaceUpdate: OptimizerFamily {}

extension InPlaceUpdate {
  package func tensorTransient(_ t: TensorGroup, _ o: OptimizerConfig, rank r: Int64, paramBytes p: Int64) -> Int64 {
    0
  }
  package func foreachTransient(_ inv: ParameterInventory, _ o: OptimizerConfig, rank r: Int64, paramBytes p: Int64)
    -> Int64
  { 0 }
}

extension OptimizerKind {
  /// The family whose rules this optimizer follows: the one switch over the kinds.
  package var family: any OptimizerFamily {
    switch self {
    case .adamw: return AdamW()
    case .adamw8bit: return EightBitAdam()
    case .adamw4bit: return FourBitAdam()
    case .sgd: return SGD()
    // The projecting kinds' variants are `lowRank`'s, written once there.
    case .galore, .galore8bit, .apollo, .apolloMini, .qApollo, .qApolloMini: return lowRank!
    case .muon: return Muon()
    case .adafactor: return Adafactor()
    case .lion: return Lion()
    case .adamMini: return AdamMini()
    case .lomo: return FusedBackwardUpdate(adaptive: false)
    case .adalomo: return FusedBackwardUpdate(adaptive: true)
    }
  }

  /// The GaLore or APOLLO variant a projecting kind runs (nil for the others): what the
  /// kind's rank, int8-weight and refusal rules read, with no cast of `family`.
  package var lowRank: LowRankProjection? {
    switch self {
    case .galore: return .galore
    case .galore8bit: return .galore8bit
    case .apollo: return .apollo
    case .apolloMini: return .apolloMini
    case .qApollo: return .qApollo
    case .qApolloMini: return .qApolloMini
    case .adamw, .adamw8bit, .adamw4bit, .sgd, .muon, .adafactor, .lion, .adamMini, .lomo, .adalomo: return nil
    }
  }
}

/// bitsandbytes' 8-bit moments for one tensor, as its states.
package func eightBitMoments(elements n: Int64) -> OptimizerStateBytes {
  let e = OptimizerStates.eightBitAdam(elements: n)
  var s = OptimizerStateBytes()
  s.regularMoments = e.moments
  s.scalars = e.absmax
  return s
}
