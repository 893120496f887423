/// Allocated memory through one training step, as PyTorch's memory snapshot shows it after the
/// fact: forward layer by layer, the loss, backward layer by layer, the optimizer step.
///
/// Built
/// from the same instants as `MemoryModel.estimate` (whose largest is the peak), with the
/// forward and backward between them filled in layer by layer, so its highest point is the
/// estimate's peak.
package struct MemoryTimeline: Sendable {
  package struct Point: Sendable {
    package var label: String
    package var instant: MemoryInstant
  }

  package var points: [Point]
  package var peak: Int64
  package var capacity: Int64

  /// Layers drawn per phase at most; deeper models are sampled evenly.
  package static let maxLayerPoints = 12

  package init(_ whole: TrainingSetup) {
    // Under model parallelism, the stage that holds the peak.
    let s = whole.stages.max { MemoryModel.estimate($0).required < MemoryModel.estimate($1).required } ?? whole
    let inv = ParameterInventory(s.model)
    let held = MemoryModel.persistent(s, inv)
    let act = ActivationModel.sizes(s)
    let instants = MemoryModel.instants(s, inv, held, act)
    let estimate = MemoryModel.estimate(s, inv)
    peak = estimate.peak
    capacity = estimate.capacity
    let layers = s.model.layers
    let sampled = Self.sample(layers)
    let lossBackward = instants[0], lastLayer = instants[1], firstLayer = instants[2], endOfBackward = instants[3]
    var out: [Point] = []
    // Before forward: weights, states, buckets and any gradients accumulation keeps.
    var start = lossBackward
    start.activations = 0
    start.logits = 0
    start.copies = held.fp8Cache
    out.append(Point(label: "start", instant: start))
    // Forward: each layer adds what it saves (and, under autocast, its cached weight copy; the
    // layers ZeRO-3/FSDP gather are the same few throughout).
    for k in sampled {
      var p = start
      p.activations = Self.share(lossBackward.activations, k, of: layers)
      p.copies =
        s.parallel.shardsWeights
        ? lossBackward.copies : held.fp8Cache + Self.share(lossBackward.copies - held.fp8Cache, k, of: layers)
      out.append(Point(label: "forward \(k)", instant: p))
    }
    out.append(Point(label: "loss", instant: lossBackward))
    // Backward, last layer first: activations released, gradients arriving.
    for (n, k) in sampled.reversed().enumerated() {
      let fraction = Double(n) / Double(max(1, sampled.count - 1))
      out.append(Point(label: "backward \(k)", instant: Self.between(lastLayer, firstLayer, fraction)))
    }
    out.append(Point(label: "end of backward", instant: endOfBackward))
    if instants.count > 4 { out.append(Point(label: "optimizer step", instant: instants[4])) }
    points = out
  }

  /// Up to `maxLayerPoints` layer numbers from 1 to `layers`, evenly spaced, the last included.
  package static func sample(_ layers: Int64) -> [Int64] {
    let count = min(layers, Int64(maxLayerPoints))
    return (1...count).map { i in max(1, (layers * i + count - 1) / count) }
  }

  /// `k` of `layers` equal shares of `total`.
  package static func share(_ total: Int64, _ k: Int64, of layers: Int64) -> Int64 { total / max(1, layers) * k }

  /// The instant a fraction of the way from `a` to `b`, term by term.
  package static func between(_ a: MemoryInstant, _ b: MemoryInstant, _ fraction: Double) -> MemoryInstant {
    func mix(_ x: Int64, _ y: Int64) -> Int64 { x + Int64((Double(y - x) * fraction).rounded()) }
    var p = a
    p.copies = mix(a.copies, b.copies)
    p.gradients = mix(a.gradients, b.gradients)
    p.activations = mix(a.activations, b.activations)
    p.logits = mix(a.logits, b.logits)
    p.transient = mix(a.transient, b.transient)
    return p
  }
}
