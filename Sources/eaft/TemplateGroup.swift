import ArgumentParser
import Foundation
import Jinja
import Records

/// `eaft template …`: a model's own Jinja chat template.
struct TemplateGroup: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "template",
        abstract: "Render a model's own Jinja chat template exactly as transformers does.",
        subcommands: [TemplateRender.self, TemplateBench.self])
}
