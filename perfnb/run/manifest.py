"""The period's ``manifest.json``: what each report was built from (a build key over its
notebook, parameters, input files and perfnb), so that an unchanged report is not built again,
and how a run's results are merged into the manifest a previous run left."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Mapping
from dataclasses import asdict
from functools import cache
from importlib import metadata
from pathlib import Path

from perfnb.run.export import TEMPLATES
from perfnb.run.results import JobResult

__all__ = ["MANIFEST", "build_key", "manifest_reports", "merge_manifest", "up_to_date", "versions"]

MANIFEST = "manifest.json"
WATCHED_PACKAGES = (
    "perfnb",
    "pandas",
    "numpy",
    "matplotlib",
    "papermill",
    "nbconvert",
    "nbclient",
    "ipykernel",
    "openpyxl",
)


def versions() -> dict[str, str]:
    """The installed versions of perfnb and the packages a report's bytes depend on."""
    found = {}
    for name in WATCHED_PACKAGES:
        try:
            found[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            continue
    return found


@cache
def _package_digest() -> str:
    """A digest of perfnb's own code and templates: a change to either rebuilds every report,
    as a new version does."""
    root = Path(__file__).parents[1]
    digest = hashlib.sha256()
    for path in sorted([*root.rglob("*.py"), *TEMPLATES.rglob("*"), *root.rglob("*.mplstyle")]):
        if path.is_file():
            digest.update(path.relative_to(root).as_posix().encode())
            digest.update(path.read_bytes())
    return digest.hexdigest()


def build_key(
    notebook: Path, parameters: Mapping[str, object], inputs: Mapping[str, str], version: str
) -> str:
    """What a report is built from, as one digest: the notebook's bytes, its parameters (not
    the output folder), the input files' hashes and perfnb (version and code)."""
    shown = {k: v for k, v in parameters.items() if k != "output_dir"}
    payload = {
        "notebook": hashlib.sha256(notebook.read_bytes()).hexdigest(),
        "parameters": shown,
        "inputs": dict(inputs),
        "perfnb": [version, _package_digest()],
    }
    return hashlib.sha256(json.dumps(payload, sort_keys=True, default=str).encode()).hexdigest()


def manifest_reports(folder: Path) -> dict[str, dict]:
    """The reports of the period's manifest by key; none when there is no readable one."""
    try:
        return {r["key"]: r for r in json.loads((folder / MANIFEST).read_text())["reports"]}
    except (OSError, ValueError, KeyError, TypeError):
        return {}


def up_to_date(folder: Path, entry: dict | None, build: str) -> dict | None:
    """A report's manifest ``entry`` when its last build was good, from the same ``build``,
    and its files are all still there; else None."""
    if not entry or entry.get("status") != "ok" or entry.get("build") != build:
        return None
    names = [
        entry.get("html"),
        entry.get("ipynb"),
        *entry.get("files", []),
        *entry.get("formats", []),
    ]
    if not all(name and (folder / name).is_file() for name in names):
        return None
    return entry


# -- many jobs ---------------------------------------------------------------------------------


def _remove_within(folder: Path, name: object, echo: Callable[[str], None]) -> None:
    """Deletes ``folder/name`` if it is a file inside ``folder``; a manifest's path that leads
    out of it (``../x``, an absolute path, a link out) is data, never an instruction: refused,
    with a warning."""
    root = folder.resolve()
    target = (folder / str(name)).resolve()
    if not target.is_relative_to(root) or target == root:
        echo(f"warning: {MANIFEST} names {name!r}, outside {folder}: not deleted")
        return
    if target.is_file():
        target.unlink(missing_ok=True)


def merge_manifest(
    folder: Path,
    run: dict[str, object],
    jobs: list[JobResult],
    echo: Callable[[str], None] = lambda _: None,
) -> dict:
    """The period's manifest: this run's jobs replace earlier entries for the same reports."""
    reports = manifest_reports(folder)
    for job in jobs:
        if job.status in ("skipped", "stopped"):  # its entry stands, if it has one
            continue
        entry = {"key": job.key, **asdict(job), "run": run}
        before = reports.get(job.key, {})
        if job.status == "ok":  # tables, charts and formats this report no longer has
            had = {*before.get("files", []), *before.get("formats", [])}
            for stale in had - {*job.files, *job.formats}:
                _remove_within(folder, stale, echo)
        if job.status != "ok":
            good = before if before.get("status") == "ok" else before.get("last_good")
            if good and (folder / good["html"]).exists():
                entry["last_good"] = {k: good[k] for k in ("html", "finished", "run") if k in good}
        reports[job.key] = entry
    return {**run, "reports": sorted(reports.values(), key=lambda r: r["key"])}
