"""The compact prompt a small local model sees, ordered so llama.cpp's prefix cache does the work.

Order matters more than length: prompt evaluation runs at ~60 tokens/s on a 2-core CPU, but
llama.cpp reuses the KV cache for the longest prefix shared with the previous request. So the
system message is [fixed rules][tool list][examples] (identical while the tool set is the same),
then the caller's context (project state changes after every edit, so it goes last), then the
conversation, which only grows at its end within a turn.

Tool calls and results are rendered back in the same call syntax the model answers in, and as
plain user/assistant turns, so any GGUF chat template (Qwen, Llama, Gemma …) can render them.
"""

from __future__ import annotations

import json
from typing import Any

from ..providers.events import ChatMessage, ToolSpec
from .examples import applicable_examples, tool_guide
from .syntax import render_calls, render_reply

RULES = """You are the assistant inside Sequence Maker, an editor of colour programs for LED juggling balls synced to music.
Answer ONLY with tool calls, one per line, written as Python calls with keyword arguments, e.g.
tool_name(text_argument="as the user said it", number_argument=2.5, list_argument=[1, 3])
(one call per requested change; several changes = several lines; a question asked along with them is answered in a last reply("...") line), or, only to talk (answer a question, or ask for a missing detail):
reply("one or two short sentences")
Rules:
- Put the user's whole time phrase into the time argument word for word ("for 2.5 seconds starting at 0:30", "last 10 seconds", "beats 1-8", "the first 4 bars of the chorus", "second chorus"). The tools do all the arithmetic; never compute times yourself.
- Balls are numbers starting at 1, or "all".
- After tool results arrive: if they succeeded, reply in one short sentence saying what changed; if a tool reported an error, fix the call or ask the user.
- Never invent tools or arguments."""


COMPOSED_REPLY = "Done."  # how the agent's own closing sentences read back to the model (see _unseen_results)
WRAP_UP_HINT = "(If these results finish the request, reply in one short sentence; do not repeat calls that succeeded.)"
# Small models tend to read a tool's error back to the user; errors name the call that was meant.
FIX_HINT = "(A call failed: answer with the corrected call; the error often names it. Reply only to ask the user.)"


def _arg_hint(spec: object) -> tuple[str, str]:
    """(inline enum hint, description) of one argument schema."""
    if not isinstance(spec, dict):
        return "", ""
    if "enum" in spec and len(spec["enum"]) <= 8:
        return "=" + "|".join(str(v) for v in spec["enum"]), ""
    return "", str(spec.get("description", "")).strip().rstrip(".")


def tool_lines(tools: list[ToolSpec]) -> list[str]:
    """One line per tool, with each argument's explanation given once in a shared legend.

    Real tool sets repeat the same argument ("when", "balls", "color" …) across many tools; printing
    the description once cuts the prompt to ~40 % and the small model reads it more easily.
    """
    legend: dict[str, str] = {}
    lines: list[str] = []
    for tool in tools:
        params = tool.parameters if isinstance(tool.parameters, dict) else {}
        required = set(params.get("required", []))
        parts = []
        for name, spec in (params.get("properties") or {}).items():
            enum_hint, desc = _arg_hint(spec)
            text = f"{name}{'' if name in required else '?'}{enum_hint}"
            if desc and legend.setdefault(name, desc) != desc:
                text += f" ({desc})"
            parts.append(text)
        lines.append(f"- {tool.name}({', '.join(parts)}): {tool.description.strip()}")
    if legend:
        lines.append("Arguments:")
        lines += [f"- {name}: {desc}" for name, desc in legend.items()]
    return lines


def tool_examples(tool: ToolSpec) -> list[tuple[str, dict[str, Any]]]:
    """(user request, arguments) pairs a tool declares under ``x-examples`` in its parameters schema."""
    found: list[tuple[str, dict[str, Any]]] = []
    raw = tool.parameters.get("x-examples", []) if isinstance(tool.parameters, dict) else []
    for ex in raw if isinstance(raw, list) else []:
        if isinstance(ex, dict) and isinstance(ex.get("say"), str) and isinstance(ex.get("arguments"), dict):
            found.append((ex["say"], ex["arguments"]))
    return found


def system_prefix(tools: list[ToolSpec], extra_examples: list[tuple[str, str]] | None = None) -> str:
    """Everything that stays identical across requests with the same tool set (the cached part)."""
    lines = [RULES]
    guide = tool_guide(tools)
    if guide:
        lines.append("- Pick the tool by the user's words: " + "; ".join(f"{words} = {name}" for words, name in guide) + ".")
    if tools:
        lines.append("Tools:")
        lines += tool_lines(tools)
    examples: list[tuple[str, str]] = []
    for tool in tools:
        for say, args in tool_examples(tool):
            examples.append((say, render_calls([{"name": tool.name, "arguments": args}])))
    for say, calls, reply in applicable_examples(tools):
        said = f"\n{render_reply(reply)}" if reply else ""
        examples.append((say, render_calls([{"name": n, "arguments": a} for n, a in calls]) + said))
    examples += extra_examples or []
    if examples:  # show the wrap-up after results, the step small models skip
        examples.append(("Tool results:\n" + WRAP_UP_HINT + "\n[create_segment ok] done",
                         render_reply("Done: ball 2 is red from 0:30 for 2.5 seconds.")))
        fix = _fix_example(tools)
        if fix:
            examples.append(fix)
    if examples:
        lines.append("Examples:")
        for say, answer in examples:
            lines.append(f"User: {say}\nAnswer: {answer}")
    return "\n".join(lines)


def _fix_example(tools: list[ToolSpec]) -> tuple[str, str] | None:
    """An error that names the intended call, answered by making that call (when both tools are offered).

    Deliberately about clearing, not colouring: an example with create_segment pulls the model
    towards create_segment for flash and fade requests too (measured: -3 cases on the eval suite)."""
    offered = {t.name for t in tools}
    if not {"delete_segment", "clear_timeline"} <= offered:
        return None
    meant = {"name": "clear_timeline", "arguments": {"when": "verse 2", "balls": 3}}
    error = ("[delete_segment ERROR] 'verse 2' is a time range, but delete_segment changes ONE existing "
             f"segment found by a moment inside it; for the range call {render_calls([meant])}")
    return "Tool results:\n" + FIX_HINT + "\n" + error, render_calls([meant])


def _tool_result_line(msg: ChatMessage, names: dict[str, str], *, brief: bool = False) -> str:
    name = msg.name or names.get(msg.tool_call_id or "", "tool")
    status = "ERROR" if msg.is_error else "ok"
    return f"[{name} {status}] {_done_text(msg.content) if brief else msg.content.strip()}"


def _done_text(content: str) -> str:
    """A successful result's own one-line summary ("done"), else the whole result."""
    try:
        body = json.loads(content)
    except ValueError:
        return content.strip()
    done = body.get("done") if isinstance(body, dict) else None
    return done.strip() if isinstance(done, str) and done.strip() else content.strip()


def _unseen_results(messages: list[ChatMessage]) -> set[int]:
    """Indices of tool results the model never read: the agent closed those rounds itself with a
    composed sentence (``meta["composed"]``). They are first rendered on a later turn, so they can
    be rendered briefly (each result's "done" line, no hint) without breaking the prompt cache."""
    unseen: set[int] = set()
    i = 0
    while i < len(messages):
        if messages[i].role != "tool":
            i += 1
            continue
        j = i
        while j < len(messages) and messages[j].role == "tool":
            j += 1
        nxt = messages[j] if j < len(messages) else None
        if nxt is not None and nxt.role == "assistant" and nxt.meta.get("composed"):
            unseen.update(k for k in range(i, j) if not messages[k].is_error)
        i = j
    return unseen


def build_messages(
    messages: list[ChatMessage],
    tools: list[ToolSpec],
    *,
    project_state: str | None = None,
    extra_examples: list[tuple[str, str]] | None = None,
) -> list[dict[str, str]]:
    """OpenAI-style role/content dicts for the model's own chat template.

    Consecutive messages of one role are merged (several templates reject non-alternating turns),
    tool results become a user turn headed "Tool results:", assistant tool calls become the JSON
    the model would have written.
    """
    context = [m.content.strip() for m in messages if m.role == "system" and m.content.strip()]
    system = system_prefix(tools, extra_examples)
    if context:
        system += "\nContext:\n" + "\n".join(context)
    if project_state:
        system += "\nProject now:\n" + project_state.strip()
    out: list[dict[str, str]] = [{"role": "system", "content": system}]
    call_names: dict[str, str] = {}

    def push(role: str, content: str) -> None:
        if len(out) > 1 and out[-1]["role"] == role:
            out[-1]["content"] += "\n" + content
        else:
            out.append({"role": role, "content": content})

    unseen = _unseen_results(messages)
    for index, msg in enumerate(messages):
        if msg.role == "system":
            continue
        if msg.role == "user":
            push("user", msg.content)
        elif msg.role == "assistant":
            for call in msg.tool_calls:
                call_names[str(call.get("id", ""))] = str(call.get("name", "tool"))
            if msg.tool_calls:
                said = f"\n{render_reply(msg.content)}" if msg.content.strip() else ""
                push("assistant", render_calls(msg.tool_calls) + said)
            elif msg.content:
                # a sentence the agent composed from results rendered just above says nothing new
                push("assistant", render_reply(COMPOSED_REPLY if msg.meta.get("composed") else msg.content))
        elif msg.role == "tool":
            brief = index in unseen  # never read by the model: its "done" line, and no hint
            line = _tool_result_line(msg, call_names, brief=brief)
            if out[-1]["role"] == "user" and out[-1]["content"].startswith("Tool results:"):
                if msg.is_error:  # any failed call in the round switches the hint to "fix it"
                    out[-1]["content"] = out[-1]["content"].replace(WRAP_UP_HINT, FIX_HINT, 1)
                out[-1]["content"] += "\n" + line
            else:
                hint = "" if brief else (FIX_HINT if msg.is_error else WRAP_UP_HINT) + "\n"
                push("user", "Tool results:\n" + hint + line)
    if out[-1]["role"] != "user":
        # Templates generate after a user turn; an assistant-last history means "continue".
        out.append({"role": "user", "content": "Continue."})
    return out
