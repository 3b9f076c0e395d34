import Records

/// The `eaft check` protocol: one JSON row per input line in, exactly one verdict line
/// `{"verdict": bool, "reason": "...", "extracted": ...}` per input line out, in order. A
/// blank or bad line becomes a failed `bad_input` verdict naming its line, is counted, and
/// never stops the run.
public struct CheckJSONL {
    /// Counts of one run.
    public struct Summary: Sendable, Equatable {
        public var passed = 0
        public var failed = 0
        public var badInput = 0
        public init() {}
        /// The summary line written on stderr: `{"lines": n, "passed": p, "failed": f, "bad_input": b}`.
        public var line: String {
            "{\"lines\": \(passed + failed), \"passed\": \(passed), \"failed\": \(failed), \"bad_input\": \(badInput)}\n"
        }
    }

    public var kind: VerifierSet.Kind
    public var verifiers: VerifierSet

    public init(kind: VerifierSet.Kind, verifiers: VerifierSet) {
        self.kind = kind
        self.verifiers = verifiers
    }

    /// Judges every line `next` returns (nil = end of input); `inputName` names the input in
    /// bad-line reasons. Output goes to `write` in chunks of about 1 MiB.
    public func run(next: () throws -> [UInt8]?, inputName: String, write: ([UInt8]) throws -> Void) throws -> Summary {
        var out: [UInt8] = []
        out.reserveCapacity(1 << 20)
        var summary = Summary()
        var lineNumber = 0
        let writer = JSONWriter()
        while let line = try next() {
            lineNumber += 1
            // Every input line yields exactly one output line, blank ones included.
            let verdict: Verdict
            do {
                if line.allSatisfy({ $0 == 32 || $0 == 13 || $0 == 9 }) { throw VerifyError("blank line") }
                verdict = try verifiers.verify(row: try JSONParser.parse(line), kind: kind)
            } catch {
                summary.badInput += 1
                verdict = .fail("bad_input", "\(inputName):\(lineNumber): \(error)")
            }
            if verdict.passed { summary.passed += 1 } else { summary.failed += 1 }
            writer.write(verdict.json, into: &out)
            out.append(10)
            if out.count >= 1 << 20 { try write(out); out.removeAll(keepingCapacity: true) }
        }
        try write(out)
        return summary
    }
}
