"""analysis.inputs.read_cache: a reader's table served from a Parquet copy only when it was
made from the same file bytes by the same reader code, and identical to a fresh read."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pyreadr
import pytest

from analysis.core.errors import InputError
from analysis.inputs import read_cache
from analysis.inputs.population import load_census21_lsoa
from analysis.inputs.read_cache import cached_read


def census_file(path: Path, residents: tuple[float, float, float, float]) -> Path:
    """A small census ``.rda``: two LSOAs of two age groups each."""
    frame = pd.DataFrame({
        "lsoa21_code": ["E01000001", "E01000001", "E01000002", "E01000002"],
        "lsoa21_name": ["A", "A", "B", "B"],
        "age_group": ["0-15", "16+", "0-15", "16+"],
        "usual_residents": list(residents),
    })
    pyreadr.write_rdata(str(path), frame, df_name="census21_pop")
    return path


class CountingReader:
    """``load_census21_lsoa``, counting its calls (named as the reader, so the copy's key is
    the real reader's)."""

    def __init__(self) -> None:
        self.calls = 0
        self.__name__ = load_census21_lsoa.__name__
        self.__qualname__ = load_census21_lsoa.__qualname__
        self.__module__ = load_census21_lsoa.__module__

    def __call__(self, path: Path) -> pd.DataFrame:
        self.calls += 1
        return load_census21_lsoa(path)


@pytest.fixture
def reader() -> CountingReader:
    return CountingReader()


def test_a_second_read_comes_from_the_copy_and_equals_a_fresh_read(tmp_path: Path,
                                                                   reader: CountingReader) -> None:
    path = census_file(tmp_path / "census21_pop.rda", (100.0, 250.0, 80.0, float("nan")))
    cache = tmp_path / "cache"

    first = cached_read(path, reader, cache)
    second = cached_read(path, reader, cache)

    assert reader.calls == 1
    assert len(list(cache.glob("*.parquet"))) == 1
    fresh = load_census21_lsoa(path)
    pd.testing.assert_frame_equal(first, fresh)
    pd.testing.assert_frame_equal(second, fresh)  # same values, dtypes and missing value
    assert second.set_index("area_code")["population"]["E01000002"] is pd.NA


def test_a_changed_file_is_read_again_and_replaces_its_old_copy(tmp_path: Path,
                                                                reader: CountingReader) -> None:
    path = census_file(tmp_path / "census21_pop.rda", (100.0, 250.0, 80.0, 20.0))
    cache = tmp_path / "cache"
    cached_read(path, reader, cache)

    census_file(path, (100.0, 251.0, 80.0, 20.0))
    table = cached_read(path, reader, cache)

    assert reader.calls == 2
    assert table.set_index("area_code")["population"]["E01000001"] == 351
    assert len(list(cache.glob("*.parquet"))) == 1


def test_a_changed_reader_does_not_use_the_old_copy(tmp_path: Path, reader: CountingReader,
                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    path = census_file(tmp_path / "census21_pop.rda", (100.0, 250.0, 80.0, 20.0))
    cache = tmp_path / "cache"
    cached_read(path, reader, cache)
    monkeypatch.setattr(read_cache, "_reader_source", lambda _: b"# the module, edited\n")

    cached_read(path, reader, cache)

    assert reader.calls == 2


def test_a_damaged_copy_is_read_from_the_file(tmp_path: Path, reader: CountingReader) -> None:
    path = census_file(tmp_path / "census21_pop.rda", (100.0, 250.0, 80.0, 20.0))
    cache = tmp_path / "cache"
    cached_read(path, reader, cache)
    (copy,) = cache.glob("*.parquet")
    copy.write_bytes(b"not parquet")

    table = cached_read(path, reader, cache)

    assert reader.calls == 2
    pd.testing.assert_frame_equal(table, load_census21_lsoa(path))


def test_bad_input_raises_the_readers_error_and_keeps_no_copy(tmp_path: Path) -> None:
    path = tmp_path / "census21_pop.rda"
    path.write_bytes(b"not an R file")
    cache = tmp_path / "cache"

    with pytest.raises(InputError, match="cannot read the R data file"):
        cached_read(path, load_census21_lsoa, cache)
    with pytest.raises(InputError, match="cannot read the R data file"):
        cached_read(tmp_path / "missing.rda", load_census21_lsoa, cache)
    assert not cache.exists() or not list(cache.iterdir())


def test_an_unwritable_cache_only_costs_time(tmp_path: Path, reader: CountingReader) -> None:
    path = census_file(tmp_path / "census21_pop.rda", (100.0, 250.0, 80.0, 20.0))
    blocked = tmp_path / "cache"
    blocked.write_text("a file where the cache folder should be", encoding="utf-8")

    first = cached_read(path, reader, blocked)
    second = cached_read(path, reader, blocked)

    assert reader.calls == 2
    pd.testing.assert_frame_equal(first, second)
