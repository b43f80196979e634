"""The build graph: what each step reads, found from the config, the source and the store."""

from __future__ import annotations

import hashlib
import json
import os
import re
import subprocess
import sys
import textwrap
from pathlib import Path

import pandas as pd
import pytest

from analysis.core.errors import ConfigError
from analysis.inputs.areas import load_area
from analysis.publish.dependencies import (
    SECTION_TABLES,
    STORE_TABLES,
    area_config_files,
    cli_source,
    command_modules,
    fragment_path,
    imported_modules,
    input_tree,
    make_fragment,
    make_path,
    module_files,
    notebook_source,
    package_data_files,
    package_folder,
    package_source_tree,
    section_tables,
    table_fingerprint,
    table_stamp,
    write_table_stamps,
)

ROOT = Path(__file__).resolve().parents[2]


def test_imported_modules_finds_every_package_import_including_inside_functions() -> None:
    source = textwrap.dedent("""
        import os
        import analysis.store
        from analysis.store import quality
        from analysis import store as st
        from analysis.present.page import Section
        from pandas import DataFrame
        from . import sibling

        def later():
            from analysis.inputs.geography import load_lad_csp
    """)
    assert imported_modules(source) == {
        "analysis.store", "analysis", "analysis.store.quality", "analysis.present.page",
        "analysis.present.page.Section", "analysis.inputs.geography",
        "analysis.inputs.geography.load_lad_csp",
    }


def test_command_modules_are_the_cli_top_imports_and_the_command_body_imports() -> None:
    cli = textwrap.dedent("""
        import typer
        from analysis.inputs.areas import load_area

        def ingest():
            from analysis.store.area import ingest_area

        def share():
            from analysis.publish.share import build_share_pack
    """)
    assert command_modules(cli, "ingest") == {"analysis.inputs.areas",
                                              "analysis.inputs.areas.load_area",
                                              "analysis.store.area",
                                              "analysis.store.area.ingest_area"}
    with pytest.raises(ValueError, match="no function 'fetch'"):
        command_modules(cli, "fetch")


def test_cli_source_is_the_module_the_csp_script_runs() -> None:
    assert cli_source() == (ROOT / "src" / "analysis" / "cli.py").read_text(encoding="utf-8")
    assert "analysis.publish.build" in command_modules(cli_source(), "build_section")


def test_notebook_source_joins_code_cells_and_leaves_out_magics(tmp_path: Path) -> None:
    notebook = tmp_path / "10_x.ipynb"
    notebook.write_text(json.dumps({"cells": [
        {"cell_type": "markdown", "source": ["import analysis.not_code\n"]},
        {"cell_type": "code", "source": ["%matplotlib inline\n", "from analysis import a\n"]},
        {"cell_type": "code", "source": "!ls\nimport analysis.b"},
    ]}))
    assert notebook_source(notebook) == "from analysis import a\nimport analysis.b"
    assert imported_modules(notebook_source(notebook)) == {"analysis", "analysis.a",
                                                          "analysis.b"}


@pytest.fixture
def fake_package(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """``analysis`` as a small package on a temporary path (ahead of the real one):
    ``top`` imports ``sub.inner``; ``inner`` imports ``leaf`` inside a function and a
    function from ``leaf``; ``unused`` is imported by nobody."""
    package = tmp_path / "analysis"
    (package / "sub").mkdir(parents=True)
    (package / "__init__.py").write_text("")
    (package / "sub" / "__init__.py").write_text("")
    (package / "top.py").write_text("from analysis.sub import inner\n")
    (package / "sub" / "inner.py").write_text(
        "from analysis.leaf import helper\n\ndef f():\n    import analysis.leaf\n")
    (package / "leaf.py").write_text("def helper():\n    pass\n")
    (package / "unused.py").write_text("")
    monkeypatch.syspath_prepend(str(tmp_path))
    for name in [n for n in sys.modules if n == "analysis" or n.startswith("analysis.")]:
        monkeypatch.delitem(sys.modules, name)
    return package


def test_module_files_follow_imports_through_modules_and_packages(fake_package: Path) -> None:
    assert module_files(["analysis.top"]) == sorted([
        fake_package / "__init__.py", fake_package / "top.py",
        fake_package / "sub" / "__init__.py", fake_package / "sub" / "inner.py",
        fake_package / "leaf.py"])


def test_an_edited_module_is_parsed_again(fake_package: Path) -> None:
    files = [fake_package / "__init__.py", fake_package / "top.py",
             fake_package / "sub" / "__init__.py", fake_package / "sub" / "inner.py",
             fake_package / "leaf.py"]
    assert module_files(["analysis.top"]) == sorted(files)
    (fake_package / "top.py").write_text("import analysis.unused\n")  # another size: a version
    assert module_files(["analysis.top"]) == sorted([
        fake_package / "__init__.py", fake_package / "top.py", fake_package / "unused.py"])


def test_module_files_skip_names_that_are_not_modules(fake_package: Path) -> None:
    assert module_files(["analysis.leaf.helper", "analysis.missing"]) == []
    assert module_files(["analysis.leaf"]) == [fake_package / "__init__.py",
                                              fake_package / "leaf.py"]


def test_input_tree_of_a_file_a_folder_and_a_missing_path(tmp_path: Path) -> None:
    month = tmp_path / "police" / "2024-01"
    month.mkdir(parents=True)
    street = month / "2024-01-x-street.csv"
    street.write_text("x")
    (month / ".hidden").write_text("x")
    assert input_tree(street) == [street]
    assert input_tree(tmp_path / "police") == [tmp_path / "police", month, street]
    assert input_tree(tmp_path / "police" / "2024-02" / "file.csv") == [tmp_path / "police"]


def test_make_path_is_relative_inside_the_project_and_escapes_make_characters(
        tmp_path: Path) -> None:
    assert make_path(tmp_path / "data" / "a b#c$d.csv", tmp_path) == r"data/a\ b\#c$$d.csv"
    assert make_path(tmp_path.parent / "shared" / "x.csv", tmp_path) == \
        (tmp_path.parent / "shared" / "x.csv").as_posix()


def test_table_fingerprint_counts_rows_not_their_order_or_file_split(tmp_path: Path) -> None:
    street = tmp_path / "police_uk" / "street" / "2024-01"
    street.mkdir(parents=True)
    rows = pd.DataFrame({"crime_id": ["a", "b", "c"], "count": [1, 2, 3]})
    rows.to_parquet(street / "data_0.parquet", index=False)
    first = table_fingerprint(tmp_path, ["police_uk"])
    (street / "data_0.parquet").unlink()
    rows.iloc[[2, 0]].to_parquet(street / "data_0.parquet", index=False)
    rows.iloc[[1]].to_parquet(street / "data_1.parquet", index=False)
    assert table_fingerprint(tmp_path, ["police_uk"]) == first  # same rows, other layout
    rows.assign(count=[1, 2, 4]).to_parquet(street / "data_0.parquet", index=False)
    (street / "data_1.parquet").unlink()
    assert table_fingerprint(tmp_path, ["police_uk"]) != first


def test_table_fingerprint_of_other_files_and_of_a_missing_table(tmp_path: Path) -> None:
    (tmp_path / "police_uk").mkdir()
    (tmp_path / "police_uk" / "ingest.json").write_bytes(b"two")
    expected = hashlib.sha256(b"police_uk/ingest.json\0two\0").hexdigest()
    assert table_fingerprint(tmp_path, ["police_uk"]) == expected
    os.utime(tmp_path / "police_uk" / "ingest.json", (1, 1))
    assert table_fingerprint(tmp_path, ["police_uk"]) == expected  # the time is not content
    assert table_fingerprint(tmp_path, ["partner/asb.parquet"]) == hashlib.sha256().hexdigest()


@pytest.fixture
def small_project(tmp_path: Path) -> Path:
    """A project whose demo-shaped area has one police.uk month and a partner ASB extract,
    and a force whose one CSP is derived from a two-line lookup."""
    (tmp_path / "config" / "areas").mkdir(parents=True)
    (tmp_path / "config" / "forces").mkdir()
    (tmp_path / "config" / "mappings").mkdir()
    (tmp_path / "config" / "mappings" / "m.yaml").write_text("x: 1\n")
    raw = tmp_path / "data" / "raw"
    (raw / "police" / "2024-01").mkdir(parents=True)
    (raw / "police" / "2024-01" / "2024-01-f-street.csv").write_text("x")
    (raw / "asb.csv").write_text("x")
    (raw / "imd.csv").write_text("x")
    (raw / "lad_csp.csv").write_text("LAD23CD,LAD23NM,CSP23CD,CSP23NM,PFA23CD,PFA23NM\n"
                                     "E06900001,Kings,E22900001,Kingsmere,E23900001,Shire\n")
    sources = textwrap.dedent("""
        sources:
          police_uk: [data/raw/police]
          lsoa_ward_lookups: [data/raw/lad_csp.csv]
          lad_csp_lookup: data/raw/lad_csp.csv
          imd: data/raw/imd.csv
    """)
    force = "force: {code: E23900001, name: Shire Police, slug: shire}\n"
    (tmp_path / "config" / "areas" / "small.yaml").write_text(
        "name: small\ntitle: Small\ncsp_code: E22900001\ncsp_name: Kingsmere\n"
        f"lad_codes: [E06900001]\n{force}default_period: 2024-25\n" + sources
        + "  partner: {mapping: config/mappings/m.yaml, asb: data/raw/asb.csv}\n")
    (tmp_path / "config" / "forces" / "shire.yaml").write_text(
        f"{force}default_period: 2024-25\nstore: shire\n" + sources)
    (tmp_path / "notebooks").mkdir()
    for section, code in (("20_anti_social_behaviour", "from analysis.sections import asb"),
                          ("80_offending_reoffending", "from analysis.sections import reoffending"),
                          ("95_new_section", "import os")):
        (tmp_path / "notebooks" / f"{section}.ipynb").write_text(json.dumps(
            {"cells": [{"cell_type": "code", "source": code}]}))
    return tmp_path


def test_area_config_files_of_an_area_and_of_a_force_csp(small_project: Path) -> None:
    assert area_config_files("small", small_project) == [
        small_project / "config" / "areas" / "small.yaml"]
    assert area_config_files("shire-kingsmere", small_project) == [
        small_project / "config" / "forces" / "shire.yaml",
        small_project / "data" / "raw" / "lad_csp.csv"]
    with pytest.raises(ConfigError, match="no configuration for area 'nowhere'"):
        area_config_files("nowhere", small_project)


def _rule(fragment: str, target: str) -> list[str]:
    """The prerequisites of ``target`` (a rule, or a variable with ``:=``) in a fragment."""
    for line in fragment.replace(" \\\n  ", " ").splitlines():
        name, _, items = line.partition(" := " if " := " in line else ": ")
        if name == target.rstrip(":") and items:
            return items.split()
        if line == f"{target}:":
            return []
    raise AssertionError(f"no rule for {target}")


def test_fragment_gives_each_page_its_notebook_modules_inputs_and_tables(
        small_project: Path) -> None:
    fragment = make_fragment("small", small_project)
    asb_page = _rule(fragment, "$(OUT)/20_anti_social_behaviour.html")
    assert asb_page[0] == "notebooks/20_anti_social_behaviour.ipynb"
    assert {"config/areas/small.yaml", "data/raw/imd.csv", "data/processed/.stamps/small/"
            "police_uk", "data/processed/.stamps/small/partner_asb"} <= set(asb_page)
    assert any(p.endswith("analysis/sections/asb.py") for p in asb_page)
    assert not any(p.endswith("analysis/sections/reoffending.py") for p in asb_page)
    assert "data/raw/asb.csv" not in asb_page  # read through the store, not directly
    reoffending = _rule(fragment, "$(OUT)/80_offending_reoffending.html")
    stamps = [p for p in reoffending if ".stamps" in p]
    assert stamps == [f"data/processed/.stamps/small/{table}"
                      for table in ("police_uk", "partner_crimes", "partner_indicators")]
    unlisted = _rule(fragment, "$(OUT)/95_new_section.html")
    assert len([p for p in unlisted if ".stamps" in p]) == len(STORE_TABLES)
    ingest = " ".join(_rule(fragment, "INGEST_INPUTS"))
    for needed in ("config/areas/small.yaml", "data/raw/police", "data/raw/police/2024-01",
                   "data/raw/police/2024-01/2024-01-f-street.csv", "config/mappings/m.yaml",
                   "data/raw/asb.csv", "analysis/store/ingest.py", "reference/"):
        assert needed in ingest
    assert "data/raw/imd.csv" not in ingest  # the pages read it, the ingest does not
    lines = fragment.splitlines()
    assert "data/raw/police/2024-01/2024-01-f-street.csv:" in lines  # removable: no make error
    assert any(line.endswith("analysis/store/ingest.py:") for line in lines)
    assert not any(line.endswith("partner_asb:") for line in lines)  # stamps have their rule
    derived_from = _rule(fragment, "$(DEPS_FILE)")
    assert {"config/areas/small.yaml", "notebooks", "data/raw/police",
            "data/raw/police/2024-01"} <= set(derived_from)


def test_a_page_depends_on_its_commentary_and_the_priorities_page_on_the_plan(
        small_project: Path) -> None:
    narrative = small_project / "config" / "narrative" / "small"
    narrative.mkdir(parents=True)
    (narrative / "20_anti_social_behaviour.md").write_text("The analyst's view.\n")
    (small_project / "notebooks" / "90_priorities.ipynb").write_text(json.dumps(
        {"cells": [{"cell_type": "code", "source": "import os"}]}))
    fragment = make_fragment("small", small_project)
    asb_page = _rule(fragment, "$(OUT)/20_anti_social_behaviour.html")
    assert "config/narrative/small/20_anti_social_behaviour.md" in asb_page
    # no commentary yet: its folder, so writing one rebuilds the page (and the fragment)
    reoffending = _rule(fragment, "$(OUT)/80_offending_reoffending.html")
    assert "config/narrative/small" in reoffending
    assert "config/narrative/small" in _rule(fragment, "$(DEPS_FILE)")
    # the plan and the matrix override do not exist: the nearest folder that does (config/)
    plan_page = _rule(fragment, "$(OUT)/90_priorities.html")
    assert "config" in plan_page and "config" not in asb_page
    (small_project / "config" / "plan").mkdir()
    (small_project / "config" / "plan" / "small.yaml").write_text("priorities: {}\n")
    assert "config/plan/small.yaml" in _rule(make_fragment("small", small_project),
                                             "$(OUT)/90_priorities.html")


def test_fragment_of_a_force_csp_names_the_force_file(small_project: Path) -> None:
    fragment = make_fragment("shire-kingsmere", small_project)
    assert "config/forces/shire.yaml" in _rule(fragment, "$(OUT)/index.html")
    assert "data/processed/.stamps/shire/police_uk" in fragment  # the force's store


def test_table_stamps_are_rewritten_only_for_tables_whose_content_changed(
        small_project: Path) -> None:
    config = load_area("small", small_project)
    store = small_project / "data" / "processed" / "small"
    (store / "police_uk").mkdir(parents=True)
    (store / "police_uk" / "ingest.json").write_bytes(b"r")
    assert write_table_stamps(config, small_project) == list(STORE_TABLES)  # all new
    asb_stamp = table_stamp(small_project, "small", "partner_asb")
    os.utime(asb_stamp, (1, 1))
    assert write_table_stamps(config, small_project) == []
    (store / "partner").mkdir()
    pd.DataFrame({"incident": ["x"]}).to_parquet(store / "partner" / "asb.parquet")
    assert write_table_stamps(config, small_project) == ["partner_asb"]
    assert asb_stamp.stat().st_mtime > 1
    assert os.stat(table_stamp(small_project, "small", "police_uk")).st_mtime > 1


def test_a_section_not_declared_reads_every_table() -> None:
    assert section_tables("95_not_declared") == tuple(STORE_TABLES)
    assert section_tables("80_offending_reoffending") == ("police_uk", "partner_crimes",
                                                           "partner_indicators")


@pytest.mark.parametrize("notebook", sorted((ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb")),
                         ids=lambda p: p.stem)
def test_declared_tables_cover_what_each_notebook_reads(notebook: Path) -> None:
    """A section reading a partner extract or the police.uk store (in its notebook or in the
    section modules the notebook imports) must declare it, or its page would not rebuild when
    that table changes."""
    imported = imported_modules(notebook_source(notebook))
    sections = [ROOT / "src" / Path(*name.split(".")).with_suffix(".py") for name in imported
                if name.startswith("analysis.sections.")]
    source = "\n".join([notebook_source(notebook),
                        *(path.read_text(encoding="utf-8") for path in sections if path.is_file())])
    declared = set(section_tables(notebook.stem))
    assert notebook.stem in SECTION_TABLES
    read = {f"partner_{kind}" for kind in re.findall(r"partner\(\"(\w+)\"\)", source)}
    if re.search(r"query\.(force_months|monthly_counts|load_events)|police_uk_counts\(", source):
        read.add("police_uk")
    assert read <= declared


def test_csp_deps_writes_the_fragment_and_the_table_stamps(small_project: Path) -> None:
    csp = Path(sys.executable).parent / "csp"
    environment = {**os.environ, "CSP_PROJECT_ROOT": str(small_project)}

    def deps(*args: str) -> str:
        return subprocess.run([str(csp), "deps", "--area", "small", *args], check=True,
                              capture_output=True, text=True, env=environment,
                              timeout=120).stderr

    assert "data/processed/.deps/small.mk" in deps()
    assert "$(OUT)/20_anti_social_behaviour.html:" in (
        small_project / "data" / "processed" / ".deps" / "small.mk").read_text()
    assert "Table stamps written: police_uk, partner_crimes" in deps("--tables")
    assert "none changed" in deps("--tables")


def test_package_files_split_into_source_and_data_without_caches(tmp_path: Path) -> None:
    for name in ("__init__.py", "sub/store.py", "reference/table.csv", "templates/page.j2",
                 "__pycache__/store.cpython-311.pyc", "sub/__pycache__/x.pyc"):
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text("x")
    assert package_data_files(tmp_path) == [tmp_path / "reference" / "table.csv",
                                            tmp_path / "templates" / "page.j2"]
    assert package_source_tree(tmp_path) == sorted([
        tmp_path, tmp_path / "__init__.py", tmp_path / "reference", tmp_path / "sub",
        tmp_path / "sub" / "store.py", tmp_path / "templates"])
    assert package_folder() == ROOT / "src" / "analysis"


def test_fragment_path_is_one_file_per_area(tmp_path: Path) -> None:
    assert fragment_path("essex-basildon", tmp_path) == \
        tmp_path / "data" / "processed" / ".deps" / "essex-basildon.mk"
