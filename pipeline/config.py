"""The schema of params.yaml: every analysis choice, checked before any stage uses it."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Annotated, Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, TypeAdapter, ValidationError, field_validator

from pipeline.errors import ParamsError


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Data(_Strict):
    """Where the raw inputs are."""

    raw_dir: str = Field(description="folder holding foi/ and survey/ raw inputs")


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


class Foi(_Strict):
    """The FOI rounds and how they are cleaned."""

    rounds: list[FoiRound] = Field(min_length=1)
    fuzzy_threshold: float = Field(ge=50, le=100)
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
    def _once_each(cls, waves: list[str]) -> list[str]:
        """A wave listed twice would double its respondents."""
        repeated = sorted({w for w in waves if waves.count(w) > 1})
        if repeated:
            raise ValueError(f"lists {', '.join(repeated)} more than once; list each wave once")
        return waves


# The count models; pipeline.models.count.FITTERS fits each.
Family = Literal["poisson", "negative_binomial", "censored_negative_binomial", "beta_binomial"]


class Model(_Strict):
    """Every modelling choice for the provision models."""

    family: Literal["auto", Family]  # auto: lowest AIC, Poisson unless alpha = 0 is rejected
    covariates: list[Literal["imd_z", "log_pop_z", "region", "partial"]]
    reference_region: str
    significance: float = Field(gt=0, lt=0.5)  # level of the family choice and of change
    robust_se: bool
    nonresponse_imputations: int = Field(ge=2, le=200)
    seed: int = Field(ge=0)
    combine_small: bool  # Isles of Scilly with Cornwall, City of London with Hackney
    funnel_target: Literal["ndtms", "pooled"]  # England share (NDTMS) or the pooled share


class Disclosure(_Strict):
    """The disclosure-control rule for counts of people."""

    suppress_below: int = Field(ge=1, description="counts 1..suppress_below-1 are suppressed")
    round_to: int = Field(ge=1)


class Report(_Strict):
    """How the published section is titled and labelled, and who publishes it when."""

    title: str
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


def _describe(error: dict[str, Any], source: str) -> str:
    key = ".".join(str(p) for p in error["loc"])
    got = error.get("input")
    if error["type"] == "literal_error":
        allowed = error["ctx"]["expected"].replace("'", "").replace(" or ", ", ")
        return f"{source}: {key} must be one of {allowed} (got {got!r})"
    if error["type"] == "extra_forbidden":
        return f"{source}: {key} is not a known parameter"
    if error["type"] == "missing":
        return f"{source}: {key} is missing"
    msg = error["msg"].replace("Input should be", "must be").removeprefix("Value error, ")
    return f"{source}: {key} {msg[0].lower()}{msg[1:]} (got {got!r})"


def validate(raw: dict[str, Any], source: str = "params.yaml") -> Params:
    """Check a parsed params mapping; raise ParamsError naming every bad key."""
    try:
        return Params.model_validate(raw)
    except ValidationError as exc:
        lines = [_describe(e, source) for e in exc.errors()]
        raise ParamsError("\n".join(lines)) from None


def load(path: str | Path = "params.yaml") -> Params:
    """Read and validate params.yaml."""
    path = Path(path)
    with path.open(encoding="utf-8") as fh:
        try:
            raw = yaml.safe_load(fh) or {}
        except yaml.YAMLError as exc:
            mark = getattr(exc, "problem_mark", None)
            where = f" at line {mark.line + 1}, column {mark.column + 1}" if mark else ""
            problem = getattr(exc, "problem", None) or "cannot be parsed"
            raise ParamsError(f"{path.name}: not valid YAML{where}: {problem}") from None
    return validate(raw, source=path.name)


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
