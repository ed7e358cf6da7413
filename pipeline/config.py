"""The schema of params.yaml: every analysis choice, checked before any stage uses it."""

from __future__ import annotations

import difflib
import re
from datetime import date
from pathlib import Path
from typing import Annotated, Any, Literal

import yaml
from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    TypeAdapter,
    ValidationError,
    field_validator,
)

from pipeline.errors import ParamsError


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, allow_inf_nan=False)


def _not_boolean(value: Any) -> Any:
    """YAML reads `true` as a number 1: `suppress_below: true` would suppress nothing."""
    if isinstance(value, bool):
        raise ValueError("must be a number, not true or false")
    return value


Int = Annotated[int, BeforeValidator(_not_boolean)]
Float = Annotated[float, BeforeValidator(_not_boolean)]


def _unique(values: list, what: str) -> list:
    """A list naming each item once, else a ValueError naming the repeated ones."""
    repeated = sorted({str(v) for v in values if values.count(v) > 1})
    if repeated:
        raise ValueError(f"lists {', '.join(repeated)} more than once; list each {what} once")
    return values


class Data(_Strict):
    """Where the raw inputs are."""

    raw_dir: str = Field(min_length=1, description="folder holding foi/ and survey/ raw inputs")


class FoiRound(_Strict):
    """One FOI round: its file stem, geography and the date the requests went out."""

    name: str = Field(description="file stem under <raw_dir>/foi/, e.g. '2021'")
    geography_year: Literal[2019, 2021, 2023]
    request_sent: str = Field(description="ISO date the requests went out")

    @field_validator("request_sent", mode="before")
    @classmethod
    def _iso_date(cls, value: Any) -> Any:
        """An unquoted YAML date is taken as written; any other text must be YYYY-MM-DD."""
        if isinstance(value, date):
            return value.isoformat()
        try:
            date.fromisoformat(value)
        except (TypeError, ValueError):
            raise ValueError("must be a date written YYYY-MM-DD") from None
        return value

    @field_validator("name")
    @classmethod
    def _file_stem(cls, value: str) -> str:
        """The round's file is <raw_dir>/foi/<name>.csv|xlsx, so a name is a plain file stem."""
        if not re.fullmatch(r"[\w-][\w. -]*", value):
            raise ValueError("must be a file name without its extension, e.g. '2024'")
        return value


class Foi(_Strict):
    """The FOI rounds and how they are cleaned."""

    rounds: list[FoiRound] = Field(min_length=1)
    fuzzy_threshold: Float = Field(ge=50, le=100)
    duplicate_rule: Literal["latest_response", "first_response"]

    @field_validator("rounds")
    @classmethod
    def _unique_rounds(cls, rounds: list[FoiRound]) -> list[FoiRound]:
        names = [r.name for r in rounds]
        if len(set(names)) != len(names):
            raise ValueError(f"round names must be unique (got {names})")
        return rounds


class Survey(_Strict):
    """The survey waves to clean, in order."""

    waves: list[str] = Field(min_length=1)

    @field_validator("waves")
    @classmethod
    def _years_once_each(cls, waves: list[str]) -> list[str]:
        """Each wave is the four-digit year of its export, listed once (twice would double its
        respondents)."""
        odd = [w for w in waves if not re.fullmatch(r"\d{4}", w)]
        if odd:
            raise ValueError(f"lists {', '.join(map(repr, odd))}; a wave is a four-digit year")
        return _unique(waves, "wave")


# The count models; pipeline.models.count.FITTERS fits each.
Family = Literal["poisson", "negative_binomial", "censored_negative_binomial", "beta_binomial"]


class Model(_Strict):
    """Every modelling choice for the provision models."""

    family: Literal["auto", Family]  # auto: lowest AIC, Poisson unless alpha = 0 is rejected
    covariates: list[Literal["imd_z", "log_pop_z", "region", "partial"]]
    reference_region: str
    significance: Float = Field(gt=0, lt=0.5)  # level of the family choice and of change
    robust_se: bool
    nonresponse_imputations: Int = Field(ge=2, le=200)
    seed: Int = Field(ge=0)
    combine_small: bool  # Isles of Scilly with Cornwall, City of London with Hackney
    funnel_target: Literal["ndtms", "pooled"]  # England share (NDTMS) or the pooled share

    @field_validator("covariates")
    @classmethod
    def _covariates_once(cls, covariates: list[str]) -> list[str]:
        return _unique(covariates, "covariate")

    @field_validator("significance")
    @classmethod
    def _labelled_level(cls, level: float) -> float:
        """The section, tables and charts label intervals 95% and tests at 5%."""
        if level != 0.05:
            raise ValueError("must be 0.05: the report labels its intervals 95% and its tests 5%")
        return level

    @field_validator("reference_region")
    @classmethod
    def _region_code(cls, code: str) -> str:
        """One of England's nine region codes, the model's baseline region."""
        if not re.fullmatch(r"E1200000[1-9]", code):
            raise ValueError("must be an English region code, E12000001 to E12000009")
        return code


class Disclosure(_Strict):
    """The disclosure-control rule for counts of people."""

    suppress_below: Int = Field(ge=1, description="counts 1..suppress_below-1 are suppressed")
    round_to: Int = Field(ge=1)


class Report(_Strict):
    """How the published section is titled and labelled, and who publishes it when."""

    title: str = Field(min_length=1)
    synthetic: bool
    release_date: date  # printed on the section and the workbook; never the build's clock
    publisher: str = Field(min_length=1)
    contact: str = Field(min_length=1, description="who answers questions about the release")
    next_update: str = Field(min_length=1, description="a date or 'To be announced'")
    status: str = Field(min_length=1, description="e.g. 'Experimental analysis of synthetic data'")


class Params(_Strict):
    """The whole of params.yaml."""

    data: Data
    foi: Foi
    survey: Survey
    model: Model
    disclosure: Disclosure
    report: Report


def _known_keys(model: type[BaseModel] = None) -> set[str]:
    """Every key name the schema knows, in any section."""
    names: set[str] = set()
    for name, field in (model or Params).model_fields.items():
        names.add(name)
        inner = getattr(field.annotation, "__args__", (field.annotation,))[0]
        if isinstance(field.annotation, type) and issubclass(field.annotation, BaseModel):
            names |= _known_keys(field.annotation)
        elif isinstance(inner, type) and issubclass(inner, BaseModel):
            names |= _known_keys(inner)
    return names


def _unknown(key: str, name: str) -> str:
    """`key is not a known parameter`, with the known key it is most like, if any."""
    close = difflib.get_close_matches(name, sorted(_known_keys()), n=1, cutoff=0.8)
    return f"{key} is not a known parameter" + (f" (did you mean {close[0]}?)" if close else "")


def _describe(error: dict[str, Any], source: str) -> str:
    key = ".".join(str(p) for p in error["loc"])
    got, kind = error.get("input"), error["type"]
    if kind == "literal_error":
        allowed = error["ctx"]["expected"].replace("'", "").replace(" or ", ", ")
        return f"{source}: {key} must be one of {allowed} (got {got!r})"
    if kind == "extra_forbidden":
        return f"{source}: {_unknown(key, str(error['loc'][-1]))}"
    if kind == "missing":
        return f"{source}: {key} is missing"
    if kind in ("model_type", "model_attributes_type", "dict_type"):
        return f"{source}{': ' + key if key else ''} must be a mapping of keys (got {got!r})"
    if kind == "too_short":
        return f"{source}: {key} must list at least one item (got {got!r})"
    msg = error["msg"].replace("Input should be", "must be").removeprefix("Value error, ")
    return f"{source}: {key} {msg[0].lower()}{msg[1:]} (got {got!r})"


def validate(raw: dict[str, Any], source: str = "params.yaml") -> Params:
    """Check a parsed params mapping; raise ParamsError naming every bad key."""
    try:
        return Params.model_validate(raw)
    except ValidationError as exc:
        lines = [_describe(e, source) for e in exc.errors()]
        raise ParamsError("\n".join(lines)) from None


class _UniqueKeyLoader(yaml.SafeLoader):
    """PyYAML's safe loader, except that a key written twice in one mapping is an error (the
    safe loader would silently keep the last)."""

    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> dict:
        seen: set[str] = set()
        for key_node, _ in node.value:
            key = str(key_node.value)
            if key in seen and key != "<<":
                raise yaml.constructor.ConstructorError(
                    problem=f"{key} is written twice in one mapping; keep one",
                    problem_mark=key_node.start_mark,
                )
            seen.add(key)
        return super().construct_mapping(node, deep)


def _read(path: Path) -> Any:
    """The parsed YAML of params.yaml; ParamsError if it cannot be read or parsed."""
    try:
        text = path.read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        raise ParamsError(f"{path}: not found") from None
    except IsADirectoryError:
        raise ParamsError(f"{path}: is a folder, not a parameters file") from None
    except UnicodeDecodeError as exc:
        raise ParamsError(f"{path}: is not UTF-8 text (byte {exc.start})") from None
    try:
        return yaml.load(text, Loader=_UniqueKeyLoader)  # noqa: S506 - a safe loader
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" at line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        problem = getattr(exc, "problem", None) or "cannot be parsed"
        raise ParamsError(f"{path.name}: not valid YAML{where}: {problem}") from None


def load(path: str | Path = "params.yaml") -> Params:
    """Read and validate params.yaml."""
    path = Path(path)
    return validate(_read(path) or {}, source=path.name)


def select(params: Params, keys: list[str]) -> dict[str, Any]:
    """The nested subset of params named by dotted keys (as a DVC stage declares them)."""
    full = params.model_dump(mode="json")
    out: dict[str, Any] = {}
    for key in keys:
        *parents, leaf = key.split(".")
        src, dst = full, out
        for part in parents:
            src, dst = src[part], dst.setdefault(part, {})
        dst[leaf] = src[leaf]
    return out


def _adapter(model: type[BaseModel], key: str) -> TypeAdapter:
    field = model.model_fields[key]
    if not field.metadata:
        return TypeAdapter(field.annotation)
    return TypeAdapter(Annotated[field.annotation, *field.metadata])


def check_stage(params: dict[str, Any], source: str = "stage parameters") -> dict[str, Any]:
    """Validate the subset of params.yaml a stage received; return the checked values.

    Every key is checked against its field in the schema; a whole section is also checked
    as a unit (e.g. unique round names).
    """
    errors: list[str] = []
    checked: dict[str, dict[str, Any]] = {}
    for section, values in params.items():
        if section not in Params.model_fields:
            errors.append(f"{source}: {section} is not a known parameter")
            continue
        model = Params.model_fields[section].annotation
        checked[section] = {}
        for key, value in values.items():
            if key not in model.model_fields:
                errors.append(f"{source}: {section}.{key} is not a known parameter")
                continue
            adapter = _adapter(model, key)
            try:
                checked[section][key] = adapter.dump_python(adapter.validate_python(value))
            except ValidationError as exc:
                errors += [
                    _describe({**e, "loc": (section, key, *e["loc"])}, source) for e in exc.errors()
                ]
        if not errors and set(values) == set(model.model_fields):
            try:
                model.model_validate(values)
            except ValidationError as exc:
                errors += [
                    _describe({**e, "loc": (section, *e["loc"])}, source) for e in exc.errors()
                ]
    if errors:
        raise ParamsError("\n".join(errors))
    return checked
