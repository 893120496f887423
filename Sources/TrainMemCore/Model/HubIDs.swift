// Hugging Face Hub ids people type for the presets (`meta-llama/Llama-3.1-8B`), so `--model`
// takes the name from a model card. Instruct and chat checkpoints share their base's shape.

extension ModelConfig {
  /// Hub id (lowercased, without an instruct/chat suffix) → preset id, for the presets whose
  /// parameter counts are pinned against those checkpoints (PresetCountTests).
  package static let hubIDs: [String: String] = [
    "meta-llama/llama-2-70b": "llama2-70b", "meta-llama/meta-llama-3-8b": "llama3-8b",
    "meta-llama/meta-llama-3-70b": "llama3-70b", "meta-llama/llama-3.1-8b": "llama3.1-8b",
    "meta-llama/llama-3.1-70b": "llama3.1-70b", "meta-llama/llama-3.1-405b": "llama3.1-405b",
    "meta-llama/meta-llama-3.1-8b": "llama3.1-8b", "meta-llama/meta-llama-3.1-70b": "llama3.1-70b",
    "meta-llama/meta-llama-3.1-405b": "llama3.1-405b", "meta-llama/llama-3.2-1b": "llama3.2-1b",
    "meta-llama/llama-3.2-3b": "llama3.2-3b", "qwen/qwen2.5-0.5b": "qwen2.5-0.5b", "qwen/qwen2.5-1.5b": "qwen2.5-1.5b",
    "qwen/qwen2.5-3b": "qwen2.5-3b", "qwen/qwen2.5-7b": "qwen2.5-7b", "qwen/qwen2.5-14b": "qwen2.5-14b",
    "qwen/qwen2.5-32b": "qwen2.5-32b", "qwen/qwen2.5-72b": "qwen2.5-72b", "qwen/qwen3-0.6b": "qwen3-0.6b",
    "qwen/qwen3-1.7b": "qwen3-1.7b", "qwen/qwen3-4b": "qwen3-4b", "qwen/qwen3-8b": "qwen3-8b",
    "qwen/qwen3-14b": "qwen3-14b", "qwen/qwen3-32b": "qwen3-32b", "qwen/qwen3-30b-a3b": "qwen3-30b-a3b",
    "qwen/qwen3-235b-a22b": "qwen3-235b-a22b", "qwen/qwen1.5-moe-a2.7b": "qwen1.5-moe-a2.7b",
    "mistralai/mistral-7b-v0.1": "mistral-7b-v0.1", "mistralai/mistral-7b-v0.3": "mistral-7b-v0.3",
    "mistralai/mixtral-8x7b-v0.1": "mixtral-8x7b", "google/gemma-2b": "gemma-2b", "google/gemma-7b": "gemma-7b",
    "google/gemma-2-2b": "gemma2-2b", "google/gemma-2-9b": "gemma2-9b", "google/gemma-2-27b": "gemma2-27b",
    "google/gemma-3-1b": "gemma3-1b", "google/gemma-3-4b": "gemma3-4b", "google/gemma-3-12b": "gemma3-12b",
    "google/gemma-3-27b": "gemma3-27b", "microsoft/phi-3-mini-4k": "phi3-mini", "openai-community/gpt2": "gpt2",
    "gpt2": "gpt2", "eleutherai/pythia-160m": "pythia-160m", "eleutherai/pythia-410m": "pythia-410m",
    "eleutherai/pythia-1.4b": "pythia-1.4b", "allenai/olmo-2-1124-7b": "olmo2-7b",
    "deepseek-ai/deepseek-v3": "deepseek-v3", "deepseek-ai/deepseek-v3-base": "deepseek-v3",
    "deepseek-ai/deepseek-r1": "deepseek-v3", "deepseek-ai/deepseek-v2-lite": "deepseek-v2-lite",
    "moonshotai/kimi-k2": "kimi-k2", "openai/gpt-oss-20b": "gpt-oss-20b", "openai/gpt-oss-120b": "gpt-oss-120b",
    "meta-llama/llama-4-scout-17b-16e": "llama4-scout", "meta-llama/llama-4-maverick-17b-128e": "llama4-maverick",
    "zai-org/glm-4.5": "glm-4.5", "zai-org/glm-4.5-air": "glm-4.5-air",
  ]

  /// Suffixes of checkpoints with their base's shape (`-Instruct`, Gemma's `-it`, `-hf`).
  private static let checkpointSuffixes = ["-instruct", "-chat", "-it", "-pt", "-hf", "-base"]

  /// Whether `value` is written as a Hub id: `org/name`, one slash, not a path.
  package static func looksLikeHubID(_ value: String) -> Bool {
    let parts = value.split(separator: "/", omittingEmptySubsequences: false)
    return parts.count == 2 && parts.allSatisfy { !$0.isEmpty && $0 != "." && $0 != ".." }
      && !value.hasPrefix("~") && !value.lowercased().hasSuffix(".json")
  }

  /// The preset a Hub id names (`meta-llama/Llama-3.1-8B-Instruct` → llama3.1-8b), if any.
  package static func preset(hubID id: String) -> ModelConfig? { lookUp(id, in: hubIDs) }

  /// The preset a Hub name without its organisation names (`Meta-Llama-3-8B`, `gemma-2-9b-it`).
  package static func preset(hubName name: String) -> ModelConfig? { lookUp(name, in: hubNames) }

  /// Hub names (the part after `org/`) → preset id.
  private static let hubNames: [String: String] = Dictionary(
    hubIDs.map { (String($0.key.split(separator: "/").last ?? ""), $0.value) }, uniquingKeysWith: { first, _ in first })

  /// The preset `table` gives for `key`, lowercased, with or without a checkpoint suffix.
  private static func lookUp(_ key: String, in table: [String: String]) -> ModelConfig? {
    var key = key.lowercased()
    if let hit = table[key] { return presets.first { $0.id == hit } }
    for suffix in checkpointSuffixes where key.hasSuffix(suffix) {
      key.removeLast(suffix.count)
      if let hit = table[key] { return presets.first { $0.id == hit } }
    }
    return nil
  }
}
