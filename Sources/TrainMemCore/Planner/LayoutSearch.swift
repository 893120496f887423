// The layout planner: every way of laying a model over a GPU count — tensor ×
// pipeline × context × data parallelism, how the data-parallel ranks shard, recomputation and
// micro-batch — evaluated, the fastest that fits first. Exhaustive over its space, so the answer
// is exact there: it fits with the run's margin, and no layout in the space that fits is faster.

/// One evaluated layout.
package struct Layout: Sendable, Equatable {
  package var setup: TrainingSetup
  package var memory: MemoryEstimate
  package var throughput: ThroughputEstimate
  /// How far to trust the layout's estimates (`ErrorBand`).
  package var band: ErrorBand
  /// The best MFU any published run on the layout's GPU family reached (nil: none published).
  package var publishedBest: PublishedMFU.Record?

  package init(setup: TrainingSetup, memory: MemoryEstimate, throughput: ThroughputEstimate) {
    self.setup = setup
    self.memory = memory
    self.throughput = throughput
    band = ErrorBand(setup)
    publishedBest = PublishedMFU.best(setup.gpu.architecture, fp8: setup.fp8 != nil)
  }

  package var tokensPerSecond: Double { throughput.tokensPerSecond }
  /// Tokens/s at the slow end of the layout's error band.
  package var pessimisticTokensPerSecond: Double { throughput.tokensPerSecond * (1 - band.throughput) }
  /// Whether its predicted MFU is above the best any published run on its GPU family reached.
  package var abovePublishedMFU: Bool { publishedBest.map { throughput.mfu > $0.mfu } ?? false }

  /// "dp 8 × tp 8 × pp 4, zero1, selective recomputation, micro-batch 1".
  package var text: String {
    let s = setup
    let mp =
      (s.modelParallel.isActive ? " × " + s.modelParallel.text : "")
      + (s.expertParallel > 1 ? " × ep \(s.expertParallel)" : "")
    let recompute = s.checkpointing == .none ? "no" : s.checkpointing.rawValue
    return "dp \(s.dataParallel)\(mp), \(s.parallel.rawValue), \(recompute) recomputation, micro-batch \(s.microBatch)"
  }
}

package enum LayoutSearch {
  /// What the search covers, for the report.
  package static let tensorDegrees: [Int64] = [1, 2, 4, 8]
  /// Pipeline stages up to 64: powers of two, and any degree that divides the layers evenly
  /// (9 for Llama 3.1 405B's 126 layers, as NVIDIA's 576-GPU recipe runs).
  package static let maxPipeline: Int64 = 64
  package static let contextDegrees: [Int64] = [1, 2, 4, 8]
  /// Model chunks per pipeline GPU under the interleaved schedule (Megatron's virtual pipeline),
  /// where they divide the layers evenly: NVIDIA's recipes use 2–8.
  package static let virtualStageDegrees: ClosedRange<Int64> = 2...8

  /// The pipeline degrees tried for a model: powers of two and the layers' divisors, to 64.
  package static func pipelineDegrees(layers: Int64) -> [Int64] {
    (1...min(maxPipeline, layers)).filter { $0 & ($0 - 1) == 0 || layers % $0 == 0 }
  }

  /// The schedules tried for `p` stages: 1F1B, and interleaved with the most virtual stages
  /// (up to 8) that split the layers evenly — the smallest bubble, as NVIDIA's recipes choose;
  /// fewer would hold fewer micro-batches in flight but be slower, and trying each tripled the
  /// search for 80-layer models.
  package static func schedules(pipeline p: Int64, layers: Int64) -> [(PipelineSchedule, Int64)] {
    guard p > 1, let v = virtualStageDegrees.reversed().first(where: { layers % (p * $0) == 0 }) else {
      return [(.oneFOneB, 1)]
    }
    return [(.oneFOneB, 1), (.interleaved, v)]
  }
  /// Expert parallelism, for mixtures of experts: each degree that divides the experts and the
  /// expert group (the setup's own check), as Megatron-Core MoE recipes use up to 64.
  package static let expertDegrees: [Int64] = [1, 2, 4, 8, 16, 32, 64]
  /// Most memory saved first: when full recomputation does not fit at micro-batch 1, less
  /// recomputation cannot either, and the layout is left there.
  package static let recomputations: [Checkpointing] = [.full, .op, .selective, .none]

  package static func covered(_ s: TrainingSetup) -> String {
    "tensor parallel 1–8 inside a node, pipeline 1–64 (powers of two and the layers' divisors; 1F1B, and interleaved with the most virtual stages, up to 8, that split the layers evenly), context parallel 1–8"
      + (s.model.moe != nil ? ", expert parallel 1–64" : "") + ", data parallelism as "
      + shardings(s).map(\.rawValue).joined(separator: ", ")
      + ", recomputation none, selective, per-op or full, and every micro-batch that divides a replica's share of the global batch"
  }

  /// The data-parallel modes tried: the run's own and the ones its precision policy allows.
  package static func shardings(_ s: TrainingSetup) -> [Parallelism] {
    var modes: [Parallelism] = [s.parallel == .none ? .ddp : s.parallel]
    for p in [Parallelism.ddp, .zero1, .fsdp] where !modes.contains(p) { modes.append(p) }
    return modes
  }

  /// Every layout that fits, fastest first (at most `keep`), and how many were evaluated.
  package static func search(_ s: TrainingSetup, keep: Int = 8) -> (layouts: [Layout], evaluated: Int) {
    var found: [Layout] = []
    var evaluated = 0
    for t in tensorDegrees where t <= s.nodeSize && s.gpus % t == 0 {
      for p in pipelineDegrees(layers: s.model.layers) where s.gpus % (t * p) == 0 {
        for c in contextDegrees where s.gpus % (t * p * c) == 0 && (c == 1 || s.attention != .eager) {
          // Without data- or context-parallel ranks every sharding mode is the same layout.
          let modes = s.gpus / (t * p) > 1 ? shardings(s) : [.none]
          for (schedule, v) in schedules(pipeline: p, layers: s.model.layers) {
            for mode in modes {
              for ep in expertDegrees where ep == 1 || s.model.moe != nil {
                for recompute in recomputations {
                  var l = s
                  l.modelParallel = ModelParallel(
                    tensor: t, sequenceParallel: t > 1, pipeline: p, schedule: schedule, virtualStages: v, context: c)
                  l.parallel = mode
                  l.expertParallel = ep
                  l.checkpointing = recompute
                  l.checkpointedLayers = nil
                  guard l.validationProblems().isEmpty else { continue }
                  evaluated += 1
                  guard let best = fastestMicroBatch(l) else { break }
                  found.append(best)
                }
              }
            }
          }
        }
      }
    }
    // Fastest at the pessimistic end of each layout's error band first (a layout the model is
    // less sure of must be faster by more to rank above); on a tie (within 0.1%) the simpler
    // layout: fewer GPUs per replica.
    let ranked = found.map { ($0, $0.pessimisticTokensPerSecond) }.sorted {
      let (x, a) = $0, (y, b) = $1
      if abs(a / b - 1) > 1e-3 { return a > b }
      if x.setup.modelParallel.size != y.setup.modelParallel.size {
        return x.setup.modelParallel.size < y.setup.modelParallel.size
      }
      return x.text < y.text
    }
    return (ranked.prefix(keep).map(\.0), evaluated)
  }

  /// A layout at its fastest micro-batch that fits: with a global batch, every one up to the
  /// largest that fits that keeps the global batch as asked (the largest itself otherwise) — under a pipeline a smaller micro-batch means more of
  /// them and a smaller bubble, so the largest is not always fastest.
  package static func fastestMicroBatch(_ s: TrainingSetup) -> Layout? {
    guard let largest = Planner.maxMicroBatch(s) else { return nil }
    var candidates = [largest]
    if let g = s.globalBatch, g % s.dataParallel == 0 {
      // Only micro-batches that keep the global batch as asked (1 always does).
      candidates = Planner.divisors(of: g / s.dataParallel, upTo: largest)
    }
    var best: Layout?
    for b in candidates {
      var t = s
      t.microBatch = b
      let throughput = ThroughputModel.estimate(t)
      if best == nil || throughput.tokensPerSecond > best!.tokensPerSecond {
        best = Layout(setup: t, memory: MemoryModel.estimate(t), throughput: throughput)
      }
    }
    return best
  }
}
