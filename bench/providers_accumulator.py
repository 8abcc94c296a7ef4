"""CPU per streamed chunk of the provider layer, with 2 KB / 20 KB / 100 KB tool arguments.

Reports, per size, honestly separated:
- layer:     our translator + tool-call assembler per chunk (on chunk objects the SDK already built);
- sdk_parse: what the openai SDK itself spends per chunk (json.loads + construct_type), unavoidable
             when going through the SDK;
- baseline:  the openai SDK's own accumulator (ChatCompletionStreamState.handle_chunk), the thing we
             replace; and for Anthropic our translator vs the SDK's accumulate_event.
Target: layer ≤ 10 µs p50 per chunk and flat across sizes.

Run: .venv/bin/python bench/providers_accumulator.py
"""

from __future__ import annotations

import gc
import json
import statistics
import time

SIZES_KB = (2, 20, 100)
FRAGMENT = 4  # characters per delta (~one token)


def args_of_size(kb: int) -> str:
    segs, raw = [], ""
    i = 0
    while len(raw) < kb * 1024:
        segs.append(
            {
                "start": round(i * 0.25, 2),
                "end": round(i * 0.25 + 0.25, 2),
                "color": f"#{i % 256:02x}80ff",
                "ball": i % 3,
            }
        )
        raw = json.dumps({"segments": segs})
        i += 1
    return raw


def openai_lines(raw: str) -> list[str]:
    base = {"id": "chatcmpl-b", "object": "chat.completion.chunk", "created": 1, "model": "gpt-4o"}
    first = {
        **base,
        "choices": [
            {
                "index": 0,
                "delta": {
                    "role": "assistant",
                    "tool_calls": [
                        {
                            "index": 0,
                            "id": "call_1",
                            "type": "function",
                            "function": {"name": "write_program", "arguments": ""},
                        }
                    ],
                },
                "finish_reason": None,
            }
        ],
    }
    lines = [json.dumps(first)]
    for i in range(0, len(raw), FRAGMENT):
        lines.append(
            json.dumps(
                {
                    **base,
                    "choices": [
                        {
                            "index": 0,
                            "delta": {
                                "tool_calls": [{"index": 0, "function": {"arguments": raw[i : i + FRAGMENT]}}]
                            },
                            "finish_reason": None,
                        }
                    ],
                }
            )
        )
    lines.append(json.dumps({**base, "choices": [{"index": 0, "delta": {}, "finish_reason": "tool_calls"}]}))
    return lines


def per_call_ns(fn, items) -> list[int]:
    out = []
    clock = time.perf_counter_ns
    for item in items:
        t0 = clock()
        fn(item)
        out.append(clock() - t0)
    return out


def p50_us(samples: list[int]) -> float:
    return statistics.median(samples) / 1000.0


def bench_openai(kb: int) -> dict[str, float]:
    from openai._models import construct_type
    from openai.lib.streaming.chat import ChatCompletionStreamState
    from openai.types.chat import ChatCompletionChunk

    from sequence_maker.assistant.providers.openai_chat import OpenAIChatTranslator

    raw = args_of_size(kb)
    lines = openai_lines(raw)
    parse = lambda line: construct_type(type_=ChatCompletionChunk, value=json.loads(line))  # noqa: E731
    gc.disable()
    try:
        sdk_parse = per_call_ns(parse, lines)
        chunks = [parse(line) for line in lines]
        translator = OpenAIChatTranslator()
        layer = per_call_ns(translator.feed, chunks)
        t0 = time.perf_counter_ns()
        ends = translator.finish()
        finish_us = (time.perf_counter_ns() - t0) / 1000
        assert ends[0].arguments == json.loads(raw), "assembled arguments differ"
        state = ChatCompletionStreamState()
        baseline = per_call_ns(lambda c: list(state.handle_chunk(c)), chunks)
    finally:
        gc.enable()
    return {
        "chunks": len(chunks),
        "layer_p50_us": p50_us(layer),
        "layer_mean_us": statistics.fmean(layer) / 1000,
        "sdk_parse_p50_us": p50_us(sdk_parse),
        "baseline_p50_us": p50_us(baseline),
        "finish_us": finish_us,
    }


def bench_anthropic(kb: int) -> dict[str, float]:
    from anthropic._models import construct_type
    from anthropic.lib.streaming._messages import accumulate_event
    from anthropic.types import RawMessageStreamEvent

    from sequence_maker.assistant.providers.anthropic_messages import AnthropicTranslator

    raw = args_of_size(kb)
    events = [
        {
            "type": "message_start",
            "message": {
                "id": "msg_b",
                "type": "message",
                "role": "assistant",
                "model": "claude-sonnet-4-6",
                "content": [],
                "stop_reason": None,
                "stop_sequence": None,
                "usage": {"input_tokens": 10, "output_tokens": 1},
            },
        },
        {
            "type": "content_block_start",
            "index": 0,
            "content_block": {"type": "tool_use", "id": "toolu_1", "name": "write_program", "input": {}},
        },
    ]
    events += [
        {
            "type": "content_block_delta",
            "index": 0,
            "delta": {"type": "input_json_delta", "partial_json": raw[i : i + FRAGMENT]},
        }
        for i in range(0, len(raw), FRAGMENT)
    ]
    events += [
        {"type": "content_block_stop", "index": 0},
        {
            "type": "message_delta",
            "delta": {"stop_reason": "tool_use", "stop_sequence": None},
            "usage": {"output_tokens": 99},
        },
        {"type": "message_stop"},
    ]
    objs = [construct_type(type_=RawMessageStreamEvent, value=e) for e in events]
    gc.disable()
    try:
        translator = AnthropicTranslator()
        layer = per_call_ns(translator.feed, objs)
        ends = translator.finish()
        assert ends[0].arguments == json.loads(raw)
        # the SDK accumulator re-parses the partial JSON as it grows: sample it (it is slow at 100 KB)
        snapshot, bufs = None, {}
        sample = objs if kb <= 20 else objs[: len(objs) // 4]
        baseline = []
        for ev in sample:
            t0 = time.perf_counter_ns()
            snapshot = accumulate_event(event=ev, current_snapshot=snapshot, json_bufs=bufs)
            baseline.append(time.perf_counter_ns() - t0)
    finally:
        gc.enable()
    return {
        "layer_p50_us": p50_us(layer),
        "baseline_p50_us": p50_us(baseline),
        "baseline_sampled": len(sample) < len(objs),
    }


def main() -> None:
    print("Provider layer CPU per streamed chunk (tool-call arguments, 4-char deltas)\n")
    print(
        f"{'size':>6} {'chunks':>7} {'layer p50':>10} {'layer mean':>11} {'SDK parse p50':>14} {'SDK accum p50':>14} {'finish':>9}"
    )
    results = {}
    for kb in SIZES_KB:
        r = bench_openai(kb)
        results[kb] = r
        print(
            f"{kb:>4}KB {r['chunks']:>7} {r['layer_p50_us']:>8.2f}µs {r['layer_mean_us']:>9.2f}µs {r['sdk_parse_p50_us']:>12.2f}µs "
            f"{r['baseline_p50_us']:>12.2f}µs {r['finish_us']:>7.0f}µs"
        )
    flat = results[100]["layer_p50_us"] / results[2]["layer_p50_us"]
    print(
        f"\nflatness (100 KB p50 / 2 KB p50): {flat:.2f}x  | layer vs SDK accumulator at 20 KB: "
        f"{results[20]['baseline_p50_us'] / results[20]['layer_p50_us']:.1f}x cheaper"
    )
    for kb in SIZES_KB:
        print(
            "BENCH "
            + json.dumps(
                {
                    "name": f"providers.openai.layer_cpu_per_chunk_p50.{kb}kb",
                    "value": round(results[kb]["layer_p50_us"], 3),
                    "unit": "us",
                    "target": "<= 10 us p50, flat",
                }
            )
        )
        print(
            "BENCH "
            + json.dumps(
                {
                    "name": f"providers.openai.sdk_parse_per_chunk_p50.{kb}kb",
                    "value": round(results[kb]["sdk_parse_p50_us"], 3),
                    "unit": "us",
                    "target": None,
                }
            )
        )
        print(
            "BENCH "
            + json.dumps(
                {
                    "name": f"providers.openai.sdk_accumulator_per_chunk_p50.{kb}kb",
                    "value": round(results[kb]["baseline_p50_us"], 3),
                    "unit": "us",
                    "target": None,
                }
            )
        )
    print(
        "BENCH "
        + json.dumps(
            {
                "name": "providers.openai.layer_cpu_flatness_100kb_over_2kb",
                "value": round(flat, 3),
                "unit": "ratio",
                "target": "~1.0",
            }
        )
    )

    print("\nAnthropic (input_json_delta events)")
    print(f"{'size':>6} {'layer p50':>10} {'SDK accumulate_event p50':>25}")
    for kb in SIZES_KB:
        r = bench_anthropic(kb)
        note = " (first quarter of events)" if r["baseline_sampled"] else ""
        print(f"{kb:>4}KB {r['layer_p50_us']:>8.2f}µs {r['baseline_p50_us']:>23.2f}µs{note}")
        print(
            "BENCH "
            + json.dumps(
                {
                    "name": f"providers.anthropic.layer_cpu_per_event_p50.{kb}kb",
                    "value": round(r["layer_p50_us"], 3),
                    "unit": "us",
                    "target": "<= 10 us p50, flat",
                }
            )
        )


if __name__ == "__main__":
    main()
