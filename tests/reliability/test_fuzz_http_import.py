"""The same damaged files as test_fuzz_files, uploaded through the studio's import routes: every
upload becomes a project (201/200) or a 4xx whose error envelope names the problem — never a 500,
and a refused upload leaves no project and no temp file behind."""

from __future__ import annotations

import json

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ._checks import examples, mutated_json
from ._studio import isolate, new_project, studio
from .test_fuzz_files import BALL_JSON, EARLIER_DOC, OURS, PRG, PRG_JSON, SEQDESIGN, damaged_prg

uploads = st.one_of(
    st.tuples(st.just("show.smproj"), st.one_of(mutated_json(OURS), mutated_json(EARLIER_DOC)).map(json.dumps)),
    st.tuples(st.just("ball.prg"), damaged_prg()),
    st.tuples(st.just("ball.prg.json"), mutated_json(PRG_JSON).map(json.dumps)),
    st.tuples(st.just("x.ball.json"), mutated_json(BALL_JSON).map(json.dumps)),
    st.tuples(st.just("x.seqdesign.json"), mutated_json(SEQDESIGN).map(json.dumps)),
    st.tuples(st.sampled_from(["a.smproj", "b.prg", "c.json", "d.txt", "../../e.smproj", ""]), st.binary(max_size=200)),
    st.just(("huge.prg", PRG + b"\0" * 10)),
)


def test_import_routes_answer_4xx_with_a_message_never_500(tmp_path, monkeypatch):
    isolate(tmp_path, monkeypatch)
    counter = iter(range(10**9))
    with studio(tmp_path, raise_server_exceptions=False) as client:
        target = new_project(client, "Target")

        @settings(max_examples=examples(80), deadline=None, suppress_health_check=list(HealthCheck), database=None)
        @given(uploads, st.booleans())
        def upload(file, into_project):
            name, data = file
            body = data.encode() if isinstance(data, str) else data
            if into_project:
                r = client.post(f"/api/projects/{target}/import", files={"file": (name, body)})
            else:
                r = client.post("/api/import", files={"file": (name, body)},
                                data={"name": f"Imported {next(counter)}"})
            assert r.status_code < 500, (r.status_code, r.text[:300])
            if r.status_code >= 400:
                err = r.json()["error"]
                assert err["code"] and len(err["message"]) > 5, r.text

        upload()
        leftovers = [p for p in (tmp_path / "data" / "tmp").rglob("*") if p.is_file()] \
            if (tmp_path / "data" / "tmp").exists() else []
        assert not leftovers, leftovers[:5]
        assert client.get("/api/health").status_code == 200
