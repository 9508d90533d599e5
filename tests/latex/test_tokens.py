"""The shared TeX tokenizer (derive.latex.tokens): the parser's tokens and the TeX-level
walk the printer's size estimator uses."""

from __future__ import annotations

import pytest

from derive.errors import ParseError
from derive.latex.tokens import Token, next_tex_token, tex_argument, tokenize


def test_tokenize_kinds_positions_and_raw_arguments() -> None:
    got = tokenize(r"\hat{y}_1 + \text{MSE}  % comment", raw_arg={"text"})
    assert got == [
        Token("cmd", "hat", 0), Token("char", "{", 4), Token("letter", "y", 5), Token("char", "}", 6),
        Token("char", "_", 7), Token("digit", "1", 8), Token("char", "+", 10),
        Token("cmd", "text", 12, "MSE"),
    ]
    assert tokenize(r"\text{MSE}") == [Token("cmd", "text", 0), Token("char", "{", 5), Token("letter", "M", 6),
                                       Token("letter", "S", 7), Token("letter", "E", 8), Token("char", "}", 9)]
    assert [t.key for t in tokenize(r"\\ \, a")] == ["\\\\", "\\,", "a"]


def test_tokenize_refuses_unknown_characters() -> None:
    with pytest.raises(ParseError, match=r"unexpected character '\?'"):
        tokenize("x ? y")


@pytest.mark.parametrize(("tex", "pos", "token", "end"), [
    (r"\frac{a}{b}", 0, r"\frac", 5),
    (r"\frac{a}{b}", 5, "{a}", 8),
    (r"{a{b}\}c}d", 0, r"{a{b}\}c}", 9),
    (r"\\x", 0, r"\\", 2),
    (r"\,", 0, r"\,", 2),
    ("x^2", 1, "^", 2),
    ("", 0, "", 0),
])
def test_next_tex_token(tex: str, pos: int, token: str, end: int) -> None:
    assert next_tex_token(tex, pos) == (token, end)


def test_tex_argument_strips_braces_and_skips_spaces() -> None:
    assert tex_argument(r"\sqrt  {x+1}y", 5) == ("x+1", 12)
    assert tex_argument(r"\hat y", 4) == ("y", 6)
    assert tex_argument(r"\hat \sigma", 4) == (r"\sigma", 11)
