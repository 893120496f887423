// The highest MFU a published run reached on each GPU family, so the planner never presents a
// prediction above it without saying so: a layout the model rates above every measured run is
// where the model is most optimistic, not a plan to bank on.

/// The best published MFU per GPU family and matmul precision.
///
/// Measured: each value is trainmem's MFU (model FLOPs, `ThroughputModel.modelFLOPs`, over the
/// dense 16-bit peak) at the published rate of the named figure in seeds/published-figures.tsv,
/// the highest of its family; a test recomputes them from the seeds, so they cannot drift.
package enum PublishedMFU {
  package struct Record: Sendable, Equatable {
    package var mfu: Double
    /// The seeds figure it comes from.
    package var figure: String
  }

  package static func best(_ architecture: GPUArchitecture, fp8: Bool) -> Record? {
    switch (architecture, fp8) {
    case (.hopper, false): return Record(mfu: 0.553, figure: "dgxc-h100-8b-bf16-128")
    case (.hopper, true): return Record(mfu: 0.752, figure: "nemo-8b-h100-fp8")
    case (.ampere, false): return Record(mfu: 0.625, figure: "fms-fsdp-a100-7b-hsdp-tps")
    case (.blackwell, false): return Record(mfu: 0.442, figure: "dgxc-gb200-405b-bf16-128")
    case (.blackwell, true): return Record(mfu: 0.701, figure: "nemo-8b-b200-fp8")
    case (.cdna3, false): return Record(mfu: 0.212, figure: "torchao-mi300x-8b-bf16-tps")
    // No tokens/s or step-time figure in the seeds for these families and precisions.
    case (.volta, _), (.turing, _), (.ada, _), (.cdna4, _), (.ampere, true), (.cdna3, true): return nil
    }
  }
}
