"""What a reporting sentence says about meetings, read from its words.

The model is asked the same questions, and a 1.5B model answers them less reliably than a word
list does, so the answers are checked after it: whether the sentence reports a meeting at all
(the contract's non-meetings: a denied one, a hoped-for, offered or conditional one, a remark on
meetings in general, a body's own session), and which hosts, chairs and mediators it names in a
clause. The words are data (`lexicon/meetings.toml`), each group with the reason it exists.
"""

from __future__ import annotations

from backchannel import lexicon

_HABITUAL = lexicon.regex("meetings", "habitual")
_KIND = lexicon.regex("meetings", "kind")
_DENIAL = lexicon.regex("meetings", "denial")
_HYPOTHETICAL = lexicon.regex("meetings", "hypothetical")
_REPORTED = lexicon.regex("meetings", "reported")
_INTERNAL_SESSION = lexicon.regex("meetings", "internal_session")
_JOINT_BODY = lexicon.regex("meetings", "joint_body")
_HOST_CLAUSE = lexicon.regex("meetings", "host_clause")


def not_a_meeting(sentence: str, has_time: bool) -> str | None:
    """Why the sentence reports no meeting, if it does not; None when it may report one.

    A habitual statement ("Oman has mediated several past exchanges") is general only when it
    gives no time; a hope beside a meeting reported as held ("who met in Oslo, hope to meet
    again"), or a denial after one ("She will host both sides, denying that Berg had met the
    rebels"), leaves that meeting reported; a body made of two sides ("the NATO-Russia Council")
    meeting is a meeting between them.
    """
    if _KIND.search(sentence) or (not has_time and _HABITUAL.search(sentence)):
        return "its sentence speaks of meetings in general"
    denial = _DENIAL.search(sentence)
    if denial and not _REPORTED.search(sentence, 0, denial.start()):
        return "its sentence denies the meeting"
    if _HYPOTHETICAL.search(sentence) and not _REPORTED.search(sentence):
        return "its sentence only hopes for or conditions a meeting"
    if _INTERNAL_SESSION.search(sentence) and not _JOINT_BODY.search(sentence):
        return "one body meeting by itself, no second side"
    return None


def hosts_named(sentence: str) -> list[str]:
    """The words naming hosts, chairs and mediators in a clause of the sentence ("in talks hosted
    by Omani mediators", "with Emirati officials mediating", "under the chairmanship of ...")."""
    found = []
    for m in _HOST_CLAUSE.finditer(sentence):
        who = next((g for g in m.groups() if g), "").strip()
        if who:
            found.append(who)
    return found
