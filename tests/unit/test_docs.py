"""The documentation stays true: the stage diagram, quoted commands, parameter keys, docstrings,
the import layering and relative links are checked against the code and the repository."""

from __future__ import annotations

import ast
import graphlib
import importlib
import inspect
import re
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent
STRUCTURE = ROOT / "docs" / "structure.md"
USER_GUIDE = ROOT / "docs" / "user_guide.md"
DAG_START, DAG_END = "<!-- dvc dag start -->", "<!-- dvc dag end -->"
LAYERS_START, LAYERS_END = "<!-- layers start -->", "<!-- layers end -->"
# Documents whose ```sh blocks are checked, and whose relative links must resolve.
COMMAND_DOCS = sorted(
    p
    for p in [ROOT / "README.md", ROOT / "CONTRIBUTING.md", *(ROOT / "docs").glob("*.md")]
    if p.exists()
)
LINK_DOCS = COMMAND_DOCS
# dvc subcommands a document may quote (second word where the first needs one).
DVC_COMMANDS: dict[str, set[str] | None] = {
    "repro": None,
    "status": None,
    "dag": None,
    "add": None,
    "push": None,
    "pull": None,
    "fetch": None,
    "checkout": None,
    "commit": None,
    "gc": None,
    "diff": None,
    "metrics": {"show", "diff"},
    "params": {"diff"},
    "plots": {"show", "diff"},
    "exp": {"run", "show", "diff", "apply", "remove", "list", "save", "branch"},
    "remote": {"add", "modify", "list", "default", "remove"},
    "data": {"status"},
}
# `a.b` in backticks is a file name, not a parameter key, when b is one of these.
FILE_SUFFIXES = {
    "py", "yaml", "yml", "md", "csv", "ipynb", "html", "json", "xlsx", "xls",
    "pdf", "log", "lock", "cff", "toml", "txt", "svg", "png", "j2", "css",
}  # fmt: skip


def _between(text: str, start: str, end: str, where: Path) -> str:
    assert start in text and end in text, f"{where} lacks the markers {start} ... {end}"
    return text.split(start, 1)[1].split(end, 1)[0].strip()


def _run(args: list[str]) -> str:
    done = subprocess.run(args, cwd=ROOT, capture_output=True, text=True, check=False)
    assert done.returncode == 0, f"{' '.join(args)} failed:\n{done.stdout}\n{done.stderr}"
    return done.stdout


# (a) the stage diagram --------------------------------------------------------------------------


def test_stage_diagram_matches_dvc_dag():
    fresh = _run([str(BIN / "dvc"), "dag", "--md"]).strip()
    pasted = _between(STRUCTURE.read_text(encoding="utf-8"), DAG_START, DAG_END, STRUCTURE)
    assert [line.rstrip() for line in pasted.splitlines()] == [
        line.rstrip() for line in fresh.splitlines()
    ], (
        "docs/structure.md's stage diagram is out of step with dvc.yaml. Refresh it: run "
        f"`.venv/bin/dvc dag --md` and paste its output between {DAG_START} and {DAG_END}."
    )


# (b) commands and parameter keys quoted in the documents ----------------------------------------


def _sh_lines(path: Path) -> list[str]:
    """Command lines of the ```sh blocks, comments and continuation backslashes removed."""
    blocks = re.findall(
        r"^[ \t]*```(?:sh|bash|shell)\n(.*?)^[ \t]*```", path.read_text("utf-8"), re.M | re.S
    )
    lines = []
    for block in blocks:
        for line in block.replace("\\\n", " ").splitlines():
            line = re.sub(r"(^|\s)#.*$", "", line).strip()
            if line:
                lines.append(line)
    return lines


def _make_targets() -> set[str]:
    text = (ROOT / "Makefile").read_text(encoding="utf-8")
    return set(re.findall(r"^([A-Za-z][\w-]*):(?!=)", text, re.M))


def _pipeline_subcommands() -> set[str]:
    usage = _run([sys.executable, "-m", "pipeline", "--help"])
    found = re.search(r"\{([\w,-]+)\}", usage)
    assert found, f"no subcommand list in `python -m pipeline --help`:\n{usage}"
    return set(found.group(1).split(","))


def _param_keys() -> set[str]:
    """Every dotted key of params.yaml, sections and leaves."""
    keys: set[str] = set()

    def walk(node: object, prefix: str) -> None:
        if isinstance(node, dict):
            for key, value in node.items():
                name = f"{prefix}.{key}" if prefix else str(key)
                keys.add(name)
                walk(value, name)

    walk(yaml.safe_load((ROOT / "params.yaml").read_text(encoding="utf-8")), "")
    return keys


@pytest.fixture(scope="module")
def subcommands() -> set[str]:
    return _pipeline_subcommands()


def test_user_guide_quotes_commands():
    lines = _sh_lines(USER_GUIDE)
    assert any(line.startswith("make report") for line in lines)
    assert any("python -m pipeline new-wave" in line for line in lines)
    assert any("dvc params diff" in line for line in lines)


def _command_problems(
    words: list[str], targets: set[str], keys: set[str], subcommands: set[str]
) -> list[str]:
    """What is wrong with one quoted command: unknown make target, subcommand or parameter key."""
    if not words:
        return []
    program, problems = Path(words[0]).name, []
    if program == "make" and len(words) > 1 and words[1] not in targets:
        problems.append(f"no Makefile target {words[1]!r}")
    if program.startswith("python") and words[1:3] == ["-m", "pipeline"]:
        sub = words[3] if len(words) > 3 else ""
        if sub not in subcommands:
            problems.append(f"`python -m pipeline {sub}` is not a subcommand")
    if program == "dvc" and len(words) > 1:
        first, second = words[1], (words[2] if len(words) > 2 else "")
        if first not in DVC_COMMANDS:
            problems.append(f"`dvc {first}` is not a known subcommand")
        elif DVC_COMMANDS[first] is not None and second not in DVC_COMMANDS[first]:
            problems.append(f"`dvc {first} {second}` is not a known subcommand")
        for flag, value in zip(words, words[1:], strict=False):
            if flag in ("-S", "--set-param") and value.split("=")[0] not in keys:
                problems.append(f"{value.split('=')[0]} is not a key of params.yaml")
    return problems


@pytest.mark.parametrize("doc", COMMAND_DOCS, ids=lambda p: str(p.relative_to(ROOT)))
def test_quoted_commands_exist(doc, subcommands):
    targets, keys, problems = _make_targets(), _param_keys(), []
    for line in _sh_lines(doc):
        for command in re.split(r"&&|\|\||;|\|", line):
            problems += [
                f"{line!r}: {p}"
                for p in _command_problems(command.split(), targets, keys, subcommands)
            ]
    assert problems == [], "\n".join(problems)


def test_param_keys_in_user_guide_exist():
    sections = {k for k in _param_keys() if "." not in k}
    keys = _param_keys()
    quoted = re.findall(
        r"`([a-z][a-z_]*(?:\.[a-z][a-z_0-9]*)+)[^`]*`", USER_GUIDE.read_text("utf-8")
    )
    mentioned = [
        q for q in quoted if q.split(".")[0] in sections and q.split(".")[-1] not in FILE_SUFFIXES
    ]
    assert len(mentioned) >= 5, f"expected parameter keys in the user guide, found {mentioned}"
    missing = sorted({q for q in mentioned if q not in keys})
    assert missing == [], f"docs/user_guide.md names keys that are not in params.yaml: {missing}"


# (c) docstrings ---------------------------------------------------------------------------------


def _modules() -> list[Path]:
    return sorted((ROOT / "pipeline").rglob("*.py"))


def _module_name(path: Path) -> str:
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


@pytest.mark.parametrize("path", _modules(), ids=lambda p: str(p.relative_to(ROOT)))
def test_public_names_have_docstrings(path):
    """Module, top-level functions and classes by AST; methods of public classes may inherit
    the docstring of the method they override (as inspect.getdoc reads it)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    missing = [] if ast.get_docstring(tree) else ["<module docstring>"]
    methods: list[tuple[str, str]] = []
    for node in tree.body:
        if not isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
            continue
        if node.name.startswith("_"):
            continue
        if not ast.get_docstring(node):
            missing.append(node.name)
        if isinstance(node, ast.ClassDef):
            methods += [
                (node.name, item.name)
                for item in node.body
                if isinstance(item, ast.FunctionDef | ast.AsyncFunctionDef)
                and not item.name.startswith("_")
                and not ast.get_docstring(item)
            ]
    if methods:
        module = importlib.import_module(_module_name(path))
        missing += [
            f"{cls}.{name}"
            for cls, name in methods
            if not inspect.getdoc(getattr(getattr(module, cls), name))
        ]
    assert missing == [], f"{path.relative_to(ROOT)}: no docstring for {missing}"


# import layering, as docs/structure.md states it -----------------------------------------------


def _layers() -> list[set[str]]:
    """Modules per floor of the layers table, top floor first."""
    table = _between(STRUCTURE.read_text(encoding="utf-8"), LAYERS_START, LAYERS_END, STRUCTURE)
    floors = []
    for row in table.splitlines()[2:]:
        cells = [c.strip() for c in row.strip().strip("|").split("|")]
        floors.append(set(re.findall(r"`([\w.]+)`", cells[1])))
    return floors


def _imports(path: Path) -> set[str]:
    """pipeline modules imported by a module (first component below pipeline)."""
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("pipeline"):
            parts = node.module.split(".")
            if len(parts) > 1:
                found.add(parts[1])
            else:
                found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.Import):
            found.update(a.name.split(".")[1] for a in node.names if a.name.startswith("pipeline."))
    return found


def test_structure_layers_cover_every_module_and_imports_only_flow_down():
    floors = _layers()
    floor_of = {m: i for i, mods in enumerate(floors) for m in mods}
    top = {p.stem if p.parent.name == "pipeline" else p.parent.name for p in _modules()}
    top.discard("__init__")
    assert top == set(floor_of), (
        "docs/structure.md's layers table and pipeline/ differ: "
        f"not in the table {sorted(top - set(floor_of))}, not modules {sorted(set(floor_of) - top)}"
    )
    upward = []
    for path in _modules():
        name = path.stem if path.parent.name == "pipeline" else path.parent.name
        if name == "__init__":
            continue
        for imported in _imports(path) - {name}:
            if imported in floor_of and floor_of[imported] <= floor_of[name]:
                upward.append(f"{path.relative_to(ROOT)} imports {imported} (same or higher floor)")
    assert upward == [], "\n".join(upward)


def _subpackages() -> list[Path]:
    return sorted(p.parent for p in (ROOT / "pipeline").glob("*/__init__.py"))


@pytest.mark.parametrize("package", _subpackages(), ids=lambda p: p.name)
def test_subpackage_modules_import_siblings_one_way_never_the_package(package):
    """Inside a subpackage, sibling imports form no circle and never go through __init__."""
    graph: dict[str, set[str]] = {}
    through_init = []
    siblings = {p.stem for p in package.glob("*.py")} - {"__init__"}
    for path in sorted(package.glob("*.py")):
        if path.stem == "__init__":
            continue
        graph[path.stem] = set()
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and node.module:
                parts = node.module.split(".")
                names = {a.name for a in node.names}
                if parts[:2] == ["pipeline", package.name] and len(parts) == 3:
                    graph[path.stem].add(parts[2])
                elif parts == ["pipeline", package.name] and names <= siblings:
                    graph[path.stem] |= names  # `from pipeline.pkg import sibling_module`
                elif parts == ["pipeline", package.name] or (
                    parts == ["pipeline"] and package.name in names
                ):
                    through_init.append(path.name)
    assert through_init == [], f"import siblings directly, not the package: {through_init}"
    try:
        list(graphlib.TopologicalSorter(graph).static_order())
    except graphlib.CycleError as exc:
        raise AssertionError(f"{package.name}: circular imports {exc.args[1]}") from None


# (d) relative links -----------------------------------------------------------------------------


@pytest.mark.parametrize("doc", LINK_DOCS, ids=lambda p: str(p.relative_to(ROOT)))
def test_relative_links_resolve(doc):
    text = re.sub(
        r"^[ \t]*```.*?^[ \t]*```", "", doc.read_text(encoding="utf-8"), flags=re.M | re.S
    )
    broken = []
    for target in re.findall(r"\[[^\]]*\]\(([^)\s]+)(?:\s+\"[^\"]*\")?\)", text):
        if re.match(r"[a-z][a-z+.-]*:", target) or target.startswith("#"):
            continue
        path = target.split("#", 1)[0]
        if not (doc.parent / path).exists():
            broken.append(target)
    assert broken == [], f"{doc.relative_to(ROOT)} links to missing files: {broken}"


# the version, wherever it is stated ------------------------------------------------------------


def test_version_agrees_in_package_citation_and_changelog():
    pyproject = re.search(
        r'^version = "([^"]+)"', (ROOT / "pyproject.toml").read_text("utf-8"), re.M
    )
    init = re.search(r'__version__ = "([^"]+)"', (ROOT / "pipeline/__init__.py").read_text("utf-8"))
    citation = yaml.safe_load((ROOT / "CITATION.cff").read_text(encoding="utf-8"))
    changelog = (ROOT / "CHANGELOG.md").read_text(encoding="utf-8")
    version = pyproject.group(1)
    assert init.group(1) == version
    assert str(citation["version"]) == version
    assert citation["cff-version"] == "1.2.0" and citation["license"] == "MIT"
    assert "## [Unreleased]" in changelog and f"## [{version}]" in changelog
