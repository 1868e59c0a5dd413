"""The printed report as a PDF: the report page printed to A4 by headless Chromium, as a
browser's print dialog would print it (the page's print rules, its running footer with
"Page n of N"), with bookmarks from its headings and a tagged (accessible) structure.

Chromium is run as a program (``--print-to-pdf``), not through a Python binding: a run that
builds PDFs needs only Debian's ``chromium`` package (``tools/install-chromium``), or the
program named by ``PERFNB_CHROMIUM``. Everything it writes (its profile and caches) stays in
the folder it is given, under the run's output folder.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

__all__ = ["CHROMIUM_VARIABLE", "PdfError", "chromium", "print_pdf"]

CHROMIUM_VARIABLE = "PERFNB_CHROMIUM"  # the Chromium (or Chrome) program to print PDFs with
_NAMES = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")
# no first-run, sync, component updates or background connections (a closed network refuses
# them, and a report needs none), no GPU (headless)
_FLAGS = (
    "--headless",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-extensions",
    "--no-pdf-header-footer",  # the page's own footer (its @page rules), not Chromium's
    "--generate-pdf-document-outline",  # bookmarks from the headings
    "--export-tagged-pdf",
)


class PdfError(RuntimeError):
    """The PDF could not be printed: no Chromium, or Chromium failed (what it said is kept)."""


def chromium() -> str:
    """The Chromium program: ``PERFNB_CHROMIUM``, else the first of chromium,
    chromium-browser, google-chrome on the PATH; ``PdfError`` when there is none."""
    given = os.environ.get(CHROMIUM_VARIABLE, "").strip()
    if given:
        found = shutil.which(given)
        if found is None:
            raise PdfError(f"{CHROMIUM_VARIABLE}={given} is not a program that can be run")
        return found
    for name in _NAMES:
        found = shutil.which(name)
        if found:
            return found
    raise PdfError(
        "PDF output needs Chromium, and none was found: install Debian's chromium package "
        "(tools/install-chromium does), or set PERFNB_CHROMIUM to a Chromium or Chrome program"
    )


def print_pdf(html: Path, pdf: Path, profile: Path, timeout: float = 120.0) -> None:
    """Prints the page ``html`` (a self-contained file) to ``pdf`` with headless Chromium, its
    profile, caches and home in the folder ``profile``; ``PdfError`` when it fails or takes
    longer than ``timeout`` seconds."""
    program = chromium()
    profile.mkdir(parents=True, exist_ok=True)
    flags = [*_FLAGS, f"--user-data-dir={profile / 'user-data'}"]
    if hasattr(os, "geteuid") and os.geteuid() == 0:
        flags.append("--no-sandbox")  # Chromium's sandbox refuses to run as root
    environment = {
        **os.environ,
        "HOME": str(profile),
        "XDG_CONFIG_HOME": str(profile / "config"),
        "XDG_CACHE_HOME": str(profile / "cache"),
    }
    command = [program, *flags, f"--print-to-pdf={pdf}", html.resolve().as_uri()]
    try:
        done = subprocess.run(
            command,
            capture_output=True,
            text=True,
            timeout=timeout,
            env=environment,
            cwd=profile,
            check=False,
        )
    except subprocess.TimeoutExpired as exc:
        raise PdfError(f"Chromium took longer than {timeout:g} s to print the PDF") from exc
    except OSError as exc:
        raise PdfError(f"Chromium could not be started ({exc})") from exc
    if done.returncode != 0 or not pdf.is_file() or pdf.stat().st_size == 0:
        said = _last_error(done.stderr)
        raise PdfError(
            f"Chromium did not print the PDF (exit status {done.returncode})"
            + (f": {said}" if said else "")
        )


def _last_error(stderr: str) -> str:
    """Chromium's last line that is not routine noise (its D-Bus and GPU complaints)."""
    lines = [
        line.strip()
        for line in stderr.splitlines()
        if line.strip() and "dbus" not in line.lower() and "bytes written" not in line
    ]
    return lines[-1][-300:] if lines else ""
