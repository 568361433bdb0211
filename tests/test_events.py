"""Entities and events: one person however each article names them, one event however many
articles report it, and no merge that the articles' own words contradict; B-cubed scoring."""

from __future__ import annotations

import datetime as dt

import pytest
from backchannel.corpus.entities import Person, name_words, resolve
from backchannel.corpus.events import Sighting, link
from backchannel.evaluation.events import b_cubed


def test_one_person_however_the_articles_write_the_name():
    names = ["Sergei Lavrov", "Lavrov", "Recep Tayyip Erdogan", "Tayyip Erdogan",
             "Erdogan", "Jorge Rodríguez", "Jorge Rodriguez", "Kim Jong-un", "Kim Jong Un",
             "Luiz Inacio Lula da Silva", "Lula"]  # fmt: skip
    entities = resolve(Person(name=n) for n in names)
    key = {n: entities[name_words(n)].key for n in names}
    assert key["Lavrov"] == key["Sergei Lavrov"]
    assert key["Erdogan"] == key["Tayyip Erdogan"] == key["Recep Tayyip Erdogan"]
    assert key["Jorge Rodríguez"] == key["Jorge Rodriguez"]
    assert key["Kim Jong-un"] == key["Kim Jong Un"]
    assert key["Lula"] == key["Luiz Inacio Lula da Silva"]


def test_an_ambiguous_short_name_or_another_country_stays_apart():
    people = [Person(name="Kim Jong Un", country="PRK"), Person(name="Kim Yong Chol"),
              Person(name="Kim"), Person(name="Ali Khan", country="PAK"),
              Person(name="Ali Khan", country="IND")]  # fmt: skip
    entities = resolve(people)
    assert entities[("kim",)].key == "kim"  # two Kims: neither is assumed
    # Another transliteration is another name, and makes the short form ambiguous too.
    spelt = resolve(Person(name=n) for n in ["Sergei Lavrov", "Sergey Lavrov", "Lavrov"])
    assert (
        len({spelt[name_words(n)].key for n in ["Sergei Lavrov", "Sergey Lavrov", "Lavrov"]}) == 3
    )
    long = resolve([Person(name="Ali Khan", country="PAK"), Person(name="Khan", country="IND")])
    assert long[("khan",)].key != long[("ali", "khan")].key


def _s(id: str, article: str, names=(), sides=(), place=None, country=None, start=None, end=None,
       published=None, status="held") -> Sighting:  # fmt: skip
    day = dt.date.fromisoformat
    return Sighting(
        id=id, article=article, people=[Person(name=n) for n in names], sides=list(sides),
        place=place, city=place in ("Geneva", "Helsinki", "Singapore", "Hanoi", "Brussels"),
        country=country, start=start and day(start), end=(end or start) and day(end or start),
        published_at=published and day(published), status=status,
    )  # fmt: skip


def test_the_same_meeting_in_three_articles_is_one_event():
    clusters = link([
        _s("a", "wire", ["Joe Biden", "Vladimir Putin"], ["USA", "RUS"], "Geneva", "CHE",
           "2021-06-16"),
        _s("b", "daily", ["Biden", "Putin"], ["USA", "RUS"], "Villa La Grange", "CHE",
           "2021-06-16"),
        _s("c", "weekly", ["Putin", "Joe Biden"], ["RUS", "USA"], None, "CHE", "2021-06-15",
           "2021-06-21"),
    ])  # fmt: skip
    assert clusters == [0, 0, 0]


def test_the_same_people_at_another_time_or_place_are_another_event():
    clusters = link([
        _s("a", "x", ["Donald Trump", "Kim Jong Un"], ["USA", "PRK"], "Singapore", "SGP",
           "2018-06-12"),
        _s("b", "y", ["Trump", "Kim Jong Un"], ["USA", "PRK"], "Hanoi", "VNM", "2019-02-28"),
        _s("c", "z", ["Trump", "Kim Jong Un"], ["USA", "PRK"], "Singapore", "SGP", "2019-02-27"),
    ])  # fmt: skip
    assert len(set(clusters)) == 3


def test_one_article_never_reports_one_event_twice():
    clusters = link([
        _s("a", "same", ["Antony Blinken", "Sergei Lavrov"], ["USA", "RUS"], "Geneva", "CHE",
           "2022-01-21"),
        _s("b", "same", ["Blinken", "Lavrov"], ["USA", "RUS"], "Geneva", "CHE", "2022-01-21"),
    ])  # fmt: skip
    assert clusters == [0, 1]


def test_a_vague_mention_joins_only_a_cluster_that_fits_it_best():
    singapore = _s("s", "x", ["Donald Trump", "Kim Jong Un"], ["USA", "PRK"], "Singapore", "SGP",
                   "2018-06-12")  # fmt: skip
    hanoi = _s("h", "y", ["Donald Trump", "Kim Jong Un"], ["USA", "PRK"], "Hanoi", "VNM",
               "2019-02-28")  # fmt: skip
    vague = _s("v", "z", ["Trump", "Kim Jong Un"], ["USA", "PRK"], published="2021-06-19")
    assert link([singapore, hanoi, vague])[2] not in link([singapore, hanoi, vague])[:2]
    # With one candidate event it joins; a vague report published before it happened cannot.
    assert link([singapore, vague]) == [0, 0]
    early = _s("v", "z", ["Trump", "Kim Jong Un"], ["USA", "PRK"], published="2018-01-05")
    assert link([singapore, early]) == [0, 1]


def test_two_meetings_with_different_sides_at_one_summit_stay_apart():
    clusters = link([
        _s("a", "x", ["Joe Biden", "Recep Tayyip Erdogan"], ["USA", "TUR"], "Brussels", "BEL",
           "2021-06-14"),
        _s("b", "y", ["Joe Biden"], ["USA", "nato"], "Brussels", "BEL", "2021-06-14"),
    ])  # fmt: skip
    assert clusters == [0, 1]


def test_a_cluster_takes_a_meeting_only_if_every_member_allows_it():
    # b is compatible with a and with c, but a and c contradict each other (different days):
    # no chain through b.
    a = _s("a", "x", ["Wang Yi", "Jake Sullivan"], ["CHN", "USA"], "Vienna", "AUT", "2023-05-10")
    b = _s("b", "y", ["Wang Yi", "Jake Sullivan"], ["CHN", "USA"], "Vienna", "AUT", "2023-05-01",
           "2023-05-31")  # fmt: skip
    c = _s("c", "z", ["Wang Yi", "Jake Sullivan"], ["CHN", "USA"], "Vienna", "AUT", "2023-05-25")
    clusters = link([a, b, c])
    assert clusters[0] != clusters[2] and clusters[1] in (clusters[0], clusters[2])


def test_sides_alone_need_two_shared_sides_a_time_and_a_place():
    base = dict(sides=["RUS", "UKR"], place="Istanbul", country="TUR", start="2022-03-29")
    assert link([_s("a", "x", **base), _s("b", "y", **base)]) == [0, 0]
    one_side = _s("b", "y", sides=["RUS", "ISR"], place="Istanbul", country="TUR",
                  start="2022-03-29")  # fmt: skip
    assert link([_s("a", "x", **base), one_side]) == [0, 1]
    in_a_year = _s("b", "y", sides=["RUS", "UKR"], place="Istanbul", country="TUR",
                   start="2022-01-01", end="2022-12-31")  # fmt: skip
    assert link([_s("a", "x", **base), in_a_year]) == [0, 1]


@pytest.mark.parametrize(
    ("gold", "pred", "expected"),
    [
        (["a", "a", "b"], [1, 1, 2], (1.0, 1.0, 1.0)),
        (["a", "a", "b"], [1, 1, 1], (5 / 9, 1.0, 2 * (5 / 9) / (5 / 9 + 1))),
        (["a", "a", "b"], [1, 2, 3], (1.0, 2 / 3, 0.8)),
    ],
)
def test_b_cubed(gold, pred, expected):
    assert b_cubed(gold, pred) == pytest.approx(expected)


def test_b_cubed_over_shared_events_only():
    # Items 0 and 1 form the only event in several articles; item 2 is a singleton.
    assert b_cubed(["a", "a", "b"], [1, 2, 1], [True, True, False]) == pytest.approx(
        (0.75, 0.5, 0.6)
    )
