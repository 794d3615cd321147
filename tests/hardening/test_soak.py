"""The API soak of benchmarks/api_soak.py, reduced for CI: eight users for fifteen seconds against `corta serve` on
the stub LLM; no request fails and every message sent and reply received is stored exactly once, in order. No
timing is asserted. And the store check itself, on conversations whose faults are known."""

from concurrent.futures import ThreadPoolExecutor

from benchmarks.api_soak import StoreCheck, check_store, soak

FIRST = [("user", "Q [marker:u0-0-0000000a]"), ("assistant", "<u0-0-0000000a> A")]
SECOND = [("user", "Q [marker:u0-1-0000000b]"), ("assistant", "<u0-1-0000000b> B")]
UNANSWERED = ("user", "Q [marker:u0-2-0000000c]")


def test_eight_users_for_fifteen_seconds_get_every_answer_and_lose_no_message():
    # A thread of its own: earlier browser tests keep Playwright's event loop running on the main thread.
    with ThreadPoolExecutor(1) as pool:
        record = pool.submit(soak, users=8, duration_s=15, progress=False).result()
    requests, store = record["requests"], record["store"]
    assert requests["all"]["errors"] == 0, record["errors"]
    assert requests["tutor"]["requests"] > 0 and requests["chat"]["requests"] > 0
    assert store["messages"] == 2 * requests["tutor"]["requests"]
    assert (store["lost"], store["duplicated"], store["mixed_up"], store["stored_unanswered"]) == (0, 0, 0, 0)


def test_the_store_check_counts_lost_duplicated_and_mixed_up_messages_apart():
    sent = {"c1": FIRST + SECOND}

    def check(stored: list[tuple[str, str]], unanswered: frozenset[str] = frozenset()) -> StoreCheck:
        return check_store(sent, {"c1": stored}, set(unanswered))

    assert check(FIRST + SECOND) == StoreCheck(1, 4, lost=0, duplicated=0, mixed_up=0, stored_unanswered=0)
    assert (check(FIRST + SECOND[1:]).lost, check(FIRST + FIRST[1:] + SECOND).duplicated) == (1, 1)
    assert check(SECOND + FIRST).mixed_up == 4  # every message out of its place
    assert check([*FIRST, UNANSWERED, *SECOND]).mixed_up == 1  # a message this conversation was never sent
    assert check([*FIRST, UNANSWERED, *SECOND], frozenset({"u0-2-0000000c"})).stored_unanswered == 1
    # A reply stored in another conversation: lost from its own, out of place in the other.
    moved = check_store(sent, {"c1": FIRST + SECOND[:1], "c2": SECOND[1:]}, set())
    assert (moved.lost, moved.mixed_up) == (1, 1)
