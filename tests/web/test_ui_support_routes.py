"""The selection routes of ui_support: several segments change as ONE undo step, and an invalid
request changes nothing (the editor's group rolls back) and says why."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest


@pytest.fixture(scope="module")
def client(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    from fastapi.testclient import TestClient

    from sequence_maker.server.app import create_app
    from sequence_maker.server.settings import ServerSettings

    root: Path = tmp_path_factory.mktemp("ui_routes")
    app = create_app(ServerSettings(data_dir=root / "data", workspace=root / "ws", use_keyring=False,
                                    probe_local_servers=False))
    with TestClient(app, base_url="http://127.0.0.1:8765") as c:
        yield c


def solid(a: int, b: int, rgb: list[int]) -> dict:
    return {"start_ms": a, "end_ms": b, "kind": "solid", "color": rgb}


def balls(client: Any, name: str) -> list[list[tuple[int, int]]]:
    st = client.get(f"/api/projects/{name}").json()["state"]
    return [[(s["start_ms"], s["end_ms"]) for s in b["segments"]] for b in st["balls"]]


@pytest.fixture()
def project(client: Any, request: pytest.FixtureRequest) -> str:
    name = request.node.name.replace("_", "-")[:40]
    assert client.post("/api/projects", json={"name": name, "balls": 3, "duration_ms": 10_000}).status_code == 201
    client.post(f"/api/projects/{name}/balls/0/segments", json={"segments": [
        solid(0, 1000, [255, 0, 0]), solid(1000, 2000, [0, 255, 0]), solid(3000, 4000, [0, 0, 255])]})
    return name


def test_move_selection_is_one_step_and_pieces_do_not_cut_each_other(client: Any, project: str) -> None:
    # moving the first two right by 1 s: the first lands where the second was (lift-then-place)
    r = client.post(f"/api/ui/projects/{project}/move-segments", json={
        "items": [{"ball": 0, "start_ms": 0}, {"ball": 0, "start_ms": 1000}], "delta_ms": 1000, "ball_delta": 1})
    assert r.status_code == 200, r.text
    assert r.json()["moved"] == 2 and r.json()["can_undo"] is True
    assert balls(client, project)[:2] == [[(3000, 4000)], [(1000, 2000), (2000, 3000)]]
    client.post(f"/api/projects/{project}/undo").raise_for_status()
    assert balls(client, project)[0] == [(0, 1000), (1000, 2000), (3000, 4000)]


def test_invalid_move_changes_nothing_and_names_the_problem(client: Any, project: str) -> None:
    before = balls(client, project)
    r = client.post(f"/api/ui/projects/{project}/move-segments", json={
        "items": [{"ball": 0, "start_ms": 3000}], "delta_ms": 7000})
    assert r.status_code == 422
    assert "end" in r.json()["error"]["message"]
    r = client.post(f"/api/ui/projects/{project}/move-segments", json={
        "items": [{"ball": 0, "start_ms": 0}, {"ball": 0, "start_ms": 1000}], "ball_delta": 5})
    assert r.status_code == 422 and "ball" in r.json()["error"]["message"]
    assert balls(client, project) == before


def test_delete_and_paint_selection_are_single_steps(client: Any, project: str) -> None:
    r = client.post(f"/api/ui/projects/{project}/delete-segments", json={
        "items": [{"ball": 0, "start_ms": 0}, {"ball": 0, "start_ms": 3000}]})
    assert r.status_code == 200 and r.json()["deleted"] == 2
    r = client.post(f"/api/ui/projects/{project}/paint-segments", json={"label": "Paste", "items": [
        {"ball": 1, "segments": [solid(500, 700, [1, 2, 3])]}, {"ball": 2, "segments": [solid(800, 900, [4, 5, 6])]}]})
    assert r.status_code == 200 and r.json()["painted"] == 2
    assert balls(client, project) == [[(1000, 2000)], [(500, 700)], [(800, 900)]]
    client.post(f"/api/projects/{project}/undo").raise_for_status()
    assert balls(client, project) == [[(1000, 2000)], [], []]
    client.post(f"/api/projects/{project}/undo").raise_for_status()
    assert balls(client, project)[0] == [(0, 1000), (1000, 2000), (3000, 4000)]
    bad = client.post(f"/api/ui/projects/{project}/paint-segments", json={"items": [
        {"ball": 0, "segments": [{"start_ms": 5, "end_ms": 1, "kind": "solid", "color": [0, 0, 0]}]}]})
    assert bad.status_code == 422 and "segments[0]" in bad.json()["error"]["message"]
