"""docs/LATEX.md prints the function table the reader uses; the reader's modules stay small
and import no other module's private names."""

from __future__ import annotations

import ast
from pathlib import Path

from derive.latex.parse.functions import COMMAND_HEADS, FUNCTIONS, SUBSCRIPTED_HEADS, WORD_HEADS, function_table_markdown

ROOT = Path(__file__).resolve().parents[2]
DOC = (ROOT / "docs" / "LATEX.md").read_text()
MODULES = sorted((ROOT / "derive" / "latex" / "parse").glob("*.py")) + [ROOT / "derive" / "latex" / "tokens.py"]


def test_the_docs_print_the_function_table() -> None:
    assert function_table_markdown() in DOC


def test_every_spelling_of_the_table_is_documented() -> None:
    table = function_table_markdown()
    for word in WORD_HEADS:
        assert f"{{{word}}}" in table, word
    for command in COMMAND_HEADS:
        assert f"\\{command}(" in table, command
    for name, key in SUBSCRIPTED_HEADS.items():
        assert FUNCTIONS[key].parameter and f"{name}_" in table, name


def test_modules_are_small() -> None:
    for module in MODULES:
        assert len(module.read_text().splitlines()) <= 600, module.name


def test_no_private_names_cross_modules() -> None:
    for module in MODULES:
        for node in ast.walk(ast.parse(module.read_text())):
            if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("derive"):
                assert not any(alias.name.startswith("_") for alias in node.names), (module.name, node.module)


OUTSIDE = ("/" + "work" + "/", "shared" + "/")  # spelled apart: this file names no outside path either


def test_no_path_outside_the_repository() -> None:
    for text in [module.read_text() for module in MODULES] + [DOC]:
        assert not any(marker in text for marker in OUTSIDE)
