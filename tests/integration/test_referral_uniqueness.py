"""Referral codes are unique by construction (guard items), not by luck."""

import itertools
import random
from collections.abc import Callable

import pytest

from community.data.models import ReferralGuard, User
from community.services import users as users_service
from community.telegram import TelegramUser

pytestmark = pytest.mark.usefixtures("dynamodb")
# Every creation meets collisions, so the property does not need many members: what costs is
# moto copying the whole users table for each transaction (its rollback), O(members²) in all.
# 200 took 160 s in-process on a loaded 2-core machine; 50 still give 147 forced collisions,
# each against a guard at least one creation old (the newest, the oldest, one at random).
CREATIONS = 50
# Codes already taken offered before each fresh one: the newest, the oldest, one at random.
COLLISIONS_PER_CREATION = 3


def colliding_generator() -> Callable[[], str]:
    """Before each fresh code, offer COLLISIONS_PER_CREATION codes already taken (the one
    just taken, the first ever taken, and one of the others at random): every creation after
    the first meets that many collisions, against old guards as well as the newest."""
    counter = itertools.count()
    chooser = random.Random(20261125)
    taken: list[str] = []
    offers: list[str] = []

    def generate() -> str:
        if not offers:
            if taken:
                offers.extend([taken[-1], taken[0], chooser.choice(taken)])
            offers.append(f"UP-{next(counter):06d}")
        code = offers.pop(0)
        if not offers:  # the fresh one
            taken.append(code)
        return code

    return generate


def test_forced_collisions_never_give_two_users_one_code(monkeypatch: pytest.MonkeyPatch) -> None:
    # Given a code generator that keeps offering codes already taken
    monkeypatch.setattr(users_service, "new_referral_code", colliding_generator())
    collisions: list[str] = []
    monkeypatch.setattr(users_service, "count", collisions.append)

    # When 50 members are created, each after 3 collisions
    for telegram_id in range(1, CREATIONS + 1):
        users_service.login(TelegramUser(telegram_id, f"Member {telegram_id}", None, None))

    # Then every member has their own code, each with exactly one guard pointing back
    members = list(User.scan(User.pk.startswith("USER#")))
    guards = {g.pk: g.user_pk for g in ReferralGuard.scan(ReferralGuard.pk.startswith("REFERRAL#"))}
    codes = [member.referral_code for member in members]
    assert len(members) == CREATIONS
    assert len(set(codes)) == CREATIONS
    assert guards == {f"REFERRAL#{m.referral_code}": m.pk for m in members}
    assert collisions.count("ReferralCodeCollision") >= COLLISIONS_PER_CREATION * (CREATIONS - 1)
