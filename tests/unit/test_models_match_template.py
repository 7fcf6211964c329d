"""template.yaml declares the tables; the PynamoDB models must agree with it."""

from community.data.models import (
    AdminCount,
    Attendance,
    AuthCode,
    CalendarGuard,
    Event,
    ReferralGuard,
    ReferralMonth,
    RoleChange,
    User,
)
from devkit.template.reader import resources


def table(logical_id: str) -> dict:  # type: ignore[type-arg]
    return resources("AWS::DynamoDB::Table")[logical_id]["Properties"]


def hash_key(properties: dict) -> str:  # type: ignore[type-arg]
    return next(k["AttributeName"] for k in properties["KeySchema"] if k["KeyType"] == "HASH")


def index_named(properties: dict, name: str) -> dict:  # type: ignore[type-arg]
    return next(i for i in properties["GlobalSecondaryIndexes"] if i["IndexName"] == name)


def attribute_type(properties: dict, name: str) -> str:  # type: ignore[type-arg]
    return next(
        a["AttributeType"] for a in properties["AttributeDefinitions"] if a["AttributeName"] == name
    )


def test_users_table_keys_and_referral_index_match_the_models() -> None:
    users = table("UsersTable")
    assert hash_key(users) == User._hash_key_attribute().attr_name
    assert hash_key(users) == ReferralGuard._hash_key_attribute().attr_name
    assert [i["IndexName"] for i in users["GlobalSecondaryIndexes"]] == [
        "by_referral_code",
        "by_role_listing",
        "by_referrals",
    ]
    index = index_named(users, "by_referral_code")
    assert index["IndexName"] == User.by_referral_code.Meta.index_name
    assert hash_key(index) == "referral_code"
    assert index["Projection"]["ProjectionType"] == "ALL"


def test_users_table_role_listing_index_matches_both_models_that_use_it() -> None:
    users = table("UsersTable")
    index = index_named(users, "by_role_listing")
    for model in (User, RoleChange):
        assert index["IndexName"] == model.by_role_listing.Meta.index_name
        assert hash_key(index) == model.role_listing.attr_name
        assert range_key(index) == model.role_sort.attr_name
        # ALL: the listing answers from the index alone, no BatchGetItem after the Query.
        assert model.by_role_listing.Meta.projection.projection_type == "ALL"
    assert index["Projection"]["ProjectionType"] == "ALL"
    # Sparse: a member whose role is "member" leaves both unset, and only they may.
    assert User.role_listing.null is True
    assert User.role_sort.null is True
    # The other items of the table share its one key and stay out of the index.
    for model in (RoleChange, AdminCount, ReferralGuard):
        assert model._hash_key_attribute().attr_name == hash_key(users)
    assert not hasattr(AdminCount, "role_listing")
    assert not hasattr(ReferralGuard, "role_listing")


def test_users_table_referrers_index_matches_both_models_that_use_it() -> None:
    users = table("UsersTable")
    index = index_named(users, "by_referrals")
    for model in (User, ReferralMonth):
        assert index["IndexName"] == model.by_referrals.Meta.index_name
        assert hash_key(index) == model.referral_listing.attr_name
        assert range_key(index) == model.referral_rank.attr_name
        # Keys only: a referrer's login (name, photo, logged_in_at) must not write the index;
        # the count is the rank's whole part (data/referrals.py).
        assert model.by_referrals.Meta.projection.projection_type == "KEYS_ONLY"
    assert index["Projection"]["ProjectionType"] == "KEYS_ONLY"
    # The rank is a number, so the index orders it as one (10 after 9).
    assert attribute_type(users, "referral_rank") == "N"
    assert attribute_type(users, "referral_listing") == "S"
    # Sparse: a member nobody joined through leaves both unset.
    assert User.referral_listing.null is True
    assert User.referral_rank.null is True
    for model in (ReferralMonth, RoleChange, AdminCount, ReferralGuard, CalendarGuard):
        assert model._hash_key_attribute().attr_name == hash_key(users)
    for model in (RoleChange, AdminCount, ReferralGuard, CalendarGuard):
        assert not hasattr(model, "referral_listing")


def test_auth_codes_table_key_and_ttl_match_the_model() -> None:
    codes = table("AuthCodesTable")
    assert hash_key(codes) == AuthCode._hash_key_attribute().attr_name
    assert codes["TimeToLiveSpecification"] == {
        "AttributeName": AuthCode.expires_at.attr_name,
        "Enabled": True,
    }


def range_key(properties: dict) -> str:  # type: ignore[type-arg]
    return next(k["AttributeName"] for k in properties["KeySchema"] if k["KeyType"] == "RANGE")


def test_events_table_key_and_start_date_index_match_the_model() -> None:
    events = table("EventsTable")
    assert hash_key(events) == Event._hash_key_attribute().attr_name
    index, _ = events["GlobalSecondaryIndexes"]
    assert index["IndexName"] == Event.by_start_date.Meta.index_name
    assert hash_key(index) == Event.listing.attr_name
    assert range_key(index) == Event.start_date.attr_name
    # Keys only: an RSVP (attendee_count) must not write the listing (docs/capacity.md).
    assert index["Projection"]["ProjectionType"] == "KEYS_ONLY"
    assert Event.by_start_date.Meta.projection.projection_type == "KEYS_ONLY"
    # Sparse: inactive events leave `listing` unset, which only a nullable attribute allows.
    assert Event.listing.null is True


def test_events_table_category_index_matches_the_model() -> None:
    _, index = table("EventsTable")["GlobalSecondaryIndexes"]
    assert index["IndexName"] == Event.by_category.Meta.index_name
    assert hash_key(index) == Event.category_listing.attr_name
    assert range_key(index) == Event.start_date.attr_name
    assert index["Projection"]["ProjectionType"] == "KEYS_ONLY"
    assert Event.by_category.Meta.projection.projection_type == "KEYS_ONLY"
    # Sparse: only active events with a category carry `category_listing`.
    assert Event.category_listing.null is True


def test_attendances_table_keys_and_member_index_match_the_model() -> None:
    attendances = table("AttendancesTable")
    assert hash_key(attendances) == Attendance._hash_key_attribute().attr_name
    assert range_key(attendances) == Attendance._range_key_attribute().attr_name
    (index,) = attendances["GlobalSecondaryIndexes"]
    assert index["IndexName"] == Attendance.by_member.Meta.index_name
    assert hash_key(index) == Attendance.user_id.attr_name
    assert range_key(index) == Attendance.start_date.attr_name
    assert index["Projection"]["ProjectionType"] == "ALL"
    # Set on left rows only (data/attendances.py): TTL removes them after the feed's 30 days.
    assert attendances["TimeToLiveSpecification"] == {
        "AttributeName": Attendance.expires_at.attr_name,
        "Enabled": True,
    }
