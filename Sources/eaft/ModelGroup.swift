import ArgumentParser
import DataIO
import Foundation
import Model
import Records

/// `eaft model ...`: model utilities.
struct ModelGroup: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "model", abstract: "Model utilities (random-init checkpoints, GGUF import).",
        subcommands: [InitModel.self, ImportModel.self])
}
