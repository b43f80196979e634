"""Area configuration and project paths.

Each partnership is one YAML file in ``config/areas/``: its codes, its force, its peers, where its
source files live and which disclosure rule applies. Everything downstream takes an
:class:`AreaConfig`, so pointing the toolkit at another CSP means writing one small file.
"""

from __future__ import annotations

import datetime
import os
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Literal, TypeVar

import yaml
from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    ValidationError,
    field_validator,
    model_validator,
)

from analysis.core.errors import ConfigError, InputError
from analysis.core.periods import Period

ROOT_MARKER = Path("config") / "areas"
FORCES_DIR = Path("config") / "forces"
DEFAULT_DATA_DIR = Path("../shared/data/real")
"""Where ``csp init`` looks for the downloads by default: the public data the Thurrock and
Essex configs read, beside the project."""
ModelT = TypeVar("ModelT", bound=BaseModel)

NAME_PATTERN = r"^[a-z0-9][a-z0-9_-]*$"
"""What an area or force name may be: it becomes a file name and a folder under reports/."""

MAX_YAML_ALIASES = 50
"""A configuration file may use at most this many YAML aliases (``*name``)."""
MAX_YAML_VALUES = 100_000
"""...and stand for at most this many values once every alias is expanded.

Configs and mappings are a few hundred values; a "billion laughs" document of nested aliases
is a few lines that expand to billions, and would exhaust memory when validated or quoted."""


class YamlTooLargeError(yaml.YAMLError):
    """A YAML document with more aliases, or more values once expanded, than the limits."""

    def __init__(self, message: str, line: int | None) -> None:
        super().__init__(message)
        self.message = message
        self.line = line


class BoundedSafeLoader(yaml.SafeLoader):
    """PyYAML's safe loader, refusing documents beyond :data:`MAX_YAML_ALIASES` aliases or
    :data:`MAX_YAML_VALUES` values when expanded (checked on the node graph, before any
    Python object is built, so a bomb costs no more memory than its own text)."""

    def __init__(self, stream: str) -> None:
        super().__init__(stream)
        self.aliases_seen = 0

    def compose_node(self, parent: yaml.Node | None, index: int) -> yaml.Node | None:
        if self.check_event(yaml.AliasEvent):
            self.aliases_seen += 1
            if self.aliases_seen > MAX_YAML_ALIASES:
                mark = self.peek_event().start_mark
                raise YamlTooLargeError(f"the file uses more than {MAX_YAML_ALIASES} YAML "
                                        "aliases (*name)", mark.line + 1)
        return super().compose_node(parent, index)

    def compose_document(self) -> yaml.Node | None:
        document = super().compose_document()
        if document is not None and _expanded_size(document, {}, set()) > MAX_YAML_VALUES:
            raise YamlTooLargeError(f"the file stands for more than {MAX_YAML_VALUES:,} values "
                                    "once its YAML aliases are expanded", None)
        return document


def _expanded_size(node: yaml.Node, sizes: dict[int, int], open_nodes: set[int]) -> int:
    """How many values ``node`` stands for with every alias expanded, capped just above
    :data:`MAX_YAML_VALUES`. Each node is counted once (``sizes``), so this is quick however
    large the expansion; a node that contains itself counts as over the limit."""
    key = id(node)
    if key in sizes:
        return sizes[key]
    if key in open_nodes:
        return MAX_YAML_VALUES + 1
    open_nodes.add(key)
    if isinstance(node, yaml.MappingNode):
        children = [item for pair in node.value for item in pair]
    elif isinstance(node, yaml.SequenceNode):
        children = node.value
    else:
        children = []
    total = 1
    for child in children:
        total = min(total + _expanded_size(child, sizes, open_nodes), MAX_YAML_VALUES + 1)
    open_nodes.discard(key)
    sizes[key] = total
    return total


YamlLines = dict[tuple[str | int, ...], int]
"""Where each value of a YAML document is: its key path (``("sources", "populations", 0,
"year")``) to the line (1-based, as an editor shows it) of its key, or of the item in a list."""


def read_yaml(path: Path, text: str | None = None) -> object:
    """A YAML configuration file (or ``text`` read from it) as Python values, safely.

    Refuses anything but plain data (``safe_load``), and documents beyond the alias and size
    limits; errors are :class:`ConfigError` naming the file and line.
    """
    return read_yaml_with_lines(path, text)[0]


def read_yaml_with_lines(path: Path, text: str | None = None) -> tuple[object, YamlLines]:
    """:func:`read_yaml`, and the line of every key (:data:`YamlLines`), so a value that
    fails validation can be reported at its line."""
    try:
        source = path.read_text(encoding="utf-8") if text is None else text
    except OSError as exc:
        raise ConfigError("cannot read the file", file=path, found=exc.strerror,
                          hint="check the file exists and you may read it") from None
    except UnicodeDecodeError:
        raise ConfigError("the file is not UTF-8 text", file=path,
                          hint="save it as UTF-8 in your editor") from None
    loader = BoundedSafeLoader(source)  # a safe loader, bounded
    try:
        node = loader.get_single_node()
        if node is None:
            return None, {}
        return loader.construct_document(node), _key_lines(node, (), {})
    except YamlTooLargeError as exc:
        raise ConfigError(exc.message, file=path, line=exc.line,
                          expected=f"at most {MAX_YAML_ALIASES} aliases and "
                                   f"{MAX_YAML_VALUES:,} values",
                          hint="write the values out instead of repeating them with aliases"
                          ) from None
    except RecursionError:
        raise ConfigError("the file nests values too deeply to read", file=path,
                          hint="a configuration needs a few levels of nesting, not hundreds"
                          ) from None
    except yaml.YAMLError as exc:
        line = getattr(getattr(exc, "problem_mark", None), "line", None)
        raise ConfigError(
            "the file is not valid YAML", file=path, line=None if line is None else line + 1
        ) from exc
    finally:
        loader.dispose()


def _key_lines(node: yaml.Node, at: tuple[str | int, ...], lines: YamlLines) -> YamlLines:
    """Record in ``lines`` the line of each key and list item under ``node`` (found at key
    path ``at``). Aliased nodes are walked where they are used, which the size limit of
    :class:`BoundedSafeLoader` keeps small."""
    if isinstance(node, yaml.MappingNode):
        for key, value in node.value:
            if isinstance(key, yaml.ScalarNode):
                path = (*at, str(key.value))
                lines.setdefault(path, key.start_mark.line + 1)
                _key_lines(value, path, lines)
    elif isinstance(node, yaml.SequenceNode):
        for index, item in enumerate(node.value):
            lines.setdefault((*at, index), item.start_mark.line + 1)
            _key_lines(item, (*at, index), lines)
    return lines


def line_of(lines: YamlLines, location: tuple[str | int, ...]) -> int | None:
    """The line of the value at ``location``, or of its nearest enclosing key when the value
    itself is not in the file (a required key that is missing is reported at its parent)."""
    for end in range(len(location), 0, -1):
        if location[:end] in lines:
            return lines[location[:end]]
    return None


def check_name(name: str, what: str, folder: Path) -> str:
    """``name`` if it is a plain area or force name; otherwise a :class:`ConfigError`.

    Names become file names in ``folder`` and folders under ``reports/``, so a path
    (``../x.yaml``, ``/tmp/x``) is refused: it could read a config from, or write a
    report to, anywhere on the disk.
    """
    if not re.fullmatch(NAME_PATTERN, name):
        raise ConfigError(
            f"'{name}' is not {what} name", file=folder, found=name,
            expected="lower-case letters, digits, '-' and '_', e.g. 'thurrock' (the file "
                     f"name in {folder.as_posix()}/ without .yaml)",
            hint="pass the name, not a path: put the file in that folder",
        )
    return name


def project_root(start: Path | None = None) -> Path:
    """The project folder: ``$CSP_PROJECT_ROOT`` or the nearest parent holding ``config/areas``.

    Notebooks opened in JupyterLab run with ``notebooks/`` as the working folder and papermill
    runs them from the root, so paths are always resolved from here, never from the cwd.
    """
    if env_root := os.environ.get("CSP_PROJECT_ROOT"):
        return Path(env_root).resolve()
    here = (start or Path.cwd()).resolve()
    for folder in (here, *here.parents):
        if (folder / ROOT_MARKER).is_dir():
            return folder
    raise ConfigError(
        "cannot find the project folder",
        found=str(here),
        expected="a folder (or parent) containing config/areas/",
        hint="run from inside the project, or set CSP_PROJECT_ROOT",
    )


class _Strict(BaseModel):
    """Config models reject unknown keys, so a misspelt setting is an error, not ignored."""

    model_config = ConfigDict(extra="forbid", frozen=True)


class ForceConfig(_Strict):
    """The police force area the CSP sits in, as named in data.police.uk and ONS lookups."""

    code: str = Field(pattern=r"^[EW]23\d{6}$", description="ONS police force area code")
    name: str = Field(description="force name as in the 'Falls within' column")
    slug: str = Field(pattern=r"^[a-z0-9-]+$", description="file-name form, e.g. 'essex'")


class PartnerSources(_Strict):
    """Extracts from the force and partners, read through a YAML column mapping."""

    mapping: Path = Field(description="config/mappings/<name>.yaml: their columns to ours")
    crimes: Path | None = None
    asb: Path | None = None
    indicators: Path | None = None


class PopulationEstimate(_Strict):
    """One release (vintage) of ONS mid-year estimates by local authority."""

    path: Path = Field(description="area_code,population CSV")
    year: int = Field(ge=1900, le=2100, description="the mid-year (30 June) estimated")
    label: str | None = Field(default=None, description="as printed; default 'ONS mid-YYYY'")


class SourcesConfig(_Strict):
    """Where the area's inputs live (paths relative to the project root, or absolute)."""

    police_uk: list[Path] = Field(description="street CSVs, month folders or archive zips")
    lsoa_ward_lookups: list[Path] = Field(description="ONS LSOA to ward to LAD lookups")
    lad_csp_lookup: Path = Field(description="ONS LAD to CSP to police force area lookup")
    lsoa_boundaries: list[Path] = Field(default_factory=list)
    ward_boundaries: list[Path] = Field(default_factory=list)
    population: Path | None = Field(
        default=None, description="mid-year estimates by LA (one release; or use populations)"
    )
    population_vintage: str | None = None
    populations: list[PopulationEstimate] = Field(
        default_factory=list,
        description="several releases; the one nearest the assessment period is used",
    )
    census_lsoa_population: Path | None = Field(
        default=None, description="Census 2021 usual residents by LSOA (.rda)"
    )
    imd: Path | None = Field(default=None, description="IMD 2019 ranks/deciles by LSOA 2011")
    partner: PartnerSources | None = Field(
        default=None, description="partner extracts (crimes, ASB, indicators) and their mapping"
    )
    severity_weights: Path | None = Field(
        default=None, description="a fuller crime severity weight table (docs/methods.md layout)"
    )
    unit_costs: Path | None = Field(
        default=None, description="a fuller unit cost table (docs/methods.md layout)"
    )
    recorded_crime: list[Path] = Field(
        default_factory=list,
        description="Home Office police recorded crime open data tables at CSP level (CSV), "
                    "oldest vintage first",
    )
    most_similar_groups: Path | None = Field(
        default=None, description="most similar group membership: group,csp_code,csp_name CSV"
    )

    @model_validator(mode="after")
    def _one_population_form(self) -> SourcesConfig:
        if self.populations and (self.population or self.population_vintage):
            raise ValueError("give either population (one file) or populations (several "
                             "releases), not both")
        if self.population_vintage and not self.population:
            raise ValueError("population_vintage labels the file in population, which is "
                             "not set")
        years = [estimate.year for estimate in self.populations]
        if len(years) != len(set(years)):
            raise ValueError(f"populations lists a year more than once: {sorted(years)}")
        return self

    def population_releases(self) -> list[PopulationRelease]:
        """The configured population releases (one for the single-file form, or none)."""
        if self.population is not None:
            return [PopulationRelease(
                path=self.population, year=mid_year_of(self.population, self.population_vintage),
                label=mid_year_vintage(self.population, self.population_vintage))]
        return [PopulationRelease(path=e.path, year=e.year, label=e.label or f"ONS mid-{e.year}")
                for e in self.populations]


class TrendBreak(_Strict):
    """A known change in how data are recorded or published (e.g. a new incident system).

    From ``month`` on, control charts start a new phase with its own mean and limits
    (:func:`analysis.stats.trends.xmr`), so the change is not read as a signal.
    """

    month: datetime.date = Field(description="first month under the new practice, '2022-04'")
    reason: str = Field(min_length=1, description="what changed, printed on the page")
    applies_to: Literal["all", "crime", "asb"] = Field(
        default="all", description="the series it affects: police crime, ASB or both")

    @field_validator("month", mode="before")
    @classmethod
    def _first_of_month(cls, value: object) -> datetime.date:
        text = str(value).strip()
        if not re.fullmatch(r"\d{4}-\d{2}(-01)?", text):
            raise ValueError(f"'{text}' is not a month such as 2022-04")
        return datetime.date(int(text[:4]), int(text[5:7]), 1)


def breaks_for(breaks: list[TrendBreak], series: Literal["crime", "asb"]
                 ) -> list[TrendBreak]:
    """The configured breaks that affect ``series``, oldest first."""
    return sorted((b for b in breaks if b.applies_to in ("all", series)), key=lambda b: b.month)


def period_text(value: object) -> str:
    """A configured period as text, checked: what ``default_period`` holds.

    YAML reads an unquoted ``2022`` as a number, so a four-digit whole number is taken as that
    calendar year ("2022"). Anything else YAML turns into a non-text value is refused with
    the fix, rather than guessed: ``2024-04-01`` (read as a date), ``2024.5`` or ``yes``.
    The text must be a period :meth:`analysis.core.periods.Period.parse` understands.
    """
    if isinstance(value, bool) or not isinstance(value, int | str):
        kind = "a date" if isinstance(value, datetime.date) else f"a {type(value).__name__}"
        raise ValueError(f"YAML read {value} as {kind}, not a period: write the period in "
                         "quotes, e.g. '2024-25' (financial year), '2024' (calendar year) or "
                         "'2024-04..2024-09' (a range of months)")
    text = str(value).strip()
    if isinstance(value, int) and not re.fullmatch(r"\d{4}", text):
        raise ValueError(f"{value} is not a year: write the period in quotes, e.g. '2024-25'")
    try:
        Period.parse(text)
    except ConfigError as exc:
        raise ValueError(f"'{text}' is not a period ({exc.message.lower()}); expected "
                         f"{exc.expected}") from None
    return text


PeriodText = Annotated[str, BeforeValidator(period_text)]
"""A period in configuration text: unquoted years accepted, anything else checked."""


BUILD_PARAMETERS = ("area", "period", "output_dir")
"""The parameters every section notebook receives from the build itself."""


class AreaConfig(_Strict):
    """One Community Safety Partnership: identity, comparators, sources and reporting rules."""

    name: str = Field(pattern=NAME_PATTERN, description="short name used in paths")
    title: str = Field(description="name printed on the report")
    csp_code: str = Field(pattern=r"^[EW]22\d{6}$")
    csp_name: str
    lad_codes: list[str] = Field(min_length=1)
    force: ForceConfig
    peers: list[str] = Field(default_factory=list, description="most-similar-group CSP codes")
    default_period: PeriodText = Field(description="e.g. '2024-25' (financial year)")
    store: str | None = Field(
        default=None, description="store name under data/processed/ (shared by a force's CSPs)"
    )
    disclosure: Literal["ons", "nhs", "none"] = "ons"
    comparison: Literal["year_earlier", "preceding"] = Field(
        default="year_earlier",
        description="the period compared with: the same months a year earlier (default) or "
                    "the months just before; the same for 12-month periods",
    )
    is_demo: bool = Field(default=False, description="the fictional demo: only a demo area may "
                          "read data/raw/demo or other files `csp demo` wrote")
    sources: SourcesConfig
    trend_breaks: list[TrendBreak] = Field(
        default_factory=list,
        description="known recording or publication changes: control charts start a new "
                    "phase at each (see docs/methods.md, 'Trends')",
    )
    section_parameters: dict[str, dict[str, str | int | float | bool]] = Field(
        default_factory=dict,
        description="extra notebook parameters by section, e.g. "
                    "{'30_places': {'offence_group': 'Burglary'}}; checked against what each "
                    "notebook declares when it is built",
    )

    @field_validator("section_parameters")
    @classmethod
    def _section_parameters_leave_the_build_ones(
        cls, sections: dict[str, dict[str, str | int | float | bool]]
    ) -> dict[str, dict[str, str | int | float | bool]]:
        for section, parameters in sections.items():
            clash = sorted(set(parameters) & set(BUILD_PARAMETERS))
            if clash:
                raise ValueError(f"{section} sets '{clash[0]}', which the build always sets "
                                 f"(from the command line or the report folder)")
        return sections

    @field_validator("lad_codes")
    @classmethod
    def _lad_codes_look_right(cls, codes: list[str]) -> list[str]:
        for code in codes:
            if not (len(code) == 9 and code[0] in "EW" and code[1:].isdigit()):
                raise ValueError(f"'{code}' is not a 9-character ONS local authority code")
        return codes

    @property
    def store_name(self) -> str:
        """Folder under ``data/processed/`` holding this area's canonical store."""
        return self.store or self.name

    def resolve(self, path: Path, root: Path | None = None) -> Path:
        """An input path as an absolute path (relative paths are from the project root)."""
        return path if path.is_absolute() else (root or project_root()) / path


def area_config_path(area: str, root: Path | None = None) -> Path:
    """``config/areas/<area>.yaml``; an area that is not a plain name is a ConfigError."""
    check_name(area, "an area", ROOT_MARKER)
    return (root or project_root()) / ROOT_MARKER / f"{area}.yaml"


def _read_model(path: Path, model: type[ModelT]) -> ModelT:
    """Read a YAML file into a config model; errors name the file, the line and the key."""
    raw, lines = read_yaml_with_lines(path)
    try:
        return model.model_validate(raw)
    except ValidationError as exc:
        first = exc.errors()[0]
        location = tuple(part for part in first["loc"] if isinstance(part, str | int))
        key = ".".join(str(part) for part in location)
        raise ConfigError(
            first["msg"].removeprefix("Value error, "),  # pydantic's prefix says nothing
            file=path,
            line=line_of(lines, location),
            column=key,
            found=first.get("input"),
            hint=f"check '{key}' ({len(exc.errors())} problem(s) in total)",
        ) from exc


class ForceTemplate(_Strict):
    """One file per force: everything its CSPs' configs share, so a CSP needs only its codes."""

    force: ForceConfig
    default_period: PeriodText
    store: str = Field(description="the one store every CSP of the force reads")
    disclosure: Literal["ons", "nhs", "none"] = "ons"
    comparison: Literal["year_earlier", "preceding"] = "year_earlier"
    is_demo: bool = Field(default=False, description="the fictional demo force: only a demo "
                          "may read the files `csp demo` writes")
    sources: SourcesConfig
    trend_breaks: list[TrendBreak] = Field(default_factory=list)


def load_force(force: str, root: Path | None = None) -> ForceTemplate:
    """``config/forces/<force>.yaml``, validated."""
    check_name(force, "a force", FORCES_DIR)
    path = (root or project_root()) / FORCES_DIR / f"{force}.yaml"
    if not path.is_file():
        known = sorted(p.stem for p in path.parent.glob("*.yaml")) if path.parent.is_dir() else []
        raise ConfigError(f"no configuration for force '{force}'", file=path,
                          expected=f"one of: {', '.join(known) or '(none found)'}",
                          hint="copy config/forces/essex.yaml and set the force and sources")
    return _read_model(path, ForceTemplate)


def slug(text: str) -> str:
    """A name as used in file paths: 'Southend-on-Sea' becomes 'southend-on-sea'."""
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")


_MID_YEAR_FOLDER = re.compile(r"mid-?(\d{4})", re.IGNORECASE)


def mid_year_vintage(path: Path, vintage: str | None) -> str:
    """The vintage label: as given, or 'ONS mid-YYYY' from a ``mid-YYYY`` folder or file name."""
    if vintage:
        return vintage
    for part in reversed(path.parts):
        match = _MID_YEAR_FOLDER.search(part)
        if match:
            return f"ONS mid-{match.group(1)}"
    raise InputError(
        "cannot tell which mid-year the population estimates are for",
        file=path,
        expected="a folder or file name containing 'mid-YYYY', or vintage='ONS mid-YYYY'",
        hint="pass the vintage explicitly, e.g. vintage='ONS mid-2022'",
    )


def mid_year_of(path: Path, vintage: str | None) -> int | None:
    """The mid-year an estimate file is for, from its label or a ``mid-YYYY`` path part."""
    for text in (vintage or "", *reversed(path.parts)):
        match = _MID_YEAR_FOLDER.search(text)
        if match:
            return int(match.group(1))
    return None


@dataclass(frozen=True)
class PopulationRelease:
    """One configured release (vintage) of mid-year estimates: its file, year and label.

    ``year`` is the mid-year (30 June) the estimates describe; it is None only for the single
    file form of the config when neither the label nor the path names the year.
    """

    path: Path
    year: int | None
    label: str

