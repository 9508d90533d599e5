"""The build cache (derive/cache.py) and parallel builds: keys follow the sources they are
computed from, records are atomic, and a build from the cache or on several processes writes
the same bytes as one computed from scratch on one."""

from __future__ import annotations

import multiprocessing
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from derive import cache as C
from derive import prepare
from derive.publish import build

ROOT = Path(__file__).resolve().parents[1]
#: small, with figures and checks; the truncated Gaussian's loss is a node SymPy re-evaluates when
#: it is unpickled (the way a worker's result and a cached record travel)
ONLY = ["gaussian", "laplace", "truncated_gaussian"]


def tree(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def records(root: Path, kind: str) -> list[Path]:
    return sorted((root / kind).rglob("*.pickle")) if (root / kind).is_dir() else []


# --------------------------------------------------------------------------- where, and records


def test_root_follows_xdg_cache_home(monkeypatch, tmp_path):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    assert C.cache_root() == tmp_path / "derive"
    monkeypatch.setenv("XDG_CACHE_HOME", "relative/dir")  # not absolute: ignored, as the spec says
    assert C.cache_root() == Path.home() / ".cache" / "derive"
    monkeypatch.delenv("XDG_CACHE_HOME")
    assert C.cache_root() == Path.home() / ".cache" / "derive"


def test_store_load_clear_and_disabled(tmp_path):
    store = C.Cache(tmp_path)
    assert store.load("entry", "ab" * 32) is None
    store.store("entry", "ab" * 32, {"x": [1, 2]})
    store.store("figure", "cd" * 32, b"bytes")
    assert store.load("entry", "ab" * 32) == {"x": [1, 2]}
    assert store.clear() == 2
    assert store.load("entry", "ab" * 32) is None and not list(tmp_path.rglob("*.pickle"))
    off = C.Cache(tmp_path, enabled=False)
    off.store("entry", "ab" * 32, 1)
    assert off.load("entry", "ab" * 32) is None and not list(tmp_path.rglob("*.pickle"))


def test_a_damaged_record_is_a_miss_and_goes(tmp_path):
    store = C.Cache(tmp_path)
    store.store("entry", "ef" * 32, list(range(1000)))
    path = store.path("entry", "ef" * 32)
    path.write_bytes(path.read_bytes()[:50])  # truncated, as by a crash in another writer
    assert store.load("entry", "ef" * 32) is None
    assert not path.exists()


def test_an_unwritable_cache_is_skipped_not_an_error(tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    store = C.Cache(blocker / "derive")
    store.store("entry", "ab" * 32, 1)  # the folder cannot be made: nothing stored, nothing raised
    assert store.load("entry", "ab" * 32) is None


def test_a_value_that_cannot_be_pickled_is_not_stored(tmp_path):
    store = C.Cache(tmp_path)
    store.store("entry", "ab" * 32, lambda: 1)
    assert store.load("entry", "ab" * 32) is None
    assert not [p for p in tmp_path.rglob("*") if p.is_file()]  # no record, no temporary file left


def test_only_the_newest_whole_builds_are_kept(tmp_path):
    store = C.Cache(tmp_path)
    folder = tmp_path / "files"
    (folder / "figures").mkdir(parents=True)
    keys = [f"{i:02d}" * 32 for i in range(4)]
    for index, key in enumerate(keys):
        (folder / "figures" / "a.png").write_bytes(bytes([index]))
        store.store_folder("build", key, folder, keep=2)
        mtime = 1_000_000 + index  # a clock that moves, whatever the file system's resolution
        __import__("os").utime(store.path("build", key), (mtime, mtime))
    assert [store.load("build", k) is not None for k in keys] == [False, False, True, True]
    assert store.load("build", keys[3]) == {"figures/a.png": bytes([3])}


def _hammer(root: str, seed: int) -> list[str]:
    """Write and read one key many times; report any value seen that is not whole."""
    store = C.Cache(root)
    bad = []
    for i in range(60):
        value = [seed * 1000 + i] * 20000
        store.store("entry", "aa" * 32, value)
        got = store.load("entry", "aa" * 32)
        if got is not None and not (len(got) == 20000 and len(set(got)) == 1):
            bad.append(repr(got[:3]))
    return bad


def test_concurrent_writers_and_readers_never_see_half_a_record(tmp_path):
    with multiprocessing.get_context("fork").Pool(3) as pool:
        results = pool.starmap(_hammer, [(str(tmp_path), seed) for seed in range(3)])
    assert results == [[], [], []]
    assert [p.name for p in (tmp_path / "entry").rglob("*") if p.is_file()] == ["aa" * 32 + ".pickle"]


# --------------------------------------------------------------------------- keys


@pytest.fixture
def package_copy(tmp_path, monkeypatch):
    """A copy of the package's sources for the keys to read, free to edit."""
    copy = tmp_path / "derive"
    shutil.copytree(C.PACKAGE, copy, ignore=shutil.ignore_patterns("__pycache__"))
    monkeypatch.setattr(C, "PACKAGE", copy)
    monkeypatch.setattr(C, "DISTRIBUTIONS", copy / "distributions")
    return copy


def edit(path: Path) -> None:
    path.write_text(path.read_text(encoding="utf-8") + "\n# edited\n", encoding="utf-8")


def test_editing_one_entry_module_changes_only_the_keys_of_what_uses_it(package_copy):
    names = ["gaussian", "lognormal", "laplace", "poisson", "categorical", "huber"]
    before = C.entry_keys(names)
    edit(package_copy / "distributions" / "normal.py")
    after = C.entry_keys(names)
    changed = {n for n in names if before[n] != after[n]}
    # gaussian is in normal.py; lognormal imports NORMAL from it; laplace's KL list names it
    assert changed == {"gaussian", "lognormal", "laplace"}


def test_editing_a_shared_module_changes_every_entry_key(package_copy):
    names = ["gaussian", "poisson", "huber"]
    before = C.entry_keys(names)
    edit(package_copy / "engine.py")
    after = C.entry_keys(names)
    assert all(before[n] != after[n] for n in names)


def test_editing_a_writer_keeps_entry_keys_but_not_the_whole_build_key(package_copy):
    names = ["gaussian", "poisson"]
    before, whole = C.entry_keys(names), C.build_key(("options",))
    edit(package_copy / "publish" / "article.py")
    assert C.entry_keys(names) == before
    assert C.build_key(("options",)) != whole
    assert C.build_key(("options",)) != C.build_key(("other options",))


def test_a_part_result_depends_on_its_families_modules_only(package_copy):
    from derive.prepare import document_parts

    parts = {(p.memo, p.args): p for p in document_parts(True, True)}
    keys = lambda: {k: C.part_key(p.memo, p.args, p.entries) for k, p in parts.items()}  # noqa: E731
    before = keys()
    edit(package_copy / "distributions" / "huber.py")  # no family, prior or conjugate of the parts
    assert keys() == before
    edit(package_copy / "distributions" / "normal.py")
    changed = {k for k, v in keys().items() if v != before[k]}
    assert {("kl", ("normal", "normal")), ("identities", ()), ("model-checks", ("ridge",)),
            ("conjugate", ("normal_normal",))} <= changed
    assert ("entropy", ("poisson",)) not in changed and ("entropy", ("bernoulli",)) not in changed
    edit(package_copy / "infotheory" / "closed_forms.py")  # a shared module: every part
    assert all(v != before[k] for k, v in keys().items())


def test_an_entry_no_module_names_depends_on_every_module(package_copy):
    assert C.modules_of("no_such_entry") == C.entry_modules()


def test_the_sympy_version_is_in_every_key(monkeypatch):
    before = C.entry_keys(["gaussian"])["gaussian"], C.build_key(())
    monkeypatch.setattr(C, "versions", lambda: "derive-cache 1; sympy 0.0; matplotlib 0; python 3")
    assert C.entry_keys(["gaussian"])["gaussian"] != before[0] and C.build_key(()) != before[1]


# --------------------------------------------------------------------------- builds


@pytest.fixture(scope="module")
def fresh(tmp_path_factory):
    """A build of ONLY computed from scratch on one process: the reference bytes."""
    out = tmp_path_factory.mktemp("fresh")
    build(out, only=ONLY, cache=False, jobs=1)
    return tree(out)


def test_no_cache_writes_no_record(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    build(tmp_path / "off", only=["huber"], formats=["md"], figures=False, cache=False)
    assert not (tmp_path / "xdg").exists()
    build(tmp_path / "on", only=["huber"], formats=["md"], figures=False)  # the default: the user's cache
    assert records(tmp_path / "xdg" / "derive", "entry") and records(tmp_path / "xdg" / "derive", "build")
    assert tree(tmp_path / "off") == tree(tmp_path / "on")


def test_parallel_and_cached_builds_write_the_same_bytes(fresh, tmp_path, monkeypatch):
    store = C.Cache(tmp_path / "cache")
    build(tmp_path / "parallel", only=ONLY, cache=store, jobs=2)
    assert tree(tmp_path / "parallel") == fresh
    assert len(records(store.root, "entry")) == len(ONLY) and len(records(store.root, "figure")) == len(ONLY)
    assert len(records(store.root, "build")) == 1

    def no_computing(*args, **kwargs):
        raise AssertionError("computed although cached")

    monkeypatch.setattr(prepare, "compute", no_computing)
    build(tmp_path / "again", only=ONLY, cache=store)  # the whole build from the cache
    assert tree(tmp_path / "again") == fresh
    (records(store.root, "build")[0]).unlink()  # the entries from the cache, the documents written anew
    build(tmp_path / "entries", only=ONLY, cache=store)
    assert tree(tmp_path / "entries") == fresh


def test_our_error_in_a_worker_is_our_error_in_the_build(tmp_path, monkeypatch):
    from derive.errors import DeriveError, DomainError

    def broken(name, figure, symbols=(), class_base=1):
        raise DomainError(f"{name}: a broken entry")

    monkeypatch.setattr(prepare, "compute", broken)  # the pool forks: the workers see it too
    with pytest.raises(DeriveError, match="^(laplace|gaussian|truncated_gaussian): a broken entry$"):
        build(tmp_path / "out", only=ONLY, cache=False, jobs=2)
    assert not (tmp_path / "out").exists()


def test_a_changed_entry_is_recomputed_and_only_it(fresh, tmp_path, monkeypatch):
    store = C.Cache(tmp_path / "cache")
    build(tmp_path / "first", only=ONLY, cache=store, jobs=1)
    real_keys = C.entry_keys
    monkeypatch.setattr(prepare, "entry_keys", lambda names: {**real_keys(names), "laplace": "0" * 64})
    for record in records(store.root, "build"):
        record.unlink()
    computed = []
    real_compute = prepare.compute
    monkeypatch.setattr(prepare, "compute", lambda name, figure, symbols=(), class_base=1: computed.append(name)
                        or real_compute(name, figure))
    build(tmp_path / "second", only=ONLY, cache=store, jobs=1)
    assert computed == ["laplace"]
    assert tree(tmp_path / "second") == fresh


def test_parts_come_back_from_the_cache_into_their_memos(tmp_path, monkeypatch):
    from derive.infotheory import entropy_derivation
    from derive.memo import MEMOS

    store = C.Cache(tmp_path / "cache")
    part = prepare.Part("entropy", ("bernoulli",), ("bernoulli",))
    prepare.prepare([], figures=False, store=store, parts=[part])
    computed = entropy_derivation("bernoulli")
    assert len(records(store.root, "part")) == 1
    MEMOS["entropy"].cache_clear()

    def no_computing(*args):
        raise AssertionError("computed although cached")

    monkeypatch.setattr(prepare, "compute_part", no_computing)
    prepare.prepare([], figures=False, store=store, parts=[part])
    assert MEMOS["entropy"].known(("bernoulli",))
    assert entropy_derivation("bernoulli").expr == computed.expr
    MEMOS["entropy"].cache_clear()


def test_cli_cache_clear_and_build_options(tmp_path):
    env_root = tmp_path / "xdg"
    env = {**__import__("os").environ, "XDG_CACHE_HOME": str(env_root)}

    def run(*args):
        return subprocess.run([sys.executable, "-m", "derive.cli", *args], capture_output=True, text=True,
                              timeout=600, cwd=ROOT, env=env)

    built = run("build", "--only", "huber", "--format", "md", "--out", str(tmp_path / "out"), "-j", "1")
    assert built.returncode == 0, built.stderr
    assert records(env_root / "derive", "entry")
    none = run("build", "--only", "huber", "--format", "md", "--out", str(tmp_path / "out2"), "--no-cache")
    assert none.returncode == 0
    assert (tmp_path / "out2" / "derivations.md").read_bytes() == (tmp_path / "out" / "derivations.md").read_bytes()
    count = len(list((env_root / "derive").rglob("*.pickle")))
    cleared = run("cache", "clear")
    assert cleared.returncode == 0 and cleared.stdout.startswith(f"removed {count} cached record")
    assert not list((env_root / "derive").rglob("*.pickle"))
    bad = run("build", "--only", "huber", "-j", "0", "--out", str(tmp_path / "out3"))
    assert bad.returncode == 2 and "-j 0" in bad.stderr
