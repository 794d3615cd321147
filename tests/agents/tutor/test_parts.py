"""The tutor's deterministic parts: language detection, request bounds, code blocks and the hint guard."""

from corta.agents.tutor.code_blocks import code_lines, python_blocks, replace_block, reply_blocks, run_blocks
from corta.agents.tutor.language import detect_language
from corta.agents.tutor.nodes import excerpt
from corta.agents.tutor.reflection import code_faults, deterministic_problems
from corta.agents.tutor.whole_sentences import whole_sentences


def test_language_follows_the_words_not_the_code():
    assert detect_language("什么是列表推导式？") == "zh"
    assert detect_language("为什么 `for i in range(len(items))` 报错 IndexError？") == "zh"
    assert detect_language("What is a list comprehension?") == "en"
    assert detect_language("Why does print('你好') fail on my terminal with UnicodeEncodeError?") == "en"


def test_python_blocks_read_fences_and_interactive_sessions():
    reply = "A\n```python\nx = 1\n```\n```bash\npip install x\n```\n```\n>>> y = 2\n>>> y + 1\n3\n```"
    assert python_blocks(reply) == ["x = 1\n", "y = 2\ny + 1"]
    assert code_lines(reply) == 5


def test_terminal_commands_are_not_run_as_python_whatever_their_tag():
    reply = (
        "```python\npython3 -m venv tutorial-env\n```\n"
        "```\ntutorial-env\\Scripts\\activate.bat\n```\n"
        "```python\n$ pip install requests\n```\n"
        "```python\nset = {1, 2}\nls = sorted(set)\n```\n"
        "```python\npython = 3\nprint(python +)\n```"
    )
    # Python that names a command still runs, and so does broken Python that is not a command line.
    assert python_blocks(reply) == ["set = {1, 2}\nls = sorted(set)\n", "python = 3\nprint(python +)\n"]


def test_blocks_run_in_the_sandbox_and_input_is_not_a_fault():
    runs = run_blocks(
        ["total = sum([1, 2])\nassert total == 3", "name = input()", "while True:\n    pass", "1/0"]
    )
    assert [run.kind for run in runs] == ["ok", "forbidden", "timeout", "exception"]
    assert [run.is_fault for run in runs] == [False, False, True, True]
    assert runs[3].message == "ZeroDivisionError: division by zero"


def test_untagged_output_is_not_code_but_tagged_broken_python_is():
    reply = "```python\nprint(1 +)\n```\n```\n2 is a prime number\n8 equals 2 * 4\n```\n```\nprint(2)\n```"
    assert python_blocks(reply) == ["print(1 +)\n", "print(2)\n"]


def test_a_block_runs_after_the_blocks_before_it_even_when_one_of_them_raised():
    runs = run_blocks(
        [
            "import copy\nclass Box:\n    size = 1\nBox.missing()",
            "box = copy.copy(Box())\nprint(box.size)",
            "print(items)",
        ]
    )
    assert [run.kind for run in runs] == ["exception", "ok", "placeholder"]
    assert runs[0].message == "AttributeError: type object 'Box' has no attribute 'missing'"
    # `items` is bound nowhere else in the reply but in a later block: a real fault, not a placeholder.
    runs = run_blocks(["print(items)", "items = [1]"])
    assert runs[0].is_fault and runs[0].message == "NameError: name 'items' is not defined"


def test_placeholders_and_files_are_not_faults_but_a_missing_import_is():
    runs = run_blocks(["match x:\n    case 1:\n        pass", "open('data.csv').read()", "print(sys.argv)"])
    assert [run.kind for run in runs] == ["placeholder", "environment", "exception"]
    assert [run.is_fault for run in runs] == [False, False, True]


def test_errors_shown_on_purpose_are_not_faults():
    reply = (
        "Define your own error and raise it:\n```python\nclass LimitError(Exception):\n    pass\n"
        "raise LimitError('too big')\n```\nAn indented first line fails:\n```python\n"
        "x = 1\n    y = 2   # error: unexpected indent\n```\n```python\nx = 1\n    y = 2\n```"
    )
    runs = run_blocks(python_blocks(reply))
    assert runs[0].message == "LimitError: too big"
    assert [run.kind for run in runs] == ["exception", "syntax", "syntax"]
    assert code_faults(reply, runs) == [2]


def test_a_repaired_block_takes_the_place_and_indent_of_the_old_one():
    reply = "1. First:\n   ```python\n   print(items[2])\n   ```\n2. Then:\n   ```python\n   print(items[2])\n   ```"
    block = reply_blocks(reply)[0]
    repaired = replace_block(reply, block, "print(items[1])\n")
    assert repaired == reply.replace("items[2]", "items[1]", 1)


def test_hint_guard_counts_code_lines_in_any_language():
    one_line = "Think about `range`. For example:\n```python\nprint(list(range(3)))\n```"
    assert deterministic_problems(one_line, "hint", []) == []
    fix = "Try:\n```\nfor i in range(len(xs)):\n    print(xs[i])\n```"
    assert deterministic_problems(fix, "hint", []) and deterministic_problems(fix, "explain", []) == []


def test_a_passage_is_cut_after_a_sentence_and_marked():
    text = "A list is a sequence. It keeps order.\n\nSlices copy. " + "More words here " * 40
    assert excerpt(text, 60) == "A list is a sequence. It keeps order.\n\nSlices copy. …"
    assert excerpt(text, 45) == "A list is a sequence. It keeps order. …"
    assert excerpt("short", 60) == "short"
    unbroken = "word " * 30
    assert excerpt(unbroken, 42) == ("word " * 8).rstrip() + " …"


def test_a_reply_cut_by_its_budget_keeps_its_whole_sentences():
    assert whole_sentences("Look at line 3. What does range(n) give? It stops bef") == (
        "Look at line 3. What does range(n) give?"
    )
    assert whole_sentences("看第三行。循环到哪里停止？它在") == "看第三行。循环到哪里停止？"
    assert whole_sentences("Try this:\n```python\nfor i in range(3):\n    print(i") == "Try this:"
    closed = "Compare:\n```python\nx = [1, 2]\n```\nThen think about how the"
    assert whole_sentences(closed) == "Compare:\n```python\nx = [1, 2]\n```"
    finished = "Which index does the loop reach last [1]?"
    assert whole_sentences(finished) == finished
    assert whole_sentences("no sentence ends here at all") == "no sentence ends here at all"
    comment_in_code = "See:\n```python\nx = 1  # one. two\ny = 2"
    assert whole_sentences(comment_in_code) == "See:"
