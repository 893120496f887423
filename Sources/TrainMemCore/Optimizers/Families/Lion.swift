/// Lion (lion-pytorch): one `exp_avg` per parameter, in its dtype.
package struct Lion: OptimizerFamily {
  package var summary: StaticString { "Lion (lion-pytorch): one momentum per parameter" }
  package var defaultImplementation: StepImplementation { .loop }

  /// Element accesses per parameter of lion-pytorch `update_fn`: read p, g, m;
  /// `exp_avg.clone()`; write p, m: 7 (derived).
  package static let accesses = 7.0

  package func states(_ t: TensorGroup, _ o: OptimizerConfig, rank r: Int64, paramBytes p: Int64)
    -> OptimizerStateBytes
  {
    var s = OptimizerStateBytes()
    s.regularMoments = t.elements * p
    return s
  }
  /// `exp_avg.clone()` for the update.
  package func tensorTransient(_ t: TensorGroup, _ o: OptimizerConfig, rank r: Int64, paramBytes p: Int64) -> Int64 {
    t.elements * p
  }
  package func regularStepBytes(_ o: OptimizerConfig, implementation: StepImplementation, paramBytes p: Double)
    -> Double
  { Lion.accesses * p }
}
