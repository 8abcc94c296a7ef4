"""Lyrics import/export round-trips, bad files, and undoable word-timing edits."""

from __future__ import annotations

import json

import pytest

from sequence_maker.history import ProjectEditor
from sequence_maker.lyrics import (
    LyricsError,
    load_lyrics,
    parse_lrc,
    parse_synced_json,
    parse_xtiming,
    to_lrc,
    to_xtiming,
)
from sequence_maker.lyrics.edit import merge_words, set_word_timing, split_word
from sequence_maker.model import Lyrics, LyricWord, Project

LRC = """[ti:You Know Me]
[ar:Someone]
[00:10.70]<00:10.70>you <00:11.03>know <00:11.40>me
[00:12.50]<00:12.50>and <00:12.90>I
"""


def test_lrc_lines_and_enhanced_words():
    ly = parse_lrc(LRC)
    assert [ln.text for ln in ly.lines] == ["you know me", "and I"]
    assert [ln.start_ms for ln in ly.lines] == [10700, 12500]
    assert ly.lines[0].end_ms == 12500
    assert [(w.text, w.start_ms, w.end_ms) for w in ly.words[:3]] == [
        ("you", 10700, 11030), ("know", 11030, 11400), ("me", 11400, 12500)]
    assert ly.title == "You Know Me" and ly.artist == "Someone"


def test_lrc_round_trip_keeps_timing():
    ly = parse_lrc(LRC)
    again = parse_lrc(to_lrc(ly, word_tags=True))
    assert [(ln.text, ln.start_ms) for ln in again.lines] == [(ln.text, ln.start_ms) for ln in ly.lines]
    assert [(w.text, w.start_ms) for w in again.words] == [(w.text, w.start_ms) for w in ly.words]


def test_lrc_offset_and_multiple_stamps():
    ly = parse_lrc("[offset:500]\n[00:01.00][00:05.00]la la\n")
    assert [ln.start_ms for ln in ly.lines] == [500, 4500]


def test_xtiming_round_trip():
    ly = parse_lrc(LRC)
    xml = to_xtiming(ly, "Vocals")
    back = parse_xtiming(xml)
    assert back.words == ly.words
    assert [(ln.text, ln.start_ms) for ln in back.lines] == [(ln.text, ln.start_ms) for ln in ly.lines]
    assert back.title == "Vocals"


def test_synced_json_earlier_app(tmp_path):
    data = {"song_title": "S", "artist_name": "A", "raw_lyrics": "you know me",
            "word_timestamps": [{"word": "know", "start": 11.03, "end": 11.4},
                                {"word": "you", "start": 10.7, "end": 11.03}],
            "processing_status": {"lyrics_aligned": True}}
    p = tmp_path / "song.synced_lyrics.json"
    p.write_text(json.dumps(data))
    ly = load_lyrics(p)
    assert [w.text for w in ly.words] == ["you", "know"]  # sorted by time
    assert ly.words[0].start_ms == 10700
    assert ly.extras["processing_status"] == {"lyrics_aligned": True}  # kept


def test_gentle_words_without_timing_are_skipped():
    ly = parse_synced_json({"words": [{"word": "a", "alignedWord": "a", "start": 1, "end": 1.2},
                                      {"word": "b", "case": "not-found-in-audio"}]})
    assert [w.text for w in ly.words] == ["a"]


def test_plain_text_is_untimed(tmp_path):
    p = tmp_path / "lyrics.txt"
    p.write_text("line one\nline two\n")
    ly = load_lyrics(p)
    assert ly.words == () and ly.text == "line one\nline two"
    with pytest.raises(LyricsError, match="no timing"):
        to_lrc(ly)


@pytest.mark.parametrize("name,content,match", [
    ("bad.lrc", "no tags here\n", "expected a \\[mm:ss.xx\\] time tag"),
    ("bad.lrc", "[offset:abc]\n[00:01.00]x\n", "offset"),
    ("bad.json", "{not json", "invalid JSON at line 1"),
    ("bad.json", json.dumps({"word_timestamps": [{"word": "x", "start": 2, "end": 1}]}), "bad timing"),
    ("bad.json", json.dumps({"word_timestamps": [{"word": "x", "start": 1}]}), "missing 'end'"),
    ("bad.json", json.dumps([1, 2]), "expected a JSON object"),
    ("bad.xtiming", "<timings><timing><EffectLayer><Effect label='a' starttime='x' endtime='5'/></EffectLayer></timing></timings>", "integers"),
    ("bad.xtiming", "<oops", "not valid XML"),
    ("bad.xtiming", "<foo/>", "no <timing>"),
])
def test_bad_files_give_clear_errors(tmp_path, name, content, match):
    p = tmp_path / name
    p.write_text(content)
    with pytest.raises(LyricsError, match=match) as e:
        load_lyrics(p)
    assert str(p) in str(e.value)


def test_binary_file_is_rejected(tmp_path):
    p = tmp_path / "x.lrc"
    p.write_bytes(b"\xff\xfe\x00\x81")
    with pytest.raises(LyricsError, match="not UTF-8"):
        load_lyrics(p)


def _words() -> Lyrics:
    return Lyrics((LyricWord("hello", 1000, 1500), LyricWord("world", 1500, 2000), LyricWord("again", 2500, 3000)))


def test_word_edits_are_undoable():
    p = Project.new("lyr", balls=1, duration_ms=10_000)
    ed = ProjectEditor(p)
    ed.set_lyrics(_words(), "Import lyrics")
    ed.set_lyrics(set_word_timing(p.lyrics, 2, start_ms=2200), "Move word")
    assert p.lyrics.words[2].start_ms == 2200
    ed.set_lyrics(split_word(p.lyrics, 0, 1200, ("hel", "lo")), "Split word")
    assert [w.text for w in p.lyrics.words] == ["hel", "lo", "world", "again"]
    ed.set_lyrics(merge_words(p.lyrics, 0), "Merge words")
    assert p.lyrics.words[0] == LyricWord("hel lo", 1000, 1500)
    for _ in range(3):
        ed.undo()
    assert p.lyrics == _words()


def test_word_edits_refuse_overlap_and_bad_ranges():
    ly = _words()
    with pytest.raises(LyricsError, match="overlap"):
        set_word_timing(ly, 1, end_ms=2600)
    with pytest.raises(LyricsError, match="after start"):
        set_word_timing(ly, 0, end_ms=900)
    with pytest.raises(LyricsError, match="inside the word"):
        split_word(ly, 0, 1500)
    with pytest.raises(LyricsError, match="last word"):
        merge_words(ly, 2)
    with pytest.raises(LyricsError, match="no word #9"):
        set_word_timing(ly, 8, start_ms=0)
