"""Fuzzing the lyrics readers and the ball protocol parsers: any input either parses or raises
the module's own clear error type — never another exception."""

from __future__ import annotations

import json

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sequence_maker.balls import protocol as P
from sequence_maker.lyrics import LyricsError, parse_lrc, parse_synced_json, parse_xtiming

FUZZ = settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])

lrc_line = st.one_of(
    st.text(max_size=40),
    st.builds(lambda m, s, t: f"[{m:02d}:{s:05.2f}]{t}", st.integers(0, 120), st.floats(0, 59.99), st.text(max_size=20)),
    st.builds(lambda k, v: f"[{k}:{v}]", st.sampled_from(["ti", "ar", "offset", "length"]), st.text(max_size=10)),
    st.builds(lambda m, s, t: f"<{m:02d}:{s:05.2f}>{t}", st.integers(0, 99), st.floats(0, 59.99), st.text(max_size=8)),
)


@FUZZ
@given(st.lists(lrc_line, max_size=12).map("\n".join))
def test_lrc_reader_never_crashes(text):
    try:
        ly = parse_lrc(text)
    except LyricsError as e:
        assert str(e)
    else:
        assert [ln.start_ms for ln in ly.lines] == sorted(ln.start_ms for ln in ly.lines)


json_value = st.recursive(
    st.one_of(st.none(), st.booleans(), st.integers(-10**6, 10**6), st.floats(allow_nan=True), st.text(max_size=10)),
    lambda inner: st.one_of(st.lists(inner, max_size=5), st.dictionaries(st.text(max_size=8), inner, max_size=5)),
    max_leaves=25,
)
word = st.dictionaries(st.sampled_from(["word", "start", "end", "alignedWord", "case"]), json_value, max_size=5)


@FUZZ
@given(st.one_of(json_value, st.fixed_dictionaries({"word_timestamps": st.lists(word, max_size=6)}),
                 st.fixed_dictionaries({"words": st.lists(word, max_size=6)})))
def test_synced_json_reader_never_crashes(data):
    try:
        ly = parse_synced_json(json.loads(json.dumps(data, allow_nan=True)))
    except LyricsError as e:
        assert str(e)
    else:
        assert all(0 <= w.start_ms <= w.end_ms for w in ly.words)


attr = st.one_of(st.integers(-5, 10**7).map(str), st.text(max_size=5))
effect = st.builds(lambda a, b, lbl: f'<Effect label="{lbl}" starttime="{a}" endtime="{b}"/>', attr, attr,
                   st.text(alphabet="abc xyz", max_size=6))
layer = st.lists(effect, max_size=4).map(lambda es: "<EffectLayer>" + "".join(es) + "</EffectLayer>")


@FUZZ
@given(st.one_of(st.text(max_size=60),
                 st.lists(layer, max_size=3).map(lambda ls: "<timings><timing name='t'>" + "".join(ls) + "</timing></timings>")))
def test_xtiming_reader_never_crashes(text):
    try:
        parse_xtiming(text)
    except LyricsError as e:
        assert str(e)


@FUZZ
@given(st.binary(max_size=120))
def test_ball_parsers_never_crash(data):
    for fn in (P.parse_live_packet, P.parse_upload_header):
        try:
            fn(data)
        except P.BallProtocolError as e:
            assert str(e)
    P.parse_announcement(data, "127.0.0.1")
