// How a run sends tokens to its experts beyond what the model fixes: Megatron-Core's token
// dispatcher and expert capacity (megatron/core/transformer/moe/token_dispatcher.py,
// moe_utils.py; `--moe-token-dispatcher-type`, `--moe-expert-capacity-factor`,
// `--moe-pad-expert-input-to-capacity`). Routing is taken as balanced, as the MoE benchmarks
// force it (`moe_router_force_load_balancing`).

/// Megatron-Core's token dispatcher under expert parallelism.
public enum TokenDispatcher: String, Sendable, CaseIterable {
  /// `MoEAlltoAllTokenDispatcher`: each token's hidden state goes to its experts' GPUs only.
  case alltoall
  /// `MoEAllGatherTokenDispatcher`: every GPU of the expert group gathers all the group's tokens
  /// and keeps those routed to its experts; the outputs are reduce-scattered back.
  case allgather
}

/// The dispatcher and the experts' capacity.
package struct ExpertRouting: Sendable, Equatable {
  package var dispatcher: TokenDispatcher = .alltoall
  /// Each expert takes at most F times its balanced share of the tokens; nil: dropless.
  package var capacityFactor: Double? = nil
  /// Experts compute exactly their capacity, padded with empty rows.
  package var padToCapacity = false
  /// A GPU's local experts run as one grouped matmul (`--moe-grouped-gemm`: Transformer
  /// Engine's `GroupedLinear`, Megatron-Core `TEGroupedMLP`; torchtitan's `torch._grouped_mm`),
  /// not as a loop of one matmul per expert (`SequentialMLP`, transformers' per-expert loop).
  package var groupedGEMM = false

  package init() {}

  /// The tokens an expert computes and receives per routed token of a balanced load: F padded
  /// to capacity, min(F, 1) when tokens past capacity are dropped, 1 dropless.
  package var expertLoad: Double {
    guard let f = capacityFactor else { return 1 }
    return padToCapacity ? f : min(f, 1)
  }
}
