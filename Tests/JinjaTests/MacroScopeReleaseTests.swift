import XCTest
@testable import Jinja

/// A macro and the scope that defines it refer to each other; a render must still free its
/// scopes. The fuzz campaign's leak check (FUZZING.md, `EAFT_FUZZ_LEAKS=1`) found every render of
/// a template with a macro (a GLM chat template among the seeds) leaking them.
final class MacroScopeReleaseTests: XCTestCase {
    static let source = """
        {%- macro m(x) %}[{{ x }}]{% endmacro -%}
        {%- for i in range(3) %}{% macro n() %}{{ i }}{% endmacro %}{{ m(i) }}{{ n() }}{% endfor -%}
        {%- call m('c') %}{% endcall -%}
        """

    /// Renders through the same steps as `Template.render` and reports whether the scopes
    /// outlived the render (weak references that should be nil afterwards).
    func renderKeepingWeakScopes(_ t: Template) throws -> (text: String, root: Scope?, globals: Scope?) {
        weak var root: Scope?
        weak var globals: Scope?
        var text = ""
        do {
            let g = Scope(parent: nil, vars: Globals.table)
            let r = Scope(parent: g, vars: [:])
            let interp = Interpreter(globals: g, options: RenderOptions())
            try interp.run(t.nodes, scope: r)
            text = interp.out
            root = r
            globals = g
        }
        return (text, root, globals)
    }

    func testRenderFreesMacroScopes() throws {
        let t = try Template(Self.source)
        let (text, root, globals) = try renderKeepingWeakScopes(t)
        XCTAssertEqual(text, "[0]0[1]1[2]2[c]")
        XCTAssertNil(root, "the template's scope outlived the render (macro ↔ scope reference cycle)")
        XCTAssertNil(globals)
        // The public entry point renders the same text (and goes through the same `run`).
        XCTAssertEqual(try t.render([:]), text)
    }
}
