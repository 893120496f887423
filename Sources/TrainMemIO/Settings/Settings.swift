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
    precision, matmulPrecision, fp8Recipe,
    masterWeights, gradientDType, weights, doubleQuant, optimizer, rank, updateInterval, implementation, layerwise,
    paged, momentum,
    loraRank, loraAlpha, loraTargets, loraDoRA, loraDType, freezeEmbeddings, freezeLayers, offloadOptimizer,
    offloadParameters, offloadActivations, sequence, microBatch, globalBatch,
    dropout, attention, checkpointing,
    checkpointedLayers, loss, mtpLayers, tokens, price,
    memoryLimit, margin, allow, framework, context, reserve,
  ]

  package static let model = Setting(
    id: .model, value: "ID|PATH|MAPPING", defaultText: "llama-7b",
    doc:
      "preset id (`trainmem list models`), a Hugging Face config.json (or its directory; in a scenario relative to the file), a Hub id (`meta-llama/Llama-3.1-8B`: its preset, else its config.json in the local Hugging Face cache, offline), or a mapping of the keys in \"Custom models\"",
    parse: { loader, node, _ in edit(loader.model(node)) { $0.model = $1 } },
    inputs: [
      InputField("model") { .text($0.setup.model.id) }, InputField("hidden") { .integer($0.setup.model.hidden) },
      InputField("intermediate") { .integer($0.setup.model.intermediate) },
      InputField("layers") { .integer($0.setup.model.layers) }, InputField("heads") { .integer($0.setup.model.heads) },
      InputField("kv_heads") { .integer($0.setup.model.kvHeads) },
      InputField("vocab") { .integer($0.setup.model.vocab) },
      InputField("tied_embeddings") { .flag($0.setup.model.tiedEmbeddings) },
      InputField("parameters") { .integer($0.parameters) },
    ],
    csv: ("model", .text { $0.model.id }))

  package static let gpu = Setting(
    id: .gpu, value: "ID|MAPPING", defaultText: "a100-80gb",
    doc:
      "catalog id (`trainmem list gpus`) or a mapping `name, memory, bf16_tflops, fp8_tflops, fp32_tflops, bandwidth, link_bandwidth, tdp, sms` (SM count; default: the H200's rate per SM)",
    parse: { loader, node, _ in edit(loader.gpu(node)) { $0.gpu = $1 } },
    inputs: [
      InputField("gpu") { .text($0.setup.gpu.id) }, InputField("gpu_memory") { .integer($0.setup.gpu.memory.count) },
    ],
    csv: ("gpu", .text { $0.gpu.id }))

  package static let gpus = Setting(
    id: .gpus, value: "N", defaultText: "1", doc: "number of GPUs",
    parse: { loader, node, s in edit(loader.integer(node, s, max: SetupLimits.gpus)) { $0.gpus = $1 } },
    inputs: [InputField("gpus") { FieldValue.integer($0.setup.gpus) }],
    csv: ("gpus", .integer { $0.gpus }))

  package static let parallel = choice(
    .parallel, Parallelism.self, noun: "parallelism", default: "none",
    doc:
      "data parallelism: DDP replicas, ZeRO-1/2/3 (DeepSpeed) or FSDP shards, or HSDP (sharded in a node, replicated across nodes)",
    apply: { $0.parallel = $1 }, input: { $0.parallel.rawValue }, csv: true)

  package static let tensorParallel = degree(
    .tensorParallel, "T",
    doc:
      "Megatron tensor parallelism: each layer's heads, MLP and vocabulary split over T GPUs of a node; gpus = data × T × pipeline × context",
    max: SetupLimits.gpus, .tensor, csv: true)

  package static let sequenceParallel = Setting(
    id: .sequenceParallel, value: "true|false", defaultText: "false",
    doc:
      "Megatron sequence parallelism: norms and dropout split over the tensor-parallel GPUs (all-gather/reduce-scatter)",
    isBoolean: true,
    parse: { loader, node, s in edit(loader.boolean(node, s)) { $0.modelParallel.sequenceParallel = $1 } },
    inputs: [InputField("sequence_parallel") { $0.setup.modelParallel.sequenceParallel ? FieldValue.flag(true) : nil }])

  package static let pipelineParallel = degree(
    .pipelineParallel, "P",
    doc: "pipeline stages: the layers split over P GPUs (embedding on the first, head on the last)",
    max: SetupLimits.gpus, .pipeline, csv: true)

  package static let pipelineSchedule = choice(
    .pipelineSchedule, PipelineSchedule.self, default: "1f1b",
    doc: "1f1b (PipeDream-Flush: bubble (p−1)/m) or interleaved (bubble divided by virtual_stages, more in flight)",
    apply: { $0.modelParallel.schedule = $1 }, input: { $0.modelParallel.schedule.rawValue })

  package static let virtualStages = degree(
    .virtualStages, "V", doc: "model chunks per GPU under `pipeline_schedule: interleaved`", max: 1024,
    .virtualStages, csv: false)

  package static let contextParallel = degree(
    .contextParallel, "C",
    doc:
      "context parallelism: the sequence split over C GPUs, keys and values passed around a ring (needs flash attention)",
    max: SetupLimits.gpus, .context, csv: true)

  package static let contextParallelType = Setting(
    id: .contextParallelType, value: ContextParallelType.allCases.map(\.rawValue).joined(separator: "|"),
    defaultText: "ring",
    doc:
      "how context-parallel GPUs exchange the sequence (Megatron `cp_comm_type` p2p, a2a, allgather, a2a+p2p): a ring of key-value chunks overlapped with attention, DeepSpeed-Ulysses all-to-alls to head shards, an all-gather of every key and value, or all-to-all inside a node and a ring across",
    parse: { loader, node, s in
      edit(loader.choice(node, s, ContextParallelType.self)) { $0.modelParallel.contextType = $1 }
    },
    inputs: [
      InputField("context_parallel_type") {
        $0.setup.modelParallel.context > 1 ? FieldValue.text($0.setup.modelParallel.contextType.rawValue) : nil
      }
    ])

  package static let expertParallel = Setting(
    id: .expertParallel, value: "E", defaultText: "1",
    doc:
      "GPUs that divide a mixture of experts' experts among them: each holds 1/E of them, and every MoE layer exchanges tokens all-to-all",
    parse: { loader, node, s in edit(loader.integer(node, s, max: SetupLimits.gpus)) { $0.expertParallel = $1 } },
    inputs: [
      InputField("expert_parallel") { $0.setup.model.moe != nil ? FieldValue.integer($0.setup.expertParallel) : nil }
    ])

  package static let expertTensorParallel = Setting(
    id: .expertTensorParallel, value: "N", defaultText: "tensor_parallel",
    doc:
      "Megatron-Core's expert tensor parallelism: each routed expert's width split N ways; below tensor_parallel the expert group folds the other tensor ranks in (ETP × EP divides TP × CP × DP)",
    parse: { loader, node, s in
      edit(loader.integer(node, s, max: SetupLimits.gpus)) { $0.modelParallel.expertTensor = $1 }
    },
    inputs: [
      InputField("expert_tensor_parallel") {
        $0.setup.model.moe != nil && $0.setup.modelParallel.tensor > 1
          ? FieldValue.integer($0.setup.modelParallel.expertTensorDegree) : nil
      }
    ])

  package static let moeTokenDispatcher = Setting(
    id: .moeTokenDispatcher, value: "alltoall|allgather", defaultText: "alltoall",
    doc:
      "Megatron-Core's token dispatcher under expert parallelism: all-to-all sends each token to its experts' GPUs; all-gather gives every GPU of the expert group all its tokens (t · h each) and reduce-scatters the outputs",
    parse: { loader, node, s in edit(loader.choice(node, s, TokenDispatcher.self)) { $0.routing.dispatcher = $1 } },
    inputs: [
      InputField("moe_token_dispatcher") {
        $0.setup.routing.dispatcher == .alltoall ? nil : FieldValue.text($0.setup.routing.dispatcher.rawValue)
      }
    ])

  package static let moeExpertCapacityFactor = Setting(
    id: .moeExpertCapacityFactor, value: "F", defaultText: "none (dropless)",
    doc:
      "Megatron-Core's expert capacity: each expert takes at most F times its balanced share of the tokens, dropping the rest (F below 1 drops even balanced tokens)",
    parse: { loader, node, s in
      edit(loader.number(node, s, kind: .count, range: 0.01...64)) { $0.routing.capacityFactor = $1 }
    },
    inputs: [InputField("moe_expert_capacity_factor") { $0.setup.routing.capacityFactor.map { FieldValue.number($0) } }]
  )

  package static let moePadExpertInputToCapacity = Setting(
    id: .moePadExpertInputToCapacity, value: "true|false", defaultText: "false",
    doc: "pad each expert's tokens to its capacity: every expert computes (and receives) F times its balanced share",
    isBoolean: true,
    parse: { loader, node, s in edit(loader.boolean(node, s)) { $0.routing.padToCapacity = $1 } },
    inputs: [
      InputField("moe_pad_expert_input_to_capacity") {
        $0.setup.routing.padToCapacity ? FieldValue.flag(true) : nil
      }
    ])

  package static let moeGroupedGemm = Setting(
    id: .moeGroupedGemm, value: "true|false", defaultText: "false",
    doc:
      "Megatron-Core's --moe-grouped-gemm (TE GroupedLinear; torch._grouped_mm in torchtitan): a GPU's experts run as one grouped matmul over all their tokens, not one matmul per expert",
    isBoolean: true,
    parse: { loader, node, s in edit(loader.boolean(node, s)) { $0.routing.groupedGEMM = $1 } },
    inputs: [InputField("moe_grouped_gemm") { $0.setup.routing.groupedGEMM ? FieldValue.flag(true) : nil }])

  package static let gpusPerNode = Setting(
    id: .gpusPerNode, value: "N", defaultText: "8",
    doc: "GPUs in one node: collectives among them use the intra-node link, beyond them the network",
    parse: { loader, node, s in edit(loader.integer(node, s, max: SetupLimits.gpus)) { $0.gpusPerNode = $1 } },
    inputs: [InputField("gpus_per_node") { $0.setup.gpus > 1 ? FieldValue.integer($0.setup.nodeSize) : nil }])

  package static let intraNodeBandwidth = Setting(
    id: .intraNodeBandwidth, value: "RATE", defaultText: "the GPU's link",
    doc:
      "per-GPU bandwidth inside a node, one direction (NVLink, PCIe; GeForce cards without peer-to-peer go through host memory at half their PCIe rate)",
    parse: { loader, node, s in
      edit(loader.number(node, s, kind: .bandwidth, range: GPULimits.bandwidth)) { $0.intraNodeBandwidth = $1 }
    },
    inputs: [InputField("intra_node_bandwidth") { $0.setup.gpus > 1 ? .number($0.setup.intraNodeLink) : nil }])

  package static let interNodeBandwidth = Setting(
    id: .interNodeBandwidth, value: "RATE", defaultText: "the GPU's network",
    doc:
      "each GPU's share of its node's network ports, one direction: overrides `nics_per_node` × `nic_bandwidth` / `gpus_per_node` (default: 50GB/s on H100/H200/B200, 25GB/s on A100, a 100Gb/s NIC per node elsewhere)",
    parse: { loader, node, s in
      edit(loader.number(node, s, kind: .bandwidth, range: GPULimits.bandwidth)) { $0.interNodeBandwidth = $1 }
    },
    inputs: [
      InputField("inter_node_bandwidth") { $0.setup.gpus > $0.setup.nodeSize ? .number($0.setup.interNodeLink) : nil }
    ])

  /// The node's network ports: NCCL spreads a ring collective's channels over them, so a group
  /// with several GPUs in each node crosses the network on several ports at once.
  package static let nicsPerNode = Setting(
    id: .nicsPerNode, value: "N", defaultText: "the system's",
    doc:
      "network ports (NICs) per node for the compute fabric: 8 on DGX/HGX A100, H100, H200, B200, B300; 1 on PCIe and GeForce systems (`trainmem list gpus`)",
    parse: { loader, node, s in edit(loader.integer(node, s, max: SetupLimits.gpus)) { $0.nicsPerNode = $1 } },
    inputs: [
      InputField("nics_per_node") {
        $0.setup.gpus > $0.setup.nodeSize ? FieldValue.integer($0.setup.nicsPerNode ?? $0.setup.gpu.nics) : nil
      }
    ])

  package static let nicBandwidth = Setting(
    id: .nicBandwidth, value: "RATE", defaultText: "the system's",
    doc: "one network port's rate, one direction: `400Gb/s` for NDR InfiniBand, `800Gb/s` on B300",
    parse: { loader, node, s in
      edit(loader.number(node, s, kind: .bandwidth, range: GPULimits.bandwidth)) { $0.nicBandwidth = $1 }
    },
    inputs: [
      InputField("nic_bandwidth") {
        $0.setup.gpus > $0.setup.nodeSize ? .number($0.setup.nicBandwidth ?? $0.setup.gpu.nicBandwidth) : nil
      }
    ])

  package static let allow = Setting(
    id: .allow, value: "none|adapters", defaultText: "none",
    doc:
      "changes `fit` may offer that train something other than the run: adapters (LoRA/QLoRA on a frozen base) for a full fine-tune or pretraining",
    parse: { loader, node, s in edit(loader.choice(node, s, PlannerAllowance.self)) { $0.allow = $1 } },
    inputs: [InputField("allow") { $0.setup.allow == .none ? nil : FieldValue.text($0.setup.allow.rawValue) }])

  package static let framework = Setting(
    id: .framework, value: Framework.allCases.map(\.rawValue).joined(separator: "|"), defaultText: "none",
    doc:
      "take a training framework's defaults (`trainmem list frameworks`) for every setting not given: precision, loss, recomputation, gradient dtype, optimizer kernel; any key still overrides it",
    parse: { loader, node, s in edit(loader.choice(node, s, Framework.self)) { $0.framework = $1 } },
    inputs: [InputField("framework") { $0.setup.framework.map { FieldValue.text($0.rawValue) } }])

  package static let gradientSync = choice(
    .gradientSync, GradientSync.self, noun: "gradient sync", default: "micro_batch",
    doc:
      "when DDP or FSDP reduces gradients: every micro-batch, or once per optimizer step (DDP `no_sync`, FSDP2 `set_requires_gradient_sync(False)`: FSDP then holds the unsharded gradients between micro-batches)",
    apply: { $0.gradientSync = $1 }, input: { $0.gradientSync.rawValue })

  package static let overlapGradReduce = overlapSwitch(
    .overlapGradReduce, default: "false",
    doc: "Megatron: reduce gradients bucket by bucket during the last micro-batch's backward",
    apply: { $0.overlap.gradReduce = $1 },
    input: { $0.megatron && $0.dataParallel > 1 ? $0.overlap.gradReduce : nil })

  package static let overlapParamGather = overlapSwitch(
    .overlapParamGather, default: "false",
    doc: "Megatron's distributed optimizer: all-gather the updated weights behind the next step's first forward",
    apply: { $0.overlap.paramGather = $1 },
    input: { $0.megatron && $0.parallel.shardsStates && $0.dataParallel > 1 ? $0.overlap.paramGather : nil })

  package static let overlapComm = overlapSwitch(
    .overlapComm, default: "true at ZeRO-3, else false",
    doc: "DeepSpeed ZeRO: reduce gradients on a side stream during backward (a second reduce bucket at stages 1 and 2)",
    apply: { $0.overlap.comm = $1 },
    input: { $0.parallel.isZeRO && !$0.megatron && $0.dataParallel > 1 ? $0.overlapsComm : nil })

  package static let reshardAfterForward = overlapSwitch(
    .reshardAfterForward, default: "true",
    doc:
      "FSDP: free each layer's gathered weights after its forward and gather them again in backward; false keeps every layer's until its backward",
    apply: { $0.overlap.reshardAfterForward = $1 },
    input: {
      $0.parallel.shardsWeights && $0.parallel != .zero3 && $0.dataParallel > 1 ? $0.overlap.reshardAfterForward : nil
    })

  /// A framework's overlap switch: a boolean, echoed in the inputs where it applies.
  private static func overlapSwitch(
    _ id: SettingID, default value: String, doc: String, apply: @escaping @Sendable (inout TrainingSetup, Bool) -> Void,
    input: @escaping @Sendable (TrainingSetup) -> Bool?
  ) -> Setting {
    Setting(
      id: id, value: "true|false", defaultText: value, doc: doc, isBoolean: true,
      parse: { loader, node, s in edit(loader.boolean(node, s), apply) },
      inputs: [InputField(id.path) { input($0.setup).map(FieldValue.flag) }])
  }

  package static let precision = choice(
    .precision, Precision.self, default: "bf16",
    doc:
      "pure bf16 (the GaLore/APOLLO scripts); mixed: fp32 weights under autocast (none, ddp), FSDP MixedPrecision (fsdp, hsdp) or DeepSpeed bf16 (zero1-3); or fp32",
    apply: { $0.precision = $1 }, input: { $0.precision.rawValue }, csv: true)

  package static let matmulPrecision = choice(
    .matmulPrecision, MatmulPrecision.self, default: "bf16",
    doc:
      "fp8: the decoder layers' linears on FP8 tensor cores (Ada, Hopper, Blackwell, MI300X); embeddings, head, norms and attention stay bf16",
    apply: { $0.matmulPrecision = $1 }, input: { $0.matmulPrecision.rawValue }, csv: true)

  package static let fp8Recipe = Setting(
    id: .fp8Recipe, value: FP8Recipe.allCases.map(\.rawValue).joined(separator: "|"),
    defaultText: "tensorwise",
    doc:
      "with `matmul_precision: fp8`: torchao tensorwise/rowwise, Transformer Engine delayed or mxfp8 (Blackwell), or DeepSeek-V3 blockwise",
    parse: { loader, node, s in edit(loader.choice(node, s, FP8Recipe.self)) { $0.fp8Recipe = $1 } },
    inputs: [InputField("fp8_recipe") { $0.setup.fp8.map { FieldValue.text($0.rawValue) } }])

  package static let masterWeights = Setting(
    id: .masterWeights, value: "none|fp32", defaultText: "none",
    doc:
      "with `precision: bf16`: an fp32 master copy held by the optimizer and sharded with its moments (Megatron, DeepSpeed)",
    parse: { loader, node, s in edit(loader.choice(node, s, MasterWeights.self)) { $0.masterWeights = $1 } },
    inputs: [InputField("master_weights") { FieldValue.text($0.setup.policy.masterBytes > 0 ? "fp32" : "none") }])

  package static let gradientDType = Setting(
    id: .gradientDtype, value: "fp32|bf16",
    defaultText: "fp32 with master_weights (Megatron), bf16 under ZeRO and FSDP",
    doc: "the dtype gradients are kept and reduced in, where the framework lets it be chosen",
    parse: { loader, node, s in edit(loader.choice(node, s, GradientDType.self)) { $0.gradientDType = $1 } },
    inputs: [InputField("gradient_dtype") { FieldValue.text($0.setup.policy.reduceBytes == 4 ? "fp32" : "bf16") }])

  package static let weights = choice(
    .weights, WeightFormat.self, noun: "weight format", default: "bf16",
    doc: "storage of the projected weights: int8 (Q-GaLore/Q-APOLLO, or LLM.int8 under LoRA), nf4 (QLoRA, with lora)",
    apply: { $0.weights = $1 }, input: { $0.weightsInt8 ? "int8" : $0.weights.rawValue })

  package static let doubleQuant = Setting(
    id: .doubleQuant, value: "true|false", defaultText: "true",
    doc:
      "with weights: nf4, bitsandbytes' double quantisation of the block scales (bnb_4bit_use_double_quant): on in qlora.py, axolotl, Unsloth and LLaMA-Factory, off in transformers' BitsAndBytesConfig unless asked",
    isBoolean: true,
    parse: { loader, node, s in edit(loader.boolean(node, s)) { $0.doubleQuant = $1 } },
    inputs: [InputField("double_quant") { $0.setup.weights == .nf4 ? FieldValue.flag($0.setup.nf4DoubleQuant) : nil }])

  package static let optimizer = Setting(
    id: .optimizer, value: OptimizerKind.allCases.map(\.rawValue).joined(separator: "|"),
    defaultText: "adamw",
    doc: "optimizer name, or a mapping `name, rank, update_interval, implementation, layerwise, momentum`",
    parse: { loader, node, _ in edit(loader.optimizer(node)) { $0.optimizer = $1 } },
    inputs: [InputField("optimizer") { FieldValue.text($0.setup.optimizer.kind.rawValue) }],
    csv: ("optimizer", .text { $0.optimizer.kind.rawValue }))

  package static let rank = Setting(
    id: .optimizerRank, value: "R", defaultText: "GaLore hidden/4, APOLLO min(256, hidden/4)",
    doc: "projection rank (GaLore, APOLLO)",
    parse: { loader, node, s in edit(loader.integer(node, s, max: SetupLimits.rank)) { $0.optimizer.rank = $1 } },
    inputs: [InputField("rank") { $0.setup.optimizer.kind.isLowRank ? FieldValue.integer($0.setup.rank) : nil }],
    csv: ("rank", .integer { $0.optimizer.kind.isLowRank ? $0.rank : nil }))

  package static let updateInterval = Setting(
    id: .optimizerUpdateInterval, value: "N", defaultText: "200",
    doc: "steps between projection refreshes",
    parse: { loader, node, s in
      edit(loader.integer(node, s, max: SetupLimits.updateInterval)) { $0.optimizer.updateInterval = $1 }
    },
    inputs: [
      InputField("update_interval") {
        $0.setup.optimizer.kind.isLowRank ? .integer($0.setup.optimizer.updateInterval) : nil
      }
    ])

  package static let implementation = Setting(
    id: .optimizerImplementation, value: "foreach|fused|loop", defaultText: "the library's own",
    doc: "how the update loop runs (decides the step's temporaries and speed)",
    parse: { loader, node, s in
      edit(loader.choice(node, s, StepImplementation.self)) { $0.optimizer.implementation = $1 }
    },
    inputs: [InputField("implementation") { FieldValue.text($0.setup.stepImplementation.rawValue) }])

  package static let layerwise = Setting(
    id: .optimizerLayerwise, value: "true|false", defaultText: "false",
    doc: "per-layer weight updates in the gradient hook (GaLore-style)", isBoolean: true,
    parse: { loader, node, s in edit(loader.boolean(node, s)) { $0.optimizer.layerwise = $1 } },
    inputs: [InputField("layerwise") { FieldValue.flag($0.setup.optimizer.layerwise) }])

  package static let paged = Setting(
    id: .optimizerPaged, value: "true|false", defaultText: "false",
    doc:
      "bitsandbytes paged optimizer (adamw, adamw-8bit): large moments in unified memory, on the GPU while there is room",
    isBoolean: true,
    parse: { loader, node, s in edit(loader.boolean(node, s)) { $0.optimizer.paged = $1 } },
    inputs: [InputField("paged") { $0.setup.optimizer.paged ? FieldValue.flag(true) : nil }])

  package static let momentum = Setting(
    id: .optimizerMomentum, value: "true|false", defaultText: "true",
    doc: "SGD's momentum buffer", isBoolean: true,
    parse: { loader, node, s in edit(loader.boolean(node, s)) { $0.optimizer.momentum = $1 } })

  /// A `lora.*` setting: any of them turns adapters on (peft's defaults for the others).
  package static func lora<V: Sendable>(
    _ value: V?, _ apply: @escaping @Sendable (inout LoRAConfig, V) -> Void
  ) -> SetupEdit? {
    edit(value) { setup, v in
      var config = setup.lora ?? LoRAConfig()
      apply(&config, v)
      setup.lora = config
    }
  }

  package static let loraRank = Setting(
    id: .loraRank, value: "R", defaultText: "8 (peft)",
    doc: "LoRA adapters of rank R on the frozen base (peft): each targeted W gains fp32 A (R × in) and B (out × R)",
    parse: { loader, node, s in lora(loader.integer(node, s, max: SetupLimits.rank)) { $0.rank = $1 } },
    inputs: [InputField("lora_rank") { $0.setup.lora.map { FieldValue.integer($0.rank) } }])

  package static let loraAlpha = Setting(
    id: .loraAlpha, value: "A", defaultText: "= rank",
    doc: "peft's lora_alpha: scales the update by alpha / rank, which changes neither memory nor time (reported)",
    parse: { loader, node, s in lora(loader.number(node, s, kind: .count, range: 0...1e6)) { $0.alpha = $1 } },
    inputs: [InputField("lora_alpha") { $0.setup.lora.map { FieldValue.number($0.alpha) } }])

  package static let loraTargets = Setting(
    id: .loraTargets, value: "all-linear|NAMES", defaultText: "q_proj,v_proj (peft)",
    doc: "the linears that get adapters: all-linear (every one but lm_head) or projection names (q_proj, …, down_proj)",
    parse: { loader, node, s in lora(loader.loraTargets(node, s)) { $0.targets = $1 } },
    inputs: [InputField("lora_targets") { $0.setup.lora.map { FieldValue.text($0.targets.text) } }])

  package static let loraDoRA = Setting(
    id: .loraDora, value: "true|false", defaultText: "false",
    doc:
      "DoRA (peft use_dora): a magnitude per output row, the merged weight's norm every forward, two more saved outputs",
    isBoolean: true,
    parse: { loader, node, s in
      edit(loader.boolean(node, s)) { setup, dora in
        // `dora: false` is the default: it turns no adapters on (any other `lora.*` key does).
        guard dora || setup.lora != nil else { return }
        var config = setup.lora ?? LoRAConfig()
        config.dora = dora
        setup.lora = config
      }
    },
    inputs: [InputField("lora_dora") { $0.setup.lora.map { FieldValue.flag($0.dora) } }])

  package static let loraDType = Setting(
    id: .loraDtype, value: "fp32|bf16", defaultText: "fp32 (peft)",
    doc:
      "the adapters' dtype, with their gradients and optimizer states: fp32 as peft upcasts them, bf16 as torchtune builds them; bf16 turns adapters on",
    parse: { loader, node, s in
      edit(loader.choice(node, s, AdapterDType.self)) { setup, dtype in
        // `dtype: fp32` is the default: it turns no adapters on.
        guard dtype == .bf16 || setup.lora != nil else { return }
        var config = setup.lora ?? LoRAConfig()
        config.dtype = dtype
        setup.lora = config
      }
    },
    inputs: [InputField("lora_dtype") { $0.setup.lora.flatMap { $0.dtype == .fp32 ? nil : FieldValue.text("bf16") } }])

  package static func offload(
    _ id: SettingID, doc: String, _ apply: @escaping @Sendable (inout Offload, Bool) -> Void,
    _ read: @escaping @Sendable (Offload) -> Bool
  ) -> Setting {
    Setting(
      id: id, value: "none|cpu", defaultText: "none", doc: doc,
      parse: { loader, node, s in
        edit(loader.choice(node, s, OffloadTarget.self)) { setup, target in apply(&setup.offload, target == .cpu) }
      },
      inputs: [InputField("offload_" + id.key) { read($0.setup.offload) ? FieldValue.text("cpu") : nil }])
  }

  package static let offloadOptimizer = offload(
    .offloadOptimizer,
    doc:
      "the fp32 master, moments and fp32 gradients on the host, the step on the CPU (DeepSpeed ZeRO-Offload, torchao CPUOffloadOptimizer)",
    { $0.optimizer = $1 }, { $0.optimizer })

  package static let offloadParameters = offload(
    .offloadParameters, doc: "sharded parameters, gradients and the step on the host (FSDP CPUOffload, ZeRO-Infinity)",
    { $0.parameters = $1 }, { $0.parameters })

  package static let offloadActivations = offload(
    .offloadActivations,
    doc: "saved activations to pinned host memory and back for backward (torchtune OffloadActivations)",
    { $0.activations = $1 }, { $0.activations })

  package static let freezeEmbeddings = Setting(
    id: .freezeEmbeddings, value: "true|false", defaultText: "false",
    doc: "a fine-tune that leaves the token embedding unchanged (no gradient, no optimizer state)", isBoolean: true,
    parse: { loader, node, s in edit(loader.boolean(node, s)) { $0.freeze.embeddings = $1 } },
    inputs: [
      InputField("freeze_embeddings") { $0.setup.freeze.isActive ? FieldValue.flag($0.setup.freeze.embeddings) : nil }
    ])

  package static let freezeLayers = Setting(
    id: .freezeLayers, value: "N", defaultText: "0",
    doc:
      "the first N decoder layers frozen (partial fine-tuning); with frozen embeddings they keep no activations either",
    parse: { loader, node, s in
      edit(loader.integer(node, s, min: 0, max: ModelConfig.dimensionLimit)) { $0.freeze.layers = $1 }
    },
    inputs: [
      InputField("freeze_layers") { $0.setup.freeze.layers > 0 ? FieldValue.integer($0.setup.freeze.layers) : nil }
    ])

  package static let sequence = Setting(
    id: .sequence, value: "N", defaultText: "256", doc: "tokens per sequence",
    parse: { loader, node, s in edit(loader.integer(node, s, max: SetupLimits.sequence)) { $0.sequence = $1 } },
    inputs: [InputField("sequence") { FieldValue.integer($0.setup.sequence) }],
    csv: ("sequence", .integer { $0.sequence }))

  package static let microBatch = Setting(
    id: .microBatch, value: "N", defaultText: "1", doc: "sequences per GPU per micro-batch",
    parse: { loader, node, s in
      edit(loader.integer(node, s, max: SetupLimits.microBatch)) { $0.microBatch = $1 }
    },
    inputs: [InputField("micro_batch") { FieldValue.integer($0.setup.microBatch) }],
    csv: ("micro_batch", .integer { $0.microBatch }))

  package static let globalBatch = Setting(
    id: .globalBatch, value: "N", defaultText: "one micro-batch per GPU",
    doc: "sequences per optimizer step over all GPUs (gradient accumulation makes up the rest)",
    parse: { loader, node, s in
      edit(loader.integer(node, s, max: SetupLimits.globalBatch)) { $0.globalBatch = $1 }
    },
    inputs: [
      InputField("global_batch") { .integer($0.setup.effectiveGlobalBatch) },
      InputField("accumulation") { .integer($0.setup.accumulation) },
    ],
    csv: ("global_batch", .integer { $0.effectiveGlobalBatch }))

  package static let dropout = Setting(
    id: .dropout, value: "P", defaultText: "0",
    doc:
      "attention dropout probability (HF `attention_dropout`; LLaMA has no hidden dropout): eager attention saves its mask",
    parse: { loader, node, s in edit(loader.number(node, s, kind: .count, range: 0...0.99)) { $0.dropout = $1 } },
    inputs: [InputField("dropout") { $0.setup.dropout > 0 ? FieldValue.number($0.setup.dropout) : nil }])

  package static let attention = choice(
    .attention, AttentionKernel.self, noun: "attention kernel", default: "sdpa", doc: "attention kernel",
    apply: { $0.attention = $1 }, input: { $0.attention.rawValue })

  package static let checkpointing = choice(
    .checkpointing, Checkpointing.self, noun: "checkpointing mode", default: "none",
    doc:
      "activation recomputation: whole layers (full), the attention core (selective, Megatron) or all but every other matmul's and attention's outputs (op, torchtitan's per-op AC)",
    apply: { $0.checkpointing = $1 }, input: { $0.checkpointing.rawValue })

  package static let checkpointedLayers = Setting(
    id: .checkpointedLayers, value: "N", defaultText: "all layers",
    doc: "with `checkpointing: full`: how many layers are recomputed (the others keep their activations)",
    parse: { loader, node, s in
      edit(loader.integer(node, s, max: ModelConfig.dimensionLimit)) { $0.checkpointedLayers = $1 }
    },
    inputs: [
      InputField("checkpointed_layers") { $0.setup.checkpointing == .full ? .integer($0.setup.recomputedLayers) : nil }
    ])

  package static let loss = choice(
    .loss, LossKind.self, noun: "loss", default: "full",
    doc:
      "the cross-entropy: full fp32 logits (transformers), chunked (torchtune, 8 chunks upcast one at a time) or fused linear cross-entropy (Liger: no logits kept)",
    apply: { $0.loss = $1 }, input: { $0.loss.rawValue })

  package static let mtpLayers = Setting(
    id: .mtpLayers, value: "N", defaultText: "0",
    doc:
      "multi-token-prediction layers trained with the model (Megatron-Core --mtp-num-layers; DeepSeek-V3 and GLM-4.5 ship one): each a decoder layer, a 2h → h projection and another pass through the output head and loss, on the last pipeline stage",
    parse: { loader, node, s in edit(loader.integer(node, s, min: 0, max: 16)) { $0.mtpLayers = $1 } },
    inputs: [InputField("mtp_layers") { $0.setup.mtpLayers > 0 ? FieldValue.integer($0.setup.mtpLayers) : nil }])

  package static let tokens = Setting(
    id: .tokens, value: "N", defaultText: "—", doc: "tokens to train (e.g. 19.7B), for time and cost",
    parse: { loader, node, s in
      edit(loader.number(node, s, kind: .count, range: SetupLimits.tokens)) { $0.tokens = $1 }
    },
    inputs: [InputField("tokens") { $0.setup.tokens.map { FieldValue.number($0) } }])

  package static let price = Setting(
    id: .price, value: "P|GPU=P,…", defaultText: "the GPU's list price",
    doc:
      "dollars per GPU-hour: one price, or prices by catalog id (`a100-80gb=1.8,h100-sxm=2.5`, or a mapping) for time and cost and for ranking GPUs",
    parse: { loader, node, s in
      edit(loader.prices(node, s)) { setup, p in
        setup.price = p.all
        setup.prices = p.byGPU
      }
    },
    inputs: [InputField("price") { $0.setup.gpuPrice.map { FieldValue.number($0) } }])

  package static let memoryLimit = Setting(
    id: .memoryLimit, value: "SIZE|N%", defaultText: "none",
    doc:
      "the allocator cap `torch.cuda.set_per_process_memory_fraction` sets: a size (40GiB) or a fraction of the GPU's memory (50%)",
    parse: { loader, node, s in edit(loader.memoryLimit(node, s)) { $0.memoryLimit = $1 } },
    inputs: [InputField("memory_limit") { $0.memory.limit.map { FieldValue.integer($0) } }])

  package static let margin = Setting(
    id: .margin, value: "N%", defaultText: "0%",
    doc:
      "headroom to keep, as a share of the GPU's memory: a run with less to spare is a narrow fit, and fails `run --check` and `fit`",
    parse: { loader, node, s in edit(loader.percent(node, s, range: 0...0.5)) { $0.margin = $1 } },
    inputs: [InputField("margin") { $0.setup.margin > 0 ? FieldValue.number($0.setup.margin) : nil }])

  package static let context = Setting(
    id: .overheadContext, value: "SIZE", defaultText: "0.5GiB", doc: "CUDA context per GPU",
    parse: { loader, node, s in edit(loader.size(node, s, range: SetupLimits.context)) { $0.overhead.context = $1 } })

  package static let reserve = Setting(
    id: .overheadReserve, value: "measured|N%|SIZE", defaultText: "measured",
    doc: "the allocator's cache above the peak: measured, a percentage or a size",
    parse: { loader, node, s in edit(loader.reserve(node, s)) { $0.overhead.reserve = $1 } })

  /// The edit that sets a parsed value, or nil when the value had an error.
  package static func edit<V: Sendable>(_ value: V?, _ apply: @escaping @Sendable (inout TrainingSetup, V) -> Void)
    -> SetupEdit?
  {
    guard let value else { return nil }
    return { apply(&$0, value) }
  }

  /// A setting whose value is one of an enumeration's raw values.
  package static func choice<E: RawRepresentable & CaseIterable & Sendable>(
    _ id: SettingID, _ type: E.Type, noun: String? = nil, default defaultText: String, doc: String,
    apply: @escaping @Sendable (inout TrainingSetup, E) -> Void,
    input: @escaping @Sendable (TrainingSetup) -> String, csv: Bool = false
  ) -> Setting where E.RawValue == String {
    Setting(
      id: id, value: E.allCases.map(\.rawValue).joined(separator: "|"), defaultText: defaultText,
      doc: doc, noun: noun,
      parse: { loader, node, s in edit(loader.choice(node, s, E.self), apply) },
      inputs: [InputField(id.key) { FieldValue.text(input($0.setup)) }],
      csv: csv ? (id.key, .text(input)) : nil)
  }

  /// A model-parallel degree (`tensor_parallel: 8`): a whole number from 1, reported in the
  /// JSON inputs when above 1 (and as a CSV column when `csv`).
  package static func degree(
    _ id: SettingID, _ value: String, doc: String, max: Int64, _ degree: ModelParallel.Degree,
    csv: Bool
  ) -> Setting {
    Setting(
      id: id, value: value, defaultText: "1", doc: doc,
      parse: { loader, node, s in edit(loader.integer(node, s, max: max)) { $0.modelParallel[degree] = $1 } },
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

  /// The `inputs` object of one run in the JSON report.
  ///
  /// The JSON report's `inputs` fields of every setting, sorted by name as JSON prints them
  /// (the names are fixed, so they are sorted once).
  package static let inputFields: [InputField] = all.flatMap(\.inputs).sorted { $0.name < $1.name }

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
