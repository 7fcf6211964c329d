"""Referral codes are unique by construction (guard items), not by luck."""

import itertools
from typing import Any

import pytest

from community.data.models import ReferralGuard, User
from community.services import users as users_service

pytestmark = pytest.mark.usefixtures("dynamodb")
CREATIONS = 1000


def colliding_generator() -> Any:
    """Every fresh code is first offered again after it was taken: each creation after the
    first meets at least one collision."""
    counter = itertools.count()
    last: list[str] = []

    def generate() -> str:
        if last and last[-1] != "retry-served":
            code = last[-1]
            last.append("retry-served")
            return code
        code = f"UP-{next(counter):06d}"
        last.append(code)
        return code

    return generate


def test_forced_collisions_never_give_two_users_one_code(monkeypatch: pytest.MonkeyPatch) -> None:
    # Given a code generator that keeps offering codes already taken
    monkeypatch.setattr(users_service, "new_referral_code", colliding_generator())
    collisions: list[str] = []
    monkeypatch.setattr(users_service, "count", collisions.append)

    # When 1,000 members are created
    for telegram_id in range(1, CREATIONS + 1):
        users_service.login(
            users_service.TelegramProfile(telegram_id, f"Member {telegram_id}", None, None, None)
        )

    # Then every member has their own code, each with exactly one guard pointing back
    members = list(User.scan(User.pk.startswith("USER#")))
    guards = {g.pk: g.user_pk for g in ReferralGuard.scan(ReferralGuard.pk.startswith("REFERRAL#"))}
    codes = [member.referral_code for member in members]
    assert len(members) == CREATIONS
    assert len(set(codes)) == CREATIONS
    assert guards == {f"REFERRAL#{m.referral_code}": m.pk for m in members}
    assert collisions.count("ReferralCodeCollision") >= CREATIONS - 1
