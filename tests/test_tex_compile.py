"""The documents compile with real TeX: no errors, no overfull boxes beyond a few points,
and the first pages rendered to PNG for a person to look at.

Without TeX (a laptop) these tests are skipped with a message; under CI (``CI=true``, as
``.ci/run`` sets it after installing TeX Live) a missing TeX is a failure.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from pathlib import Path

import numpy as np
import pytest

from derive import publish

OVERFULL_HBOX_PT = 2.0  # wider than this in math or text is a failure
OVERFULL_VBOX_PT = 4.0  # a frame taller than its slide by more than this is a failure
PAGES = {"derivations": 3, "slides": 6}


def _require_tex() -> None:
    missing = publish.tex_missing()
    if shutil.which("pdftoppm") is None:
        missing.append("pdftoppm (poppler-utils)")
    if not missing:
        return
    message = f"TeX Live is not installed (missing: {', '.join(missing)}); install: {publish.TEX_INSTALL_HINT}"
    if os.environ.get("CI", "").lower() in ("1", "true", "yes"):
        pytest.fail("CI must run the TeX tests: " + message)
    pytest.skip(message)


@pytest.fixture(scope="module")
def compiled(tmp_path_factory) -> dict[str, publish.Compiled]:
    _require_tex()
    out = tmp_path_factory.mktemp("tex")
    publish.build(out, formats=("tex", "slides"))
    return {name: publish.compile_pdf(out / f"{name}.tex", out / f"work-{name}") for name in PAGES}


def _overfull(log: str, kind: str) -> list[tuple[float, str]]:
    found = re.finditer(r"Overfull \\%s \(([\d.]+)pt too (?:wide|high)\) (.*)" % kind, log)
    return [(float(m.group(1)), m.group(0)) for m in found]


@pytest.mark.parametrize("name", list(PAGES))
def test_compiles_without_errors(compiled, name):
    result = compiled[name]
    errors = [line for line in result.log.splitlines() if line.startswith("!")]
    assert result.returncode == 0 and result.pdf is not None, errors or result.log[-2000:]
    assert not errors
    assert "Undefined control sequence" not in result.log


@pytest.mark.parametrize("name", list(PAGES))
def test_no_overfull_boxes(compiled, name):
    log = compiled[name].log
    wide = [line for width, line in _overfull(log, "hbox") if width > OVERFULL_HBOX_PT]
    assert not wide, f"{name}: lines wider than the page:\n" + "\n".join(wide)
    tall = [line for height, line in _overfull(log, "vbox") if height > OVERFULL_VBOX_PT]
    assert not tall, f"{name}: frames or pages taller than the page:\n" + "\n".join(tall)


@pytest.mark.parametrize("name", list(PAGES))
def test_first_pages_render_to_png(compiled, name):
    from PIL import Image

    pdf = compiled[name].pdf
    assert pdf is not None
    prefix = pdf.parent / f"page-{name}"
    subprocess.run(["pdftoppm", "-r", "60", "-png", "-f", "1", "-l", str(PAGES[name]), str(pdf), str(prefix)],
                   check=True, capture_output=True)
    pages = sorted(pdf.parent.glob(f"page-{name}-*.png"))
    assert len(pages) == PAGES[name]
    for page in pages:
        pixels = np.asarray(Image.open(page).convert("L"), dtype=float)
        assert pixels.std() > 5.0, f"{page} looks blank"
    print(f"\n{name}: first pages rendered to {pages[0].parent}")


# --------------------------------------------------------------------------- measured from the PDF


def _pdf_pages(pdf: Path) -> list[list[tuple[float, float, float, float, str]]]:
    """Every page's words as (xMin, yMin, xMax, yMax, text), read with pdftotext -bbox."""
    import html

    text = subprocess.run(["pdftotext", "-bbox", str(pdf), "-"], check=True, capture_output=True,
                          text=True).stdout
    pages = []
    for page in re.findall(r"<page[^>]*>(.*?)</page>", text, flags=re.S):
        words = re.findall(r'<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">(.*?)</word>', page)
        pages.append([(float(a), float(b), float(c), float(d), html.unescape(w)) for a, b, c, d, w in words])
    return pages


TITLE_BAND = 30.0  # pt from the top of a 16:9 Beamer page: the frame title


def _title(words) -> str:
    return " ".join(w[4] for w in words if w[3] < TITLE_BAND)


def _last_page_of_each_frame(pages):
    """Overlays repeat a frame's title on consecutive pages; the last one shows it whole."""
    frames = []
    for words in pages:
        title = _title(words)
        if frames and frames[-1][0] == title and title:
            frames[-1] = (title, words)
        else:
            frames.append((title, words))
    return frames


def _key(title: str) -> str:
    return re.sub(r"[^a-z0-9]", "", title.lower())


def _planned_single_row_frames() -> set[str]:
    """The titles of the frames the layout gives one row (rows too tall to share a frame: proved
    the fewest possible in tests/test_publish.py)."""
    import derive
    from derive.latex.layout import SLIDE, STEPS_BUDGET, frames_of_rows, layout_rows
    from derive.publish.context import STATED

    titles = set()
    for name in derive.names():
        d = derive.derive(name)
        groups = frames_of_rows(layout_rows(d.steps, params=d.params, layout=SLIDE, silent=STATED),
                                STEPS_BUDGET, STEPS_BUDGET)
        for index, group in enumerate(groups):
            if len(group) == 1:
                suffix = f" ({index + 1}/{len(groups)})" if len(groups) > 1 else ""
                titles.add(_key(d.assumption.title + suffix))
    return titles


def test_no_frame_of_steps_shows_fewer_than_two_rows(compiled):
    """Each frame holding a derivation's (or an identity's) steps shows at least two rows: the
    relation signs of an align stand in one column, so count the "=" at the same x.  The only
    exceptions are the frames the layout gives a row too tall to share a frame."""
    tex = (compiled["slides"].source).read_text()
    step_titles = {_key(re.sub(r"\$[^$]*\$|\\[a-zA-Z]+", "", m.group(1)))
                   for m in re.finditer(r"\\begin\{frame\}\{(.*?)\}\n\\small\n\\begin\{align\*\}", tex)}
    pages = _pdf_pages(compiled["slides"].pdf)
    checked, thin = 0, []
    for title, words in _last_page_of_each_frame(pages):
        if _key(re.sub(r"[^\x00-\x7f]", "", title)) not in step_titles:
            continue
        columns: dict[int, int] = {}
        for x0, _, _, _, text in words:
            if text == "=":
                columns[round(x0)] = columns.get(round(x0), 0) + 1
        checked += 1
        if max(columns.values(), default=0) < 2:
            thin.append(title)
    assert checked > 50, f"only {checked} frames of steps found in the PDF"
    planned = _planned_single_row_frames()
    assert not [t for t in thin if _key(re.sub(r"[^\x00-\x7f]", "", t)) not in planned], f"frames showing a single row: {thin}"


def test_summary_table_rows_do_not_overlap(compiled):
    """In the table "assumption -> loss", between two consecutive rows there is a band across
    the table that no word of either row reaches (word boxes from the PDF): the cells of one
    row neither overlap nor touch the next row's."""
    pages = [w for w in _pdf_pages(compiled["slides"].pdf) if _title(w).startswith("Assumption")]
    assert pages, "no summary table in the deck"
    for words in pages:
        head = [w for w in words if w[4] == "loss" and w[3] > TITLE_BAND]
        assert head, "the table header is missing"
        top, left = head[0][3], head[0][0]  # the loss names start where the header "loss" does
        names = sorted((w for w in words if w[1] > top and abs(w[0] - left) <= 1.0), key=lambda w: w[1])
        body = [w for w in words if w[1] > top]
        assert len(names) >= 2
        for upper, lower in zip(names, names[1:]):
            covered = sorted((max(w[1], upper[3]), min(w[3], lower[1])) for w in body
                             if w[3] > upper[3] and w[1] < lower[1])
            reach = upper[3]
            for start, end in covered:
                if start > reach + 0.5:
                    break  # a free band between the rows
                reach = max(reach, end)
            else:
                raise AssertionError(f"rows touch between {upper[4]!r} and {lower[4]!r} on {_title(words)}")
