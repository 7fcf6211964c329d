"""The README stays a front door: short, and every page of docs/ one link away from it. Links
between the README and docs/ (and among docs/) point at files and headings that exist, so a
section moved or renamed breaks a test instead of a reader's click."""

import re
from pathlib import Path

from devkit.template import ROOT

README = ROOT / "README.md"
DOCS = ROOT / "docs"
MAX_README_LINES = 250
# [text](target) with a relative target: a file, optionally #a-heading.
LINK = re.compile(r"\]\((?!https?://|mailto:)([^)#\s]*)(?:#([^)\s]+))?\)")


def anchors(page: Path) -> set[str]:
    """GitHub's heading ids: lower-cased, punctuation dropped, spaces as hyphens."""
    text = re.sub(r"```.*?```", "", page.read_text(), flags=re.DOTALL)
    headings = re.findall(r"^#{1,6} (.+)$", text, flags=re.MULTILINE)
    return {re.sub(r"[^\w\- ]", "", heading.lower()).replace(" ", "-") for heading in headings}


def relative_links(page: Path) -> list[tuple[Path, str | None]]:
    return [
        ((page.parent / target).resolve() if target else page, anchor)
        for target, anchor in LINK.findall(page.read_text())
    ]


def test_the_readme_is_at_most_250_lines() -> None:
    lines = len(README.read_text().splitlines())

    assert lines <= MAX_README_LINES, f"README.md has {lines} lines: move depth into docs/"


def test_the_readme_links_every_docs_page_and_only_pages_that_exist() -> None:
    linked = {target for target, _ in relative_links(README) if target.parent == DOCS}
    pages = {page.resolve() for page in DOCS.glob("*.md")}

    assert pages, "docs/ holds the README's depth"
    assert linked - pages == set(), "README links docs pages that do not exist"
    assert pages - linked == set(), "docs pages the README does not link"


def test_every_relative_link_names_an_existing_file_and_heading() -> None:
    for page in [README, *sorted(DOCS.glob("*.md"))]:
        for target, anchor in relative_links(page):
            assert target.exists(), (page.name, target)
            if anchor and target.suffix == ".md":
                assert anchor in anchors(target), (page.name, target.name, anchor)
