import Records

/// What a stage answers for one record.
public enum StageDecision: Sendable, Equatable {
    case keep
    /// `reason` is counted in the stage's `dropped`; `detail` (which record, benchmark item or
    /// verifier reason) goes to the rejects file.
    case drop(reason: String, detail: String? = nil)
}

/// A per-record stage of the selection, in the manner of datatrove's filters: a name, a
/// parallel `evaluate` part (a pure function of one record, run on many records at once) and a
/// sequential `decide` part (run in input order, the place for state shared across records,
/// such as the dedup index) that answers keep or drop(reason), and its own counter.
///
/// The selector runs the stages in spec order: `evaluate` stops at the first stage whose
/// evaluation already settles a drop; `decide` then runs on each evaluated stage in order
/// until one drops the record. So the outcome never depends on threads or chunking.
protocol RecordStage: AnyObject {
    /// What the parallel part hands the sequential part.
    associatedtype Evaluation: Sendable
    /// The stage's name in counts and rejects (`render`, `verify`, ...).
    var name: String { get }
    /// Input, kept and dropped records of this stage.
    var counter: StageCounter { get set }
    /// Parallel part: reads only the record and the stage's immutable settings; may annotate the
    /// candidate (rendered ids, verdict) for later stages.
    func evaluate(_ c: inout Candidate) -> Evaluation
    /// Whether an evaluation already settles a drop (later stages then skip the record).
    func settlesDrop(_ e: Evaluation) -> Bool
    /// Sequential part, in input order: keep or drop(reason).
    func decide(_ e: Evaluation, for c: Candidate) -> StageDecision
}

/// Stages whose parallel part decides alone (verify, decontaminate, filter, render).
extension RecordStage where Evaluation == StageDecision {
    func settlesDrop(_ e: StageDecision) -> Bool { e != .keep }
    func decide(_ e: StageDecision, for c: Candidate) -> StageDecision { e }
}

extension RecordStage {
    /// `evaluate`, type-erased for the selector's list of stages.
    func evaluateAny(_ c: inout Candidate) -> (evaluation: any Sendable, dropped: Bool) {
        let e = evaluate(&c)
        return (e, settlesDrop(e))
    }

    /// `decide` on an evaluation from `evaluateAny`, counted in the stage's counter.
    func decideCounted(_ e: any Sendable, for c: Candidate) -> StageDecision {
        counter.input += 1
        let d = decide(e as! Evaluation, for: c)
        switch d {
        case .keep: counter.kept += 1
        case .drop(let reason, _): counter.dropped[reason, default: 0] += 1
        }
        return d
    }
}
