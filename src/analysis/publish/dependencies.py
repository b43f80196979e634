"""What each build step reads, written as a make fragment so make rebuilds exactly what changed.

``make report`` includes ``data/processed/.deps/<area>.mk``, written by ``csp deps --area
<area>`` (:func:`write_fragment`). The fragment lists, for the area:

* the ingest's inputs: the area's (or its force's) config file, its police.uk files and month
  folders, lookups, boundaries, the partner mapping and extracts, the package modules the
  ingest imports and the package's reference tables;
* for each section page: its notebook, the package modules the notebook imports (directly or
  through other modules), the config, the inputs it reads itself (population, deprivation,
  lookups, boundaries) and the stamps of the store tables it reads (:data:`SECTION_TABLES`);
* what the fragment itself was derived from, so make rewrites it only when one of those changes
  (a no-op ``make report`` starts no Python).

Module dependencies are found from the source, not listed by hand: every ``import analysis...``
in a notebook's code cells (or in the ``csp`` command that runs a step: ``ingest``,
``build_section``, ``build_index``, ``demo``), then every ``analysis`` import in those modules'
files (including imports inside functions), resolved to files by Python's own import
machinery. Moving modules into subpackages needs no change here or in the Makefile.

The ingest rewrites a table's stamp (:func:`write_table_stamps`) only when that table's
content changed, so a new ASB-only or partner-only extract rebuilds only the pages reading it.
"""

from __future__ import annotations

import ast
import functools
import hashlib
import importlib.util
import json
import os
from collections.abc import Iterable
from importlib import metadata
from pathlib import Path

import duckdb

from analysis.core.config import FORCES_DIR, AreaConfig, area_config_path, project_root
from analysis.core.files import atomic_write, section_notebooks, store_dir
from analysis.core.plan import plan_path
from analysis.core.priority_matrix import override_path
from analysis.inputs.areas import load_area
from analysis.present.commentary import narrative_path
from analysis.publish.methods_page import METHODS_SOURCE
from analysis.store.manifest import MANIFEST_FILE

PACKAGE = "analysis"
STAMPS_DIR = Path("data") / "processed" / ".stamps"
FRAGMENTS_DIR = Path("data") / "processed" / ".deps"

STORE_TABLES: dict[str, tuple[str, ...]] = {
    "police_uk": ("police_uk",),
    "partner_crimes": ("partner/crimes.parquet", "partner/crimes_quarantine.parquet"),
    "partner_asb": ("partner/asb.parquet", "partner/asb_quarantine.parquet"),
    "partner_indicators": ("partner/indicators.parquet",
                           "partner/indicators_quarantine.parquet"),
    "partner_reconciliation": ("partner/reconciliation.parquet",),
    "recorded_crime": ("recorded_crime",),
}
"""The store's tables as the build graph sees them: each a set of files (or folders) under the
store folder. ``police_uk`` is the street table (crime and ASB), its quarantine, duplicates and
reconciliation: every page reading police.uk data reads the month coverage of the whole."""

SECTION_TABLES: dict[str, tuple[str, ...]] = {
    "00_data_and_methods": tuple(STORE_TABLES),
    "10_crime_overview": ("police_uk", "recorded_crime"),
    "20_anti_social_behaviour": ("police_uk", "partner_asb"),
    "30_places": ("police_uk", "partner_crimes", "partner_asb"),
    "40_vawg_domestic_abuse": ("police_uk", "partner_crimes"),
    "50_serious_violence": ("police_uk", "partner_crimes", "partner_indicators"),
    "60_hate_crime": ("police_uk", "partner_crimes"),
    "70_exploitation_drugs": ("police_uk", "partner_crimes", "partner_indicators"),
    "80_offending_reoffending": ("police_uk", "partner_crimes", "partner_indicators"),
    "85_public_perception": ("police_uk", "partner_indicators"),
    "90_priorities": ("police_uk", "partner_crimes", "partner_indicators"),
    "99_key_findings": (),
}
"""The store tables each section reads: the one place to declare them. A section not listed
reads every table (so a new notebook is never left stale). The key findings page reads the
other pages' key figures, and is built after them (see the Makefile)."""

PLAN_SECTION = "90_priorities"
"""The page that reads the area's plan on a page and priority-matrix override."""

INVENTORY_SECTIONS = ("00_data_and_methods",)
"""Sections that read every configured input file themselves (the data and methods page lists
and hashes each one), so a changed police.uk file or partner extract rebuilds them directly."""

COMMAND = "csp"
"""The console script the Makefile runs; its module's command functions are the roots of the
module graph, so the graph follows the code wherever the modules move."""
INGEST_COMMAND = "ingest"
PAGE_COMMAND = "build_section"
INDEX_COMMAND = "build_index"
DEMO_COMMAND = "demo"


def area_config_files(area: str, root: Path) -> list[Path]:
    """The files that define ``area``: ``config/areas/<area>.yaml``, or for a CSP of a force
    (``essex-basildon``) the force's file and the ONS lookup its CSPs are derived from."""
    path = area_config_path(area, root)
    if path.is_file():
        return [path]
    config = load_area(area, root)  # raises the usual error for an unknown area
    force_file = next(p for p in sorted((root / FORCES_DIR).glob("*.yaml"))
                      if area.startswith(f"{p.stem}-"))  # the one load_area derived it from
    return [force_file, config.resolve(config.sources.lad_csp_lookup, root)]


def input_tree(path: Path) -> list[Path]:
    """``path`` as make prerequisites: a file itself; a folder, every file and folder in it
    (a folder's time changes when a file is added or removed, e.g. a new police.uk month); a
    path that does not exist yet, its nearest existing parent folder, so creating it counts."""
    if path.is_file():
        return [path]
    if path.is_dir():
        return [path, *sorted(p for p in path.rglob("*") if not p.name.startswith("."))]
    for parent in path.parents:
        if parent.is_dir():
            return [parent]
    return []


def ingest_inputs(config: AreaConfig, root: Path) -> list[Path]:
    """The configured files (and folders) the ingest reads: police.uk files, the lookups and
    boundaries that place rows, and the partner mapping and extracts."""
    sources = config.sources
    named = [*sources.police_uk, *sources.lsoa_ward_lookups, sources.lad_csp_lookup,
             *sources.lsoa_boundaries, *sources.ward_boundaries, *sources.recorded_crime]
    if sources.partner is not None:
        partner = sources.partner
        named += [p for p in (partner.mapping, partner.crimes, partner.asb, partner.indicators)
                  if p is not None]
    return _trees(config.resolve(p, root) for p in named)


def page_inputs(config: AreaConfig, root: Path) -> list[Path]:
    """The configured files every page may read itself (not through the store): lookups,
    boundaries, population estimates, deprivation and the value tables."""
    sources = config.sources
    named = [*sources.lsoa_ward_lookups, sources.lad_csp_lookup, *sources.lsoa_boundaries,
             *sources.ward_boundaries, *(r.path for r in sources.population_releases())]
    named += [p for p in (sources.census_lsoa_population, sources.imd, sources.severity_weights,
                          sources.unit_costs, sources.most_similar_groups) if p is not None]
    return _trees(config.resolve(p, root) for p in named)


def page_config_files(area: str, section: str, root: Path) -> list[Path]:
    """The area's files a page reads besides its config: the analyst's commentary
    (``config/narrative/<area>/<section>.md``) and, for the priorities page, the plan on a
    page (``config/plan/<area>.yaml``) and the matrix override (``config/priorities/``). A
    file not written yet is its nearest existing folder (:func:`input_tree`), so creating
    it rebuilds the page."""
    files = [narrative_path(area, section, root)]
    if section == PLAN_SECTION:
        files += [plan_path(area, root), override_path(area, root)]
    return _trees(files)


def _trees(paths: Iterable[Path]) -> list[Path]:
    """:func:`input_tree` of each path, each prerequisite once, in order."""
    return list(dict.fromkeys(item for path in paths for item in input_tree(path)))


def imported_modules(source: str, package: str = PACKAGE) -> set[str]:
    """The modules of ``package`` that Python source imports anywhere (inside functions too).

    ``from analysis import store`` gives ``analysis.store`` (which may be a module or a name
    defined in the package: :func:`module_files` keeps only what exists as a module).
    """
    names: set[str] = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names
                         if alias.name.split(".")[0] == package)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module and \
                node.module.split(".")[0] == package:
            names.add(node.module)
            names.update(f"{node.module}.{alias.name}" for alias in node.names)
    return names


def command_modules(cli_source: str, command: str, package: str = PACKAGE) -> set[str]:
    """The package modules a ``csp`` command runs: those the CLI module imports at its top and
    those the command's function (``command``, e.g. ``build_section``) imports in its body.

    The commands import what they run inside their functions (so ``csp --help`` is quick),
    which tells each command's modules apart; other commands' imports are left out.
    """
    tree = ast.parse(cli_source)
    top = [node for node in tree.body if isinstance(node, ast.Import | ast.ImportFrom)]
    function = next((node for node in tree.body if isinstance(node, ast.FunctionDef)
                     and node.name == command), None)
    if function is None:
        raise ValueError(f"the csp command module has no function '{command}'")
    return imported_modules(ast.unparse(ast.Module(body=[*top, function], type_ignores=[])),
                           package)


def cli_source() -> str:
    """The source of the module the ``csp`` console script runs (``analysis.cli`` today)."""
    scripts = metadata.entry_points(group="console_scripts", name=COMMAND)
    module = next(iter(scripts)).module
    path = _module_path(module)
    if path is None:
        raise ValueError(f"the {COMMAND} command's module {module} has no source file")
    return path.read_text(encoding="utf-8")


def notebook_source(notebook: Path) -> str:
    """The code cells of a notebook as one Python source (IPython magics left out)."""
    cells = json.loads(notebook.read_text(encoding="utf-8")).get("cells", [])
    lines = [line for cell in cells if cell.get("cell_type") == "code"
             for line in "".join(cell.get("source", [])).splitlines()
             if not line.lstrip().startswith(("%", "!"))]
    return "\n".join(lines)


def module_files(roots: Iterable[str]) -> list[Path]:
    """The files of the ``roots`` modules and of every package module they import, directly
    or through each other, with the ``__init__`` of each package on the way; sorted.

    Names that are not modules (a function imported from a package) are skipped.
    """
    found: dict[str, Path] = {}
    pending = list(roots)
    while pending:
        name = pending.pop()
        if name in found:
            continue
        path = _module_path(name)
        if path is None:
            continue
        found[name] = path
        parent = name.rpartition(".")[0]
        pending += [parent] if parent else []
        pending += sorted(_file_imports(path))
    return sorted(set(found.values()))


def _file_imports(path: Path) -> frozenset[str]:
    """:func:`imported_modules` of a source file, parsed once per version of the file: a
    build graph asks for the same modules' imports once per notebook and command (about 700
    parses of some 110 files, 5-7 s, before this)."""
    status = path.stat()
    return _imports_of_version(path, status.st_mtime_ns, status.st_size)


@functools.lru_cache(maxsize=1024)
def _imports_of_version(path: Path, modified_ns: int, size: int) -> frozenset[str]:
    """The package imports of ``path`` as it was at ``modified_ns`` with ``size`` bytes (the
    two only key the cache: an edited file is parsed again)."""
    return frozenset(imported_modules(path.read_text(encoding="utf-8")))


def _module_path(name: str) -> Path | None:
    """The source file of module ``name``, or None if it is not a module (or not found)."""
    parent = name.rpartition(".")[0]
    try:
        if parent and getattr(importlib.util.find_spec(parent), "submodule_search_locations",
                              None) is None:
            return None  # the parent is a plain module: ``name`` is something defined in it
        spec = importlib.util.find_spec(name)
    except (ImportError, ValueError):
        return None
    if spec is None or spec.origin is None or not spec.origin.endswith(".py"):
        return None
    return Path(spec.origin)


def package_folder() -> Path:
    """The folder of the ``analysis`` package, wherever it is installed from."""
    spec = importlib.util.find_spec(PACKAGE)
    assert spec is not None and spec.submodule_search_locations is not None
    return Path(next(iter(spec.submodule_search_locations)))


def package_data_files(folder: Path) -> list[Path]:
    """The package's files other than Python source: reference tables and page templates,
    read by modules at run time."""
    return sorted(p for p in folder.rglob("*") if p.is_file()
                  and p.suffix not in (".py", ".pyc") and "__pycache__" not in p.parts)


def package_source_tree(folder: Path) -> list[Path]:
    """The package's Python files and folders: what the import graph is read from."""
    return sorted(p for p in [folder, *folder.rglob("*")]
                  if "__pycache__" not in p.parts and (p.is_dir() or p.suffix == ".py"))


def table_stamp(root: Path, store_name: str, table: str) -> Path:
    """The stamp of one store table: rewritten only when the table's content changes."""
    return root / STAMPS_DIR / store_name / table


def table_fingerprint(folder: Path, entries: Iterable[str]) -> str:
    """A SHA-256 of a table's content under the store ``folder``; a table with no files has
    the fingerprint of nothing, so it is written too.

    Parquet files count by their rows, not their bytes: DuckDB writes the same rows in another
    order, or split into other files, from one ingest to the next. So each folder's parquet
    files give their column types, row count and an order-free sum of row hashes
    (:func:`_parquet_content`); any other file (``ingest.json``) gives its name and bytes,
    except the store's list of input files (:data:`analysis.store.manifest.MANIFEST_FILE`), which
    records file times, not content.
    """
    digest = hashlib.sha256()
    for entry in entries:
        path = folder / entry
        files = sorted(p for p in path.rglob("*") if p.is_file() and p.name != MANIFEST_FILE) \
            if path.is_dir() else [path] if path.is_file() else []
        for file in (f for f in files if f.suffix != ".parquet"):
            digest.update(file.relative_to(folder).as_posix().encode("utf-8") + b"\0")
            digest.update(file.read_bytes() + b"\0")
        for line in _parquet_content(folder, [f for f in files if f.suffix == ".parquet"]):
            digest.update(line.encode("utf-8") + b"\0")
    return digest.hexdigest()


def _parquet_content(folder: Path, files: list[Path]) -> list[str]:
    """One line per folder (relative to ``folder``) and column types among ``files``: the
    rows' count and the sum of their DuckDB row hashes, whatever their order or file split."""
    totals: dict[tuple[str, str], tuple[int, int]] = {}
    with duckdb.connect() as con:
        for file in files:
            summary = con.execute(
                "SELECT count(*), coalesce(sum(hash(t)), 0), coalesce(any_value(typeof(t)), "
                "'') FROM read_parquet(?) AS t", [str(file)]).fetchone()
            assert summary is not None  # an aggregate query always returns one row
            rows, hashes, types = summary
            key = (file.parent.relative_to(folder).as_posix(), types)
            count, total = totals.get(key, (0, 0))
            totals[key] = (count + rows, total + int(hashes))
    return [f"{where}|{types}|{count}|{total}"
            for (where, types), (count, total) in sorted(totals.items())]


def write_table_stamps(config: AreaConfig, root: Path) -> list[str]:
    """Write the stamp of each store table whose content differs from its stamp (or has
    none); returns those tables. An unchanged table keeps its stamp's time, so make rebuilds
    no page that reads only unchanged tables."""
    folder = store_dir(config, root)
    changed = []
    for table, entries in STORE_TABLES.items():
        stamp = table_stamp(root, config.store_name, table)
        fingerprint = table_fingerprint(folder, entries) + "\n"
        if not stamp.is_file() or stamp.read_text(encoding="utf-8") != fingerprint:
            atomic_write(stamp, fingerprint)
            changed.append(table)
    return changed


def section_tables(section: str) -> tuple[str, ...]:
    """The store tables a section reads (:data:`SECTION_TABLES`; every table if unlisted)."""
    return SECTION_TABLES.get(section, tuple(STORE_TABLES))


def make_path(path: Path, root: Path) -> str:
    """A path as a make prerequisite: relative to the project when inside it, with the
    characters make treats specially (space, ``#``, ``$``, ``:``) escaped."""
    absolute = Path(os.path.abspath(path))
    try:
        text = absolute.relative_to(root.resolve()).as_posix()
    except ValueError:
        text = absolute.as_posix()
    return text.replace("$", "$$").replace(" ", "\\ ").replace("#", "\\#").replace(":", "\\:")


def _line(target: str, prerequisites: Iterable[Path], root: Path) -> str:
    """One make rule without recipe: ``target: prereq ...``, one prerequisite a line."""
    items = list(dict.fromkeys(make_path(p, root) for p in prerequisites))
    return " \\\n  ".join([f"{target}:", *items]) + "\n"


def _variable(name: str, values: Iterable[Path], root: Path) -> str:
    """One make variable holding paths, one a line."""
    items = list(dict.fromkeys(make_path(p, root) for p in values))
    return " \\\n  ".join([f"{name} :=", *items]) + "\n"


def make_fragment(area: str, root: Path | None = None) -> str:
    """The make fragment of ``area``: ingest inputs, table stamps, each page's and the index's
    prerequisites, the demo generator's modules, and what the fragment was derived from.

    Page targets are written ``$(OUT)/<section>.html``, so one fragment serves every period.
    """
    root = (root or project_root()).resolve()
    config = load_area(area, root)
    configs = area_config_files(area, root)
    package = package_folder()
    data_files = package_data_files(package)
    cli = cli_source()

    def runs(command: str) -> list[Path]:
        """The module files a ``csp`` command runs."""
        return module_files(command_modules(cli, command))

    all_inputs = _trees([*ingest_inputs(config, root), *page_inputs(config, root)])
    stamps = {table: table_stamp(root, config.store_name, table) for table in STORE_TABLES}
    ingest = [*configs, *ingest_inputs(config, root), *runs(INGEST_COMMAND), *data_files]
    demo = runs(DEMO_COMMAND)
    page_base = [*configs, *page_inputs(config, root), *runs(PAGE_COMMAND), *data_files]
    index = [*configs, *runs(INDEX_COMMAND), *data_files, METHODS_SOURCE]
    notebooks = section_notebooks(root)
    pages = {}
    for notebook in notebooks:
        section = notebook.stem
        own = module_files(sorted(imported_modules(notebook_source(notebook))))
        raw = all_inputs if section in INVENTORY_SECTIONS else []
        pages[section] = [notebook, *own, *page_base, *raw,
                          *page_config_files(area, section, root)]
    derived_from = [*configs, *package_source_tree(package), root / "notebooks", *notebooks,
                    *(p for p in all_inputs if p.is_dir()),
                    *(p for inputs in pages.values() for p in inputs if p.is_dir())]
    parts = [f"# Written by `csp deps --area {area}` (analysis.publish.dependencies): "
             "what the ingest and each page read.\n# Do not edit: make rewrites it when a file "
             "it was derived from changes.\n",
             _variable("INGEST_INPUTS", ingest, root),
             _variable("TABLE_STAMPS", stamps.values(), root),
             _variable("DEMO_GENERATOR", demo, root),
             *(_line(f"$(OUT)/{section}.html",
                     [*inputs, *(stamps[t] for t in section_tables(section))], root)
               for section, inputs in pages.items()),
             _line("$(OUT)/index.html", index, root),
             _line("$(DEPS_FILE)", derived_from, root),
             _standalone_targets([*ingest, *demo, *index, *derived_from,
                                  *(p for inputs in pages.values() for p in inputs)], root)]
    return "\n".join(parts)


def _standalone_targets(paths: Iterable[Path], root: Path) -> str:
    """An empty rule for each input (``path:``), as ``gcc -MP`` writes: a file since removed
    or moved (a month withdrawn, a module moved to a subpackage) then counts as changed and
    rebuilds what read it, this fragment first, instead of stopping make with "No rule to
    make target"."""
    items = sorted({make_path(p, root) for p in paths})
    return ("# Every input as a target of its own, so a removed one rebuilds what read it.\n"
            + "".join(f"{item}:\n" for item in items))


def fragment_path(area: str, root: Path | None = None) -> Path:
    """``data/processed/.deps/<area>.mk``: where the Makefile looks for the area's fragment."""
    return (root or project_root()) / FRAGMENTS_DIR / f"{area}.mk"


def write_fragment(area: str, root: Path | None = None, out: Path | None = None) -> Path:
    """Write :func:`make_fragment` to ``out`` (default :func:`fragment_path`); returns it."""
    root = root or project_root()
    target = out or fragment_path(area, root)
    atomic_write(target, make_fragment(area, root))
    return target
