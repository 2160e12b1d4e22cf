"""Group the resolved tickets of one catalogue category that describe the same malfunction.

Each ticket becomes a TF-IDF vector of its title (weighted up: callers put
the symptom there) and description: word unigrams and bigrams of stems
(snowball, stop words of stopwordsiso and helpdesk boilerplate removed, accents
and case folded) beside character 3- to 5-grams of the words (typos and
inflections the stemmer misses). Vectors are fitted per category, so that a
word every ticket of the category has ("outlook" among office applications)
weighs little there.

Tickets are grouped by agglomerative clustering (average linkage on cosine
distance, cut at `threshold`): a group's tickets are, on average, that close
to each other, which keeps one vague ticket from chaining two malfunctions
together as single linkage (a nearest-neighbour graph's connected components)
did. Measured on the labeled set (tests/data/tickets), over three other
random draws of it too: average linkage at 0.94 gave pairwise precision
0.94-0.96 and recall 0.89-0.92; single linkage at best 0.93/0.79, HDBSCAN
0.92/0.83, one TF-IDF fitted over all categories 0.94/0.90 but only in a
narrow band of thresholds.

Average linkage needs every pairwise distance: a category larger than
`exact_limit` is sampled instead (see `cluster`). The dot product of a row
with a group's mean is exactly the row's average similarity to the group's
tickets, and that of two groups' means the average similarity across them:
the linkage's own test, without the pairs. A first design split large
categories with MiniBatchKMeans and joined the parts' groups again by their
means: 226 s of CPU for 100,000 tickets, against 13 s sampled.

Counting a title's words three times by repeating it in the text also makes
word pairs across the repeats ("... ligne imprimante ..."), which tickets of
the same title share: counting the title's n-grams three times without them
was no faster and lost precision on the labeled set (0.878 against 0.954 at
0.94; 0.964/0.897 at 0.93).
"""
from __future__ import annotations

import math
import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp
import snowballstemmer
import stopwordsiso
from sklearn.cluster import AgglomerativeClustering
from sklearn.feature_extraction.text import TfidfTransformer
from sklearn.preprocessing import normalize
from threadpoolctl import threadpool_limits

from .counts import char_gram_counts, feature_counts
from .mapping import normal_form
from .records import MiningSettings, Ticket  # MiningSettings: with the records, kept importable here

STEMMERS = {"fr": "french", "en": "english"}
_WORD = re.compile(r"[a-z0-9]+")
# A column that one row in DENSE_SHARE has, or more, is multiplied as a dense array (see _similarities).
DENSE_SHARE = 40
# Words of every ticket that say nothing of the malfunction: greetings, politeness, the placeholders
# scrub leaves, urgency.
BOILERPLATE = {
    "fr": {"bonjour", "bonsoir", "bjr", "hello", "merci", "cordialement", "cdlt", "svp", "stp", "salutations",
           "madame", "monsieur", "mme", "mr", "bonne", "journee", "urgent", "urgence", "avance", "aide",
           "nom", "telephone", "mail", "adresse", "ip", "iban"},
    "en": {"hello", "hi", "thanks", "thank", "regards", "please", "pls", "urgent", "asap", "dear",
           "name", "phone", "mail", "address", "ip", "iban"},
}


class TextPrep:
    """Words of a ticket's text as the vectors see them, in one language."""

    def __init__(self, lang: str = "fr"):
        lang = lang if lang in STEMMERS else "fr"
        self.stemmer = snowballstemmer.stemmer(STEMMERS[lang])
        self.stop = {normal_form(w) for w in stopwordsiso.stopwords(lang)} | BOILERPLATE[lang]
        self.stems: dict[str, str] = {}

    def words(self, text: str) -> list[str]:
        """Lower-case words without accents, stop words, single letters and plain numbers left out.

        The words of `normal_form`, folded by NFKD and an ASCII encoding rather
        than its character-by-character pass: twice as fast on a description.
        """
        folded = unicodedata.normalize("NFKD", text.lower()).encode("ascii", "ignore").decode("ascii")
        return [w for w in _WORD.findall(folded) if len(w) > 1 and w not in self.stop and not w.isdigit()]

    def stem(self, word: str) -> str:
        found = self.stems.get(word)
        if found is None:
            found = self.stems[word] = self.stemmer.stemWord(word)
        return found

    def documents(self, ticket: Ticket, title_weight: int) -> tuple[str, str]:
        """(stems, words) of the title repeated `title_weight` times and the description."""
        title, description = self.words(ticket.title), self.words(ticket.description)
        words = title * title_weight + description
        return " ".join(map(self.stem, words)), " ".join(words)


@dataclass(frozen=True)
class Vectors:
    """A category's ticket vectors: unit rows whose first `word_columns` columns are the word n-grams."""
    rows: sp.csr_matrix
    word_columns: int
    word_features: np.ndarray  # the word n-grams (stems joined by a space), by column
    # each row's document, numbered in order of first appearance: rows of one number are the same row
    texts: np.ndarray


def _words_and_pairs(stems: str) -> list[str]:
    """A text's stems and each pair of neighbouring stems: what CountVectorizer(ngram_range=(1, 2)) makes of
    it with `str.split`, without its general n-gram loop."""
    tokens = stems.split()
    return tokens + [" ".join(pair) for pair in zip(tokens, tokens[1:])]


def _tfidf(counts: sp.csr_matrix, texts: np.ndarray) -> sp.csr_matrix:
    """Sublinear TF-IDF rows of the distinct texts' `counts`, with document frequencies counted over every
    ticket (`texts` numbers each ticket's row of `counts`): the rows TfidfTransformer gives the tickets'."""
    return TfidfTransformer(sublinear_tf=True).fit(counts[texts]).transform(counts).astype(np.float32, copy=False)


def vectors(documents: Sequence[tuple[str, str]], settings: MiningSettings) -> Vectors:
    """Unit-length TF-IDF rows of word and character n-grams of `documents` (from `TextPrep.documents`).

    Each distinct document is analysed once: tickets written alike (the same
    title, a description of greetings and a phone number that scrubbing and
    stop words leave out) have the same words, hence the same row. Document
    frequencies still count every ticket, so the rows are those of the
    tickets analysed one by one.

    The character n-grams of a text are those of its words (`char_wb` pads
    each word alone), so they are counted once per distinct word and summed
    by a product of sparse matrices: the same counts as `char_wb` on every
    text, five times faster on 100,000 tickets. The counts are CountVectorizer's,
    made by counts.py without its loop per feature.
    """
    numbers: dict[tuple[str, str], int] = {}
    texts = np.fromiter((numbers.setdefault(d, len(numbers)) for d in documents), dtype=np.intp,
                        count=len(documents))
    words_and_pairs, stem_names = feature_counts(map(_words_and_pairs, (d[0] for d in numbers)))
    word_rows = _tfidf(words_and_pairs, texts)
    per_text, words = feature_counts(map(str.split, (d[1] for d in numbers)))
    per_word, _ = char_gram_counts(words)
    char_rows = _tfidf(per_text @ per_word, texts)
    weight = settings.char_weight
    rows = normalize(sp.hstack([word_rows * (1 - weight), char_rows * weight], format="csr"))
    # A feature of one ticket only adds nothing to its similarity with any other: once the rows have
    # their length, it can go. Typos and one-off words are most features of a large export.
    tickets_per_text = np.bincount(texts, minlength=rows.shape[0])
    tickets_per_feature = np.bincount(rows.indices, weights=np.repeat(tickets_per_text, np.diff(rows.indptr)),
                                      minlength=rows.shape[1])
    shared = tickets_per_feature > 1
    kept_words = int(shared[:word_rows.shape[1]].sum())
    features = stem_names[shared[:word_rows.shape[1]]]
    return Vectors(rows[:, np.flatnonzero(shared)].tocsr()[texts], kept_words, features, texts)


def _similarities(rows: sp.csr_matrix, texts: np.ndarray | None) -> np.ndarray:
    """The dot products of the rows, as a dense matrix; each distinct text's row (`texts` numbers them)
    multiplied once, so that rows that are the same have the same products.

    The columns most rows have (character n-grams of common syllables) are
    multiplied as dense arrays, the others as sparse ones. A product of sparse
    rows costs the square of each column's count: those few columns were 85%
    of a product of one-off tickets, 1.0 s of 2,000, against 0.2 s this way.
    The terms are then added in another order than the sparse product's: the
    similarities differ from its by up to 2e-6 (measured on bench/mining.py's
    tickets, where the scenarios came out the same). BLAS runs on one thread:
    the worker processes already use every core, and the sums do not depend
    on how many threads there are.
    """
    if texts is not None:
        _, first, inverse = np.unique(texts, return_index=True, return_inverse=True)
        if len(first) < len(texts):
            return _similarities(rows[first], None)[np.ix_(inverse, inverse)]
    per_column = np.bincount(rows.indices, minlength=rows.shape[1])
    common = per_column >= max(2, rows.shape[0] // DENSE_SHARE)
    dense = rows[:, np.flatnonzero(common)].toarray()
    rare = rows[:, np.flatnonzero(~common)]
    with threadpool_limits(1, user_api="blas"):
        similarity = dense @ dense.T
    similarity += (rare @ rare.T).toarray()
    return similarity


def _agglomerate(rows: sp.csr_matrix, threshold: float, texts: np.ndarray | None = None) -> np.ndarray:
    """Average-linkage labels of rows whose dot products are their similarities; `texts` (a number per row,
    the same for rows that are the same) spares multiplying a row twice."""
    count = rows.shape[0]
    if count < 2:
        return np.zeros(count, dtype=np.int64)
    similarity = _similarities(rows, texts)
    distance = np.clip(1.0 - similarity, 0.0, None).astype(np.float64)
    np.fill_diagonal(distance, 0.0)
    distance = (distance + distance.T) / 2  # float32 products are symmetric only to rounding
    model = AgglomerativeClustering(n_clusters=None, metric="precomputed", linkage="average",
                                    distance_threshold=threshold)
    return model.fit(distance).labels_


def _member_lists(labels: np.ndarray) -> list[np.ndarray]:
    """Row indices of each label, groups ordered by their first row."""
    order = np.argsort(labels, kind="stable")
    bounds = np.flatnonzero(np.diff(labels[order])) + 1
    groups = np.split(order, bounds)
    return sorted(groups, key=lambda g: int(g.min()))


def _means(rows: sp.csr_matrix, groups: list[np.ndarray]) -> sp.csr_matrix:
    """The mean row of each group, as one sparse product of a membership matrix with the rows."""
    members = np.concatenate(groups)
    owner = np.repeat(np.arange(len(groups)), [len(g) for g in groups])
    weight = np.repeat([1.0 / len(g) for g in groups], [len(g) for g in groups]).astype(np.float32)
    membership = sp.csr_matrix((weight, (owner, members)), shape=(len(groups), rows.shape[0]))
    return (membership @ rows).tocsr()


def _against(rows: sp.csr_matrix, means: sp.csr_matrix) -> np.ndarray:
    """`rows @ means.T` as a dense array, the means made dense first: a sparse row times dense columns adds
    the same terms in the same order as a product of two sparse matrices (and zeros, which change no sum),
    eight times faster for a category's rows against its groups' means."""
    return np.asarray(rows @ means.T.toarray())


def cluster(rows: sp.csr_matrix, settings: MiningSettings, texts: np.ndarray | None = None) -> list[np.ndarray]:
    """Groups (arrays of row indices) of rows that are one malfunction; every row is in one group.
    `texts` numbers the rows by their document (`Vectors.texts`): rows of one number are the same.

    Up to `exact_limit` rows, average linkage over them all. Beyond, in
    rounds: average linkage over a random sample of the rows not yet placed
    finds the malfunctions common enough to show in it, and every unplaced row
    clearly close to one of them (an average similarity to its tickets, the
    dot product with its mean, of twice the linkage's cut) joins the closest.
    A group found again in a later round is the same group. The rows left
    after the rounds are clustered among themselves (`_in_chunks`), then each
    of their groups joins the found group it is closest to when the average
    similarity of their tickets reaches the cut: the linkage's own test, which
    a row of a malfunction the sample missed would fail against the others.
    """
    count = rows.shape[0]
    if count <= settings.exact_limit:
        return _member_lists(_agglomerate(rows, settings.threshold, texts))
    texts = np.arange(count) if texts is None else texts
    cut = 1.0 - settings.threshold  # the least average similarity of tickets in one group
    random = np.random.RandomState(settings.random_state)
    groups: list[np.ndarray] = []  # each malfunction's tickets placed so far
    unplaced = np.arange(count)
    for _ in range(settings.rounds):
        if len(unplaced) <= settings.exact_limit:
            break
        sample = np.sort(random.choice(unplaced, settings.sample_size, replace=False))
        found = [sample[g] for g in _member_lists(_agglomerate(rows[sample], settings.threshold, texts[sample]))
                 if len(g) >= settings.min_occurrences]
        if found and groups:  # a malfunction found again is the group found before, not a new one
            again = _against(_means(rows, found), _means(rows, groups)).max(axis=1) >= cut
            found = [g for g, seen in zip(found, again) if not seen]
        if not found:
            break  # nothing new recurs enough in the sample: what is left is mostly one-off problems
        similarity = _against(rows[unplaced], _means(rows, groups + found))
        best, placed = similarity.argmax(axis=1), similarity.max(axis=1) >= 2 * cut
        joined = [unplaced[placed & (best == j)] for j in range(len(groups) + len(found))]
        held = groups + [np.zeros(0, dtype=np.int64)] * len(found)  # sample members are still unplaced
        groups = [np.concatenate([h, j]) for h, j in zip(held, joined) if len(h) or len(j)]
        unplaced = unplaced[~placed]
    rest = [unplaced[g] for g in _in_chunks(rows[unplaced], settings, texts[unplaced])]
    if groups and rest:
        similarity = _against(_means(rows, rest), _means(rows, groups))
        best, close = similarity.argmax(axis=1), similarity.max(axis=1) >= cut
        for j in np.unique(best[close]):
            groups[j] = np.concatenate([groups[j]] + [rest[i] for i in np.flatnonzero(close & (best == j))])
        rest = [r for r, c in zip(rest, close) if not c]
    return sorted((np.sort(g) for g in groups + rest), key=lambda g: int(g[0]))


def _in_chunks(rows: sp.csr_matrix, settings: MiningSettings, texts: np.ndarray) -> list[np.ndarray]:
    """Average linkage over chunks of at most `exact_limit` rows (in a seeded random order), then the chunks'
    groups of two or more joined by the same linkage over their means.

    For the rows no sampled malfunction took: mostly one-off problems, and
    the few tickets of malfunctions too rare to show in a sample, which this
    finds when they fall in one chunk, or in several chunks two by two.
    """
    count = rows.shape[0]
    if count <= settings.exact_limit:
        return _member_lists(_agglomerate(rows, settings.threshold, texts)) if count else []
    order = np.random.RandomState(settings.random_state).permutation(count)
    pieces = math.ceil(count / settings.exact_limit)
    local = [chunk[g] for chunk in np.array_split(order, pieces)
             for g in _member_lists(_agglomerate(rows[chunk], settings.threshold, texts[chunk]))]
    several = [g for g in local if len(g) > 1]
    alone = [g for g in local if len(g) == 1]
    if len(several) < 2 or len(several) > settings.exact_limit:
        return local
    means = _means(rows, several)
    joined = [np.concatenate([several[i] for i in merged]) for merged in _member_lists(
        _agglomerate(means, settings.threshold))]
    return joined + alone
