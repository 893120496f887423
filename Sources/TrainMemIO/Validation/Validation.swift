import Foundation
import TrainMemCore

// `trainmem validate`: every published or measured figure in seeds/*.tsv is predicted and
// compared. A figure's `accounting` says how its source counted: the paper's own formula
// (to check the arithmetic) or what the code allocates (what trainmem predicts for a run).

/// One reference figure.
package struct Figure: Sendable {
  package var id: String
  package var source: String
  /// What is measured; see `Validation.predict`.
  package var quantity: FigureQuantity
  package var value: Double
  package var unit: String
  /// Relative tolerance (0.05 = 5%), or absolute in `unit` when `absolute`.
  package var tolerance: Double
  package var absolute: Bool
  package var expect: Expectation
  /// How the source counted, as written (the report prints it).
  package var accounting: String
  /// The paper-formula switches `accounting` names (`PaperAccounting`).
  package var paperAccounting: PaperAccounting
  package var conditions: [(String, String)]
  /// The figure whose setup is the denominator of a `tokens_per_second_ratio`.
  package var ratioTo: String?
  package var note: String
  package var line: Int
  /// The setup the conditions describe (checked when the file is read).
  package var setup: TrainingSetup
}

package struct FigureResult: Sendable {
  package var figure: Figure
  package var predicted: Double
  package var error: Double
  package var within: Bool
  /// What the real code allocates where the accounting is a paper's formula.
  package var codeAllocates: Double?
}

/// Prediction: every figure predicted in its own accounting and unit, and compared.
package enum Validation {
  /// Paper accounting of optimizer states in elements (GaLore T1, APOLLO T1, Fira T2):
  /// AdamW 2mn; GaLore mr + 2nr (m ≤ n); APOLLO 2nr; APOLLO-Mini 2n; regular tensors 2mn when
  /// `withRegular` (GaLore's tables) and not at all otherwise (APOLLO Table 2's Mini column and
  /// Table 3).
  package static func paperStateElements(_ s: TrainingSetup, withRegular: Bool, withProjection: Bool) -> Double {
    let inv = ParameterInventory(s.model)
    let r = Double(s.rank)
    var total = 0.0
    for t in inv.tensors {
      let m = Double(t.minSide), n = Double(t.maxSide), c = Double(t.count)
      if s.optimizer.kind.isLowRank && t.group == .lowRank {
        total += c * (2 * n * r + (withProjection ? m * r : 0))
      } else if !s.optimizer.kind.isLowRank || withRegular {
        total += c * 2 * Double(t.elements)
      }
    }
    return total
  }

  /// The units a figure may be in: sizes (scaled to bytes by `scale`), seconds, millions of
  /// parameters (`M`), and the unscaled tokens/s, ratios (`x`) and yes/no (`bool`).
  package static let units = ["GB", "G", "GiB", "MB", "s", "M", "tok/s", "x", "bool", "count", "B", "sbh", "%"]

  package static func scale(_ unit: String) -> Double {
    switch unit {
    case "GB", "G": return 1e9
    case "GiB": return 1_073_741_824
    case "MB": return 1e6
    case "s": return 1
    default: return 1
    }
  }

  /// Predicts a figure in its own accounting and unit; `codeAllocates` for paper accountings.
  ///
  /// `baseline` is the setup of the figure named by `ratio_to`, for ratio quantities.
  package static func predict(_ f: Figure, _ s: TrainingSetup, baseline: TrainingSetup? = nil) -> (Double, Double?) {
    let u = scale(f.unit)
    let inv = ParameterInventory(s.model)
    let weights = Double(inv.parameters) * 2
    let paper = f.paperAccounting
    switch f.quantity {
    case .paperWeightsStates:
      // GaLore Table 2 / APOLLO Table 2: weights + optimizer states, bf16.
      let elements = paperStateElements(
        s, withRegular: paper.contains(.regularStates), withProjection: paper.contains(.projection))
      let v = (weights + 2 * elements) / u
      return (v, Double(MemoryModel.weightBytes(s, inv) + MemoryModel.estimate(s).states.total) / u)
    case .paperStates:
      let bytesPerState = paper.contains(.eightBit) ? 1.0 : 2.0
      let elements = paperStateElements(
        s, withRegular: paper.contains(.regularStates), withProjection: paper.contains(.projection))
      return (
        bytesPerState * elements / u,
        Double(MemoryModel.estimate(s).states.total) / u
      )
    case .optimizerStates: return (Double(MemoryModel.estimate(s).states.total) / u, nil)
    case .weights: return (Double(MemoryModel.weightBytes(s, inv)) / u, nil)
    case .peakAllocated: return (Double(MemoryModel.estimate(s).peak) / u, nil)
    case .reserved: return (Double(MemoryModel.estimate(s).reserved) / u, nil)
    case .totalMemory: return (Double(MemoryModel.estimate(s).required) / u, nil)
    case .fits: return (MemoryModel.estimate(s).fits ? 1 : 0, nil)
    case .maxMicroBatch: return (Double(Planner.maxMicroBatch(s) ?? 0), nil)
    case .maxSequence: return (Double(Planner.maxSequence(s) ?? 0), nil)
    case .tokensPerSecond: return (ThroughputModel.estimate(s).tokensPerSecond, nil)
    case .steadyTokensPerSecond:
      let t = ThroughputModel.estimate(s)
      return (t.tokensPerStep / t.steadyStepSeconds, nil)
    case .stepSeconds: return (ThroughputModel.estimate(s).stepSeconds, nil)
    case .steadyStepSeconds: return (ThroughputModel.estimate(s).steadyStepSeconds, nil)
    case .backwardSeconds:
      // Backward runs two of each matmul's three passes: two thirds of forward + backward.
      return (ThroughputModel.estimate(s).compute * 2 / 3, nil)
    case .tokensPerSecondRatio:
      // Job tokens/s of this setup over that of the figure named by `ratio_to`.
      guard let b = baseline else { return (.nan, nil) }
      return (ThroughputModel.estimate(s).tokensPerSecond / ThroughputModel.estimate(b).tokensPerSecond, nil)
    case .optimizerStepSeconds:
      // `optimizer.step()` averaged over steps, projection refreshes included (APOLLO Table 7).
      let t = ThroughputModel.estimate(s)
      return (t.optimizer + t.projectionRefresh, nil)
    case .svdRefreshSeconds:
      return (ThroughputModel.refreshSeconds(s, inv) * Double(s.optimizer.updateInterval), nil)
    case .parameters: return (Double(inv.parameters) / (f.unit == "M" ? 1e6 : 1), nil)
    case .modelStatesPerParameter:
      // The ZeRO paper's and Megatron's accounting: weights, gradients and optimizer states
      // (with the fp32 master) one GPU holds persistently, per parameter of the model.
      let held = MemoryModel.persistent(s, inv)
      return (Double(held.weights + held.gradients + held.states.total) / Double(inv.parameters), nil)
    case .mfu: return (ThroughputModel.estimate(s).mfu * 100, nil)
    case .plannerTokensPerSecond:
      return (LayoutSearch.search(s, keep: 1).layouts.first?.tokensPerSecond ?? 0, nil)
    case .activationsPerLayer:
      // Korthikanti et al.'s unit: bytes one layer saves per micro-batch on one GPU (of the
      // first pipeline stage), over sequence × micro-batch × hidden; a fully recomputed layer
      // keeps its input.
      guard let stage = s.stages.first else { return (.nan, nil) }
      let act = ActivationModel.sizes(stage)
      let bytes = s.checkpointing == .full ? act.checkpointedLayer : act.perLayer
      return (Double(bytes) / Double(s.sequence * s.microBatch * s.model.hidden), nil)
    }
  }

  package static func check(_ figures: [Figure]) -> [FigureResult] {
    // A figure's baseline by id, looked up once per figure (a seeds file may have 10^5 rows).
    let byID = Dictionary(figures.map { ($0.id, $0.setup) }, uniquingKeysWith: { first, _ in first })
    return figures.map { f in
      let base = f.ratioTo.flatMap { byID[$0] }
      let (p, code) = predict(f, f.setup, baseline: base)
      let err = error(predicted: p, published: f.value, absolute: f.absolute)
      let within = p.isFinite && f.expect.admits(err, tolerance: f.tolerance)
      return FigureResult(figure: f, predicted: p, error: err, within: within, codeAllocates: code)
    }
  }

  /// Absolute, or relative to the published value; an exact match is 0 even against 0.
  package static func error(predicted p: Double, published v: Double, absolute: Bool) -> Double {
    if absolute || p == v { return p - v }
    return v == 0 ? .infinity : (p - v) / v
  }

}

/// What a figure measures (the seeds' `quantity` column).
package enum FigureQuantity: String, Sendable, CaseIterable {
  case paperWeightsStates = "paper_weights_states"
  case paperStates = "paper_states"
  case optimizerStates = "optimizer_states"
  case weights
  case peakAllocated = "peak_allocated"
  case reserved
  case totalMemory = "total_memory"
  case fits
  case maxMicroBatch = "max_micro_batch"
  case tokensPerSecond = "tokens_per_second"
  case steadyTokensPerSecond = "steady_tokens_per_second"
  case stepSeconds = "step_seconds"
  case steadyStepSeconds = "steady_step_seconds"
  case backwardSeconds = "backward_seconds"
  case tokensPerSecondRatio = "tokens_per_second_ratio"
  case optimizerStepSeconds = "optimizer_step_seconds"
  case svdRefreshSeconds = "svd_refresh_seconds"
  case parameters
  case modelStatesPerParameter = "model_states_per_parameter"
  case maxSequence = "max_sequence"
  case activationsPerLayer = "activations_per_layer"
  case mfu
  /// The layout planner's best layout (`LayoutSearch`) for the conditions, which leave the
  /// layout out: its predicted tokens/s, held against a tuned recipe's measured rate.
  case plannerTokensPerSecond = "planner_tokens_per_second"

  /// The units a figure of this quantity may be given in.
  package var units: [String] {
    switch self {
    case .paperWeightsStates, .paperStates, .optimizerStates, .weights, .peakAllocated, .reserved, .totalMemory:
      return ["GB", "G", "GiB", "MB"]
    case .fits: return ["bool"]
    case .maxMicroBatch, .maxSequence: return ["count"]
    case .tokensPerSecond, .steadyTokensPerSecond, .plannerTokensPerSecond: return ["tok/s"]
    case .tokensPerSecondRatio: return ["x"]
    case .parameters: return ["M", "count"]
    case .modelStatesPerParameter: return ["B"]
    case .activationsPerLayer: return ["sbh"]
    case .mfu: return ["%"]
    case .stepSeconds, .steadyStepSeconds, .backwardSeconds, .optimizerStepSeconds, .svdRefreshSeconds: return ["s"]
    }
  }
}

/// Whether a figure must agree (the seeds' `expect` column).
package enum Expectation: String, Sendable, CaseIterable {
  /// Must be within tolerance, or `validate` fails.
  case check
  /// A known, explained disagreement: shown, never failing.
  case gap
  /// A bound: the prediction may fall short of the figure, but not exceed it by more than the
  /// tolerance, or `validate` fails (the planner never promises more than tuned recipes reach).
  case atMost = "at_most"

  /// Whether an error (prediction over figure, less 1) is inside a tolerance.
  package func admits(_ error: Double, tolerance: Double) -> Bool {
    guard error.isFinite else { return false }
    return self == .atMost ? error <= tolerance + 1e-12 : abs(error) <= tolerance + 1e-12
  }
}

/// The switches of a paper's own state formula, named in the seeds' `accounting` text: "regular
/// states counted", "projection counted", "8-bit" (two bytes per state otherwise).
package struct PaperAccounting: OptionSet, Sendable {
  package let rawValue: Int
  package init(rawValue: Int) { self.rawValue = rawValue }
  package static let regularStates = PaperAccounting(rawValue: 1)
  package static let projection = PaperAccounting(rawValue: 2)
  package static let eightBit = PaperAccounting(rawValue: 4)

  package init(_ text: String) {
    var a: PaperAccounting = []
    if text.contains("regular states counted") { a.insert(.regularStates) }
    if text.contains("projection counted") { a.insert(.projection) }
    if text.contains("8-bit") { a.insert(.eightBit) }
    self = a
  }
}
