"""People's proper names: the name inside a mention, and the fullest form the article gives.

News style introduces a person once in full, with title and country ("Egyptian Irrigation Minister
Tarek Soliman"), then by surname ("Soliman") or title ("the minister"); the contract asks for the
proper name, the title and the affiliation of every participant however the evidence sentence
names them. The model sees the article but leaves these null or short more often than not, and a
long article reaches it in windows. Code reads them off the article's own words instead:

- `name_in_mention`: the capitalised words after a title ("Mossad deputy director Eitan Brill" ->
  "Eitan Brill"); without a title word in front, capitalised words may as well be an organisation
  ("Unitary Platform"), so no name is read.
- `People.name_for`: the name of the participant a mention names, as a `Name` at its offsets: the
  model's, one inside the mention, one right after a one-person title ("Serbia's chief
  negotiator, Milan Jovanovic"), or the mention itself when it is part of a name.
- `People.fullest`: a short name ("Soliman", "Xi") becomes the longest name in the article that
  contains it, when only one does, nearest before the mention first.
- `People.introduction`: the title and country written in front of that full name, for a
  participant whose own mention gives neither.

A run of capitals is a person's name only if none of its words is also written in lower case
in the article (common words), none names a body or field of office ("Union", "Energy"), and it is
no country, capital or known organisation.

Title-case lines (headlines) are skipped: there, capitals do not say which words are names.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cached_property

from backchannel import lexicon
from backchannel.normalise.places import normalize_country, recognised_affiliation
from backchannel.text.fold import fold

_TITLES = frozenset(lexicon.words("names", "titles"))
_MODIFIERS = frozenset(lexicon.words("names", "title_modifiers"))
_HONORIFICS = frozenset(lexicon.words("names", "honorifics"))
_NOT_PERSON = frozenset(lexicon.words("names", "not_person"))
_PARTICLES = frozenset(lexicon.words("names", "particles"))
# Weekdays and months start capitalised runs too ("On Friday Soliman met ...").
_NOT_NAMES = frozenset(
    lexicon.words("names", "not_names")
    + lexicon.words("time", "weekdays")
    + lexicon.words("time", "months")
)
_OFFICE = lexicon.regex("roles", "official")
_FORMER = lexicon.regex("roles", "former")

_CHUNK = re.compile(r"\S+")
_OPENING = "\"'(\u201c\u2018["
_CLOSING = "\"')\u201d\u2019],;:!?"
_POSSESSIVE = re.compile(r"['\u2019]s$")
_INITIALS = re.compile(r"^(?:[^\W\d_]\.)+$")  # "F.", "U.S."
_PARTICLE_PREFIX = re.compile(r"^(?:al|el|bin|ibn|abu|ben|de|d)[-'\u2019]\w", re.IGNORECASE)
_MAX_NAME = 6  # words; a longer run of capitals is a heading or a list, not a name


@dataclass(frozen=True, slots=True)
class Token:
    start: int
    end: int
    text: str
    key: str  # folded
    breaks: bool  # punctuation or a possessive after it ends a run of name words


@dataclass(frozen=True, slots=True)
class Introduction:
    """How the article presents a person: the title and country written before the name."""

    role: str | None
    affiliation: str | None


def tokens(text: str, offset: int = 0) -> list[Token]:
    """Words with their offsets; quotes and brackets stripped, a comma or full stop noted."""
    out: list[Token] = []
    for m in _CHUNK.finditer(text):
        raw, start = m.group(0), m.start() + offset
        lead = len(raw) - len(raw.lstrip(_OPENING))
        word = raw[lead:]
        stripped = word.rstrip(_CLOSING)
        breaks = len(stripped) < len(word)
        if stripped.endswith(".") and not (_INITIALS.match(stripped) or fold(stripped) in _TITLES):
            stripped, breaks = stripped[:-1], True
        if _POSSESSIVE.search(stripped):
            stripped, breaks = stripped[:-2], True
        if lead and out:  # an opening bracket or quote ends the run before it
            prev = out[-1]
            out[-1] = Token(prev.start, prev.end, prev.text, prev.key, True)
        if stripped:
            s = start + lead
            out.append(Token(s, s + len(stripped), stripped, fold(stripped), breaks))
    return out


def _capitalised(t: Token) -> bool:
    return t.text[0].isupper() or bool(_PARTICLE_PREFIX.match(t.text))


def _name_word(t: Token) -> bool:
    """Capitalised, not a title, not a common sentence opener, not in capitals beyond two letters
    ("CAIRO", "NATO": datelines and acronyms; "JD" and "F." are initials)."""
    shouting = t.text.isupper() and len(t.text.rstrip(".")) > 2
    return _capitalised(t) and not shouting and t.key not in _TITLES and t.key not in _NOT_NAMES


def _title_word(t: Token) -> bool:
    return t.key in _TITLES or bool(_OFFICE.fullmatch(t.key)) or bool(_FORMER.fullmatch(t.key))


def _one_titled(toks: list[Token]) -> bool:
    """A mention that names one person by title: a title word in it, none of them plural
    ("Qatar's Minister of State for Foreign Affairs", not "the two foreign ministers")."""
    titles = [t for t in toks if _title_word(t)]
    return bool(titles) and not any(t.key.endswith("s") and t.key[:-1] in _TITLES for t in titles)


def _is_entity(words: str) -> bool:
    """A country, demonym, capital or known organisation: not a person."""
    return recognised_affiliation(words) is not None


def _name_end(toks: list[Token], end: int) -> int:
    """Index of the first word of the name that ends at `toks[end - 1]` (== end: no name).

    Walks back over name words and inner particles; an honorific ("Sheikh") is the name's first
    word; a title word, or punctuation after a word, ends the walk.
    """
    i = end
    while i > 0 and end - i < _MAX_NAME:
        t = toks[i - 1]
        if i < end and t.breaks:
            break
        if t.key in _HONORIFICS and _capitalised(t):
            i -= 1
            break
        if _name_word(t) or (t.key in _PARTICLES and i < end):
            i -= 1
            continue
        break
    while i < end and toks[i].key in _PARTICLES and not _capitalised(toks[i]):
        i += 1  # a name does not start with a lower-case particle
    return i


def _text_of(source: str, toks: list[Token], lo: int, hi: int) -> str:
    return source[toks[lo].start : toks[hi - 1].end]


def name_in_mention(mention: str) -> str | None:
    """The proper name a mention ends with, when a title stands before it.

    "U.S. President Donald Trump" -> "Donald Trump"; "President Macron" -> "Macron"; "Sheikh
    Tamim bin Hamad Al Thani" -> itself; "Qatari mediators", "European Union" -> None.
    """
    span = _name_span_in(mention)
    return mention[span[0] : span[1]] if span else None


def _name_span_in(mention: str) -> tuple[int, int] | None:
    toks = tokens(mention)
    if not toks:
        return None
    first = _name_end(toks, len(toks))
    while first < len(toks) and toks[first].key in _NOT_PERSON:
        first += 1  # "State" in "Secretary of State Antony Blinken" ends the title
    if first == len(toks):
        return None
    before = toks[first - 1] if first > 0 else None
    # After a title word, or after the field of office that ends a title ("Secretary of State
    # Antony Blinken", "Minister of State for Foreign Affairs Mohammed Al-Khulaifi").
    office = (
        before is not None
        and before.key in _NOT_PERSON
        and any(_title_word(t) for t in toks[: first - 1])
    )
    titled = (
        toks[first].key in _HONORIFICS
        or office
        or (before is not None and _title_word(before) and before.key not in _MODIFIERS)
    )
    if not titled or _is_entity(_text_of(mention, toks, first, len(toks))):
        return None
    return toks[first].start, toks[-1].end


@dataclass(frozen=True, slots=True)
class Name:
    """A proper name as the article writes it, at its offsets: `text == article[start:end]`."""

    text: str
    start: int
    end: int


@dataclass(frozen=True, slots=True)
class _Run:
    start: int
    end: int
    words: tuple[str, ...]  # folded
    text: str
    role: str | None
    affiliation: str | None


class People:
    """The names an article writes in full, with the titles written before them."""

    def __init__(self, text: str) -> None:
        self.text = text

    @cached_property
    def _lowercase_words(self) -> frozenset[str]:
        """Words the article also writes in lower case: common words, not names."""
        return frozenset(fold(w) for w in re.findall(r"\b[a-z][a-z'\u2019-]*\b", self.text))

    @cached_property
    def _runs(self) -> list[_Run]:
        runs: list[_Run] = []
        offset = 0
        for line in self.text.splitlines(keepends=True):
            if not _title_case(line):
                runs += self._runs_in(line, offset)
            offset += len(line)
        return runs

    def _runs_in(self, line: str, offset: int) -> list[_Run]:
        toks = tokens(line, offset)
        out: list[_Run] = []
        end = len(toks)
        while end > 0:
            first = _name_end(toks, end)
            if first == end:
                end -= 1
                continue
            run_start, first = first, _after_entity(self.text, toks, first, end)
            bodies = [k for k in range(first, end) if toks[k].key in _NOT_PERSON]
            if bodies:  # "Karen National Union": a body; "Energy Abebe Tesfaye": a title's end
                first = bodies[-1] + 1
                if first >= end:
                    end = run_start
                    continue
            words = tuple(t.key for t in toks[first:end])
            text = self.text[toks[first].start : toks[end - 1].end]
            common = [w for w in words if w in self._lowercase_words and w not in _PARTICLES]
            demonym = _country_word(toks[first].text) and not normalize_country(toks[first].text)
            if len(words) >= 2 and not common and not demonym and not _is_entity(text):
                role, affiliation = self._title_before(toks, first)
                out.append(
                    _Run(toks[first].start, toks[end - 1].end, words, text, role, affiliation)
                )
            end = first
        return out

    def _title_before(self, toks: list[Token], first: int) -> tuple[str | None, str | None]:
        """("Irrigation Minister", "Egypt") for "Egyptian Irrigation Minister Tarek Soliman".

        The words before the name while they are title words or capitalised; the country among
        them (or a possessive one just before: "Egypt's") is the affiliation, the rest the role,
        if it has a title word at all.
        """
        i = first
        if i > 0 and _title_word(toks[i - 1]) and self.text[toks[i - 1].end] == ",":
            i -= 1  # an apposition: "Ethiopia's water minister, Abebe Tesfaye"
        while i > 0 and not toks[i - 1].breaks:
            t = toks[i - 1]
            if _title_word(t) or (_capitalised(t) and t.key not in _NOT_NAMES):
                i -= 1
                continue
            break
        affiliation = None
        if i > 0 and self.text[toks[i - 1].end : toks[i - 1].end + 2] in ("'s", "\u2019s"):
            affiliation = normalize_country(toks[i - 1].text)
        kept: list[Token] = []
        k = i
        while k < first:
            pair = " ".join(t.text for t in toks[k : min(k + 2, first)])
            for size, words in ((2, pair), (1, toks[k].text)):
                if k + size <= first and (country := _country_word(words)):
                    affiliation = affiliation or country
                    k += size
                    break
            else:
                kept.append(toks[k])
                k += 1
        if not any(_title_word(t) for t in kept):
            return None, affiliation
        return " ".join(t.text for t in kept), affiliation

    def fullest(self, name: Name, at: int) -> Name:
        """The article's longest name containing `name`'s words, if they point to one person.

        A surname alone or a first word alone ("Xi" for "Xi Jinping") is enough. When the words
        belong to two different full names ("Johanna Lindqvist", "Tomas Lindqvist"), `name` stands.
        Of several occurrences, the nearest before `at` wins, then the nearest after.
        """
        words = tuple(fold(w) for w in name.text.split())
        hits = [r for r in self._runs if len(r.words) > len(words) and _contains(r.words, words)]
        if not words or not hits:
            return name
        longest = max((r.words for r in hits), key=len)
        if not all(_contains(longest, r.words) for r in hits):
            return name
        best = min((r for r in hits if r.words == longest), key=lambda r: _distance(r, at))
        return Name(best.text, best.start, best.end)

    def name_for(self, start: int, end: int, given: Name | None) -> Name | None:
        """The proper name of the participant mentioned at `text[start:end]`, in full.

        The model's name if it gave one; else the last name written inside the mention ("Ethiopia's
        Minister of Water and Energy Abebe Tesfaye"); else one right after a mention that names one
        person by title, in apposition or not ("Serbia's chief negotiator, Milan Jovanovic";
        "Azerbaijani Deputy Energy Minister" + " Elchin Huseynli"); else a name after a title
        ("President Macron"); else the mention itself when it is part of a name ("Soliman"). Each
        in the fullest form the article gives, at the offsets of that form.
        """
        mention = self.text[start:end]
        if given:
            return self.fullest(given, start)
        inside = [r for r in self._runs if start <= r.start and r.end <= end]
        if inside:
            last = max(inside, key=lambda r: r.start)
            return self.fullest(Name(last.text, last.start, last.end), start)
        toks = tokens(mention, start)
        if _one_titled(toks):
            following = [r for r in self._runs if end <= r.start <= end + 3]
            if following and self.text[end : following[0].start].strip() in ("", ","):
                return Name(following[0].text, following[0].start, following[0].end)
        titled = _name_span_in(mention)
        if titled:
            s, e = start + titled[0], start + titled[1]
            return self.fullest(Name(self.text[s:e], s, e), start)
        names = [t for t in toks if t.key not in _TITLES]
        if names and all(_name_word(t) or t.key in _TITLES for t in toks):
            bare = Name(self.text[names[0].start : names[-1].end], names[0].start, names[-1].end)
            full = self.fullest(bare, start)
            if full != bare:
                return full
        return None

    def introduction(self, name: Name, at: int) -> Introduction | None:
        """The occurrence of `name` with a title before it, nearest before `at` first."""
        words = tuple(fold(w) for w in name.text.split())
        titled = [r for r in self._runs if r.words == words and (r.role or r.affiliation)]
        if not titled:
            return None
        best = min(titled, key=lambda r: _distance(r, at))
        return Introduction(best.role, best.affiliation)


def _after_entity(text: str, toks: list[Token], first: int, end: int) -> int:
    """Skip a country or organisation the run starts with ("North Korea Daniel Whitcombe", from
    "Special Representative for North Korea Daniel Whitcombe")."""
    for size in (3, 2, 1):
        if first + size < end and _is_entity(_text_of(text, toks, first, first + size)):
            return first + size
    return first


def _country_word(words: str) -> str | None:
    """The country a country name or demonym names ("Egyptian", "South Korean"), else None."""
    found = recognised_affiliation(words)
    return found if found and normalize_country(found) else None


def _contains(run: tuple[str, ...], words: tuple[str, ...]) -> bool:
    """`words` is a contiguous part of `run` that starts or ends it ("Xi", "Soliman")."""
    n = len(words)
    return run[:n] == words or run[-n:] == words


def _distance(run: _Run, at: int) -> tuple[int, int]:
    return (0, at - run.start) if run.start <= at else (1, run.start - at)


def _title_case(line: str) -> bool:
    """A line most of whose words (four or more) are capitalised: a headline."""
    words = [w for w in re.findall(r"[^\W\d_][\w'\u2019-]*", line)]
    if len(words) < 4:
        return False
    capitals = sum(1 for w in words if w[0].isupper())
    return capitals * 4 >= len(words) * 3
