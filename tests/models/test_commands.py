import contextlib
import json
import os
import queue
import select
import subprocess
import sys
import threading
from types import SimpleNamespace

import pytest
from click.testing import CliRunner

from listener.cli import main
from listener.config import ClassifierConfig
from models.commands import classify_command, eval_command


def test_classify_prints_one_json_object_per_argument():
    result = CliRunner().invoke(classify_command, ["Llevo 3 horas esperando, nadie responde", "Gracias, todo genial"])
    assert result.exit_code == 0, result.output
    first, second = (json.loads(line) for line in result.output.strip().split("\n"))
    assert first["text"] == "Llevo 3 horas esperando, nadie responde"
    assert first["complaint_prob"] > 0.5 > second["complaint_prob"]
    assert first["cues"] and first["lang"] == "es" and first["model"] == "embedded"


def test_classify_reads_stdin_lines_without_arguments():
    result = CliRunner().invoke(classify_command, [], input="first post\n\nsecond post\n")
    assert result.exit_code == 0, result.output
    assert [json.loads(line)["text"] for line in result.output.strip().split("\n")] == ["first post", "second post"]


def test_classify_does_not_read_the_byte_order_mark_of_a_windows_file_as_part_of_its_first_post():
    plain = CliRunner().invoke(classify_command, [], input="no funciona la app\n")
    result = CliRunner().invoke(classify_command, [], input="\ufeffno funciona la app\r\n\r\nsecond post\r\n".encode())
    assert result.exit_code == 0, result.output
    first, second = (json.loads(line) for line in result.output.strip().split("\n"))
    assert (first["text"], second["text"]) == ("no funciona la app", "second post")
    assert first == json.loads(plain.output)


def test_classify_names_the_stdin_line_that_is_not_utf8_instead_of_a_traceback():
    result = CliRunner().invoke(classify_command, [], input=b"no funciona la app\nbad \xff byte\n")
    assert result.exit_code == 1
    assert "line 2 of standard input is not UTF-8 text" in result.output
    assert "complaint_prob" not in result.output


def test_classify_names_an_argument_that_is_not_utf8_instead_of_printing_json_that_is_not():
    # Python hands over an argument's bytes that are not UTF-8 as lone surrogates ("\udcff" for 0xff).
    result = CliRunner().invoke(classify_command, ["no funciona la app", "bad \udcff byte"])
    assert result.exit_code == 2
    assert "text 2 is not UTF-8 text" in result.output
    assert "complaint_prob" not in result.output


def test_classify_names_a_blank_argument_instead_of_scoring_it():
    result = CliRunner().invoke(classify_command, ["Llevo 3 horas esperando", "   "])
    assert result.exit_code == 2
    assert "text 2 is blank: there is nothing to classify" in result.output
    assert "complaint_prob" not in result.output


def test_classify_uses_the_configured_backend():
    obj = SimpleNamespace(classifier=ClassifierConfig(backend="lexicon"))
    result = CliRunner().invoke(classify_command, ["no funciona"], obj=obj)
    assert json.loads(result.output)["model"] == "lexicon"


def test_a_config_naming_a_language_the_detector_lacks_stops_the_command_with_exit_2(tmp_path):
    config = tmp_path / "listener.toml"
    config.write_text('[[brands]]\nname = "Lumora"\n\n[classifier]\nlanguages = ["es", "xx"]\n', encoding="utf-8")
    result = CliRunner().invoke(main, ["--config", str(config), "classify", "hola"])
    assert result.exit_code == 2
    assert "config error: the language detector (py3langid) has no model for 'xx'" in result.output


def test_eval_on_a_file_without_labels_names_the_line_instead_of_a_traceback(tmp_path):
    unlabelled = tmp_path / "posts.jsonl"
    unlabelled.write_text('{"id": "1", "text": "Lumora sin internet", "created_at": "2026-11-19T10:00:00Z"}\n')
    obj = SimpleNamespace(classifier=ClassifierConfig(backend="lexicon"))
    result = CliRunner().invoke(eval_command, ["--task", "complaint", "--data", str(unlabelled)], obj=obj)
    assert result.exit_code == 1 and result.exception.__class__ is SystemExit
    assert f"Error: {unlabelled}:1: not a data record with text, label and lang" in result.output


@pytest.mark.parametrize(
    ("bad_line", "what"),
    [
        ('{"text": "Lumora caída", "label": 5, "lang": "es"}', "label is 5"),
        ('{"text": "Lumora caída", "label": "negative", "lang": "es"}', "label is 'negative'"),
        ('{"text": "Lumora caída", "label": 0.5, "lang": "es"}', "label is 0.5"),
        ('{"text": "Lumora caída", "label": true, "lang": "es"}', "label is True"),
        ('{"text": null, "label": 0, "lang": "es"}', "text is None"),
        ('{"text": "Lumora caída", "label": 0, "lang": null}', "lang is None"),
        ('{"text": "Lumora caída"}', "no label, lang"),
        ('["Lumora caída", 0, "es"]', "a JSON list instead of an object"),
    ],
)
def test_eval_names_the_line_and_what_is_wrong_with_it(tmp_path, bad_line, what):
    data = tmp_path / "dev.jsonl"
    data.write_text('{"text": "Lumora va genial", "label": 2, "lang": "es"}\n' + bad_line + "\n", encoding="utf-8")
    obj = SimpleNamespace(classifier=ClassifierConfig(backend="lexicon"))
    result = CliRunner().invoke(eval_command, ["--task", "sentiment", "--data", str(data)], obj=obj)
    assert result.exit_code == 1 and result.exception.__class__ is SystemExit
    assert f"Error: {data}:2: not a data record with text, label and lang ({what}" in result.output


def test_eval_names_the_file_and_line_that_is_not_utf8(tmp_path):
    """The whole file was decoded first: the error named neither the file nor the line."""
    data = tmp_path / "dev.jsonl"
    data.write_bytes(b'{"text": "Lumora va genial", "label": 2, "lang": "es"}\n{"text": "ca\xeddo", "label": 0, '
                     b'"lang": "es"}\n')
    obj = SimpleNamespace(classifier=ClassifierConfig(backend="lexicon"))
    result = CliRunner().invoke(eval_command, ["--task", "sentiment", "--data", str(data)], obj=obj)
    assert result.exit_code == 1 and result.exception.__class__ is SystemExit
    assert f"Error: {data}:2: not UTF-8 text (" in result.output and "save the file as UTF-8" in result.output


@pytest.mark.parametrize("threshold", ["7", "-1", "nan"])
def test_eval_refuses_a_threshold_that_is_no_probability(tmp_path, threshold):
    data = tmp_path / "dev.jsonl"
    data.write_text('{"text": "Lumora no funciona", "label": 1, "lang": "es"}\n', encoding="utf-8")
    obj = SimpleNamespace(classifier=ClassifierConfig(backend="lexicon"))
    result = CliRunner().invoke(eval_command, ["--task", "complaint", "--data", str(data), "--threshold", threshold],
                                obj=obj)
    assert result.exit_code == 2 and "Invalid value for '--threshold'" in result.output, result.output
    assert "macro_f1" not in result.output


def test_classify_with_standard_input_closed_does_not_print_a_traceback():
    """Started with fd 0 closed (`listener classify <&-`), sys.stdin is None: an AttributeError traceback."""
    result = subprocess.run([sys.executable, "-m", "listener", "classify"], capture_output=True, text=True,
                            preexec_fn=lambda: os.close(0), timeout=60)
    assert result.returncode == 2, result.stderr
    assert "Traceback" not in result.stderr
    assert "standard input is closed; give the texts as arguments" in result.stderr


def test_classify_of_a_long_standard_input_does_not_wait_for_its_end_to_print():
    """Every line was read, and held with its result, before the first was printed: 200,000 lines took 310 MB
    and printed nothing for three minutes; a feed that never ends printed nothing at all."""
    from models.commands import STDIN_BATCH

    with subprocess.Popen([sys.executable, "-m", "listener", "classify"], stdin=subprocess.PIPE,
                          stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True) as process:
        process.stdin.write("Lumora sin internet desde ayer\n" * STDIN_BATCH)
        process.stdin.flush()  # and left open, as a feed is
        ready, _, _ = select.select([process.stdout], [], [], 30)
        first = process.stdout.readline() if ready else ""
        process.stdin.close()
        rest = process.stdout.read()
    assert json.loads(first)["text"] == "Lumora sin internet desde ayer"
    assert len(rest.splitlines()) == STDIN_BATCH - 1


def test_classify_of_a_feed_that_stays_open_does_not_wait_for_a_thousand_lines_to_print():
    """Standard input was read a thousand lines at a time: a feed (`tail -f posts.txt | listener classify`) printed
    nothing until a thousand posts had come, or it ended."""
    with subprocess.Popen([sys.executable, "-m", "listener", "classify"], stdin=subprocess.PIPE,
                          stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True) as process:
        process.stdin.write("Lumora sin internet desde ayer\n\nthe app works fine\n")
        process.stdin.flush()  # and left open
        # Lines are read in a thread: select() on the pipe misses a second line already in the reader's buffer.
        lines: queue.Queue[str] = queue.Queue()
        threading.Thread(target=lambda: lines.put(process.stdout.readline()) or lines.put(process.stdout.readline()),
                         daemon=True).start()
        printed = []
        with contextlib.suppress(queue.Empty):
            while len(printed) < 2:
                printed.append(lines.get(timeout=30))
        process.stdin.close()
        rest = process.stdout.read()
    assert [json.loads(line)["text"] for line in printed] == ["Lumora sin internet desde ayer", "the app works fine"]
    assert rest == ""


def test_classify_with_listener_config_naming_no_file_does_not_fall_back_to_the_defaults(tmp_path, monkeypatch):
    """--config naming no file exits 2; $LISTENER_CONFIG naming none classified with the default classifier, as if
    no config were meant: a typo in the variable silently dropped the configured backend and languages."""
    monkeypatch.chdir(tmp_path)
    missing = tmp_path / "typo.toml"
    result = CliRunner().invoke(main, ["classify", "no funciona"], env={"LISTENER_CONFIG": str(missing)})
    assert result.exit_code == 2, result.output
    assert f"config error: {missing}: no such config file" in result.output
