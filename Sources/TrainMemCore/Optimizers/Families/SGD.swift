/// torch.optim.SGD: one `momentum_buffer` = `clone(grad)` when momentum is on.
package struct SGD: InPlaceUpdate {
  package var summary: StaticString { "torch.optim.SGD, optional momentum buffer" }
  package var defaultImplementation: StepImplementation { .foreach }

  /// Element accesses per parameter with momentum: read p, g, buf; write buf; the update reads
  /// p and buf and writes p, plus the lr scaling: 8 (derived from `_multi_tensor_sgd`).
  package static let momentumAccesses = 8.0
  /// Without momentum: read p and g, write p.
  package static let plainAccesses = 3.0

  package func states(_ t: TensorGroup, _ o: OptimizerConfig, rank r: Int64, paramBytes p: Int64)
    -> OptimizerStateBytes
  {
    var s = OptimizerStateBytes()
    s.regularMoments = o.momentum ? t.elements * p : 0
    return s
  }
  package func regularStepBytes(_ o: OptimizerConfig, implementation: StepImplementation, paramBytes p: Double)
    -> Double
  {
    (o.momentum ? SGD.momentumAccesses : SGD.plainAccesses) * p
  }
}
