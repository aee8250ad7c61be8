"""A stateful property test of the board's rules: votes, decisions, withdrawals, deferrals and
round moves interleaved at random; after every step the invariants hold."""
import datetime as dt

import pytest
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, rule

from cxgov.db import database
from cxgov.errors import DomainError
from cxgov.models import Decision, Initiative, Round, Vote
from cxgov.services import auth, governance, governance_batches, initiatives, rounds
from cxgov.services.actor import SYSTEM
from cxgov.services.audit import verify_chain
from tests.builders import actor_for, build_world, initiative_payload

OUTCOME_STATUS = {"approve": "approved", "reject": "rejected", "defer": "deferred", "request_changes": "changes_requested"}


@pytest.fixture
def machine_app(app):
    return app


def test_board_rules_hold_under_any_interleaving(machine_app):
    app = machine_app
    world = build_world(app)
    seen = {"decisions": 0, "approvals": 0, "recused_refusals": 0}

    class Board(RuleBasedStateMachine):
        @initialize()
        def setup(self):
            self.ctx = app.app_context()
            self.ctx.push()
            from cxgov.models import User

            n = Round.select().count()
            self.lead = actor_for(User.get_by_id(world["lead_a"]))
            self.round = rounds.create_round(SYSTEM, name=f"S{n}", fiscal_year=2027, budget=50_000_000).id
            self.later = rounds.create_round(SYSTEM, name=f"S{n}-later", fiscal_year=2027, budget=1).id
            rounds.move_round(SYSTEM, self.round, "open")
            self.items = []
            for k in range(5):
                record = initiatives.create_initiative(self.lead, initiative_payload(
                    world, title=f"S{n}.{k}", requested_amount=(k + 1) * 7_000_000, contributing_team_ids=[]))
                initiatives.transition(self.lead, record.id, "submitted", round_id=self.round)
                self.items.append(record.id)
            self.members = []
            for k in range(3):
                user = auth.create_user(SYSTEM, f"s{n}m{k}@example.com", f"M{k}", "board_member")
                self.members.append(actor_for(user))
            chair = auth.create_user(SYSTEM, f"s{n}chair@example.com", "Chair", "board_chair")
            self.chair = actor_for(chair)
            # the first member sponsors item 0: every vote of theirs on it must be refused
            Initiative.update(sponsor=self.members[0].user_id).where(Initiative.id == self.items[0]).execute()
            rounds.move_round(SYSTEM, self.round, "in_review")  # rules may send it back to open
            # the recused member's first attempt, so every example checks the refusal at least once
            self.vote(member=0, item=0, choice="approve")
            self.checkpoint = verify_chain()

        def teardown(self):
            assert verify_chain()["ok"]
            database.close()
            self.ctx.pop()

        @rule(member=st.integers(0, 2), item=st.integers(0, 4), choice=st.sampled_from(["approve", "reject", "abstain"]))
        def vote(self, member, item, choice):
            try:
                governance.cast_vote(self.members[member], self.round, self.items[item], choice)
            except DomainError as exc:
                in_review = Round.get_by_id(self.round).status == "in_review"
                submitted = Initiative.get_by_id(self.items[item]).status == "submitted"
                if member == 0 and item == 0 and in_review and submitted:
                    assert "recused" in exc.detail
                    seen["recused_refusals"] += 1
            else:
                assert not (member == 0 and item == 0), "a recused member's vote was accepted"

        @rule(item=st.integers(0, 4), outcome=st.sampled_from(["approve", "reject", "defer", "request_changes"]),
              share=st.integers(1, 10), override=st.booleans())
        def decide(self, item, outcome, share, override):
            iid = self.items[item]
            requested = Initiative.get_by_id(iid).requested_amount
            data = {"initiative_id": iid, "outcome": outcome, "rationale": "minutes", "override": override,
                    "override_rationale": "chair's call" if override else ""}
            if outcome == "approve":
                data.update(approved_amount=requested * share // 10, accountable_owner_id=world["owner"],
                            due_date=dt.date(2027, 12, 31))
            if outcome == "defer":
                data["deferred_to_round_id"] = self.later
            try:
                governance.decide(self.chair, self.round, data)
            except DomainError:
                pass
            else:
                seen["decisions"] += 1
                seen["approvals"] += outcome == "approve"

        @rule(batch=st.lists(st.tuples(st.integers(0, 4), st.sampled_from(["approve", "reject", "defer"]),
                                       st.integers(1, 10)), min_size=1, max_size=4), override=st.booleans())
        def decide_batch(self, batch, override):
            """All or nothing: a refused batch leaves decisions and the budget as they were."""
            before = (Decision.select().where(Decision.round == self.round).count(), Round.get_by_id(self.round).committed)
            items = []
            for item, outcome, share in batch:
                iid = self.items[item]
                data = {"initiative_id": iid, "outcome": outcome, "rationale": "minutes", "override": override,
                        "override_rationale": "chair's call" if override else ""}
                if outcome == "approve":
                    data["approved_amount"] = Initiative.get_by_id(iid).requested_amount * share // 10
                if outcome == "defer":
                    data["deferred_to_round_id"] = self.later
                items.append(data)
            try:
                results = governance_batches.decide_batch(self.chair, self.round, items)
            except DomainError as exc:
                after = (Decision.select().where(Decision.round == self.round).count(), Round.get_by_id(self.round).committed)
                assert after == before, "a refused batch wrote"
                assert all(0 <= r["index"] < len(items) for r in exc.extra.get("refused", []))
            else:
                assert len(results) == len(items)
                assert Decision.select().where(Decision.round == self.round).count() == before[0] + len(items)
                seen["decisions"] += len(items)
                seen["approvals"] += sum(outcome == "approve" for _, outcome, _ in batch)

        @rule(item=st.integers(0, 4))
        def withdraw(self, item):
            try:
                initiatives.transition(self.lead, self.items[item], "draft")
            except DomainError:
                pass

        @rule(item=st.integers(0, 4))
        def resubmit(self, item):
            try:
                initiatives.transition(self.lead, self.items[item], "submitted", round_id=self.round)
            except DomainError:
                pass

        @rule(to=st.sampled_from(["open", "in_review", "decided", "planning"]))
        def move_round(self, to):
            try:
                rounds.move_round(SYSTEM, self.round, to)
            except DomainError:
                pass

        @invariant()
        def budget_never_exceeded_and_matches_approvals(self):
            rnd = Round.get_by_id(self.round)
            approved = sum(d.approved_amount for d in Decision.select().where(
                (Decision.round == self.round) & (Decision.outcome == "approve")))
            assert 0 <= rnd.committed <= rnd.budget and rnd.committed == approved

        @invariant()
        def state_matches_last_decision(self):
            for iid in self.items:
                last = Decision.select().where(Decision.initiative == iid).order_by(Decision.id.desc()).first()
                status = Initiative.get_by_id(iid).status
                if last is not None:
                    assert status == OUTCOME_STATUS[last.outcome] or (
                        last.outcome in ("request_changes", "defer") and status in ("submitted", "draft"))

        @invariant()
        def no_recused_vote_stored(self):
            assert not Vote.select().where((Vote.initiative == self.items[0])
                                           & (Vote.member == self.members[0].user_id)).exists()

        @invariant()
        def chain_verifies(self):
            # from the head verified at setup on: each step re-checks only this example's events
            result = verify_chain(after=(self.checkpoint["length"], self.checkpoint["head_hash"]))
            assert result["ok"], result

    Board.TestCase.settings = settings(max_examples=15, stateful_step_count=25, deadline=None,
                                       suppress_health_check=list(HealthCheck))
    Board.TestCase().runTest()
    # the run exercised what it claims to check
    assert seen["decisions"] > 0 and seen["approvals"] > 0 and seen["recused_refusals"] > 0, seen
