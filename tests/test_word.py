"""The report's Word file (perfnb.pages.word): a page built by hand, a real report from the
pipeline, and the Word file laid out by LibreOffice."""

from __future__ import annotations

import base64
import io
import os
import re
import shutil
import subprocess
from pathlib import Path

import docx
import pytest
from bs4 import BeautifulSoup
from docx.enum.section import WD_ORIENT
from docx.oxml.ns import qn
from docx.shared import Cm
from docx.text.paragraph import Paragraph
from PIL import Image

from conftest import NOTEBOOKS, SAMPLE
from perfnb import run_reports
from perfnb.pages.word import word_document
from perfnb.palette import RAG_STYLES


def _png(width: int, height: int, dpi: int, colour: str) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (width, height), colour).save(buffer, "png", dpi=(dpi, dpi))
    return buffer.getvalue()


PRINT_PNG = _png(2700, 1260, 300, "navy")  # what chart_png gives: 9 x 4.2 inches at 300 dpi
EMBEDDED_PNG = _png(900, 420, 120, "grey")  # what the page embeds
ALT = "Bar chart: Care's ratings. 1 Red, 1 Green."


def _page(chart_attribute: str = ' data-chart="rag-summary"') -> str:
    embedded = base64.b64encode(EMBEDDED_PNG).decode("ascii")
    return f"""<!DOCTYPE html><html><head><style>.x {{ color: red; }}</style></head>
<body class="jp-Notebook"><main>
<header class="perfnb-title"><p class="perfnb-council">Testshire Council</p>
<h1>Care: performance report</h1>
<p><strong>2017/18 Quarter 1 (April to June 2017)</strong>. Produced 01 July 2017.</p></header>
<nav class="perfnb-contents"><h2 id="perfnb-contents-heading">Contents</h2>
<ol><li><a href="#Summary">Summary</a></li></ol></nav>
<h2 id="Summary">Summary<a class="anchor-link" href="#Summary">¶</a></h2>
<p class="perfnb-summary-counts">2 measures:
<span class="perfnb-badge rag-red">Red 1</span>
<span class="perfnb-badge rag-green">Green 1</span></p>
<div class="perfnb-commentary"><p>Performance is <strong>below target</strong>,
<em>for now</em>. See <a href="https://example.org/plan">the recovery plan</a> and
<a href="#m1">M1</a>.</p>
<ul><li>First point</li><li>Second point</li></ul>
<ol><li>Step one</li><li>Step two</li></ol></div>
<figure class="perfnb-chart"{chart_attribute}><img src="data:image/png;base64,{embedded}"
alt="{ALT}" width="900" height="420"><figcaption>Ratings, 2017/18 Q1</figcaption></figure>
<h2 id="Scorecard">Scorecard</h2>
<p>Every measure of the service.</p>
<div class="perfnb-wide"><table class="perfnb-table perfnb-scorecard" id="T_scorecard">
<caption>Scorecard, 2017/18 Q1</caption>
<thead><tr><th scope="col">Measure</th><th scope="col">RAG</th><th scope="col">This period</th>
</tr></thead>
<tbody><tr><th scope="row">M1</th><td class="data rag-red">Red</td><td class="num">10%</td></tr>
<tr><th scope="row">M2</th><td class="data rag-green">Green</td><td class="num">90% [p]</td>
</tr></tbody>
<tfoot><tr><td class="perfnb-key" colspan="3">Key: [p] provisional.</td></tr></tfoot>
</table></div>
<section class="perfnb-measure" id="measure-m1"><h3 id="m1">M1: A measure</h3>
<h4>Progress</h4><p>Better than last quarter.</p></section>
</main>
<footer class="perfnb-provenance"><dl><dt>Produced</dt><dd>01 July 2017 09:00 by perfnb 0.1.0</dd>
<dt>Parameters</dt><dd>period = 2017/18 Q1; service = Care</dd>
<dt>Data files (SHA-256)</dt><dd>values.csv: 0123456789abcdef</dd></dl></footer>
</body></html>"""


def _reopened(document) -> docx.document.Document:
    """The document as a reader gets it: saved and opened again."""
    buffer = io.BytesIO()
    document.save(buffer)
    return docx.Document(io.BytesIO(buffer.getvalue()))


@pytest.fixture(scope="module")
def hand_made():
    asked: list[str] = []

    def chart_png(name: str) -> bytes | None:
        asked.append(name)
        return PRINT_PNG if name == "rag-summary" else None

    return _reopened(word_document(_page(), chart_png)), asked


def _headings(document) -> list[tuple[str, str]]:
    return [
        (p.style.name, p.text) for p in document.paragraphs if p.style.name.startswith("Heading")
    ]


def _cell_fill(cell) -> str:
    return cell._tc.tcPr.find(qn("w:shd")).get(qn("w:fill"))


def test_headings_keep_word_styles_without_contents_or_pilcrows(hand_made) -> None:
    document, _ = hand_made
    assert _headings(document) == [
        ("Heading 1", "Care: performance report"),
        ("Heading 2", "Summary"),
        ("Heading 2", "Scorecard"),
        ("Heading 3", "M1: A measure"),
        ("Heading 4", "Progress"),
    ]
    text = "\n".join(p.text for p in document.paragraphs)
    assert "Contents" not in text and "¶" not in text and ".x" not in text
    assert document.core_properties.title == "Care: performance report"


def test_table_is_native_with_rag_fills_words_header_and_caption(hand_made) -> None:
    document, _ = hand_made
    (table,) = document.tables
    assert [c.text for c in table.rows[0].cells] == ["Measure", "RAG", "This period"]
    red, green = table.cell(1, 1), table.cell(2, 1)
    # the palette's fills: Red #B2182B with white text, Green #5AAE61 with black
    assert (red.text, _cell_fill(red)) == ("Red", RAG_STYLES["Red"].fill.lstrip("#"))
    assert (green.text, _cell_fill(green)) == ("Green", RAG_STYLES["Green"].fill.lstrip("#"))
    assert _cell_fill(red) == "B2182B" and _cell_fill(green) == "5AAE61"
    red_run = red.paragraphs[0].runs[0]
    assert red_run.bold and str(red_run.font.color.rgb) == RAG_STYLES["Red"].text.lstrip("#")
    rows = table._tbl.tr_lst
    assert rows[0].trPr.find(qn("w:tblHeader")) is not None  # repeated on each page
    assert all(r.trPr is None or r.trPr.find(qn("w:tblHeader")) is None for r in rows[1:])
    before, after = table._tbl.getprevious(), table._tbl.getnext()
    assert Paragraph(before, None).text == "Scorecard, 2017/18 Q1"
    assert Paragraph(after, None).text == "Key: [p] provisional."
    assert table.cell(1, 2).paragraphs[0].alignment == docx.enum.text.WD_ALIGN_PARAGRAPH.RIGHT


def test_chart_is_the_print_png_with_its_alt_text(hand_made) -> None:
    document, asked = hand_made
    assert asked == ["rag-summary"]
    (shape,) = document.inline_shapes
    properties = shape._inline.docPr
    assert properties.get("descr") == ALT
    assert properties.get("title") == "Ratings, 2017/18 Q1"
    blob = document.part.related_parts[shape._inline.graphic.graphicData.pic.blipFill.blip.embed]
    assert blob.blob == PRINT_PNG
    assert shape.width == Cm(16)  # 9 inches at 300 dpi, fitted to the page


@pytest.mark.parametrize("attribute", ["", ' data-chart="not-published"'])
def test_chart_falls_back_to_the_embedded_png(attribute) -> None:
    document = _reopened(word_document(_page(attribute), lambda name: None))
    (shape,) = document.inline_shapes
    blob = document.part.related_parts[shape._inline.graphic.graphicData.pic.blipFill.blip.embed]
    assert blob.blob == EMBEDDED_PNG
    assert shape._inline.docPr.get("descr") == ALT


def test_a_chart_shown_as_svg_is_its_print_png_or_else_its_alt_text() -> None:
    """A page's chart is SVG (not for Word): Word gets the chart's 300 dpi PNG; with none
    made, the alt text in italics, never the SVG, and never nothing."""
    svg = "data:image/svg+xml,%3Csvg xmlns='http://www.w3.org/2000/svg'/%3E"
    page = _page().replace(f"data:image/png;base64,{base64.b64encode(EMBEDDED_PNG).decode()}", svg)
    assert svg in page
    document = _reopened(word_document(page, lambda name: PRINT_PNG))
    (shape,) = document.inline_shapes
    blob = document.part.related_parts[shape._inline.graphic.graphicData.pic.blipFill.blip.embed]
    assert blob.blob == PRINT_PNG
    document = _reopened(word_document(page, lambda name: None))
    assert not document.inline_shapes
    (said,) = [p for p in document.paragraphs if p.text == f"[{ALT}]"]
    assert all(run.italic for run in said.runs)


def test_commentary_keeps_bold_italics_lists_and_links(hand_made) -> None:
    document, _ = hand_made
    (paragraph,) = [p for p in document.paragraphs if p.text.startswith("Performance is")]
    runs = {r.text: r for r in paragraph.runs}
    assert runs["below target"].bold and runs["for now"].italic
    assert paragraph.text == "Performance is below target, for now. See the recovery plan and M1."
    external, internal = paragraph._p.findall(qn("w:hyperlink"))
    relationship = document.part.rels[external.get(qn("r:id"))]
    assert relationship.is_external and relationship.target_ref == "https://example.org/plan"
    assert "".join(t.text for t in external.iter(qn("w:t"))) == "the recovery plan"
    anchor = internal.get(qn("w:anchor"))
    (heading,) = [p for p in document.paragraphs if p.text == "M1: A measure"]
    assert heading._p.find(qn("w:bookmarkStart")).get(qn("w:name")) == anchor
    styles = {p.text: p for p in document.paragraphs}
    assert styles["First point"].style.name == "List Bullet"
    one, two = styles["Step one"], styles["Step two"]
    assert one.style.name == two.style.name == "List Number"
    # its own numbering, which starts at 1
    assert one._p.pPr.numPr.numId.val == two._p.pPr.numPr.numId.val != 5
    badge = next(p for p in document.paragraphs if p.text.startswith("2 measures")).runs[1]
    assert badge.text.strip() == "Red 1" and badge.bold


def test_a4_portrait_with_the_wide_table_in_landscape(hand_made) -> None:
    document, _ = hand_made
    sections = document.sections
    assert [s.orientation for s in sections] == [
        WD_ORIENT.PORTRAIT,
        WD_ORIENT.LANDSCAPE,
        WD_ORIENT.PORTRAIT,
    ]
    sizes = [(round(s.page_width.mm), round(s.page_height.mm)) for s in sections]
    assert sizes == [(210, 297), (297, 210), (210, 297)]  # A4
    # the landscape section holds the table, and the heading that leads into it
    body = list(document.element.body)
    breaks = [
        i for i, e in enumerate(body) if e.find(f"{qn('w:pPr')}/{qn('w:sectPr')}") is not None
    ]
    table = body.index(document.tables[0]._tbl)
    heading = body.index(next(p for p in document.paragraphs if p.text == "Scorecard")._p)
    assert breaks[0] < heading < table < breaks[1]


def test_footer_names_the_report_and_counts_pages(hand_made) -> None:
    document, _ = hand_made
    for section in document.sections:
        footer = section.footer._element
        text = "".join(t.text for t in footer.iter(qn("w:t")))
        assert "Testshire Council" in text and "Care: performance report" in text
        assert "2017/18 Quarter 1 (April to June 2017)" in text
        assert "Page" in text and " of " in text
        codes = [t.text.strip() for t in footer.iter(qn("w:instrText"))]
        assert codes == ["PAGE", "NUMPAGES"]


def test_provenance_is_one_line(hand_made) -> None:
    document, _ = hand_made
    lines = [p.text for p in document.paragraphs if p.text.startswith("Produced ")]
    assert lines == [
        "Produced 01 July 2017 09:00 by perfnb 0.1.0; Parameters period = 2017/18 Q1; "
        "service = Care. The HTML report lists the data files and their checksums."
    ]
    assert "0123456789abcdef" not in "\n".join(p.text for p in document.paragraphs)


# -- a real report -----------------------------------------------------------------------------
@pytest.fixture(scope="module")
def real_report(tmp_path_factory):
    """Help Direct's 2012/13 Q2 scorecard, built by the pipeline from the sample data, and its
    Word file."""
    out = tmp_path_factory.mktemp("word")
    result = run_reports(
        "2012/13 Q2",
        SAMPLE,
        out,
        notebooks_dir=NOTEBOOKS,
        services=["Help Direct"],
        notebooks=["scorecard"],
        workers=1,
        png=True,  # the charts' 300 dpi PNGs, as a run with --format docx makes them
    )
    assert result.ok, result.summary()
    folder = out / "2012-13-Q2"
    html = (folder / "scorecard-help-direct.html").read_text(encoding="utf-8")

    def chart_png(name: str) -> bytes | None:
        found = sorted((folder / "charts").rglob(f"{name}.png"))
        return found[0].read_bytes() if found else None

    path = out / "scorecard-help-direct.docx"
    word_document(html, chart_png).save(path)
    return html, path


def test_real_report_has_the_pages_headings_tables_and_charts(real_report) -> None:
    html, path = real_report
    document = docx.Document(io.BytesIO(path.read_bytes()))
    soup = BeautifulSoup(html, "html.parser")
    soup.select_one("nav.perfnb-contents").decompose()
    page_headings = [
        " ".join(h.get_text(" ", strip=True).replace("¶", "").split())
        for h in soup.find_all(["h1", "h2", "h3", "h4"])
    ]
    assert [text for _, text in _headings(document)] == page_headings
    assert len(document.tables) == len(soup.find_all("table")) > 0
    figures = soup.select("figure.perfnb-chart")
    assert len(document.inline_shapes) == len(figures) > 0
    assert [s._inline.docPr.get("descr") for s in document.inline_shapes] == [
        f.img["alt"] for f in figures
    ]
    for shape in document.inline_shapes:  # each chart the print image, not the page's SVG
        blip = shape._inline.graphic.graphicData.pic.blipFill.blip
        with Image.open(io.BytesIO(document.part.related_parts[blip.embed].blob)) as image:
            assert [round(v) for v in image.info["dpi"]] == [300, 300]
            assert image.width >= 2000
    assert WD_ORIENT.LANDSCAPE in [s.orientation for s in document.sections]
    assert document.sections[0].orientation == WD_ORIENT.PORTRAIT


def test_libreoffice_lays_the_word_file_out(real_report, tmp_path) -> None:
    """LibreOffice opens the Word file and prints it to PDF: pages, title and headings."""
    soffice = shutil.which("soffice")
    if soffice is None:
        pytest.skip("LibreOffice is not installed (tools/install-libreoffice installs it)")
    if shutil.which("pdftotext") is None:
        pytest.skip("pdftotext (poppler-utils) is not installed")
    html, path = real_report
    subprocess.run(
        [
            soffice,
            f"-env:UserInstallation={(tmp_path / 'profile').as_uri()}",
            "--headless",
            "--convert-to",
            "pdf",
            "--outdir",
            str(tmp_path),
            str(path),
        ],
        check=True,
        capture_output=True,
        timeout=300,
    )
    pdf = tmp_path / f"{path.stem}.pdf"
    assert pdf.stat().st_size > 0
    pages = len(re.findall(rb"/Type\s*/Page[^s]", pdf.read_bytes()))
    assert pages >= 3
    text = subprocess.run(
        ["pdftotext", "-layout", str(pdf), "-"], check=True, capture_output=True, timeout=60
    ).stdout.decode("utf-8")
    flat = " ".join(text.split())
    soup = BeautifulSoup(html, "html.parser")
    soup.select_one("nav.perfnb-contents").decompose()
    assert "Help Direct: performance report" in flat
    for heading in soup.find_all(["h1", "h2", "h3"]):
        words = " ".join(heading.get_text(" ", strip=True).replace("¶", "").split())
        assert words in flat, words
    assert f"Page 1 of {pages}" in flat
    artifacts = os.environ.get("PERFNB_BROWSER_ARTIFACTS")
    if artifacts and shutil.which("pdftoppm"):
        folder = Path(artifacts)
        folder.mkdir(parents=True, exist_ok=True)
        first_page = ["-f", "1", "-l", "1", "-singlefile"]
        subprocess.run(
            ["pdftoppm", "-r", "60", "-png", *first_page, str(pdf), str(folder / "word")],
            check=True,
            timeout=60,
        )
        shutil.copyfile(pdf, folder / "word.pdf")
