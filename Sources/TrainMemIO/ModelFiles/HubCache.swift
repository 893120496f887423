import Foundation
import TrainMemCore

// A Hub id's config.json in the local Hugging Face cache, found offline the way huggingface_hub
// lays the cache out: `$HF_HUB_CACHE`, else `$HF_HOME/hub`, else `~/.cache/huggingface/hub`,
// then `models--{org}--{name}/snapshots/{revision}/config.json` (huggingface_hub
// `constants.py` and `file_download.py`: `repo_folder_name`).

package enum HubCache {
  /// The hub cache directories to look in, first match wins.
  static func roots(_ env: [String: String] = ProcessInfo.processInfo.environment) -> [String] {
    if let hub = env["HF_HUB_CACHE"], !hub.isEmpty { return [hub] }
    if let home = env["HF_HOME"], !home.isEmpty { return [home + "/hub"] }
    guard let user = env["HOME"], !user.isEmpty else { return [] }
    return [user + "/.cache/huggingface/hub"]
  }

  /// Whether `value` names something on disk (then it is a path, not a Hub id).
  package static func isLocalPath(_ value: String) -> Bool {
    var info = stat()
    return FilePath(value).withCString { stat($0, &info) } == 0
  }

  /// The cached config.json of `id` (`org/name`): the newest snapshot that has one.
  package static func config(for id: String, env: [String: String] = ProcessInfo.processInfo.environment) -> String? {
    let folder = "models--" + id.replacingOccurrences(of: "/", with: "--")
    for root in roots(env) {
      let snapshots = root + "/" + folder + "/snapshots"
      guard let revisions = try? FileManager.default.contentsOfDirectory(atPath: snapshots) else { continue }
      let found = revisions.map { snapshots + "/" + $0 + "/config.json" }.filter(isLocalPath)
      let newest = found.max { modified($0) < modified($1) }
      if let newest { return newest }
    }
    return nil
  }

  private static func modified(_ path: String) -> Int {
    var info = stat()
    guard FilePath(path).withCString({ stat($0, &info) }) == 0 else { return 0 }
    return Int(info.st_mtim.tv_sec)
  }

  /// Why a Hub id cannot be read, and how to get its config.json.
  package static func missingMessage(_ id: String) -> String {
    let cache = roots().first ?? "~/.cache/huggingface/hub"
    return
      "'\(visible(id))' is a Hugging Face id that is neither a preset (trainmem list models) nor in the local cache (\(visible(cache))); fetch its config.json with 'huggingface-cli download \(visible(id)) config.json' and pass the file's path"
  }
}
