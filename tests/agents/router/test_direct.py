"""The direct baseline's plumbing: scripts guarded by __main__ run, and the routes are the last JSON line printed.
(The whole baseline on a scripted program is in test_eval.py.)"""

from corta.agents.router.direct import printed_routes, run_as_script


def test_the_last_printed_list_of_routes_is_the_plan() -> None:
    assert printed_routes("cost 12\n[[1, 2], [3]]\n[[3, 1], [], [2]]\n") == [[3, 1], [2]]
    assert printed_routes('{"routes": [[1]]}\n[1, 2]\n[["a"]]\n') is None
    assert printed_routes("") is None


def test_a_main_guard_runs() -> None:
    source = run_as_script('def main():\n    print(1)\n\n\nif __name__ == "__main__":\n    main()\n')
    assert "if True:" in source
    assert run_as_script("def (") == "def ("
