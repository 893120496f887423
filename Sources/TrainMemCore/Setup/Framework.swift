// Framework profiles: what each training framework decides on the user's behalf,
// as settings trainmem already models, each cited to the framework's source. A profile only
// fills settings the user did not give; every key still overrides it. Sources and commits are
// in docs/research/framework-defaults.md (session 6 snapshots, read with git).

/// A training framework whose defaults a run takes (`framework: torchtitan`).
public enum Framework: String, Sendable, CaseIterable {
  case hfTrainer = "hf-trainer"
  case accelerate
  case torchtitan
  case torchtune
  case megatron
  case deepspeed
  case litgpt
  case axolotl
  case llamaFactory = "llama-factory"
  case unsloth

  /// One default: the setting, its value as a scenario writes it, and where the framework sets it.
  package struct Default: Sendable {
    package let setting: SettingID
    package let value: String
    package let source: String
    /// Some defaults exist only for some runs: the fused AdamW kernel for AdamW, the adapters'
    /// dtype for LoRA runs, the Trainer's recomputation off where peft's
    /// `prepare_model_for_kbit_training` has not turned it on (a full-precision base).
    package let only: Scope

    package enum Scope: Sendable { case every, adamW, lora, unquantized }

    init(_ setting: SettingID, _ value: String, _ source: String, only: Scope = .every) {
      self.setting = setting
      self.value = value
      self.source = source
      self.only = only
    }

    /// Whether the default concerns this run.
    package func applies(to s: TrainingSetup) -> Bool {
      switch only {
      case .every: return true
      case .adamW: return s.optimizer.kind == .adamw
      case .lora: return s.lora != nil
      case .unquantized: return !s.quantizedBase
      }
    }

    /// "(AdamW)", "(LoRA)" or nothing, for `list frameworks`.
    package var scopeNote: String {
      switch only {
      case .every: return ""
      case .adamW: return " (AdamW)"
      case .lora: return " (LoRA)"
      case .unquantized: return " (not QLoRA)"
      }
    }
  }

  /// The framework's defaults, in the order the report lists them.
  package var defaults: [Default] {
    switch self {
    case .hfTrainer:
      return [
        Default(
          .precision, "bf16",
          "transformers v5 `from_pretrained(dtype=\"auto\")` loads the checkpoint's bf16 and `bf16=True` autocasts over it: no fp32 master"
        ),
        Default(.loss, "full", "loss_utils.ForCausalLMLoss: the whole vocabulary's logits upcast to fp32"),
        Default(
          .checkpointing, "none",
          "TrainingArguments.gradient_checkpointing=False; under QLoRA peft's prepare_model_for_kbit_training turns it on",
          only: .unquantized),
        Default(
          .optimizerImplementation, "fused", "TrainingArguments.optim default adamw_torch_fused (torch ≥ 2.8)",
          only: .adamW),
      ]
    case .accelerate:
      return [
        Default(
          .precision, "mixed",
          "accelerate FSDP2 with mixed_precision=bf16: trainable parameters upcast to fp32, MixedPrecisionPolicy(param_dtype=bf16)"
        ),
        Default(.gradientDtype, "bf16", "accelerate's FSDP2 plugin sets reduce_dtype to the param_dtype (bf16)"),
        Default(.loss, "full", "the model's own loss (transformers ForCausalLMLoss)"),
        Default(.checkpointing, "none", "accelerate does not turn on activation checkpointing"),
      ]
    case .torchtitan:
      return [
        Default(
          .precision, "mixed",
          "torchtitan config/configs.py TrainingConfig: dtype float32 sharded parameters, mixed_precision_param bfloat16"
        ),
        Default(.gradientDtype, "fp32", "TrainingConfig.mixed_precision_reduce: \"float32\" (the only value allowed)"),
        Default(
          .loss, "fused",
          "models/llama3/config_registry.py: ChunkedLossWrapper(num_chunks=8) runs lm_head, loss and backward chunk by chunk, keeping no logits"
        ),
        Default(
          .checkpointing, "op",
          "trainer.py: activation_checkpoint defaults to SelectiveAC, per-op (recomputes every second mm)"),
        Default(
          .optimizerImplementation, "fused", "components/optimizer/optimizer.py: implementation \"fused\"",
          only: .adamW),
        Default(
          .moeGroupedGemm, "true",
          "models/moe/moe.py MoEArgs.use_grouped_mm = True: torch._grouped_mm over each GPU's experts"),
      ]
    case .torchtune:
      return [
        Default(.precision, "bf16", "recipes/configs/*: dtype bf16, no fp32 master (states follow the parameters)"),
        Default(.gradientDtype, "bf16", "training/_distributed.py shard_model: fully_shard without an mp_policy"),
        Default(
          .loss, "chunked",
          "modules/loss: LinearCrossEntropyLoss / CEWithChunkedOutputLoss, 8 chunks upcast one at a time"),
        Default(.checkpointing, "full", "recipes/configs/*: enable_activation_checkpointing: True"),
        Default(
          .loraDtype, "bf16",
          "recipes/lora_finetune_single_device.py: the model (adapters too) built under set_default_dtype(bf16)",
          only: .lora),
        Default(.optimizerImplementation, "fused", "recipes/configs/*: torch.optim.AdamW fused: True", only: .adamW),
      ]
    case .megatron:
      return [
        Default(.precision, "bf16", "megatron/training/arguments.py --bf16: bf16 parameters and compute"),
        Default(
          .masterWeights, "fp32", "the mixed-precision optimizer keeps fp32 main parameters (optimizer/__init__.py)"),
        Default(
          .gradientDtype, "fp32", "accumulate_allreduce_grads_in_fp32 is forced on under --bf16 (fp32 main gradients)"),
        Default(.loss, "full", "vocab-parallel cross-entropy with cross_entropy_loss_fusion off (Megatron-LM default)"),
        Default(.checkpointing, "none", "recompute_granularity defaults to None"),
        Default(
          .moeTokenDispatcher, "allgather",
          "core/transformer/transformer_config.py moe_token_dispatcher_type = \"allgather\" (its MoE recipes set alltoall)"
        ),
      ]
    case .deepspeed:
      return [
        Default(
          .precision, "mixed",
          "bf16.enabled: bf16 parameters with an fp32 master partition (runtime/bf16_optimizer.py, ZeRO's fp32 partitions)"
        ),
        Default(.gradientDtype, "bf16", "gradients accumulate in the model dtype unless data_types.grad_accum_dtype"),
        Default(.loss, "full", "the model's own loss"),
        Default(.checkpointing, "none", "activation_checkpointing is off unless configured"),
      ]
    case .litgpt:
      return [
        Default(.precision, "bf16", "config_hub/finetune/*: precision bf16-true (pure bf16)"),
        Default(.checkpointing, "none", "single-device recipes run without activation checkpointing"),
      ]
    case .axolotl:
      return [
        Default(.precision, "bf16", "bf16: auto loads the model in bf16 under the HF Trainer's autocast"),
        Default(.loss, "full", "transformers' loss unless a cut_cross_entropy or Liger plugin is configured"),
        Default(
          .checkpointing, "none",
          "gradient_checkpointing: False by default, also under QLoRA (loaders/model.py passes it to prepare_model_for_kbit_training)"
        ),
        Default(.optimizerImplementation, "fused", "optimizer default adamw_torch_fused", only: .adamW),
      ]
    case .llamaFactory:
      return [
        Default(
          .precision, "mixed",
          "model/model_utils: trainable parameters cast to fp32 (an fp32 master for full fine-tuning), bf16 autocast"),
        Default(.loss, "full", "transformers' loss"),
        Default(
          .checkpointing, "full",
          "hparams/model_args.py disable_gradient_checkpointing=False: checkpointing on by default"),
      ]
    case .unsloth:
      return [
        Default(.precision, "bf16", "FastLanguageModel loads bf16 (4-bit with load_in_4bit), no fp32 master"),
        Default(
          .checkpointing, "full", "use_gradient_checkpointing=\"unsloth\": each layer checkpointed, its input offloaded"
        ),
        Default(.offloadActivations, "cpu", "the \"unsloth\" checkpointing offloads each layer's input to the host"),
        Default(.loss, "fused", "unsloth_zoo's fused linear cross-entropy: logits computed chunk by chunk"),
      ]
    }
  }

  /// The data-parallel modes the framework runs (its own sharding names mapped to trainmem's).
  package var parallelModes: [Parallelism] {
    switch self {
    case .hfTrainer, .accelerate, .axolotl, .llamaFactory: return Parallelism.allCases
    case .torchtitan, .litgpt: return [.none, .ddp, .fsdp, .hsdp]
    case .torchtune: return [.none, .fsdp]
    case .megatron: return [.none, .ddp, .zero1]
    case .deepspeed: return [.none, .ddp, .zero1, .zero2, .zero3]
    case .unsloth: return [.none, .ddp]
    }
  }

  /// What the framework is, for `list frameworks`.
  package var summary: String {
    switch self {
    case .hfTrainer: return "Hugging Face transformers Trainer (v5)"
    case .accelerate: return "Hugging Face accelerate with FSDP2"
    case .torchtitan: return "PyTorch torchtitan (FSDP2, per-op activation checkpointing)"
    case .torchtune: return "PyTorch torchtune recipes"
    case .megatron: return "Megatron-LM / Megatron-Core"
    case .deepspeed: return "DeepSpeed ZeRO"
    case .litgpt: return "Lightning LitGPT"
    case .axolotl: return "axolotl (on the HF Trainer)"
    case .llamaFactory: return "LLaMA-Factory (on the HF Trainer)"
    case .unsloth: return "Unsloth"
    }
  }
}
