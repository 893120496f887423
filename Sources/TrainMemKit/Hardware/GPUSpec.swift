// GPU catalog. Sources: research/peers.md §6 (datasheets via the cited pages) unless noted.
// - `memory` is what `torch.cuda.get_device_properties().total_memory` reports, which is below
//   the marketing figure (ECC and driver reservations). H200: measured (calibration/
//   h200-llama-pretrain.json env.gpu_total_bytes). Others: the nominal capacity in MiB as
//   nvidia-smi lists it, less the 0.75 GiB the driver and ECC keep on data-centre parts
//   (the H200 gap measured here: 141 GB nominal vs 139.8 GiB usable) — an assumption, stated.
// - `bf16TFLOPS` is the dense BF16 tensor rate with FP32 accumulate, which training uses;
//   GeForce cards run it at half the FP16-accumulate headline (NVIDIA Ampere/Ada whitepapers).
// - `linkGBps` is the per-direction GPU-to-GPU bandwidth: NVLink3 600 GB/s bidirectional → 300,
//   NVLink4 900 → 450, PCIe 4.0 x16 32 GB/s, PCIe 5.0 x16 64 GB/s per direction.
// - `multiprocessors` is the SM count of the shipping part (NVIDIA datasheets and architecture
//   whitepapers: A100 108, H100 SXM5 132, H100 PCIe 114, H200 132 — also measured:
//   calibration env.sm —, L40S 142, RTX A6000 84, V100 80, RTX 3060 28, 3090 82, 4080 76,
//   4090 128, 5090 170). The throughput model uses the rate per SM to scale its tile curve.

/// The tensor-core generation, which decides which matmul kernels cuBLAS can use.
enum GPUArchitecture: String, Sendable {
  case volta, ampere, ada, hopper, blackwell

  /// Rate of a matmul whose leading dimensions are not multiples of 16 bytes, relative to an
  /// aligned one. Ampere and Ada load operands with `cp.async` in 4-, 8- or 16-byte pieces:
  /// narrower loads, half speed (assumed; APOLLO Table 7's LLaMA-1B backward on an A100 agrees,
  /// see `validate`). Hopper's fast kernels (wgmma fed by TMA) need 16-byte-aligned strides;
  /// without them cuBLAS falls back to Ampere-style mma.sync kernels, which reach about half
  /// of Hopper's rate (FlashAttention-3, arXiv:2407.08608: 1.5–2.0× over the Ampere-style
  /// FlashAttention-2 on an H100), and load narrowly too: 0.5 × 0.5 = 0.25. Checked: the two
  /// shared LLaMA-1B H200 steps (intermediate 5,461) are then within 5% (calibration/
  /// h200-llama-1b.json); at 0.5 they were 37–60% too fast.
  var misalignedMatmulEfficiency: Double {
    switch self {
    case .hopper: return 0.25
    case .volta, .ampere, .ada, .blackwell: return 0.5
    }
  }

  /// Flash attention's sustained rate, forward and backward, as a share of the matmul rate the
  /// roofline uses (80% of the datasheet). FlashAttention-2 is written for Ampere's mma.sync:
  /// on an A100 it sustains 187–203 TFLOP/s forward + backward at long sequences, head
  /// dimension 128 (Dao 2023, arXiv:2307.08691, Fig. 6), 0.61 of 312: 0.76 here. On Hopper the
  /// same kernels run without wgmma/TMA at about half the chip's rate: 0.40, fitted on the H200
  /// calibration steps (0.40 × 0.80 × 989 ≈ 316 TFLOP/s, where FA2 reports 300–335 on an H100).
  /// Ada runs the Ampere kernels (assumed Ampere's share); Blackwell and Volta are assumed
  /// Hopper's (no FA2 tuned for them in PyTorch's SDPA; Volta falls back to the
  /// memory-efficient kernel).
  var attentionEfficiency: Double {
    switch self {
    case .ampere, .ada: return 0.76
    case .hopper, .blackwell, .volta: return 0.40
    }
  }
}

/// How GPUs in one box talk to each other.
enum Interconnect: String, Sendable {
  case nvlink2 = "NVLink 2", nvlink3 = "NVLink 3", nvlink4 = "NVLink 4"
  case pcie3 = "PCIe 3.0", pcie4 = "PCIe 4.0", pcie5 = "PCIe 5.0"

  /// Per-direction x16 rate of a PCIe link (PCI-SIG: 8, 16, 32 GT/s × 16 lanes, 128b/130b),
  /// or 0 for NVLink (its rate is per GPU model).
  var perDirection: Double {
    switch self {
    case .pcie3: return 16e9
    case .pcie4: return 32e9
    case .pcie5: return 64e9
    case .nvlink2, .nvlink3, .nvlink4: return 0
    }
  }
}

/// One GPU model.
public struct GPUSpec: Sendable, Equatable {
  var id: String
  var name: String
  var memory: Bytes
  /// Dense BF16 tensor-core rate with FP32 accumulate, FLOP/s. 0 when the card has no BF16.
  var bf16FLOPS: Double
  /// FP16 tensor rate, FLOP/s (used when the card has no BF16, e.g. V100).
  var fp16FLOPS: Double
  /// Non-tensor FP32 rate, FLOP/s (pure fp32 training without TF32).
  var fp32FLOPS: Double
  /// Memory bandwidth, bytes/s.
  var bandwidth: Double
  var interconnect: Interconnect
  /// Per-direction GPU-to-GPU bandwidth, bytes/s.
  var linkBandwidth: Double
  var tdpWatts: Double
  /// Streaming multiprocessors (SMs); always > 0 (a custom GPU without `sms` gets the H200's
  /// rate per SM, ScenarioLoader.gpu).
  var multiprocessors: Double
  /// The tensor-core generation (a custom GPU is taken as Ampere-like unless it says).
  var architecture: GPUArchitecture = .ampere
  /// Whether GPUs in one box read each other's memory (NVLink, or PCIe peer-to-peer). NVIDIA
  /// disables PCIe peer-to-peer on GeForce cards, so NCCL stages every transfer through host
  /// memory (its SHM transport) — see `intraNodeBandwidth`.
  var peerToPeer: Bool = true
  /// Per-direction bandwidth of the card's host link (PCIe 3.0/4.0/5.0 x16: 16/32/64 GB/s).
  var hostLinkBandwidth: Double = 32e9
  /// Per-GPU bandwidth to other nodes, bytes/s: the NIC each GPU has in the reference system
  /// (DGX A100: one 200 Gb/s HDR InfiniBand port per GPU, 25 GB/s; DGX H100/H200: one 400 Gb/s
  /// NDR port per GPU, 50 GB/s — NVIDIA DGX user guides), or for PCIe and GeForce cards one
  /// 100 Gb/s Ethernet NIC shared by the node's GPUs (assumed: 12.5 GB/s / 8).
  var networkBandwidth: Double = 12.5e9 / 8
  /// GPUs in one node of the reference system (DGX/HGX boxes and 8-GPU workstations).
  var gpusPerNode: Int64 = 8

  /// The matmul rate this card gives training in a 16-bit format.
  var tensorFLOPS: Double { bf16FLOPS > 0 ? bf16FLOPS : fp16FLOPS }
  /// fp32 matmuls with TF32 allowed (as in the calibration runs): half the dense BF16 rate on
  /// Ampere and later (A100 156 of 312, H100 SXM 494.7 of 989.4, RTX 4090 82.6 of 165.2 —
  /// NVIDIA datasheets/whitepapers); cards without BF16 (V100) have no TF32 either.
  var tf32FLOPS: Double { bf16FLOPS > 0 ? bf16FLOPS / 2 : fp32FLOPS }

  /// The per-GPU bandwidth collectives reach inside a node: the GPU-to-GPU link, or without
  /// peer-to-peer the host-staged path (`hostStagedShare` of the host link).
  var intraNodeBandwidth: Double { peerToPeer ? linkBandwidth : hostLinkBandwidth * Self.hostStagedShare }
  var interNodeBandwidth: Double { networkBandwidth }
  /// GPUs of one node that reach each other over NVLink (NCCL's NVLink latencies), not PCIe.
  var nvlinkPeers: Bool { peerToPeer && interconnect.perDirection == 0 }

  /// Without peer-to-peer, NCCL's SHM transport copies each chunk into host memory and the
  /// peer copies it out ("Geforce GPUs can't use GPU direct P2P, so traffic has to go back to
  /// the CPU", halving the bandwidth — NCCL maintainer, NVIDIA/nccl#1086). Checked: 8 RTX 5090
  /// on PCIe 5.0 reach 28 GB/s all-reduce bus bandwidth (NVIDIA/nccl#1639); 0.5 × 64 GB/s ×
  /// the 75% ring efficiency is 24 GB/s. Derived, with the measurement as a check.
  static let hostStagedShare = 0.5

  static func make(
    _ id: String, _ name: String, mib: Int64, reservedMiB: Int64 = 768, bf16: Double,
    fp16: Double? = nil, fp32: Double, bw: Double, link: Interconnect, linkGB: Double,
    tdp: Double, sms: Double, arch: GPUArchitecture, host: Interconnect = .pcie4, networkGB: Double = 12.5 / 8,
    peerToPeer: Bool = true
  ) -> GPUSpec {
    GPUSpec(
      id: id, name: name, memory: .mib(mib - reservedMiB), bf16FLOPS: bf16 * 1e12,
      fp16FLOPS: (fp16 ?? bf16) * 1e12, fp32FLOPS: fp32 * 1e12, bandwidth: bw * 1e9,
      interconnect: link, linkBandwidth: linkGB * 1e9, tdpWatts: tdp, multiprocessors: sms, architecture: arch,
      peerToPeer: peerToPeer, hostLinkBandwidth: host.perDirection, networkBandwidth: networkGB * 1e9)
  }

  static let catalog: [GPUSpec] = [
    // A100 datasheet: 312 TF BF16 dense, 19.5 FP32, 1,555 / 2,039 GB/s, NVLink3 600 GB/s, 400 W.
    make(
      "a100-40gb", "A100-SXM4-40GB", mib: 40_960, bf16: 312, fp32: 19.5, bw: 1555, link: .nvlink3, linkGB: 300,
      tdp: 400, sms: 108, arch: .ampere, networkGB: 25),
    make(
      "a100-80gb", "A100-SXM4-80GB", mib: 81_920, bf16: 312, fp32: 19.5, bw: 2039, link: .nvlink3, linkGB: 300,
      tdp: 400, sms: 108, arch: .ampere, networkGB: 25),
    // A100 PCIe 80GB: 1,935 GB/s, 300 W, PCIe 4.0 x16 (thundercompute, llm-analysis).
    make(
      "a100-80gb-pcie", "A100-PCIE-80GB", mib: 81_920, bf16: 312, fp32: 19.5, bw: 1935, link: .pcie4, linkGB: 32,
      tdp: 300, sms: 108, arch: .ampere),
    // H100 SXM5: 989.4 TF BF16 dense, 66.9 FP32, 3.35 TB/s, NVLink4 900 GB/s, 700 W.
    make(
      "h100-sxm", "H100-SXM5-80GB", mib: 81_559, bf16: 989.4, fp32: 66.9, bw: 3350, link: .nvlink4, linkGB: 450,
      tdp: 700, sms: 132, arch: .hopper, host: .pcie5, networkGB: 50),
    // H100 PCIe: 756 TF BF16 dense, 51 FP32, 2.0 TB/s, PCIe 5.0, 350 W (NVIDIA H100 datasheet).
    make(
      "h100-pcie", "H100-PCIe-80GB", mib: 81_559, bf16: 756, fp32: 51, bw: 2000, link: .pcie5, linkGB: 64, tdp: 350,
      sms: 114, arch: .hopper, host: .pcie5),
    // H200: 989 TF, 4.8 TB/s, 141 GB HBM3e; memory measured: 150,109,880,320 bytes.
    GPUSpec(
      id: "h200", name: "H200", memory: .bytes(150_109_880_320), bf16FLOPS: 989e12, fp16FLOPS: 989e12, fp32FLOPS: 67e12,
      bandwidth: 4800e9, interconnect: .nvlink4, linkBandwidth: 450e9, tdpWatts: 700, multiprocessors: 132,
      architecture: .hopper, hostLinkBandwidth: 64e9, networkBandwidth: 50e9),
    // L40S: 362.05 TF BF16, 91.6 FP32, 864 GB/s, PCIe 4.0, 350 W (datasheet via mullet.se).
    make(
      "l40s", "L40S", mib: 46_068, bf16: 362.05, fp32: 91.6, bw: 864, link: .pcie4, linkGB: 32, tdp: 350, sms: 142,
      arch: .ada),
    // RTX A6000: 154.8 TF, 38.7 FP32, 768 GB/s, NVLink bridge 112.5 GB/s bidirectional, 300 W.
    make(
      "rtx-a6000", "RTX A6000", mib: 49_140, bf16: 154.8, fp32: 38.7, bw: 768, link: .pcie4, linkGB: 32, tdp: 300,
      sms: 84, arch: .ampere),
    // V100 SXM2 32GB: FP16 tensor 125 TF, no BF16, 15.7 FP32, 900 GB/s, NVLink2 300 GB/s, 300 W.
    make(
      "v100-32gb", "V100-SXM2-32GB", mib: 32_768, bf16: 0, fp16: 125, fp32: 15.7, bw: 900, link: .nvlink2, linkGB: 150,
      tdp: 300, sms: 80, arch: .volta, host: .pcie3, networkGB: 12.5 * 4 / 8),
    // GeForce: FP32-accumulate tensor rate = half the FP16-accumulate headline.
    // RTX 3060 12GB: 25.5 TF (derived: 28 SM × 1.777 GHz × 512), 12.74 FP32, 360 GB/s, 170 W.
    make(
      "rtx-3060", "GeForce RTX 3060 12GB", mib: 12_288, reservedMiB: 250, bf16: 25.5, fp32: 12.74, bw: 360,
      link: .pcie4, linkGB: 32, tdp: 170, sms: 28, arch: .ampere, peerToPeer: false),
    // RTX 3090: 71 TF (GA102 whitepaper half rate), 35.6 FP32, 936 GB/s, 350 W.
    make(
      "rtx-3090", "GeForce RTX 3090", mib: 24_576, reservedMiB: 250, bf16: 71, fp32: 35.6, bw: 936, link: .pcie4,
      linkGB: 32, tdp: 350, sms: 82, arch: .ampere, peerToPeer: false),
    // RTX 4080: 97.5 TF (Ada whitepaper; marked unverified in peers.md — it checks out as 76 SMs
    // × 2.505 GHz boost × 512 FLOP/clock, the 4090's rate per SM and clock: 165.2 TF = 128 ×
    // 2.52 GHz × 512), 48.7 FP32, 716.8 GB/s, 320 W.
    make(
      "rtx-4080", "GeForce RTX 4080", mib: 16_376, reservedMiB: 250, bf16: 97.5, fp32: 48.7, bw: 716.8, link: .pcie4,
      linkGB: 32, tdp: 320, sms: 76, arch: .ada, peerToPeer: false),
    // RTX 4090: 165.2 TF FP32-acc, 82.6 FP32, 1,008 GB/s, 450 W.
    make(
      "rtx-4090", "GeForce RTX 4090", mib: 24_564, reservedMiB: 250, bf16: 165.2, fp32: 82.6, bw: 1008, link: .pcie4,
      linkGB: 32, tdp: 450, sms: 128, arch: .ada, peerToPeer: false),
    // RTX 5090: 209.5 TF FP32-acc (half of 419 dense FP16-acc; peers.md marks it unverified —
    // it checks out as 170 SMs × 2.407 GHz boost × 512 FLOP/clock, as for Ada),
    // 104.8 FP32, 1,792 GB/s, PCIe 5.0, 575 W.
    make(
      "rtx-5090", "GeForce RTX 5090", mib: 32_607, reservedMiB: 250, bf16: 209.5, fp32: 104.8, bw: 1792, link: .pcie5,
      linkGB: 64, tdp: 575, sms: 170, arch: .blackwell, host: .pcie5, peerToPeer: false),
  ]

  static func preset(_ id: String) -> GPUSpec? { catalog.first { $0.id == id } }

  /// The H200's dense BF16 rate per SM (989 TFLOP/s over 132 SMs), where the throughput
  /// model's tile curve was calibrated.
  static let referenceRatePerSM = 989e12 / 132
}
