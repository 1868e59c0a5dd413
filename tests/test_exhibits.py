"""Exhibits: the files of the tables and charts a report displays, carried in its display data
to the run, which publishes them (perfnb.exhibits, perfnb.run.publish)."""

from __future__ import annotations

import base64

import nbformat
import pytest

from perfnb.exhibits import (
    ENVIRONMENT_VARIABLE,
    MIME_TYPE,
    Exhibit,
    Fragment,
    display_bundle,
    exhibits_from_json,
    exhibits_to_json,
)
from perfnb.run.publish import publish_files, take_exhibits, write_exhibits


class _Shown:
    """A stand-in for a Table: one CSV file."""

    def __init__(self, name: str, text: str) -> None:
        self.name, self.text = name, text

    def exhibit(self) -> Exhibit:
        return Exhibit("tables", {f"{self.name}.csv": self.text.encode()})


def test_exhibits_round_trip_through_json() -> None:
    shown = [
        Exhibit("tables", {"a.csv": b"x,y\n1,2\n"}),
        Exhibit("charts", {"b.png": b"\x89PNG\r\n", "b.svg": b"<svg/>"}),
    ]
    data = exhibits_to_json(shown)
    # base64 worked out by hand: "x,y\n1,2\n" -> eCx5CjEsMgo=
    assert data[0] == {"kind": "tables", "files": {"a.csv": "eCx5CjEsMgo="}}
    assert exhibits_from_json(data) == shown


@pytest.mark.parametrize("name", ["../a.csv", "a/b.csv", ".hidden", "", "a..b.csv"])
def test_an_exhibit_file_name_cannot_leave_its_folder(name) -> None:
    with pytest.raises(ValueError, match="safe file name"):
        Exhibit("tables", {name: b""})


def test_an_exhibit_kind_is_a_published_folder() -> None:
    with pytest.raises(ValueError, match="tables, charts"):
        Exhibit("scripts", {})
    with pytest.raises(ValueError, match="list of exhibits"):
        exhibits_from_json({"kind": "tables"})


def test_files_travel_only_under_perfnb_run(monkeypatch) -> None:
    """In JupyterLab a table shows its HTML alone; in a run's kernel its files come too."""
    monkeypatch.delenv(ENVIRONMENT_VARIABLE, raising=False)
    assert display_bundle("<p>t</p>", [_Shown("t", "1")]) == {"text/html": "<p>t</p>"}
    monkeypatch.setenv(ENVIRONMENT_VARIABLE, "1")
    bundle = Fragment("<section/>", (_Shown("t", "1"), _Shown("u", "2")))._repr_mimebundle_()
    assert bundle["text/html"] == "<section/>"
    assert [e["files"] for e in bundle[MIME_TYPE]] == [{"t.csv": "MQ=="}, {"u.csv": "Mg=="}]


def _notebook(*outputs: list[dict]) -> nbformat.NotebookNode:
    nb = nbformat.v4.new_notebook()
    for cell_outputs in outputs:
        cell = nbformat.v4.new_code_cell("x")
        cell.outputs = [nbformat.from_dict(o) for o in cell_outputs]
        nb.cells.append(cell)
    return nb


def test_the_run_takes_the_exhibits_out_of_the_notebook(tmp_path) -> None:
    csv = base64.b64encode(b"a\n1\n").decode()
    shown = {
        "output_type": "display_data",
        "metadata": {},
        "data": {
            "text/html": "<table/>",
            MIME_TYPE: [{"kind": "tables", "files": {"scorecard.csv": csv}}],
        },
    }
    svg = base64.b64encode(b"<svg/>").decode()
    result = {
        "output_type": "execute_result",
        "execution_count": 2,
        "metadata": {},
        "data": {"text/html": "<img>", MIME_TYPE: [{"kind": "charts", "files": {"t.svg": svg}}]},
    }
    nb = _notebook([shown], [{"output_type": "stream", "name": "stdout", "text": "hi"}, result])
    exhibits = take_exhibits(nb)
    assert exhibits == [
        Exhibit("tables", {"scorecard.csv": b"a\n1\n"}),
        Exhibit("charts", {"t.svg": b"<svg/>"}),
    ]
    # the page keeps its HTML; the files are gone from the notebook
    assert nb.cells[0].outputs[0]["data"] == {"text/html": "<table/>"}
    assert nb.cells[1].outputs[1]["data"] == {"text/html": "<img>"}
    assert take_exhibits(nb) == []

    staged, folder = tmp_path / "staged", tmp_path / "period"
    write_exhibits(exhibits, staged, "Adult Social Care")
    assert publish_files(staged, folder) == [
        "tables/adult-social-care/scorecard.csv",
        "charts/adult-social-care/t.svg",
    ]
    assert (folder / "tables/adult-social-care/scorecard.csv").read_bytes() == b"a\n1\n"


def test_a_malformed_exhibit_names_its_cell() -> None:
    bad = {"output_type": "display_data", "metadata": {}, "data": {MIME_TYPE: [{"kind": "x"}]}}
    with pytest.raises(ValueError, match="cell 2 of the executed notebook"):
        take_exhibits(_notebook([], [bad]))


def test_two_exhibits_of_one_name_are_refused(tmp_path) -> None:
    """The same chart shown twice is written once; two different charts of one name would
    lose one (both of a service's XmR charts were once saved as upl.png): refused."""
    same = Exhibit("charts", {"spc-m1.svg": b"<svg>1</svg>"})
    write_exhibits([same, same], tmp_path, "Care")
    assert (tmp_path / "charts" / "care" / "spc-m1.svg").read_bytes() == b"<svg>1</svg>"
    other = Exhibit("charts", {"spc-m1.svg": b"<svg>2</svg>"})
    with pytest.raises(ValueError, match=r"both spc-m1\.svg"):
        write_exhibits([same, other], tmp_path / "again", "Care")
    assert not (tmp_path / "again").exists()  # nothing written


def test_the_run_takes_a_cells_exhibits_as_each_arrives_before_the_notebook_is_saved(
    monkeypatch,
) -> None:
    """A cell that shows part after part (a thousand measures' charts) never holds them all as
    base64 text: each output's exhibits are taken as it arrives, before papermill's autosave
    writes the notebook, and the cell's outputs keep their HTML."""
    from papermill.engines import NBClientEngine, NotebookExecutionManager

    from perfnb.run.job import CellReportingEngine

    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell("show()")])
    nb.metadata.papermill = {}  # as papermill's execute_notebook prepares it
    nb.cells[0].metadata.papermill = {}
    saved: list[str] = []  # what each autosave would have written

    def executing(cls, nb_man, kernel_name, **kwargs):
        """Stands in for the kernel: the cell shows three parts, a message each."""
        cell = nb_man.nb.cells[0]
        nb_man.cell_start(cell, 0)
        for part in range(3):
            bundle = display_bundle(f"<p>part {part}</p>", [_Shown(f"t{part}", f"x,{part}")])
            cell.outputs.append(nbformat.v4.new_output("display_data", data=bundle))
            nb_man.autosave_cell()
        nb_man.cell_complete(cell, 0)
        return nb_man.nb

    def autosave(self):
        saved.append(nbformat.writes(self.nb))

    monkeypatch.setenv(ENVIRONMENT_VARIABLE, "1")
    monkeypatch.setattr(NBClientEngine, "execute_managed_notebook", classmethod(executing))
    monkeypatch.setattr(NotebookExecutionManager, "autosave_cell", autosave)
    exhibits: list[Exhibit] = []
    manager = NotebookExecutionManager(nb, progress_bar=False)
    CellReportingEngine.execute_managed_notebook(manager, "python3", exhibits=exhibits)
    assert [e.files for e in exhibits] == [{f"t{k}.csv": f"x,{k}".encode()} for k in range(3)]
    assert len(saved) == 3 and not any(MIME_TYPE in text for text in saved)
    assert [o["data"]["text/html"] for o in nb.cells[0].outputs] == [
        f"<p>part {k}</p>" for k in range(3)
    ]
