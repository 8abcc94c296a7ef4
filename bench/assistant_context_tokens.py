"""Prompt tokens per turn for a 1,000-segment project: compact context vs a naive full dump.

Builds the exact request the agent sends (system prompt + tool schemas + user message) with the
compact project context, and the same request with every segment dumped into the prompt instead.
Tokens are the providers' labelled estimate (~4 chars/token, the same heuristic used when a
provider reports no usage). Also reports the cost of the fixed part (rules + tool schemas).
Usage: .venv/bin/python bench/assistant_context_tokens.py
"""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from sequence_maker.assistant.agent import Assistant  # noqa: E402
from sequence_maker.assistant.context import conversation_tokens, naive_context  # noqa: E402
from sequence_maker.assistant.eval import build_project  # noqa: E402
from sequence_maker.assistant.prompts import BASE_PROMPT  # noqa: E402
from sequence_maker.assistant.providers.events import ChatMessage  # noqa: E402
from sequence_maker.assistant.providers.scripted import ScriptedProvider  # noqa: E402
from sequence_maker.assistant.tools import default_registry  # noqa: E402
from sequence_maker.history.editor import ProjectEditor  # noqa: E402
from sequence_maker.model import solid  # noqa: E402

SETUP = {"duration_s": 240, "balls": 4, "bpm": 128, "first_beat_s": 0.3, "beats_per_bar": 4,
         "sections": [{"label": lab, "start_s": i * 30, "end_s": (i + 1) * 30}
                      for i, lab in enumerate(["intro", "verse", "chorus", "verse", "chorus", "bridge", "chorus",
                                               "outro"])]}
COLORS = ["red", "white", "blue", "gold", "#12ab34", "magenta"]


def bench_line(name: str, value: float, unit: str, target: str | None) -> None:
    print("BENCH " + json.dumps({"name": name, "value": round(value, 1), "unit": unit, "target": target}))


def main() -> None:
    editor = ProjectEditor(build_project(SETUP))
    for b in range(4):  # 4 × 250 = 1,000 segments
        editor.paint(b, [solid(i * 900 + b * 10, i * 900 + b * 10 + 600, COLORS[(i + b) % len(COLORS)])
                         for i in range(250)])
    assert editor.project.segment_count() == 1000
    assistant = Assistant(ScriptedProvider([]))
    user = ChatMessage("user", "make the chorus flash red and white on every beat, ball 2 half a beat later")
    t0 = time.perf_counter()
    request = assistant.build_request(editor, [user])
    build_ms = (time.perf_counter() - t0) * 1000
    compact = conversation_tokens(request.messages, request.tools)
    naive_system = BASE_PROMPT + "\n\nProject now (every segment):\n" + json.dumps(naive_context(editor.project),
                                                                                 separators=(",", ":"))
    naive = conversation_tokens([ChatMessage("system", naive_system), user], request.tools)
    tools_only = conversation_tokens([], default_registry().specs())
    context_only = conversation_tokens([request.messages[0]]) - conversation_tokens([ChatMessage("system", BASE_PROMPT)])
    print("prompt tokens per turn, 1,000-segment project (4 balls × 250), estimate ~4 chars/token:")
    print(f"  compact context request   {compact:8,d} tokens  (project context part: {context_only:,d})")
    print(f"  naive full-dump request   {naive:8,d} tokens")
    naive_context_only = naive - compact + context_only
    print(f"  reduction                 {naive / compact:8.1f}x  (project part alone: {context_only:,d} vs "
          f"{naive_context_only:,d} tokens, {naive_context_only / context_only:.0f}x)")
    print(f"  tool schemas (fixed, cacheable prefix) {tools_only:,d} tokens for {len(request.tools)} tools")
    print(f"  building the request took {build_ms:.1f} ms")
    bench_line("assistant.prompt_tokens_compact_1000seg", compact, "tokens", None)
    bench_line("assistant.prompt_tokens_naive_1000seg", naive, "tokens", None)
    bench_line("assistant.prompt_token_reduction_1000seg", naive / compact, "x", ">= 3")
    bench_line("assistant.context_part_reduction_1000seg", naive_context_only / context_only, "x", None)
    bench_line("assistant.tool_schema_tokens", tools_only, "tokens", None)


if __name__ == "__main__":
    main()
