import Testing

@testable import TrainMemCLI
@testable import TrainMemCore
@testable import TrainMemIO

/// `framework:` profiles (issue #31 §1): a profile fills only what the run does not give, every
/// key overrides it, and the report says where each value came from.
@Suite struct FrameworkProfileTests {
  func load(_ yaml: String) throws -> TrainingSetup {
    try ScenarioLoader.load(file: "f.yaml", text: yaml).setup(0)
  }

  @Test("a profile fills the settings not given, each as its framework sets it")
  func fills() throws {
    let s = try load("model: llama3.1-8b\ngpu: h100-sxm\ngpus: 8\nparallel: fsdp\nframework: torchtitan\n")
    #expect(s.precision == .mixed && s.loss == .fused && s.checkpointing == .op)
    #expect(s.gradientDType == .fp32 && s.optimizer.implementation == .fused)
    #expect(
      s.frameworkSet == SettingMask([.precision, .gradientDtype, .loss, .checkpointing, .optimizerImplementation]))
    // The same run without the profile keeps trainmem's own defaults.
    let plain = try load("model: llama3.1-8b\ngpu: h100-sxm\ngpus: 8\nparallel: fsdp\n")
    #expect(plain.precision == .bf16 && plain.loss == .full && plain.checkpointing == .none)
    #expect(MemoryModel.estimate(s).peak != MemoryModel.estimate(plain).peak)
  }

  @Test("every key overrides the profile: top level, run or flag; a given precision drops its master")
  func overrides() throws {
    let yaml = """
      model: llama3.1-8b
      gpu: h100-sxm
      checkpointing: full
      runs:
        - label: a
          framework: torchtune
          loss: full
      """
    let s = try load(yaml)
    #expect(s.checkpointing == .full && s.loss == .full && s.precision == .bf16)
    #expect(!s.frameworkSet.contains(.checkpointing) && !s.frameworkSet.contains(.loss))
    let megatron = try load("model: llama3.1-8b\ngpu: h100-sxm\nframework: megatron\nprecision: mixed\n")
    #expect(megatron.precision == .mixed && megatron.masterWeights == nil)
    let flags = cli([
      "estimate", "--model", "llama3.1-8b", "--gpu", "h100", "--framework", "torchtune", "--loss", "full",
    ])
    #expect(flags.status == 0 && flags.out.contains("- `checkpointing: full` — recipes/configs/*"))
    #expect(!flags.out.contains("`loss: chunked`"))
  }

  @Test("a framework that does not run the sharding, a swept framework and an unknown one are errors")
  func refusals() {
    let wrong = cli([
      "estimate", "--model", "llama3.1-8b", "--gpus", "8", "--parallel", "fsdp", "--framework", "megatron",
    ])
    #expect(wrong.status != 0 && wrong.err.contains("'--framework megatron' does not run '--parallel fsdp'"))
    do {
      _ = try ScenarioLoader.load(
        file: "f.yaml", text: "model: llama-7b\nsweep:\n  framework: [torchtitan, megatron]\n")
      Issue.record("a swept framework was accepted")
    } catch {
      #expect(error.errors.first?.message.contains("one run per framework") == true)
    }
    let unknown = cli(["estimate", "--model", "llama-7b", "--framework", "torchtitn"])
    #expect(unknown.status != 0 && unknown.err.contains("did you mean 'torchtitan'"))
  }

  @Test("bf16 adapters (torchtune) hold 8 bytes less per adapter parameter than peft's fp32 ones")
  func adapterDType() throws {
    let peft = try load("model: llama3.1-8b\ngpu: h100-sxm\nlora:\n  rank: 8\n")
    var tune = peft
    tune.lora?.dtype = .bf16
    let inv = ParameterInventory(peft.model)
    let adapters = ParameterInventory.adapters(peft.lora!, of: inv, model: peft.model).parameters
    // Weights 4 → 2, gradients 4 → 2, AdamW's two moments 8 → 4 bytes a parameter.
    let a = MemoryModel.persistent(peft, inv), b = MemoryModel.persistent(tune, inv)
    func held(_ p: MemoryModel.Persistent) -> Int64 { p.weights + p.gradients + p.states.total }
    #expect(held(a) - held(b) == adapters * 8)
    #expect(tune.adapterActivationBytes == 2 && peft.adapterActivationBytes == 4)
    // The profile sets it only for a LoRA run; a full fine-tune gains no adapters from it.
    let full = try load("model: llama3.1-8b\ngpu: h100-sxm\nframework: torchtune\n")
    #expect(full.lora == nil)
    let lora = try load("model: llama3.1-8b\ngpu: h100-sxm\nframework: torchtune\nlora:\n  rank: 8\n")
    #expect(lora.lora?.dtype == .bf16 && lora.frameworkSet.contains(.loraDtype))
  }

  @Test("torchtune's QLoRA keeps the embedding, head and norms in bf16 where peft upcasts them")
  func noUpcast() throws {
    let peft = try load("model: llama3.1-8b\ngpu: rtx-4090\nweights: nf4\nlora:\n  rank: 8\n")
    let tune = try load("model: llama3.1-8b\ngpu: rtx-4090\nweights: nf4\nframework: torchtune\nlora:\n  rank: 8\n")
    #expect(peft.upcastsUnquantized && !tune.upcastsUnquantized)
    let inv = ParameterInventory(peft.model)
    // Everything but the NF4 projections: 4 bytes an element under peft, 2 under torchtune.
    let others = inv.parameters - inv.lowRankParameters
    var peftAdapters = peft
    peftAdapters.lora?.dtype = .bf16  // compare the base only
    #expect(MemoryModel.weightBytes(peftAdapters, inv) - MemoryModel.weightBytes(tune, inv) == others * 2)
  }

  @Test("the HF Trainer's QLoRA keeps the recomputation peft turns on; axolotl's passes its own off")
  func qloraRecomputation() throws {
    let qlora = "model: llama3.1-8b\ngpu: rtx-4090\nweights: nf4\nlora:\n  rank: 8\n"
    let hf = try load(qlora + "framework: hf-trainer\n")
    #expect(hf.checkpointing == .full && !hf.frameworkSet.contains(.checkpointing))
    let axolotl = try load(qlora + "framework: axolotl\n")
    #expect(axolotl.checkpointing == .none && axolotl.frameworkSet.contains(.checkpointing))
  }

  @Test("every profile's defaults parse, and list frameworks prints each with its source")
  func listed() {
    let text = cli(["list", "frameworks"]).out
    for f in Framework.allCases {
      #expect(text.contains("### \(f.rawValue): "))
      for d in f.defaults {
        #expect(
          Settings.byPath[d.setting.path].map { ScenarioLoader.edit($0, d.value, at: .commandLine("--x")) } != nil)
        #expect(text.contains(d.source))
      }
    }
  }
}
