import Foundation
import Testing

@testable import TrainMemCLI
@testable import TrainMemCore
@testable import TrainMemIO

/// Fine-tuning (issue #15): adapters, quantised bases, freezing and the loss, each against a
/// hand-computed case.
@Suite struct FineTuningTests {
  func setup(_ model: String = "llama-7b", _ edit: (inout TrainingSetup) -> Void = { _ in }) -> TrainingSetup {
    var s = TrainingSetup(model: ModelConfig.preset(model)!, gpu: GPUSpec.preset("a100-80gb")!)
    s.sequence = 512
    edit(&s)
    return s
  }

  @Test(
    "LoRA r8 on q and v of LLaMA-7B trains 4,194,304 parameters (litgpt's count) in fp32, with fp32 gradients and AdamW states"
  )
  func adapters() {
    let s = setup { $0.lora = LoRAConfig(rank: 8) }
    let inv = ParameterInventory(s.model)
    let trained = inv.trainable(s)
    #expect(trained.parameters == 32 * 2 * (8 * 4096 + 4096 * 8))
    #expect(trained.parameters == 4_194_304)
    let held = MemoryModel.persistent(s, inv)
    #expect(held.gradients == 4_194_304 * 4)
    #expect(held.states.regularMoments == 4_194_304 * 8)
    #expect(held.states.masterWeights == 0)
    #expect(held.weights == inv.parameters * 2 + 4_194_304 * 4)
  }

  @Test("all-linear adapts every projection but not lm_head; a name matches the experts' projections too")
  func targets() {
    let s = setup { $0.lora = LoRAConfig(rank: 4, targets: .allLinear) }
    let inv = ParameterInventory(s.model)
    let expected = inv.tensors.filter { $0.role == .projection }.map { $0.count * 4 * ($0.rows + $0.cols) }.reduce(0, +)
    #expect(inv.trainable(s).parameters == expected)
    var moe = TrainingSetup(model: ModelConfig.preset("mixtral-8x7b")!, gpu: GPUSpec.preset("h200")!)
    moe.lora = LoRAConfig(rank: 4, targets: .named(["down_proj"]))
    let adapters = ParameterInventory(moe.model).trainable(moe)
    #expect(adapters.parameters == 32 * 8 * 4 * (14336 + 4096))
  }

  @Test("NF4 stores 4.13 bits per weight: codes, an 8-bit absmax per 64 and an fp32 one per 256 blocks")
  func nf4() {
    let n: Int64 = 4096 * 4096
    #expect(NF4.bytes(elements: n) == n / 2 + n / 64 + n / 64 / 256 * 4 + 1_092)
    let bits = Double(NF4.bytes(elements: n) - 1_092) * 8 / Double(n)
    #expect(abs(bits - 4.127) < 0.001)
    // Without double quantisation the absmax stays fp32: 4.5 bits per weight.
    #expect(NF4.bytes(elements: n, doubleQuant: false) == n / 2 + n / 64 * 4 + 64)
    var s = setup {
      $0.lora = LoRAConfig(rank: 8)
      $0.weights = .nf4
    }
    let inv = ParameterInventory(s.model)
    let on = MemoryModel.weightBytes(s, inv)
    s.doubleQuant = false
    let projections = inv.tensors.filter { $0.role == .projection }
    let saved = projections.map {
      $0.count * (NF4.bytes(elements: $0.elements, doubleQuant: false) - NF4.bytes(elements: $0.elements))
    }.reduce(0, +)
    #expect(MemoryModel.weightBytes(s, inv) - on == saved)
    // Only NF4 has block scales to quantise.
    s.weights = .bf16
    #expect(s.validationProblems().contains { $0.message.contains("double_quant") && $0.message.contains("nf4") })
  }

  @Test("QLoRA upcasts the other weights to fp32 (peft prepare_model_for_kbit_training), except under FSDP")
  func qloraWeights() {
    let single = setup {
      $0.lora = LoRAConfig(rank: 8)
      $0.weights = .nf4
    }
    let inv = ParameterInventory(single.model)
    let others = inv.parameters - inv.lowRankParameters
    let nf4 = inv.tensors.filter { $0.role == .projection }.map { $0.count * NF4.bytes(elements: $0.elements) }
      .reduce(0, +)
    #expect(MemoryModel.weightBytes(single, inv) == nf4 + others * 4 + 4_194_304 * 4)
    var sharded = single
    sharded.gpus = 2
    sharded.parallel = .fsdp
    #expect(MemoryModel.weightBytes(sharded, inv) == nf4 + others * 2 + 4_194_304 * 4)
  }

  @Test("a frozen LoRA base saves no linear inputs; each adapter saves its fp32 input copy and r-wide output")
  func loraActivations() {
    let full = ActivationModel.sizes(setup())
    let lora = ActivationModel.sizes(setup { $0.lora = LoRAConfig(rank: 8) })
    let t: Int64 = 512, h: Int64 = 4096, i: Int64 = 11008
    // Removed: the attention and MLP inputs (2 · 2h) and down_proj's input (2i); added: q and
    // v adapters' fp32 input copies (2 · 4h) and their rank-8 outputs (2 · 4 · 8).
    #expect(full.perLayer - lora.perLayer == t * (4 * h + 2 * i - 8 * h - 64))
  }

  @Test("the loss: full keeps (e + 12)·V per token, chunked (e + 5)·V, fused no logits but its gradients")
  func loss() {
    let v: Int64 = 32000, t: Int64 = 512, h: Int64 = 4096
    #expect(ActivationModel.sizes(setup()).lossPeak == t * v * 14)
    #expect(ActivationModel.sizes(setup { $0.loss = .chunked }).lossPeak == t * v * 7)
    let fused = ActivationModel.sizes(setup { $0.loss = .fused })
    // ⌈V/h⌉ = 8 chunks of 512 tokens: 64 rows, a power of two.
    #expect(fused.lossPeak == t * h * 2 + v * h * 2 + 64 * v * 2)
    #expect(fused.logitsKept == 0)
  }

  @Test("freezing the embeddings and 16 of 32 layers: no gradients or states for them, no activations below")
  func freeze() {
    let s = setup {
      $0.freeze = Freeze(embeddings: true, layers: 16)
      $0.sequence = 256
    }
    let inv = ParameterInventory(s.model)
    let layer = (inv.parameters - inv.embeddingParameters - inv.lmHeadParameters - 4096) / 32
    #expect(inv.trainable(s).parameters == inv.parameters - inv.embeddingParameters - 16 * layer)
    let act = ActivationModel.sizes(s)
    #expect(MemoryModel.activationBytes(s, act).saved == act.allLayers / 32 * 16 + act.head)
  }

  @Test("combinations the libraries refuse are errors at their key")
  func refusals() {
    let cases: [([String], String)] = [
      (["--weights", "nf4"], "'--weights nf4' weights cannot be trained"),
      (["--weights", "int8"], "'--weights int8' is updated only by Q-GaLore's and Q-APOLLO's optimizers"),
      (["--lora-rank", "8", "--optimizer", "galore"], "projects full weight gradients"),
      (["--lora-rank", "8", "--lora-targets", "q_projx"], "unknown projection 'q_projx'"),
      (["--lora-rank", "8", "--freeze-layers", "2"], "has no effect with '--lora-rank'"),
    ]
    for (flags, message) in cases {
      let r = cli(["estimate", "--model", "llama-7b"] + flags)
      #expect(r.status == 64 && r.err.contains(message), "\(flags): \(r.err)")
    }
  }

  @Test("QLoRA recomputes by default as peft does, and reports say so; given settings are not 'assumed'")
  func assumedDefaults() {
    let r = cli(["fit", "--model", "llama3.1-8b", "--gpu", "rtx-4090", "--lora-rank", "16", "--weights", "nf4"])
    #expect(r.out.contains("- `checkpointing: full` — QLoRA: peft's prepare_model_for_kbit_training"))
    #expect(r.out.contains("- `sequence: 256`") && r.out.contains("- `margin: 0%`"))
    let given = cli([
      "estimate", "--model", "llama-7b", "--gpu", "h200", "--sequence", "1024", "--precision", "mixed",
      "--margin", "5%", "--micro-batch", "2",
    ])
    #expect(given.status == 0 && !given.out.contains("Assumed, not given"))
    var s = TrainingSetup(model: ModelConfig.preset("llama3.1-8b")!, gpu: GPUSpec.preset("rtx-4090")!)
    s.lora = LoRAConfig(rank: 16)
    s.weights = .nf4
    #expect(s.checkpointing == .full)
    s.checkpointing = .none
    #expect(s.checkpointing == .none)
    s.checkpointingChoice = nil
    s.parallel = .fsdp
    #expect(s.checkpointing == .none)
  }

  @Test("fit recommends the largest micro-batch that fits at the top of the error band, the point estimate's beside it")
  func microBatchInsideBand() throws {
    var s = TrainingSetup(model: ModelConfig.preset("llama-7b")!, gpu: GPUSpec.preset("a100-80gb")!)
    s.optimizer = OptimizerConfig(kind: .apollo)
    let a = FitAnswer(s)
    let inside = try #require(a.maxMicroBatchInsideBand), point = try #require(a.maxMicroBatch)
    #expect(inside < point)
    func required(_ b: Int64) -> Double {
      var t = s
      t.microBatch = b
      return Double(MemoryModel.estimate(t).required)
    }
    let capacity = Double(MemoryModel.estimate(s).capacity), band = a.band.memory
    #expect(required(inside) * (1 + band) <= capacity && required(inside + 1) * (1 + band) > capacity)
    #expect(FitRenderer.markdown(a).contains("Largest micro-batch: \(inside) inside the ±"))
  }

  @Test("fit without --gpu ranks FP8 on the cards that have it, each with its own band; the others say why not")
  func rankFP8WithoutGPU() {
    let r = cli(["fit", "--model", "llama3.1-8b", "--matmul-precision", "fp8", "--gpus", "8", "--parallel", "fsdp"])
    #expect(r.status == 0, "\(r.err)")
    #expect(r.out.contains("| h100-sxm | yes |") && r.out.contains("| a100-80gb | n/a (A100-SXM4-80GB has no FP8"))
    #expect(r.out.contains("±50%, unchecked"))
  }

  @Test("fit's JSON carries the parameter count and the same structured inputs as estimate's")
  func fitJSONInputs() throws {
    let flags = ["--model", "qwen3-8b", "--gpu", "h100", "--sequence", "2048", "--format", "json"]
    let fit = try #require(
      JSONSerialization.jsonObject(with: Data(cli(["fit"] + flags).out.utf8)) as? [String: Any])
    let estimate = try #require(
      JSONSerialization.jsonObject(with: Data(cli(["estimate"] + flags).out.utf8)) as? [String: Any])
    let run = try #require((estimate["runs"] as? [[String: Any]])?.first)
    #expect(fit["parameters"] as? Int == 8_190_735_360)
    #expect((fit["inputs"] as? NSDictionary) == (run["inputs"] as? NSDictionary))
  }

  @Test("fit --gpu a,b,c ranks just those cards; an unknown one is named")
  func rankListedCards() {
    let r = cli(["fit", "--model", "llama-7b", "--gpus", "8", "--parallel", "ddp", "--gpu", "b200,h100-sxm,mi300x"])
    let rows = r.out.split(separator: "\n").filter { $0.hasPrefix("| ") && !$0.hasPrefix("| GPU") }
    #expect(r.status == 0 && rows.count == 3, "\(r.out)")
    #expect(["b200", "h100-sxm", "mi300x"].allSatisfy { id in rows.contains { $0.hasPrefix("| \(id) |") } })
    let bad = cli(["fit", "--model", "llama-7b", "--gpu", "b200,h100x"])
    #expect(bad.status == 64 && bad.err.contains("'h100x', not a catalog GPU"))
  }

  @Test("fit keeps a full fine-tune's goal: adapters only when allowed, and combined levers that fit")
  func fitKeepsTheGoal() {
    // Llama 3.1 70B fully fine-tuned with FSDP on 16 H100s: 208 GiB per GPU as set up.
    var s = TrainingSetup(model: ModelConfig.preset("llama3.1-70b")!, gpu: GPUSpec.preset("h100-sxm")!, gpus: 16)
    s.parallel = .fsdp
    s.precision = .mixed
    s.sequence = 4096
    s.globalBatch = 64
    #expect(!MemoryModel.estimate(s).fits)
    let advice = Advice.changes(s)
    #expect(!advice.contains { $0.setup.lora != nil })
    // Several full fine-tunes fit: 8-bit states with recomputation, the optimizer on the CPU.
    #expect(advice.contains { $0.change == "8-bit AdamW, full recomputation" })
    #expect(advice.contains { $0.change == "optimizer on the CPU, full recomputation" })
    for a in advice { #expect(a.setup.lora == nil && MemoryModel.estimate(a.setup).fits, "\(a.change)") }
    s.allow = .adapters
    #expect(Advice.changes(s).contains { $0.setup.lora != nil })
  }

  @Test("fit on Llama-3.1-8B and an RTX 4090 offers LoRA and QLoRA when allowed, and every change it lists fits")
  func fitOffersAdapters() {
    var s = TrainingSetup(model: ModelConfig.preset("llama3.1-8b")!, gpu: GPUSpec.preset("rtx-4090")!)
    s.allow = .adapters
    let advice = Advice.changes(s)
    #expect(advice.contains { $0.change.hasPrefix("LoRA") })
    #expect(advice.contains { $0.change.hasPrefix("QLoRA") })
    for a in advice { #expect(MemoryModel.estimate(a.setup).fits, "\(a.change)") }
    // Ranked by what each costs to train at its own best micro-batch.
    #expect(zip(advice, advice.dropFirst()).allSatisfy { $0.bill.key(.cost) <= $1.bill.key(.cost) })
    #expect(advice.allSatisfy { $0.tokensPerSecondAtMax >= $0.tokensPerSecond })
  }

  @Test("a paged optimizer's large moments leave the allocated peak for unified memory, paged to the host when short")
  func paged() {
    var s = TrainingSetup(model: ModelConfig.preset("llama3.1-8b")!, gpu: GPUSpec.preset("rtx-4090")!)
    s.optimizer = OptimizerConfig(kind: .adamw8bit, layerwise: true)
    s.checkpointing = .full
    let inv = ParameterInventory(s.model)
    let resident = MemoryModel.estimate(s)
    s.optimizer.paged = true
    let paged = MemoryModel.estimate(s)
    // Every tensor of 10^5 elements or more pages; the norms (4,096) do not.
    let large = inv.tensors.filter { $0.elements >= 100_000 }
    let moments = large.map { OptimizerStates.eightBitAdam(elements: $0.elements).moments * $0.count }.reduce(0, +)
    #expect(paged.states.paged == moments)
    #expect(resident.states.total - paged.states.total == moments)
    #expect(paged.pagedToHost == min(moments, max(0, paged.required + moments - paged.capacity)))
    #expect(paged.pagedToHost > 0)
    #expect(ThroughputModel.pagingSeconds(s, inv) == 2 * Double(paged.pagedToHost) / (32e9 * 0.5))
    #expect(
      cli(["estimate", "--model", "llama-7b", "--optimizer", "galore", "--paged"]).err.contains(
        "'--paged' is bitsandbytes' PagedAdamW"))
  }

  @Test("current optimizers' states, counted from their code: Muon, Adafactor, Lion, Adam-mini, torchao AdamW4bit")
  func currentOptimizers() {
    let m = ModelConfig.preset("llama-7b")!
    let inv = ParameterInventory(m)
    func states(_ kind: OptimizerKind) -> Int64 {
      OptimizerStates.total(inv, optimizer: OptimizerConfig(kind: kind), rank: 0, formats: StateFormats(param: .bf16))
        .total
    }
    let matrices = inv.lowRankParameters
    let rest = inv.parameters - matrices
    let tensors = inv.tensorCount - inv.lowRankTensorCount
    // Muon: one bf16 momentum per hidden matrix; AdamW (two moments and a step) on the rest.
    #expect(states(.muon) == matrices * 2 + rest * 4 + tensors * 4)
    // Lion: one momentum per parameter.
    #expect(states(.lion) == inv.parameters * 2)
    // Adafactor: fp32 rows + columns for each matrix, full fp32 for vectors, a step each.
    let factored = inv.tensors.map { ($0.isMatrix ? ($0.rows + $0.cols) * 4 : $0.elements * 4) * $0.count }
      .reduce(0, +)
    #expect(states(.adafactor) == factored + inv.tensorCount * 4)
    // AdamW4bit: half a byte per moment and an fp32 scale per 128 for the large tensors.
    let q = inv.tensors.map { t in
      (t.elements >= 4096 && t.elements % 128 == 0 ? 2 * (t.elements / 2 + t.elements / 128 * 4) : 4 * t.elements)
        * t.count
    }.reduce(0, +)
    #expect(states(.adamw4bit) == q + inv.tensorCount * 4)
    // Adam-mini keeps about one moment per parameter.
    #expect(abs(Double(states(.adamMini)) / Double(inv.parameters * 2) - 1) < 0.01)
  }

  @Test("offload: the optimizer's fp32 master, moments and gradients go to the host; activations all but a layer")
  func offload() {
    var s = TrainingSetup(model: ModelConfig.preset("llama-7b")!, gpu: GPUSpec.preset("rtx-4090")!)
    s.precision = .mixed
    s.checkpointing = .full
    let inv = ParameterInventory(s.model)
    let resident = MemoryModel.persistent(s, inv)
    s.offload.optimizer = true
    let offloaded = MemoryModel.estimate(s)
    #expect(offloaded.states.total == 0 && offloaded.gradients == 0)
    // Autocast's fp32 weights are the master: host = moments (8) + fp32 gradients (4).
    #expect(offloaded.host == resident.states.total + inv.parameters * 4)
    #expect(offloaded.peakPhase == .forwardBackward)
    s.offload.activations = true
    let act = ActivationModel.sizes(s)
    #expect(MemoryModel.activationBytes(s, act).saved == act.head + act.perLayer)
    #expect(MemoryModel.estimate(s).host == offloaded.host + MemoryModel.offloadedActivations(s))
    #expect(MemoryModel.offloadedActivations(s) > 0)
    // Megatron's cpu_offloading_num_layers: 24 of 32 layers offloaded; the other 8 keep their
    // saved tensors (here each its checkpointed input), beside the layer in flight.
    var some = s
    some.checkpointing = .none
    let all = MemoryModel.activationBytes(some, act, offloading: false).saved
    some.offload.activationLayers = 24
    let kept = (all - act.head) / 4
    #expect(MemoryModel.activationBytes(some, act).saved == act.head + act.perLayer + kept)
    #expect(MemoryModel.offloadedActivations(some) == all - act.head - act.perLayer - kept)
    some.offload.activationLayers = 32
    #expect(some.validationProblems().contains(where: { $0.setting == SettingID.offloadActivationLayers.path }))
    #expect(
      cli(["estimate", "--model", "llama-7b", "--offload-parameters", "cpu"]).err.contains(
        "'--offload-parameters cpu' is FSDP's CPUOffload"))
    #expect(
      cli(["estimate", "--model", "llama-7b", "--offload-optimizer", "cpu", "--layerwise"]).err.contains(
        "runs the step on the host"))
  }

  @Test(
    "DoRA adds a magnitude per output row, two saved outputs per adapted linear, and the merged weight's temporaries")
  func dora() {
    let lora = setup { $0.lora = LoRAConfig(rank: 8) }
    let dora = setup { $0.lora = LoRAConfig(rank: 8, dora: true) }
    let inv = ParameterInventory(lora.model)
    // q and v: 4,096 output rows each, in 32 layers.
    #expect(inv.trainable(dora).parameters - inv.trainable(lora).parameters == 32 * 2 * 4096)
    // Per token and layer: the base and adapter outputs it rescales, fp32, for q and v.
    let t: Int64 = 512
    #expect(ActivationModel.sizes(dora).perLayer - ActivationModel.sizes(lora).perLayer == t * 2 * 2 * 4 * 4096)
    // The identity (in × in) and the update and sum (out × in), fp32, for the largest adapted linear.
    #expect(ActivationModel.adapterTransient(dora) == 4 * 4096 * 4096 + 8 * 4096 * 4096)
    // lora_alpha scales the update by a float: neither memory nor time changes.
    var alpha = lora
    alpha.lora?.alpha = 64
    #expect(MemoryModel.estimate(alpha) == MemoryModel.estimate(lora))
    #expect(ThroughputModel.estimate(alpha) == ThroughputModel.estimate(lora))
  }

  @Test("prices by GPU: each card's own price costs its run and ranks the catalog; an unknown id is named")
  func pricesByGPU() {
    let r = cli(["fit", "--model", "llama-1b", "--price", "a100-80gb=1.8,h100-sxm=2.5"])
    #expect(r.status == 0)
    let rows = r.out.split(separator: "\n").filter { $0.hasPrefix("| a100-80gb |") || $0.hasPrefix("| h100-sxm |") }
    #expect(rows.count == 2 && rows.allSatisfy { $0.contains("$") })
    // Cards without a given price are costed at their list price (h200: $3.59 per GPU-hour).
    let h200 = TrainingBill(
      {
        var t = TrainingSetup(model: ModelConfig.preset("llama-1b")!, gpu: GPUSpec.preset("h200")!);
        t.prices = ["a100-80gb": 1.8]; return t
      }(),
      tokensPerSecond: 1e4)
    #expect(abs(h200!.dollars! - 1e9 / 1e4 / 3600 * 3.59) < 1e-9)
    var s = TrainingSetup(model: ModelConfig.preset("llama-1b")!, gpu: GPUSpec.preset("h100-sxm")!)
    s.tokens = 1e9
    s.prices = ["h100-sxm": 2.5, "a100-80gb": 1.8]
    let t = ThroughputModel.estimate(s)
    #expect(abs(t.cost! - t.trainHours! * 2.5) < 1e-9)
    #expect(
      cli(["fit", "--model", "llama-1b", "--price", "a100=1.8"]).err.contains(
        "unknown GPU 'a100' in '--price'; did you mean 'a100-40gb' or 'a100-80gb' or 'a100-80gb-pcie'?"))
  }
}
