"""The configuration: one TOML file, declared once here and validated at load.

Where the file is: ``--config PATH``, else ``$LISTENER_CONFIG``, else ``./listener.toml``.
Secrets are written as ``${ENV_VAR}`` references and held as :class:`pydantic.SecretStr`, so they
print masked. A reference inside a table whose ``enabled = false`` may be unset: that part is off, and
the key or list item holding the reference is left out.
"""

from __future__ import annotations

import codecs
import difflib
import os
import re
import tomllib
import unicodedata
from collections.abc import Mapping
from functools import cache
from pathlib import Path
from typing import Annotated, Any, Literal, get_args
from urllib.parse import urlsplit

from pydantic import (
    AfterValidator, BaseModel, BeforeValidator, ConfigDict, Field, FiniteFloat, SecretStr, ValidationError, field_validator,
    StringConstraints, model_validator,
)

from listener.config_lines import line_of
from listener.folding import fold

CONFIG_ENV = "LISTENER_CONFIG"
DEFAULT_CONFIG_NAME = "listener.toml"
ENV_REFERENCE = re.compile(r"\$\{([A-Za-z_][A-Za-z0-9_]*)\}")
# A secret that is a shell-style reference alone ("$X_BEARER_TOKEN"): taken as written, it was a token of its name.
# (Only secrets: elsewhere "$ACME" is a term, an X cashtag.) A name in lower case that no variable has is a password
# that starts with '$' ("$ecret"), which is no reference and is never quoted.
BARE_REFERENCE = re.compile(r"\$([A-Za-z_][A-Za-z0-9_]*)")
VARIABLE_NAME = re.compile(r"[A-Z_][A-Z0-9_]*")


class ConfigError(Exception):
    """The configuration cannot be used; the message names the file, the key and what is expected."""


# A scheduled job's interval: a day is already longer than anyone means; a week bounds typos (1e12).
MAX_INTERVAL_SECONDS = 7 * 24 * 3600


def _false_is_none(value: Any) -> Any:
    """A threshold written ``false`` is no threshold (TOML has no null); ``true`` says nothing."""
    if value is True:
        raise ValueError("true is no threshold; give a probability from 0 to 1, or false for none")
    return None if value is False else value


class Strict(BaseModel):
    """Base of every config table: unknown keys are errors, not silently ignored, and so is true or false
    for a key that takes no yes or no (pydantic would read ``complaint_threshold = false`` as 0: every post
    an alert)."""

    model_config = ConfigDict(extra="forbid", validate_default=True)

    @model_validator(mode="before")
    @classmethod
    def _no_true_or_false_for_numbers(cls, data: Any) -> Any:
        if not isinstance(data, Mapping):
            return data
        for key, value in data.items():
            field = cls.model_fields.get(key)
            values = value if isinstance(value, list) else [value]
            if field is not None and any(isinstance(item, bool) for item in values) \
                    and not _takes_true_or_false(field.annotation) \
                    and not any(getattr(rule, "func", None) is _false_is_none for rule in field.metadata):
                raise ValueError(f"{key} = {str(value).lower()}: {key} is no yes-or-no setting; write its value (a "
                                 f"number, words or a list, as the README's configuration reference says)")
        return data


def _takes_true_or_false(annotation: Any) -> bool:
    """Whether a field's type admits a bool anywhere in it (``bool | list[str]`` does)."""
    return annotation is bool or any(_takes_true_or_false(argument) for argument in get_args(annotation))


def _not_blank(word: str) -> str:
    """``word`` without spaces around it ("lawyer " is "lawyer"); an error if nothing is left."""
    if not word.strip().rstrip("*").strip():
        raise ValueError("an empty word (or a bare '*') would match every post; write the word, or remove it")
    return word.strip()


# A search term, keyword or topic word: matching on it must mean something.
Word = Annotated[str, AfterValidator(_not_blank)]


def _whole_words(phrase: str) -> str:
    if "*" in phrase:
        raise ValueError(f"{phrase!r}: these phrases match whole words only, '*' is not supported; "
                         f"list each form instead (e.g. 'no carga', 'no cargan')")
    return phrase


# A classifier phrase ("no me deja pagar"), matched as whole words.
Phrase = Annotated[str, AfterValidator(_not_blank), AfterValidator(_whole_words)]


# Control characters (a line break, a tab, NUL, U+0085) and Unicode's line and paragraph separators.
_CONTROL_CATEGORIES = frozenset({"Cc", "Zl", "Zp"})


def _has_control(text: str) -> bool:
    return any(unicodedata.category(ch) in _CONTROL_CATEGORIES for ch in text)


def _single_line(value: SecretStr) -> SecretStr:
    if _has_control(value.get_secret_value()):
        raise ValueError("contains a line break or another control character (a paste wrapped over two lines?); "
                         "set it again on one line, exactly as the service shows it")
    return value


def _one_word(value: SecretStr) -> SecretStr:
    if any(ch.isspace() for ch in value.get_secret_value()):
        raise ValueError("contains a space; the service's credentials have none: set it again exactly as the "
                         "service shows it")
    return value


def _printable_name(name: str) -> str:
    if _has_control(name):
        raise ValueError("contains a line break or another control character; a brand's name goes into "
                         "email subjects and alert titles: write it on one line")
    return name


# A brand's name: a word to match on, and a title in email headers, where a line break is refused.
BrandName = Annotated[str, AfterValidator(_not_blank), AfterValidator(_printable_name)]


# A password or signing key. A control character in it would make an HTTP or SMTP library refuse it and
# quote the whole value in its error; the error names the key, never the value (_SECRET_KEYS).
Secret = Annotated[SecretStr, AfterValidator(_single_line)]

# A credential a service issues as one word: a token, an app's id or secret, a webhook URL.
Token = Annotated[SecretStr, AfterValidator(_single_line), AfterValidator(_one_word)]


def _email_address(value: str) -> str:
    from email.utils import parseaddr

    address = parseaddr(value)[1]
    local, at, domain = address.rpartition("@")
    # A line break reaches the From or To header, which the email library refuses: every email failed, for a day.
    broken = any(unicodedata.category(ch) in _CONTROL_CATEGORIES for ch in value)
    if broken or not (local and at and "." in domain) or any(ch.isspace() for ch in address):
        raise ValueError(f"{value!r} is not an email address; write 'name@example.com' or 'Name <name@example.com>'"
                         + (" on one line" if broken else ""))
    return value


EmailAddress = Annotated[str, AfterValidator(_email_address)]

Probability = Annotated[float, Field(ge=0, le=1)]


def _iso_codes(value: list[str]) -> list[str]:
    wrong = [code for code in value if not re.fullmatch(r"[a-z]{2}", code)]
    if wrong:
        raise ValueError(f"not ISO 639-1 codes: {', '.join(map(repr, wrong))}; write two lower-case letters, e.g. 'es'")
    return value


def _detected_languages(value: list[str]) -> list[str]:
    """``value`` if each is a language as a post's is given: lower case ("EN" never matched "en"), a code of
    two or three letters, or a source's tag ("fil", "pt-br", which the detector passes on when unsure),
    "*" or "und"."""
    wrong = [code for code in value if code not in ("*", "und") and not re.fullmatch(r"[a-z]{2,3}(-[a-z0-9]+)*", code)]
    if wrong:
        raise ValueError(f"not language codes: {', '.join(map(repr, wrong))}; write them in lower case as the "
                         "classifier gives them, e.g. 'es', 'fil' or 'pt-br', or '*' (any language), or 'und' "
                         "(a post whose language was not found)")
    return value


LanguageCodes = Annotated[list[str], AfterValidator(_iso_codes)]


def _handle(value: str) -> str:
    """``value`` if it is an account's handle as X and Reddit write them (letters, digits, '_' and, on Reddit,
    '-'; an '@' before it is fine): the X query excludes it as ``-from:HANDLE``, where a space made the word
    after it a term every post had to contain ("-from:Lumora Ayuda" searched only posts saying "Ayuda")."""
    if not re.fullmatch(r"@?[A-Za-z0-9_-]+", value.strip()):
        raise ValueError(f"{value!r} is not an account handle; write the handle as in @lumora_ayuda (letters, digits "
                         "and '_'), not the display name or a link to the account")
    return value.strip()


Handle = Annotated[str, AfterValidator(_handle)]


class BrandConfig(Strict):
    """A brand to listen for, or a competitor to compare with (``competitor = true``)."""

    name: BrandName  # matched as its search term when it has none: a blank one matched any two non-word characters
    terms: dict[str, list[Word]] = Field(
        default_factory=dict,
        description="search terms per source name, e.g. {x = [...], reddit = [...]}; '*' applies to all",
    )
    own_handles: list[Handle] = Field(default_factory=list, description="the brand's own accounts, excluded")
    ignored_handles: list[Handle] = Field(
        default_factory=list,
        description="accounts whose posts are not customers' voices (news outlets, bots, resellers), excluded "
        "as the own accounts are",
    )
    languages: LanguageCodes = Field(default_factory=list, description="ISO 639-1 codes; empty means any")
    competitor: bool = False
    locale: str = "en_US"

    @field_validator("terms")
    @classmethod
    def _terms_per_known_source(cls, value: dict[str, list[str]]) -> dict[str, list[str]]:
        # A key that names no source ("twitter", "X") was accepted, and its terms never searched for.
        keys = [*SourcesConfig.model_fields, "*"]
        unknown = [key for key in value if key not in keys]
        if unknown:
            raise ValueError(f"terms for unknown source(s) {', '.join(map(repr, unknown))}; the keys are source "
                             f"names, {', '.join(map(repr, keys))} ('*': every source)")
        # An empty list fell back to the '*' terms or the name: a source meant to be left out was searched.
        empty = [key for key, terms in value.items() if not terms]
        if empty:
            raise ValueError(f"no terms for {', '.join(map(repr, empty))}; a source without terms of its own searches "
                             "the '*' terms, else the brand's name, so the brand cannot be left out of a source "
                             "this way: list its terms there, or remove the key")
        return value

    @field_validator("locale")
    @classmethod
    def _known_locale(cls, value: str) -> str:
        from babel import Locale, UnknownLocaleError

        try:
            Locale.parse(value)
        except (UnknownLocaleError, ValueError):
            raise ValueError(f"unknown locale {value!r}; use a CLDR name such as 'es_ES' or 'en_GB'") from None
        return value

    def names(self) -> list[str]:
        """What the brand is called: its name, its own accounts and its search terms."""
        return [self.name, *self.own_handles, *(term for terms in self.terms.values() for term in terms)]

    def excluded_handles(self) -> list[str]:
        """The accounts whose posts are not mentions of the brand: its own, then the ignored ones."""
        return [*self.own_handles, *self.ignored_handles]

    def terms_for(self, source: str) -> list[str]:
        """The search terms for ``source``: its own list, else the ``'*'`` list, else the brand name."""
        return self.terms.get(source) or self.terms.get("*") or [self.name]

    @model_validator(mode="after")
    def _x_query_fits(self) -> "BrandConfig":
        from listener.sources.queries import X_QUERY_MAX_LENGTH, x_search_query

        query = x_search_query(self, exclude_retweets=True)
        if len(query) > X_QUERY_MAX_LENGTH:
            raise ValueError(
                f"brand {self.name!r}: its X search query is {len(query)} characters, X allows "
                f"{X_QUERY_MAX_LENGTH}; shorten terms.x (or terms['*']), own_handles, ignored_handles or languages"
            )
        return self


class SourceConfig(Strict):
    """What every source has: whether it runs and how often."""

    enabled: bool = False
    interval_seconds: float = Field(default=300, gt=0, le=MAX_INTERVAL_SECONDS)


class XSourceConfig(SourceConfig):
    """X (Twitter) API v2 recent search through tweepy."""

    bearer_token: Token | None = None
    exclude_retweets: bool = True
    max_results: int = Field(default=100, ge=10, le=100)

    @model_validator(mode="after")
    def _enabled_needs_token(self) -> "XSourceConfig":
        if self.enabled and not (self.bearer_token and self.bearer_token.get_secret_value()):
            raise ValueError('an enabled x source needs bearer_token, e.g. bearer_token = "${X_BEARER_TOKEN}"')
        return self


def _subreddit_names(names: list[str]) -> list[str]:
    """Names as Reddit's URLs take them after /r/: "askreddit", not "r/askreddit" (asked for as /r/r/askreddit,
    a 404 at every poll) or a blank one."""
    wrong = [name for name in names if not name.strip() or "/" in name or any(ch.isspace() for ch in name.strip())]
    if wrong:
        raise ValueError(f"not subreddit names: {', '.join(map(repr, wrong))}; write each name as it follows /r/ "
                         "in the subreddit's address, e.g. 'askreddit'")
    return [name.strip() for name in names]


# Subreddit names ("all", "askreddit"); "a+b" names both, as Reddit's own addresses do.
Subreddits = Annotated[list[str], AfterValidator(_subreddit_names)]


class RedditSourceConfig(SourceConfig):
    """Reddit, read-only, through praw."""

    client_id: Token | None = None
    client_secret: Token | None = None
    user_agent: str = "complaint-listener/0.1 (read-only)"
    subreddits: Subreddits = Field(default_factory=lambda: ["all"])
    comment_subreddits: Subreddits = Field(default_factory=list)

    @field_validator("subreddits")
    @classmethod
    def _somewhere_to_search(cls, value: list[str]) -> list[str]:
        if not value:
            raise ValueError('no subreddit to search: each brand is searched in these; ["all"] searches all of Reddit')
        return value

    @model_validator(mode="after")
    def _enabled_needs_credentials(self) -> "RedditSourceConfig":
        missing = [key for key in ("client_id", "client_secret")
                   if not (getattr(self, key) and getattr(self, key).get_secret_value())]
        if self.enabled and missing:
            raise ValueError(f"an enabled reddit source needs {' and '.join(missing)}, e.g. "
                             'client_id = "${REDDIT_CLIENT_ID}", client_secret = "${REDDIT_CLIENT_SECRET}"')
        return self


class ReplaySourceConfig(SourceConfig):
    """A JSONL file of posts, replayed (optionally paced by their timestamps)."""

    path: Path | None = None
    speed: float = Field(default=0, ge=0, description="0 = as fast as possible; 60 = a minute per second")
    batch_size: int = Field(default=200, gt=0)

    @model_validator(mode="after")
    def _enabled_needs_path(self) -> "ReplaySourceConfig":
        if self.enabled and self.path is None:
            raise ValueError("an enabled replay source needs 'path', the JSONL file to replay")
        return self


class SourcesConfig(Strict):
    """The sources, each a table of its own."""

    x: XSourceConfig = Field(default_factory=XSourceConfig)
    reddit: RedditSourceConfig = Field(default_factory=RedditSourceConfig)
    replay: ReplaySourceConfig = Field(default_factory=ReplaySourceConfig)


class ClassifierConfig(Strict):
    """Which classifier backend runs and how."""

    backend: Literal["embedded", "transformers", "lexicon"] = "embedded"
    batch_size: int = Field(default=64, gt=0)
    model_path: str | None = None
    sentiment_model: str | None = None
    complaint_model: str | None = None
    complaint_labels: list[Annotated[str, StringConstraints(strip_whitespace=True, min_length=1)]] = Field(
        default_factory=lambda: ["This is a complaint about a product or service.", "This is not a complaint."],
        min_length=2, description="transformers zero-shot: the complaint hypothesis first, then the others",
    )
    max_length: int = Field(default=128, gt=0)
    threads: int | None = Field(default=None, gt=0)
    quantize: bool = False
    sentiment_temperature: float = Field(
        default=1.0, gt=0, allow_inf_nan=False, description="transformers: sentiment logits are divided by it"
    )
    complaint_platt: tuple[FiniteFloat, FiniteFloat] = Field(
        default=(1.0, 0.0), description="complaint_model: [a, b], its complaint log-odds x become a * x + b"
    )
    complaint_band: tuple[Probability, Probability] = Field(
        default=(0.0, 1.0),
        description="complaint_model beside the embedded one: it scores only the posts whose embedded complaint "
        "probability is within [low, high]; [0, 1] is every post",
    )
    languages: LanguageCodes = Field(
        default_factory=list,
        description="the languages the language detector chooses among (ISO 639-1), e.g. ['es', 'en', 'pt'] for "
        "a brand whose customers write in those; empty: 19 common ones (models/language.py). A source's "
        "language wins when it names one outside the list",
    )
    failure_phrases: list[Phrase] = Field(
        default_factory=list,
        description="added to the built-in service failure phrases (models/service_failure.py): a post with one "
        "is at least 0.8 likely a complaint, with every backend; e.g. 'no me deja pagar', 'card declined'",
    )
    no_problem_phrases: list[Phrase] = Field(
        default_factory=list,
        description="added to the built-in 'no problem' phrases (models/no_problem.py): a post with one and no "
        "contrast word ('until', 'pero') is at most 0.4 likely a complaint; e.g. 'never been overcharged'",
    )

    @model_validator(mode="after")
    def _band_in_order(self) -> "ClassifierConfig":
        low, high = self.complaint_band
        if low > high:
            raise ValueError(f"complaint_band [{low}, {high}] must be [low, high], the low end first, e.g. [0.25, 0.75]")
        return self


Severity = Literal["low", "normal", "high", "critical"]
SEVERITIES: tuple[Severity, ...] = ("low", "normal", "high", "critical")


def _check_timezone(value: str) -> str:
    from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

    try:
        ZoneInfo(value)
    except (ZoneInfoNotFoundError, ValueError):
        raise ValueError(f"unknown time zone {value!r}; use an IANA name such as 'Europe/Madrid'") from None
    return value


class QuietHoursConfig(Strict):
    """Hours when a channel is not disturbed: what would alert then is held for the next digest."""

    start: str = Field(pattern=r"^([01]\d|2[0-3]):[0-5]\d$", description="local time, e.g. '22:00'")
    end: str = Field(pattern=r"^([01]\d|2[0-3]):[0-5]\d$", description="local time, e.g. '07:00'")
    timezone: str = "UTC"
    except_severities: list[Severity] = Field(
        default_factory=lambda: ["critical"], description="severities delivered even in quiet hours, with every one above them "
        "(['high'] delivers high and critical)"
    )

    @field_validator("timezone")
    @classmethod
    def _known_timezone(cls, value: str) -> str:
        return _check_timezone(value)


# What Slack's API calls a reaction: 'white_check_mark', '+1', 'flag-es' (custom emoji: lower case, digits, - and _).
SLACK_REACTION_NAME = re.compile(r"[a-z0-9_+'-]+")


class ChannelConfig(Strict):
    """Where alerts go. ``type`` picks the notifier; the other keys are that notifier's."""

    name: str = Field(min_length=1)
    type: Literal["console", "jsonl", "slack", "email", "webhook"]
    path: Path | None = None
    webhook_url: Token | None = None
    bot_token: Token | None = None
    channel: str | None = None
    base_url: str | None = None
    url: str | None = None
    secret: Secret | None = None
    smtp_host: str | None = None
    smtp_port: int | None = Field(default=None, ge=1, le=65535)
    smtp_security: Literal["starttls", "ssl", "none"] = "starttls"
    smtp_user: str | None = None
    smtp_password: Secret | None = None
    sender: EmailAddress | None = None
    recipients: list[EmailAddress] = Field(default_factory=list)
    timeout_seconds: float = Field(default=10, gt=0)
    quiet_hours: QuietHoursConfig | None = None
    rate_limit_per_minute: int | None = Field(
        default=None, gt=0, description="more is batched into one; default 10 for people's channels (slack, "
        "email, webhook), unlimited for console and jsonl")
    grouping: bool | None = Field(
        default=None, description="follow-ups instead of a message per alert; default on for slack, email, webhook")
    ack_reaction: str = Field(default="white_check_mark", description="Slack reaction (name) that acknowledges")

    @field_validator("ack_reaction")
    @classmethod
    def _reaction_name(cls, value: str) -> str:
        # Slack's API names a reaction without the colons it shows: ':white_check_mark:' never matched one.
        name = value.strip().strip(":")
        if not SLACK_REACTION_NAME.fullmatch(name):
            raise ValueError(f"{value!r} is not a Slack reaction name; write the emoji's name as Slack's API does "
                             f"(lower case, no skin tone), e.g. 'white_check_mark' or 'eyes'")
        return name

    @model_validator(mode="after")
    def _required_per_type(self) -> "ChannelConfig":
        required = {
            "jsonl": ["path"],
            "webhook": ["url"],
            "email": ["smtp_host", "sender", "recipients"],
        }.get(self.type, [])
        missing = [key for key in required if not getattr(self, key)]
        if self.type == "slack" and not (self.webhook_url or (self.bot_token and self.channel)):
            missing.append("webhook_url (or bot_token and channel)")
        if missing:
            raise ValueError(f"a {self.type} channel needs {', '.join(missing)}")
        return self

    @model_validator(mode="after")
    def _urls_are_http(self) -> "ChannelConfig":
        # A URL without a scheme was retried for 24 h, and urllib delivered a file:// one to a file, as 'sent'.
        for key in ("url", "webhook_url", "base_url"):
            value = getattr(self, key)
            text = value.get_secret_value() if isinstance(value, SecretStr) else value
            if text and not _is_http_url(text):  # never quoted: a webhook URL carries its token
                raise ValueError(f"channel {self.name!r}: {key} must be an http:// or https:// URL with a host "
                                 f"and no spaces, e.g. 'https://hooks.example.com/alerts'")
        return self


def _is_http_url(text: str) -> bool:
    """Whether ``text`` is an http(s) URL with a host, a usable port if it names one, and no spaces or
    control characters (urllib's error for those quotes the URL, token and all)."""
    try:
        parts = urlsplit(text)
        port = parts.port
    except ValueError:  # an unclosed '[', a port that is not a number from 0 to 65535
        return False
    return parts.scheme in ("http", "https") and bool(parts.hostname) and port != 0 and text.isprintable() \
        and " " not in text


class RouteConfig(Strict):
    """Extra channels for the alerts of a rule that match every condition given here."""

    channels: list[str] = Field(min_length=1)
    brands: list[str] = Field(default_factory=lambda: ["*"])
    languages: Annotated[list[str], AfterValidator(_detected_languages)] = Field(
        default_factory=lambda: ["*"], description="ISO 639-1 codes, '*' for any, 'und' for undetermined")
    min_severity: Severity = "low"


# The built-in keyword lists a rule can take (``alerts.keywords.DEFAULT_KEYWORDS`` has their words).
KEYWORD_CATEGORIES = ("legal", "safety", "churn", "outage", "unanswered")


def _keyword_categories(value: bool | list[str]) -> bool | list[str]:
    unknown = [category for category in value if category not in KEYWORD_CATEGORIES] if isinstance(value, list) else []
    if unknown:
        raise ValueError(f"unknown categories {', '.join(map(repr, unknown))}; list some of "
                         f"{', '.join(KEYWORD_CATEGORIES)}, or write true (all) or false (none)")
    return value


class RuleConfig(Strict):
    """Which mentions alert, and where to."""

    name: str = Field(min_length=1)
    brands: list[str] = Field(default_factory=lambda: ["*"], description="brand names, '*' for all own brands")
    complaint_threshold: Annotated[float | None, BeforeValidator(_false_is_none)] = Field(
        default=0.6, ge=0, le=1, description="false for none: the rule's keywords (or negative threshold) alone")
    negative_threshold: Annotated[float | None, BeforeValidator(_false_is_none)] = Field(default=None, ge=0, le=1)
    keywords: list[Word] = Field(default_factory=list, description="always alert when one appears (any case)")
    default_keywords: Annotated[bool | list[str], AfterValidator(_keyword_categories)] = Field(
        default=True, description="also the built-in words: true for all, false for none, or a list of categories "
        "from legal, safety, churn, outage, unanswered")
    reach_thresholds: list[int] = Field(
        default_factory=lambda: [10_000, 100_000], description="each one the author's reach meets raises severity"
    )
    channels: list[str] = Field(default_factory=list)
    routes: list[RouteConfig] = Field(default_factory=list)
    sla_minutes: float | None = Field(default=None, gt=0, description="overrides alerts.ack_sla_minutes")

    @model_validator(mode="after")
    def _routes_somewhere(self) -> "RuleConfig":
        if not self.channels and not self.routes:
            raise ValueError(f"rule {self.name!r} needs 'channels' or 'routes' to send its alerts somewhere")
        return self

    def all_channels(self) -> list[str]:
        """Every channel the rule can route to."""
        return [*self.channels, *(name for route in self.routes for name in route.channels)]


class AlertsConfig(Strict):
    """Alert channels and the rules that route to them."""

    channels: list[ChannelConfig] = Field(default_factory=list)
    rules: list[RuleConfig] = Field(default_factory=list)
    delivery_interval_seconds: float = Field(default=5, gt=0, le=MAX_INTERVAL_SECONDS)
    operator_channel: str | None = Field(
        default=None, description="channel that hears of source and delivery failures"
    )
    operator_notice_minutes: float = Field(default=60, gt=0, description="one notice per kind and subject per")
    give_up_after_hours: float = Field(default=24, gt=0, description="stop retrying an alert this old")
    grouping_window_minutes: float = Field(
        default=30, ge=0, description="alerts of one topic within this become follow-ups of the first; 0 = off"
    )
    group_interval_minutes: float = Field(default=5, ge=0, description="at most one follow-up message per")
    escalation_channel: str | None = Field(default=None, description="hears of alerts not acknowledged in time")
    ack_sla_minutes: float = Field(default=60, gt=0)
    ack_poll_seconds: float = Field(default=60, gt=0, le=MAX_INTERVAL_SECONDS, description="how often Slack reactions are read")
    ack_lookback_hours: float = Field(default=48, gt=0, description="how far back reactions are read")

    @model_validator(mode="after")
    def _rules_name_known_channels(self) -> "AlertsConfig":
        names = [channel.name for channel in self.channels]
        duplicated = sorted({name for name in names if names.count(name) > 1})
        if duplicated:
            raise ValueError(f"channel names must be unique; repeated: {', '.join(duplicated)}")
        for key in ("operator_channel", "escalation_channel"):
            value = getattr(self, key)
            if value is not None and value not in names:
                raise ValueError(f"{key} {value!r} is not a defined channel")
        for rule in self.rules:
            unknown = [name for name in rule.all_channels() if name not in names]
            if unknown:
                raise ValueError(
                    f"rule {rule.name!r} routes to unknown channel(s) {', '.join(unknown)}; "
                    f"defined channels: {', '.join(names) or 'none'}"
                )
        return self


# Complaint topics for the digest, in Spanish, English and Portuguese. A keyword matches a whole word or
# phrase, ignoring case and accents; one ending in '*' matches every word that starts with it.
DEFAULT_DIGEST_TOPICS: dict[str, list[str]] = {
    "delivery": ["entrega*", "envio*", "pedido*", "paquete*", "repartidor*", "mandaron", "deliver*", "parcel*",
                 "courier*", "shipping", "shipment*", "encomenda*", "entregue*", "frete", "correios"],
    "billing": ["factura*", "cobr*", "cargo*", "tarifa*", "reembols*", "precio*", "pago", "bill", "billing",
                "billed", "charge*", "invoice*", "refund*", "overcharg*", "price*", "paying", "fatura*", "preco*",
                "estorno", "pagando"],
    "product quality": ["calidad", "defectuos*", "roto", "rota", "estropead*", "lento", "lenta", "velocidad*",
                        "megas", "quality", "broken", "faulty", "defect*", "slow", "speed*", "mbps", "qualidade",
                        "quebrad*", "defeito*", "velocidade"],
    "staff": ["atencion al cliente", "agente*", "operador*", "empleado*", "grosero*", "soporte", "en espera",
              "colgaron", "ni caso", "sin respuesta", "staff", "agent*", "rude", "customer service", "support",
              "on hold", "hung up", "never reply", "no reply", "atendente*", "atendimento", "funcionario*",
              "suporte", "nem responde"],
    "outage": ["caida", "caido", "sin servicio", "sin conexion", "sin internet", "sin fibra", "sin senal",
               "no funciona", "apagon", "averia", "outage", "down", "no signal", "no broadband", "no internet",
               "not working", "no service", "fora do ar", "sem internet", "sem fibra", "sem sinal", "nao funciona",
               "queda"],
    "app and website": ["app", "aplicacion", "login", "log in", "iniciar sesion", "contrasena", "password",
                        "sign in", "website", "web", "site", "aplicativo", "senha"],
    "cancellation": ["cancelar", "cancelo", "baja", "portabilidad", "me voy", "cancel*", "leaving", "switching",
                     "i'm off", "cancelamento", "portabilidade", "indo embora"],
}


class DigestConfig(Strict):
    """The daily digest for PR staff."""

    enabled: bool = False
    time: str = Field(default="08:00", pattern=r"^([01]\d|2[0-3]):[0-5]\d$")
    timezone: str = "UTC"
    recipients: list[EmailAddress] = Field(default_factory=list)
    channel: str | None = Field(default=None, description="a slack alert channel that gets a short summary")
    email_channel: str | None = Field(
        default=None, description="the email alert channel whose SMTP server sends it; default: the first one"
    )
    top_n: int = Field(default=10, ge=1, le=100,
                       description="rows in each list: top complaints, topics, languages, incidents, held alerts, "
                       "days of late posts")
    topics: dict[str, list[Word]] = Field(
        default_factory=lambda: {topic: list(words) for topic, words in DEFAULT_DIGEST_TOPICS.items()},
        description="complaint topic -> keywords in any language ('word*' matches words starting with it)",
    )
    brand_topics: dict[str, dict[str, list[Word]]] = Field(
        default_factory=dict, description="a brand's own taxonomy, replacing 'topics' for that brand"
    )

    @field_validator("timezone")
    @classmethod
    def _known_timezone(cls, value: str) -> str:
        return _check_timezone(value)


class EarlyWarningConfig(Strict):
    """Spike detection, incidents and escalation of complaints that spread (``[early_warning]``)."""

    enabled: bool = False
    interval_seconds: float = Field(default=60, gt=0, le=MAX_INTERVAL_SECONDS, description="how often the job runs")
    channels: list[str] = Field(default_factory=list, description="alert channels that hear of it")
    complaint_threshold: float = Field(default=0.5, ge=0, le=1, description="what counts as a complaint")
    sensitivity: Literal["low", "normal", "high"] = Field(
        default="normal", description="how unlikely a count must be to be a spike: 1e-6, 1e-4, 1e-3 per check")
    min_count: int = Field(default=5, ge=1, description="fewer complaints in a window never make a spike")
    cooldown_minutes: float = Field(default=60, ge=0, description="a series alerts at most once per")
    history_days: float = Field(default=14, gt=0, description="the baseline learns from this much")
    warmup_hours: float = Field(default=24, ge=0, description="no spike verdict before this much listening")
    timezone: str = Field(default="UTC", description="the audience's time zone, whose hours and days the baseline's "
                          "daily and weekly rhythm follow")
    incident_window_minutes: float = Field(default=120, gt=0, description="an incident stays open this long")
    similarity_threshold: float = Field(default=0.2, gt=0, le=1, description="to join an incident (cosine)")
    spread_likes_per_hour: float = Field(default=200, gt=0)
    spread_reposts_per_hour: float = Field(default=30, gt=0)
    spread_replies_per_hour: float = Field(default=30, gt=0)
    spread_reach: int = Field(default=100_000, gt=0, description="a complaint from an author this big escalates")
    spread_lookback_hours: float = Field(default=48, gt=0, description="how old a complaint may be to escalate")

    @field_validator("timezone")
    @classmethod
    def _known_timezone(cls, value: str) -> str:
        return _check_timezone(value)

    @model_validator(mode="after")
    def _enabled_needs_channels(self) -> "EarlyWarningConfig":
        if self.enabled and not self.channels:
            raise ValueError('enabled early warning needs channels, e.g. channels = ["console"]')
        return self


class StorageConfig(Strict):
    """Where the SQLite database lives and how long mentions are kept."""

    path: Path = Path("listener.db")
    retention_days: int = Field(default=180, gt=0)


class Settings(Strict):
    """The whole configuration."""

    brands: list[BrandConfig] = Field(min_length=1)
    sources: SourcesConfig = Field(default_factory=SourcesConfig)
    classifier: ClassifierConfig = Field(default_factory=ClassifierConfig)
    alerts: AlertsConfig = Field(default_factory=AlertsConfig)
    digest: DigestConfig = Field(default_factory=DigestConfig)
    storage: StorageConfig = Field(default_factory=StorageConfig)
    early_warning: EarlyWarningConfig = Field(default_factory=EarlyWarningConfig)

    @model_validator(mode="after")
    def _brands_named_once(self) -> "Settings":
        names = [brand.name for brand in self.brands]
        twice = sorted({name for name in names if names.count(name) > 1})
        if twice:
            raise ValueError(f"brand name(s) {', '.join(map(repr, twice))} appear more than once in [[brands]]")
        alike: dict[str, list[str]] = {}
        for name in names:
            alike.setdefault(fold(name), []).append(name)
        for spellings in alike.values():
            if len(spellings) > 1:
                raise ValueError(f"brand names {' and '.join(map(repr, spellings))} differ only in case or accents: they "
                                 "read as one brand (terms match any case or accents) and rules and the digest would "
                                 "take one for the other; keep one [[brands]] table for it, or name the other apart")
        unknown = [name for name in self.digest.brand_topics if name not in names]
        if unknown:
            raise ValueError(f"digest.brand_topics names unknown brand(s) {', '.join(map(repr, unknown))}; "
                             f"brands: {', '.join(names)}")
        return self

    @model_validator(mode="after")
    def _early_warning_names_known_channels(self) -> "Settings":
        known = [channel.name for channel in self.alerts.channels]
        unknown = [name for name in self.early_warning.channels if name not in known]
        if unknown:
            raise ValueError(f"early_warning.channels names unknown channel(s) {', '.join(unknown)}; "
                             f"defined channels: {', '.join(known) or 'none'}")
        return self

    @model_validator(mode="after")
    def _digest_names_fitting_channels(self) -> "Settings":
        types = {channel.name: channel.type for channel in self.alerts.channels}
        for key, wanted in (("channel", "slack"), ("email_channel", "email")):
            name = getattr(self.digest, key)
            if name is not None and types.get(name) != wanted:
                defined = ", ".join(n for n, t in types.items() if t == wanted) or "none"
                raise ValueError(f"digest.{key} must name a {wanted} channel of [[alerts.channels]]; "
                                 f"got {name!r}, defined {wanted} channels: {defined}")
        if self.digest.enabled and "email" not in types.values():  # else the daily job fails every day
            raise ValueError("digest.enabled = true emails the digest daily, and there is no email channel to "
                             "send it through (digest.channel only gets a summary beside the email); add an "
                             "[[alerts.channels]] entry with type = 'email' (smtp_host, sender, recipients), "
                             "or set enabled = false in [digest]")
        return self

    @model_validator(mode="after")
    def _quiet_hours_have_a_digest(self) -> "Settings":
        quiet = [channel.name for channel in self.alerts.channels if channel.quiet_hours is not None]
        if quiet and not self.digest.enabled:
            raise ValueError(
                f"alert channel(s) {', '.join(map(repr, quiet))} have quiet_hours, which hold alerts for the daily "
                f"digest, but the digest is off, so held alerts would never be shown; set enabled = true in "
                f"[digest], or remove quiet_hours from those channels")
        return self

    @model_validator(mode="after")
    def _rules_name_known_brands(self) -> "Settings":
        known = {brand.name for brand in self.brands}
        for rule in self.alerts.rules:
            named = [*rule.brands, *(name for route in rule.routes for name in route.brands)]
            unknown = [name for name in named if name != "*" and name not in known]
            if unknown:
                raise ValueError(f"rule {rule.name!r} names unknown brand(s) {', '.join(unknown)}")
            _rule_covers_its_brands(rule, {brand.name for brand in self.brands if brand.competitor})
        return self

    def brand(self, name: str) -> BrandConfig | None:
        """The brand called ``name``, or ``None``."""
        return next((brand for brand in self.brands if brand.name == name), None)


def _rule_covers_its_brands(rule: RuleConfig, competitors: set[str]) -> None:
    """Refuse a rule, or one of its routes, that names a brand whose mentions it never alerts on: a
    competitor (competitors never alert), or in a route a brand the rule itself does not cover."""
    named = [*rule.brands, *(name for route in rule.routes for name in route.brands)]
    rivals = [name for name in dict.fromkeys(named) if name in competitors]
    if rivals:
        raise ValueError(f"rule {rule.name!r} names competitor(s) {', '.join(map(repr, rivals))}, whose mentions never "
                         "alert (the digest compares them); remove them from the rule's brands and routes, or set "
                         "competitor = false in their [[brands]] table to alert on them as your own")
    if "*" in rule.brands:
        return
    for route in rule.routes:
        outside = [name for name in route.brands if name != "*" and name not in rule.brands]
        if outside:
            raise ValueError(f"rule {rule.name!r} has a route for brand(s) {', '.join(map(repr, outside))}, which the "
                             f"rule does not cover (its brands: {', '.join(map(repr, rule.brands))}), so the route "
                             "never sends; add them to the rule's brands, or move the route to a rule that covers them")


def find_config(explicit: str | os.PathLike[str] | None = None) -> Path:
    """Where the config is: ``explicit``, else ``$LISTENER_CONFIG``, else ``./listener.toml``."""
    if explicit:
        return Path(explicit)
    if os.environ.get(CONFIG_ENV):
        return Path(os.environ[CONFIG_ENV])
    return Path(DEFAULT_CONFIG_NAME)


def load_settings(path: str | os.PathLike[str], environ: Mapping[str, str] | None = None) -> Settings:
    """Read, interpolate and validate the TOML file at ``path``.

    Relative paths inside it (storage, replay files, alert files) are taken from the file's folder.

    Example::

        >>> settings = load_settings("listener.toml")
        >>> settings.brands[0].name
        'Lumora'

    Raises :class:`ConfigError` naming the file, the key and what is expected.
    """
    path = Path(path)
    environ = os.environ if environ is None else environ
    try:
        text = _config_text(path, path.read_bytes())
        raw = tomllib.loads(text)
    except FileNotFoundError:
        raise ConfigError(
            f"{path}: no such config file. Create one with 'listener init', or name it with "
            f"--config PATH or ${CONFIG_ENV}."
        ) from None
    except OSError as error:
        raise ConfigError(f"{path}: cannot read it ({error})") from None
    except tomllib.TOMLDecodeError as error:
        raise ConfigError(f"{path}: not valid TOML: {error}") from None
    except RecursionError:
        raise _nested_too_deeply(path) from None
    try:
        interpolated = _interpolate(raw, environ, path, key_path=(), enabled=True)
        settings = Settings.model_validate(interpolated)
    except ValidationError as error:
        raise ConfigError(_describe_validation_error(path, text, error)) from None
    except RecursionError:
        raise _nested_too_deeply(path) from None
    return _resolve_paths(settings, path.parent)


def _nested_too_deeply(path: Path) -> ConfigError:
    """The error for arrays or tables within each other thousands of times (``[[[[...``, ``a.a.a....b = 1``)."""
    return ConfigError(f"{path}: arrays or tables are nested too deeply to read; no key of the configuration nests "
                       "more than a few levels (see the README's configuration reference)")


def _config_text(path: Path, data: bytes) -> str:
    """The config file's text; a UTF-8 byte-order mark (Notepad's) is read past, and bytes that are not UTF-8
    (a Latin-1 'Café') are an error naming their line and column, as TOML's own errors do."""
    data = data.removeprefix(codecs.BOM_UTF8)
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as error:
        line = data.count(b"\n", 0, error.start) + 1
        column = error.start - data.rfind(b"\n", 0, error.start)
        raise ConfigError(f"{path}: not UTF-8 text: byte {data[error.start]:#04x} (at line {line}, column {column}); "
                          "save the file as UTF-8") from None


# What a value that refers to an unset variable inside a disabled table becomes: left out, as if not written
# (an empty string in its place failed validation: "'' is not an email address").
_LEFT_OUT = object()


def _interpolate(value: Any, environ: Mapping[str, str], path: Path, key_path: tuple[str, ...], enabled: bool,
                 way_out: str = "") -> Any:
    """Replace ``${VAR}`` in strings; a missing variable is an error unless its table is disabled, where the
    key or list item that refers to it is left out.

    ``way_out`` is what the error offers besides exporting the variable: turning off the table that
    holds it (only a table with an ``enabled`` key can be) or removing the list entry it is in.
    """
    if isinstance(value, dict):
        table_enabled = enabled and value.get("enabled", True) is not False
        if key_path in _switchable_tables():
            way_out = f"set enabled = false in [{'.'.join(key_path)}]"
        table = {key: _interpolate(item, environ, path, (*key_path, key), table_enabled, way_out)
                 for key, item in value.items()}
        return {key: item for key, item in table.items() if item is not _LEFT_OUT}
    if isinstance(value, list):
        entry = way_out or f"remove that [[{'.'.join(key_path)}]] entry"  # inside an entry: the outer one
        items = [_interpolate(item, environ, path, (*key_path, str(index)), enabled,
                              entry if isinstance(item, dict) else way_out)
                 for index, item in enumerate(value)]
        return [item for item in items if item is not _LEFT_OUT]
    if not isinstance(value, str):
        return value
    bare = BARE_REFERENCE.fullmatch(value.strip()) if key_path and key_path[-1] in _SECRET_KEYS else None
    if bare and (VARIABLE_NAME.fullmatch(bare.group(1)) or bare.group(1) in environ):
        # Named only when it is a variable that is set: "$PASSWORD1" may be the password itself.
        named = bare.group(1) in environ
        written = f"is {value.strip()!r}" if named else "is a '$' and a name (not shown: it may be the secret itself)"
        raise ConfigError(
            f"{path}: key '{'.'.join(key_path)}' {written}, which would be taken as it is written, not "
            f"as the environment variable; write \"${{{bare.group(1) if named else 'NAME'}}}\", with braces"
        )
    # A variable set to nothing (an env file's 'X_BEARER_TOKEN=' not filled in) is as good as unset: as a value it
    # was refused as missing ("an enabled x source needs bearer_token") or taken as an empty password.
    unset = [name for name in ENV_REFERENCE.findall(value) if not environ.get(name, "").strip()]
    if unset and not enabled:
        return _LEFT_OUT
    if unset:
        name = unset[0]
        how = f"is empty. Set {name} to its value" if name in environ else f"is not set. Export {name}"
        raise ConfigError(
            f"{path}: key '{'.'.join(key_path)}' refers to the environment variable ${{{name}}}, "
            f"which {how}" + (f", or {way_out}." if way_out else ".")
        )
    # An env file's CRLF would otherwise end up in a token.
    return ENV_REFERENCE.sub(lambda match: environ[match.group(1)].strip(), value)


@cache
def _switchable_tables(model: type[BaseModel] = Settings, key_path: tuple[str, ...] = ()) -> frozenset[tuple[str, ...]]:
    """The key paths of the tables that have an ``enabled`` key: ``("sources", "x")``, ``("digest",)``..."""
    found = {key_path} if "enabled" in model.model_fields else set()
    for name, field in model.model_fields.items():
        if isinstance(field.annotation, type) and issubclass(field.annotation, BaseModel):
            found |= _switchable_tables(field.annotation, (*key_path, name))
    return frozenset(found)


# Keys whose value is never echoed in an error message (a secret written as a literal of the wrong type).
_SECRET_KEYS = frozenset({"bearer_token", "client_id", "client_secret", "webhook_url", "bot_token", "secret",
                          "smtp_password", "url"})


def _describe_validation_error(path: Path, text: str, error: ValidationError) -> str:
    lines = [f"{path}: invalid configuration:"]
    for problem in error.errors():
        key = ".".join(str(part) for part in problem["loc"]) or "(top level)"
        # A missing key is written nowhere: the line is its table's (another table's key of that name is not it).
        line = line_of(text, problem["loc"][:-1] if problem["type"] == "missing" else problem["loc"])
        if line is not None:
            key = f"line {line}, {key}"
        if problem["type"] == "extra_forbidden":
            what = f"unknown key; {_spelling_hint(problem['loc'])}"
        elif problem["type"] == "missing":
            what = "required key is missing"
        else:
            given = problem.get("input")
            hidden = isinstance(given, (dict, list)) or given is None or str(problem["loc"][-1]) in _SECRET_KEYS
            shown = "" if hidden else f" (got {given!r})"
            what = f"{problem['msg']}{shown}"
        lines.append(f"  {key}: {what}")
    return "\n".join(lines)


def _spelling_hint(loc: tuple[str | int, ...]) -> str:
    """What an unknown key at ``loc`` may have meant: the key of its table closest in spelling
    (``treshold``: 'complaint_threshold'), else the keys that table has."""
    model: Any = Settings
    for part in loc[:-1]:  # a list index, or a union's member pydantic names ("bool"), leaves the table as it is
        fields = getattr(model, "model_fields", {})
        model = fields[part].annotation if part in fields else model
        while not (isinstance(model, type) and issubclass(model, BaseModel)) and get_args(model):
            model = next(argument for argument in get_args(model) if argument is not type(None))  # list[X], X | None
    keys = list(getattr(model, "model_fields", {}))
    if not keys:
        return "check its spelling against 'listener init' or the README's reference"
    typed = str(loc[-1]).lower()
    likeness = {key: difflib.SequenceMatcher(None, typed, key).ratio() for key in keys}
    best = max(likeness.values())
    # As alike as the likest, near enough ("treshold": reach_thresholds, negative_ and complaint_threshold).
    close = sorted((key for key in keys if likeness[key] >= max(0.55, best - 0.1)), key=likeness.get, reverse=True) \
        or [key for key in keys if typed in key or key in typed]
    if close:
        named = [repr(key) for key in close[:3]]
        return f"did you mean {', '.join(named[:-1])}{' or ' if len(named) > 1 else ''}{named[-1]}?"
    return f"the keys here are {', '.join(keys)} (the README's configuration reference has them all)"


def _resolve_paths(settings: Settings, base: Path) -> Settings:
    def resolve(value: Path | None) -> Path | None:
        return value if value is None or value.is_absolute() else base / value

    settings.storage.path = resolve(settings.storage.path)  # type: ignore[assignment]
    settings.sources.replay.path = resolve(settings.sources.replay.path)
    for channel in settings.alerts.channels:
        channel.path = resolve(channel.path)
    classifier = settings.classifier
    if classifier.model_path is not None:
        classifier.model_path = str(resolve(Path(classifier.model_path)))
    # A transformer is a folder or a hub id ("cardiffnlp/..."): a folder beside the config file is taken.
    for key in ("sentiment_model", "complaint_model"):
        value = getattr(classifier, key)
        if value is not None and not Path(value).is_absolute() and (base / value).is_dir():
            setattr(classifier, key, str(base / value))
    return settings


MASK = "**********"


def secret_values(*models: Any) -> list[str]:
    """Every secret in ``models`` (settings or any part of them): the ``SecretStr`` values, and
    generic webhook URLs, which may carry a token."""
    found: list[str] = []
    for model in models:
        if isinstance(model, SecretStr):
            found.append(model.get_secret_value())
        elif isinstance(model, ChannelConfig) and model.url:
            found.append(model.url)
        if isinstance(model, BaseModel):
            found += secret_values(*(getattr(model, name) for name in type(model).model_fields))
        elif isinstance(model, (list, tuple)):
            found += secret_values(*model)
        elif isinstance(model, dict):
            found += secret_values(*model.values())
    return found


def masked_dump(settings: Settings) -> dict[str, Any]:
    """The effective settings as plain data, with every secret (and a generic webhook's URL)
    replaced by ``'**********'``."""
    dumped = settings.model_dump(mode="json", exclude_none=True)
    for channel in dumped["alerts"]["channels"]:
        if "url" in channel:
            channel["url"] = MASK
    return dumped
