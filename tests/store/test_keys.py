"""Key store: file fallback is private, keys never appear in reprs, info or log lines."""

from __future__ import annotations

import logging
import stat

import pytest

from sequence_maker.store.keys import KeyStore, KeyStoreError, RedactKeysFilter

KEY = "sk-test-0123456789abcdefWXYZ"


def test_file_backend_is_private_and_roundtrips(tmp_path):
    ks = KeyStore(tmp_path / "keys.json", use_keyring=False)
    assert ks.backend == "file"
    assert ks.info("openai") == {"set": False, "last4": None}
    info = ks.set("openai", KEY)
    assert info == {"set": True, "last4": "WXYZ"}
    mode = stat.S_IMODE((tmp_path / "keys.json").stat().st_mode)
    assert mode == 0o600
    secret = KeyStore(tmp_path / "keys.json", use_keyring=False).get("openai")
    assert secret.reveal() == KEY and KEY not in repr(secret) and KEY not in str(secret)
    ks.delete("openai")
    assert ks.get("openai") is None
    assert not list(tmp_path.glob(".keys-*"))  # no temp files left behind


def test_rejects_bad_keys_without_echoing_them(tmp_path):
    ks = KeyStore(tmp_path / "k.json", use_keyring=False)
    with pytest.raises(KeyStoreError) as ei:
        ks.set("p", "sk-has space inside-123")
    assert "has space" not in str(ei.value)


def test_log_filter_redacts_known_keys(tmp_path, caplog):
    ks = KeyStore(tmp_path / "k.json", use_keyring=False)
    ks.set("p", "plainsecretvalue99")
    logger = logging.getLogger("seqmaker.test.keys")
    logger.addFilter(RedactKeysFilter(ks))
    with caplog.at_level(logging.INFO, logger="seqmaker.test.keys"):
        logger.info("calling with %s and %s", "plainsecretvalue99", KEY)
    text = caplog.text
    assert "plainsecretvalue99" not in text and KEY not in text and "********" in text


def test_log_filter_keeps_record_shape_and_scrubs_tracebacks(tmp_path):
    ks = KeyStore(tmp_path / "k.json", use_keyring=False)
    ks.known.add("tok-abcdefgh12345")
    f = RedactKeysFilter(ks)
    rec = logging.LogRecord("uvicorn.access", logging.INFO, __file__, 1, '%s - "%s %s"',
                            ("127.0.0.1:1", "GET", "/?token=tok-abcdefgh12345"), None)
    assert f.filter(rec)
    assert isinstance(rec.args, tuple) and rec.args[2] == "/?token=********"
    try:
        raise RuntimeError("failed with tok-abcdefgh12345")
    except RuntimeError:
        import sys

        err = logging.LogRecord("x", logging.ERROR, __file__, 1, "boom", None, sys.exc_info())
    f.filter(err)
    text = logging.Formatter().format(err)
    assert "RuntimeError" in text and "tok-abcdefgh12345" not in text


def test_log_filter_rescrubs_a_traceback_another_filter_already_formatted(tmp_path):
    import logging
    import sys

    from sequence_maker.store.keys import KeyStore, RedactKeysFilter

    store = KeyStore(tmp_path / "keys.json", use_keyring=False)
    store.set("p", "zz-secret-value-1234567890")
    try:
        raise RuntimeError("failed with zz-secret-value-1234567890")
    except RuntimeError:
        info = sys.exc_info()
    record = logging.LogRecord("x", logging.ERROR, __file__, 1, "boom", None, info)
    record.exc_text = logging.Formatter().formatException(info)  # as if an earlier filter ran first
    RedactKeysFilter(store).filter(record)
    assert "zz-secret-value-1234567890" not in record.exc_text
    assert "RuntimeError" in record.exc_text
