"""Unit tests: delta coalescing and the numbered per-project stream (threads, resume windows)."""

from __future__ import annotations

import asyncio
import threading

from sequence_maker.server.coalesce import DeltaCoalescer
from sequence_maker.server.stream import ProjectStream, Subscriber


def test_coalescer_merges_runs_and_keeps_order():
    out: list[dict] = []
    c = DeltaCoalescer(out.append, max_delay_s=0, max_bytes=10_000)
    c.max_delay_s = 1.0  # no loop timer: flushes come from other parts and explicit flush
    for t in ("Hel", "lo", " "):
        c.add({"type": "text-delta", "text": t})
    c.add({"type": "tool-call-start", "call_id": "a", "name": "x"})
    c.add({"type": "tool-call-delta", "call_id": "a", "fragment": '{"b":'})
    c.add({"type": "tool-call-delta", "call_id": "a", "fragment": "1}"})
    c.add({"type": "tool-call-delta", "call_id": "b", "fragment": "{}"})
    c.add({"type": "tool-call", "call_id": "a"})
    c.flush()
    assert out == [
        {"type": "text-delta", "text": "Hello "},
        {"type": "tool-call-start", "call_id": "a", "name": "x"},
        {"type": "tool-call-delta", "call_id": "a", "fragment": '{"b":1}'},
        {"type": "tool-call-delta", "call_id": "b", "fragment": "{}"},
        {"type": "tool-call", "call_id": "a"},
    ]
    assert c.frames_in == 8 and c.frames_out == 5


def test_coalescer_flushes_on_size_and_on_timer():
    async def scenario() -> list[dict]:
        out: list[dict] = []
        c = DeltaCoalescer(out.append, max_delay_s=0.02, max_bytes=8)
        c.add({"type": "text-delta", "text": "12345"})
        c.add({"type": "text-delta", "text": "6789"})  # 9 bytes ≥ 8 → sent now
        assert out == [{"type": "text-delta", "text": "123456789"}]
        c.add({"type": "text-delta", "text": "a"})
        await asyncio.sleep(0.06)  # the timer sends the rest without another event
        assert out[-1] == {"type": "text-delta", "text": "a"}
        return out

    assert len(asyncio.run(scenario())) == 2


def test_stream_threads_publish_without_gaps_and_resume_windows():
    async def scenario() -> None:
        stream = ProjectStream(buffer_size=100)
        sub = Subscriber(asyncio.get_running_loop())
        assert stream.subscribe(sub) == ([], 0)

        def spam(n: int) -> None:
            for i in range(n):
                stream.publish("timeline_patch", {"i": i})

        threads = [threading.Thread(target=spam, args=(50,)) for _ in range(4)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        got = [await asyncio.wait_for(sub.queue.get(), 2) for _ in range(200)]
        assert [f["seq"] for f in got] == list(range(1, 201))
        late = Subscriber(asyncio.get_running_loop())
        replay, head = stream.subscribe(late, last_seq=150, stream_id=stream.stream_id)
        assert head == 200 and [f["seq"] for f in replay] == list(range(151, 201))
        assert stream.subscribe(Subscriber(asyncio.get_running_loop()), last_seq=50)[0] is None  # evicted
        assert stream.subscribe(Subscriber(asyncio.get_running_loop()), last_seq=5, stream_id="old")[0] is None
        assert stream.subscribe(Subscriber(asyncio.get_running_loop()), last_seq=999)[0] is None
        assert stream.subscribe(Subscriber(asyncio.get_running_loop()), last_seq=200)[0] == []

    asyncio.run(scenario())
