import Foundation
import TrainMemCore
import TrainMemIO

/// `trainmem list models|gpus|optimizers|frameworks|settings`.
enum ListCommand {
  static let topics = ["models", "gpus", "optimizers", "frameworks", "settings"]

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
      var family = ""
      for m in ModelConfig.presets {
        if m.family != family {
          family = m.family
          out += (out.isEmpty ? "" : "\n") + "### \(family)\n\n"
          out +=
            "| id | parameters | active | hidden | intermediate | layers | heads | kv heads | head dim | vocab | architecture |\n"
          out += "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|\n"
        }
        let inv = ParameterInventory(m)
        let active = m.moe == nil ? "=" : NumberFormatting.grouped(Double(inv.activeParameters))
        let intermediate =
          m.moe.map { m.moeLayers == m.layers ? "\($0.expertIntermediate) per expert" : "\(m.intermediate)" }
          ?? "\(m.intermediate)"
        out +=
          "| \(m.id) | \(NumberFormatting.grouped(Double(inv.parameters))) | \(active) | \(m.hidden) | \(intermediate) | \(m.layers) | \(m.heads) | \(m.kvHeads) | \(m.headDim) | \(m.vocab) | \(m.architectureSummary) |\n"
      }
    case "gpus":
      out +=
        "| id | name | architecture | memory | bf16 TFLOP/s | fp8 TFLOP/s | SMs | bandwidth GB/s | link | intra-node GB/s | network per node | TDP W | $/GPU-hour | speed checked |\n"
        + "|---|---|---|---:|---:|---:|---:|---:|---|---:|---|---:|---:|---|\n"
      for g in GPUSpec.catalog {
        let bf16 =
          g.bf16FLOPS > 0
          ? NumberFormatting.fixed(g.bf16FLOPS / 1e12, 1)
          : "none (fp16 \(NumberFormatting.fixed(g.fp16FLOPS / 1e12, 0)))"
        let fp8 = g.fp8FLOPS > 0 ? NumberFormatting.fixed(g.fp8FLOPS / 1e12, 1) : "none"
        let link = g.interconnect.rawValue + (g.peerToPeer ? "" : ", no peer-to-peer (via host)")
        let price = g.listPrice.map { NumberFormatting.fixed($0, 2) } ?? "–"
        let checked = g.architecture.throughputChecked ? "yes" : "no (extrapolated)"
        let network =
          "\(g.nics) × \(NumberFormatting.grouped(g.nicBandwidth * 8 / 1e9)) Gb/s for \(g.gpusPerNode) GPUs"
        out +=
          "| \(g.id) | \(g.name) | \(g.architecture.displayName) | \(g.memory) | \(bf16) | \(fp8) | \(Int(g.multiprocessors)) | \(NumberFormatting.grouped(g.bandwidth / 1e9)) | \(link) | \(NumberFormatting.grouped(g.intraNodeBandwidth / 1e9)) | \(network) | \(Int(g.tdpWatts)) | \(price) | \(checked) |\n"
      }
      out +=
        "\nSources: each card's datasheet, cited in Hardware/GPUSpec.swift. Memory is what PyTorch reports (nvidia-smi's total less 0.75 GiB on data-centre cards; measured on the H200). Prices: RunPod on-demand list of 2026-09-25 unless GPUSpec.swift names another provider or a placeholder; `price` overrides. \"speed checked\": a published or measured throughput figure covers the architecture (`trainmem validate`).\n"
    case "frameworks":
      for f in Framework.allCases {
        out += (out.isEmpty ? "" : "\n") + "### \(f.rawValue): \(f.summary)\n\n"
        out += "Runs parallel: \(f.parallelModes.map(\.rawValue).joined(separator: ", ")).\n\n"
        out += "| setting | value | where the framework sets it |\n|---|---|---|\n"
        for d in f.defaults {
          out += "| `\(d.setting.path)` | \(d.value)\(d.scopeNote) | \(d.source) |\n"
        }
      }
      out +=
        "\nA profile fills only the settings a run does not give; any key overrides it, and a given precision keeps its master weights and gradient dtype out. Commits: docs/research/framework-defaults.md.\n"
    case "optimizers":
      for o in OptimizerKind.allCases {
        out += "\(o.rawValue.padding(toLength: 14, withPad: " ", startingAt: 0)) \(o.summary)\n"
      }
    default:
      out += Settings.markdownTable
      for t in CustomMappings.tables { out += "\n\(t.title):\n\n\(t.table)" }
    }
    return out
  }
}
