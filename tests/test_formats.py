"""The formats a report is written in (``perfnb run --format html,pdf,docx``, ``dataset.toml``'s
``[output] formats``): chosen, checked, written beside the page, and a failed one fails its
report while the page is still published."""

from __future__ import annotations

from pathlib import Path

import docx
import pytest
from test_runner import make_notebook

from perfnb import run_reports
from perfnb.cli import main
from perfnb.loader import load_dataset, validate_dataset


def _notebooks(tmp_path: Path) -> Path:
    folder = tmp_path / "nbs"
    make_notebook(folder, "plain", "from IPython.display import HTML\nHTML('<h2 id=\"a\">A</h2>')")
    return folder


def test_a_pdf_that_cannot_be_printed_fails_the_report_and_the_page_is_published(
    tiny, tmp_path, monkeypatch
) -> None:
    """With no Chromium to print with, the report fails saying why; its page is published."""
    monkeypatch.setenv("PERFNB_CHROMIUM", str(tmp_path / "no-such-chromium"))
    result = run_reports(
        None,
        tiny(),
        tmp_path / "out",
        notebooks_dir=_notebooks(tmp_path),
        services=["Care"],
        workers=1,
        formats=("html", "pdf"),
    )
    assert not result.ok
    (job,) = result.jobs
    assert job.status == "failed"
    assert job.error.startswith("the PDF file could not be made: PERFNB_CHROMIUM=")
    assert (result.folder / "plain-care.html").is_file()
    assert not (result.folder / "plain-care.pdf").exists()
    assert job.formats == []


def test_dataset_toml_sets_the_formats_and_the_word_file_opens(tiny, tmp_path) -> None:
    """``[output] formats = ["docx"]`` writes the Word file beside the page (the HTML always),
    and python-docx opens it: the page's heading is a Word heading."""
    data = tiny()
    (data / "dataset.toml").write_text('[output]\nformats = ["docx"]\n', encoding="utf-8")
    assert load_dataset(data).output_formats == ("html", "docx")
    result = run_reports(
        None, data, tmp_path / "out", notebooks_dir=_notebooks(tmp_path), services=["Care"]
    )
    assert result.ok, result.summary()
    assert result.jobs[0].formats == ["plain-care.docx"]
    document = docx.Document(str(result.folder / "plain-care.docx"))
    headings = [(p.style.name, p.text) for p in document.paragraphs if p.text == "A"]
    assert headings == [("Heading 2", "A")]


def test_a_word_file_has_each_chart_as_a_300_dpi_png(tiny, tmp_path) -> None:
    """With docx, each chart is published as a 300 dpi PNG beside its SVG (as --png would),
    and the Word file embeds that PNG, not the page's SVG."""
    import io

    from PIL import Image

    cell = (
        "import perfnb\n"
        "report = perfnb.ServiceReport.build(perfnb.load_dataset(data_dir), period, service)\n"
        "report.rag_summary_chart()"
    )
    make_notebook(tmp_path / "nbs", "chart", cell)
    result = run_reports(
        None,
        tiny(),
        tmp_path / "out",
        notebooks_dir=tmp_path / "nbs",
        services=["Help Desk"],
        workers=1,
        formats=("html", "docx"),
    )
    assert result.ok, result.summary()
    charts = result.folder / "charts" / "help-desk"
    assert sorted(p.suffix for p in charts.iterdir()) == [".png", ".svg"]
    document = docx.Document(str(result.folder / "chart-help-desk.docx"))
    (shape,) = document.inline_shapes
    blip = shape._inline.graphic.graphicData.pic.blipFill.blip
    blob = document.part.related_parts[blip.embed].blob
    assert blob == next(charts.glob("*.png")).read_bytes()
    with Image.open(io.BytesIO(blob)) as image:
        assert [round(v) for v in image.info["dpi"]] == [300, 300]
        assert image.width == 2250


def test_an_unknown_format_is_refused_before_anything_is_written(tiny, tmp_path, capsys) -> None:
    """In dataset.toml, validate names the setting; on the command line, argparse refuses it."""
    data = tiny()
    (data / "dataset.toml").write_text('[output]\nformats = ["html", "epub"]\n', encoding="utf-8")
    problems = [p for p in validate_dataset(data) if p.column == "[output] formats"]
    assert [p.message for p in problems] == [
        "'epub' is not a report format; expected one or more of html, pdf, docx, separated by "
        "commas"
    ]
    with pytest.raises(SystemExit) as stopped:
        main(["run", "--data", str(data), "--out", str(tmp_path / "out"), "--format", "pdf,rtf"])
    assert stopped.value.code == 2
    assert "'rtf' is not a report format" in capsys.readouterr().err
    assert not (tmp_path / "out").exists()
