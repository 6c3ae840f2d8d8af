"""Comments cite only what a fresh clone has. The behaviour notes the code relies on
live in docs/plausible-compat.md; a pointer into it names a heading anchor
(`docs/plausible-compat.md#check-order`), and that heading must exist, so renaming a
section without its pointers, or citing the spec this repository was built from
(which a clone does not have), fails here."""

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
COMPAT_DOC = ROOT / "docs" / "plausible-compat.md"
SKIPPED_DIRECTORIES = frozenset({"migrations", "node_modules", "staticfiles", "__pycache__"})

# Each pattern is written so that this file does not match it.
OUTSIDE_SPEC = [
    re.compile(r"shared[/\\]spec", re.IGNORECASE),  # the directory it lived in
    re.compile(r"plausible-sites-api[.]md", re.IGNORECASE),  # its file name
    re.compile(r"\bspec\s*[§#]", re.IGNORECASE),  # its section and endpoint numbers
]
SECTION_NUMBER = re.compile(r"§\s*\d")
OUR_DOC = ("plausible-compat", "plausible-compat.md")
POINTER = re.compile(r"docs/plausible-compat[.]md#([\w-]+)")
HEADING = re.compile(r"^#{1,6}\s+(.+?)\s*#*\s*$")
FENCE = re.compile(r"^\s*(```|~~~)")
LINK = re.compile(r"\[([^\]]*)\]\([^)]*\)")
OWN_LINK = re.compile(r"\]\(#([^)\s]+)\)")


def _in_project(path: Path) -> bool:
    parts = path.relative_to(ROOT).parts[:-1]
    return not any(part.startswith(".") or part in SKIPPED_DIRECTORIES for part in parts)


def project_python_files() -> list[Path]:
    """Every Python file of the project (apps, config, scripts, benchmarks, tests,
    the top-level modules), not the virtualenv, migrations or other hidden folders.
    Scripts without an extension count when their shebang names Python."""
    files = [path for path in ROOT.rglob("*.py") if _in_project(path)]
    for script in (ROOT / "scripts").glob("*"):
        if script.is_file() and script.suffix == "":
            first_line = script.read_text(errors="replace").partition("\n")[0]
            if first_line.startswith("#!") and "python" in first_line:
                files.append(script)
    return sorted(files)


def outside_spec_citations(line: str) -> list[str]:
    """The citations of the outside spec in one line of text."""
    found = [match.group(0) for pattern in OUTSIDE_SPEC for match in pattern.finditer(line)]
    for match in SECTION_NUMBER.finditer(line):
        if not line[: match.start()].rstrip().endswith(OUR_DOC):
            found.append(match.group(0))
    return found


def github_slug(heading: str) -> str:
    """The anchor GitHub gives a heading: its rendered text lower-cased, without
    punctuation other than `-` and `_`, spaces turned into hyphens."""
    text = LINK.sub(r"\1", heading).lower()
    kept = "".join(char for char in text if char.isalnum() or char in " -_")
    return kept.replace(" ", "-")


def heading_anchors(markdown: str) -> set[str]:
    """Every heading anchor of a Markdown text, outside code fences, with GitHub's
    `-1`, `-2` suffixes for repeated headings."""
    anchors: set[str] = set()
    seen: dict[str, int] = {}
    in_fence = False
    for line in markdown.splitlines():
        if FENCE.match(line):
            in_fence = not in_fence
            continue
        match = None if in_fence else HEADING.match(line)
        if match is None:
            continue
        slug = github_slug(match.group(1))
        count = seen.get(slug, 0)
        seen[slug] = count + 1
        anchors.add(slug if count == 0 else f"{slug}-{count}")
    return anchors


def _lines(path: Path):
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        yield f"{path.relative_to(ROOT)}:{number}", line


class TestTheCheckerItself:
    @pytest.mark.parametrize(
        "line",
        [
            "# Rate limits (spec \u00a74).",
            "# the one copy of \u00a73.5 rules 4-5",
            '"""POST /api/v1/sites (spec \x237, \u00a77.1)."""',
            "# Spec \x237 step 3 asks only the first half",
            "# see ../shared" + "/spec/plausible-sites-api" + ".md",
        ],
    )
    def test_a_citation_of_the_outside_spec_is_found(self, line):
        assert outside_spec_citations(line)

    @pytest.mark.parametrize(
        "line",
        [
            "spec = goal_spec(goal_type=goal_type, params=params)",
            "if spec.errors:",
            "# (docs/plausible-compat.md#check-order)",
            "# docs/plausible-compat.md \u00a73",
            "# GitHub issue #13, point 8",
        ],
    )
    def test_our_own_pointers_and_plain_code_pass(self, line):
        assert outside_spec_citations(line) == []

    def test_slugs_are_githubs(self):
        assert github_slug("Create a site") == "create-a-site"
        assert github_slug("`site_id` and the [check order](#check-order)!") == (
            "site_id-and-the-check-order"
        )
        assert heading_anchors("# A\n## A\n```\n# B\n```\n") == {"a", "a-1"}


def test_no_python_file_cites_the_outside_spec():
    offenders = [
        f"{where}: {line.strip()}"
        for path in project_python_files()
        for where, line in _lines(path)
        if outside_spec_citations(line)
    ]
    assert offenders == [], (
        "Cite docs/plausible-compat.md#<section> instead (a fresh clone has no spec):\n"
        + "\n".join(offenders)
    )


def test_every_pointer_into_the_compat_doc_names_one_of_its_headings():
    anchors = heading_anchors(COMPAT_DOC.read_text(encoding="utf-8"))
    sources = [*project_python_files(), *ROOT.glob("*.md"), *(ROOT / "docs").glob("*.md")]
    dangling = [
        f"{where}: #{anchor}"
        for path in sources
        for where, line in _lines(path)
        for anchor in POINTER.findall(line)
        if anchor not in anchors
    ]
    assert dangling == [], "No such heading in docs/plausible-compat.md:\n" + "\n".join(dangling)


def test_the_compat_docs_own_links_name_its_headings():
    text = COMPAT_DOC.read_text(encoding="utf-8")
    anchors = heading_anchors(text)
    dangling = sorted({anchor for anchor in OWN_LINK.findall(text) if anchor not in anchors})
    assert dangling == []


def test_the_code_points_into_the_compat_doc():
    """The pointers are the point: if none were left, the check above would pass
    vacuously."""
    pointers = [
        anchor
        for path in project_python_files()
        for _, line in _lines(path)
        for anchor in POINTER.findall(line)
    ]
    assert len(pointers) >= 20
