"""The documents compile with real TeX: no errors, no overfull boxes beyond a few points,
and the first pages rendered to PNG for a person to look at.

Without TeX (a laptop) these tests are skipped with a message; under CI (``CI=true``, as
``.ci/run`` sets it after installing TeX Live) a missing TeX is a failure.
"""

from __future__ import annotations

import os
import pickle
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


#: The decks measured: the default build (every entry, the information and models parts) and
#: the three classic derivations alone.
DECKS = {"default": None, "three": ["gaussian", "bernoulli", "categorical"]}


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> dict[str, dict[str, publish.Compiled]]:
    _require_tex()
    decks = {}
    for deck, only in DECKS.items():
        out = tmp_path_factory.mktemp(f"tex-{deck}")
        publish.build(out, only=only, formats=("tex", "slides"))
        decks[deck] = {name: publish.compile_pdf(out / f"{name}.tex", out / f"work-{name}") for name in PAGES}
    return decks


@pytest.fixture(scope="module")
def compiled(built) -> dict[str, publish.Compiled]:
    return built["default"]


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


@pytest.mark.parametrize("deck", list(DECKS))
@pytest.mark.parametrize("name", list(PAGES))
def test_no_overfull_boxes(built, deck, name):
    log = built[deck][name].log
    wide = [line for width, line in _overfull(log, "hbox") if width > OVERFULL_HBOX_PT]
    assert not wide, f"{deck} {name}: lines wider than the page:\n" + "\n".join(wide)
    tall = [line for height, line in _overfull(log, "vbox") if height > OVERFULL_VBOX_PT]
    assert not tall, f"{deck} {name}: frames or pages taller than the page:\n" + "\n".join(tall)


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
        d = pickle.loads(pickle.dumps(derive.derive(name)))  # as the build has it: after the cache's pickle trip
        groups = frames_of_rows(layout_rows(d.steps, params=d.params, layout=SLIDE, silent=STATED),
                                STEPS_BUDGET, STEPS_BUDGET, SLIDE)
        for index, group in enumerate(groups):
            if len(group) == 1:
                suffix = f" ({index + 1}/{len(groups)})" if len(groups) > 1 else ""
                titles.add(_key(d.assumption.title + suffix))
    return titles


@pytest.mark.parametrize("deck", list(DECKS))
def test_no_frame_of_steps_shows_fewer_than_two_rows(built, deck):
    """Each frame holding a derivation's (or an identity's) steps shows at least two rows: the
    relation signs of an align stand in one column, so count the "=" at the same x.  The only
    exceptions are the frames the layout gives a row too tall to share a frame."""
    compiled = built[deck]
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
    assert checked > (50 if DECKS[deck] is None else 5), f"only {checked} frames of steps found in the PDF"
    planned = _planned_single_row_frames()
    assert not [t for t in thin if _key(re.sub(r"[^\x00-\x7f]", "", t)) not in planned], f"frames showing a single row: {thin}"


@pytest.mark.parametrize("deck", list(DECKS))
def test_summary_table_cells_do_not_overlap(built, deck):
    """In the table "assumption -> loss" (word boxes from the PDF): no cell reaches into the
    next column (no word starts left of a column's header and ends right of it), and between
    two consecutive rows there is a band across the table that no word of either row
    reaches: the cells of one row neither overlap nor touch the next row's."""
    pages = [w for w in _pdf_pages(built[deck]["slides"].pdf) if _title(w).startswith("Assumption")]
    assert pages, "no summary table in the deck"
    for words in pages:
        head = [w for w in words if w[4] == "loss" and w[3] > TITLE_BAND]
        assert head, "the table header is missing"
        top, left = head[0][3], head[0][0]  # the loss names start where the header "loss" does
        starts = sorted(w[0] for w in words if w[3] > TITLE_BAND and abs(w[3] - top) <= 1.0)
        assert len(starts) == 3, f"the header's three columns, not {starts}"
        for start in starts[1:]:
            crossing = [w[4] for w in words if w[1] > top and w[0] < start - 0.5 and w[2] > start + 0.5]
            assert not crossing, f"cells reach into the next column on {_title(words)}: {crossing}"
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


# --------------------------------------------------------------------------- frames that are full

FRAME_ROOM = 205.0  # pt: the height under a 16:9 frame's title that content may fill
FRAME_GAP = 15.0  # pt: the space between two displays put on one frame


def _display_lines(frame: str) -> int:
    """Display-math lines of a frame's source: the rows of each align/gather (intertext is
    not a row) and each \\[ ... \\]."""
    lines = len(re.findall(r"\\\[.*?\\\]", frame, flags=re.S))
    for body in re.findall(r"\\begin\{(?:align|gather)\*\}(.*?)\\end\{(?:align|gather)\*\}", frame, flags=re.S):
        lines += body.count("\\\\") + 1
    return lines


@pytest.mark.parametrize("deck", list(DECKS))
def test_no_frame_shows_fewer_than_two_displayed_lines(built, deck):
    """A frame that displays math (not a figure's frame, whose picture fills it) displays at
    least two lines of it: one formula alone on a frame is a frame to merge."""
    tex = built[deck]["slides"].source.read_text()
    frames = re.findall(r"\\begin\{frame\}(.*?)\\end\{frame\}", tex, flags=re.S)
    thin = [frame.split("\n", 1)[0] for frame in frames
            if "\\includegraphics" not in frame and _display_lines(frame) == 1]
    assert len(frames) > 10
    assert not thin, f"frames with a single displayed line: {thin}"


def _extent(words) -> float:
    body = [w for w in words if w[1] >= TITLE_BAND]
    return max(w[3] for w in body) - min(w[1] for w in body) if body else 0.0


@pytest.mark.parametrize("deck", list(DECKS))
def test_no_two_frames_of_a_sequence_would_fit_on_one(built, deck):
    """A derivation, an identity or a list of closed forms split over frames "(i/n)" fills
    each frame before starting the next: the contents of two consecutive frames (measured
    from the PDF, their last overlay) never fit together on one."""
    tex = built[deck]["slides"].source.read_text()
    displayed = {_key(re.sub(r"\$[^$]*\$|\\[a-zA-Z]+", "", m.group(1)))  # frames of display math, not tables
                 for m in re.finditer(r"\\begin\{frame\}\{(.*?)\}\n\\small\n\\begin\{align\*\}", tex)}
    frames = _last_page_of_each_frame(_pdf_pages(built[deck]["slides"].pdf))
    sparse, pairs = [], 0
    for (title, words), (following, more) in zip(frames, frames[1:]):
        numbered = re.fullmatch(r"(.*) \((\d+)/(\d+)\)", title)
        after = re.fullmatch(r"(.*) \((\d+)/(\d+)\)", following)
        if not (numbered and after and numbered.group(1) == after.group(1)):
            continue
        if _key(re.sub(r"[^\x00-\x7f]", "", title)) not in displayed:
            continue
        pairs += 1
        together = _extent(words) + FRAME_GAP + _extent(more)
        if together <= FRAME_ROOM:
            sparse.append(f"{title} + ({after.group(2)}/{after.group(3)}): {together:.0f}pt")
    assert pairs > 0
    assert not sparse, "frames that fit together on one:\n" + "\n".join(sparse)
