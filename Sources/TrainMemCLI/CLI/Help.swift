import TrainMemCore
import TrainMemIO

enum Help {
  static let overview = """
    trainmem — will an LLM training run fit, how fast will it go, and what must change?

    USAGE: trainmem <command> [options]

    COMMANDS:
      run FILE… [--format \(ReportFormat.choices)] [--output PATH] [--threads N] [--check]
                              evaluate scenario files ('-' reads standard input)
      estimate --model M [--gpu G] [--optimizer O] [--rank R] [...]
                              one configuration's memory and speed
      fit --model M [--gpu G] [--gpus N] [--optimizer O] [...]   or   fit FILE
                              what fits, the largest batch, and what to change
      validate [DIR] [--format md|json]
                              predictions vs published and measured figures
      list models|gpus|optimizers|frameworks|settings
      bench [--points N] [--threads N] [--format F|all]
                              time a sweep (points per second)

    OPTIONS: --help, --version. 'trainmem help <command>' for a command's options.
    Exit status: 0 ok, 1 a check failed, 64 usage error, 65 bad scenario or seeds data,
    73 the --output path cannot be written, 74 writing the report failed.

    """

  /// The formats a sweep can be benchmarked in: `md|json|csv`.
  static let sweepChoices = ReportFormat.sweepFormats.map(\.rawValue).joined(separator: "|")

  /// Every setting's flag, from its declaration (Settings/Settings.swift).
  static var setupOptions: String { Settings.helpText }

  static func command(_ name: String) -> String? {
    switch name {
    case "run":
      return """
        USAGE: trainmem run FILE… [--format \(ReportFormat.choices)] [--output PATH] [--threads N] [--check]
                                  [--margin N%]

        Evaluates each scenario file (format v1, see docs/scenario-format.md) and prints one
        report. Errors are printed as file:line:column with the source line; exit 65.
        --check: exit 1 when any run does not fit or fits within its `margin` (a CI gate);
        the runs that fail are named on stderr.
        --margin N%: every run's margin, over the scenario's (a sweep over margin still wins).

        """
    case "estimate":
      return "USAGE: trainmem estimate --model M [options] [--format \(ReportFormat.choices)] [--output PATH]\n"
        + "       trainmem estimate --model M [options] --format svg --chart timeline\n\n"
        + "--chart timeline draws allocated memory through one step (forward, loss, backward, optimizer step).\n\n"
        + setupOptions
    case "fit":
      return
        "USAGE: trainmem fit --model M [options] [--rank-by cost|time] [--format md|json] [--output PATH]\n"
        + "       trainmem fit FILE [--rank-by cost|time] [--format md|json] [--output PATH]\n\n"
        + "Without --gpu, ranks every catalog GPU; --gpu a,b,c ranks just those. With a scenario file, the fit of\n"
        + "each of its runs (at most 64).\n"
        + "Alternatives (changes that make it fit, or cheaper or faster setups when it fits) and GPUs are ranked\n"
        + "by --rank-by: cost (default; dollars at --price, GPU-hours without one) or time, to train --tokens\n"
        + "(one billion when not given), each at its own largest micro-batch.\n"
        + "Exit 1 when nothing fits, or a run does not fit or breaks its margin.\n\n"
        + setupOptions
    case "validate":
      return
        "USAGE: trainmem validate [DIR] [--format md|json] [--output PATH]\n\nPredicts every figure in DIR/*.tsv (default seeds/); exit 1 when one is outside its tolerance, 65 when a file has errors.\n"
    case "list": return "USAGE: trainmem list models|gpus|optimizers|frameworks|settings\n"
    case "bench":
      return
        "USAGE: trainmem bench [--points N] [--threads N] [--format \(sweepChoices)|all]\n\nEvaluates the first N points (1 to 100000, default 100000) of Benchmarks/sweep-100k.yaml, rendered as CSV (or each --format); prints points per second, where a point's time goes, and the planner's searches.\n"
    default: return nil
    }
  }
}
