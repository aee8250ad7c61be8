"""Departures from the ranking: the pure rule (cxgov.services.governance_rules)."""
from hypothesis import given, settings
from hypothesis import strategies as st

from cxgov.services.governance_rules import funded_by_fill, ranking_departure


def _meeting(ranked, budget, decisions):
    """Play ``decisions`` [(id, outcome, amount)] in order; the departures recorded."""
    undecided, remaining, departures = {i for i, _ in ranked}, budget, []
    for iid, outcome, amount in decisions:
        result = ranking_departure(ranked, undecided, remaining, iid, outcome, amount)
        if result.departs:
            departures.append((iid, result))
        undecided.discard(iid)
        if outcome == "approve":
            remaining -= amount
    return departures


def test_one_rejection_then_every_later_approval_is_one_departure():
    """The issue's meeting: 36 initiatives, the budget funds 30, the board rejects rank 5 and
    then approves down the ranking: 1 departure, not 30."""
    ranked = [(100 + k, 1_000) for k in range(36)]
    budget = 30_000
    decisions = [(104, "reject", None)]
    approved = [iid for iid, _ in ranked if iid != 104][:30]
    decisions += [(iid, "approve", 1_000) for iid in approved]
    decisions += [(iid, "reject", None) for iid, _ in ranked if iid != 104 and iid not in approved]
    assert len(decisions) == 36
    departures = _meeting(ranked, budget, decisions)
    assert [iid for iid, _ in departures] == [104]
    record = departures[0][1].record()
    assert record == {"kind": "ranking_departure", "funded_by_fill": True, "displaces": [],
                      "makes_room_for": [130]}


def test_approving_one_the_fill_does_not_fund_departs_and_names_whom_it_displaces():
    ranked = [(1, 600), (2, 300), (3, 300), (4, 100)]
    assert funded_by_fill(ranked, {1, 2, 3, 4}, 700) == {1, 4}
    result = ranking_departure(ranked, {1, 2, 3, 4}, 700, 2, "approve", 300)
    assert result.departs and not result.funded_by_fill and result.displaces == (1,)
    assert result.makes_room_for == (3,)
    # rejecting the displaced one afterwards follows from the departure
    assert not ranking_departure(ranked, {1, 3, 4}, 400, 1, "reject").departs


def test_refusing_what_the_fill_does_not_fund_and_approving_what_it_does_follow():
    ranked = [(1, 600), (2, 300), (3, 300), (4, 100)]
    assert not ranking_departure(ranked, {1, 2, 3, 4}, 700, 2, "reject").departs
    assert not ranking_departure(ranked, {1, 2, 3, 4}, 700, 2, "defer").departs
    assert not ranking_departure(ranked, {1, 2, 3, 4}, 700, 4, "approve", 100).departs
    assert ranking_departure(ranked, {1, 2, 3, 4}, 700, 4, "defer").departs
    # request_changes is not a departure even for a funded one
    assert not ranking_departure(ranked, {1, 2, 3, 4}, 700, 1, "request_changes").departs
    # a smaller amount than requested: not a departure, and the money left lets 2 in
    smaller = ranking_departure(ranked, {1, 2, 3, 4}, 700, 1, "approve", 300)
    assert not smaller.departs and smaller.makes_room_for == (2,)


def test_without_a_pinned_ranking_nothing_departs():
    assert not ranking_departure([], {1}, 100, 1, "reject").departs


def test_approving_an_unranked_initiative_departs():
    assert ranking_departure([(1, 10)], {1, 9}, 100, 9, "approve", 5).departs


ranked_rounds = st.lists(st.integers(1, 50), min_size=1, max_size=12).flatmap(
    lambda costs: st.tuples(st.just([(i + 1, c) for i, c in enumerate(costs)]), st.integers(0, 200),
                            st.permutations(list(range(1, len(costs) + 1)))))


@settings(max_examples=300, deadline=None)
@given(ranked_rounds)
def test_a_meeting_that_follows_the_fill_in_any_order_never_departs(case):
    """Decide in any order, approving exactly what the fill given the decisions so far funds
    and refusing the rest: no departure, and the money approved is the fill's."""
    ranked, budget, order = case
    undecided, remaining = {i for i, _ in ranked}, budget
    cost = dict(ranked)
    approved = set()
    for iid in order:
        funded = funded_by_fill(ranked, undecided, remaining)
        outcome = "approve" if iid in funded else "reject"
        result = ranking_departure(ranked, undecided, remaining, iid, outcome, cost[iid])
        assert not result.departs
        if outcome == "approve":
            # approving a funded one at its request leaves the rest of the fill as it was
            assert funded_by_fill(ranked, undecided - {iid}, remaining - cost[iid]) == funded - {iid}
            remaining -= cost[iid]
            approved.add(iid)
        undecided.discard(iid)
    assert approved == funded_by_fill(ranked, {i for i, _ in ranked}, budget)


@settings(max_examples=300, deadline=None)
@given(ranked_rounds, st.data())
def test_every_decision_departs_exactly_when_it_contradicts_the_current_fill(case, data):
    ranked, budget, order = case
    undecided, remaining = {i for i, _ in ranked}, budget
    for iid in order:
        outcome = data.draw(st.sampled_from(["approve", "reject", "defer", "request_changes"]))
        amount = dict(ranked)[iid]
        if outcome == "approve" and amount > remaining:
            outcome = "reject"
        funded = iid in funded_by_fill(ranked, undecided, remaining)
        result = ranking_departure(ranked, undecided, remaining, iid, outcome, amount)
        assert result.funded_by_fill == funded
        assert result.departs == ((outcome == "approve") != funded if outcome in ("approve", "reject", "defer")
                                  else False)
        undecided.discard(iid)
        remaining -= amount if outcome == "approve" else 0


def test_due_date_default_adds_calendar_months_and_clamps():
    import datetime as dt

    from cxgov.services.governance_rules import add_months, next_fiscal_quarter

    assert add_months(dt.date(2027, 1, 31), 1) == dt.date(2027, 2, 28)
    assert add_months(dt.date(2027, 11, 15), 3) == dt.date(2028, 2, 15)
    assert add_months(dt.date(2027, 5, 1), 0) == dt.date(2027, 5, 1)
    assert add_months(dt.date(2028, 2, 29), 12) == dt.date(2029, 2, 28)
    assert next_fiscal_quarter(2027, 1) == (2027, 2) and next_fiscal_quarter(2027, 4) == (2028, 1)


# ------------------------------------------------------------------ recusal, quorum, majority
from cxgov.services.governance_rules import (  # noqa: E402
    Stakes, Tally, explain, override_given, override_kinds, quorum_needed, recusal_reason, recusals, tally,
    two_thirds_needed)

STAKES = Stakes(initiative_id=7, sponsor_id=1, owner_id=2, team_id=10,
                teams=((10, "Support", "Lead@Example.com"), (11, "Logistics", "ben@example.com")))


def test_recusal_of_sponsor_owner_and_the_leads_of_owning_and_contributing_teams():
    assert recusal_reason(1, "s@example.com", STAKES) == "s@example.com sponsors initiative 7"
    assert recusal_reason(2, "o@example.com", STAKES) == "o@example.com owns initiative 7"
    assert recusal_reason(3, "lead@example.com", STAKES) == "lead@example.com leads team Support, which owns initiative 7"
    assert recusal_reason(4, "BEN@example.com", STAKES) == \
        "BEN@example.com leads team Logistics, which contributes to initiative 7"
    assert recusal_reason(5, "free@example.com", STAKES) is None
    assert recusals([(1, "s@example.com"), (5, "free@example.com")], STAKES) == {1: "s@example.com sponsors initiative 7"}


def test_tally_counts_only_the_non_recused_board():
    t = tally([1, 2, 3, 4, 5], {1: "approve", 2: "approve", 3: "reject", 9: "approve", 4: "abstain"},
              {1: "sponsor"})
    assert t == Tally(board=5, eligible=4, recused=((1, "sponsor"),), approve=1, reject=1, abstain=1)
    assert t.votes_cast == 3 and t.quorum_needed == 3 and t.quorum
    assert not t.majority_approves and not t.majority_rejects and t.two_thirds_needed == 3
    assert t.as_dict() == {"board": 5, "eligible": 4, "recused": [{"member_id": 1, "reason": "sponsor"}],
                           "votes_cast": 3, "approve": 1, "reject": 1, "abstain": 1, "quorum_needed": 3,
                           "quorum": True, "majority_approves": False, "majority_rejects": False,
                           "two_thirds_needed": 3}


def test_quorum_and_two_thirds_of_an_empty_board_need_one():
    assert quorum_needed(0) == 1 and two_thirds_needed(0) == 1
    assert [quorum_needed(n) for n in (1, 2, 3, 4, 5)] == [1, 2, 2, 3, 3]
    assert [two_thirds_needed(n) for n in (1, 2, 3, 4, 5, 6)] == [1, 2, 2, 3, 4, 4]


def test_override_kinds_name_every_rule_broken_in_order():
    none = tally([1, 2, 3], {}, {})
    assert override_kinds(none, "approve", 10, 5) == ["quorum", "majority", "threshold"]
    assert override_kinds(none, "reject") == ["quorum"]
    assert override_kinds(none, "defer") == ["quorum"]
    backed = tally([1, 2, 3], {1: "approve", 2: "approve"}, {})
    assert override_kinds(backed, "approve", 10, 5) == []
    assert override_kinds(backed, "approve", 10, None) == []
    assert override_kinds(backed, "reject") == ["majority"]
    thin = tally([1, 2, 3, 4, 5, 6], {1: "approve", 2: "approve", 3: "approve", 4: "reject"}, {})
    assert override_kinds(thin, "approve", 6, 5) == ["threshold"] and override_kinds(thin, "approve", 5, 5) == []
    assert explain("threshold", thin) == "above the round's threshold: 3 approvals of the 4 needed"
    assert override_given([], None, None) and not override_given(["quorum"], True, "")
    assert override_given(["quorum"], True, "deadline")


@given(st.lists(st.integers(1, 30), unique=True, max_size=15), st.data())
def test_tally_rules_hold_for_any_board(members, data):
    votes = data.draw(st.dictionaries(st.integers(1, 40), st.sampled_from(["approve", "reject", "abstain"])))
    recused = {m: "r" for m in data.draw(st.lists(st.sampled_from(members), unique=True))} if members else {}
    t = tally(members, votes, recused)
    eligible = [m for m in members if m not in recused]
    assert t.eligible == len(eligible) and t.board == len(members)
    assert t.votes_cast == sum(1 for m in eligible if m in votes) <= t.eligible
    assert t.quorum == (2 * t.votes_cast > t.eligible and t.votes_cast >= 1)
    assert 3 * t.two_thirds_needed >= 2 * t.eligible
    assert not (t.majority_approves and t.majority_rejects)
