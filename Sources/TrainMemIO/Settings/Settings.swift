import TrainMemCore

// The declarations. Order matters twice: it is the order of `--help`, the docs table and the
// CSV columns (label, model, gpu, gpus, parallel, precision, optimizer, rank, sequence,
// micro_batch, global_batch — schema v1).

package enum Settings {
  package static let all: [Setting] = [
    model, gpu, gpus, parallel, tensorParallel, sequenceParallel, pipelineParallel, pipelineSchedule, virtualStages,
    contextParallel, contextParallelType, expertParallel, expertTensorParallel, moeTokenDispatcher,
    moeExpertCapacityFactor, moePadExpertInputToCapacity, moeGroupedGemm, gpusPerNode, intraNodeBandwidth,
    interNodeBandwidth,
    nicsPerNode, nicBandwidth,
    gradientSync, overlapGradReduce, overlapParamGather, overlapComm, reshardAfterForward,
    subGroupSize, stage3MaxLiveParameters, stage3PrefetchBucketSize,
    precision, matmulPrecision, fp8Recipe,
    masterWeights, gradientDType, weights, doubleQuant, optimizer, rank, updateInterval, implementation, layerwise,
    paged, momentum,
    loraRank, loraAlpha, loraTargets, loraDoRA, loraDType, freezeEmbeddings, freezeLayers, offloadOptimizer,
    offloadParameters, offloadActivations, offloadActivationLayers, sequence, microBatch, globalBatch,
    dropout, attention, checkpointing,
    checkpointedLayers, loss, mtpLayers, tokens, price,
    memoryLimit, margin, allow, framework, context, reserve,
  ]

  package static let model = Setting(
    .model,
    .custom(
      "ID|PATH|MAPPING",
      samples: [
        "llama-60m", "llama-130m", "llama-350m", "llama-1b", "llama-7b", "llama-13b", "llama3-8b", "llama2-70b",
        "llama3-70b", "llama3.2-1b", "qwen2.5-0.5b", "qwen3-30b-a3b", "mixtral-8x7b", "gemma2-2b", "gemma3-1b",
        "gpt2", "pythia-160m", "olmo2-7b", "phi3-mini", "deepseek-v2-lite", "gpt-oss-20b",
      ]
    ) { loader, node, _ in loader.model(node) }, at: \.model, default: "llama-7b",
    doc:
      "preset id (`trainmem list models`), a Hugging Face config.json (or its directory; in a scenario relative to the file), a Hub id (`meta-llama/Llama-3.1-8B`: its preset, else its config.json in the local Hugging Face cache, offline), or a mapping of the keys in \"Custom models\"",
    sampling: .always,
    inputs: [
      InputField("model") { .text($0.setup.model.id) },
      InputField("hidden", isDetail: true) { .integer($0.setup.model.hidden) },
      InputField("intermediate", isDetail: true) { .integer($0.setup.model.intermediate) },
      InputField("layers", isDetail: true) { .integer($0.setup.model.layers) },
      InputField("heads", isDetail: true) { .integer($0.setup.model.heads) },
      InputField("kv_heads", isDetail: true) { .integer($0.setup.model.kvHeads) },
      InputField("vocab", isDetail: true) { .integer($0.setup.model.vocab) },
      InputField("tied_embeddings", isDetail: true) { .flag($0.setup.model.tiedEmbeddings) },
      InputField("parameters", isDetail: true) { .integer($0.parameters) },
    ],
    csv: ("model", .text { $0.model.id }))

  package static let gpu = Setting(
    .gpu, .custom("ID|MAPPING", samples: GPUSpec.catalog.map(\.id)) { loader, node, _ in loader.gpu(node) },
    at: \.gpu, default: "a100-80gb",
    doc:
      "catalog id (`trainmem list gpus`) or a mapping `name, memory, bf16_tflops, fp8_tflops, fp32_tflops, bandwidth, link_bandwidth, sms` (SM count; default: the H200's rate per SM)",
    inputs: [
      InputField("gpu") { .text($0.setup.gpu.id) },
      InputField("gpu_memory", isDetail: true) { .integer($0.setup.gpu.memory.count) },
    ],
    csv: ("gpu", .text { $0.gpu.id }))

  package static let gpus = Setting(
    .gpus, .integer(max: SetupLimits.gpus, samples: ["1", "2", "4", "8", "64", "512"]), at: \.gpus, default: "1",
    doc: "number of GPUs",
    inputs: [InputField("gpus") { FieldValue.integer($0.setup.gpus) }],
    csv: ("gpus", .integer { $0.gpus }))

  package static let parallel = choice(
    .parallel, at: \.parallel, noun: "parallelism", default: "none",
    doc:
      "data parallelism: DDP replicas, ZeRO-1/2/3 (DeepSpeed) or FSDP shards, or HSDP (sharded in a node, replicated across nodes)",
    input: { $0.parallel.rawValue }, csv: true)

  package static let tensorParallel = degree(
    .tensorParallel, "T",
    doc:
      "Megatron tensor parallelism: each layer's heads, MLP and vocabulary split over T GPUs of a node; gpus = data × T × pipeline × context",
    max: SetupLimits.gpus, .tensor, samples: ["1", "2", "4", "8"], csv: true)

  package static let sequenceParallel = Setting(
    .sequenceParallel, .boolean(), at: \.modelParallel.sequenceParallel, default: "false",
    doc:
      "Megatron sequence parallelism: norms and dropout split over the tensor-parallel GPUs (all-gather/reduce-scatter)",
    sampling: .seldom,
    inputs: [InputField("sequence_parallel") { $0.setup.modelParallel.sequenceParallel ? FieldValue.flag(true) : nil }])

  package static let pipelineParallel = degree(
    .pipelineParallel, "P",
    doc: "pipeline stages: the layers split over P GPUs (embedding on the first, head on the last)",
    max: SetupLimits.gpus, .pipeline, samples: ["1", "2", "4", "8"], csv: true)

  package static let pipelineSchedule = Setting(
    .pipelineSchedule, .choice(), at: \.modelParallel.schedule, default: "1f1b",
    doc: "1f1b (PipeDream-Flush: bubble (p−1)/m) or interleaved (bubble divided by virtual_stages, more in flight)",
    sampling: .seldom,
    inputs: [
      InputField("pipeline_schedule") {
        $0.setup.modelParallel.pipeline > 1 ? FieldValue.text($0.setup.modelParallel.schedule.rawValue) : nil
      }
    ])

  package static let virtualStages = degree(
    .virtualStages, "V", doc: "model chunks per GPU under `pipeline_schedule: interleaved`", max: 1024,
    .virtualStages, samples: ["1", "2", "5"], csv: false)

  package static let contextParallel = degree(
    .contextParallel, "C",
    doc:
      "context parallelism: the sequence split over C GPUs, keys and values passed around a ring (needs flash attention)",
    max: SetupLimits.gpus, .context, samples: ["1", "2", "4"], csv: true)

  package static let contextParallelType = Setting(
    .contextParallelType, .choice(), at: \.modelParallel.contextType, default: "ring",
    doc:
      "how context-parallel GPUs exchange the sequence (Megatron `cp_comm_type` p2p, a2a, allgather, a2a+p2p): a ring of key-value chunks overlapped with attention, DeepSpeed-Ulysses all-to-alls to head shards, an all-gather of every key and value, or all-to-all inside a node and a ring across",
    sampling: .scarce,
    inputs: [
      InputField("context_parallel_type") {
        $0.setup.modelParallel.context > 1 ? FieldValue.text($0.setup.modelParallel.contextType.rawValue) : nil
      }
    ])

  package static let expertParallel = Setting(
    .expertParallel, .integer("E", max: SetupLimits.gpus, samples: ["1", "2", "8"]), at: \.expertParallel,
    default: "1",
    doc:
      "GPUs that divide a mixture of experts' experts among them: each holds 1/E of them, and every MoE layer exchanges tokens all-to-all",
    sampling: .seldom,
    inputs: [
      InputField("expert_parallel") { $0.setup.model.moe != nil ? FieldValue.integer($0.setup.expertParallel) : nil }
    ])

  package static let expertTensorParallel = Setting(
    .expertTensorParallel, .integer(max: SetupLimits.gpus, samples: ["1", "2", "4"]),
    at: \.modelParallel.expertTensor, default: "tensor_parallel",
    doc:
      "Megatron-Core's expert tensor parallelism: each routed expert's width split N ways; below tensor_parallel the expert group folds the other tensor ranks in (ETP × EP divides TP × CP × DP)",
    sampling: .scarce,
    inputs: [
      InputField("expert_tensor_parallel") {
        $0.setup.model.moe != nil && $0.setup.modelParallel.tensor > 1
          ? FieldValue.integer($0.setup.modelParallel.expertTensorDegree) : nil
      }
    ])

  package static let moeTokenDispatcher = Setting(
    .moeTokenDispatcher, .choice(), at: \.routing.dispatcher, default: "alltoall",
    doc:
      "Megatron-Core's token dispatcher under expert parallelism: all-to-all sends each token to its experts' GPUs; all-gather gives every GPU of the expert group all its tokens (t · h each) and reduce-scatters the outputs",
    sampling: .scarce,
    inputs: [
      InputField("moe_token_dispatcher") {
        $0.setup.routing.dispatcher == .alltoall ? nil : FieldValue.text($0.setup.routing.dispatcher.rawValue)
      }
    ])

  package static let moeExpertCapacityFactor = Setting(
    .moeExpertCapacityFactor, .number("F", .count, 0.01...64, samples: ["0.5", "1", "1.25"]),
    at: \.routing.capacityFactor, default: "none (dropless)",
    doc:
      "Megatron-Core's expert capacity: each expert takes at most F times its balanced share of the tokens, dropping the rest (F below 1 drops even balanced tokens)",
    sampling: .scarce,
    inputs: [InputField("moe_expert_capacity_factor") { $0.setup.routing.capacityFactor.map { FieldValue.number($0) } }]
  )

  package static let moePadExpertInputToCapacity = Setting(
    .moePadExpertInputToCapacity, .boolean(), at: \.routing.padToCapacity, default: "false",
    doc: "pad each expert's tokens to its capacity: every expert computes (and receives) F times its balanced share",
    sampling: .scarce,
    inputs: [
      InputField("moe_pad_expert_input_to_capacity") {
        $0.setup.routing.padToCapacity ? FieldValue.flag(true) : nil
      }
    ])

  package static let moeGroupedGemm = Setting(
    .moeGroupedGemm, .boolean(), at: \.routing.groupedGEMM, default: "false",
    doc:
      "Megatron-Core's --moe-grouped-gemm (TE GroupedLinear; torch._grouped_mm in torchtitan): a GPU's experts run as one grouped matmul over all their tokens, not one matmul per expert",
    sampling: .scarce,
    inputs: [InputField("moe_grouped_gemm") { $0.setup.routing.groupedGEMM ? FieldValue.flag(true) : nil }])

  package static let gpusPerNode = Setting(
    .gpusPerNode, .integer(max: SetupLimits.gpus, samples: ["1", "4", "8", "16"]), at: \.gpusPerNode, default: "8",
    doc: "GPUs in one node: collectives among them use the intra-node link, beyond them the network",
    sampling: .rarely,
    inputs: [InputField("gpus_per_node") { $0.setup.gpus > 1 ? FieldValue.integer($0.setup.nodeSize) : nil }])

  package static let intraNodeBandwidth = Setting(
    .intraNodeBandwidth,
    .number("RATE", .bandwidth, GPULimits.bandwidth, samples: ["1GB/s", "32GB/s", "450GB/s", "1PB/s"]),
    at: \.intraNodeBandwidth, default: "the GPU's link",
    doc:
      "per-GPU bandwidth inside a node, one direction (NVLink, PCIe; GeForce cards without peer-to-peer go through host memory at half their PCIe rate)",
    sampling: .rarely,
    inputs: [
      InputField("intra_node_bandwidth", unit: .bandwidth) { $0.setup.gpus > 1 ? .number($0.setup.intraNodeLink) : nil }
    ])

  package static let interNodeBandwidth = Setting(
    .interNodeBandwidth,
    .number("RATE", .bandwidth, GPULimits.bandwidth, samples: ["1GB/s", "12.5GB/s", "50GB/s", "1PB/s"]),
    at: \.interNodeBandwidth, default: "the GPU's network",
    doc:
      "each GPU's share of its node's network ports, one direction: overrides `nics_per_node` × `nic_bandwidth` / `gpus_per_node` (default: 50GB/s on H100/H200/B200, 25GB/s on A100, a 100Gb/s NIC per node elsewhere)",
    sampling: .rarely,
    inputs: [
      InputField("inter_node_bandwidth", unit: .bandwidth) {
        $0.setup.gpus > $0.setup.nodeSize ? .number($0.setup.interNodeLink) : nil
      }
    ])

  /// The node's network ports: NCCL spreads a ring collective's channels over them, so a group
  /// with several GPUs in each node crosses the network on several ports at once.
  package static let nicsPerNode = Setting(
    .nicsPerNode, .integer(max: SetupLimits.gpus, samples: ["1", "2", "8", "72"]), at: \.nicsPerNode,
    default: "the system's",
    doc:
      "network ports (NICs) per node for the compute fabric: 8 on DGX/HGX A100, H100, H200, B200, B300; 1 on PCIe and GeForce systems (`trainmem list gpus`)",
    sampling: .rarely,
    inputs: [
      InputField("nics_per_node") {
        $0.setup.gpus > $0.setup.nodeSize ? FieldValue.integer($0.setup.nicsPerNode ?? $0.setup.gpu.nics) : nil
      }
    ])

  package static let nicBandwidth = Setting(
    .nicBandwidth,
    .number("RATE", .bandwidth, GPULimits.bandwidth, samples: ["100Gb/s", "400Gb/s", "800Gb/s", "1GB/s"]),
    at: \.nicBandwidth, default: "the system's",
    doc: "one network port's rate, one direction: `400Gb/s` for NDR InfiniBand, `800Gb/s` on B300",
    sampling: .rarely,
    inputs: [
      InputField("nic_bandwidth", unit: .bandwidth) {
        $0.setup.gpus > $0.setup.nodeSize ? .number($0.setup.nicBandwidth ?? $0.setup.gpu.nicBandwidth) : nil
      }
    ])

  package static let allow = Setting(
    .allow, .choice("none|adapters", samples: ["adapters", "none"]), at: \.allow, default: "none",
    doc:
      "changes `fit` may offer that train something other than the run: adapters (LoRA/QLoRA on a frozen base) for a full fine-tune or pretraining",
    sampling: .rarely,
    inputs: [InputField("allow") { $0.setup.allow == .none ? nil : FieldValue.text($0.setup.allow.rawValue) }])

  package static let framework = Setting(
    .framework, .choice(), at: \.framework, default: "none",
    doc:
      "take a training framework's defaults (`trainmem list frameworks`) for every setting not given: precision, loss, recomputation, gradient dtype, optimizer kernel; any key still overrides it",
    sampling: .scarce,
    inputs: [InputField("framework") { $0.setup.framework.map { FieldValue.text($0.rawValue) } }])

  package static let gradientSync = choice(
    .gradientSync, at: \.gradientSync, noun: "gradient sync", default: "micro_batch",
    doc:
      "when DDP or FSDP reduces gradients: every micro-batch, or once per optimizer step (DDP `no_sync`, FSDP2 `set_requires_gradient_sync(False)`: FSDP then holds the unsharded gradients between micro-batches)",
    sampling: .rarely, input: { $0.gradientSync.rawValue })

  package static let overlapGradReduce = overlapSwitch(
    .overlapGradReduce, at: \.overlap.gradReduce, default: "false",
    doc: "Megatron: reduce gradients bucket by bucket during the last micro-batch's backward",
    input: { $0.megatron && $0.dataParallel > 1 ? $0.overlap.gradReduce : nil })

  package static let overlapParamGather = overlapSwitch(
    .overlapParamGather, at: \.overlap.paramGather, default: "false",
    doc: "Megatron's distributed optimizer: all-gather the updated weights behind the next step's first forward",
    input: { $0.megatron && $0.parallel.shardsStates && $0.dataParallel > 1 ? $0.overlap.paramGather : nil })

  package static let overlapComm = Setting(
    .overlapComm, .boolean(), at: \.overlap.comm, default: "true at ZeRO-3, else false",
    doc: "DeepSpeed ZeRO: reduce gradients on a side stream during backward (a second reduce bucket at stages 1 and 2)",
    sampling: .scarce,
    inputs: [
      InputField(SettingID.overlapComm.path) {
        $0.setup.parallel.isZeRO && !$0.setup.megatron && $0.setup.dataParallel > 1
          ? FieldValue.flag($0.setup.overlapsComm) : nil
      }
    ])

  package static let reshardAfterForward = overlapSwitch(
    .reshardAfterForward, at: \.overlap.reshardAfterForward, default: "true",
    doc:
      "FSDP: free each layer's gathered weights after its forward and gather them again in backward; false keeps every layer's until its backward",
    samples: ["false", "true"],
    input: {
      $0.parallel.shardsWeights && $0.parallel != .zero3 && $0.dataParallel > 1 ? $0.overlap.reshardAfterForward : nil
    })

  package static let subGroupSize = zero3Size(
    .subGroupSize, at: \.zero3.subGroupSize, default: "1e9",
    doc:
      "DeepSpeed ZeRO-3: the optimizer steps each GPU's partition in sub-groups of about N elements, one at a time; its fp32 gradient copy is one sub-group's",
    samples: ["1e9", "1e8", "1e6"], input: \.subGroup)

  package static let stage3MaxLiveParameters = zero3Size(
    .stage3MaxLiveParameters, at: \.zero3.maxLiveParameters, default: "1e9",
    doc: "DeepSpeed ZeRO-3: the most parameters gathered at once", samples: ["1e9", "1e8", "1e7"],
    input: \.maxLive)

  package static let stage3PrefetchBucketSize = zero3Size(
    .stage3PrefetchBucketSize, at: \.zero3.prefetchBucketSize, default: "5e7",
    doc: "DeepSpeed ZeRO-3: the parameters gathered ahead of the module in use", samples: ["5e7", "5e8", "0"],
    input: \.prefetch)

  /// A DeepSpeed ZeRO-3 size in elements, echoed in the inputs under ZeRO-3.
  private static func zero3Size(
    _ id: SettingID, at target: WritableKeyPath<TrainingSetup, Int64?> & Sendable, default value: String, doc: String,
    samples: [String], input: KeyPath<DeepSpeedZeRO3, Int64> & Sendable
  ) -> Setting {
    Setting(
      id, .integer(min: 0, max: SetupLimits.bucketElements, samples: samples), at: target, default: value, doc: doc,
      sampling: .scarce,
      inputs: [
        InputField(id.path, unit: .count) {
          $0.setup.parallel == .zero3 && !$0.setup.megatron ? .integer($0.setup.zero3[keyPath: input]) : nil
        }
      ])
  }

  /// A framework's overlap switch: a boolean, echoed in the inputs where it applies.
  private static func overlapSwitch(
    _ id: SettingID, at target: WritableKeyPath<TrainingSetup, Bool> & Sendable, default value: String, doc: String,
    samples: [String] = ["true", "false"], input: @escaping @Sendable (TrainingSetup) -> Bool?
  ) -> Setting {
    Setting(
      id, .boolean(samples: samples), at: target, default: value, doc: doc, sampling: .scarce,
      inputs: [InputField(id.path) { input($0.setup).map(FieldValue.flag) }])
  }

  package static let precision = choice(
    .precision, at: \.precision, default: "bf16", note: { $0.policy.frameworkSetting },
    doc:
      "pure bf16 (the GaLore/APOLLO scripts); mixed: fp32 weights under autocast (none, ddp), FSDP MixedPrecision (fsdp, hsdp) or DeepSpeed bf16 (zero1-3); or fp32",
    input: { $0.precision.rawValue }, csv: true)

  package static let matmulPrecision = choice(
    .matmulPrecision, at: \.matmulPrecision, default: "bf16",
    doc:
      "fp8: the decoder layers' linears on FP8 tensor cores (Ada, Hopper, Blackwell, MI300X); embeddings, head, norms and attention stay bf16",
    sampling: .rarely, input: { $0.matmulPrecision.rawValue }, csv: true)

  package static let fp8Recipe = Setting(
    .fp8Recipe, .choice(), at: \.fp8Recipe, default: "tensorwise",
    doc:
      "with `matmul_precision: fp8`: torchao tensorwise/rowwise, Transformer Engine delayed or mxfp8 (Blackwell), or DeepSeek-V3 blockwise",
    sampling: .seldom,
    inputs: [InputField("fp8_recipe") { $0.setup.fp8.map { FieldValue.text($0.rawValue) } }])

  package static let masterWeights = Setting(
    .masterWeights, .choice("none|fp32"), at: \.masterWeights, default: "none",
    doc:
      "with `precision: bf16`: an fp32 master copy held by the optimizer and sharded with its moments (Megatron, DeepSpeed)",
    sampling: .seldom,
    inputs: [InputField("master_weights") { FieldValue.text($0.setup.policy.masterBytes > 0 ? "fp32" : "none") }])

  package static let gradientDType = Setting(
    .gradientDtype, .choice("fp32|bf16"), at: \.gradientDType,
    default: "fp32 with master_weights (Megatron), bf16 under ZeRO and FSDP",
    doc: "the dtype gradients are kept and reduced in, where the framework lets it be chosen",
    sampling: .seldom,
    inputs: [InputField("gradient_dtype") { FieldValue.text($0.setup.policy.reduceBytes == 4 ? "fp32" : "bf16") }])

  package static let weights = choice(
    .weights, at: \.weights, noun: "weight format", default: "bf16",
    doc: "storage of the projected weights: int8 (Q-GaLore/Q-APOLLO, or LLM.int8 under LoRA), nf4 (QLoRA, with lora)",
    input: { $0.weightsInt8 ? "int8" : $0.weights.rawValue })

  package static let doubleQuant = Setting(
    .doubleQuant, .boolean(), at: \.doubleQuant, default: "true",
    doc:
      "with weights: nf4, bitsandbytes' double quantisation of the block scales (bnb_4bit_use_double_quant): on in qlora.py, axolotl, Unsloth and LLaMA-Factory, off in transformers' BitsAndBytesConfig unless asked",
    sampling: .scarce,
    inputs: [InputField("double_quant") { $0.setup.weights == .nf4 ? FieldValue.flag($0.setup.nf4DoubleQuant) : nil }])

  package static let optimizer = Setting(
    .optimizer,
    .custom(
      OptimizerKind.allCases.map(\.rawValue).joined(separator: "|"), samples: OptimizerKind.allCases.map(\.rawValue)
    ) { loader, node, _ in loader.optimizer(node) }, at: \.optimizer, default: "adamw",
    doc: "optimizer name, or a mapping `name, rank, update_interval, implementation, layerwise, momentum`",
    inputs: [InputField("optimizer") { FieldValue.text($0.setup.optimizer.kind.rawValue) }],
    csv: ("optimizer", .text { $0.optimizer.kind.rawValue }))

  package static let rank = Setting(
    .optimizerRank,
    .integer("R", max: SetupLimits.rank, samples: ["1", "8", "64", "128", "256", "512", "1024"]),
    at: \.optimizer.rank, default: "GaLore hidden/4, APOLLO min(256, hidden/4)",
    doc: "projection rank (GaLore, APOLLO)",
    inputs: [InputField("rank") { $0.setup.optimizer.kind.isLowRank ? FieldValue.integer($0.setup.rank) : nil }],
    csv: ("rank", .integer { $0.optimizer.kind.isLowRank ? $0.rank : nil }))

  package static let updateInterval = Setting(
    .optimizerUpdateInterval, .integer(max: SetupLimits.updateInterval, samples: ["200", "1", "500"]),
    at: \.optimizer.updateInterval, default: "200",
    doc: "steps between projection refreshes",
    sampling: .rarely,
    inputs: [
      InputField("update_interval") {
        $0.setup.optimizer.kind.isLowRank ? .integer($0.setup.optimizer.updateInterval) : nil
      }
    ])

  package static let implementation = Setting(
    .optimizerImplementation, .choice("foreach|fused|loop"), at: \.optimizer.implementation,
    default: "the library's own",
    doc: "how the update loop runs (decides the step's temporaries and speed)",
    sampling: .rarely,
    inputs: [InputField("implementation") { FieldValue.text($0.setup.stepImplementation.rawValue) }])

  package static let layerwise = Setting(
    .optimizerLayerwise, .boolean(), at: \.optimizer.layerwise, default: "false",
    doc: "per-layer weight updates in the gradient hook (GaLore-style)",
    sampling: .rarely,
    inputs: [InputField("layerwise") { FieldValue.flag($0.setup.optimizer.layerwise) }])

  package static let paged = Setting(
    .optimizerPaged, .boolean(), at: \.optimizer.paged, default: "false",
    doc:
      "bitsandbytes paged optimizer (adamw, adamw-8bit): large moments in unified memory, on the GPU while there is room",
    sampling: .seldom,
    inputs: [InputField("paged") { $0.setup.optimizer.paged ? FieldValue.flag(true) : nil }])

  package static let momentum = Setting(
    .optimizerMomentum, .boolean(), at: \.optimizer.momentum, default: "true",
    doc: "SGD's momentum buffer", sampling: .rarely)

  /// A `lora.*` setting: any of them turns adapters on (peft's defaults for the others), except
  /// a value equal to the default (`when`: the values that do).
  package static func lora<V: Sendable>(
    _ id: SettingID, _ syntax: ValueSyntax<V>, at target: WritableKeyPath<LoRAConfig, V> & Sendable,
    default defaultText: String, doc: String, sampling: Sampling, inputs: [InputField],
    turnsOn: @escaping @Sendable (V) -> Bool = { _ in true }
  ) -> Setting {
    Setting(id, syntax, default: defaultText, doc: doc, sampling: sampling, inputs: inputs) { setup, value in
      guard turnsOn(value) || setup.lora != nil else { return }
      var config = setup.lora ?? LoRAConfig()
      config[keyPath: target] = value
      setup.lora = config
    }
  }

  package static let loraRank = lora(
    .loraRank, .integer("R", max: SetupLimits.rank, samples: ["8", "64"]), at: \.rank, default: "8 (peft)",
    doc: "LoRA adapters of rank R on the frozen base (peft): each targeted W gains fp32 A (R × in) and B (out × R)",
    sampling: .rarely,
    inputs: [InputField("lora_rank") { $0.setup.lora.map { FieldValue.integer($0.rank) } }])

  package static let loraAlpha = lora(
    .loraAlpha, .number("A", .count, 0...1e6, samples: ["16"]), at: \.alpha, default: "8 (peft)",
    doc: "peft's lora_alpha: scales the update by alpha / rank, which changes neither memory nor time (reported)",
    sampling: .seldom,
    inputs: [InputField("lora_alpha") { $0.setup.lora.map { FieldValue.number($0.alpha) } }])

  package static let loraTargets = lora(
    .loraTargets,
    .custom("all-linear|NAMES", samples: ["all-linear", "q_proj,v_proj", "down_proj"]) { loader, node, s in
      loader.loraTargets(node, s)
    }, at: \.targets, default: "q_proj,v_proj (peft)",
    doc: "the linears that get adapters: all-linear (every one but lm_head) or projection names (q_proj, …, down_proj)",
    sampling: .rarely,
    inputs: [InputField("lora_targets") { $0.setup.lora.map { FieldValue.text($0.targets.text) } }])

  /// `dora: false` is the default: it turns no adapters on.
  package static let loraDoRA = lora(
    .loraDora, .boolean(), at: \.dora, default: "false",
    doc:
      "DoRA (peft use_dora): a magnitude per output row, the merged weight's norm every forward, two more saved outputs",
    sampling: .seldom,
    inputs: [InputField("lora_dora") { $0.setup.lora.map { FieldValue.flag($0.dora) } }], turnsOn: { $0 })

  /// `dtype: fp32` is the default: it turns no adapters on.
  package static let loraDType = lora(
    .loraDtype, .choice("fp32|bf16"), at: \.dtype, default: "fp32 (peft)",
    doc:
      "the adapters' dtype, with their gradients and optimizer states: fp32 as peft upcasts them, bf16 as torchtune builds them; bf16 turns adapters on",
    sampling: .seldom,
    inputs: [InputField("lora_dtype") { $0.setup.lora.flatMap { $0.dtype == .fp32 ? nil : FieldValue.text("bf16") } }],
    turnsOn: { $0 == .bf16 })

  package static func offload(
    _ id: SettingID, doc: String, at target: WritableKeyPath<Offload, Bool> & Sendable
  ) -> Setting {
    Setting(
      id, ValueSyntax<OffloadTarget>.choice("none|cpu"), default: "none", doc: doc, sampling: .seldom,
      inputs: [InputField("offload_" + id.key) { $0.setup.offload[keyPath: target] ? FieldValue.text("cpu") : nil }]
    ) { setup, place in setup.offload[keyPath: target] = place == .cpu }
  }

  package static let offloadOptimizer = offload(
    .offloadOptimizer,
    doc:
      "the fp32 master, moments and fp32 gradients on the host, the step on the CPU (DeepSpeed ZeRO-Offload, torchao CPUOffloadOptimizer)",
    at: \.optimizer)

  package static let offloadParameters = offload(
    .offloadParameters, doc: "sharded parameters, gradients and the step on the host (FSDP CPUOffload, ZeRO-Infinity)",
    at: \.parameters)

  package static let offloadActivations = offload(
    .offloadActivations,
    doc: "saved activations to pinned host memory and back for backward (torchtune OffloadActivations)",
    at: \.activations)

  package static let offloadActivationLayers = Setting(
    .offloadActivationLayers, .integer(max: ModelConfig.dimensionLimit, samples: ["1", "2", "4"]),
    at: \.offload.activationLayers, default: "every layer",
    doc:
      "with `offload.activations: cpu`, only N decoder layers' activations go to the host, the rest stay (Megatron-Core cpu_offloading_num_layers, fewer than the layers)",
    sampling: .scarce,
    inputs: [
      InputField("offload_activation_layers") {
        $0.setup.offload.activations ? $0.setup.offload.activationLayers.map { FieldValue.integer($0) } : nil
      }
    ])

  package static let freezeEmbeddings = Setting(
    .freezeEmbeddings, .boolean(), at: \.freeze.embeddings, default: "false",
    doc: "a fine-tune that leaves the token embedding unchanged (no gradient, no optimizer state)",
    sampling: .rarely,
    inputs: [
      InputField("freeze_embeddings") { $0.setup.freeze.isActive ? FieldValue.flag($0.setup.freeze.embeddings) : nil }
    ])

  package static let freezeLayers = Setting(
    .freezeLayers, .integer(min: 0, max: ModelConfig.dimensionLimit, samples: ["1", "2", "0"]), at: \.freeze.layers,
    default: "0",
    doc:
      "the first N decoder layers frozen (partial fine-tuning); with frozen embeddings they keep no activations either",
    sampling: .rarely,
    inputs: [
      InputField("freeze_layers") { $0.setup.freeze.layers > 0 ? FieldValue.integer($0.setup.freeze.layers) : nil }
    ])

  package static let sequence = Setting(
    .sequence,
    .integer(max: SetupLimits.sequence, samples: ["128", "256", "512", "1024", "2048", "4096", "8192", "32768"]),
    at: \.sequence, default: "256", doc: "tokens per sequence",
    inputs: [InputField("sequence") { FieldValue.integer($0.setup.sequence) }],
    csv: ("sequence", .integer { $0.sequence }))

  package static let microBatch = Setting(
    .microBatch, .integer(max: SetupLimits.microBatch, samples: ["1", "2", "3", "4", "8", "16", "64"]),
    at: \.microBatch, default: "1", doc: "sequences per GPU per micro-batch",
    inputs: [InputField("micro_batch") { FieldValue.integer($0.setup.microBatch) }],
    csv: ("micro_batch", .integer { $0.microBatch }))

  package static let globalBatch = Setting(
    .globalBatch, .integer(max: SetupLimits.globalBatch, samples: ["8", "64", "512", "1000", "4096"]),
    at: \.globalBatch, default: "one micro-batch per GPU",
    doc: "sequences per optimizer step over all GPUs (gradient accumulation makes up the rest)",
    inputs: [
      InputField("global_batch") { .integer($0.setup.effectiveGlobalBatch) },
      InputField("accumulation") { .integer($0.setup.accumulation) },
    ],
    csv: ("global_batch", .integer { $0.effectiveGlobalBatch }))

  package static let dropout = Setting(
    .dropout, .number("P", .count, 0...0.99, samples: ["0", "0.1", "0.5", "0.99"]), at: \.dropout, default: "0",
    doc:
      "attention dropout probability (HF `attention_dropout`; LLaMA has no hidden dropout): eager attention saves its mask",
    inputs: [InputField("dropout") { $0.setup.dropout > 0 ? FieldValue.number($0.setup.dropout) : nil }])

  package static let attention = choice(
    .attention, at: \.attention, noun: "attention kernel", default: "sdpa", doc: "attention kernel",
    input: { $0.attention.rawValue })

  package static let checkpointing = choice(
    .checkpointing, at: \.checkpointing, noun: "checkpointing mode", default: "none",
    doc:
      "activation recomputation: whole layers (full), the attention core (selective, Megatron) or all but every other matmul's and attention's outputs (op, torchtitan's per-op AC)",
    input: { $0.checkpointing.rawValue })

  package static let checkpointedLayers = Setting(
    .checkpointedLayers, .integer(max: ModelConfig.dimensionLimit, samples: ["1", "4", "16", "80", "1000"]),
    at: \.checkpointedLayers, default: "all layers",
    doc: "with `checkpointing: full`: how many layers are recomputed (the others keep their activations)",
    sampling: .seldom,
    inputs: [
      InputField("checkpointed_layers") { $0.setup.checkpointing == .full ? .integer($0.setup.recomputedLayers) : nil }
    ])

  package static let loss = choice(
    .loss, at: \.loss, noun: "loss", default: "full",
    doc:
      "the cross-entropy: full fp32 logits (transformers), chunked (torchtune, 8 chunks upcast one at a time) or fused linear cross-entropy (Liger: no logits kept)",
    input: { $0.loss.rawValue })

  package static let mtpLayers = Setting(
    .mtpLayers, .integer(min: 0, max: 16, samples: ["0", "1", "2"]), at: \.mtpLayers, default: "0",
    doc:
      "multi-token-prediction layers trained with the model (Megatron-Core --mtp-num-layers; DeepSeek-V3 and GLM-4.5 ship one): each a decoder layer, a 2h → h projection and another pass through the output head and loss, on the last pipeline stage",
    inputs: [InputField("mtp_layers") { $0.setup.mtpLayers > 0 ? FieldValue.integer($0.setup.mtpLayers) : nil }])

  package static let tokens = Setting(
    .tokens, .number("N", .count, SetupLimits.tokens, samples: ["1B", "19.7B", "1e12", "1e16", "1"]), at: \.tokens,
    default: "—", doc: "tokens to train (e.g. 19.7B), for time and cost",
    sampling: .rarely,
    inputs: [InputField("tokens", unit: .count) { $0.setup.tokens.map { FieldValue.number($0) } }])

  package static let price = Setting(
    .price,
    .custom("P|GPU=P,…", samples: ["0", "1.8", "1000000", "h200=3.5,a100-80gb=1.2"]) { loader, node, s in
      loader.prices(node, s)
    }, default: "the GPU's list price",
    doc:
      "dollars per GPU-hour: one price, or prices by catalog id (`a100-80gb=1.8,h100-sxm=2.5`, or a mapping) for time and cost and for ranking GPUs",
    sampling: .rarely,
    inputs: [InputField("price") { $0.setup.gpuPrice.map { FieldValue.number($0) } }]
  ) { setup, p in
    setup.price = p.all
    setup.prices = p.byGPU
  }

  package static let memoryLimit = Setting(
    .memoryLimit,
    .custom("SIZE|N%", samples: ["50%", "90%", "40GiB", "1GB"]) { loader, node, s in loader.memoryLimit(node, s) },
    at: \.memoryLimit, default: "none",
    doc:
      "the allocator cap `torch.cuda.set_per_process_memory_fraction` sets: a size (40GiB) or a fraction of the GPU's memory (50%)",
    sampling: .rarely,
    inputs: [InputField("memory_limit", unit: .bytes) { $0.memory.limit.map { FieldValue.integer($0) } }])

  package static let margin = Setting(
    .margin, .percent(0...0.5, samples: ["0%", "5%", "50%"]), at: \.margin, default: "0%",
    doc:
      "headroom to keep, as a share of the GPU's memory: a run with less to spare is a narrow fit, and fails `run --check` and `fit`",
    sampling: .rarely,
    inputs: [InputField("margin", unit: .percent) { $0.setup.margin > 0 ? FieldValue.number($0.setup.margin) : nil }])

  package static let context = Setting(
    .overheadContext, .size(SetupLimits.context, samples: ["0.5GiB", "0", "2GiB", "64GiB"]), at: \.overhead.context,
    default: "0.5GiB", doc: "CUDA context per GPU", sampling: .rarely)

  package static let reserve = Setting(
    .overheadReserve,
    .custom("measured|N%|SIZE", samples: ["measured", "5%", "1000%", "2GiB"]) { loader, node, s in
      loader.reserve(node, s)
    }, at: \.overhead.reserve, default: "measured",
    doc: "the allocator's cache above the peak: measured, a percentage or a size", sampling: .rarely)

  /// A setting whose value is one of an enumeration's raw values, echoed in the JSON inputs
  /// (and as a CSV column when `csv`).
  package static func choice<E: RawRepresentable & CaseIterable & Sendable>(
    _ id: SettingID, at target: WritableKeyPath<TrainingSetup, E> & Sendable, noun: String? = nil,
    default defaultText: String, note: (@Sendable (TrainingSetup) -> String)? = nil, doc: String,
    sampling: Sampling = .often, input: @escaping @Sendable (TrainingSetup) -> String, csv: Bool = false
  ) -> Setting where E.RawValue == String {
    Setting(
      id, .choice(), at: target, default: defaultText, doc: doc, noun: noun, sampling: sampling,
      inputs: [InputField(id.key, note: note) { FieldValue.text(input($0.setup)) }],
      csv: csv ? (id.key, .text(input)) : nil)
  }

  /// A model-parallel degree (`tensor_parallel: 8`): a whole number from 1, reported in the
  /// JSON inputs when above 1 (and as a CSV column when `csv`).
  package static func degree(
    _ id: SettingID, _ value: String, doc: String, max: Int64, _ degree: ModelParallel.Degree, samples: [String],
    csv: Bool
  ) -> Setting {
    Setting(
      id, .integer(value, max: max, samples: samples), at: \.modelParallel[degree], default: "1", doc: doc,
      sampling: .seldom,
      inputs: [
        InputField(id.key) {
          let v = $0.setup.modelParallel[degree]
          return v > 1 ? .integer(v) : nil
        }
      ],
      csv: csv ? (id.key, .integer { $0.modelParallel[degree] }) : nil)
  }

  package static let byPath: [String: Setting] = Dictionary(uniqueKeysWithValues: all.map { ($0.path, $0) })
  /// By the name flags and seed conditions use (`lora_rank`, `rank`).
  package static let byFlatKey: [String: Setting] = Dictionary(uniqueKeysWithValues: all.map { ($0.flatKey, $0) })
  package static let byFlag: [String: Setting] = Dictionary(
    uniqueKeysWithValues: all.filter(\.hasFlag).map { ($0.flag, $0) })

  /// Keys allowed at the top of a scenario, in a run and in a sweep.
  package static let topKeys = all.filter { $0.group == .top }.map(\.key) + SettingGroup.plainMappings.map(\.rawValue)
  package static func keys(in group: SettingGroup) -> [String] { all.filter { $0.group == group }.map(\.key) }

  /// The CSV columns the settings contribute, in declaration order.
  package static let csvColumns = all.compactMap(\.csv)

  /// The JSON report's `inputs` fields of every setting, sorted by name as JSON prints them
  /// (the names are fixed, so they are sorted once).
  package static let inputFields: [InputField] = all.flatMap(\.inputs).sorted { $0.name < $1.name }

  /// The fields of the Markdown inputs line, in the table's order: all but the model's and
  /// GPU's details.
  package static let lineFields: [InputField] = all.flatMap(\.inputs).filter { !$0.isDetail }

  /// `--micro-batch N` and its doc wrapped at 100 columns under it, for `--help`.
  package static var helpText: String {
    var lines = ""
    for s in all where s.hasFlag {
      // A flag takes a single value: a mapping is for scenario files only.
      let value = s.value.replacingOccurrences("|MAPPING", "", all: true)
      lines += "  --\(s.flag)" + (s.isBoolean ? "[=true|false]" : " " + value) + "\n"
      let required = s.id == .model ? "required" : "default \(s.defaultText)"
      let doc = s.doc.replacingOccurrences("`", "", all: true) + " (\(required))"
      lines += wrap(doc, indent: 6, width: 100)
    }
    return lines
  }

  package static func wrap(_ text: String, indent: Int, width: Int) -> String {
    let pad = String(repeating: " ", count: indent)
    var out = "", line = pad
    for word in text.split(separator: " ") {
      if line.count > indent && line.count + 1 + word.count > width {
        out += line + "\n"
        line = pad
      }
      line += (line.count > indent ? " " : "") + word
    }
    return out + line + "\n"
  }

  /// The Markdown table of settings in docs/scenario-format.md (a test keeps the file equal).
  package static var markdownTable: String {
    var t = "| key | flag | values | default | meaning |\n|---|---|---|---|---|\n"
    for s in all {
      let flag = s.hasFlag ? "`--\(s.flag)`" : "—"
      t +=
        "| `\(s.path)` | \(flag) | \(s.value.replacingOccurrences("|", ", ", all: true)) | \(s.defaultText) | \(s.doc) |\n"
    }
    return t
  }
}
