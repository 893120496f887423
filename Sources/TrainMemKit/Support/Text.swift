// Text from users, shown back to them: escaped so it cannot drive a terminal, and cut so a
// hostile input cannot make a diagnostic megabytes long.

/// Text from the user shown in a diagnostic with control characters made visible (`\u{1B}`),
/// so nothing a scenario or an argument holds can drive the terminal.
func visible(_ s: String) -> String {
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
func isControl(_ u: Unicode.Scalar) -> Bool {
  (u.value < 0x20 && u != "\t") || (u.value >= 0x7F && u.value < 0xA0) || u.value == 0x2028 || u.value == 0x2029
    || u.value == 0xFFFE || u.value == 0xFFFF
}

/// At most `limit` characters of `s`, made visible; a longer text is cut with "…" and says how
/// long it was (a 7.8 MB number in a config.json is quoted in one line).
func excerpt(_ s: String, limit: Int = 60) -> String {
  guard s.utf8.count > limit, s.count > limit else { return visible(s) }
  return visible(String(s.prefix(limit))) + "… (\(NumberFormatting.grouped(Double(s.count))) characters)"
}

/// Whether any UTF-8 byte of `s` matches: a scan of its contiguous bytes (String.UTF8View's own
/// iteration is several times slower, and this runs for every cell of a sweep's report).
func anyByte(of s: String, where predicate: (UInt8) -> Bool) -> Bool {
  var s = s
  return s.withUTF8 { $0.contains(where: predicate) }
}
