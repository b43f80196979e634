"""The priority matrix as configuration: its dimensions, their scales and weights, the candidate
issues, and an area's override of them (``reference/priority_matrix.yaml``, versioned, and
``config/priorities/<area>.yaml``; see ``docs/priorities.md``). Validated on reading, so a
mistake names the file and key.
"""

from __future__ import annotations

from importlib import resources
from itertools import pairwise
from pathlib import Path
from typing import Literal, TypeVar

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from analysis.core.config import project_root, read_yaml
from analysis.core.errors import ConfigError
from analysis.core.offences import load_police_uk_crime_types
from analysis.core.vocabulary import ASB

DIMENSIONS = ("volume", "trend", "harm", "cost", "vulnerability", "peer_position",
              "public_concern")


DIMENSION_NAMES = {"volume": "Volume", "trend": "Trend", "harm": "Harm", "cost": "Cost",
                   "vulnerability": "Vulnerability", "peer_position": "Position against peers",
                   "public_concern": "Public concern"}


OVERRIDE_FOLDER = Path("config") / "priorities"


# --- configuration -------------------------------------------------------------------------
class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class DimensionSpec(_Strict):
    """One dimension: its weight and the rule turning its figure into a 1-5 score."""

    weight: float = Field(ge=0, description="relative weight; weights need not sum to 1")
    kind: Literal["bands", "change", "comparison"]
    figure: str = Field(description="what the figure is, in words")
    cutoffs: list[float] | None = Field(default=None, description="four rising cut-offs")
    large: float | None = Field(default=None, description="a 'large' change (%) or ratio")

    @model_validator(mode="after")
    def _rule_is_complete(self) -> DimensionSpec:
        if self.kind == "bands":
            cuts = self.cutoffs or []
            if len(cuts) != 4 or any(b <= a for a, b in pairwise(cuts)):
                raise ValueError("a 'bands' dimension needs four strictly rising cutoffs")
        elif self.large is None or self.large <= (1 if self.kind == "comparison" else 0):
            raise ValueError(f"a '{self.kind}' dimension needs 'large' "
                             f"({'a ratio above 1' if self.kind == 'comparison' else '> 0'})")
        return self


class IssueSpec(_Strict):
    """A candidate issue and where its figures come from (exactly one source)."""

    id: str = Field(pattern=r"^[a-z0-9_]+$")
    name: str
    police_uk_crime_types: list[str] = Field(default_factory=list)
    asb: bool = False
    partner_flag: Literal["domestic_abuse", "knife_sharp_instrument",
                          "child_sexual_exploitation", "hate"] | None = None
    offence_groups: list[str] = Field(default_factory=list,
                                      description="Home Office offence groups (partner crimes)")
    indicator: str | None = Field(default=None, description="a rate in the indicators extract")
    concern_question: str | None = Field(default=None, description="survey question id")
    measures: list[str] = Field(default_factory=list, description="measures to watch")

    @model_validator(mode="after")
    def _one_source(self) -> IssueSpec:
        named = [bool(self.police_uk_crime_types), self.asb, self.partner_flag is not None,
                 bool(self.offence_groups), self.indicator is not None]
        if sum(named) != 1:
            raise ValueError(f"issue '{self.id}' must name exactly one source: "
                             "police_uk_crime_types, asb, partner_flag, offence_groups "
                             "or indicator")
        known = set(load_police_uk_crime_types()["crime_type"]) - {ASB}
        unknown = sorted(set(self.police_uk_crime_types) - known)
        if unknown:
            raise ValueError(f"unknown police.uk crime type(s) {unknown}; "
                             f"expected some of {sorted(known)}")
        return self

    @property
    def source(self) -> str:
        """Which input the issue's counts come from."""
        if self.police_uk_crime_types or self.asb:
            return "police_uk"
        return "indicators" if self.indicator else "partner"


class PriorityMatrix(_Strict):
    """The whole matrix: dimensions with weights and scales, the issues, ranking settings."""

    version: str
    top_n: int = Field(ge=1)
    min_coverage: float = Field(ge=0, le=1)
    min_weighted_share: float = Field(
        default=0.8, ge=0, le=1,
        description="harm (cost) is scored only when this share of an issue's crimes has a "
                    "weight (unit cost) in the table used")
    min_months_held: int = Field(
        default=6, ge=1, le=12,
        description="months of the period that must be held to annualise a count")
    sensitivity_change: float = Field(gt=0, lt=1)
    emerging_trend_score: int = Field(
        default=4, ge=0, le=5,
        description="an issue whose police.uk series is emerging (the crime overview's "
                    "forecast rule) scores at least this on trend; 0: not used")
    dimensions: dict[str, DimensionSpec]
    issues: list[IssueSpec]

    @model_validator(mode="after")
    def _consistent(self) -> PriorityMatrix:
        if set(self.dimensions) != set(DIMENSIONS):
            raise ValueError(f"dimensions must be exactly {', '.join(DIMENSIONS)}")
        if not any(spec.weight > 0 for spec in self.dimensions.values()):
            raise ValueError("at least one dimension needs a weight above 0")
        ids = [issue.id for issue in self.issues]
        if len(ids) != len(set(ids)):
            raise ValueError(f"issue ids repeat: {sorted({i for i in ids if ids.count(i) > 1})}")
        return self

    @property
    def weights(self) -> dict[str, float]:
        """Dimension -> weight, in the order of :data:`DIMENSIONS`."""
        return {name: self.dimensions[name].weight for name in DIMENSIONS}


class PriorityOverride(_Strict):
    """An area's changes to the defaults (``config/priorities/<area>.yaml``); all optional."""

    weights: dict[str, float] = Field(default_factory=dict)
    cutoffs: dict[str, list[float]] = Field(default_factory=dict)
    top_n: int | None = None
    min_coverage: float | None = None
    min_weighted_share: float | None = None
    min_months_held: int | None = None
    sensitivity_change: float | None = None
    emerging_trend_score: int | None = None
    local_issues: list[IssueSpec] = Field(default_factory=list)
    exclude_issues: list[str] = Field(default_factory=list)

    @model_validator(mode="after")
    def _known_dimensions(self) -> PriorityOverride:
        unknown = sorted((set(self.weights) | set(self.cutoffs)) - set(DIMENSIONS))
        if unknown:
            raise ValueError(f"unknown dimension(s) {unknown}; expected {', '.join(DIMENSIONS)}")
        return self


Model = TypeVar("Model", bound=BaseModel)
"""The pydantic model a YAML document is validated as (the matrix or an area's override)."""


def _validated(model: type[Model], raw: object, path: Path | str) -> Model:
    try:
        return model.model_validate(raw or {})
    except ValidationError as exc:
        first = exc.errors()[0]
        raise ConfigError(first["msg"], file=path,
                          column=".".join(str(p) for p in first["loc"]) or None,
                          found=first.get("input"),
                          hint="see docs/priorities.md for the keys and their meaning") from exc


def default_matrix() -> PriorityMatrix:
    """The defaults shipped with the package (``reference/priority_matrix.yaml``)."""
    source = resources.files("analysis").joinpath("reference", "priority_matrix.yaml")
    raw = read_yaml(Path("reference/priority_matrix.yaml"), source.read_text(encoding="utf-8"))
    return _validated(PriorityMatrix, raw, "reference/priority_matrix.yaml")


def override_path(area: str, root: Path | None = None) -> Path:
    """``config/priorities/<area>.yaml``: where an area's optional override lives."""
    return (root or project_root()) / OVERRIDE_FOLDER / f"{area}.yaml"


def apply_override(matrix: PriorityMatrix, override: PriorityOverride) -> PriorityMatrix:
    """The defaults with an area's weights, cut-offs, settings and issues applied (validated)."""
    raw = matrix.model_dump()
    for name, weight in override.weights.items():
        raw["dimensions"][name]["weight"] = weight
    for name, cutoffs in override.cutoffs.items():
        raw["dimensions"][name]["cutoffs"] = cutoffs
    for key in ("top_n", "min_coverage", "min_weighted_share", "min_months_held",
                "sensitivity_change", "emerging_trend_score"):
        if getattr(override, key) is not None:
            raw[key] = getattr(override, key)
    known = {issue["id"] for issue in raw["issues"]}
    missing = sorted(set(override.exclude_issues) - known)
    if missing:
        raise ConfigError("exclude_issues names issues that do not exist", found=missing,
                          expected=f"some of {', '.join(sorted(known))}")
    raw["issues"] = [i for i in raw["issues"] if i["id"] not in override.exclude_issues]
    raw["issues"] += [issue.model_dump() for issue in override.local_issues]
    return _validated(PriorityMatrix, raw, "priority override")


def load_priority_matrix(area: str, root: Path | None = None
                         ) -> tuple[PriorityMatrix, Path | None]:
    """The defaults, with ``config/priorities/<area>.yaml`` applied when that file exists.

    Returns the matrix and the override file used (None when the defaults apply as shipped).
    Unknown keys in the override are an error, so a misspelt weight is never ignored.
    """
    matrix = default_matrix()
    path = override_path(area, root)
    if not path.is_file():
        return matrix, None
    raw = read_yaml(path)
    override = _validated(PriorityOverride, raw, path)
    try:
        return apply_override(matrix, override), path
    except ConfigError as exc:
        raise ConfigError(exc.message, file=path, column=exc.column, found=exc.found,
                          expected=exc.expected, hint=exc.hint) from exc


