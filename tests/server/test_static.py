"""The UI is served from the static folder at / (no CDN); API routes keep priority."""

from __future__ import annotations

from fastapi.testclient import TestClient

from sequence_maker.server.app import create_app


def test_index_and_assets_served_and_traversal_refused(settings, tmp_path):
    static = tmp_path / "static"
    (static / "js").mkdir(parents=True)
    (static / "index.html").write_text("<!doctype html><title>Studio</title>")
    (static / "js" / "app.js").write_text("console.log(1)")
    (tmp_path / "secret.txt").write_text("nope")
    settings.static_dir = static
    with TestClient(create_app(settings), base_url="http://127.0.0.1:8765") as c:
        assert "<title>Studio</title>" in c.get("/").text
        assert c.get("/js/app.js").headers["content-type"].startswith(("text/javascript", "application/javascript"))
        assert c.get("/api/health").json()["ok"] is True
        assert c.get("/metrics").headers["content-type"].startswith("text/plain")
        assert c.get("/../secret.txt").status_code == 404
        assert c.get("/js/%2e%2e/%2e%2e/secret.txt").status_code == 404
