import Foundation
import TrainMemCore

/// Reads an input file whole, once: regular files, `/dev/stdin`, FIFOs and process
/// substitution (`<(…)`) alike, by reading until end of file.
///
/// Every file a command reads —
/// scenarios, seeds, config.json files however they were named — goes through here, and is
/// remembered (device and inode), so `--output` can refuse to replace any of them.
package enum InputFile {
  /// The largest input: 512 MiB.
  ///
  /// Generated scenarios (10^5 runs, about 50 MB) and seeds files
  /// (2 × 10^5 rows) fit; parsing is linear, so the limit keeps a mistaken path (a disk image)
  /// from holding the machine, with a clear error.
  package static let limit = 512 << 20

  package enum Failure: Error { case cannot(String), tooLarge, directory }

  /// The file's bytes; a directory is reported as such without reading it.
  package static func read(_ path: String) -> Result<[UInt8], Failure> {
    let fd = path == "-" ? dup(0) : FilePath(path).withCString { open($0, O_RDONLY | O_CLOEXEC) }
    guard fd >= 0 else { return .failure(.cannot(String(cString: strerror(errno)))) }
    defer { close(fd) }
    var info = stat()
    if fstat(fd, &info) == 0 {
      if (info.st_mode & S_IFMT) == S_IFDIR { return .failure(.directory) }
      let identity = Identity(device: UInt64(info.st_dev), inode: UInt64(info.st_ino))
      record.files.withLock { _ = $0.insert(identity) }
    }
    var bytes: [UInt8] = []
    if (info.st_mode & S_IFMT) == S_IFREG && info.st_size > 0 {
      bytes.reserveCapacity(min(Int(info.st_size), limit) + 1)
    }
    var chunk = [UInt8](repeating: 0, count: 1 << 16)
    while true {
      let n = chunk.withUnsafeMutableBytes { systemRead(fd, $0.baseAddress!, $0.count) }
      if n < 0 {
        if errno == EINTR { continue }
        return .failure(.cannot(String(cString: strerror(errno))))
      }
      if n == 0 { break }
      bytes.append(contentsOf: chunk[0..<n])
      if bytes.count > limit { return .failure(.tooLarge) }
    }
    return .success(bytes)
  }

  /// Whether the current command has read the file with this device and inode.
  package static func wasRead(device: UInt64, inode: UInt64) -> Bool {
    record.files.withLock { $0.contains(Identity(device: device, inode: inode)) }
  }

  /// Runs `body` as one command with its own record of the files it reads, so commands run
  /// side by side in one process (tests, a library caller) never see each other's inputs.
  package static func command<T>(_ body: () throws -> T) rethrows -> T {
    try $record.withValue(ReadRecord(), operation: body)
  }

  fileprivate struct Identity: Hashable {
    var device: UInt64
    var inode: UInt64
  }

  /// The files one command has read.
  package final class ReadRecord: Sendable {
    fileprivate let files = Locked(Set<Identity>())
  }

  /// The current command's record (outside `command`, one for the process).
  @TaskLocal package static var record = ReadRecord()
}

package func systemRead(_ fd: Int32, _ pointer: UnsafeMutableRawPointer, _ count: Int) -> Int {
  #if canImport(Glibc)
    return Glibc.read(fd, pointer, count)
  #else
    return Darwin.read(fd, pointer, count)
  #endif
}
