"""reST → sections: heading levels, markup made plain, literal blocks, directives, glossary terms."""

from corta.retrieval.chunking import chunk_sections
from corta.retrieval.rest import clean_inline, parse_rest

PAGE = """\
.. _tut-morecontrol:

***********************
More Control Flow Tools
***********************

Besides the :keyword:`while` statement, Python has others.

.. _tut-functions:

Defining Functions
==================

.. index::
   single: def

The keyword :keyword:`def` introduces a function *definition*.  For example::

   def fib(n):
       return n

.. note::
   Call :func:`len` on a ``list``, see :ref:`the tutorial <tut-lists>`.

Default Argument Values
-----------------------

.. versionadded:: 3.8
   Positional-only parameters.

Give a default with ``name=value``.

Lambda Expressions
==================

Small anonymous functions are created with :keyword:`lambda`.
"""


def test_headings_nest_by_adornment_and_the_text_is_readable() -> None:
    sections = parse_rest(PAGE)
    assert [section.headings for section in sections] == [
        (),
        ("More Control Flow Tools",),
        ("More Control Flow Tools", "Defining Functions"),
        ("More Control Flow Tools", "Defining Functions", "Default Argument Values"),
        ("More Control Flow Tools", "Lambda Expressions"),
    ]
    functions = sections[2].blocks
    assert functions[0].text == "The keyword def introduces a function definition.  For example:"
    assert functions[1].code and functions[1].text == "def fib(n):\n    return n"
    assert functions[2].text == "Note: Call len on a list, see the tutorial."
    defaults = [block.text for block in sections[3].blocks]
    assert defaults == ["New in version 3.8. Positional-only parameters.", "Give a default with name=value."]


def test_index_directives_labels_and_comments_leave_no_trace() -> None:
    text = "\n\n".join(block.text for section in parse_rest(PAGE) for block in section.blocks)
    for noise in (".. ", "index::", "single: def", "_tut-", ":keyword:", "``"):
        assert noise not in text


def test_roles_literals_links_and_emphasis_become_plain_text() -> None:
    assert clean_inline(":func:`~os.path.join` and :meth:`!str.upper`") == "join and str.upper"
    assert clean_inline("see `the docs <https://docs.python.org>`_ and :pep:`8`") == "see the docs and PEP 8"
    assert clean_inline("**bold**, *emphasis* and ``*args``") == "bold, emphasis and *args"


def test_a_glossary_makes_one_section_per_term() -> None:
    glossary = """\
Glossary
========

.. glossary::

   list comprehension
      A compact way to build a list.  See :term:`generator`.

   generator
   generator function
      A function which returns a generator iterator.
"""
    chunks = chunk_sections(parse_rest(glossary), "glossary.rst", "python-docs", "en")
    assert [(chunk.path, chunk.text) for chunk in chunks] == [
        ("glossary.rst > Glossary > list comprehension", "A compact way to build a list.  See generator."),
        (
            "glossary.rst > Glossary > generator, generator function",
            "A function which returns a generator iterator.",
        ),
    ]
