// Low-rank adapters as Hugging Face peft builds them (src/peft/tuners/lora/layer.py): each
// targeted linear W (out × in) gains A (r × in) and B (out × r), created in fp32 and kept fp32
// (`PeftModel(autocast_adapter_dtype=True)` upcasts bf16 adapters); the base weights are frozen.
// DoRA (`use_dora`) adds a magnitude vector per output row. QLoRA stores the frozen base in
// bitsandbytes NF4 and, through `prepare_model_for_kbit_training`, casts every other weight
// (embeddings, norms, an unquantised lm_head) to fp32.

/// Which linears get adapters: peft's `target_modules`.
public enum LoRATargets: Sendable, Equatable {
  /// Every linear but the output head (`"all-linear"`; routers included).
  case allLinear
  /// Linears whose name is one of these or ends with `.name` (peft's suffix match, so
  /// `gate_proj` also adapts the experts' gate projections).
  case named([String])

  /// peft's default for LLaMA-family models (`TRANSFORMERS_MODELS_TO_LORA_TARGET_MODULES_MAPPING`).
  package static let peftDefault = LoRATargets.named(["q_proj", "v_proj"])
  package static let names = [
    "q_proj", "k_proj", "v_proj", "o_proj", "gate_proj", "up_proj", "down_proj", "q_a_proj", "q_b_proj",
    "kv_a_proj_with_mqa", "kv_b_proj",
  ]

  package func matches(_ t: TensorGroup) -> Bool {
    switch self {
    case .allLinear: return t.role == .projection || t.role == .router
    case .named(let names):
      guard t.role == .projection else { return false }
      return names.contains { t.name == $0 || t.name.hasSuffix("." + $0) }
    }
  }

  package var text: String {
    switch self {
    case .allLinear: return "all-linear"
    case .named(let names): return names.joined(separator: ",")
    }
  }
}

/// The adapters' own dtype.
///
/// fp32 in peft (`get_peft_model(autocast_adapter_dtype=True)` upcasts
/// bf16 adapters, tuners_utils.py `cast_adapter_dtype`), the model's bf16 in torchtune (its LoRA
/// recipes build the model under `set_default_dtype(bf16)` and check the adapters are bf16).
/// Their gradients and optimizer states follow it.
public enum AdapterDType: String, Sendable, CaseIterable {
  case fp32, bf16

  package var bytes: Int64 { self == .fp32 ? 4 : 2 }
}

/// `lora:` settings.
public struct LoRAConfig: Sendable, Equatable {
  package var rank: Int64 = 8
  /// peft's `lora_alpha`: the update is scaled by alpha / rank, a float multiply that changes
  /// neither memory nor time; reported with the run.
  package var alpha: Double = 8
  package var targets = LoRATargets.peftDefault
  package var dora = false
  package var dtype: AdapterDType = .fp32

  /// The memberwise initializer, for the other modules (Swift synthesizes it internal).
  package init(
    rank: Int64 = 8, alpha: Double = 8, targets: LoRATargets = LoRATargets.peftDefault, dora: Bool = false,
    dtype: AdapterDType = .fp32
  ) {
    self.rank = rank
    self.alpha = alpha
    self.targets = targets
    self.dora = dora
    self.dtype = dtype
  }
}

/// bitsandbytes NF4 storage (functional.py `quantize_4bit`, blocksize 64): two 4-bit codes per
/// byte and an absmax per 64 weights.
///
/// With double quantisation (`compress_statistics`) the absmax is 8-bit, with one fp32 absmax
/// per 256 of those (4.127 bits per weight), and per tensor the 16-entry NF4 code, the
/// 256-entry code of the second level and an offset (1,092 bytes). Without it the absmax is fp32
/// (4.5 bits per weight) and the per-tensor state is the NF4 code (64 bytes).
package enum NF4 {
  package static func bytes(elements n: Int64, doubleQuant: Bool = true) -> Int64 {
    let blocks = (n + 63) / 64
    guard doubleQuant else { return (n + 1) / 2 + blocks * 4 + 64 }
    return (n + 1) / 2 + blocks + (blocks + 255) / 256 * 4 + 1_092
  }
}

extension TrainingSetup {
  /// Bytes per element of the adapters' inputs and outputs: peft casts the input to the
  /// adapter's dtype (fp32) before lora_A, unless autocast runs it in bf16 or the adapters are bf16.
  package var adapterActivationBytes: Int64 { policy.autocastCopies || lora?.dtype == .bf16 ? 2 : 4 }
  /// The frozen base is quantised (QLoRA or 8-bit LoRA).
  package var quantizedBase: Bool { lora != nil && (weights == .nf4 || weights == .int8) }
  /// The other weights of a quantised base are upcast to fp32 by peft's
  /// `prepare_model_for_kbit_training` — except under FSDP, which needs one dtype per unit, so
  /// FSDP-QLoRA keeps them (and the quantised storage) in bf16 (Answer.AI fsdp_qlora,
  /// `bnb_4bit_quant_storage=bfloat16`; transformers' FSDP-QLoRA guide).
  ///
  /// torchtune and Unsloth never call it: torchtune quantizes the block linears to NF4 and
  /// leaves the embedding and output projection in bf16 ("quantize_base is not applied to
  /// final output_proj", models/llama3/_component_builders.py); Unsloth keeps the frozen
  /// embeddings, norms and head at their load dtype.
  package var upcastsUnquantized: Bool {
    quantizedBase && !parallel.shardsWeights && framework != .torchtune && framework != .unsloth
  }
}

extension ParameterInventory {
  /// The adapters of a LoRA setup, one group per targeted group: A, B and DoRA's magnitude.
  package static func adapters(_ lora: LoRAConfig, of inv: ParameterInventory, model: ModelConfig) -> ParameterInventory
  {
    var out: [TensorGroup] = []
    for t in inv.tensors where lora.targets.matches(t) {
      let r = lora.rank
      out.append(
        TensorGroup(name: t.name + ".lora_A", rows: r, cols: t.cols, count: t.count, role: .adapter, expert: t.expert))
      out.append(
        TensorGroup(name: t.name + ".lora_B", rows: t.rows, cols: r, count: t.count, role: .adapter, expert: t.expert))
      if lora.dora {
        out.append(
          TensorGroup(
            name: t.name + ".magnitude", rows: t.rows, cols: 1, count: t.count, role: .adapter, expert: t.expert))
      }
    }
    return ParameterInventory(tensors: out, model: model)
  }
}
