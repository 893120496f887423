import Foundation

/// `trainmem list models|gpus|optimizers|settings`.
enum ListCommand {
  static let topics = ["models", "gpus", "optimizers", "settings"]

  static func run(_ args: [String], _ console: Console) throws -> Int32 {
    let options = try ParsedOptions(args, command: "list", specs: [])
    guard options.positionals.count == 1, let topic = options.positionals.first, topics.contains(topic) else {
      let got = options.positionals.isEmpty ? "" : "; got '\(visible(options.positionals.joined(separator: " ")))'"
      throw UsageError(message: "expected one of \(topics.joined(separator: ", ")) after 'list'\(got)")
    }
    try console.stdout.write(text(topic))
    return ExitStatus.ok
  }

  static func text(_ topic: String) -> String {
    var out = ""
    switch topic {
    case "models":
      out +=
        "| id | parameters | hidden | intermediate | layers | heads | kv heads | vocab |\n|---|---:|---:|---:|---:|---:|---:|---:|\n"
      for m in ModelConfig.presets {
        out +=
          "| \(m.id) | \(NumberFormatting.grouped(Double(ParameterInventory(m).parameters))) | \(m.hidden) | \(m.intermediate) | \(m.layers) | \(m.heads) | \(m.kvHeads) | \(m.vocab) |\n"
      }
    case "gpus":
      out +=
        "| id | name | memory | bf16 TFLOP/s | SMs | bandwidth GB/s | link | intra-node GB/s | inter-node GB/s | TDP W |\n"
        + "|---|---|---:|---:|---:|---:|---|---:|---:|---:|\n"
      for g in GPUSpec.catalog {
        let bf16 =
          g.bf16FLOPS > 0
          ? NumberFormatting.fixed(g.bf16FLOPS / 1e12, 1)
          : "none (fp16 \(NumberFormatting.fixed(g.fp16FLOPS / 1e12, 0)))"
        let link = g.interconnect.rawValue + (g.peerToPeer ? "" : ", no peer-to-peer (via host)")
        out +=
          "| \(g.id) | \(g.name) | \(g.memory) | \(bf16) | \(Int(g.multiprocessors)) | \(NumberFormatting.grouped(g.bandwidth / 1e9)) | \(link) | \(NumberFormatting.grouped(g.intraNodeBandwidth / 1e9)) | \(NumberFormatting.fixed(g.interNodeBandwidth / 1e9, 1)) | \(Int(g.tdpWatts)) |\n"
      }
    case "optimizers":
      for o in OptimizerKind.allCases {
        out += "\(o.rawValue.padding(toLength: 14, withPad: " ", startingAt: 0)) \(o.summary)\n"
      }
    default:
      out += Settings.markdownTable
    }
    return out
  }
}
