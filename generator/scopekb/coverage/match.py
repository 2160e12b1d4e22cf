"""What a text names: a category or an asset (the spec's "Matching a text"), and clients (its
"A client not named exactly"). Pure: no I/O.
"""
from __future__ import annotations

from dataclasses import dataclass

from scopekb.kb.model import Asset, Contract, KnowledgeBase, normal_form


@dataclass(frozen=True, slots=True)
class Candidate:
    """A text that can name what a request is about, in tie-break order."""
    words: tuple[str, ...]
    length: int  # characters of the normal form: the longest match wins
    category: str
    asset: Asset | None = None
    scope_item: bool = False  # a contract's scope item (it then picks its entry at step 4)


class Matcher:
    """Candidates in tie-break order, indexed by first word.

    `best` gives what a scan of every candidate would (the longest found,
    the earliest on a tie) while looking only at candidates whose first word
    is in the text: a catalogue has hundreds of keywords, a request a few words.
    """

    def __init__(self, pool: list[Candidate]):
        self.by_first_word: dict[str, list[tuple[int, Candidate]]] = {}
        for order, cand in enumerate(pool):
            self.by_first_word.setdefault(cand.words[0], []).append((order, cand))
        self.found: dict[tuple[str, ...], Candidate | None] = {}  # a decision tree asks the same texts again

    def best(self, text_words: tuple[str, ...]) -> Candidate | None:
        if text_words not in self.found:
            if len(self.found) > 4096:
                self.found.clear()
            self.found[text_words] = self._best(text_words)
        return self.found[text_words]

    def _best(self, text_words: tuple[str, ...]) -> Candidate | None:
        best, best_key = None, None
        for word in set(text_words):
            for order, cand in self.by_first_word.get(word, ()):
                key = (-cand.length, order)
                if (best_key is None or key < best_key) and contains_words(text_words, cand.words):
                    best, best_key = cand, key
        return best


def _candidate(text: str, category: str, asset: Asset | None = None, scope_item: bool = False) -> Candidate | None:
    norm = normal_form(text)
    return Candidate(tuple(norm.split(" ")), len(norm), category, asset, scope_item) if norm else None


def contract_candidates(contracts: tuple[Contract, ...]) -> list[Candidate]:
    """The scope items, then the equipment models, of these contracts."""
    found = [_candidate(item, entry.category, scope_item=True)
             for contract in contracts for entry in contract.scope for item in entry.items]
    found += [_candidate(asset.model, asset.category, asset)
              for contract in contracts for asset in contract.equipment if asset.model]
    return [cand for cand in found if cand is not None]


# (provider id, what of it) -> (provider, value): holding the provider keeps its id from being reused
_PER_PROVIDER: dict[tuple[int, str], tuple[object, object]] = {}


def per_provider(provider, what: str, make):
    """`make()`, made once per provider and `what` (a catalogue matcher, a language's phrases)."""
    hit = _PER_PROVIDER.get((id(provider), what))
    if hit is None or hit[0] is not provider:
        if len(_PER_PROVIDER) > 16:
            _PER_PROVIDER.clear()
        hit = _PER_PROVIDER[(id(provider), what)] = (provider, make())
    return hit[1]


def catalog_matcher(kb: KnowledgeBase) -> Matcher:
    """The catalogue's labels, then its keywords, built once per provider."""
    def make() -> Matcher:
        catalog = kb.provider.catalog.values()
        pool = [_candidate(c.label, c.id) for c in catalog]
        pool += [_candidate(keyword, c.id) for c in catalog for keyword in c.keywords]
        return Matcher([c for c in pool if c is not None])
    return per_provider(kb.provider, "catalog", make)


# ids of the contracts in force -> (those contracts, matcher): a client's page and decision tree
# ask dozens of questions about the same contracts, whose items need their normal forms only once.
_CONTRACT_MATCHERS: dict[tuple[int, ...], tuple[tuple[Contract, ...], Matcher]] = {}


def contract_matcher(contracts: tuple[Contract, ...]) -> Matcher:
    """`contract_candidates(contracts)`, indexed; built once for the same contracts."""
    key = tuple(map(id, contracts))
    hit = _CONTRACT_MATCHERS.get(key)
    if hit is None or any(a is not b for a, b in zip(hit[0], contracts)):
        if len(_CONTRACT_MATCHERS) > 50_000:
            _CONTRACT_MATCHERS.clear()
        hit = _CONTRACT_MATCHERS[key] = (contracts, Matcher(contract_candidates(contracts)))
    return hit[1]


def contains_words(text_words: tuple[str, ...], words: tuple[str, ...]) -> bool:
    """True when `words` appear in `text_words` consecutively."""
    n = len(words)
    return any(text_words[i:i + n] == words for i in range(len(text_words) - n + 1))


def one_edit(word: str, other: str) -> bool:
    """True when one edit turns `word` into `other`: a character inserted, deleted or replaced, or two
    adjacent characters swapped."""
    if word == other or abs(len(word) - len(other)) > 1:
        return False
    start = 0
    while start < min(len(word), len(other)) and word[start] == other[start]:
        start += 1
    if len(word) == len(other):
        if word[start + 1:] == other[start + 1:]:  # replaced
            return True
        swapped = start + 1 < len(word) and word[start] == other[start + 1] and word[start + 1] == other[start]
        return swapped and word[start + 2:] == other[start + 2:]
    if len(word) < len(other):
        return word[start:] == other[start + 1:]
    return word[start + 1:] == other[start:]


def word_edits(word: str, words: tuple[str, ...]) -> int | None:
    """The fewest edits `word` needs to match one of `words`: 0 when one begins with it, 1 when one edit
    turns it into one (for a word of at least 4 characters), None when it matches none."""
    if any(other.startswith(word) for other in words):
        return 0
    if len(word) >= 4 and any(one_edit(word, other) for other in words):
        return 1
    return None


def name_edits(words: list[str], form: str) -> int | None:
    """The edits `words` (of a text's normal form) need to match words of one name, given by its normal
    form: each word counts its fewest; None when one of them matches no word of it."""
    name_words, total = tuple(form.split(" ")), 0
    for word in words:
        edits = word_edits(word, name_words)
        if edits is None:
            return None
        total += edits
    return total


def may_mean(kb: KnowledgeBase, text: str, limit: int = 10) -> list[tuple[str, str]]:
    """(slug, name) of the first `limit` clients `text` may mean (spec, "A client not named exactly"),
    by distance then slug; for a text that names no client."""
    wanted = normal_form(text).split()
    if not wanted:
        return []
    distance: dict[str, int] = {}
    # kb.names holds the normal form of every name, alias and slug; a slug's words are its dashes' parts.
    for form, slug in kb.names.items():
        edits = name_edits(wanted, form)
        if edits is not None and edits < distance.get(slug, edits + 1):
            distance[slug] = edits
    ranked = sorted(distance, key=lambda slug: (distance[slug], slug))[:limit]
    return [(slug, kb.clients[slug].name) for slug in ranked]


def may_concern(kb: KnowledgeBase, text: str, names: tuple[str, ...]) -> bool:
    """Whether `text` may be the client of a contract file left out of a load, which has these `names`
    (kb.load.LeftOut): it names one of them (the same normal form), or, naming no client of the valid
    files, may mean one of them (the spec's rule for a client not named exactly)."""
    wanted = normal_form(text)
    if not wanted:
        return False
    forms = [normal_form(name) for name in names]
    if wanted in forms:
        return True
    if kb.find_client(text) is not None:
        return False
    return any(name_edits(wanted.split(), form) is not None for form in forms if form)


def best_match(kb: KnowledgeBase, contracts: tuple[Contract, ...], text: str) -> Candidate | None:
    """The longest candidate found in `text`; a tie goes to the earlier one, contracts' before the catalogue's."""
    text_words = tuple(normal_form(text).split(" "))
    own = contract_matcher(contracts).best(text_words)
    catalog = catalog_matcher(kb).best(text_words)
    if own is None or (catalog is not None and catalog.length > own.length):
        return catalog
    return own


def find_asset(contracts: tuple[Contract, ...], asset_id: str) -> Asset | None:
    wanted = asset_id.casefold()
    for contract in contracts:
        for asset in contract.equipment:
            if asset.id.casefold() == wanted:
                return asset
    return None
