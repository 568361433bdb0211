"""What a sentence says about meetings: the contract's non-meetings, and hosts in a clause."""

from __future__ import annotations

import pytest
from backchannel.normalise.statements import hosts_named, not_a_meeting


@pytest.mark.parametrize(
    ("sentence", "has_time", "reason"),
    [
        ("Lavrov met Rubio in Riyadh on Tuesday.", True, None),
        ("Such dialogues allow governments to test ideas.", False, "in general"),
        ("Oman has mediated several past exchanges.", False, "in general"),
        ("Oman has mediated several past exchanges since 2022.", True, None),
        ("The ministry denied that the two ministers met.", False, "denies"),
        ("Both sides hope to meet again before the end of the year.", False, "hopes for"),
        ("Armenia's Security Council met on Thursday to review the talks.", True, "one body"),
        ("The NATO-Russia Council will meet in Brussels on Wednesday.", True, None),
    ],
)
def test_the_contracts_non_meetings(sentence, has_time, reason):
    found = not_a_meeting(sentence, has_time)
    assert (found is None) if reason is None else (found is not None and reason in found)


def test_hosts_named_in_a_clause():
    assert hosts_named("Envoys met in Muscat in talks hosted by Omani mediators to end it.") == [
        "Omani mediators"
    ]
    assert hosts_named("They met in Rome under the mediation of Father Paolo Lanzetti.") == [
        "Father Paolo Lanzetti"
    ]
    assert hosts_named("They met in Beijing, with Chinese officials acting as hosts.") == [
        "Chinese officials"
    ]
    assert hosts_named("Lavrov met Rubio in Riyadh, with aides present.") == []
