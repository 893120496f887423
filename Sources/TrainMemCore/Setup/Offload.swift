// What a run keeps in host memory instead of on the GPU (`offload:`), as the frameworks do it:
// - optimizer: DeepSpeed ZeRO-Offload (`offload_optimizer: cpu`) and torchao's
//   CPUOffloadOptimizer keep the fp32 master, the moments and fp32 gradients on the host and
//   run the step there (DeepSpeedCPUAdam); the GPU keeps the 16-bit weights and each gradient
//   only until it is copied down (stage_1_and_2.py: `clear_grad_attribute(param) #offload only`).
// - parameters: FSDP `CPUOffload(offload_params=True)` / ZeRO-Infinity keep the sharded
//   parameters (and so the gradients and the step) on the host and copy each unit up before
//   its all-gather.
// - activations: torchtune's `OffloadActivations` moves every saved tensor of 1 KiB or more to
//   pinned host memory as forward makes it and brings it back for backward, a few in flight.

/// `offload:` settings.
public struct Offload: Sendable, Equatable {
  package var optimizer = false
  package var parameters = false
  package var activations = false
  /// How many decoder layers' activations go to the host (`offload.activation_layers`; nil:
  /// every layer's, as torchtune's `OffloadActivations` does).
  ///
  /// Megatron-Core's `cpu_offloading_num_layers` offloads that many and keeps the rest (fewer
  /// than all layers, transformer_config.py).
  package var activationLayers: Int64? = nil
  package var isActive: Bool { optimizer || parameters || activations }
  /// What is offloaded, for reports: ["optimizer", "activations"].
  package var parts: [String] {
    [(optimizer, "optimizer"), (parameters, "parameters"), (activations, "activations")].filter(\.0).map(\.1)
  }
}

/// Where offloaded tensors go: `none` (the GPU) or `cpu`.
public enum OffloadTarget: String, Sendable, CaseIterable { case none, cpu }

package enum HostModel {
  /// Bytes a CPU Adam step reads and writes per parameter: fp32 weight, gradient and two
  /// moments read, weight and moments written, the 16-bit copy written for the GPU (DeepSpeed
  /// `cpu_adam`): 4 · 4 + 3 · 4 + 2.
  package static let cpuAdamBytes = 30.0
  /// Host memory bandwidth one node's CPUs sustain for the step, bytes/s: a dual-socket server
  /// (8 DDR4-3200 channels per socket, about 200 GB/s peak, half of it sustained).
  ///
  /// Assumed —
  /// DeepSpeed reports CPU Adam 5–7× faster than torch on the CPU, not an absolute rate.
  package static let nodeMemoryBandwidth = 100e9
  /// Share of the host link's rate pinned copies reach (H2D/D2H with cudaMemcpyAsync).
  package static let hostLinkEfficiency = 0.8
  /// Saved tensors torchtune keeps on the GPU while their copies finish
  /// (`max_fwd_stash_size=5`), taken as about one layer's worth.
  package static let activationLayersOnGPU: Int64 = 1
}
