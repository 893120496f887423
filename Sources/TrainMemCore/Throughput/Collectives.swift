import Foundation

// NCCL collectives on a two-level network: GPUs in a node talk over NVLink or PCIe (or, without
// peer-to-peer, through host memory), nodes over the node's network ports. Times follow NCCL's
// own tuning model (src/graph/tuning.cc: `time = latency · latCount + bytes / busBandwidth`):
// a ring crosses the slowest link it uses, and each of its steps pays that link's latency.

/// A group of GPUs a collective runs over.
package struct CollectiveGroup: Sendable {
  /// GPUs in the group.
  package var gpus: Int64
  /// GPUs of the group inside one node.
  package var perNode: Int64
  /// Per-GPU bandwidth inside a node, and each GPU's share of its node's network ports, bytes/s.
  package var intra: Double
  package var inter: Double
  /// NVLink or PCIe inside the node (decides the per-step latency).
  package var nvlink: Bool

  package var nodes: Int64 { (gpus + perNode - 1) / perNode }

  /// nccl-tests bus bandwidth reaches about 75% of the per-direction NVLink/PCIe rate (fitted
  /// earlier on the APOLLO 8×A100 DDP figures; `trainmem validate`), and about 96% of a
  /// network port's line rate ("24GB/s is the peak performance per 200G NIC", NCCL maintainer,
  /// NVIDIA/nccl-tests#119).
  package static let intraEfficiency = 0.75
  package static let interEfficiency = 0.96
  /// NCCL ring latencies, Simple protocol, microseconds (tuning.cc `baseLat`, `hwLat`): a base
  /// per collective and one per step on NVLink, PCIe or the network.
  package static let baseLatency = 8.4e-6
  package static let nvlinkStepLatency = 3.4e-6
  package static let pcieStepLatency = 5.7e-6
  package static let networkStepLatency = 14e-6

  /// The bus bandwidth of a ring collective over the group: the slower of the node's links and,
  /// when the ring leaves the node, the ports its GPUs there use.
  ///
  /// NCCL builds one ring per channel and spreads the channels over the node's NICs, so a
  /// group with g GPUs in each node crosses the network through g GPUs' share of the ports:
  /// "DGX-1 can get 48 GB/s because we have 4 IB adapters instead of 1" (NVIDIA/nccl-tests#29);
  /// 8 × 200 Gb/s HDR measure 192 GB/s all-reduce bus bandwidth on DGX A100 (NVIDIA/nccl#1576);
  /// 46–48 GB/s per 400 Gb/s NDR port (nccl-tests#290). A group with one GPU per node (HSDP's
  /// replicas, the data-parallel ranks of one tensor-parallel rank) uses that GPU's share, while
  /// the node's other GPUs run their own groups on the other ports. Derived from the
  /// maintainers' statements; the 96% is theirs (`interEfficiency`).
  package var busBandwidth: Double {
    let inside = intra * Self.intraEfficiency
    return nodes > 1 ? min(inside, inter * Double(perNode) * Self.interEfficiency) : inside
  }

  /// An all-to-all's per-GPU bandwidth: each GPU's traffic to other nodes leaves through its own
  /// share of the ports — "Alltoall cannot aggregate the bandwidth of multiple NICs"
  /// (NCCL maintainer, NVIDIA/nccl-tests#267).
  package var allToAllBandwidth: Double {
    let inside = intra * Self.intraEfficiency
    return nodes > 1 ? min(inside, inter * Self.interEfficiency) : inside
  }

  /// The latency of one ring collective of `steps` steps, `interSteps` of them across nodes.
  package func latency(steps: Int64, interSteps: Int64) -> Double {
    let hop = nvlink ? Self.nvlinkStepLatency : Self.pcieStepLatency
    return Self.baseLatency + Double(steps - interSteps) * hop + Double(interSteps) * Self.networkStepLatency
  }

  /// All-reduce of `bytes` per GPU in `messages` collectives: 2(n−1)/n × bytes over the bus
  /// bandwidth, with the latency of a ring (2(n−1) steps) or, when lower, of NCCL's tree (up
  /// and down a chain inside each node and a binary tree across nodes: 2((g−1) + ⌈log2 nodes⌉)
  /// steps) — NCCL picks the faster (tuning.cc).
  package func allReduce(_ bytes: Double, messages: Double = 1) -> Double {
    guard gpus > 1 else { return 0 }
    let n = Double(gpus)
    let ring = latency(steps: 2 * (gpus - 1), interSteps: 2 * (nodes - 1))
    let depth = Int64(Double(nodes).logBase2Ceiling)
    let tree = latency(steps: 2 * (min(gpus, perNode) - 1 + depth), interSteps: 2 * depth)
    return 2 * (n - 1) / n * bytes / busBandwidth + messages * min(ring, tree)
  }

  /// All-to-all of `bytes` per GPU: (n−1)/n of it leaves, each GPU at its own share of the
  /// ports across nodes (`allToAllBandwidth`), n−1 steps.
  package func allToAll(_ bytes: Double) -> Double {
    guard gpus > 1 else { return 0 }
    let n = Double(gpus)
    return (n - 1) / n * bytes / allToAllBandwidth + latency(steps: gpus - 1, interSteps: nodes - 1)
  }

  /// Ring all-gather or reduce-scatter of a `bytes` unsharded tensor: (n−1)/n × bytes, n−1 steps.
  package func allGather(_ bytes: Double, messages: Double = 1) -> Double {
    guard gpus > 1 else { return 0 }
    let n = Double(gpus)
    return (n - 1) / n * bytes / busBandwidth + messages * latency(steps: gpus - 1, interSteps: nodes - 1)
  }
}

extension Double {
  /// ⌈log2 x⌉ for x ≥ 1.
  fileprivate var logBase2Ceiling: Double { self <= 1 ? 0 : (Foundation.log2(self)).rounded(.up) }
}

extension TrainingSetup {
  /// The group data-parallel collectives run over: every GPU, or under `hsdp` one node.
  package var shardGroup: CollectiveGroup {
    let n = parallel == .hsdp ? shardDegree : dataParallel
    return CollectiveGroup(
      gpus: n, perNode: min(n, nodeSize), intra: intraNodeLink, inter: interNodeLink,
      nvlink: gpu.nvlinkPeers)
  }

  /// HSDP's replica group: the GPUs holding the same shard, one per node, each over its own
  /// network port (no link inside a node is crossed, hence the unbounded `intra`).
  package var replicaGroup: CollectiveGroup {
    let nodes = max(1, dataParallel / shardDegree)
    return CollectiveGroup(gpus: nodes, perNode: 1, intra: .infinity, inter: interNodeLink, nvlink: false)
  }
}
