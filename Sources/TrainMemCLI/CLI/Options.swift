import TrainMemCore
import TrainMemIO

/// A usage error: printed as one line, exit 64.
struct UsageError: Error { let message: String }

/// One option a command takes: `--name VALUE`, or a boolean `--name` (also `--name=true|false`).
struct OptionSpec: Sendable {
  let name: String
  let isBoolean: Bool

  static func valued(_ name: String) -> OptionSpec { OptionSpec(name: name, isBoolean: false) }
  static func boolean(_ name: String) -> OptionSpec { OptionSpec(name: name, isBoolean: true) }

  static let format = valued("format")
  static let output = valued("output")
  static let threads = valued("threads")
  /// Every setting's flag (`--micro-batch`, `--layerwise`), from the declarations.
  static let settings = Settings.all.filter(\.hasFlag).map { $0.isBoolean ? boolean($0.flag) : valued($0.flag) }
}

/// The one flag parser of every command: options the command does not take, a missing value,
/// or a boolean given something other than true/false are usage errors; `--` ends the options;
/// `-` is a positional (standard input).
struct ParsedOptions {
  /// Options in the order given, as (name, value); a boolean's value is "true" or "false".
  private(set) var given: [(name: String, value: String)] = []
  private(set) var positionals: [String] = []

  init(_ args: [String], command: String, specs: [OptionSpec]) throws(UsageError) {
    var i = 0
    var optionsEnded = false
    while i < args.count {
      let arg = args[i]
      i += 1
      if optionsEnded || arg == "-" || !arg.hasPrefix("-") {
        positionals.append(arg)
        continue
      }
      if arg == "--" {
        optionsEnded = true
        continue
      }
      guard arg.hasPrefix("--") else {
        throw UsageError(
          message:
            "unknown option '\(visible(arg))' for '\(command)'; options start with '--' (trainmem help \(command))")
      }
      var name = String(arg.dropFirst(2))
      var inline: String?
      if let eq = name.firstIndex(of: "=") {
        inline = String(name[name.index(after: eq)...])
        name = String(name[..<eq])
      }
      guard let spec = specs.first(where: { $0.name == name }) else {
        let hint = closestMatch(name, in: specs.map(\.name)).map { "; did you mean '--\($0)'?" } ?? ""
        throw UsageError(message: "unknown option '--\(visible(name))' for '\(command)'\(hint)")
      }
      if spec.isBoolean {
        switch inline?.lowercased() {
        case nil, "true": given.append((name, "true"))
        case "false": given.append((name, "false"))
        default:
          throw UsageError(message: "'--\(name)' takes no value, or '=true' / '=false'; got '\(visible(inline ?? ""))'")
        }
        continue
      }
      if let inline {
        given.append((name, inline))
      } else {
        guard i < args.count else { throw UsageError(message: "option '--\(name)' needs a value") }
        given.append((name, args[i]))
        i += 1
      }
    }
  }

  /// The last value given for `name`.
  func value(_ name: String) -> String? { given.last { $0.name == name }?.value }

  func format(allowed: [ReportFormat] = ReportFormat.allCases) throws(UsageError) -> ReportFormat {
    guard let v = value("format") else { return .md }
    guard let f = ReportFormat(rawValue: v), allowed.contains(f) else {
      throw UsageError(
        message: "unknown format '\(visible(v))'; expected \(allowed.map(\.rawValue).joined(separator: ", "))")
    }
    return f
  }

  /// A whole number option within `range`, or `fallback` when not given.
  func integer(_ name: String, in range: ClosedRange<Int>, default fallback: Int) throws(UsageError) -> Int {
    guard let v = value(name) else { return fallback }
    guard let n = Int(v.replacingUnderscores), range.contains(n) else {
      throw UsageError(
        message:
          "'--\(name)' expects a whole number from \(range.lowerBound) to \(range.upperBound), got '\(visible(v))'")
    }
    return n
  }

  func noPositionals(_ command: String) throws(UsageError) {
    if let p = positionals.first {
      throw UsageError(message: "unexpected argument '\(visible(p))' for '\(command)'; options start with '--'")
    }
  }
}
