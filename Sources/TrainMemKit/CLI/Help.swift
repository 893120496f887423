enum Help {
  static let overview = """
    trainmem — will an LLM training run fit, how fast will it go, and what must change?

    USAGE: trainmem <command> [options]

    COMMANDS:
      run FILE… [--format md|json|csv|svg] [--output PATH] [--threads N]
                              evaluate scenario files
      estimate --model M [--gpu G] [--optimizer O] [--rank R] [...]
                              one configuration's memory and speed
      fit --model M [--gpu G] [--gpus N] [--optimizer O] [...]
                              what fits, the largest batch, and what to change
      validate [DIR] [--format md|json]
                              predictions vs published and measured figures
      list models|gpus|optimizers
      bench [--points N] [--threads N]
                              time a sweep (points per second)

    OPTIONS: --help, --version. 'trainmem help <command>' for a command's options.
    Exit status: 0 ok, 1 a check failed, 64 usage error, 65 bad scenario data.

    """

  static let setupOptions = """
      --model ID            llama-60m … llama3-70b (trainmem list models)
      --gpu ID              a100-80gb, h100-sxm, h200, rtx-4090 … (trainmem list gpus)
      --gpus N              number of GPUs (default 1)
      --parallel MODE       none | ddp | zero1 | zero2 | zero3 | fsdp
      --gradient-sync WHEN  micro_batch | step
      --precision P         bf16 | mixed | fp32
      --weights W           bf16 | int8
      --sequence N          tokens per sequence (default 256)
      --micro-batch N       sequences per GPU per micro-batch (default 1)
      --global-batch N      sequences per optimizer step over all GPUs
      --attention K         sdpa | flash | eager
      --checkpointing C     none | full
      --optimizer O         adamw | adamw-8bit | sgd | galore | galore-8bit | apollo |
                            apollo-mini | q-apollo | q-apollo-mini
      --rank R              projection rank (GaLore, APOLLO)
      --update-interval N   projection refresh interval (default 200)
      --implementation I    foreach | fused | loop
      --layerwise           per-layer weight updates (GaLore-style)
      --tokens N            tokens to train (e.g. 19.7B), for time and cost
      --price P             dollars per GPU-hour
      --memory-limit L      cap the allocator at a size (40GiB) or a fraction (50%), as
                            torch.cuda.set_per_process_memory_fraction does
      --context S           CUDA context per GPU (default 0.5GiB)
      --reserve R           allocator cache: measured | a percentage | a size

    """

  static func command(_ name: String) -> String? {
    switch name {
    case "run":
      return """
        USAGE: trainmem run FILE… [--format md|json|csv|svg] [--output PATH] [--threads N]

        Evaluates each scenario file (format v1, see docs/scenario-format.md) and prints one
        report. Errors are printed as file:line:column with the source line; exit 65.

        """
    case "estimate": return "USAGE: trainmem estimate [options] [--format md|json|csv|svg]\n\n" + setupOptions
    case "fit": return "USAGE: trainmem fit [options]\n\nWithout --gpu, ranks every catalog GPU. Exit 1 when nothing fits.\n\n" + setupOptions
    case "validate": return "USAGE: trainmem validate [DIR] [--format md|json]\n\nPredicts every figure in DIR/*.tsv (default seeds/); exit 1 when one is outside its tolerance.\n"
    case "list": return "USAGE: trainmem list models|gpus|optimizers\n"
    case "bench": return "USAGE: trainmem bench [--points N] [--threads N]\n\nEvaluates an N-point sweep (default 100000) with CSV rendering; prints points per second.\n"
    default: return nil
    }
  }
}
