import TrainMemCore

// Every setting of a training run is declared once, in `Settings.all`: its scenario key, the
// value it takes, its default, a one-line doc, its command-line flag, its JSON `inputs` fields
// and its CSV column. The scenario loader, the flags of `estimate` and `fit`, `--help`, the key
// table in docs/scenario-format.md, the JSON `inputs` object and the CSV header all read these
// declarations; adding a setting is one declaration here and its use in a model.

/// A value in a report's `inputs` object or among its results (`ResultColumn`).
package enum FieldValue: Sendable {
  case integer(Int64)
  case number(Double)
  case text(String)
  case flag(Bool)
}

/// One field of a run's inputs — the JSON report's `inputs` object and the Markdown report's
/// inputs line: its name and its value for a run (nil: left out).
package struct InputField: Sendable {
  package let name: String
  package let value: @Sendable (RunResult) -> FieldValue?
  /// Describes the model or the GPU rather than a choice of the run (`hidden`, `gpu_memory`):
  /// in the JSON, not on the Markdown line.
  package var isDetail = false
  /// What the value means for this run, in parentheses after it on the Markdown line.
  package var note: (@Sendable (TrainingSetup) -> String)? = nil
  /// The unit the Markdown line writes a number in (`450GB/s`, `5%`); the JSON keeps SI units.
  package var unit: QuantityKind? = nil

  package init(
    _ name: String, isDetail: Bool = false, unit: QuantityKind? = nil,
    note: (@Sendable (TrainingSetup) -> String)? = nil, _ value: @escaping @Sendable (RunResult) -> FieldValue?
  ) {
    self.name = name
    self.isDetail = isDetail
    self.unit = unit
    self.note = note
    self.value = value
  }
}

/// A CSV cell: text (quoted by the renderer when it must be), a whole number, or nothing.
package enum CSVCell: Sendable {
  case text(@Sendable (TrainingSetup) -> String)
  case integer(@Sendable (TrainingSetup) -> Int64?)

  /// The cell's bytes, appended (no string is built for a number).
  package func append(_ s: TrainingSetup, to out: inout [UInt8]) {
    switch self {
    case .text(let text): CSVRenderer.appendField(text(s), to: &out)
    case .integer(let value): if let v = value(s) { NumberFormatting.appendInteger(v, to: &out) }
    }
  }
}

/// Reads one setting's value from a node and returns the edit it makes, or nil after
/// recording a diagnostic.
package typealias SettingParser = @Sendable (inout ScenarioLoader, Node, Setting) -> SetupEdit?

/// One setting, declared once: which it is, its value's syntax (`ValueSyntax`) and where the
/// value goes in `TrainingSetup`, its docs, and its report fields.
package struct Setting: Sendable {
  /// Which setting: its path, key and group (`SettingID`).
  package let id: SettingID
  /// The scenario key inside its group (`micro_batch`, `rank`).
  package var key: String { id.key }
  package var group: SettingGroup { id.group }
  /// The value's syntax for help and docs (`N`, `none|ddp|…`, `SIZE|N%`).
  package let value: String
  /// The default, as the docs print it.
  package let defaultText: String
  package let doc: String
  /// What a value is called in messages ("unknown parallelism 'x'"); the key by default.
  package var noun: String? = nil
  /// Takes no value on the command line (`--layerwise`, or `--layerwise=false`).
  package let isBoolean: Bool
  /// Has a command-line flag (`--micro-batch`); every flat setting has one unless it is
  /// scenario-only.
  package var hasFlag = true
  /// Values the invariant generator draws, and how often (`ValueSyntax.samples`, `Sampling`).
  package let samples: [String]
  package let sampling: Sampling
  package let parse: SettingParser
  /// The fields this setting contributes to the JSON report's `inputs`.
  package var inputs: [InputField] = []
  /// The CSV column and its cell, for settings that have one.
  package var csv: (name: String, cell: CSVCell)? = nil

  /// A setting whose value, read by `syntax`, is written into the setup at `target`.
  init<V>(
    _ id: SettingID, _ syntax: ValueSyntax<V>, at target: WritableKeyPath<TrainingSetup, V> & Sendable,
    default defaultText: String, doc: String, noun: String? = nil, sampling: Sampling = .often,
    inputs: [InputField] = [], csv: (String, CSVCell)? = nil
  ) {
    self.init(
      id, syntax, default: defaultText, doc: doc, noun: noun, sampling: sampling, inputs: inputs, csv: csv,
      apply: { $0[keyPath: target] = $1 })
  }

  /// A setting whose value fills an optional field of the setup (nil: not given).
  init<V>(
    _ id: SettingID, _ syntax: ValueSyntax<V>, at target: WritableKeyPath<TrainingSetup, V?> & Sendable,
    default defaultText: String, doc: String, noun: String? = nil, sampling: Sampling = .often,
    inputs: [InputField] = [], csv: (String, CSVCell)? = nil
  ) {
    self.init(
      id, syntax, default: defaultText, doc: doc, noun: noun, sampling: sampling, inputs: inputs, csv: csv,
      apply: { $0[keyPath: target] = $1 })
  }

  /// A setting whose value edits more than one field (`price`, a `lora.*` key that turns
  /// adapters on): the edit is given.
  init<V>(
    _ id: SettingID, _ syntax: ValueSyntax<V>, default defaultText: String, doc: String, noun: String? = nil,
    sampling: Sampling = .often, hasFlag: Bool = true, inputs: [InputField] = [], csv: (String, CSVCell)? = nil,
    apply: @escaping @Sendable (inout TrainingSetup, V) -> Void
  ) {
    self.id = id
    self.value = syntax.text
    self.defaultText = defaultText
    self.doc = doc
    self.noun = noun
    self.isBoolean = syntax.isBoolean
    self.hasFlag = hasFlag
    self.samples = syntax.samples
    self.sampling = sampling
    let read = syntax.read
    self.parse = { loader, node, setting in
      guard let value = read(&loader, node, setting) else { return nil }
      return { apply(&$0, value) }
    }
    self.inputs = inputs
    self.csv = csv.map { (name: $0.0, cell: $0.1) }
  }

  /// The key path in a scenario: `micro_batch`, `optimizer.rank`.
  package var path: String { id.path }
  /// The name on the command line and in seed conditions, where groups are flat: the key,
  /// or for `lora` and `freeze` the key after the group (`lora_rank`, `freeze_layers`), so
  /// `rank` stays the optimizer's.
  package var flatKey: String {
    group == .lora || group == .freeze || group == .offload ? "\(group.rawValue)_\(key)" : key
  }
  /// The command-line flag without dashes: `micro-batch`, `lora-rank`.
  package var flag: String { flatKey.replacingOccurrences("_", "-", all: true) }
}
