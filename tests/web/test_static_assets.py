"""The static UI is self-contained: every file index.html and the ES modules reference exists,
nothing is loaded from the internet, and the server serves the assets with the right types."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

STATIC = Path(__file__).resolve().parents[2] / "sequence_maker" / "web" / "static"
MODULES = sorted(STATIC.rglob("*.js"))
IMPORT = re.compile(r"""(?:^|\n)\s*(?:import|export)\s[^;]*?from\s+["']([^"']+)["']""")
DYNAMIC_IMPORT = re.compile(r"""import\(\s*["']([^"']+)["']\s*\)""")


def _resolve(ref: str, base: Path) -> Path:
    return STATIC / ref.lstrip("/") if ref.startswith("/") else (base.parent / ref).resolve()


def test_index_references_existing_local_assets() -> None:
    html = (STATIC / "index.html").read_text(encoding="utf-8")
    refs = re.findall(r"""(?:src|href)=["']([^"'#]+)["']""", html)
    assert "/js/main.js" in refs and "/css/app.css" in refs
    for ref in refs:
        if ref.startswith("data:"):
            continue
        assert not re.match(r"^[a-z]+://|^//", ref), f"external asset {ref!r} in index.html"
        assert _resolve(ref, STATIC / "index.html").is_file(), f"index.html references missing {ref}"


@pytest.mark.parametrize("module", MODULES, ids=lambda p: str(p.relative_to(STATIC)))
def test_module_imports_resolve_locally(module: Path) -> None:
    text = module.read_text(encoding="utf-8")
    refs = IMPORT.findall(text) + DYNAMIC_IMPORT.findall(text)
    for ref in refs:
        assert ref.startswith((".", "/")), f"{module.name} imports {ref!r}: bare or remote specifiers need a CDN/bundler"
        assert _resolve(ref, module).is_file(), f"{module.name} imports missing {ref}"
    assert not re.search(r"""fetch\(\s*["']https?://""", text), f"{module.name} fetches from the internet"


def test_server_serves_the_ui(tmp_path: Path) -> None:
    from fastapi.testclient import TestClient

    from sequence_maker.server.app import create_app
    from sequence_maker.server.settings import ServerSettings

    app = create_app(ServerSettings(data_dir=tmp_path / "data", workspace=tmp_path / "ws", use_keyring=False,
                                    probe_local_servers=False))
    with TestClient(app, base_url="http://127.0.0.1:8765") as client:
        page = client.get("/")
        assert page.status_code == 200 and "<canvas id=\"timeline\"" in page.text
        js = client.get("/js/timeline/render.js")
        assert js.status_code == 200 and "javascript" in js.headers["content-type"]
        assert client.get("/css/app.css").headers["content-type"].startswith("text/css")
        templates = client.get("/api/ui/templates").json()["templates"]
        assert templates and all({"name", "title", "description"} <= set(t) for t in templates)
        bad = client.post("/api/ui/feedback", json={"rating": "meh"})
        assert bad.status_code in (400, 422)
        ok = client.post("/api/ui/feedback", json={"rating": "disliked", "request": "make it pink", "note": "too dark"})
        assert ok.status_code == 201 and ok.json()["count"] == 1
        stored = client.get("/api/settings").json()["settings"]["assistant_feedback"]
        assert stored[-1]["liked"] is False and stored[-1]["request"] == "make it pink"
