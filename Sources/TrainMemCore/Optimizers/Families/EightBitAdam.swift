/// bitsandbytes `Adam8bit` / `AdamW8bit`.
///
/// Two 8-bit moments with an fp32 absmax per 256-element block each, or two fp32 moments for
/// tensors under 4,096 elements (`Optimizer2State.init_state`, `OptimizerStates.eightBitAdam`).
package struct EightBitAdam: InPlaceUpdate {
  package var summary: StaticString { "bitsandbytes Adam8bit: blockwise 8-bit moments (block 256)" }
  /// One fused kernel per tensor, updated in place.
  package var defaultImplementation: StepImplementation { .fused }

  /// Bytes (not elements) per parameter of bitsandbytes' 8-bit update (derived: p and g in
  /// bf16 read, p written, two 8-bit moments read and written).
  package static let stepBytes = 10.0

  package func states(_ t: TensorGroup, _ o: OptimizerConfig, rank r: Int64, paramBytes p: Int64)
    -> OptimizerStateBytes
  {
    eightBitMoments(elements: t.elements)
  }
  package func regularStepBytes(_ o: OptimizerConfig, implementation: StepImplementation, paramBytes p: Double)
    -> Double
  { EightBitAdam.stepBytes }
}
