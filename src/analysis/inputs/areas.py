"""An area's configuration as the build uses it: ``config/areas/<area>.yaml``, or a CSP of a
configured force derived from ``config/forces/<force>.yaml`` and the ONS LAD to CSP lookup.

Kept out of :mod:`analysis.core.config` (the config models) because a force's CSPs come from
reading a lookup file.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

from pydantic import BaseModel

from analysis.core.config import (
    FORCES_DIR,
    AreaConfig,
    ForceTemplate,
    _read_model,
    area_config_path,
    line_of,
    load_force,
    project_root,
    read_yaml_with_lines,
    slug,
)
from analysis.core.errors import ConfigError
from analysis.core.files import DEMO_README, DEMO_README_OPENING

DEMO_FOLDER = Path("data") / "raw" / "demo"
"""Where ``make demo-data`` writes the fictional demo (relative to the project root)."""


def force_csps(template: ForceTemplate, root: Path | None = None) -> dict[str, AreaConfig]:
    """Every CSP of the force (from the ONS LAD → CSP lookup) as a config, keyed by area name.

    The area name is ``<force slug>-<CSP name slug>`` (e.g. ``essex-thurrock``); each CSP
    takes its codes and local authorities from the lookup and everything else from the
    force template, so any CSP is configured by its codes alone.
    """
    from analysis.inputs.geography import load_lad_csp

    root = root or project_root()
    lookup = load_lad_csp(template.sources.lad_csp_lookup if template.sources.lad_csp_lookup
                          .is_absolute() else root / template.sources.lad_csp_lookup)
    in_force = lookup[lookup["pfa_code"] == template.force.code]
    areas = {}
    for (csp_code, csp_name), lads in in_force.groupby(["csp_code", "csp_name"], sort=True):
        name = f"{template.force.slug}-{slug(str(csp_name))}"
        areas[name] = AreaConfig(
            name=name, title=f"{csp_name} Community Safety Partnership", csp_code=csp_code,
            csp_name=str(csp_name), lad_codes=sorted(lads["lad_code"].unique()),
            force=template.force, default_period=template.default_period, store=template.store,
            disclosure=template.disclosure, comparison=template.comparison,
            sources=template.sources, trend_breaks=template.trend_breaks,
            is_demo=template.is_demo,
        )
    return areas


def load_area(area: str, root: Path | None = None) -> AreaConfig:
    """An area's config: ``config/areas/<area>.yaml``, or a CSP of a configured force.

    ``<force>-<csp>`` (e.g. ``essex-southend-on-sea``) is derived from
    ``config/forces/<force>.yaml`` and the ONS lookup when no area file of that name exists.
    An area that is not a demo (``is_demo: true``) may not read the demo's fictional files
    (:func:`refuse_demo_files`).
    """
    root = root or project_root()
    path = area_config_path(area, root)
    if path.is_file():
        return refuse_demo_files(_read_model(path, AreaConfig), path, root)
    for force_file in sorted((root / FORCES_DIR).glob("*.yaml")):
        if area.startswith(f"{force_file.stem}-"):
            derived = force_csps(load_force(force_file.stem, root), root)
            if area in derived:
                return refuse_demo_files(derived[area], force_file, root)
            raise ConfigError(f"no CSP '{area}' in force '{force_file.stem}'", file=force_file,
                              expected=f"one of: {', '.join(derived)}")
    known = sorted(p.stem for p in path.parent.glob("*.yaml")) if path.parent.is_dir() else []
    raise ConfigError(
        f"no configuration for area '{area}'",
        file=path,
        expected=f"one of: {', '.join(known) or '(none found)'}, or <force>-<csp>",
        hint="run `csp init --csp-name <your CSP>` to write one from the ONS lookup",
    )


def source_paths(model: BaseModel, at: tuple[str | int, ...] = ()
                 ) -> Iterator[tuple[tuple[str | int, ...], Path]]:
    """Every path in a config model (e.g. an area's ``sources``) with its key path, such as
    ``(("partner", "crimes"), Path("data/raw/demo/partner/crimes.csv"))``."""
    for name, value in model:
        values = list(enumerate(value)) if isinstance(value, list) else [(None, value)]
        for index, item in values:
            where = (*at, name) if index is None else (*at, name, index)
            if isinstance(item, Path):
                yield where, item
            elif isinstance(item, BaseModel):
                yield from source_paths(item, where)


def is_demo_file(path: Path, root: Path) -> bool:
    """Whether ``path`` is the fictional demo's: under ``data/raw/demo/`` of the project, or
    in a folder (at any depth) that ``csp demo`` wrote, which it marks with a
    ``README.txt`` beginning :data:`analysis.core.files.DEMO_README_OPENING`."""
    resolved = (path if path.is_absolute() else root / path).resolve()
    if resolved.is_relative_to((root / DEMO_FOLDER).resolve()):
        return True
    for folder in resolved.parents:
        marker = folder / DEMO_README
        try:
            if marker.is_file() and marker.read_text(encoding="utf-8", errors="replace"
                                                     ).startswith(DEMO_README_OPENING):
                return True
        except OSError:
            continue  # an unreadable folder cannot be the demo's
    return False


def refuse_demo_files(config: AreaConfig, config_file: Path, root: Path) -> AreaConfig:
    """``config``, unless it is not a demo and reads a demo file: then a ConfigError naming
    the config file, the line and the key.

    A copied ``demo.yaml`` with a real CSP's codes would otherwise load the demo's fictional
    partner crimes and ASB into a real area's report. Only an area (or force) marked
    ``is_demo: true`` may read them.
    """
    if config.is_demo:
        return config
    for where, path in source_paths(config.sources, ("sources",)):
        if is_demo_file(path, root):
            key = ".".join(str(part) for part in where)
            lines = read_yaml_with_lines(config_file)[1] if config_file.is_file() else {}
            raise ConfigError(
                "a real (non-demo) area reads the fictional demo's data", file=config_file,
                line=line_of(lines, where), column=key, found=str(path),
                expected="your own files (or no partner extracts at all)",
                hint="point the key at your files or delete it (run `csp init` for a clean "
                     "config); only a demo area, marked `is_demo: true`, may read "
                     f"{DEMO_FOLDER.as_posix()}/ or files `csp demo` wrote")
    return config
