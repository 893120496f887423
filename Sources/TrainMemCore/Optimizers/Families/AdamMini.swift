/// Adam-mini: a full first moment; one second moment per head for q and k, per row for
/// embeddings, lm_head, v, o and the MLP, one scalar for norms; biases keep both moments.
package struct AdamMini: OptimizerFamily {
  package var summary: StaticString { "Adam-mini: full first moment, one second moment per head or row" }
  package var defaultImplementation: StepImplementation { .loop }

  /// Element accesses per parameter: AdamW's 19 less the full second moment's (a mean of
  /// squares per block): 12 (derived).
  package static let accesses = 12.0
  /// Elements per q/k head block (Adam-mini's reference head dimension, assumed).
  package static let headBlock: Int64 = 128

  package func states(_ t: TensorGroup, _ o: OptimizerConfig, rank r: Int64, paramBytes p: Int64)
    -> OptimizerStateBytes
  {
    let n = t.elements
    let heads = t.name == "q_proj" || t.name == "k_proj"
    let second: Int64 =
      t.role == .bias ? n : t.role == .norm ? 1 : heads ? max(1, n / AdamMini.headBlock) : t.rows
    var s = OptimizerStateBytes()
    s.regularMoments = n * p + (t.role == .bias ? n * p : second * 4)
    s.scalars = 4
    return s
  }
  /// AdamW's denominator and update copies.
  package func tensorTransient(_ t: TensorGroup, _ o: OptimizerConfig, rank r: Int64, paramBytes p: Int64) -> Int64 {
    2 * t.elements * p
  }
  package func regularStepBytes(_ o: OptimizerConfig, implementation: StepImplementation, paramBytes p: Double)
    -> Double
  { AdamMini.accesses * p }
}
