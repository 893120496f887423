/// How a setting path (`micro_batch`, `optimizer.rank`, `lora.rank`, or with a value,
/// `parallel: none`) is spelled to the user: `'--micro-batch'`, `'--parallel none'` on the
/// command line; `'micro_batch'`, `'parallel: none'` in a file.
///
/// `lora.*`, `freeze.*` and
/// `offload.*` keep their group (`rank` alone is the optimizer's), as their flags do
/// (`--lora-rank`). Derived from the path alone, so the models' problems are spelled without
/// the settings table.
package enum SettingPath {
  package static let groupedKeys: Set<String> = ["lora", "freeze", "offload"]

  package static func spell(_ path: String, commandLine: Bool) -> String {
    let parts = path.split(separator: ":", maxSplits: 1).map { String($0).trimmingSpaces }
    let components = parts[0].split(separator: ".").map(String.init)
    let grouped = components.count > 1 && groupedKeys.contains(components[0])
    let key = grouped ? parts[0] : (components.last ?? parts[0])
    guard commandLine else { return "'\(key)\(parts.count > 1 ? ": " + parts[1] : "")'" }
    let flag = key.replacingOccurrences(".", "-", all: true).replacingOccurrences("_", "-", all: true)
    return "'--\(flag)\(parts.count > 1 ? " " + parts[1] : "")'"
  }
}
