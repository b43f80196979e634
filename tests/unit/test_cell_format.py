"""Numbers in presented tables: p-values and whole numbers held as floats."""

from __future__ import annotations

import numpy as np
import pandas as pd

from analysis.present.cell_format import human_cells, p_value_text


def test_p_values_never_read_as_zero() -> None:
    assert p_value_text(0.00049) == "< 0.001"
    assert p_value_text(0.001) == "0.001"
    assert p_value_text(0.0415) == "0.042"
    assert p_value_text(1.0) == "1.000"


def test_human_cells_format_p_values_and_whole_floats_and_keep_gaps() -> None:
    frame = pd.DataFrame({
        "LSOA": ["A", "B", "C"],
        "IMD decile": [3.0, np.nan, 10.0],  # float only because of the gap
        "Rate per 1,000": [12.5, 3.0, np.nan],  # not all whole: left to the page
        "p-value": [0.0002, 0.5, np.nan],
        "Crimes": [1105, 30, 2],
    })
    shown = human_cells(frame, formatted=set())
    assert [shown["IMD decile"][0], shown["IMD decile"][2]] == ["3", "10"]
    assert [shown["p-value"][0], shown["p-value"][1]] == ["< 0.001", "0.500"]
    assert shown["IMD decile"].isna()[1] and shown["p-value"].isna()[2]
    assert shown["Rate per 1,000"].equals(frame["Rate per 1,000"])
    assert shown["Crimes"].tolist() == [1105, 30, 2]
    assert human_cells(frame, formatted={"p-value"})["p-value"].equals(frame["p-value"])
    machine = human_cells(pd.DataFrame({"p_value": [0.0001], "group_value": [0.0001]}), set())
    assert machine.loc[0].tolist() == ["< 0.001", 0.0001]
    assert frame["IMD decile"].tolist()[0] == 3.0  # the frame itself is not changed
