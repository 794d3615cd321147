"""Sections → chunks: citations, the size limit, what is dropped, CJK sizes and language detection."""

from corta.retrieval.chunking import MAX_SIZE, Block, Section, chunk_sections, detect_language, text_size


def test_a_chunk_is_cited_by_document_and_headings_and_titled_by_the_last() -> None:
    sections = [
        Section(("4 Control Flow", "4.1 if Statements"), [Block("The if statement chooses a branch.")])
    ]
    [chunk] = chunk_sections(sections, "tutorial/controlflow.rst", "python-docs", "en")
    assert chunk.path == "tutorial/controlflow.rst > 4 Control Flow > 4.1 if Statements"
    assert chunk.title == "4.1 if Statements"
    assert chunk.embedded_text().startswith("4.1 if Statements\n")


def test_long_sections_are_split_by_paragraph_and_sentence_within_the_limit() -> None:
    paragraph = " ".join(f"Sentence number {index} says something about loops." for index in range(60))
    sections = [Section(("Loops",), [Block(paragraph), Block("Short closing words here.")])]
    chunks = chunk_sections(sections, "doc.rst", "python-docs", "en", max_size=100)
    assert len(chunks) > 3
    assert all(text_size(chunk.text) <= 100 for chunk in chunks)
    assert " ".join(chunk.text for chunk in chunks).split() == [
        *paragraph.split(),
        *["Short", "closing", "words", "here."],
    ]


def test_a_code_block_that_fits_is_kept_whole_and_a_longer_one_is_cut_at_lines() -> None:
    code = "\n".join(f"value_{index} = {index}" for index in range(30))
    fitting = chunk_sections(
        [Section(("Code",), [Block(code, code=True)])], "doc", "course", "en", max_size=100
    )
    assert [chunk.text for chunk in fitting] == [code]
    long = "\n".join(f"value_{index} = {index} + {index}" for index in range(80))
    cut = chunk_sections([Section(("Code",), [Block(long, code=True)])], "doc", "course", "en", max_size=100)
    assert len(cut) > 1 and "\n".join(chunk.text for chunk in cut) == long


def test_empty_and_trivial_sections_yield_nothing() -> None:
    sections = [Section(()), Section(("Title only",)), Section(("Tiny",), [Block("Example:")])]
    assert chunk_sections(sections, "doc", "course", "en") == []


def test_chinese_is_sized_by_character_and_detected() -> None:
    assert text_size("列表推导式 list comprehension") == 7
    assert detect_language("列表推导式创建列表的方式更简洁。") == "zh"
    assert detect_language("A list comprehension, 列表.") == "en"
    long = "列表推导式创建列表的方式更简洁。" * 40
    chunks = chunk_sections([Section(("列表",), [Block(long)])], "doc", "course", "zh")
    assert len(chunks) > 1 and all(text_size(chunk.text) <= MAX_SIZE for chunk in chunks)
    assert "".join(chunk.text.replace(" ", "") for chunk in chunks) == long
