"""A content-addressed cache on disk for `derive build`: what a build computed, keyed by
everything it was computed from, so that a rebuild reuses it.

    key = sha256(SymPy, matplotlib and Python versions, the source of the modules used, options)

Kinds of record, each a pickle under ``<root>/<kind>/<key[:2]>/<key>.pickle``:

- ``entry``: one catalogue entry's derivation and checks, keyed by the entry's name, the
  source of its module of :mod:`derive.distributions` (and of the distribution modules that
  module imports) and of the shared modules (everything in ``derive/`` but the distribution
  modules, the documents' writers and the command line).  A change to one entry's module
  misses only that entry.
- ``figure``: one entry's figure files, keyed by the entry's key.
- ``part``: one result of the information part or of the models part (a closed form, the
  identities, a model's checks, a conjugate update), keyed by the shared modules and the
  modules of the entries it reads (a KL divergence: its two families').
- ``build``: every file of a whole build, keyed by the source of all of ``derive/`` and the
  build's options: a rebuild with nothing changed only copies files.

The root is ``$XDG_CACHE_HOME/derive`` (``~/.cache/derive`` when that is unset or not an
absolute path).  Records are written to a temporary file beside their place and moved there
with ``os.replace``, so concurrent builds never see half a record; a record that cannot be
read is a miss.
"""

from __future__ import annotations

import hashlib
import os
import pickle
import platform
import re
import shutil
import tempfile
from functools import cache
from pathlib import Path
from typing import Any, Iterable

PACKAGE = Path(__file__).resolve().parent
DISTRIBUTIONS = PACKAGE / "distributions"
#: modules that never change a derivation, a check or a figure (they write documents or talk)
NOT_SHARED = ("publish", "cli.py", "batch.py", "cache.py", "prepare.py")
FORMAT = "1"  #: bumped when the layout of a record changes
KEEP_FOLDERS = 8  #: whole builds kept (the newest)


def cache_root() -> Path:
    """``$XDG_CACHE_HOME/derive``, or ``~/.cache/derive``."""
    base = os.environ.get("XDG_CACHE_HOME", "")
    root = Path(base) if base and os.path.isabs(base) else Path.home() / ".cache"
    return root / "derive"


def digest(*parts: Any) -> str:
    """sha256 over the parts, each length-prefixed (so ``("ab", "c")`` and ``("a", "bc")`` differ)."""
    h = hashlib.sha256()
    for part in parts:
        data = part if isinstance(part, bytes) else str(part).encode("utf-8")
        h.update(len(data).to_bytes(8, "big"))
        h.update(data)
    return h.hexdigest()


@cache
def versions() -> str:
    """The versions the outputs depend on (read from the installed metadata: nothing imported)."""
    from importlib.metadata import version

    return f"derive-cache {FORMAT}; sympy {version('sympy')}; matplotlib {version('matplotlib')}; " \
           f"python {platform.python_version()}"


def sources_digest(paths: Iterable[Path]) -> str:
    """sha256 over the files' paths (relative to the package) and contents."""
    return digest(*(part for path in sorted(set(paths))
                    for part in (path.relative_to(PACKAGE).as_posix(), path.read_bytes())))


def package_sources() -> list[Path]:
    return sorted(p for p in PACKAGE.rglob("*.py") if "__pycache__" not in p.parts)


def entry_modules() -> list[Path]:
    """The distribution modules that hold entries (every module of the package but its base)."""
    return sorted(p for p in DISTRIBUTIONS.glob("*.py") if p.name not in ("__init__.py", "base.py"))


def shared_sources() -> list[Path]:
    """What every entry's derivation, checks and figure may use: the package less the entry
    modules and the modules in :data:`NOT_SHARED`."""
    entries = set(entry_modules())
    return [p for p in package_sources()
            if p not in entries and p.relative_to(PACKAGE).parts[0] not in NOT_SHARED]


def modules_of(name: str) -> list[Path]:
    """The entry modules that name ``name`` in a string (the one registering it, any adding a
    peer or a reference to it) and the distribution modules they import, transitively; every
    entry module when no module names it (safe)."""
    modules = entry_modules()
    pattern = re.compile(r"""["']%s["']""" % re.escape(name))
    holders = [p for p in modules if pattern.search(p.read_text(encoding="utf-8"))]
    if not holders:
        return modules
    found, todo = set(), list(holders)
    imports = re.compile(r"^from derive\.distributions\.(\w+) import", re.MULTILINE)
    while todo:
        path = todo.pop()
        if path in found:
            continue
        found.add(path)
        for module in imports.findall(path.read_text(encoding="utf-8")):
            candidate = DISTRIBUTIONS / f"{module}.py"
            if candidate in modules:
                todo.append(candidate)
    return sorted(found)


def entry_keys(names: Iterable[str]) -> dict[str, str]:
    """The key of each entry's derivation, checks and figure."""
    shared = sources_digest(shared_sources())
    return {name: digest("entry", versions(), shared, sources_digest(modules_of(name)), name) for name in names}


def part_key(memo: str, args: tuple, entries: Iterable[str]) -> str:
    """The key of one result of a document part (``MEMOS[memo](*args)``, see :mod:`derive.memo`)
    that reads the modules of ``entries`` (an empty list: the shared modules only)."""
    modules = sorted({path for name in entries for path in modules_of(name)})
    return digest("part", versions(), sources_digest(shared_sources()), sources_digest(modules), memo, repr(args))


def build_key(options: Any) -> str:
    """The key of a whole build with these options (their ``repr``, which must be stable)."""
    return digest("build", versions(), sources_digest(package_sources()), repr(options))


class Cache:
    """Records on disk under ``root`` (default :func:`cache_root`); ``enabled=False`` misses
    every look-up and stores nothing (``derive build --no-cache``)."""

    def __init__(self, root: Path | str | None = None, enabled: bool = True):
        self.root = Path(root) if root is not None else cache_root()
        self.enabled = enabled

    def path(self, kind: str, key: str) -> Path:
        return self.root / kind / key[:2] / f"{key}.pickle"

    def load(self, kind: str, key: str) -> Any | None:
        """The record, or None: disabled, absent, or unreadable (then removed)."""
        if not self.enabled:
            return None
        path = self.path(kind, key)
        try:
            with open(path, "rb") as handle:
                return pickle.load(handle)
        except OSError:  # absent, or a cache folder that cannot be read
            return None
        except Exception:  # noqa: BLE001  (a damaged record is a miss, never an error)
            try:
                path.unlink()
            except OSError:
                pass
            return None

    def store(self, kind: str, key: str, value: Any) -> None:
        """Write the record atomically (temporary file, then ``os.replace``); a cache that
        cannot be written (read-only, full disk) or a value that cannot be pickled is skipped,
        never an error."""
        if not self.enabled:
            return
        path = self.path(kind, key)
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            handle, temporary = tempfile.mkstemp(prefix=".tmp-", dir=path.parent)
            try:
                with os.fdopen(handle, "wb") as out:
                    pickle.dump(value, out, protocol=pickle.HIGHEST_PROTOCOL)
                os.replace(temporary, path)
            finally:
                if os.path.exists(temporary):
                    os.unlink(temporary)
        except (OSError, pickle.PicklingError, TypeError, AttributeError):  # unwritable, or cannot be pickled
            return

    def clear(self) -> int:
        """Remove every record; returns how many there were."""
        if not self.root.is_dir():
            return 0
        count = sum(1 for p in self.root.rglob("*.pickle") if p.is_file())
        for child in self.root.iterdir():
            if child.is_dir():
                shutil.rmtree(child, ignore_errors=True)
            else:
                child.unlink(missing_ok=True)
        return count

    def store_folder(self, kind: str, key: str, folder: Path, keep: int = KEEP_FOLDERS) -> None:
        """Every file under ``folder`` as one record ``{relative path: bytes}``; only the
        ``keep`` newest records of ``kind`` are kept (each is a whole build's files)."""
        if not self.enabled:
            return
        files = {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}
        self.store(kind, key, files)
        try:
            held = sorted((p.stat().st_mtime, p) for p in (self.root / kind).rglob("*.pickle"))
            for _, old in held[:-keep]:
                old.unlink(missing_ok=True)
        except OSError:  # another build pruning at the same time
            return


def write_files(folder: Path, files: dict[str, bytes]) -> None:
    for relative, data in files.items():
        target = folder / relative
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(data)
