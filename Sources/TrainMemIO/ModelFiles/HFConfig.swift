import TrainMemCore

// A Hugging Face `config.json` read into a `ModelConfig`. Each architecture's fields follow
// its transformers configuration class (`configuration_<model_type>.py`, v4.57.1): a field the
// file leaves out takes that class's default, as `from_pretrained` would, and an alias the
// class's `attribute_map` routes (v5's `num_experts`) is read as its field. Each structural
// choice follows the modeling file the comment names.

package enum HFConfig {
  /// Reads `path` (a config.json, or a directory holding one) into a model, or throws every
  /// problem at its place in the file.
  package static func read(_ path: String) throws(Diagnostics) -> ModelConfig {
    // Read once: a FIFO or standard input cannot be read twice.
    let (file, text) = try TextFile.read(path, orInDirectory: "config.json")
    do {
      return try parse(text, file: file)
    } catch {
      let lines = text.split(separator: "\n", omittingEmptySubsequences: false)
      throw Diagnostics(
        errors: error.errors.map { e in
          var e = e
          if e.location.line >= 1 && e.location.line <= lines.count {
            e.sourceLine = String(lines[e.location.line - 1])
          }
          return e
        })
    }
  }

  /// The model a config's text describes; `file` names it in diagnostics and gives its id.
  package static func parse(_ text: String, file: String) throws(Diagnostics) -> ModelConfig {
    let root: JSONValue
    do { root = try JSONDocument.parse(text, file: file) } catch { throw Diagnostics(errors: [error]) }
    var reader = FieldReader(file: file)
    let model = reader.model(root, id: modelID(file))
    if !reader.errors.isEmpty || model == nil {
      throw Diagnostics(errors: reader.errors.sorted { $0.location < $1.location })
    }
    return model!
  }

  /// `…/Llama-3.2-1B/config.json` is "Llama-3.2-1B"; `qwen3-8b.json` is "qwen3-8b".
  package static func modelID(_ file: String) -> String {
    let parts = file.split(separator: "/").map(String.init)
    guard let name = parts.last else { return file }
    if name == "config.json" && parts.count > 1 { return parts[parts.count - 2] }
    return name.hasSuffix(".json") ? String(name.dropLast(5)) : name
  }
}

/// Reads typed fields from a config object, collecting every problem with its JSON path.
private struct FieldReader {
  package let file: String
  package var errors: [Diagnostic] = []

  package mutating func fail(_ at: SourceLocation, _ message: String, _ reason: DiagnosticReason = .invalidValue) {
    errors.append(Diagnostic(location: at, message: message, reason: reason))
  }

  /// An integer field: present and integral, or the default; `nil` (with an error) otherwise.
  package mutating func integer(
    _ object: JSONValue, _ key: String, path: String, default value: Int64? = nil, minimum: Int64 = 1
  ) -> Int64? {
    guard let field = object[key], !isNull(field) else {
      if value == nil {
        fail(object.location, "'\(path)\(key)' is missing; a \(architectureName(object)) config needs it")
      }
      return value
    }
    guard case .number(let v, _, _) = field, v == v.rounded(), v >= Double(minimum),
      v <= Double(ModelConfig.dimensionLimit)
    else {
      let kind = minimum == 1 ? "a positive integer" : "an integer from \(minimum)"
      fail(
        field.location, "'\(path)\(key)' must be \(kind) up to \(ModelConfig.dimensionLimit), got \(describe(field))")
      return nil
    }
    return Int64(v)
  }

  /// The first of a field's names the file gives — the configuration class's own, then the
  /// aliases its `attribute_map` routes to it (`num_experts` → `num_local_experts`) — or nil.
  package func named(_ object: JSONValue, _ names: [String]) -> String {
    names.first { object[$0].map { !isNull($0) } ?? false } ?? names[0]
  }

  /// A list of whole numbers from 0 to `ModelConfig.dimensionLimit` (layer indices), empty when
  /// absent; `nil` (with an error at the offending entry) when it is not one.
  package mutating func indexList(_ object: JSONValue, _ key: String, path: String) -> [Int64]? {
    guard let field = object[key], !isNull(field) else { return [] }
    guard case .array(let items, _) = field else {
      fail(field.location, "'\(path)\(key)' must be a list of layer indices, got \(describe(field))")
      return nil
    }
    var out: [Int64] = []
    for (i, item) in items.enumerated() {
      guard case .number(let v, _, _) = item, v == v.rounded(), v >= 0, v <= Double(ModelConfig.dimensionLimit) else {
        fail(
          item.location,
          "'\(path)\(key)[\(i)]' must be a layer index from 0 to \(ModelConfig.dimensionLimit), got \(describe(item))")
        return nil
      }
      out.append(Int64(v))
    }
    return out
  }

  /// A list of strings each one of `allowed`, or `nil` (with an error at the offending entry).
  package mutating func choiceList(_ object: JSONValue, _ key: String, path: String, allowed: [String]) -> [String]? {
    guard let field = object[key], !isNull(field) else { return nil }
    guard case .array(let items, _) = field else {
      fail(field.location, "'\(path)\(key)' must be a list of strings, got \(describe(field))")
      return nil
    }
    var out: [String] = []
    for (i, item) in items.enumerated() {
      guard case .string(let s, _) = item, allowed.contains(s) else {
        fail(
          item.location,
          "'\(path)\(key)[\(i)]' must be one of \(allowed.joined(separator: ", ")), got \(describe(item))")
        return nil
      }
      out.append(s)
    }
    return out
  }

  package mutating func boolean(_ object: JSONValue, _ key: String, path: String, default value: Bool) -> Bool? {
    guard let field = object[key], !isNull(field) else { return value }
    guard case .bool(let b, _) = field else {
      fail(field.location, "'\(path)\(key)' must be true or false, got \(describe(field))")
      return nil
    }
    return b
  }

  package mutating func string(_ object: JSONValue, _ key: String, path: String) -> String? {
    guard let field = object[key], !isNull(field) else { return nil }
    guard case .string(let s, _) = field else {
      fail(field.location, "'\(path)\(key)' must be a string, got \(describe(field))")
      return nil
    }
    return s
  }

  package func isNull(_ v: JSONValue) -> Bool {
    if case .null = v { return true }
    return false
  }

  package func describe(_ v: JSONValue) -> String {
    switch v {
    case .number(let x, let integer, _): return integer ? NumberFormatting.grouped(x) : "\(x)"
    case .string(let s, _): return "the string \"\(visible(String(s.prefix(40))))\""
    default: return v.kindName
    }
  }

  package func architectureName(_ object: JSONValue) -> String {
    if case .string(let t, _)? = object["model_type"] { return "'\(visible(t))'" }
    return "model"
  }

  package mutating func model(_ root: JSONValue, id: String) -> ModelConfig? {
    guard case .object = root else {
      fail(root.location, "a config.json is a JSON object, got \(root.kindName)")
      return nil
    }
    guard let typeField = root["model_type"] else {
      fail(
        root.location,
        "no 'model_type'; trainmem reads Hugging Face configs of: \(Architecture.modelTypes)",
        .unknownKey("model_type"))
      return nil
    }
    guard case .string(let name, _) = typeField, let type = Architecture(rawValue: name) else {
      var got = describe(typeField)
      if case .string(let t, _) = typeField { got = "'\(visible(t))'" }
      fail(
        typeField.location,
        "unsupported model_type \(got); trainmem reads: \(Architecture.modelTypes)",
        .unknownKey("model_type"))
      return nil
    }
    // Gemma 3's and Llama 4's multimodal configs nest the language model under `text_config`;
    // their vision towers are not trained here.
    if let textType = [Architecture.gemma3: Architecture.gemma3Text, .llama4: .llama4Text][type] {
      guard let text = root["text_config"], case .object = text else {
        fail(root.location, "a \(type.rawValue) config needs a 'text_config' object")
        return nil
      }
      return architecture(textType, text, path: "text_config.", id: id)
    }
    // Kimi K2 ships DeepSeek-V3's modeling code under its own model_type
    // (`architectures: ["DeepseekV3ForCausalLM"]`).
    return architecture(type == .kimiK2 ? .deepseekV3 : type, root, path: "", id: id)
  }

  /// The common fields, then each architecture's own.
  package mutating func architecture(_ type: Architecture, _ c: JSONValue, path: String, id: String) -> ModelConfig? {
    let d = Defaults.of(type)
    let gpt2 = type == .gpt2
    let hidden = integer(c, gpt2 ? "n_embd" : "hidden_size", path: path, default: d.hidden)
    let layers = integer(c, gpt2 ? "n_layer" : "num_hidden_layers", path: path, default: d.layers)
    let heads = integer(c, gpt2 ? "n_head" : "num_attention_heads", path: path, default: d.heads)
    let vocab = integer(c, "vocab_size", path: path, default: d.vocab)
    let intermediate: Int64?
    if gpt2 {
      intermediate = integer(c, "n_inner", path: path, default: hidden.map { 4 * $0 } ?? 1)
    } else {
      intermediate = integer(c, "intermediate_size", path: path, default: d.intermediate)
    }
    // An explicit null is "as many as the heads" (`if num_key_value_heads is None`); an omitted
    // field is the class default, which differs by architecture (Mistral 8, Gemma 2 4).
    let kvNull = c["num_key_value_heads"].map(isNull) ?? false
    let kvHeads = integer(c, "num_key_value_heads", path: path, default: kvNull ? heads ?? 1 : d.kvHeads ?? heads ?? 1)
    let headDim = integer(c, "head_dim", path: path, default: d.headDim ?? 0)
    let tied = boolean(c, "tie_word_embeddings", path: path, default: d.tied)
    guard let hidden, let layers, let heads, let vocab, let intermediate, let kvHeads, let tied else { return nil }
    var m = ModelConfig(
      id: id, hidden: hidden, intermediate: intermediate, layers: layers, heads: heads, kvHeads: kvHeads, vocab: vocab,
      tiedEmbeddings: tied)
    m.family = type.rawValue
    if let headDim, headDim > 0, headDim * heads != hidden || hidden % heads != 0 { m.explicitHeadDim = headDim }
    // GLM-4.5's attention takes `getattr(config, "head_dim", hidden_size // num_attention_heads)`:
    // its class defaults (4096 / 96) build 42-wide heads.
    if type == .glm4Moe && headDim == 0 && hidden % heads != 0 { m.explicitHeadDim = hidden / heads }
    guard shape(type, c, path: path, into: &m) else { return nil }
    if let issue = m.validationIssue() {
      // The models name dimensions their own way; a config.json reader names the file's fields.
      var message = issue.message
      let names = [
        ("kv_heads", "num_key_value_heads"), ("heads", "num_attention_heads"), ("hidden", "hidden_size"),
        ("intermediate", "intermediate_size"), ("layers", "num_hidden_layers"), ("vocab", "vocab_size"),
        ("experts_per_token", "num_experts_per_tok"), ("experts", "num_experts"),
        ("expert_intermediate", "moe_intermediate_size"),
      ]
      for (ours, theirs) in names {
        message = message.replacingOccurrences("'\(ours)'", "'\(path)\(theirs)'", all: true)
      }
      fail(c.location, message)
      return nil
    }
    return m
  }

  /// The architecture's structure (modeling_<type>.py) and its optional fields.
  package mutating func shape(_ type: Architecture, _ c: JSONValue, path: String, into m: inout ModelConfig) -> Bool {
    // GptOssConfig defaults `attention_bias` to True (forced True in v4.57).
    let attentionBias = boolean(c, "attention_bias", path: path, default: type == .gptNeox || type == .gptOss)
    let mlpBias = boolean(c, "mlp_bias", path: path, default: false)
    guard let attentionBias, let mlpBias else { return false }
    m.bias = attentionBias ? .attention : .none
    m.mlpBias = mlpBias
    switch type {
    case .llama, .mistral, .mixtral, .phi3: break
    case .qwen2, .qwen2Moe:
      // modeling_qwen2: q/k/v `bias=True`, o_proj `bias=False`.
      m.bias = .qkv
    case .qwen3, .qwen3Moe:
      // modeling_qwen3: `q_norm = Qwen3RMSNorm(self.head_dim)` ("unlike olmo, only on the head dim").
      m.qkNorm = .head
    case .gemma, .gemma2, .gemma3Text:
      // GeGLU (`gelu_pytorch_tanh`); Gemma 2/3 add post-attention and post-MLP norms (4 per
      // layer) and Gemma 3 per-head q/k norms.
      m.mlp = .geglu
      if type != .gemma { m.normsPerLayer = 4 }
      if type == .gemma3Text { m.qkNorm = .head }
    case .gpt2:
      // modeling_gpt2: Conv1D c_attn/c_proj/c_fc with biases, LayerNorm, learned positions.
      m.mlp = .gelu
      m.norm = .layer
      m.bias = .attention
      m.mlpBias = true
      guard let positions = integer(c, "n_positions", path: path, default: 1024) else { return false }
      m.learnedPositions = positions
    case .gptNeox:
      // modeling_gpt_neox: fused query_key_value and dense with `bias=config.attention_bias`,
      // dense_h_to_4h/dense_4h_to_h with bias, LayerNorm, parallel residual.
      m.mlp = .gelu
      m.norm = .layer
      m.mlpBias = true
      guard let parallel = boolean(c, "use_parallel_residual", path: path, default: true) else { return false }
      m.parallelResidual = parallel
    case .olmo2:
      // modeling_olmo2: `q_norm = Olmo2RMSNorm(num_attention_heads * head_dim)`, norms after
      // attention and MLP only.
      m.qkNorm = .full
    case .deepseekV2, .deepseekV3:
      guard latent(type, c, path: path, into: &m) else { return false }
    case .gptOss:
      // modeling_gpt_oss: biases on q/k/v/o (`attention_bias`), a learned sink logit per head,
      // and biased experts (`gate_up_proj_bias`, `down_proj_bias`) behind a biased router.
      m.attentionSinks = true
      m.mlpBias = true
    case .glm4Moe:
      // modeling_glm4_moe: q/k/v `bias=config.attention_bias`, o_proj `bias=False`;
      // `use_qk_norm` adds per-head RMSNorms. Partial rotary adds no weights.
      if attentionBias { m.bias = .qkv }
      guard let qk = boolean(c, "use_qk_norm", path: path, default: false) else { return false }
      if qk { m.qkNorm = .head }
    case .llama4Text:
      // modeling_llama4: `use_qk_norm` is a weightless L2 norm (`Llama4TextL2Norm`), no parameters.
      break
    case .gemma3, .kimiK2, .llama4: break
    }
    return sliding(type, c, path: path, into: &m) && experts(type, c, path: path, into: &m)
  }

  /// MLA's fields, with their class defaults.
  ///
  /// Multi-head latent attention (configuration_deepseek_v3 / _v2): `q_lora_rank` null builds
  /// a full `q_proj` (DeepSeek-V2-Lite); 0 builds a zero-width projection, which no checkpoint
  /// has. `num_key_value_heads` makes no tensor: keys and values are expanded to every head.
  package mutating func latent(_ type: Architecture, _ c: JSONValue, path: String, into m: inout ModelConfig) -> Bool {
    var queryRank: Int64? = 1536
    if let field = c["q_lora_rank"] {
      if isNull(field) {
        queryRank = nil
      } else if case .number(0, _, _) = field {
        fail(field.location, "'\(path)q_lora_rank' is 0; write null for a full-rank q_proj (DeepSeek-V2-Lite)")
        return false
      } else {
        guard let r = integer(c, "q_lora_rank", path: path) else { return false }
        queryRank = r
      }
    }
    guard let kv = integer(c, "kv_lora_rank", path: path, default: 512),
      let nope = integer(c, "qk_nope_head_dim", path: path, default: 128),
      let rope = integer(c, "qk_rope_head_dim", path: path, default: 64),
      let v = integer(c, "v_head_dim", path: path, default: 128)
    else { return false }
    m.latent = LatentAttention(queryRank: queryRank, kvRank: kv, noPositionDim: nope, rotaryDim: rope, valueDim: v)
    m.kvHeads = m.heads
    m.explicitHeadDim = nope + rope
    return true
  }

  /// Which layers attend within a window, and its width.
  ///
  /// Sliding-window attention: every layer (Mistral, Phi-3), alternate layers (Gemma 2:
  /// `sliding_window if not bool(layer_idx % 2)`), five of six (Gemma 3's
  /// `sliding_window_pattern`, or its `layer_types` list), or Qwen2's `use_sliding_window`
  /// below `max_window_layers`.
  /// An omitted `sliding_window` takes the class default (`Defaults.slidingWindow`); `null`
  /// turns it off.
  package mutating func sliding(_ type: Architecture, _ c: JSONValue, path: String, into m: inout ModelConfig) -> Bool {
    if type == .llama4Text { return chunked(c, path: path, into: &m) }
    let field = c["sliding_window"]
    if let field, isNull(field) { return true }
    guard field != nil || Defaults.of(type).slidingWindow != nil else { return true }
    guard let w = integer(c, "sliding_window", path: path, default: Defaults.of(type).slidingWindow) else {
      return false
    }
    let l = m.layers
    switch type {
    case .mistral, .phi3, .mixtral: m.slidingLayers = l
    case .gemma2:
      guard let types = layerTypes(c, path: path, layers: l) else { return false }
      m.slidingLayers = types.map { Int64($0.filter { $0 == "sliding_attention" }.count) } ?? (l + 1) / 2
    case .gptOss:
      // GptOssConfig: `layer_types` defaults to sliding on even layers, full on odd ones.
      guard let types = layerTypes(c, path: path, layers: l) else { return false }
      m.slidingLayers = types.map { Int64($0.filter { $0 == "sliding_attention" }.count) } ?? (l + 1) / 2
    case .gemma3Text:
      guard let types = layerTypes(c, path: path, layers: l) else { return false }
      if let types {
        m.slidingLayers = Int64(types.filter { $0 == "sliding_attention" }.count)
      } else {
        guard let pattern = integer(c, "sliding_window_pattern", path: path, default: 6) else { return false }
        m.slidingLayers = l - l / pattern
      }
    case .qwen2, .qwen2Moe, .qwen3, .qwen3Moe:
      // The window applies only with `use_sliding_window`; then to the layers from
      // `max_window_layers` (28) up, or every layer in Qwen3-MoE (v4.57 has no such field), or
      // as an explicit `layer_types` says.
      guard let use = boolean(c, "use_sliding_window", path: path, default: false) else { return false }
      guard let below = integer(c, "max_window_layers", path: path, default: 28, minimum: 0) else { return false }
      guard let types = layerTypes(c, path: path, layers: l) else { return false }
      let byDefault = type == .qwen3Moe ? l : max(0, l - min(l, below))
      let listed = types.map { Int64($0.filter { $0 == "sliding_attention" }.count) }
      m.slidingLayers = use ? listed ?? byDefault : 0
    case .llama, .gemma, .gemma3, .gpt2, .gptNeox, .olmo2, .deepseekV2, .deepseekV3, .kimiK2, .llama4, .llama4Text,
      .glm4Moe:
      m.slidingLayers = 0
    }
    if m.slidingLayers > 0 { m.slidingWindow = w }
    return true
  }

  /// Llama 4's chunked attention (configuration_llama4 `Llama4TextConfig`): the RoPE layers
  /// attend within `attention_chunk_size` chunks (8192; null: whole sequence), the NoPE layers —
  /// `no_rope_layers[i] == 0`, by default every `no_rope_layer_interval`-th (4) — to all of it.
  package mutating func chunked(_ c: JSONValue, path: String, into m: inout ModelConfig) -> Bool {
    let l = m.layers
    if let field = c["attention_chunk_size"], isNull(field) { return true }
    guard let chunk = integer(c, "attention_chunk_size", path: path, default: 8192) else { return false }
    var ropeLayers: Int64
    // An empty list is the default too (`no_rope_layers if no_rope_layers else default`; the
    // published Scout config has `[]`).
    guard let flags = indexList(c, "no_rope_layers", path: path) else { return false }
    if let listField = c["no_rope_layers"], !flags.isEmpty {
      guard flags.count == l, flags.allSatisfy({ $0 <= 1 }) else {
        fail(
          listField.location,
          "'\(path)no_rope_layers' needs one 0 (NoPE) or 1 (RoPE) per layer; num_hidden_layers is \(l), got \(flags.count) entries"
        )
        return false
      }
      ropeLayers = flags.reduce(0, +)
    } else {
      guard let interval = integer(c, "no_rope_layer_interval", path: path, default: 4) else { return false }
      ropeLayers = l - l / interval
    }
    m.slidingWindow = chunk
    m.slidingLayers = ropeLayers
    m.chunkedAttention = ropeLayers > 0
    return true
  }

  /// The `layer_types` list, checked.
  ///
  /// `layer_types`, validated as the configuration classes do (`layer_type_validation`): known
  /// entries, one per layer. `.some(nil)` when absent; nil after an error.
  package mutating func layerTypes(_ c: JSONValue, path: String, layers l: Int64) -> [String]?? {
    guard let typesField = c["layer_types"], !isNull(typesField) else { return .some(nil) }
    guard let types = choiceList(c, "layer_types", path: path, allowed: ["sliding_attention", "full_attention"])
    else { return nil }
    guard types.count == l else {
      fail(
        typesField.location,
        "'\(path)layer_types' has \(types.count) entries; num_hidden_layers is \(l), and each layer needs one")
      return nil
    }
    return types
  }

  /// Mixture-of-experts fields (configuration_mixtral, _qwen2_moe, _qwen3_moe).
  package mutating func experts(_ type: Architecture, _ c: JSONValue, path: String, into m: inout ModelConfig) -> Bool {
    switch type {
    case .mixtral:
      // MixtralConfig's `attribute_map` reads `num_experts` as `num_local_experts`.
      guard let e = integer(c, named(c, ["num_local_experts", "num_experts"]), path: path, default: 8),
        let k = integer(c, "num_experts_per_tok", path: path, default: 2)
      else { return false }
      m.moe = MoEConfig(experts: e, perToken: k, expertIntermediate: m.intermediate)
    case .qwen2Moe, .qwen3Moe:
      let qwen2 = type == .qwen2Moe
      guard let e = integer(c, "num_experts", path: path, default: qwen2 ? 60 : 128),
        let k = integer(c, "num_experts_per_tok", path: path, default: qwen2 ? 4 : 8),
        let ei = integer(c, "moe_intermediate_size", path: path, default: qwen2 ? 1408 : 768),
        let step = integer(c, "decoder_sparse_step", path: path, default: 1)
      else { return false }
      var shared: Int64 = 0
      if qwen2 {
        guard let s = integer(c, "shared_expert_intermediate_size", path: path, default: 5632) else { return false }
        shared = s
      }
      // A layer is sparse when `layer_idx not in mlp_only_layers and (layer_idx + 1) %
      // decoder_sparse_step == 0` (modeling_qwen2_moe).
      guard let denseList = indexList(c, "mlp_only_layers", path: path) else { return false }
      let dense = Set(denseList)
      let sparse = (0..<m.layers).filter { !dense.contains($0) && ($0 + 1) % step == 0 }.count
      m.moe = MoEConfig(
        experts: e, perToken: k, expertIntermediate: ei, sharedIntermediate: shared, layers: Int64(sparse))
    case .deepseekV2, .deepseekV3, .glm4Moe: return deepSeekExperts(type, c, path: path, into: &m)
    case .gptOss:
      // modeling_gpt_oss `GptOssMLP`: every layer MoE, `intermediate_size` per expert.
      let experts = named(c, ["num_local_experts", "num_experts"])
      guard let e = integer(c, experts, path: path, default: 128),
        let k = integer(c, "num_experts_per_tok", path: path, default: 4)
      else { return false }
      m.moe = MoEConfig(experts: e, perToken: k, expertIntermediate: m.intermediate, routerBias: true)
    case .llama4Text: return llama4Experts(c, path: path, into: &m)
    case .llama, .mistral, .qwen2, .qwen3, .gemma, .gemma2, .gemma3, .gemma3Text, .phi3, .gpt2, .gptNeox, .olmo2,
      .kimiK2, .llama4:
      break
    }
    return true
  }

  /// DeepSeek-MoE's experts and dense layers.
  ///
  /// DeepSeek-MoE (modeling_deepseek_v3 `DeepseekV3MoE`, _v2, _glm4_moe): dense MLPs in the
  /// first `first_k_dense_replace` layers, then `n_routed_experts` experts of
  /// `moe_intermediate_size` with `n_shared_experts` of them always on as one ungated MLP.
  /// Group-limited routing picks `topk_group` of `n_group` expert groups per token, then the
  /// top `num_experts_per_tok` inside them: the groups must split the experts evenly and hold
  /// enough of them. `routed_scaling_factor` scales outputs (no memory or time).
  package mutating func deepSeekExperts(_ type: Architecture, _ c: JSONValue, path: String, into m: inout ModelConfig)
    -> Bool
  {
    let v3 = type == .deepseekV3, glm = type == .glm4Moe
    let experts = named(c, ["n_routed_experts", "num_local_experts", "num_experts"])
    guard let e = integer(c, experts, path: path, default: v3 ? 256 : glm ? 128 : 64),
      let k = integer(c, "num_experts_per_tok", path: path, default: v3 ? 8 : glm ? 8 : nil),
      let ei = integer(c, "moe_intermediate_size", path: path, default: v3 ? 2048 : glm ? 1408 : 1407),
      let shared = integer(c, "n_shared_experts", path: path, default: v3 || glm ? 1 : 2, minimum: 0),
      let dense = integer(c, "first_k_dense_replace", path: path, default: v3 ? 3 : glm ? 1 : 0, minimum: 0)
    else { return false }
    if dense > m.layers {
      fail(
        c["first_k_dense_replace"]?.location ?? c.location,
        "'\(path)first_k_dense_replace' (\(dense)) is more than num_hidden_layers (\(m.layers))")
      return false
    }
    guard groupLimitedRouting(type, c, path: path, experts: e, perToken: k) else { return false }
    m.moe = MoEConfig(
      experts: e, perToken: k, expertIntermediate: ei, sharedIntermediate: ei * shared, layers: m.layers - dense,
      sharedGate: false)
    return true
  }

  /// `n_group` and `topk_group` as the router uses them (`DeepseekV3TopkRouter` /
  /// `Glm4MoeTopkRouter`: `scores.view(-1, n_group, E // n_group)`, then `topk(topk_group)`
  /// groups and `topk(top_k)` experts among them); DeepSeek-V2 uses them only with
  /// `topk_method: group_limited_greedy`.
  package mutating func groupLimitedRouting(
    _ type: Architecture, _ c: JSONValue, path: String, experts e: Int64, perToken k: Int64
  ) -> Bool {
    let v2 = type == .deepseekV2
    if v2, string(c, "topk_method", path: path) != "group_limited_greedy" { return true }
    guard let groups = integer(c, "n_group", path: path, default: v2 ? nil : type == .glm4Moe ? 1 : 8),
      let picked = integer(c, "topk_group", path: path, default: v2 ? nil : type == .glm4Moe ? 1 : 4)
    else { return false }
    let at = c["topk_group"]?.location ?? c.location
    if picked > groups {
      fail(
        at, "'\(path)topk_group' (\(picked)) is more than n_group (\(groups)): the router picks groups among n_group")
      return false
    }
    if e % groups != 0 {
      fail(
        c["n_group"]?.location ?? c.location,
        "'\(path)n_group' (\(groups)) must divide the \(e) routed experts into equal groups")
      return false
    }
    if k > picked * (e / groups) {
      fail(
        c["num_experts_per_tok"]?.location ?? at,
        "'\(path)num_experts_per_tok' (\(k)) is more than the \(picked * (e / groups)) experts in topk_group (\(picked)) groups of \(e / groups)"
      )
      return false
    }
    return true
  }

  /// Llama 4's experts (modeling_llama4 `Llama4TextMoe`): `num_local_experts` experts and an
  /// ungated shared expert, both `intermediate_size` wide, in the layers `moe_layers` lists —
  /// by default every `interleave_moe_layer_step`-th (`range(step - 1, L, step)`); the other
  /// layers have a dense MLP of `intermediate_size_mlp`.
  package mutating func llama4Experts(_ c: JSONValue, path: String, into m: inout ModelConfig) -> Bool {
    let experts = named(c, ["num_local_experts", "num_experts"])
    guard let e = integer(c, experts, path: path, default: 16),
      let k = integer(c, "num_experts_per_tok", path: path, default: 1),
      let dense = integer(c, "intermediate_size_mlp", path: path, default: 16384),
      let step = integer(c, "interleave_moe_layer_step", path: path, default: 1),
      let listed = indexList(c, "moe_layers", path: path)
    else { return false }
    var layers = m.layers / step
    if let field = c["moe_layers"], !isNull(field) {
      if let bad = listed.first(where: { $0 >= m.layers }) {
        fail(field.location, "'\(path)moe_layers' lists layer \(bad); the model has layers 0 to \(m.layers - 1)")
        return false
      }
      layers = Int64(Set(listed).count)
    }
    let width = m.intermediate
    m.intermediate = dense
    m.moe = MoEConfig(
      experts: e, perToken: k, expertIntermediate: width, sharedIntermediate: width, layers: layers, sharedGate: false)
    m.moe?.computesEveryToken = true
    return true
  }
}

/// The transformers configuration classes' defaults for fields a config.json may leave out
/// (nil: the file must give it).
///
/// Gemma 3's text configs rely on them in published files (its 4B/12B/27B `text_config` omits
/// vocab, heads and head_dim), as do trimmed copies of the others.
private struct Defaults {
  package var hidden: Int64? = nil
  package var intermediate: Int64? = nil
  package var layers: Int64? = nil
  package var heads: Int64? = nil
  package var kvHeads: Int64? = nil
  package var headDim: Int64? = nil
  package var vocab: Int64? = nil
  package var tied = false
  /// `sliding_window` when the file omits it.
  package var slidingWindow: Int64? = nil

  package static func of(_ type: Architecture) -> Defaults {
    switch type {
    // configuration_deepseek_v3 / _v2 / _gpt_oss / _llama4 / _glm4_moe (transformers v4.57.1
    // `__init__`; v5.25 dataclass fields agree but for DeepSeek-V2's vocabulary, 102400).
    case .deepseekV3:
      return Defaults(
        hidden: 7168, intermediate: 18432, layers: 61, heads: 128, kvHeads: 128, vocab: 129280)
    case .deepseekV2:
      return Defaults(hidden: 4096, intermediate: 11008, layers: 32, heads: 32, vocab: 102400)
    case .gptOss:
      return Defaults(
        hidden: 2880, intermediate: 2880, layers: 36, heads: 64, kvHeads: 8, headDim: 64, vocab: 201088,
        slidingWindow: 128)
    case .llama4Text:
      return Defaults(hidden: 5120, intermediate: 8192, layers: 48, heads: 40, kvHeads: 8, headDim: 128, vocab: 202048)
    case .glm4Moe:
      return Defaults(hidden: 4096, intermediate: 10944, layers: 46, heads: 96, kvHeads: 8, vocab: 151552)
    // The older architectures (v4.57.1 `__init__` signatures; kvHeads nil: as many as heads).
    case .llama, .olmo2:
      return Defaults(hidden: 4096, intermediate: 11008, layers: 32, heads: 32, vocab: type == .llama ? 32000 : 50304)
    case .mistral, .mixtral:
      return Defaults(
        hidden: 4096, intermediate: 14336, layers: 32, heads: 32, kvHeads: 8, vocab: 32000,
        slidingWindow: type == .mistral ? 4096 : nil)
    case .qwen2, .qwen3:
      return Defaults(
        hidden: 4096, intermediate: 22016, layers: 32, heads: 32, kvHeads: 32, headDim: type == .qwen3 ? 128 : nil,
        vocab: 151936, slidingWindow: 4096)
    case .qwen2Moe:
      return Defaults(
        hidden: 2048, intermediate: 5632, layers: 24, heads: 16, kvHeads: 16, vocab: 151936, slidingWindow: 4096)
    case .qwen3Moe:
      return Defaults(
        hidden: 2048, intermediate: 6144, layers: 24, heads: 32, kvHeads: 4, vocab: 151936, slidingWindow: 4096)
    case .gemma:
      return Defaults(
        hidden: 3072, intermediate: 24576, layers: 28, heads: 16, kvHeads: 16, headDim: 256, vocab: 256000, tied: true)
    case .gemma2, .gemma3Text:
      return Defaults(
        hidden: 2304, intermediate: 9216, layers: 26, heads: 8, kvHeads: 4, headDim: 256,
        vocab: type == .gemma2 ? 256000 : 262208, tied: true, slidingWindow: 4096)
    case .phi3: return Defaults(hidden: 3072, intermediate: 8192, layers: 32, heads: 32, vocab: 32064)
    case .gpt2: return Defaults(hidden: 768, layers: 12, heads: 12, vocab: 50257, tied: true)
    case .gptNeox: return Defaults(hidden: 6144, intermediate: 24576, layers: 44, heads: 64, vocab: 50432)
    case .gemma3, .kimiK2, .llama4: return Defaults()
    }
  }
}
