/// A set of settings as one word of bits, so a setup that carries one copies no heap storage
/// (a sweep copies setups millions of times).
package struct SettingMask: Sendable, Equatable {
  private var bits: UInt64 = 0

  package init(_ ids: [SettingID] = []) { for id in ids { insert(id) } }

  private static func bit(_ id: SettingID) -> UInt64 {
    UInt64(1) << UInt64(SettingID.allCases.firstIndex(of: id)!)
  }
  package mutating func insert(_ id: SettingID) { bits |= Self.bit(id) }
  package func contains(_ id: SettingID) -> Bool { bits & Self.bit(id) != 0 }
}

/// Every setting of a training run by its scenario path: the one place these names are written.
///
/// The settings table (`TrainMemIO/Settings`) declares each one's value, default and doc; the
/// models' problems name the setting they are about by its ID. Order: the table's.
public enum SettingID: String, Sendable, CaseIterable {
  case model
  case gpu
  case gpus
  case parallel
  case tensorParallel = "tensor_parallel"
  case sequenceParallel = "sequence_parallel"
  case pipelineParallel = "pipeline_parallel"
  case pipelineSchedule = "pipeline_schedule"
  case virtualStages = "virtual_stages"
  case contextParallel = "context_parallel"
  case contextParallelType = "context_parallel_type"
  case expertParallel = "expert_parallel"
  case expertTensorParallel = "expert_tensor_parallel"
  case moeTokenDispatcher = "moe_token_dispatcher"
  case moeExpertCapacityFactor = "moe_expert_capacity_factor"
  case moePadExpertInputToCapacity = "moe_pad_expert_input_to_capacity"
  case moeGroupedGemm = "moe_grouped_gemm"
  case gpusPerNode = "gpus_per_node"
  case intraNodeBandwidth = "intra_node_bandwidth"
  case interNodeBandwidth = "inter_node_bandwidth"
  case nicsPerNode = "nics_per_node"
  case nicBandwidth = "nic_bandwidth"
  case gradientSync = "gradient_sync"
  case overlapGradReduce = "overlap_grad_reduce"
  case overlapParamGather = "overlap_param_gather"
  case overlapComm = "overlap_comm"
  case reshardAfterForward = "reshard_after_forward"
  case subGroupSize = "sub_group_size"
  case stage3MaxLiveParameters = "stage3_max_live_parameters"
  case stage3PrefetchBucketSize = "stage3_prefetch_bucket_size"
  case precision
  case matmulPrecision = "matmul_precision"
  case fp8Recipe = "fp8_recipe"
  case masterWeights = "master_weights"
  case gradientDtype = "gradient_dtype"
  case weights
  case doubleQuant = "double_quant"
  case optimizer
  case optimizerRank = "optimizer.rank"
  case optimizerUpdateInterval = "optimizer.update_interval"
  case optimizerImplementation = "optimizer.implementation"
  case optimizerLayerwise = "optimizer.layerwise"
  case optimizerPaged = "optimizer.paged"
  case optimizerMomentum = "optimizer.momentum"
  case loraRank = "lora.rank"
  case loraAlpha = "lora.alpha"
  case loraTargets = "lora.targets"
  case loraDora = "lora.dora"
  case loraDtype = "lora.dtype"
  case freezeEmbeddings = "freeze.embeddings"
  case freezeLayers = "freeze.layers"
  case offloadOptimizer = "offload.optimizer"
  case offloadParameters = "offload.parameters"
  case offloadActivations = "offload.activations"
  case offloadActivationLayers = "offload.activation_layers"
  case sequence
  case microBatch = "micro_batch"
  case globalBatch = "global_batch"
  case dropout
  case attention
  case checkpointing
  case checkpointedLayers = "checkpointed_layers"
  case loss
  case mtpLayers = "mtp_layers"
  case tokens
  case price
  case memoryLimit = "memory_limit"
  case margin
  case allow
  case framework
  case overheadContext = "overhead.context"
  case overheadReserve = "overhead.reserve"

  /// The group a key is written inside in a scenario (`optimizer:`), or `.top`.
  package var group: SettingGroup {
    guard let dot = rawValue.firstIndex(of: ".") else { return .top }
    return SettingGroup(rawValue: String(rawValue[..<dot])) ?? .top
  }

  /// The key inside its group: `rank` for `optimizer.rank`.
  package var key: String {
    guard let dot = rawValue.firstIndex(of: ".") else { return rawValue }
    return String(rawValue[rawValue.index(after: dot)...])
  }

  /// The path: `micro_batch`, `optimizer.rank`.
  package var path: String { rawValue }
}

/// Where a setting is written in a scenario: at the top level, or inside the `optimizer:`,
/// `overhead:`, `lora:`, `freeze:` or `offload:` mapping.
///
/// On the command line and in seed
/// conditions every setting is flat, under its `flatKey`.
public enum SettingGroup: String, Sendable, CaseIterable {
  case top, optimizer, overhead, lora, freeze, offload

  /// Groups written as a mapping of their settings alone (`optimizer:` also takes a name).
  package static let plainMappings: [SettingGroup] = [.overhead, .lora, .freeze, .offload]
}
