"""LTX ball file formats: byte-exact ``.prg``, PRG-JSON, ``.ball.json``, ``.seqdesign.json``, export.

Import the submodule you need (kept lazy so the CLI starts fast):
``prg.encode/decode``, ``export.export_project/project_to_prg_bytes``, ``lint.lint_project``,
``importers.import_file``. See docs/formats.md.
"""
