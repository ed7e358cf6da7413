"""Stage outputs are written byte-identically on every rerun: CSV and JSON."""

import datetime as dt

import numpy as np
import pandas as pd
import pytest

from pipeline.outputs import (
    neutralise,
    neutralised,
    publish_csv,
    read_json,
    write_csv,
    write_json,
)


def test_csv_has_unix_line_endings_no_index_and_creates_folders(tmp_path):
    frame = pd.DataFrame({"a": [1, 2], "b": ["x", "y, z"]}, index=[5, 6])
    path = write_csv(frame, tmp_path / "new" / "t.csv")
    assert path == tmp_path / "new" / "t.csv"
    assert path.read_bytes() == b'a,b\n1,x\n2,"y, z"\n'


def test_csv_rerun_is_byte_identical(tmp_path):
    frame = pd.DataFrame({"share": [0.1, 1 / 3], "name": ["Bexley", "Brent"]})
    first = write_csv(frame, tmp_path / "1.csv").read_bytes()
    second = write_csv(frame.copy(), tmp_path / "2.csv").read_bytes()
    assert first == second
    assert b"\r" not in first


def test_json_sorts_keys_indents_and_ends_with_a_newline(tmp_path):
    path = write_json({"b": 1, "a": {"z": [1, 2], "y": None}}, tmp_path / "d" / "x.json")
    assert path.read_text(encoding="utf-8") == (
        '{\n  "a": {\n    "y": null,\n    "z": [\n      1,\n      2\n    ]\n  },\n  "b": 1\n}\n'
    )


def test_json_writes_numpy_scalars_as_plain_numbers_and_dates_as_iso(tmp_path):
    data = {
        "count": np.int64(7),
        "share": np.float64(0.25),
        "flag": np.bool_(True),
        "day": dt.date(2024, 5, 1),
    }
    path = write_json(data, tmp_path / "x.json")
    assert path.read_bytes() == (
        b'{\n  "count": 7,\n  "day": "2024-05-01",\n  "flag": true,\n  "share": 0.25\n}\n'
    )
    assert read_json(path) == {"count": 7, "day": "2024-05-01", "flag": True, "share": 0.25}


def test_json_rerun_is_byte_identical_whatever_the_key_order(tmp_path):
    first = write_json({"x": np.float64(1 / 3), "a": [np.int32(1)]}, tmp_path / "1.json")
    second = write_json({"a": [1], "x": 1 / 3}, tmp_path / "2.json")
    assert first.read_bytes() == second.read_bytes()


def test_json_refuses_what_it_cannot_write(tmp_path):
    with pytest.raises(TypeError, match="cannot write object as JSON"):
        write_json({"x": object()}, tmp_path / "x.json")


# text that a spreadsheet would run as a formula ------------------------------------------------


@pytest.mark.parametrize(
    ("value", "safe"),
    [
        ('=HYPERLINK("http://x")', '\'=HYPERLINK("http://x")'),
        ("+cmd", "'+cmd"),
        ("-2+3", "'-2+3"),
        ("@SUM(A1:A2)", "'@SUM(A1:A2)"),
        ("\tindented", "'\tindented"),
        ("\rreturn", "'\rreturn"),
        ("-inf", "'-inf"),
        ("-1.5", "-1.5"),
        ("+3", "+3"),
        ("-.5e-3", "-.5e-3"),
        ("a = b", "a = b"),
        ("[c]", "[c]"),
        (-4, -4),
        (None, None),
    ],
)
def test_neutralise_quotes_formula_text_but_not_numbers(value, safe):
    assert neutralise(value) == safe


def test_published_csv_neutralises_text_cells_and_headers_but_not_numbers(tmp_path):
    frame = pd.DataFrame(
        {"=name": ["=1+1", "Leeds", None], "n": [-1, 2, 3], 2021: ["@a", "-", "x"]}
    )
    path = publish_csv(frame, tmp_path / "out.csv")
    assert path.read_text(encoding="utf-8") == ("'=name,n,2021\n'=1+1,-1,'@a\nLeeds,2,'-\n,3,x\n")
    assert list(frame.columns) == ["=name", "n", 2021]  # the caller's frame is untouched
    assert neutralised(frame)["'=name"].isna().tolist() == [False, False, True]  # gaps stay gaps
