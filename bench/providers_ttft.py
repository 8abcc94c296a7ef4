"""Time-to-first-token the provider layer adds over the raw openai SDK, on loopback; and how fast a
cancelled stream is seen closed by the server (with a raw-SDK "abandon without close" control).

Both paths talk to the same in-process fake server (tests/fakes) and alternate request by request.
Target: added TTFT ≤ 1 ms p50. Run: .venv/bin/python bench/providers_ttft.py
"""

from __future__ import annotations

import asyncio
import json
import statistics
import sys
import time
from contextlib import aclosing
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from tests.fakes.openai_server import fake_openai_server, openai_text_reply  # noqa: E402

ROUNDS = 300
TEXT = "Ball one pulses red on every downbeat of the chorus."


async def raw_sdk_ttft(client, kwargs) -> float:
    t0 = time.perf_counter()
    stream = await client.chat.completions.create(**kwargs)
    try:
        async for chunk in stream:
            if chunk.choices and chunk.choices[0].delta.content:
                return time.perf_counter() - t0
    finally:
        await stream.close()
    raise RuntimeError("no text")


async def layer_ttft(provider, request) -> float:
    from sequence_maker.assistant.providers.events import TextDelta

    t0 = time.perf_counter()
    async with aclosing(provider.stream(request)) as stream:
        async for event in stream:
            if isinstance(event, TextDelta):
                return time.perf_counter() - t0
    raise RuntimeError("no text")


async def measure_ttft() -> tuple[list[float], list[float]]:
    import openai

    from sequence_maker.assistant.providers.base import ChatRequest
    from sequence_maker.assistant.providers.events import ChatMessage
    from sequence_maker.assistant.providers.openai_chat import build_chat_kwargs
    from sequence_maker.assistant.providers.registry import create_provider

    with fake_openai_server(lambda n, req: openai_text_reply(TEXT)) as server:
        profile = server.profile()
        provider = create_provider(profile)
        request = ChatRequest(messages=[ChatMessage(role="user", content="go")])
        client = openai.AsyncOpenAI(base_url=profile.base_url, api_key="x", max_retries=0)
        kwargs = build_chat_kwargs(
            request,
            model="fake-model",
            include_usage=True,
            supports_tool_choice=True,
            supports_parallel_flag=False,
            max_tokens_param="max_tokens",
            default_temperature=None,
            default_max_tokens=None,
        )
        for _ in range(10):  # warm-up both paths (imports, connection setup code)
            await raw_sdk_ttft(client, kwargs)
            await layer_ttft(provider, request)
        raw, ours = [], []
        for i in range(ROUNDS):
            if i % 2:
                raw.append(await raw_sdk_ttft(client, kwargs))
                ours.append(await layer_ttft(provider, request))
            else:
                ours.append(await layer_ttft(provider, request))
                raw.append(await raw_sdk_ttft(client, kwargs))
        await client.close()
        await provider.aclose()
    return raw, ours


async def measure_cancel(n: int = 40) -> tuple[list[float], int]:
    """Server-observed disconnect latency after cancelling mid-stream; and the raw-SDK control."""
    import openai

    from sequence_maker.assistant.providers.base import ChatRequest
    from sequence_maker.assistant.providers.events import ChatMessage
    from sequence_maker.assistant.providers.registry import create_provider

    latencies = []
    request = ChatRequest(messages=[ChatMessage(role="user", content="go")])
    for _ in range(n):
        with fake_openai_server(
            [openai_text_reply(TEXT, pieces=40, delay_s=0.005, hold_open=True)]
        ) as server:
            provider = create_provider(server.profile())
            count = 0
            async with aclosing(provider.stream(request)) as stream:
                async for _event in stream:
                    count += 1
                    if count == 3:
                        break
                stopped = time.monotonic()
            gone = server.wait_disconnect(2.0)
            latencies.append((gone.at - stopped) if gone else float("inf"))
            await provider.aclose()
    # control: the raw SDK stream abandoned without close() — does the server ever notice?
    noticed = 0
    for _ in range(5):
        with fake_openai_server(
            [openai_text_reply(TEXT, pieces=40, delay_s=0.005, hold_open=True)]
        ) as server:
            client = openai.AsyncOpenAI(base_url=f"{server.base_url}/v1", api_key="x", max_retries=0)
            stream = await client.chat.completions.create(
                model="m", messages=[{"role": "user", "content": "go"}], stream=True
            )
            it = stream.__aiter__()
            for _i in range(3):
                await it.__anext__()
            held = (stream, it)  # keep references: nothing closes the response
            await asyncio.sleep(1.0)
            noticed += server.wait_disconnect(0.01) is not None
            await held[0].close()  # tidy up only after measuring
            await client.close()
    return latencies, noticed


def main() -> None:
    raw, ours = asyncio.run(measure_ttft())
    p50_raw, p50_ours = statistics.median(raw) * 1000, statistics.median(ours) * 1000
    # paired: each layer request next to a raw one, so machine-load drift cancels out
    added = statistics.median(o - r for o, r in zip(ours, raw, strict=True)) * 1000
    print(f"TTFT on loopback over {ROUNDS} alternating requests (connection per request):")
    print(f"  raw openai SDK   p50 {p50_raw:.3f} ms")
    print(f"  provider layer   p50 {p50_ours:.3f} ms   (ratio {p50_ours / p50_raw:.3f}x)")
    print(f"  added by layer   median of paired differences {added:+.3f} ms  (target <= 1 ms)")
    print(
        "BENCH "
        + json.dumps(
            {
                "name": "providers.ttft_added_over_raw_sdk_p50",
                "value": round(added, 4),
                "unit": "ms",
                "target": "<= 1 ms",
            }
        )
    )
    print(
        "BENCH "
        + json.dumps(
            {"name": "providers.ttft_raw_sdk_p50", "value": round(p50_raw, 4), "unit": "ms", "target": None}
        )
    )
    print(
        "BENCH "
        + json.dumps(
            {"name": "providers.ttft_layer_p50", "value": round(p50_ours, 4), "unit": "ms", "target": None}
        )
    )

    latencies, noticed = asyncio.run(measure_cancel())
    finite = [x for x in latencies if x != float("inf")]
    p50 = statistics.median(finite) * 1000 if finite else float("nan")
    worst = max(latencies) * 1000
    print(
        f"\nCancel mid-stream → server sees the disconnect: p50 {p50:.2f} ms, max {worst:.2f} ms over {len(latencies)} streams"
        f" ({len(latencies) - len(finite)} never)"
    )
    print(
        f"Control: raw SDK stream abandoned without close(): server noticed in {noticed}/5 cases within 1 s"
    )
    print(
        "BENCH "
        + json.dumps(
            {
                "name": "providers.cancel_disconnect_latency_p50",
                "value": round(p50, 3),
                "unit": "ms",
                "target": "~20 ms",
            }
        )
    )
    print(
        "BENCH "
        + json.dumps(
            {
                "name": "providers.cancel_disconnect_latency_max",
                "value": round(worst, 3),
                "unit": "ms",
                "target": None,
            }
        )
    )


if __name__ == "__main__":
    main()
