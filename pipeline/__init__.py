"""Quantitative pipeline for "A system designed for women?": FOI and survey data to report.

Notebooks import the modules they need from here (`from pipeline import foi, models`);
each module holds one concept:

- ground: `taxonomy` (provision items and code lists), `readers` (raw CSV/Excel),
  `accounting` (rows in = kept + excluded), `config` (params.yaml schema), `outputs`
  (reproducible writing), `privacy` (redaction), `disclosure` (suppression and rounding)
- shared services: `geography` (authorities, successors, aliases, covariates, hexes, the
  matcher), `models`, `funnel`, `change`, `response`, `figures`, `headlines`
- stages' logic: `foi`, `survey`, `synth` (the example data), `section`, `report`,
  `workbook`, `notebook` (running a stage)
"""

__version__ = "0.1.0"
