// GPU catalog. Sources: each vendor's datasheet, unless a card notes another.
// - `memory` is what `torch.cuda.get_device_properties().total_memory` reports, which is below
//   the marketing figure (ECC and driver reservations). H200: measured (calibration/
//   h200-llama-pretrain.json env.gpu_total_bytes). Others: the nominal capacity in MiB as
//   nvidia-smi lists it, less the 0.75 GiB the driver and ECC keep on data-centre parts
//   (the H200 gap measured here: 141 GB nominal vs 139.8 GiB usable) — an assumption, stated.
//   Per family: HBM parts (A100, H100/H200/H20/GH200, B200/GB200/B300) list their usable total;
//   GDDR data-centre cards (A40, L40, L40S, L4, A10, A10G, T4) run with ECC on in the cloud,
//   which nvidia-smi's total already excludes (A40 46,068 MiB on, 49,140 off); workstation
//   cards (RTX A6000, RTX 6000 Ada, RTX PRO 6000) ship with ECC off; GeForce cards keep 250 MiB;
//   AMD's rocm-smi totals are in GiB (MI300X "192 GB" = 206,141,652,992 bytes).
// - `bf16TFLOPS` is the dense BF16 tensor rate with FP32 accumulate, which training uses;
//   GeForce cards run it at half the FP16-accumulate headline (NVIDIA Ampere/Ada whitepapers).
// - `linkGBps` is the per-direction GPU-to-GPU bandwidth: NVLink3 600 GB/s bidirectional → 300,
//   NVLink4 900 → 450, PCIe 4.0 x16 32 GB/s, PCIe 5.0 x16 64 GB/s per direction.
// - `multiprocessors` is the SM count of the shipping part (NVIDIA datasheets and architecture
//   whitepapers: A100 108, H100 SXM5 132, H100 PCIe 114, H200 132 — also measured:
//   calibration env.sm —, L40S 142, RTX A6000 84, V100 80, RTX 3060 28, 3090 82, 4080 76,
//   4090 128, 5090 170). The throughput model uses the rate per SM to scale its tile curve.

/// The tensor-core generation, which decides which matmul kernels cuBLAS can use.
package enum GPUArchitecture: String, Sendable {
  case volta, turing, ampere, ada, hopper, blackwell
  /// AMD Instinct MI300X/MI325X (gfx942) and MI350X/MI355X (gfx950): rocBLAS/hipBLASLt matmuls
  /// and CK or aotriton flash attention. Their efficiencies below are assumed, not checked.
  case cdna3, cdna4

  /// "CDNA 3", "Hopper": for reports.
  package var displayName: String {
    switch self {
    case .cdna3: return "CDNA 3"
    case .cdna4: return "CDNA 4"
    default: return rawValue.capitalized
    }
  }

  /// Whether a published or measured absolute throughput figure checks this family
  /// (`validate`): the H200 calibration (Hopper), APOLLO Table 7 and FSDP runs (Ampere), the
  /// GaLore RTX 4090 step (Ada), NVIDIA's Megatron-Bridge FP8 steps on B200 and GB200
  /// (Blackwell, within 9%).
  ///
  /// On CDNA 3 only FP8-over-bf16 ratios are checked (torchao's MI300X
  /// baseline is a known gap); others are extrapolated.
  package var throughputChecked: Bool {
    switch self {
    case .hopper, .ampere, .ada, .blackwell: return true
    case .volta, .turing, .cdna3, .cdna4: return false
    }
  }

  /// Rate of a matmul whose leading dimensions are aligned only to `bytes` (16, 8, 4 or 2),
  /// relative to a 16-byte-aligned one.
  ///
  /// cuBLAS's fastest kernels load operands 16 bytes at a
  /// time; narrower alignment takes narrower loads (NVIDIA Matrix Multiplication Background
  /// guide §2.2 and its cuBLAS 11 figure: 8- and 4-byte alignment intermediate, 2-byte
  /// slowest). Graded:
  /// - 8 bytes: 0.8, assumed (CUTLASS has 4-element-aligned kernels; no measurement found);
  /// - 4 bytes: 0.685, measured on an H100 (ml-engineering `swiglu-maf-bench.py`: d_ff 10,922
  ///   at 272.7 TFLOP/s against 398.4 at 10,944), taken for every family;
  /// - 2 bytes (an odd bf16 side): on Ampere and Ada 0.5 (`cp.async` in 4-byte pieces,
  ///   assumed; APOLLO Table 7's LLaMA-1B backward on an A100 agrees, see `validate`); on
  ///   Hopper 0.25 — its fast kernels (wgmma fed by TMA) need 16-byte strides, and the
  ///   fallbacks reach about half of Hopper's rate (FlashAttention-3, arXiv:2407.08608) and
  ///   load narrowly too: 0.5 × 0.5 (derived; checked on the two shared LLaMA-1B H200 steps,
  ///   intermediate 5,461, within 5%; at 0.5 they were 37–60% too fast). Blackwell, AMD and
  ///   older parts are assumed Ampere's.
  package func matmulEfficiency(alignmentBytes bytes: Int) -> Double {
    switch bytes {
    case 16...: return 1
    case 8: return 0.8
    case 4: return 0.685
    default: return self == .hopper ? 0.25 : 0.5
    }
  }

  /// Flash attention's sustained rate, forward and backward, as a share of the matmul rate the
  /// roofline uses (80% of the datasheet).
  ///
  /// FlashAttention-2 is written for Ampere's mma.sync:
  /// on an A100 it sustains 187–203 TFLOP/s forward + backward at long sequences, head
  /// dimension 128 (Dao 2023, arXiv:2307.08691, Fig. 6), 0.61 of 312: 0.76 here. On Hopper the
  /// same kernels run without wgmma/TMA at about half the chip's rate: 0.40, fitted on the H200
  /// calibration steps (0.40 × 0.80 × 989 ≈ 316 TFLOP/s, where FA2 reports 300–335 on an H100).
  /// Ada runs the Ampere kernels (assumed Ampere's share); Blackwell, Volta and Turing are
  /// assumed Hopper's (no FA2 tuned for them in PyTorch's SDPA; Volta and Turing fall back to
  /// the memory-efficient kernel); AMD's CK/aotriton kernels are assumed the same (no figure).
  package var attentionEfficiency: Double {
    switch self {
    case .ampere, .ada: return 0.76
    case .hopper, .blackwell, .volta, .turing, .cdna3, .cdna4: return 0.40
    }
  }
}

/// How GPUs in one box talk to each other.
package enum Interconnect: String, Sendable {
  case nvlink2 = "NVLink 2", nvlink3 = "NVLink 3", nvlink4 = "NVLink 4", nvlink5 = "NVLink 5"
  /// AMD Infinity Fabric (xGMI): seven links per GPU in a fully connected 8-GPU board.
  case infinityFabric = "Infinity Fabric"
  case pcie3 = "PCIe 3.0", pcie4 = "PCIe 4.0", pcie5 = "PCIe 5.0"
  /// NVLink-C2C between a Grace CPU and its GPU (GH200, GB200): 900 GB/s bidirectional.
  case c2c = "NVLink-C2C"

  /// Per-direction rate of a host link (PCI-SIG x16: 8, 16, 32 GT/s × 16 lanes, 128b/130b;
  /// NVLink-C2C 450 GB/s), or 0 for GPU-to-GPU fabrics (their rate is per GPU model).
  package var perDirection: Double {
    switch self {
    case .pcie3: return 16e9
    case .pcie4: return 32e9
    case .pcie5: return 64e9
    case .c2c: return 450e9
    case .nvlink2, .nvlink3, .nvlink4, .nvlink5, .infinityFabric: return 0
    }
  }
}

/// One GPU model.
public struct GPUSpec: Sendable, Equatable {
  package var id: String
  package var name: String
  package var memory: Bytes
  /// Dense BF16 tensor-core rate with FP32 accumulate, FLOP/s.
  ///
  /// 0 when the card has no BF16.
  package var bf16FLOPS: Double
  /// FP16 tensor rate, FLOP/s (used when the card has no BF16, such as the V100).
  package var fp16FLOPS: Double
  /// Dense FP8 tensor rate with the accumulate `torch._scaled_mm` uses (FP32), FLOP/s; 0 when
  /// the card has no FP8 tensor cores (Ampere and older: `_scaled_mm` raises).
  package var fp8FLOPS: Double = 0
  /// Non-tensor FP32 rate, FLOP/s (pure fp32 training without TF32).
  package var fp32FLOPS: Double
  /// Memory bandwidth, bytes/s.
  package var bandwidth: Double
  package var interconnect: Interconnect
  /// Per-direction GPU-to-GPU bandwidth, bytes/s.
  package var linkBandwidth: Double
  package var tdpWatts: Double
  /// Streaming multiprocessors (SMs); always > 0 (a custom GPU without `sms` gets the H200's
  /// rate per SM, ScenarioLoader.gpu).
  package var multiprocessors: Double
  /// The tensor-core generation (a custom GPU is taken as Ampere-like unless it says).
  package var architecture: GPUArchitecture = .ampere
  /// Whether GPUs in one box read each other's memory (NVLink, or PCIe peer-to-peer).
  ///
  /// NVIDIA
  /// disables PCIe peer-to-peer on GeForce cards, so NCCL stages every transfer through host
  /// memory (its SHM transport) — see `intraNodeBandwidth`.
  package var peerToPeer: Bool = true
  /// Per-direction bandwidth of the card's host link (PCIe 3.0/4.0/5.0 x16: 16/32/64 GB/s).
  package var hostLinkBandwidth: Double = 32e9
  /// The reference system's network ports per node (compute fabric only, not storage) and
  /// each port's rate, one direction, bytes/s: DGX A100 8 × 200 Gb/s HDR InfiniBand, DGX
  /// H100/H200/B200 8 × 400 Gb/s NDR, DGX B300 8 × 800 Gb/s (NVIDIA DGX user guides); for PCIe
  /// and GeForce cards one 100 Gb/s Ethernet NIC per node (assumed).
  package var nics: Int64 = 1
  package var nicBandwidth: Double = 12.5e9
  /// GPUs in one node of the reference system (DGX/HGX boxes and 8-GPU workstations; the
  /// 72-GPU NVLink domain of a GB200 NVL72 rack).
  package var gpusPerNode: Int64 = 8
  /// Tensor cores with block-scaled FP8 (MXFP8: sm_100/sm_103 — B200, GB200, B300), which
  /// Transformer Engine's MXFP8 recipe needs, and which read an FP8 operand in either layout
  /// (no transposed copy).
  ///
  /// GeForce and RTX PRO Blackwell (sm_120) lack them in TE.
  package var blockScaledFP8 = false
  /// Share of the dense rate the best large bf16 matmul sustains: measured per GPU by
  /// stas00/ml-engineering's mamf-finder (`compute/accelerator/README.md`, "Maximum Achievable
  /// Matmul FLOPS": B200 77.6%, GB200 72.9%, B300 78.6%, GH200 83.8%, MI300X 51.4%, MI325X
  /// 60.4%, MI355X 68.0% with TunableOp); 0.80 elsewhere, the H200's own measurement (calibration steps;
  /// ml-engineering: H100/H200 80.3%) with which the tile curve was fitted.
  ///
  /// Their A100 figure
  /// (86.9%) is not used: the A100 checks in `validate` were set at 0.80.
  package var matmulEfficiency = ThroughputModel.matmulEfficiency
  /// Default price, dollars per GPU-hour: an on-demand list price (provider and date in the
  /// catalog's comments), or a labelled placeholder; `price` overrides it.
  package var listPrice: Double? = nil

  /// The matmul rate this card gives training in a 16-bit format.
  package var tensorFLOPS: Double { bf16FLOPS > 0 ? bf16FLOPS : fp16FLOPS }
  /// fp32 matmuls with TF32 allowed (as in the calibration runs): half the dense BF16 rate on
  /// Ampere and later (A100 156 of 312, H100 SXM 494.7 of 989.4, RTX 4090 82.6 of 165.2 —
  /// NVIDIA datasheets/whitepapers); cards without BF16 (V100) have no TF32 either.
  package var tf32FLOPS: Double { bf16FLOPS > 0 ? bf16FLOPS / 2 : fp32FLOPS }

  /// The per-GPU bandwidth collectives reach inside a node: the GPU-to-GPU link, or without
  /// peer-to-peer the host-staged path (`hostStagedShare` of the host link).
  package var intraNodeBandwidth: Double { peerToPeer ? linkBandwidth : hostLinkBandwidth * Self.hostStagedShare }
  /// Each GPU's share of its node's network ports.
  package var interNodeBandwidth: Double { Double(nics) * nicBandwidth / Double(gpusPerNode) }
  /// GPUs of one node that reach each other over NVLink (NCCL's NVLink latencies), not PCIe.
  package var nvlinkPeers: Bool { peerToPeer && interconnect.perDirection == 0 }

  /// Without peer-to-peer, NCCL's SHM transport copies each chunk into host memory and the
  /// peer copies it out ("Geforce GPUs can't use GPU direct P2P, so traffic has to go back to
  /// the CPU", halving the bandwidth — NCCL maintainer, NVIDIA/nccl#1086).
  ///
  /// Checked: 8 RTX 5090
  /// on PCIe 5.0 reach 28 GB/s all-reduce bus bandwidth (NVIDIA/nccl#1639); 0.5 × 64 GB/s ×
  /// the 75% ring efficiency is 24 GB/s. Derived, with the measurement as a check.
  package static let hostStagedShare = 0.5

  package static func make(
    _ id: String, _ name: String, mib: Int64, reservedMiB: Int64 = 768, bf16: Double,
    fp16: Double? = nil, fp8: Double = 0, fp32: Double, bw: Double, link: Interconnect, linkGB: Double,
    tdp: Double, sms: Double, arch: GPUArchitecture, host: Interconnect = .pcie4, nics: Int64 = 1, nicGB: Double = 12.5,
    peerToPeer: Bool = true, perNode: Int64 = 8, blockScaledFP8: Bool = false, mamf: Double? = nil, price: Double?
  ) -> GPUSpec {
    GPUSpec(
      id: id, name: name, memory: .mib(mib - reservedMiB), bf16FLOPS: bf16 * 1e12,
      fp16FLOPS: (fp16 ?? bf16) * 1e12, fp8FLOPS: fp8 * 1e12, fp32FLOPS: fp32 * 1e12, bandwidth: bw * 1e9,
      interconnect: link, linkBandwidth: linkGB * 1e9, tdpWatts: tdp, multiprocessors: sms, architecture: arch,
      peerToPeer: peerToPeer, hostLinkBandwidth: host.perDirection, nics: nics, nicBandwidth: nicGB * 1e9,
      gpusPerNode: perNode, blockScaledFP8: blockScaledFP8,
      matmulEfficiency: mamf ?? ThroughputModel.matmulEfficiency, listPrice: price)
  }

  // Prices (`listPrice`, $ per GPU-hour): RunPod's on-demand Community Cloud list
  // (runpod.io/pricing as archived 2026-09-25 in silybench-data `gpu_prices.csv`) unless a card
  // says otherwise; "placeholder" where no public list price was found.
  package static let catalog: [GPUSpec] = [
    // A100 datasheet: 312 TF BF16 dense, 19.5 FP32, 1,555 / 2,039 GB/s, NVLink3 600 GB/s, 400 W.
    // Prices: Lambda 1.99 (40GB, 2026-09-25); RunPod 1.39 (80GB).
    make(
      "a100-40gb", "A100-SXM4-40GB", mib: 40_960, bf16: 312, fp32: 19.5, bw: 1555, link: .nvlink3, linkGB: 300,
      tdp: 400, sms: 108, arch: .ampere, nics: 8, nicGB: 25, price: 1.99),
    make(
      "a100-80gb", "A100-SXM4-80GB", mib: 81_920, bf16: 312, fp32: 19.5, bw: 2039, link: .nvlink3, linkGB: 300,
      tdp: 400, sms: 108, arch: .ampere, nics: 8, nicGB: 25, price: 1.39),
    // A100 PCIe 80GB: 1,935 GB/s, 300 W, PCIe 4.0 x16 (thundercompute, llm-analysis).
    make(
      "a100-80gb-pcie", "A100-PCIE-80GB", mib: 81_920, bf16: 312, fp32: 19.5, bw: 1935, link: .pcie4, linkGB: 32,
      tdp: 300, sms: 108, arch: .ampere, price: 1.19),
    // H100 SXM5: 989.4 TF BF16 dense, 1,978.9 FP8, 66.9 FP32, 3.35 TB/s, NVLink4 900 GB/s, 700 W.
    make(
      "h100-sxm", "H100-SXM5-80GB", mib: 81_559, bf16: 989.4, fp8: 1978.9, fp32: 66.9, bw: 3350, link: .nvlink4,
      linkGB: 450, tdp: 700, sms: 132, arch: .hopper, host: .pcie5, nics: 8, nicGB: 50, price: 2.69),
    // H800 SXM5: the H100 SXM5's die and rates (989.4 TF BF16 dense, 1,978.9 FP8, 3.35 TB/s,
    // 80 GB, 700 W) with NVLink cut to 400 GB/s bidirectional (200 per direction) for export
    // (NVIDIA H800 product brief). DeepSeek-V3's cluster (arXiv 2412.19437 §3.1–3.2): 8 per
    // node over NVSwitch, one 400 Gb/s InfiniBand port per GPU ("IB (50 GB/s)"; NVLink
    // "160 GB/s" as achieved). Price: placeholder (China-only part).
    make(
      "h800", "H800-SXM5-80GB", mib: 81_559, bf16: 989.4, fp8: 1978.9, fp32: 66.9, bw: 3350, link: .nvlink4,
      linkGB: 200, tdp: 700, sms: 132, arch: .hopper, host: .pcie5, nics: 8, nicGB: 50, price: 2.00),
    // H100 PCIe: 756 TF BF16 dense, 1,513 FP8, 51 FP32, 2.0 TB/s, PCIe 5.0, 350 W (NVIDIA H100
    // datasheet).
    make(
      "h100-pcie", "H100-PCIe-80GB", mib: 81_559, bf16: 756, fp8: 1513, fp32: 51, bw: 2000, link: .pcie5, linkGB: 64,
      tdp: 350, sms: 114, arch: .hopper, host: .pcie5, price: 1.99),
    // H100 NVL: 835.5 TF BF16 dense, 1,670.5 FP8, 60 FP32, 3.9 TB/s, 94 GB (nvidia-smi 95,830 MiB),
    // PCIe 5.0 (its NVLink bridge joins pairs only), 400 W (NVIDIA H100 product page).
    make(
      "h100-nvl", "H100 NVL", mib: 95_830, bf16: 835.5, fp8: 1670.5, fp32: 60, bw: 3900, link: .pcie5, linkGB: 64,
      tdp: 400, sms: 132, arch: .hopper, host: .pcie5, price: 2.59),
    // H200: 989 TF, 1,979 FP8, 4.8 TB/s, 141 GB HBM3e; memory measured: 150,109,880,320 bytes.
    GPUSpec(
      id: "h200", name: "H200", memory: .bytes(150_109_880_320), bf16FLOPS: 989e12, fp16FLOPS: 989e12,
      fp8FLOPS: 1979e12, fp32FLOPS: 67e12, bandwidth: 4800e9, interconnect: .nvlink4, linkBandwidth: 450e9,
      tdpWatts: 700, multiprocessors: 132, architecture: .hopper, hostLinkBandwidth: 64e9, nics: 8, nicBandwidth: 50e9,
      listPrice: 3.59),
    // H20: 148 TF BF16 dense (a torch matmul measures 142.3: zzc0721/torch-performance-test-data
    // #77), 296 FP8, 44 FP32, 4.0 TB/s, 96 GB (97,871 MiB), NVLink4, 78 SMs (Geekbench;
    // unconfirmed), 400 W. No NVIDIA datasheet is public. Price: placeholder (China-only part).
    make(
      "h20", "H20", mib: 97_871, bf16: 148, fp8: 296, fp32: 44, bw: 4000, link: .nvlink4, linkGB: 450, tdp: 400,
      sms: 78, arch: .hopper, host: .pcie5, nics: 8, nicGB: 50, price: 1.50),
    // GH200 (96 GB HBM3 at 4.0 TB/s; 97,871 MiB): the H100's 132 SMs and rates, NVLink-C2C to
    // Grace (900 GB/s bidirectional), NVLink4 between superchips (4 per node in HPE quad
    // nodes), module up to 1,000 W. Lambda 1× GH200 2.29 (2026-09-25).
    make(
      "gh200", "GH200 96GB", mib: 97_871, bf16: 989.4, fp8: 1978.9, fp32: 66.9, bw: 4000, link: .nvlink4,
      linkGB: 450, tdp: 1000, sms: 132, arch: .hopper, host: .c2c, nics: 4, nicGB: 25, perNode: 4, mamf: 0.838,
      price: 2.29),
    // B200 (HGX): 2,250 TF BF16 dense, 4,500 FP8, 75 FP32, 7.7 TB/s, 180 GB (183,359 MiB),
    // NVLink5 1.8 TB/s, 148 SMs (pytorch/ao #4002), 1,000 W; DGX B200: one 400 Gb/s port per GPU
    // (NVIDIA DGX B200 user guide). RunPod 5.98.
    make(
      "b200", "B200", mib: 183_359, bf16: 2250, fp8: 4500, fp32: 75, bw: 7700, link: .nvlink5, linkGB: 900,
      tdp: 1000, sms: 148, arch: .blackwell, host: .pcie5, nics: 8, nicGB: 50, blockScaledFP8: true, mamf: 0.776,
      price: 5.98
    ),
    // GB200 (per GPU, NVL72): 2,500 TF BF16 dense, 5,000 FP8, 80 FP32, 8 TB/s, 186 GB
    // (189,471 MiB), NVLink5 across a 72-GPU domain, C2C to Grace, 148 SMs (assumed as B200),
    // 1,200 W; one 400 Gb/s port per GPU (Azure ND GB200 v6). Price: Spheron 9.08 per superchip
    // (two GPUs) = 4.54 (2026-03-17, single source: a placeholder).
    make(
      "gb200", "GB200 (per GPU)", mib: 189_471, bf16: 2500, fp8: 5000, fp32: 80, bw: 8000, link: .nvlink5,
      linkGB: 900, tdp: 1200, sms: 148, arch: .blackwell, host: .c2c, nics: 72, nicGB: 50, perNode: 72,
      blockScaledFP8: true, mamf: 0.729, price: 4.54),
    // B300 (HGX, Blackwell Ultra): 2,250 TF BF16 dense, 4,500 FP8, 75 FP32, 8 TB/s, 288 GB
    // (275,040 MiB), NVLink5, 160 SMs (unconfirmed), 1,100 W; one 800 Gb/s ConnectX-8 per GPU.
    // RunPod 6.94 (2026-08-19).
    make(
      "b300", "B300", mib: 275_040, bf16: 2250, fp8: 4500, fp32: 75, bw: 8000, link: .nvlink5, linkGB: 900,
      tdp: 1100, sms: 160, arch: .blackwell, host: .pcie5, nics: 8, nicGB: 100, blockScaledFP8: true, mamf: 0.786,
      price: 6.94),
    // AMD Instinct MI300X: 1,307.4 TF BF16 dense, 2,614.9 FP8, 163.4 FP32 vector, 5.3 TB/s,
    // 192 GB (rocm-smi 206,141,652,992 B), 304 CUs, 750 W (AMD datasheet via torchao
    // roofline_utils); Infinity Fabric: 7 links × 64 GB/s per direction = 448 GB/s per GPU in a
    // fully connected 8-GPU board (AMD CDNA 3 white paper). Vultr 1.85 (2026-05-18).
    make(
      "mi300x", "AMD Instinct MI300X", mib: 196_592, bf16: 1307.4, fp8: 2614.9, fp32: 163.4, bw: 5300,
      link: .infinityFabric, linkGB: 448, tdp: 750, sms: 304, arch: .cdna3, host: .pcie5, nics: 8, nicGB: 50,
      mamf: 0.514, price: 1.85),
    // MI325X: MI300X's compute with 256 GB HBM3E at 6.0 TB/s, 1,000 W. TensorWave 1.95
    // (2026-05-18).
    make(
      "mi325x", "AMD Instinct MI325X", mib: 262_144, bf16: 1307.4, fp8: 2614.9, fp32: 163.4, bw: 6000,
      link: .infinityFabric, linkGB: 448, tdp: 1000, sms: 304, arch: .cdna3, host: .pcie5, nics: 8, nicGB: 50,
      mamf: 0.604, price: 1.95),
    // MI355X: 256 CUs × 8,192 FP8 FLOP/clock × 2.4 GHz = 5,033 TF FP8 dense, 2,517 BF16, 157.3
    // FP32, 8 TB/s, 288 GB, 1,400 W (AMD, Hot Chips 2025; ISSCC 2026); Infinity Fabric 7 links at
    // about 76.8 GB/s per direction (unconfirmed). Price: placeholder at B200 class.
    make(
      "mi355x", "AMD Instinct MI355X", mib: 294_912, bf16: 2517, fp8: 5033, fp32: 157.3, bw: 8000,
      link: .infinityFabric, linkGB: 537, tdp: 1400, sms: 256, arch: .cdna4, host: .pcie5, nics: 8, nicGB: 50,
      mamf: 0.680, price: 5.00),
    // L40S: 362.05 TF BF16, 733 FP8, 91.6 FP32, 864 GB/s, PCIe 4.0, 350 W (datasheet via mullet.se).
    make(
      "l40s", "L40S", mib: 46_068, bf16: 362.05, fp8: 733, fp32: 91.6, bw: 864, link: .pcie4, linkGB: 32, tdp: 350,
      sms: 142, arch: .ada, price: 0.79),
    // L40: the L40S die with half its FP32-accumulate tensor rate: 181.05 TF BF16, 362 FP8, 90.5
    // FP32, 864 GB/s, 300 W (NVIDIA L40 datasheet via mullet.se). RunPod 0.69 (March 2026).
    make(
      "l40", "L40", mib: 46_068, bf16: 181.05, fp8: 362, fp32: 90.5, bw: 864, link: .pcie4, linkGB: 32, tdp: 300,
      sms: 142, arch: .ada, price: 0.69),
    // RTX 6000 Ada: 142 SMs × 2.505 GHz × 1,024 = 364.2 TF BF16 (a pro card: full-rate FP32
    // accumulate), 728.5 FP8, 91.1 FP32, 960 GB/s, 48 GB (49,140 MiB, ECC off by default),
    // 300 W. Peer-to-peer assumed off, as on GeForce Ada. Price: placeholder.
    make(
      "rtx-6000-ada", "RTX 6000 Ada Generation", mib: 49_140, bf16: 364.2, fp8: 728.5, fp32: 91.1, bw: 960,
      link: .pcie4, linkGB: 32, tdp: 300, sms: 142, arch: .ada, peerToPeer: false, price: 0.77),
    // RTX PRO 6000 Blackwell (Server/Workstation): 503.8 TF BF16, 1,007.6 FP8, 125 FP32,
    // 1,792 GB/s, 96 GB (97,887 MiB), 188 SMs, PCIe 5.0, 600 W (hmc-tech; unconfirmed against the
    // whitepaper). Peer-to-peer assumed off. RunPod 0.89 (March 2026).
    make(
      "rtx-pro-6000", "RTX PRO 6000 Blackwell", mib: 97_887, bf16: 503.8, fp8: 1007.6, fp32: 125, bw: 1792,
      link: .pcie5, linkGB: 64, tdp: 600, sms: 188, arch: .blackwell, host: .pcie5, peerToPeer: false, price: 0.89),
    // RTX A6000: 154.8 TF, 38.7 FP32, 768 GB/s, NVLink bridge 112.5 GB/s bidirectional, 300 W.
    // Verda on-demand 0.82 (2026-10-29).
    make(
      "rtx-a6000", "RTX A6000", mib: 49_140, bf16: 154.8, fp32: 38.7, bw: 768, link: .pcie4, linkGB: 32, tdp: 300,
      sms: 84, arch: .ampere, price: 0.82),
    // A40: 149.7 TF BF16 dense, 37.4 FP32, 696 GB/s, 48 GB (46,068 MiB with ECC), 84 SMs, 300 W
    // (NVIDIA A40 datasheet). RunPod 0.44 (2026-08-19).
    make(
      "a40", "A40", mib: 46_068, bf16: 149.7, fp32: 37.4, bw: 696, link: .pcie4, linkGB: 32, tdp: 300, sms: 84,
      arch: .ampere, price: 0.44),
    // A10: 125 TF BF16 dense, 31.2 FP32, 600 GB/s, 24 GB (23,028 MiB), 72 SMs, 150 W. Lambda
    // 1.29 (2026-09-25).
    make(
      "a10", "A10", mib: 23_028, bf16: 125, fp32: 31.2, bw: 600, link: .pcie4, linkGB: 32, tdp: 150, sms: 72,
      arch: .ampere, price: 1.29),
    // A10G (AWS g5): 70 TF BF16 with FP32 accumulate (llm-analysis a10g-pcie-24gb.json: 80 SMs
    // × 1.71 GHz × 512, a GeForce-style half rate), 35 FP32, 600 GB/s, 24 GB (23,028 MiB),
    // 300 W. AWS g5.xlarge 1.006 (us-east-1, June 2026).
    make(
      "a10g", "A10G", mib: 23_028, bf16: 70, fp32: 35, bw: 600, link: .pcie4, linkGB: 32, tdp: 300, sms: 80,
      arch: .ampere, price: 1.006),
    // L4: 121 TF BF16 dense, 242.5 FP8, 30.3 FP32, 300 GB/s, 24 GB (23,034 MiB), 58 SMs, 72 W
    // (NVIDIA L4 datasheet). RunPod 0.44 (March 2026).
    make(
      "l4", "L4", mib: 23_034, bf16: 121, fp8: 242.5, fp32: 30.3, bw: 300, link: .pcie4, linkGB: 32, tdp: 72,
      sms: 58, arch: .ada, price: 0.44),
    // T4 (Turing): no BF16, FP16 tensor 65 TF, 8.1 FP32, 320 GB/s, 16 GB (15,360 MiB), 40 SMs,
    // PCIe 3.0, 70 W. AWS g4dn.xlarge 0.526 (unconfirmed).
    make(
      "t4", "T4", mib: 15_360, bf16: 0, fp16: 65, fp32: 8.1, bw: 320, link: .pcie3, linkGB: 16, tdp: 70, sms: 40,
      arch: .turing, host: .pcie3, price: 0.526),
    // V100 SXM2 32GB: FP16 tensor 125 TF, no BF16, 15.7 FP32, 900 GB/s, NVLink2 300 GB/s, 300 W.
    // Price: placeholder (market lows 0.04–0.14, Paperspace 2.30).
    make(
      "v100-32gb", "V100-SXM2-32GB", mib: 32_768, bf16: 0, fp16: 125, fp32: 15.7, bw: 900, link: .nvlink2, linkGB: 150,
      tdp: 300, sms: 80, arch: .volta, host: .pcie3, nics: 4, nicGB: 12.5, price: 0.30),
    // GeForce: FP32-accumulate tensor rate = half the FP16-accumulate headline.
    // RTX 3060 12GB: 25.5 TF (derived: 28 SM × 1.777 GHz × 512), 12.74 FP32, 360 GB/s, 170 W.
    // Price: placeholder.
    make(
      "rtx-3060", "GeForce RTX 3060 12GB", mib: 12_288, reservedMiB: 250, bf16: 25.5, fp32: 12.74, bw: 360,
      link: .pcie4, linkGB: 32, tdp: 170, sms: 28, arch: .ampere, peerToPeer: false, price: 0.10),
    // RTX 3090: 71 TF (GA102 whitepaper half rate), 35.6 FP32, 936 GB/s, 350 W. RunPod 0.22.
    make(
      "rtx-3090", "GeForce RTX 3090", mib: 24_576, reservedMiB: 250, bf16: 71, fp32: 35.6, bw: 936, link: .pcie4,
      linkGB: 32, tdp: 350, sms: 82, arch: .ampere, peerToPeer: false, price: 0.22),
    // RTX 4080: 97.5 TF (Ada whitepaper; once doubted — it checks out as 76 SMs
    // × 2.505 GHz boost × 512 FLOP/clock, the 4090's rate per SM and clock: 165.2 TF = 128 ×
    // 2.52 GHz × 512), 195 FP8 (FP32 accumulate, half rate as for 16-bit), 48.7 FP32,
    // 716.8 GB/s, 320 W. Price: placeholder.
    make(
      "rtx-4080", "GeForce RTX 4080", mib: 16_376, reservedMiB: 250, bf16: 97.5, fp8: 195, fp32: 48.7, bw: 716.8,
      link: .pcie4, linkGB: 32, tdp: 320, sms: 76, arch: .ada, peerToPeer: false, price: 0.25),
    // RTX 4090: 165.2 TF FP32-acc, 330.3 FP8 FP32-acc, 82.6 FP32, 1,008 GB/s, 450 W. RunPod 0.34.
    make(
      "rtx-4090", "GeForce RTX 4090", mib: 24_564, reservedMiB: 250, bf16: 165.2, fp8: 330.3, fp32: 82.6, bw: 1008,
      link: .pcie4, linkGB: 32, tdp: 450, sms: 128, arch: .ada, peerToPeer: false, price: 0.34),
    // RTX 5090: 209.5 TF FP32-acc (half of 419 dense FP16-acc; once doubted —
    // it checks out as 170 SMs × 2.407 GHz boost × 512 FLOP/clock, as for Ada), 419 FP8
    // FP32-acc, 104.8 FP32, 1,792 GB/s, PCIe 5.0, 575 W. RunPod 0.69 (March 2026).
    make(
      "rtx-5090", "GeForce RTX 5090", mib: 32_607, reservedMiB: 250, bf16: 209.5, fp8: 419, fp32: 104.8, bw: 1792,
      link: .pcie5, linkGB: 64, tdp: 575, sms: 170, arch: .blackwell, host: .pcie5, peerToPeer: false, price: 0.69),
  ]

  /// The catalog card named `id`, case-insensitively, or by a name people use for it
  /// (`aliases`): `H100` is the SXM part, `4090` the RTX 4090.
  public static func preset(_ id: String) -> GPUSpec? {
    let name = id.lowercased()
    let canonical = aliases[name] ?? name
    return catalog.first { $0.id == canonical }
  }

  /// Names people write for catalog cards: the bare part name for its most common form (SXM,
  /// 80 GB), and GeForce or workstation cards without their `rtx-` prefix or with a space.
  package static let aliases: [String: String] = {
    var out: [String: String] = [
      "h100": "h100-sxm", "h100-80gb": "h100-sxm", "h100-sxm5": "h100-sxm", "a100": "a100-80gb",
      "a100-sxm": "a100-80gb", "a100-pcie": "a100-80gb-pcie", "v100": "v100-32gb", "l40-s": "l40s",
      "rtx-6000": "rtx-6000-ada", "rtx-pro-6000-blackwell": "rtx-pro-6000", "mi300": "mi300x",
    ]
    for id in catalog.map(\.id) where id.hasPrefix("rtx-") {
      let bare = String(id.dropFirst(4))
      out["rtx-" + bare] = id
      out["rtx" + bare] = id
      out[bare] = id
      out["rtx " + bare] = id
    }
    return out
  }()

  /// The H200's dense BF16 rate per SM (989 TFLOP/s over 132 SMs), where the throughput
  /// model's tile curve was calibrated.
  package static let referenceRatePerSM = 989e12 / 132

  /// The memberwise initializer, for the other modules (Swift synthesizes it internal).
  package init(
    id: String, name: String, memory: Bytes, bf16FLOPS: Double, fp16FLOPS: Double, fp8FLOPS: Double = 0,
    fp32FLOPS: Double, bandwidth: Double, interconnect: Interconnect, linkBandwidth: Double, tdpWatts: Double,
    multiprocessors: Double, architecture: GPUArchitecture = .ampere, peerToPeer: Bool = true,
    hostLinkBandwidth: Double = 32e9, nics: Int64 = 1, nicBandwidth: Double = 12.5e9, gpusPerNode: Int64 = 8,
    blockScaledFP8: Bool = false, matmulEfficiency: Double = ThroughputModel.matmulEfficiency, listPrice: Double? = nil
  ) {
    self.id = id
    self.name = name
    self.memory = memory
    self.bf16FLOPS = bf16FLOPS
    self.fp16FLOPS = fp16FLOPS
    self.fp8FLOPS = fp8FLOPS
    self.fp32FLOPS = fp32FLOPS
    self.bandwidth = bandwidth
    self.interconnect = interconnect
    self.linkBandwidth = linkBandwidth
    self.tdpWatts = tdpWatts
    self.multiprocessors = multiprocessors
    self.architecture = architecture
    self.peerToPeer = peerToPeer
    self.hostLinkBandwidth = hostLinkBandwidth
    self.nics = nics
    self.nicBandwidth = nicBandwidth
    self.gpusPerNode = gpusPerNode
    self.blockScaledFP8 = blockScaledFP8
    self.matmulEfficiency = matmulEfficiency
    self.listPrice = listPrice
  }
}
