"""What a description states, read without a model: sentences, named nodes (not amounts), numbers."""

from corta.agents.router.parse import missing_nodes, parse_description, sentences

PICKUP = (
    "Nodes [12, 14] require deliveries of [70, 80] units of a new type of goods. At Node [24], I pick up 20 units "
    "of these goods and 10 units of original goods. After visiting node [17], the remaining range will be halved."
)


def test_nodes_are_read_after_the_word_node_and_amounts_are_not_nodes() -> None:
    parsed = parse_description(PICKUP)
    assert len(parsed.sentences) == 3
    assert parsed.nodes == {12: [0], 14: [0], 24: [1], 17: [2]}
    assert {70.0, 80.0, 20.0, 10.0, 0.5} <= parsed.numbers
    assert parsed.gives(0.5) and parsed.gives(1) and not parsed.gives(75)


def test_levels_and_words_and_plain_node_numbers() -> None:
    parsed = parse_description(
        "Nodes [7, 5, 3] are priority nodes: [7] (highest), [5], and [3] (lowest). "
        "Node 8 must be among the first three stops; node 9 and 31 must share a route."
    )
    assert set(parsed.nodes) == {7, 5, 3, 8, 9, 31}
    assert parsed.gives(3)
    assert parsed.sentences_naming(31) == [
        "Node 8 must be among the first three stops; node 9 and 31 must share a route."
    ]
    assert missing_nodes(parsed, 25) == [31]


def test_sentences_split_before_capitals_and_brackets_only() -> None:
    assert sentences("Range is 1.5 km. [7] comes first; then 5.") == [
        "Range is 1.5 km.",
        "[7] comes first; then 5.",
    ]
