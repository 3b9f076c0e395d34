/// Recursive-descent parser from tokens to `Node`s, following jinja2/parser.py: the same operator
/// precedence (condexpr < or < and < not < compare < + - < ~ < * / // % < ** < unary < postfix/filter),
/// the same statement set (with transformers' `generation` tag and the `loopcontrols` extension),
/// and jinja2's wording for the common syntax errors.
struct Parser {
    var toks: [Token]
    var k = 0
    /// Open block tags, innermost last, for "looking for" messages.
    var stack: [String] = []
    /// > 0 inside `if` tests/bodies and conditional expressions: an unknown filter there is a runtime error.
    var soft = 0
    /// Names read inside the macro bodies being parsed (to find `caller` / `varargs` / `kwargs`).
    var macroNames: [Set<String>] = []
    /// Nesting of expressions being parsed; deeper than `maxNesting` is a syntax error, not a stack overflow.
    var nesting = 0
    static let maxNesting = 200

    init(_ tokens: [Token]) { toks = tokens }

    static func parse(_ source: String) throws -> [Node] {
        var p = Parser(try Lexer.tokenize(source))
        return try p.subparse(endTags: [])
    }

    var cur: Token { toks[k] }
    var peekTok: Token { toks[min(k + 1, toks.count - 1)] }
    mutating func next() -> Token { let t = toks[k]; if k < toks.count - 1 { k += 1 }; return t }

    func fail(_ msg: String, _ p: SourcePos? = nil) -> JinjaError {
        let p = p ?? cur.pos
        return JinjaError(.syntax, msg, line: p.line, column: p.column)
    }

    func isOp(_ s: String) -> Bool { cur.kind == .op && cur.text == s }
    func isName(_ s: String) -> Bool { cur.kind == .name && cur.text == s }

    mutating func skipOp(_ s: String) -> Bool { if isOp(s) { _ = next(); return true }; return false }
    mutating func skipName(_ s: String) -> Bool { if isName(s) { _ = next(); return true }; return false }

    func describe(_ t: Token) -> String {
        switch t.kind {
        case .eof: return "end of template"
        case .blockEnd: return "end of statement block"
        case .variableEnd: return "end of print statement"
        case .name: return "'\(t.text)'"
        case .op: return "'\(t.text)'"
        case .string: return "string"
        case .integer: return "integer"
        case .float: return "float"
        default: return "'\(t.text)'"
        }
    }

    mutating func expectOp(_ s: String) throws {
        guard skipOp(s) else { throw fail("expected token '\(s)', got \(describe(cur))") }
    }

    mutating func expectName() throws -> String {
        guard cur.kind == .name else { throw fail("expected token 'name', got \(describe(cur))") }
        return next().text
    }

    mutating func expectBlockEnd() throws {
        guard cur.kind == .blockEnd else { throw fail("expected token 'end of statement block', got \(describe(cur))") }
        _ = next()
    }

    func lookingFor(_ endTags: [String]) -> String {
        var s = ""
        if !endTags.isEmpty {
            let names = endTags.map { "'\($0)'" }
            s += " Jinja was looking for the following tags: "
            s += names.joined(separator: " or ")
            s += "."
        }
        if let inner = stack.last { s += " The innermost block that needs to be closed is '\(inner)'." }
        return s
    }

    /// Parses nodes until one of `endTags` opens a block tag (left as the current token, after `{%`).
    mutating func subparse(endTags: [String]) throws -> [Node] {
        var body: [Node] = []
        while true {
            switch cur.kind {
            case .data:
                body.append(.text(next().text))
            case .variableBegin:
                let p = next().pos
                let e = try parseTuple()
                guard cur.kind == .variableEnd else { throw fail("expected token 'end of print statement', got \(describe(cur))") }
                _ = next()
                body.append(.output(e, p))
            case .blockBegin:
                let begin = next()
                guard cur.kind == .name else { throw fail("tag name expected", begin.pos) }
                if endTags.contains(cur.text) { return body }
                body.append(try parseStatement())
            case .eof:
                if endTags.isEmpty { return body }
                throw fail("Unexpected end of template." + lookingFor(endTags))
            default:
                throw fail("unexpected \(describe(cur))")
            }
        }
    }

    mutating func parseStatement() throws -> Node {
        let t = cur
        switch t.text {
        case "for": return try parseFor()
        case "if": return try parseIf()
        case "set": return try parseSet()
        case "macro": return try parseMacro()
        case "call": return try parseCallBlock()
        case "filter": return try parseFilterBlock()
        case "with": return try parseWith()
        case "generation":
            _ = next(); try expectBlockEnd()
            stack.append("generation")
            let body = try subparse(endTags: ["endgeneration"])
            _ = next(); try expectBlockEnd()
            stack.removeLast()
            return .generation(body)
        case "break", "continue":
            _ = next(); try expectBlockEnd()
            return t.text == "break" ? .breakLoop : .continueLoop
        default:
            if !stack.isEmpty, t.text.hasPrefix("end") || ["else", "elif"].contains(t.text) {
                throw fail("Encountered unknown tag '\(t.text)'." + lookingFor(expectedEnds()), t.pos)
            }
            throw fail("Encountered unknown tag '\(t.text)'.", t.pos)
        }
    }

    func expectedEnds() -> [String] {
        switch stack.last {
        case "for": return ["endfor", "else"]
        case "if": return ["elif", "else", "endif"]
        case .some(let s): return ["end" + s]
        case nil: return []
        }
    }

    mutating func parseFor() throws -> Node {
        let p = next().pos
        let target = try parseAssignTarget(extraEnd: ["in"])
        guard skipName("in") else { throw fail("expected token 'in', got \(describe(cur))") }
        let iter = try parseTuple(withCondexpr: false, extraEnd: ["recursive"])
        var filter: Expr? = nil
        if skipName("if") { filter = try parseExpression() }
        let recursive = skipName("recursive")
        try expectBlockEnd()
        stack.append("for")
        let body = try subparse(endTags: ["endfor", "else"])
        var elseBody: [Node] = []
        if next().text == "else" {
            try expectBlockEnd()
            elseBody = try subparse(endTags: ["endfor"])
            _ = next()
        }
        try expectBlockEnd()
        stack.removeLast()
        return .forLoop(ForNode(target: target, iter: iter, filter: filter, body: body, elseBody: elseBody, recursive: recursive, pos: p))
    }

    mutating func parseIf() throws -> Node {
        _ = next()
        soft += 1
        defer { soft -= 1 }
        stack.append("if")
        var branches: [(Expr, [Node])] = []
        var elseBody: [Node] = []
        var test = try parseTuple(withCondexpr: false)
        while true {
            try expectBlockEnd()
            let body = try subparse(endTags: ["elif", "else", "endif"])
            branches.append((test, body))
            let tag = next().text
            if tag == "elif" { test = try parseTuple(withCondexpr: false); continue }
            if tag == "else" {
                try expectBlockEnd()
                elseBody = try subparse(endTags: ["endif"])
                _ = next()
            }
            break
        }
        try expectBlockEnd()
        stack.removeLast()
        return .ifChain(branches, elseBody)
    }

    mutating func parseSet() throws -> Node {
        let p = next().pos
        let target = try parseAssignTarget(withNamespace: true)
        if skipOp("=") {
            let e = try parseTuple()
            try expectBlockEnd()
            return .set(target, e, p)
        }
        var filters: [(FilterRef, CallArgs, SourcePos)] = []
        while skipOp("|") { filters.append(try parseFilterName()) }
        try expectBlockEnd()
        stack.append("set")
        let body = try subparse(endTags: ["endset"])
        _ = next(); try expectBlockEnd()
        stack.removeLast()
        return .setBlock(target, body, filters, p)
    }

    mutating func parseMacroSignature(name: String, pos: SourcePos) throws -> ([String], [Expr?]) {
        var params: [String] = [], defaults: [Expr?] = []
        try expectOp("(")
        while !isOp(")") {
            if !params.isEmpty { try expectOp(",") }
            let n = try expectName()
            params.append(n)
            if skipOp("=") { defaults.append(try parseExpression()) } else {
                if defaults.contains(where: { $0 != nil }) { throw fail("non-default argument follows default argument") }
                defaults.append(nil)
            }
        }
        _ = next()
        return (params, defaults)
    }

    mutating func parseMacroBody(endTag: String) throws -> ([Node], Set<String>) {
        stack.append(endTag.dropFirst(3).description)
        macroNames.append([])
        let saveSoft = soft
        soft = 0
        let body = try subparse(endTags: [endTag])
        soft = saveSoft
        _ = next(); try expectBlockEnd()
        stack.removeLast()
        let names = macroNames.removeLast()
        if !macroNames.isEmpty { macroNames[macroNames.count - 1].formUnion(names) }
        return (body, names)
    }

    mutating func parseMacro() throws -> Node {
        let p = next().pos
        let name = try expectName()
        let (params, defaults) = try parseMacroSignature(name: name, pos: p)
        try expectBlockEnd()
        let (body, names) = try parseMacroBody(endTag: "endmacro")
        return .macro(MacroNode(name: name, params: params, defaults: defaults, body: body, pos: p,
                                usesCaller: names.contains("caller"), usesVarargs: names.contains("varargs"),
                                usesKwargs: names.contains("kwargs")))
    }

    mutating func parseCallBlock() throws -> Node {
        let p = next().pos
        var params: [String] = [], defaults: [Expr?] = []
        if isOp("(") { (params, defaults) = try parseMacroSignature(name: "caller", pos: p) }
        let call = try parseExpression()
        guard case .call = call else { throw fail("expected call", p) }
        try expectBlockEnd()
        let (body, names) = try parseMacroBody(endTag: "endcall")
        let m = MacroNode(name: "caller", params: params, defaults: defaults, body: body, pos: p,
                          usesCaller: names.contains("caller"), usesVarargs: names.contains("varargs"),
                          usesKwargs: names.contains("kwargs"))
        return .callBlock(call, m, p)
    }

    mutating func parseFilterBlock() throws -> Node {
        let p = next().pos
        var filters: [(FilterRef, CallArgs, SourcePos)] = [try parseFilterName()]
        while skipOp("|") { filters.append(try parseFilterName()) }
        try expectBlockEnd()
        stack.append("filter")
        let body = try subparse(endTags: ["endfilter"])
        _ = next(); try expectBlockEnd()
        stack.removeLast()
        return .filterBlock(body, filters, p)
    }

    mutating func parseWith() throws -> Node {
        let p = next().pos
        var assigns: [(Target, Expr)] = []
        while cur.kind != .blockEnd {
            if !assigns.isEmpty { try expectOp(",") }
            let t = try parseAssignTarget()
            try expectOp("=")
            assigns.append((t, try parseExpression()))
        }
        try expectBlockEnd()
        stack.append("with")
        let body = try subparse(endTags: ["endwith"])
        _ = next(); try expectBlockEnd()
        stack.removeLast()
        return .with(assigns, body, p)
    }

    mutating func parseAssignTarget(extraEnd: [String] = [], withNamespace: Bool = false) throws -> Target {
        let p = cur.pos
        if withNamespace, cur.kind == .name, peekTok.kind == .op, peekTok.text == "." {
            let ns = next().text
            _ = next()
            return .attr(ns, try expectName(), p)
        }
        var items: [Target] = []
        var sawComma = false
        while true {
            if !items.isEmpty {
                guard skipOp(",") else { break }
                sawComma = true
            }
            if cur.kind == .blockEnd || cur.kind == .variableEnd || isOp("=") || isOp(")")
                || (cur.kind == .name && extraEnd.contains(cur.text)) { break }
            if skipOp("(") {
                let inner = try parseAssignTarget(extraEnd: extraEnd)
                try expectOp(")")
                items.append(inner)
            } else {
                let n = try expectName()
                if ["true", "false", "none", "True", "False", "None"].contains(n) { throw fail("can't assign to '\(n)'", p) }
                items.append(.name(n))
            }
        }
        if items.isEmpty { throw fail("expected token 'name', got \(describe(cur))") }
        return (items.count == 1 && !sawComma) ? items[0] : .tuple(items, p)
    }
}
