import Foundation
import TrainMemCore

/// A path as the system gave it: bytes, which need not be UTF-8.
///
/// Swift decodes command-line
/// arguments into Strings, replacing bytes that are not UTF-8 with U+FFFD — a different name,
/// so another file. `RawArguments` keeps each such argument's bytes, and a `FilePath` made from
/// its decoded text (or a path inside its folder) gets them back; every system call on a path
/// goes through one.
package struct FilePath: Sendable, Hashable {
  /// The path's bytes, without a terminating NUL.
  package let bytes: [UInt8]

  package init(bytes: [UInt8]) { self.bytes = bytes }

  /// The path the user meant by `text`: its raw bytes when `text` came from a command-line
  /// argument that was not valid UTF-8, else its UTF-8.
  package init(_ text: String) { bytes = RawArguments.bytes(for: text) ?? Array(text.utf8) }

  /// The path as text for messages (U+FFFD where a byte is not UTF-8).
  package var display: String { String(decoding: bytes, as: UTF8.self) }

  package func withCString<Result>(_ body: (UnsafePointer<CChar>) throws -> Result) rethrows -> Result {
    try (bytes + [0]).withUnsafeBufferPointer { buffer in
      try buffer.withMemoryRebound(to: CChar.self) { try body($0.baseAddress!) }
    }
  }

  /// The folder the path is in: everything before its last `/` (`.` for a bare name, `/` at
  /// the root).
  package var directory: FilePath {
    guard let slash = bytes.lastIndex(of: 0x2F) else { return FilePath(bytes: [0x2E]) }
    return FilePath(bytes: slash == 0 ? [0x2F] : Array(bytes[..<slash]))
  }

  /// `name` inside this folder.
  package func appending(_ name: [UInt8]) -> FilePath {
    FilePath(bytes: bytes + (bytes.last == 0x2F ? [] : [0x2F]) + name)
  }
}

/// The command-line arguments whose bytes are not UTF-8, recorded once at start-up.
package enum RawArguments {
  /// Each such argument's decoded text and bytes; for `--flag=value`, the value's too.
  private static let table = Locked<[(text: String, bytes: [UInt8])]>([])

  /// Records `argv` (without the program name).
  package static func record(_ arguments: [[UInt8]]) {
    var entries: [(text: String, bytes: [UInt8])] = []
    for raw in arguments where String(validating: raw, as: UTF8.self) == nil {
      entries.append((String(decoding: raw, as: UTF8.self), raw))
      if raw.starts(with: [0x2D, 0x2D]), let eq = raw.firstIndex(of: 0x3D) {
        let value = Array(raw[(eq + 1)...])
        entries.append((String(decoding: value, as: UTF8.self), value))
      }
    }
    table.withLock { $0 = entries }
  }

  /// The bytes behind `text`: an argument's own, or a path inside an argument's folder (a
  /// config.json beside a scenario named by bytes that are not UTF-8).
  package static func bytes(for text: String) -> [UInt8]? {
    guard text.unicodeScalars.contains("\u{FFFD}") else { return nil }
    return table.withLock { entries in
      if let hit = entries.first(where: { $0.text == text }) { return hit.bytes }
      for entry in entries {
        let folder = FilePath(bytes: entry.bytes).directory
        let folderText = folder.display + "/"
        if text.hasPrefix(folderText) { return folder.bytes + [0x2F] + Array(text.dropFirst(folderText.count).utf8) }
      }
      return nil
    }
  }
}
