"""Hostile strings shared by the text-kernel tests (test_text.py) and its parity test (test_parity.py)."""

HOSTILE = '<script>alert("x")</script> <img src=x onerror=alert(1)> [link](javascript:alert(1)) **b** | `c` &amp;'

HOSTILE_STRINGS = [
    "", "plain text", HOSTILE, "line one\nline two\r\nline three\rfour", "a\n\nb\n\n\n  c  \n\td",
    "- item\n+ item\n* item\n1. first\n2) second\n# heading\n---\n===\n```\ncode\n```\n~~~\n    indented\n> quote",
    "| a | b |\n|---|---|", ":::{note}\nx\n:::", "$x$ and $$y$$", "{ref}`label` {cite:p}`key`",
    "https://example.com/a?b=c www.example.com WWW.EXAMPLE.COM mailto:a@b.co xmpp:x@y.org me@example.org",
    "<https://example.com> <me@example.org> [x](https://e.com) ![i](x.png)",
    "=1+1", "+1", "-1", "@SUM(A1)", " =cmd|' /C calc'!A0", "\t=1", "\r=1", "\n=1", "\u200b=1", "\ufeff=1",
    "\u202e=1", "\u00a0\u3000=1", "\uff1d1", "safe\r=cmd|' /C calc'!A0", 'quote " and , comma',
    "bidi \u202eevil\u202c \u2066iso\u2069 \u200e\u200f\u061c", "controls \x00\x01\x07\x1b[31m\x7f\x80\x9f",
    "lone \ud800 surrogate \udfff", "pair \U0001f600 emoji", "sep \u2028 and \u2029 end", "\x0b\x0c\x85",
    "ünïcødé — “quotes” 日本語", "back\\slash \\* and &amp; entity &#60;", "12. not a list", "x" * 300,
    # What the escaper leaves as typed sits next to what it must escape.
    "(name)=", "% not a comment", "+++", "[ ] not a box", "[x] done", "C# #3 # x ##", "snake_case _em_ __b__",
    "Wow! [a] (b) [c](d) [e][f] [g]: h ![i] [j]{.k} [l]", "\\(x\\) ends with \\", ":field: x", "1) one\n2) two",
]
