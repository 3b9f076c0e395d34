import Core
import DataIO
import Foundation

/// One `eaft train` run on disk: resolves the resume point, trains, and writes
/// `<output_dir>/checkpoint-<step>/`, the metrics file (one JSON line per optimizer step;
/// on resume cut back to the checkpoint's steps, so it is one trajectory) and
/// report.json / report.svg.
public enum TrainRun {
    /// Trains `config`, resuming from the checkpoint folder `resume` (`auto`: the latest under
    /// `output_dir`, or a fresh start when there is none). `warn` gets notes for stderr (a fresh
    /// start under `auto`, the data's bad lines). Returns the report without its per-step history.
    public static func run(config cfg: TrainConfig, resume: String?, warn: (String) -> Void) throws -> TrainReport {
        var resumeDir: String? = resume
        if resume == "auto" {
            resumeDir = Checkpoint.latest(in: cfg.outputDir)
            if resumeDir == nil { warn("no checkpoint under \(cfg.outputDir); starting fresh\n") }
        }
        do { try AtomicFile.makeDirectory(cfg.outputDir) } catch let e as CoreError {
            throw TrainError(e.reason, at: "output_dir \(cfg.outputDir)", hint: e.hint ?? "")
        }
        let trainer = try Trainer(config: cfg, resume: resumeDir)
        if !trainer.data.errors.isEmpty { warn(trainer.data.errorReport()) }
        let metricsPath = cfg.metrics ?? (cfg.outputDir as NSString).appendingPathComponent("metrics.jsonl")
        let fm = FileManager.default
        if resumeDir == nil || !fm.fileExists(atPath: metricsPath) { fm.createFile(atPath: metricsPath, contents: nil) }
        guard let out = FileHandle(forWritingAtPath: metricsPath) else { throw TrainError("cannot open metrics file", at: metricsPath) }
        // On resume, drop lines for steps after the checkpoint, so the file is the one trajectory.
        if resumeDir != nil {
            let keep = trainer.state.history.map { String(decoding: (try? JSONEncoder.sorted.encode($0)) ?? Data(), as: UTF8.self) + "\n" }.joined()
            try out.truncate(atOffset: 0)
            out.write(Data(keep.utf8))
        }
        trainer.onStep = { m in out.write(Data((String(decoding: (try? JSONEncoder.sorted.encode(m)) ?? Data(), as: UTF8.self) + "\n").utf8)) }
        let state = try trainer.run()
        try out.close()
        let ckpt = (cfg.outputDir as NSString).appendingPathComponent("checkpoint-\(state.step)")
        let report = TrainReport(state: state, checkpoint: ckpt)
        try report.write(to: cfg.outputDir)
        var summary = report
        summary.history = []
        return summary
    }
}
