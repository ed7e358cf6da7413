"""The reference geography of England's upper-tier local authorities (UTLAs).

`tables` reads the tidy tables in data/reference back; `names` reduces names as typed to the
words that tell authorities apart; `matching` matches LA names and codes as typed to GSS codes;
`build` derives the tables from the public source files, with `sources` (reading them),
`alias_table` and `hex_layout`. The names below are the package's public interface.
"""

from pipeline.geography.build import (
    build_ndtms,
    build_reference,
    check_district_successors,
    reaggregate_imd,
)
from pipeline.geography.matching import Match, Matcher
from pipeline.geography.names import normalise_name
from pipeline.geography.sources import IMD_LOWER, IMD_UPPER, MYE, POP_YEAR, SOURCE_FILES
from pipeline.geography.tables import (
    LA_TYPES,
    YEARS,
    aliases,
    authorities,
    covariates,
    hexes,
    ndtms,
    successor_map,
    successors,
)

__all__ = [
    "IMD_LOWER",
    "IMD_UPPER",
    "LA_TYPES",
    "MYE",
    "POP_YEAR",
    "SOURCE_FILES",
    "YEARS",
    "Match",
    "Matcher",
    "aliases",
    "authorities",
    "build_ndtms",
    "build_reference",
    "check_district_successors",
    "covariates",
    "hexes",
    "ndtms",
    "normalise_name",
    "reaggregate_imd",
    "successor_map",
    "successors",
]
