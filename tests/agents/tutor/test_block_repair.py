"""Mending one failing block: prose caught inside the fence becomes a comment, a missing standard import is added,
and a rewrite that cuts is refused."""

from corta.agents.tutor.block_repair import comment_out_prose, keeps_the_block, mended_without_the_model

TWO_EXAMPLES = (
    "def remove(colors: list[tuple[int, int]]) -> list[tuple[int, int]]:\n    pass\n\n可以这样提高可读性：\n\n"
    "Color = tuple[int, int]\n\ndef remove(colors: list[Color]) -> list[Color]:\n    pass\n"
)


def test_a_sentence_inside_a_block_becomes_a_comment_and_both_examples_stay():
    repaired = comment_out_prose(TWO_EXAMPLES, "syntax: line 4: invalid character '：' (U+FF1A)")
    assert repaired == TWO_EXAMPLES.replace("可以这样提高可读性：", "# 可以这样提高可读性：")
    english = "x = 1\nNow we print the value of x:\nprint(x)\n"
    assert comment_out_prose(english, "syntax: line 2: invalid syntax") == english.replace("Now", "# Now")


def test_code_is_never_commented_out_as_prose():
    assert comment_out_prose("x = (1,\nprint(x)\n", "syntax: line 1: '(' was never closed") is None
    assert comment_out_prose("print('多谢'\n", "syntax: line 1: '(' was never closed") is None
    assert comment_out_prose("x = 1\n", "exception: NameError: name 'y' is not defined") is None
    assert comment_out_prose("x = 1\n", "syntax: line 9: invalid syntax") is None


def test_a_rewrite_may_change_a_line_but_not_cut_the_block():
    old = "class A:\n    i = 1\n\n    def f(self):\n        return 'hi'\n\nA.i\nA.f()\n"
    assert keeps_the_block(old, old.replace("A.f()", "A().f()"))
    assert keeps_the_block(old, old + "print(A().f())\n")
    assert not keeps_the_block(old, old.replace("A.i\nA.f()\n", ""))


def test_a_standard_module_used_without_its_import_gets_it_and_other_names_do_not():
    code = "for arg in sys.argv[1:]:\n    print(arg)\n"
    assert (
        mended_without_the_model(code, "exception: NameError: name 'sys' is not defined")
        == "import sys\n" + code
    )
    assert mended_without_the_model(code, "exception: NameError: name 'total' is not defined") is None
