"""Authority pages: what each authority provides, and how it compares with places like it.

One page per authority of the latest geography (``reports/authorities/<GSS code>.html``), a
note for each code that geography replaced, and an index with a clickable hex map. Modules,
each with one job (imports flow down this list, never back):

- `inputs`: read the stage outputs the pages show, on the latest geography
- `areas`: organisations serving each area and their answers, disclosure-protected
- `neighbours`: statistical neighbours on the count model's standardised covariates
- `hexmap`: the hex map's layout (the template ``profiles_hexmap.svg.j2`` draws it)
- `sentences`: the pages' computed sentences, each chosen by the data it describes
- `records`: each page's content as plain values
- `pages`: rendering and writing the pages with the section's stylesheet and filters

The names below are the package's public interface.
"""

from pipeline.profiles.areas import SurveyByArea, survey_by_area
from pipeline.profiles.hexmap import HexMap
from pipeline.profiles.inputs import ESTIMATE_COLUMNS, ProfileInputs, load_inputs
from pipeline.profiles.neighbours import statistical_neighbours
from pipeline.profiles.pages import ORDERS, hex_map, write_pages
from pipeline.profiles.records import build_profiles

__all__ = [
    "ESTIMATE_COLUMNS",
    "ORDERS",
    "HexMap",
    "ProfileInputs",
    "SurveyByArea",
    "build_profiles",
    "hex_map",
    "load_inputs",
    "statistical_neighbours",
    "survey_by_area",
    "write_pages",
]
