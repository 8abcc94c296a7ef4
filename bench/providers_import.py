"""Import cost of the provider layer (config + registry + engine) versus the SDKs it loads lazily.

Each figure is the median of fresh interpreter runs (python -X importtime would add noise; we time
``import`` in a subprocess and subtract an empty interpreter's start-up). Target: the layer imports in
a few milliseconds and pulls in no SDK. Run: .venv/bin/python bench/providers_import.py
"""

from __future__ import annotations

import json
import statistics
import subprocess
import sys

RUNS = 5
CASES = {
    "layer": "import sequence_maker.assistant.config, sequence_maker.assistant.providers.registry, "
    "sequence_maker.assistant.providers.streaming, sequence_maker.assistant.providers.scripted",
    "openai": "import openai",
    "anthropic": "import anthropic",
    "genai_prices": "import genai_prices",
}
PROBE = "import time, sys; t = time.perf_counter(); {stmt}; dt = time.perf_counter() - t; print(dt, ' '.join(sorted(m for m in ('openai', 'anthropic', 'genai_prices') if m in sys.modules)))"


def time_import(stmt: str) -> tuple[float, str]:
    samples, loaded = [], ""
    for _ in range(RUNS):
        out = subprocess.run(
            [sys.executable, "-c", PROBE.format(stmt=stmt)], capture_output=True, text=True, check=True
        ).stdout.split(maxsplit=1)
        samples.append(float(out[0]) * 1000)
        loaded = out[1].strip() if len(out) > 1 else ""
    return statistics.median(samples), loaded


def main() -> None:
    print(f"Import time, median of {RUNS} fresh interpreters:")
    results = {}
    for name, stmt in CASES.items():
        ms, loaded = time_import(stmt)
        results[name] = ms
        extra = f" (SDKs loaded: {loaded})" if name == "layer" else ""
        print(f"  {name:<13} {ms:8.1f} ms{extra or ''}")
        if name == "layer":
            print(
                "  "
                + ("no SDK imported by the layer" if not loaded else "WARNING: the layer imported " + loaded)
            )
    print(
        f"  layer / (openai + anthropic): {results['layer'] / (results['openai'] + results['anthropic']):.3f}"
    )
    print(
        "BENCH "
        + json.dumps(
            {
                "name": "providers.import_layer_ms",
                "value": round(results["layer"], 2),
                "unit": "ms",
                "target": "few ms, no SDK",
            }
        )
    )
    print(
        "BENCH "
        + json.dumps(
            {
                "name": "providers.import_openai_ms",
                "value": round(results["openai"], 2),
                "unit": "ms",
                "target": None,
            }
        )
    )
    print(
        "BENCH "
        + json.dumps(
            {
                "name": "providers.import_anthropic_ms",
                "value": round(results["anthropic"], 2),
                "unit": "ms",
                "target": None,
            }
        )
    )


if __name__ == "__main__":
    main()
