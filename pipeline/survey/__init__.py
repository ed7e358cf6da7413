"""Survey waves: the codebook, the cleaner (exports to tidy tables) and the new-wave helper.

Modules, each with one job, importing only those listed before them:

- `document`: the codebook's YAML text (read with clear errors, written back with comments)
- `codebook`: the codebook's model, checked on loading, and lookups of its labels
- `hints`: messages that say exactly what to add to the codebook
- `read`: reading one wave's export (contact columns dropped, free text redacted), and what
  in it the codebook does not map
- `decode`: answers decoded to codes, and each organisation's latest submission under its
  pseudonym
- `areas`: areas served, matched to local authorities
- `clean`: `clean_waves` (every listed wave to tidy tables) and views of those tables
- `new_wave`: adding a wave (export copied in, codebook block drafted, params.yaml updated)

The names below are the package's public interface.
"""

from pipeline.survey.areas import wave_geography_year
from pipeline.survey.clean import SurveyResult, clean_waves, not_asked, response_counts
from pipeline.survey.codebook import likert_labels, load_codebook, option_labels
from pipeline.survey.document import todo_lines, yaml_round_trip
from pipeline.survey.new_wave import new_wave
from pipeline.survey.read import KEY_FILE, key_path
from pipeline.taxonomy import DONT_KNOW

__all__ = [
    "DONT_KNOW",
    "KEY_FILE",
    "SurveyResult",
    "clean_waves",
    "key_path",
    "likert_labels",
    "load_codebook",
    "new_wave",
    "not_asked",
    "option_labels",
    "response_counts",
    "todo_lines",
    "wave_geography_year",
    "yaml_round_trip",
]
