// Text from users, shown back to them: escaped so it cannot drive a terminal, and cut so a
// hostile input cannot make a diagnostic megabytes long.

/// Text from the user shown in a diagnostic with control characters made visible (`\u{1B}`),
/// so nothing a scenario or an argument holds can drive the terminal.
package func visible(_ s: String) -> String {
  guard s.unicodeScalars.contains(where: isControl) else { return s }
  var out = ""
  for u in s.unicodeScalars {
    if isControl(u) {
      out += "\\u{\(String(u.value, radix: 16, uppercase: true))}"
    } else {
      out.unicodeScalars.append(u)
    }
  }
  return out
}

/// C0 and C1 controls, the Unicode line and paragraph separators, and U+FFFE/U+FFFF (which XML
/// forbids): what a terminal, a Markdown table or an SVG must not receive raw.
package func isControl(_ u: Unicode.Scalar) -> Bool {
  (u.value < 0x20 && u != "\t") || (u.value >= 0x7F && u.value < 0xA0) || u.value == 0x2028 || u.value == 0x2029
    || u.value == 0xFFFE || u.value == 0xFFFF
}

/// At most `limit` characters of `s`, made visible; a longer text is cut with "…" and says how
/// long it was (a 7.8 MB number in a config.json is quoted in one line).
package func excerpt(_ s: String, limit: Int = 60) -> String {
  guard s.utf8.count > limit, s.count > limit else { return visible(s) }
  return visible(String(s.prefix(limit))) + "… (\(NumberFormatting.grouped(Double(s.count))) characters)"
}

/// Whether any UTF-8 byte of `s` matches: a scan of its contiguous bytes (String.UTF8View's own
/// iteration is several times slower, and this runs for every cell of a sweep's report).
package func anyByte(of s: String, where predicate: (UInt8) -> Bool) -> Bool {
  var s = s
  return s.withUTF8 { $0.contains(where: predicate) }
}

/// Closest candidate by edit distance, for "did you mean" suggestions.
package func closestMatch(_ word: String, in candidates: [String]) -> String? {
  func distance(_ a: [Character], _ b: [Character]) -> Int {
    if a.isEmpty { return b.count }
    if b.isEmpty { return a.count }
    var prev = Array(0...b.count)
    var cur = [Int](repeating: 0, count: b.count + 1)
    for i in 1...a.count {
      cur[0] = i
      for j in 1...b.count {
        cur[j] = min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1))
      }
      swap(&prev, &cur)
    }
    return prev[b.count]
  }
  // Suggestions are for typos of short names; a long word is compared with nothing (the
  // distance costs length × length).
  guard word.count <= 64 else { return nil }
  let w = Array(word.lowercased())
  var best: (String, Int)?
  for c in candidates where c.count <= 64 {
    let d = distance(w, Array(c.lowercased()))
    if best == nil || d < best!.1 { best = (c, d) }
  }
  guard let (c, d) = best, d <= max(2, w.count / 3) else { return nil }
  return c
}

/// "; did you mean 'x'?" or "".
package func suggestion(_ word: String, _ candidates: [String]) -> String {
  closestMatch(word, in: candidates).map { "; did you mean '\($0)'?" } ?? ""
}

extension String {
  /// Replaces the first occurrence of `a` (or all, with `all: true`).
  package func replacingOccurrences(_ a: String, _ b: String, all: Bool = false) -> String {
    guard !a.isEmpty else { return self }
    guard all else {
      guard let r = range(of: a) else { return self }
      return replacingCharacters(in: r, with: b)
    }
    return components(separatedBy: a).joined(separator: b)
  }
}
