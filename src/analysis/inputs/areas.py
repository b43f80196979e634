"""An area's configuration as the build uses it: ``config/areas/<area>.yaml``, or a CSP of a
configured force derived from ``config/forces/<force>.yaml`` and the ONS LAD to CSP lookup.

Kept out of :mod:`analysis.core.config` (the config models) because a force's CSPs come from
reading a lookup file.
"""

from __future__ import annotations

from pathlib import Path

from analysis.core.config import (
    FORCES_DIR,
    AreaConfig,
    ForceTemplate,
    _read_model,
    area_config_path,
    load_force,
    project_root,
    slug,
)
from analysis.core.errors import ConfigError


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
        )
    return areas


def load_area(area: str, root: Path | None = None) -> AreaConfig:
    """An area's config: ``config/areas/<area>.yaml``, or a CSP of a configured force.

    ``<force>-<csp>`` (e.g. ``essex-southend-on-sea``) is derived from
    ``config/forces/<force>.yaml`` and the ONS lookup when no area file of that name exists.
    """
    root = root or project_root()
    path = area_config_path(area, root)
    if path.is_file():
        return _read_model(path, AreaConfig)
    for force_file in sorted((root / FORCES_DIR).glob("*.yaml")):
        if area.startswith(f"{force_file.stem}-"):
            derived = force_csps(load_force(force_file.stem, root), root)
            if area in derived:
                return derived[area]
            raise ConfigError(f"no CSP '{area}' in force '{force_file.stem}'", file=force_file,
                              expected=f"one of: {', '.join(derived)}")
    known = sorted(p.stem for p in path.parent.glob("*.yaml")) if path.parent.is_dir() else []
    raise ConfigError(
        f"no configuration for area '{area}'",
        file=path,
        expected=f"one of: {', '.join(known) or '(none found)'}, or <force>-<csp>",
        hint="copy config/areas/demo.yaml, set your codes, and pass AREA=<name>",
    )

