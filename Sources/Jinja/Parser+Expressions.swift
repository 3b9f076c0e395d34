/// Expression grammar of jinja2/parser.py (`parse_tuple` … `parse_primary`).
extension Parser {
    /// `a, b` without parentheses is a tuple (in `{{ }}`, `set`, `for … in`).
    mutating func parseTuple(withCondexpr: Bool = true, extraEnd: [String] = [], explicitParens: Bool = false) throws -> Expr {
        var items: [Expr] = []
        var sawComma = false
        while true {
            if !items.isEmpty {
                guard skipOp(",") else { break }
                sawComma = true
            }
            if cur.kind == .variableEnd || cur.kind == .blockEnd || isOp(")") || isOp("]") || isOp("}")
                || (cur.kind == .name && extraEnd.contains(cur.text)) || cur.kind == .eof { break }
            items.append(withCondexpr ? try parseExpression() : try parseOr())
        }
        if !sawComma {
            if let only = items.first { return only }
            if !explicitParens { throw fail("Expected an expression, got \(describe(cur))") }
        }
        return .tuple(items)
    }

    mutating func parseExpression() throws -> Expr {
        nesting += 1
        defer { nesting -= 1 }
        if nesting > Parser.maxNesting { throw fail("expression nested too deeply (more than \(Parser.maxNesting) levels)") }
        var e = try parseOr()
        while skipName("if") {
            soft += 1
            defer { soft -= 1 }
            let test = try parseOr()
            var other: Expr? = nil
            if skipName("else") { other = try parseExpression() }
            e = .cond(test, e, other)
        }
        return e
    }

    mutating func parseOr() throws -> Expr {
        var e = try parseAnd()
        while skipName("or") { e = .or(e, try parseAnd()) }
        return e
    }

    mutating func parseAnd() throws -> Expr {
        var e = try parseNot()
        while skipName("and") { e = .and(e, try parseNot()) }
        return e
    }

    mutating func parseNot() throws -> Expr {
        if skipName("not") { return .not(try parseNot()) }
        return try parseCompare()
    }

    mutating func parseCompare() throws -> Expr {
        let p = cur.pos
        let e = try parseMath1()
        var ops: [(CompareOp, Expr)] = []
        while true {
            if cur.kind == .op, let op = CompareOp(rawValue: cur.text) {
                _ = next()
                ops.append((op, try parseMath1()))
            } else if isOp("<") || isOp(">") {
                let op: CompareOp = next().text == "<" ? .lt : .gt
                ops.append((op, try parseMath1()))
            } else if skipName("in") {
                ops.append((.in, try parseMath1()))
            } else if isName("not"), peekTok.kind == .name, peekTok.text == "in" {
                _ = next(); _ = next()
                ops.append((.notIn, try parseMath1()))
            } else {
                break
            }
        }
        return ops.isEmpty ? e : .compare(e, ops, p)
    }

    mutating func parseMath1() throws -> Expr {
        var e = try parseConcat()
        var terms = [e]
        var onlyAdds = true
        var firstPos: SourcePos? = nil
        while isOp("+") || isOp("-") {
            let t = next()
            if firstPos == nil { firstPos = t.pos }
            if t.text == "-" { onlyAdds = false }
            let rhs = try parseConcat()
            terms.append(rhs)
            e = .binary(t.text == "+" ? .add : .sub, e, rhs, t.pos)
        }
        if onlyAdds && terms.count >= 3, let p = firstPos { return .addChain(terms, p) }
        return e
    }

    mutating func parseConcat() throws -> Expr {
        let p = cur.pos
        var args = [try parseMath2()]
        while skipOp("~") { args.append(try parseMath2()) }
        return args.count == 1 ? args[0] : .concat(args, p)
    }

    mutating func parseMath2() throws -> Expr {
        var e = try parsePow()
        while cur.kind == .op, ["*", "/", "//", "%"].contains(cur.text) {
            let t = next()
            e = .binary(BinaryOp(rawValue: t.text)!, e, try parsePow(), t.pos)
        }
        return e
    }

    mutating func parsePow() throws -> Expr {
        var e = try parseUnary()
        while isOp("**") {
            let t = next()
            e = .binary(.pow, e, try parseUnary(), t.pos)
        }
        return e
    }

    mutating func parseUnary(withFilter: Bool = true) throws -> Expr {
        nesting += 1
        defer { nesting -= 1 }
        if nesting > Parser.maxNesting { throw fail("expression nested too deeply (more than \(Parser.maxNesting) levels)") }
        var e: Expr
        if isOp("-") {
            let p = next().pos
            e = .neg(try parseUnary(withFilter: false), p)
        } else if isOp("+") {
            let p = next().pos
            e = .pos(try parseUnary(withFilter: false), p)
        } else {
            e = try parsePrimary()
        }
        e = try parsePostfix(e)
        if withFilter { e = try parseFilterExpr(e) }
        return e
    }

    mutating func parsePrimary() throws -> Expr {
        let t = cur
        switch t.kind {
        case .name:
            _ = next()
            switch t.text {
            case "true", "True": return .const(.bool(true))
            case "false", "False": return .const(.bool(false))
            case "none", "None": return .const(.none)
            default:
                if !macroNames.isEmpty { macroNames[macroNames.count - 1].insert(t.text) }
                return .name(t.text, t.pos)
            }
        case .string:
            var s = next().text
            while cur.kind == .string { s += next().text }
            return .const(.string(s))
        case .integer: _ = next(); return .const(.int(t.int))
        case .float: _ = next(); return .const(.float(t.float))
        case .op where t.text == "(":
            _ = next()
            let e = try parseTuple(explicitParens: true)
            try expectOp(")")
            return e
        case .op where t.text == "[":
            _ = next()
            var items: [Expr] = []
            while !isOp("]") {
                if !items.isEmpty { try expectOp(",") }
                if isOp("]") { break }
                items.append(try parseExpression())
            }
            _ = next()
            return .list(items)
        case .op where t.text == "{":
            _ = next()
            var items: [(Expr, Expr)] = []
            while !isOp("}") {
                if !items.isEmpty { try expectOp(",") }
                if isOp("}") { break }
                let key = try parseExpression()
                try expectOp(":")
                items.append((key, try parseExpression()))
            }
            _ = next()
            return .dict(items)
        default:
            throw fail(t.kind == .name || t.kind == .op ? "unexpected \(describe(t))" : "unexpected '\(describe(t))'")
        }
    }

    mutating func parsePostfix(_ start: Expr) throws -> Expr {
        var e = start
        while true {
            if isOp(".") {
                let p = next().pos
                if cur.kind == .name { e = .getattr(e, next().text, p) }
                else if cur.kind == .integer { e = .getitem(e, .const(.int(next().int)), p) }
                else { throw fail("expected name or number", p) }
            } else if isOp("[") {
                let p = next().pos
                var subs: [Expr] = []
                while !isOp("]") {
                    if !subs.isEmpty { try expectOp(",") }
                    subs.append(try parseSubscribed())
                }
                _ = next()
                if subs.count == 1, case .slice(_, let a, let b, let c, _) = subs[0] { e = .slice(e, a, b, c, p) }
                else { e = .getitem(e, subs.count == 1 ? subs[0] : .tuple(subs), p) }
            } else if isOp("(") {
                let p = cur.pos
                e = .call(e, try parseCallArgs(), p)
            } else {
                return e
            }
        }
    }

    /// One subscript: an expression or a slice `a:b:c` (returned as `.slice(.const(.none), …)`).
    mutating func parseSubscribed() throws -> Expr {
        let p = cur.pos
        var parts: [Expr?] = []
        if isOp(":") { parts.append(nil) } else {
            let e = try parseExpression()
            if !isOp(":") { return e }
            parts.append(e)
        }
        _ = next()
        if isOp("]") || isOp(",") { parts.append(nil) } else if isOp(":") { parts.append(nil) } else { parts.append(try parseExpression()) }
        if skipOp(":") {
            if isOp("]") || isOp(",") { parts.append(nil) } else { parts.append(try parseExpression()) }
        } else { parts.append(nil) }
        return .slice(.const(.none), parts[0], parts[1], parts[2], p)
    }

    mutating func parseCallArgs() throws -> CallArgs {
        try expectOp("(")
        var args = CallArgs()
        while !isOp(")") {
            if !(args.isEmpty) { try expectOp(","); if isOp(")") { break } }
            if cur.kind == .name, peekTok.kind == .op, peekTok.text == "=" {
                let key = next().text
                _ = next()
                args.keyword.append((key, try parseExpression()))
            } else {
                if !args.keyword.isEmpty { throw fail("invalid syntax for function call expression") }
                args.positional.append(try parseExpression())
            }
        }
        _ = next()
        return args
    }

    mutating func parseFilterName() throws -> (FilterRef, CallArgs, SourcePos) {
        let p = cur.pos
        var name = try expectName()
        while isOp(".") { _ = next(); name += "." + (try expectName()) }
        let args = isOp("(") ? try parseCallArgs() : CallArgs()
        let fn = Filters.table[name]
        if fn == nil && soft == 0 { throw JinjaError(.assertion, "No filter named '\(name)'.", line: p.line, column: p.column) }
        return (FilterRef(name: name, fn: fn), args, p)
    }

    mutating func parseFilterExpr(_ start: Expr) throws -> Expr {
        var e = start
        while true {
            if skipOp("|") {
                let (f, args, p) = try parseFilterName()
                e = .filter(e, f, args, p)
            } else if isName("is") {
                let p = next().pos
                let negated = skipName("not")
                var name = try expectName()
                while isOp(".") { _ = next(); name += "." + (try expectName()) }
                var args = CallArgs()
                if isOp("(") {
                    args = try parseCallArgs()
                } else if [.name, .string, .integer, .float].contains(cur.kind) || isOp("[") || isOp("{"),
                          !(isName("else") || isName("or") || isName("and")) {
                    if isName("is") { throw fail("You cannot chain multiple tests with is") }
                    args.positional = [try parsePostfix(try parsePrimary())]
                }
                let fn = Tests.table[name]
                if fn == nil && soft == 0 { throw JinjaError(.assertion, "No test named '\(name)'.", line: p.line, column: p.column) }
                e = .test(e, TestRef(name: name, fn: fn), args, p)
                if negated { e = .not(e) }
            } else if isOp("(") {
                let p = cur.pos
                e = .call(e, try parseCallArgs(), p)
            } else {
                return e
            }
        }
    }
}
