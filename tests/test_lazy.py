"""Lazy start-up: ``import derive`` and ``derive --help`` load only what they use.  Each check
runs in a fresh interpreter, since this test process has imported everything already."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
HEAVY = ("matplotlib", "derive.latex.parse", "derive.infotheory", "derive.figures", "derive.publish")


def loaded_after(code: str) -> set[str]:
    """The modules of HEAVY (and sympy) that a fresh interpreter has loaded after ``code``."""
    probe = f"{code}\nimport json, sys\nprint(json.dumps(sorted(sys.modules)))"
    result = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, timeout=300, cwd=ROOT)
    assert result.returncode == 0, result.stderr
    modules = set(json.loads(result.stdout.splitlines()[-1]))
    return {m for m in modules if m in HEAVY + ("sympy",)}


def test_import_derive_loads_no_heavy_module():
    assert loaded_after("import derive") == set()


def test_deriving_does_not_load_the_parser_the_information_part_or_matplotlib():
    assert loaded_after("import derive\nderive.derive('gaussian')") == {"sympy"}


def test_parse_latex_loads_the_parser_only_when_asked():
    assert "derive.latex.parse" in loaded_after("import derive\nderive.parse_latex('x^2')")


def test_cli_help_loads_no_sympy():
    probe = ("import sys\nimport derive.cli\n"
             "try:\n    derive.cli.main(['--help'])\nexcept SystemExit:\n    pass\n")
    assert loaded_after(probe) == set()


def test_every_public_name_is_the_object_its_module_defines():
    import derive
    from derive.batch import verify_many
    from derive.custom import custom
    from derive.engine import Derivation
    from derive.engine import derive as derive_fn
    from derive.equivalence import Verdict, equivalent
    from derive.latex.parse import parse_latex

    assert derive.derive is derive_fn and derive.Derivation is Derivation
    assert derive.equivalent is equivalent and derive.Verdict is Verdict
    assert derive.parse_latex is parse_latex and derive.verify_many is verify_many
    assert derive.custom is custom  # the function, although derive.custom is also a module's name


def test_importing_the_custom_module_keeps_the_public_function():
    code = "import derive\nimport derive.custom\nprint(callable(derive.custom) and derive.custom.__name__)"
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=300, cwd=ROOT)
    assert result.stdout.strip() == "custom", result.stderr


def test_all_lists_exactly_the_names_that_resolve():
    import derive

    assert set(derive.__all__) <= set(dir(derive))
    for name in derive.__all__:
        assert getattr(derive, name) is not None
    with pytest.raises(AttributeError, match="no_such_name"):
        derive.no_such_name  # noqa: B018


def test_copying_a_cached_build_loads_no_writer_and_no_information_part(tmp_path):
    """A rebuild with nothing changed copies the cached files: it needs neither the writers,
    nor the information part, nor matplotlib."""
    writers = ("derive.publish.article", "derive.publish.slides", "derive.infotheory", "matplotlib", "derive.prepare")
    build = (f"import os\nos.environ['XDG_CACHE_HOME'] = {str(tmp_path / 'cache')!r}\n"
             "from derive.publish import build\n"
             f"build({str(tmp_path / 'out')!r}, only=['huber'], formats=('md',), figures=False)\n")
    probe = f"{build}import json, sys\nprint(json.dumps(sorted(sys.modules)))"
    first = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, timeout=300, cwd=ROOT)
    assert first.returncode == 0, first.stderr
    assert set(writers) & set(json.loads(first.stdout.splitlines()[-1])), "the first build computes and writes"
    again = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, timeout=300, cwd=ROOT)
    assert again.returncode == 0, again.stderr
    assert not set(writers) & set(json.loads(again.stdout.splitlines()[-1]))
