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
  package var quantity: String
  package var value: Double
  package var unit: String
  /// Relative tolerance (0.05 = 5%), or absolute in `unit` when `absolute`.
  package var tolerance: Double
  package var absolute: Bool
  /// `check`: must be within tolerance; `gap`: a known, explained disagreement (shown, never fails).
  package var expect: String
  package var accounting: String
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
  /// Every quantity `predict` knows.
  package static let quantities = [
    "paper_weights_states", "paper_states", "optimizer_states", "weights", "peak_allocated", "reserved",
    "total_memory", "fits", "max_micro_batch", "tokens_per_second", "steady_tokens_per_second",
    "step_seconds", "steady_step_seconds", "backward_seconds", "tokens_per_second_ratio",
    "optimizer_step_seconds", "svd_refresh_seconds", "parameters", "model_states_per_parameter", "max_sequence",
    "activations_per_layer", "mfu",
  ]

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

  /// The units each quantity may be given in.
  package static func units(for quantity: String) -> [String] {
    switch quantity {
    case "paper_weights_states", "paper_states", "optimizer_states", "weights", "peak_allocated", "reserved",
      "total_memory":
      return ["GB", "G", "GiB", "MB"]
    case "fits": return ["bool"]
    case "max_micro_batch", "max_sequence": return ["count"]
    case "tokens_per_second", "steady_tokens_per_second": return ["tok/s"]
    case "tokens_per_second_ratio": return ["x"]
    case "parameters": return ["M", "count"]
    case "model_states_per_parameter": return ["B"]
    case "activations_per_layer": return ["sbh"]
    case "mfu": return ["%"]
    default: return ["s"]
    }
  }

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
    switch f.quantity {
    case "paper_weights_states":
      // GaLore Table 2 / APOLLO Table 2: weights + optimizer states, bf16.
      let withRegular = f.accounting.contains("regular states counted")
      let withProj = f.accounting.contains("projection counted")
      let v = (weights + 2 * paperStateElements(s, withRegular: withRegular, withProjection: withProj)) / u
      return (v, Double(MemoryModel.weightBytes(s, inv) + MemoryModel.estimate(s).states.total) / u)
    case "paper_states":
      let withRegular = f.accounting.contains("regular states counted")
      let withProj = f.accounting.contains("projection counted")
      let bytesPerState = f.accounting.contains("8-bit") ? 1.0 : 2.0
      return (
        bytesPerState * paperStateElements(s, withRegular: withRegular, withProjection: withProj) / u,
        Double(MemoryModel.estimate(s).states.total) / u
      )
    case "optimizer_states": return (Double(MemoryModel.estimate(s).states.total) / u, nil)
    case "weights": return (Double(MemoryModel.weightBytes(s, inv)) / u, nil)
    case "peak_allocated": return (Double(MemoryModel.estimate(s).peak) / u, nil)
    case "reserved": return (Double(MemoryModel.estimate(s).reserved) / u, nil)
    case "total_memory": return (Double(MemoryModel.estimate(s).required) / u, nil)
    case "fits": return (MemoryModel.estimate(s).fits ? 1 : 0, nil)
    case "max_micro_batch": return (Double(Planner.maxMicroBatch(s) ?? 0), nil)
    case "max_sequence": return (Double(Planner.maxSequence(s) ?? 0), nil)
    case "tokens_per_second": return (ThroughputModel.estimate(s).tokensPerSecond, nil)
    case "steady_tokens_per_second":
      let t = ThroughputModel.estimate(s)
      return (t.tokensPerStep / t.steadyStepSeconds, nil)
    case "step_seconds": return (ThroughputModel.estimate(s).stepSeconds, nil)
    case "steady_step_seconds": return (ThroughputModel.estimate(s).steadyStepSeconds, nil)
    case "backward_seconds":
      // Backward runs two of each matmul's three passes: two thirds of forward + backward.
      return (ThroughputModel.estimate(s).compute * 2 / 3, nil)
    case "tokens_per_second_ratio":
      // Job tokens/s of this setup over that of the figure named by `ratio_to`.
      guard let b = baseline else { return (.nan, nil) }
      return (ThroughputModel.estimate(s).tokensPerSecond / ThroughputModel.estimate(b).tokensPerSecond, nil)
    case "optimizer_step_seconds":
      // `optimizer.step()` averaged over steps, projection refreshes included (APOLLO Table 7).
      let t = ThroughputModel.estimate(s)
      return (t.optimizer + t.projectionRefresh, nil)
    case "svd_refresh_seconds":
      return (ThroughputModel.refreshSeconds(s, inv) * Double(s.optimizer.updateInterval), nil)
    case "parameters": return (Double(inv.parameters) / (f.unit == "M" ? 1e6 : 1), nil)
    case "model_states_per_parameter":
      // The ZeRO paper's and Megatron's accounting: weights, gradients and optimizer states
      // (with the fp32 master) one GPU holds persistently, per parameter of the model.
      let held = MemoryModel.persistent(s, inv)
      return (Double(held.weights + held.gradients + held.states.total) / Double(inv.parameters), nil)
    case "mfu": return (ThroughputModel.estimate(s).mfu * 100, nil)
    case "activations_per_layer":
      // Korthikanti et al.'s unit: bytes one layer saves per micro-batch on one GPU (of the
      // first pipeline stage), over sequence × micro-batch × hidden; a fully recomputed layer
      // keeps its input.
      guard let stage = s.stages.first else { return (.nan, nil) }
      let act = ActivationModel.sizes(stage)
      let bytes = s.checkpointing == .full ? act.checkpointedLayer : act.perLayer
      return (Double(bytes) / Double(s.sequence * s.microBatch * s.model.hidden), nil)
    default: return (.nan, nil)
    }
  }

  package static func check(_ figures: [Figure]) -> [FigureResult] {
    // A figure's baseline by id, looked up once per figure (a seeds file may have 10^5 rows).
    let byID = Dictionary(figures.map { ($0.id, $0.setup) }, uniquingKeysWith: { first, _ in first })
    return figures.map { f in
      let base = f.ratioTo.flatMap { byID[$0] }
      let (p, code) = predict(f, f.setup, baseline: base)
      let err = error(predicted: p, published: f.value, absolute: f.absolute)
      let within = p.isFinite && err.isFinite && abs(err) <= f.tolerance + 1e-12
      return FigureResult(figure: f, predicted: p, error: err, within: within, codeAllocates: code)
    }
  }

  /// Absolute, or relative to the published value; an exact match is 0 even against 0.
  package static func error(predicted p: Double, published v: Double, absolute: Bool) -> Double {
    if absolute || p == v { return p - v }
    return v == 0 ? .infinity : (p - v) / v
  }

}
