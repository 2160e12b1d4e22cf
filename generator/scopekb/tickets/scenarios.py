"""A group of tickets that describe one malfunction, told as a resolution scenario.

A scenario has a stable id (the category and the group's three weightiest
words, alphabetically: the same tickets give the same id whatever their
order), the callers' words (the most usual title, then a few others), the
usual resolution, and figures: occurrences, clients affected, first and last
seen, median time to resolve, share resolved at N1.
"""
from __future__ import annotations

import dataclasses
import datetime as dt
import re
import statistics
from collections import Counter
from collections.abc import Sequence

import numpy as np
from rapidfuzz import fuzz, process

from .mapping import normal_form, slugify
from .mine import TextPrep, Vectors
from .records import Scenario, Ticket  # Scenario: defined with the other records, kept importable here

SYMPTOMS = 5  # titles listed as symptoms, beside the scenario's title
ID_TERMS = 3  # words of a scenario id, after its category
SAME_TEXT = 88  # rapidfuzz ratio from which two titles or solutions are one text written twice
# Mail prefixes and tags callers' titles carry: not part of the symptom.
_TITLE_NOISE = re.compile(r"^(?:\s*(?:re|tr|fw|fwd|aw)\s*:\s*|\s*\[[^\]]{1,20}\]\s*|\s*urgent\s*[:!-]\s*)+",
                          re.IGNORECASE)


def natural_key(ticket_id: str) -> tuple:
    """Numeric ids in number order, before the others in text order."""
    return (0, int(ticket_id), "") if ticket_id.isdigit() else (1, 0, ticket_id)


def clean_title(title: str) -> str:
    """A title as a heading: mail prefixes and tags removed, first letter upper case, no final full stop."""
    text = " ".join(_TITLE_NOISE.sub("", title).split()).rstrip(" .;,")
    return text[:1].upper() + text[1:] if text else text


def _accents(text: str) -> int:
    """How many characters of `text` are not ASCII (accents, mostly): extra bytes in UTF-8, counted in C."""
    return len(text.encode("utf-8")) - len(text)


def _ranked_texts(texts: Sequence[str], centrality: np.ndarray) -> list[tuple[str, int]]:
    """Distinct texts, most frequent first, then most central, each with its count.

    Texts whose normal forms are nearly the same (rapidfuzz ratio of at least
    SAME_TEXT: a typo, a missing word) count as one. Each is shown in the
    spelling most written, then the one whose words are the most usual among
    `texts` (a typo is a rare word), then with the most accents, then the most
    central. Each distinct text is weighed once: a group of thousands of
    tickets has far fewer distinct titles.
    """
    spelt: dict[str, list[int]] = {}  # text -> indices
    for i, text in enumerate(texts):
        spelt.setdefault(text, []).append(i)
    forms: dict[str, list[str]] = {}  # normal form -> texts
    for text in spelt:
        form = normal_form(text)
        if form:
            forms.setdefault(form, []).append(text)
    count = {form: sum(len(spelt[t]) for t in group) for form, group in forms.items()}
    central = {text: max(centrality[i] for i in indices) for text, indices in spelt.items()}
    by_count = sorted(forms, key=lambda f: (-count[f], -max(central[t] for t in forms[f]), f))
    kept: dict[str, list[str]] = {}  # the form that stands for others -> those forms, itself first
    for form in by_count:
        near = process.extractOne(form, list(kept), scorer=fuzz.ratio, score_cutoff=SAME_TEXT) if kept else None
        kept.setdefault(near[0] if near else form, []).append(form)
    usual = Counter()
    for form, n in count.items():
        for word in form.split():
            usual[word] += n

    def spelling(text: str) -> tuple:
        form = normal_form(text)
        words = form.split()
        return (count[form], sum(usual[w] for w in words) / max(1, len(words)), _accents(text), central[text],
                -spelt[text][0])

    ranked = sorted(kept.values(), key=lambda fs: (-sum(count[f] for f in fs),
                                                   -max(central[t] for f in fs for t in forms[f]), fs[0]))
    return [(max((t for f in group for t in forms[f]), key=spelling), sum(count[f] for f in group))
            for group in ranked]


def top_terms(vectors: Vectors, members: np.ndarray, words: Sequence[str], prep: TextPrep) -> tuple[str, ...]:
    """The group's weightiest single words (by the mean of its word vectors), as callers spell them."""
    weights = np.asarray(vectors.rows[members][:, :vectors.word_columns].mean(axis=0)).ravel()
    order = sorted((i for i in np.flatnonzero(weights) if " " not in vectors.word_features[i]),
                   key=lambda i: (-round(float(weights[i]), 6), vectors.word_features[i]))
    spelled: Counter[str] = Counter(w for text in words for w in text.split())
    terms = []
    for i in order[:ID_TERMS]:
        stem = vectors.word_features[i]
        forms = [w for w in spelled if prep.stem(w) == stem] or [stem]
        terms.append(max(forms, key=lambda w: (spelled[w], -len(w), w)))
    return tuple(sorted(terms))


def build_scenario(category: str, tickets: Sequence[Ticket], clients: Sequence[str | None],
                   members: np.ndarray, vectors: Vectors, words: Sequence[str], prep: TextPrep) -> Scenario:
    """The scenario of one group: `members` index `tickets`, `clients` (slug or None per ticket),
    the rows of `vectors` and `words` (each ticket's words)."""
    rows = vectors.rows[members]
    centrality = np.asarray(rows @ np.asarray(rows.mean(axis=0)).ravel()).ravel()
    group = [tickets[i] for i in members]
    titles = _ranked_texts([t.title for t in group], centrality)
    title = clean_title(titles[0][0]) if titles else ""
    symptoms = tuple(clean_title(text) for text, _ in titles[1:SYMPTOMS + 1])
    solutions = _ranked_texts([t.solution for t in group], centrality)
    resolution = solutions[0][0] if solutions else ""
    terms = top_terms(vectors, members, [words[i] for i in members], prep)
    seen = [t.opened or t.ended for t in group if (t.opened or t.ended)]
    durations = [(t.ended - t.opened).total_seconds() for t in group
                 if t.opened and t.ended and t.ended >= t.opened]
    levels = Counter(t.level for t in group)
    known = levels["n1"] + levels["n2"]
    slugs = [clients[i] for i in members]
    return Scenario(
        id=slugify(" ".join((category,) + terms)), category=category, title=title, symptoms=symptoms,
        resolution=resolution, occurrences=len(group),
        clients=tuple(sorted({s for s in slugs if s})), unknown_clients=sum(1 for s in slugs if not s),
        first_seen=min(seen) if seen else None, last_seen=max(seen) if seen else None,
        median_time_to_resolve=dt.timedelta(seconds=round(statistics.median(durations))) if durations else None,
        n1_share=levels["n1"] / known if known else None, levels_known=known,
        tickets=tuple(sorted((t.id for t in group), key=natural_key)), terms=terms)


def distinct_ids(scenarios: list[Scenario]) -> list[Scenario]:
    """`scenarios` with ids made unique: a second group with the same words gets `-2`, in order of size
    then first ticket, so the suffixes do not depend on input order."""
    ordered = sorted(scenarios, key=lambda s: (s.id, -s.occurrences, natural_key(s.tickets[0])))
    seen: Counter[str] = Counter()
    out = []
    for scenario in ordered:
        seen[scenario.id] += 1
        if seen[scenario.id] > 1:
            scenario = dataclasses.replace(scenario, id=f"{scenario.id}-{seen[scenario.id]}")
        out.append(scenario)
    return sorted(out, key=lambda s: (s.category, -s.occurrences, s.id))
