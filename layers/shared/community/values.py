"""The rules a stored value follows, in one place for the data layer, the schemas, the cursors
and the initData check alike: event ids, event dates, and text DynamoDB can store. The data
layer stores by these rules and the schemas accept by them; neither imports the other."""

import re
from datetime import UTC, datetime

# Event ids are ULIDs (Crockford base32, canonically upper case) or UUIDs (lower case).
ULID_RE = re.compile(r"^[0-9A-HJKMNP-TV-Z]{26}$")
UUID_RE = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")
# A member's referral code (services/users.py makes them): canonically upper case.
REFERRAL_CODE_RE = re.compile(r"^UP-[A-Z0-9]{6}$")
# The events table's date format: fixed width and UTC, so lexical order is time order.
EVENT_DATE_FORMAT = "%Y-%m-%dT%H:%M:%SZ"
EVENT_DATE_RE = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$")
# JSON may spell a lone UTF-16 surrogate ("\ud83c"), which Python keeps in a `str` but which
# has no UTF-8 form: DynamoDB refuses the whole request. A valid pair is decoded into one
# character by `json.loads`, so any surrogate left is lone.
LONE_SURROGATE = re.compile("[\ud800-\udfff]")


def normalise_event_id(raw: str) -> str | None:
    """The canonical form of an event id, or None if `raw` is neither a ULID nor a UUID."""
    if ULID_RE.fullmatch(raw.upper()):
        return raw.upper()
    if UUID_RE.fullmatch(raw.lower()):
        return raw.lower()
    return None


def normalise_referral_code(raw: str | None) -> str | None:
    """The canonical form of a referral code, or None if `raw` cannot be one."""
    if not raw:
        return None
    candidate = raw.strip().upper()
    return candidate if REFERRAL_CODE_RE.fullmatch(candidate) else None


def event_date(moment: datetime) -> str:
    """An event date as stored and indexed (EVENT_DATE_FORMAT)."""
    return moment.astimezone(UTC).strftime(EVENT_DATE_FORMAT)


def display_time(start_date: datetime) -> str:
    """An event's start as every message says it (bot, reminders, notices, cards). The members'
    time zones are unknown to the backend, so it says UTC rather than guess."""
    return start_date.astimezone(UTC).strftime("%a %d %b %Y, %H:%M UTC")


def storable(text: str) -> str:
    """`text` with each lone surrogate replaced by U+FFFD, as a UTF-8 decoder would."""
    return LONE_SURROGATE.sub("\ufffd", text)


def has_lone_surrogate(text: str) -> bool:
    return LONE_SURROGATE.search(text) is not None


# --- Text people write and others see -------------------------------------------------------
# Control characters: C0 (with TAB, LF and CR), DEL and C1. Shown as nothing, as boxes or as a
# line break, and a CR LF in an email header starts a new header.
CONTROL = re.compile("[\x00-\x1f\x7f-\x9f]")
# Unicode's own line breaks, which are not controls but end a line all the same.
LINE_SEPARATOR = re.compile("[\u2028\u2029]")
# The bidi embeddings and overrides (LRE, RLE, PDF, LRO, RLO) and isolates (LRI, RLI, FSI,
# PDI): each changes the order of what follows it, so U+202E shows "gnp.exe" as "exe.png", and
# an unclosed one reorders whatever the page shows after it. The marks U+200E, U+200F and
# U+061C are not among them: they only give neutral characters (digits, punctuation) a
# direction, cannot reverse a letter, and right-to-left writers use them legitimately.
BIDI_CONTROL = re.compile("[\u202a-\u202e\u2066-\u2069]")
# What shows as nothing: zero-width spaces, joiners and the word joiner, the BOM, the soft
# hyphen, invisible operators, and letters drawn blank (Hangul fillers, the braille blank).
INVISIBLE = frozenset(
    "\u00ad\u034f\u115f\u1160\u180e\u200b\u200c\u200d\u200e\u200f\u2060\u2061\u2062\u2063"
    "\u2064\u3164\ufeff\uffa0\u2800\u061c"
)


def _code_point(character: str) -> str:
    return f"U+{ord(character):04X}"


def single_line_problem(text: str) -> str | None:
    """Why `text` cannot be a one-line text (an event's title or location), or None."""
    found = CONTROL.search(text) or LINE_SEPARATOR.search(text)
    if found:
        return f"must be one line without control characters (found {_code_point(found[0])})"
    return _bidi_problem(text)


def multi_line_problem(text: str) -> str | None:
    """Why `text` cannot be a text of several lines (an event's description), or None: line
    feeds and tabs are its only controls."""
    found = CONTROL.search(text.replace("\n", "").replace("\t", ""))
    if found:
        return (
            "must not contain control characters other than line feeds and tabs "
            f"(found {_code_point(found[0])})"
        )
    return _bidi_problem(text)


def _bidi_problem(text: str) -> str | None:
    found = BIDI_CONTROL.search(text)
    if found:
        return (
            "must not contain bidirectional embedding, override or isolate characters "
            f"(found {_code_point(found[0])})"
        )
    return None


def is_blank(text: str) -> bool:
    """Whether `text` shows as nothing: only whitespace and invisible characters."""
    return all(character.isspace() or character in INVISIBLE for character in text)


def single_line(text: str) -> str:
    """`text` as one line, whatever it holds (a row stored before the rules above, a name from
    Telegram): every control character and line separator becomes a space, bidi embeddings,
    overrides and isolates go, runs of whitespace become one space, and the ends are trimmed.
    What a header (an email's Subject) or a one-line display takes."""
    spaced = LINE_SEPARATOR.sub(" ", CONTROL.sub(" ", BIDI_CONTROL.sub("", text)))
    return " ".join(spaced.split())


# --- Web addresses others' browsers fetch ---------------------------------------------------
# A DNS host name's label: letters, digits and hyphens, 1-63 of them, a hyphen never first or
# last. Internationalised names are accepted in their punycode form (xn--...).
DOMAIN_LABEL_RE = re.compile(r"^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$")
# A last label a browser reads as an IPv4 address (WHATWG URL: "127.1", "2130706433" and
# "0x7f.1" all mean 127.0.0.1): digits only, or hexadecimal after 0x.
NUMERIC_LABEL_RE = re.compile(r"^([0-9]+|0x[0-9a-f]*)$")
# Names that only ever lead inside a network, never to the public web: RFC 6761's localhost,
# invalid and test, mDNS's local (RFC 6762), home.arpa (RFC 8375) and internal, the top-level
# name ICANN reserved for private use in 2024.
PRIVATE_SUFFIXES = ("localhost", "local", "internal", "home.arpa", "invalid", "test")


def public_host_problem(host: str) -> str | None:
    """Why a URL's host may not be one a member's browser is sent to, or None. By its name
    alone, never by resolving it: the browser resolves it later, with its own resolver on its
    own network (and the answer can change after the check), so a lookup here would prove
    nothing about what a member's browser reaches, and would make an admin's edit wait on DNS."""
    name = host.lower().removesuffix(".")
    labels = name.split(".")
    if not all(DOMAIN_LABEL_RE.fullmatch(label) for label in labels):
        return "must have a DNS host name (letters, digits, hyphens; punycode for others)"
    if NUMERIC_LABEL_RE.fullmatch(labels[-1]):
        return "must have a host name, not an IP address"
    if len(labels) < 2:
        return "must have a fully qualified host name (example.com, not a single label)"
    if any(name == suffix or name.endswith("." + suffix) for suffix in PRIVATE_SUFFIXES):
        return "must have a public host name (not localhost, .local, .internal, .test...)"
    return None


# --- Money ----------------------------------------------------------------------------------
# ISO 4217's codes of the currencies in circulation (amendments to 2025: BGN left for the euro
# on 2026-01-01, ANG became XCG, SLL became SLE, ZWL became ZWG), without its fund codes (BOV,
# CHE, CLF, USN...), metals and testing codes: nothing anyone pays an entry fee in. A list
# rather than any three capitals, so that a typo ("EUE") is refused instead of being shown to
# every member; a currency born later needs one line here.
CURRENCY_CODES = """
    AED AFN ALL AMD AOA ARS AUD AWG AZN BAM BBD BDT BHD BIF BMD BND BOB BRL BSD BTN BWP BYN
    BZD CAD CDF CHF CLP CNY COP CRC CUP CVE CZK DJF DKK DOP DZD EGP ERN ETB EUR FJD FKP GBP
    GEL GHS GIP GMD GNF GTQ GYD HKD HNL HTG HUF IDR ILS INR IQD IRR ISK JMD JOD JPY KES KGS
    KHR KMF KPW KRW KWD KYD KZT LAK LBP LKR LRD LSL LYD MAD MDL MGA MKD MMK MNT MOP MRU MUR
    MVR MWK MXN MYR MZN NAD NGN NIO NOK NPR NZD OMR PAB PEN PGK PHP PKR PLN PYG QAR RON RSD
    RUB RWF SAR SBD SCR SDG SEK SGD SHP SLE SOS SRD SSP STN SVC SYP SZL THB TJS TMT TND TOP
    TRY TTD TWD TZS UAH UGX USD UYU UZS VED VES VND VUV WST XAF XCD XCG XOF XPF YER ZAR ZMW
    ZWG
"""
CURRENCIES = frozenset(CURRENCY_CODES.split())


def currency_problem(code: str) -> str | None:
    if code not in CURRENCIES:
        return "must be an ISO 4217 currency code in upper case, such as EUR or USD"
    return None
