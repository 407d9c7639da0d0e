"""Every long text of a key is a secret, whatever kind of TOML string holds it."""

from __future__ import annotations

from border_bargains.nbgrader_steps.key_text import key_secrets

KEY = '''
[items.who]
m1 = { answer = "walsh", why = "He says it in the second answer." }
m2 = { answer = 'customs and border protection', why = 'Literal strings count too.' }

[items.long]
p = { answer = 1, why = """A multi-line explanation
that spans two lines.""" }
'''


def test_every_kind_of_string_is_found(tmp_path):
    path = tmp_path / "answer_key.toml"
    path.write_text(KEY, encoding="utf-8")
    found = key_secrets(path)
    assert "He says it in the second answer." in found
    assert "customs and border protection" in found
    assert "Literal strings count too." in found
    assert "A multi-line explanation\nthat spans two lines." in found
    assert "walsh" not in found  # short answers are ordinary course words


def test_a_key_that_is_not_toml_still_gives_its_long_lines(tmp_path):
    path = tmp_path / "answer_key.toml"
    path.write_text('[items.x\na = { answer = "a long answer text here" }\n', encoding="utf-8")
    assert key_secrets(path) == ['a = { answer = "a long answer text here" }']


def test_no_key_no_secrets(tmp_path):
    assert key_secrets(tmp_path / "absent.toml") == []
