"""The small-model view of the tools: one way to say a time, same tools, cloud schemas unchanged."""

from __future__ import annotations

import json

import pytest

from sequence_maker.assistant.tools import default_registry
from sequence_maker.assistant.tools.resolve import ResolveError
from sequence_maker.model import solid

from .helpers import make_editor
from .test_tools import run


def _specs():
    return {s.name: s for s in default_registry().specs()}


def test_cloud_schemas_carry_no_private_marks():
    for spec in default_registry().specs():
        text = json.dumps(spec.parameters)
        assert "x-advanced" not in text and "x-small-model" not in text
        if spec.small_model_parameters is not None:
            assert "x-advanced" not in json.dumps(spec.small_model_parameters)


def test_small_view_says_times_only_with_when():
    specs = _specs()
    full, small = specs["create_segment"].parameters, specs["create_segment"].small_model_parameters
    assert {"when", "start", "duration", "end"} <= set(full["properties"]) and "when" not in full.get("required", [])
    assert small is not None and "start" not in small["properties"] and "when" in small["required"]
    clear = specs["clear_timeline"].small_model_parameters  # optional range: still optional ("default all")
    assert clear is not None and "when" not in clear.get("required", []) and "start" not in clear["properties"]
    item = specs["create_segments_batch"].small_model_parameters["$defs"]["BatchItem"]  # nested objects too
    assert "start" not in item["properties"] and "when" in item["required"]
    modify = specs["modify_segment"].small_model_parameters
    assert modify is not None and set(modify["properties"]) == {"ball", "at", "color", "end_color"}


def test_tools_without_alternatives_have_no_small_view():
    specs = _specs()
    assert specs["play_audio"].small_model_parameters is None
    assert specs["set_volume"].small_model_parameters is None


def test_when_alone_says_what_start_and_duration_say():
    a, b = make_editor(), make_editor()
    run(a, "create_segment", when="2.5 seconds starting at 0:30", balls=2, color="red")
    run(b, "create_segment", start="0:30", duration=2.5, balls=2, color="red")
    assert a.project.balls[1].segment_list() == b.project.balls[1].segment_list()


def test_modify_without_a_segment_lists_the_segments_and_points_to_create_segment():
    editor = make_editor()
    editor.paint(0, [solid(10_000, 20_000, "red")])
    with pytest.raises(ResolveError) as err:
        run(editor, "modify_segment", ball=1, at="0:05", color="blue")
    text = str(err.value)
    assert "10–20 s" in text and "create_segment" in text
    with pytest.raises(ResolveError, match="no segments at all"):
        run(editor, "delete_segment", ball=2, at="0:05")


def test_a_range_given_to_modify_or_delete_names_the_call_that_was_meant():
    editor = make_editor()
    with pytest.raises(ResolveError) as err:
        run(editor, "modify_segment", ball=1, at="last 10 seconds", color="blue")
    text = str(err.value)
    assert "'last 10 seconds' is a time range" in text
    assert 'create_segment(when="last 10 seconds", balls=1, color="blue")' in text
    with pytest.raises(ResolveError) as err:
        run(editor, "delete_segment", ball=2, at="bars 1-2")
    assert 'clear_timeline(when="bars 1-2", balls=2)' in str(err.value)
    # a moment that is neither a time nor a range keeps the resolver's own explanation
    with pytest.raises(ResolveError, match="cannot read time 'whenever'"):
        run(editor, "modify_segment", ball=1, at="whenever", color="blue")
    assert editor.project.balls[0].segment_list() == []
