"""The review decisions file."""

import pytest

from hotpass.resolve.decisions import PairDecision, load_decisions, pair_id, record_decisions


def test_pair_id_ignores_order_and_differs_between_pairs():
    assert pair_id("a::s::2", "b::s::3") == pair_id("b::s::3", "a::s::2")
    assert pair_id("a::s::2", "b::s::3") != pair_id("a::s::2", "b::s::4")


def test_decisions_round_trip_and_the_latest_decision_wins(tmp_path):
    path = tmp_path / "review" / "decisions.csv"
    first = PairDecision(pair_id("a", "b"), "a", "b", "accept", "2026-01-01T00:00:00+00:00")
    record_decisions(path, [first])
    record_decisions(path, [PairDecision(first.pair_id, "b", "a", "reject", "2026-01-02", "no")])
    loaded = load_decisions(path)
    assert list(loaded) == [first.pair_id]
    assert loaded[first.pair_id].decision == "reject"
    assert loaded[first.pair_id].note == "no"


def test_a_bad_decision_names_the_line(tmp_path):
    path = tmp_path / "decisions.csv"
    path.write_text(
        "pair_id,left_record_id,right_record_id,decision,decided_at,note\nx,a,b,maybe,,\n"
    )
    with pytest.raises(ValueError, match="line 2"):
        load_decisions(path)
