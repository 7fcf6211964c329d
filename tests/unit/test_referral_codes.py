import pytest

from community.services.users import new_referral_code
from community.values import REFERRAL_CODE_RE, normalise_referral_code


def test_new_codes_have_the_shareable_format_and_vary() -> None:
    codes = {new_referral_code() for _ in range(500)}
    assert all(REFERRAL_CODE_RE.fullmatch(code) for code in codes)
    assert len(codes) == 500


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("UP-ABC123", "UP-ABC123"),
        ("up-abc123", "UP-ABC123"),
        (" UP-ABC123 ", "UP-ABC123"),
        ("UP-ABC12", None),
        ("UP-ABC1234", None),
        ("XX-ABC123", None),
        ("UP-ABC12!", None),
        ("", None),
        (None, None),
    ],
)
def test_referral_codes_are_normalised_or_refused(raw: str | None, expected: str | None) -> None:
    assert normalise_referral_code(raw) == expected
