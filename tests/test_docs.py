"""The documentation site (mkdocs.yml, docs/) builds with --strict, which is how CI checks it: a link to a page or
an anchor that does not exist fails the build. Around it, what MkDocs does not check: every page is in the nav,
every screenshot is shown, the README links to every page, the pages' and the README's CI snippets are valid
YAML, and the README's Compose service is the recipe's."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
DOCS = ROOT / "docs"
README = (ROOT / "README.md").read_text()
PAGES = sorted(p.name for p in DOCS.glob("*.md"))


def config() -> dict:
    return yaml.safe_load((ROOT / "mkdocs.yml").read_text())


def nav_files(nav) -> list[str]:
    if isinstance(nav, str):
        return [nav]
    if isinstance(nav, list):
        return [f for entry in nav for f in nav_files(entry)]
    return [f for value in nav.values() for f in nav_files(value)]


def test_the_site_builds_with_strict(tmp_path):
    site = tmp_path / "site"
    result = subprocess.run([sys.executable, "-m", "mkdocs", "build", "--strict", "--site-dir", str(site)],
                            cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "WARNING" not in result.stderr, result.stderr
    for name in PAGES:
        stem = name.removesuffix(".md")
        assert (site / ("" if stem == "index" else stem) / "index.html").is_file(), name
    assert not list(site.rglob("*.py")), "the Python files in docs/ are not part of the site"
    # the hook: a pipe escaped for GitHub inside a table's code span is a bare pipe on the site
    integrations = (site / "integrations" / "index.html").read_text()
    assert '<code>{"Id", "Secret", "Entity": "customer"|"app"}</code>' in integrations
    for page in site.rglob("*.html"):
        assert not re.search(r"<code>[^<]*\\\|", page.read_text()), page


def test_every_page_is_in_the_nav_once():
    listed = nav_files(config()["nav"])
    assert sorted(listed) == PAGES
    assert config()["validation"]["anchors"] == "warn"  # so --strict fails on a broken #anchor too


def test_every_screenshot_is_shown_and_every_dashboard_tab_has_one():
    from emulator.app import families

    text = "\n".join((DOCS / name).read_text() for name in PAGES)
    shown = set(re.findall(r"!\[[^\]]*\]\(img/([^)\s]+)\)", text))
    assert {p.name for p in (DOCS / "img").glob("*.png")} == shown
    dashboard = (DOCS / "dashboard.md").read_text()
    for view in (view for family in families() for view in family.views()):
        assert f"dashboard-{view.id}.png" in shown, view.id
        assert f"\n| {view.title} |" in dashboard, f"the tab table lacks {view.title}"


def test_the_readme_links_to_every_page_and_its_links_resolve():
    links = re.findall(r"\]\(([^)\s#]+)(?:#[^)\s]*)?\)", README)
    local = [link for link in links if "://" not in link]
    for link in local:
        assert (ROOT / link).exists(), link
    assert {f"docs/{name}" for name in PAGES} <= set(local)


def test_the_home_page_shows_the_readmes_two_commands():
    index = (DOCS / "index.md").read_text()
    for marker in ("serve-command", "test-command"):
        [command] = re.findall(rf"<!-- {marker} -->\s*```sh\n(.+?)\n```", README)
        assert f"```sh\n{command}\n```" in index, marker


def yaml_blocks(text: str) -> list[str]:
    return re.findall(r"```yaml\n(.*?)\n```", text, re.DOTALL)


def test_the_yaml_snippets_parse():
    blocks = [(name, block) for name in PAGES for block in yaml_blocks((DOCS / name).read_text())]
    blocks += [("README.md", block) for block in yaml_blocks(README)]
    assert len(blocks) >= 5  # GitHub Actions twice, GitLab CI, Compose; the README's Compose
    for name, block in blocks:
        # a snippet may start inside a job (the background step's `steps:`): indented, it is still YAML
        assert isinstance(yaml.safe_load(block), dict), f"{name}: {block[:60]}"


def test_the_readmes_compose_service_is_the_recipes():
    [readme] = [yaml.safe_load(b) for b in yaml_blocks(README)]
    [recipe] = [s for s in map(yaml.safe_load, yaml_blocks((DOCS / "testing.md").read_text())) if "services" in s]
    assert readme["services"]["exotel"] == recipe["services"]["exotel"]
