"""The Chinese translation (.po): paragraphs grouped under the English headings they follow, with their code."""

import polib

from corta.retrieval.rest import parse_rest
from corta.retrieval.sources.python_docs_zh import python_docs_zh_files, read_python_docs_zh
from tests.retrieval.conftest import tutor_data

ENGLISH = """\
Functions
*********

Intro to functions.

Default Argument Values
=======================

The most useful form is to specify a default value.  For example::

   def ask_ok(prompt, retries=4):
       pass

This function can be called in several ways.
"""

PO = """\
msgid ""
msgstr ""
"Content-Type: text/plain; charset=UTF-8\\n"

#: ../../tutorial/functions.rst:1
msgid "Functions"
msgstr "函数"

#: ../../tutorial/functions.rst:4
msgid "Intro to functions."
msgstr "函数简介。"

#: ../../tutorial/functions.rst:7
msgid "Default Argument Values"
msgstr "默认值参数"

#: ../../tutorial/functions.rst:10
msgid ""
"The most useful form is to specify a default value.  For "
"example::"
msgstr "为参数指定默认值是非常有用的方式。例如："

#: ../../tutorial/functions.rst:15
msgid "This function can be called in several ways."
msgstr ""
"""


def test_po_paragraphs_follow_the_english_sections_and_fall_back_to_the_msgid(tmp_path) -> None:
    (tmp_path / "python311_docs_rst" / "tutorial").mkdir(parents=True)
    (tmp_path / "python311_docs_rst" / "tutorial" / "functions.rst.txt").write_text(ENGLISH, encoding="utf-8")
    po_dir = tmp_path / "python_docs_zh_cn_3.11"
    (po_dir / "tutorial").mkdir(parents=True)
    (po_dir / "tutorial" / "functions.po").write_text(PO, encoding="utf-8")
    assert len(polib.pofile(str(po_dir / "tutorial" / "functions.po"))) == 5
    chunks = read_python_docs_zh(po_dir, po_dir / "tutorial" / "functions.po")
    assert [(chunk.path, chunk.title, chunk.language, chunk.source) for chunk in chunks] == [
        ("tutorial/functions.rst > Functions", "函数", "zh", "python-docs-zh"),
        ("tutorial/functions.rst > Default Argument Values", "默认值参数", "zh", "python-docs-zh"),
    ]
    assert chunks[0].text == "函数简介。"
    assert chunks[1].text == (
        "为参数指定默认值是非常有用的方式。例如：\n\n"
        "def ask_ok(prompt, retries=4):\n    pass\n\n"
        "This function can be called in several ways."
    )
    assert parse_rest(ENGLISH)[2].headings == ("Functions", "Default Argument Values")


def test_the_real_translation_is_cited_like_the_english_page() -> None:
    root = tutor_data() / "python_docs_zh_cn_3.11"
    assert root / "tutorial" / "controlflow.po" in python_docs_zh_files(root)
    chunks = read_python_docs_zh(root, root / "tutorial" / "controlflow.po")
    defaults = [chunk for chunk in chunks if chunk.title == "4.8.1 默认值参数"]
    assert defaults[0].path == (
        "tutorial/controlflow.rst > 4.8 More on Defining Functions > 4.8.1 Default Argument Values"
    )
    assert "为参数指定默认值" in defaults[0].text
