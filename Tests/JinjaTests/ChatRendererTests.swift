import Jinja
import Records
import XCTest

/// transformers' handling around the template (render_jinja_template), on small templates.
final class ChatRendererTests: XCTestCase {
    func render(_ src: String, _ req: ChatRequest) throws -> String { try ChatRenderer(source: src).render(req) }

    func user(_ s: String) -> JSONValue { ["role": "user", "content": .string(s)] }

    /// Absent tools / documents are None (not undefined): `tools is none` holds and iterating them fails.
    func testAbsentToolsAreNone() throws {
        let req = ChatRequest(messages: [user("hi")])
        XCTAssertEqual(try render("{{ tools is none }}{{ documents is none }}{{ tools is defined }}", req), "TrueTrueTrue")
        XCTAssertThrowsError(try render("{% for t in tools %}{% endfor %}", req)) { e in
            XCTAssertEqual((e as? JinjaError)?.reason, "'NoneType' object is not iterable")
        }
        XCTAssertEqual(try render("{{ add_generation_prompt }}", req), "False")
    }

    /// Keys whose value is null are dropped; reasoning fields are mirrored into `thinking` and `reasoning_content`.
    func testMessageNormalisation() throws {
        let m: JSONValue = ["role": "assistant", "content": nil, "reasoning_content": "r", "tool_calls": nil]
        let req = ChatRequest(messages: [m])
        XCTAssertEqual(try render("{% for m in messages %}{{ m.content is defined }}|{{ m.thinking }}|{{ m|length }}{% endfor %}", req),
                       "False|r|3")
    }

    /// continue_final_message: the text ends inside the final message, after its content.
    func testContinueFinalMessage() throws {
        let src = "{% for m in messages %}<{{ m.role }}>{{ m.content }}</{{ m.role }}>\n{% endfor %}"
        var req = ChatRequest(messages: [user("hi"), ["role": "assistant", "content": "The answer is"]])
        req.continueFinalMessage = true
        XCTAssertEqual(try render(src, req), "<user>hi</user>\n<assistant>The answer is")
        // A template that strips the content drops the tag's space too: the text is right-stripped.
        let stripping = "{% for m in messages %}[{{ m.content|trim }}]{% endfor %}"
        req.messages = [user("hi"), ["role": "assistant", "content": "Go  "]]
        XCTAssertEqual(try render(stripping, req), "[hi][Go")
        // The final message must be present in the rendering.
        XCTAssertThrowsError(try render("{{ 'nothing' }}content", req)) { e in
            XCTAssertEqual((e as? JinjaError)?.kind, .input)
        }
    }

    /// Special tokens and kwargs are template variables; kwargs win over special tokens.
    func testVariables() throws {
        var req = ChatRequest(messages: [user("x")])
        req.specialTokens = JSONObject([("bos_token", "<s>"), ("eos_token", "</s>")])
        req.kwargs = JSONObject([("eos_token", "<END>"), ("enable_thinking", false)])
        req.now = DateTimeParts(year: 2026, month: 1, day: 5)
        XCTAssertEqual(try render("{{ bos_token }}{{ eos_token }}{{ enable_thinking }}{{ strftime_now('%d %b %Y') }}", req),
                       "<s><END>False05 Jan 2026")
    }
}
