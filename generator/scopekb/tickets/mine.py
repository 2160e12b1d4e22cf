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
`part_size` is first split by MiniBatchKMeans into parts of about that size,
each part is clustered alone, then the groups of two or more tickets from all
parts are clustered again by their mean vectors (the dot product of two
groups' means is exactly the average similarity of their tickets), so that a
malfunction k-means cut in two is joined again.
"""
from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp
import snowballstemmer
import stopwordsiso
from sklearn.cluster import AgglomerativeClustering, MiniBatchKMeans
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.preprocessing import normalize

from .mapping import normal_form
from .records import Ticket

STEMMERS = {"fr": "french", "en": "english"}
# Words of every ticket that say nothing of the malfunction: greetings, politeness, the placeholders
# scrub leaves, urgency.
BOILERPLATE = {
    "fr": {"bonjour", "bonsoir", "bjr", "hello", "merci", "cordialement", "cdlt", "svp", "stp", "salutations",
           "madame", "monsieur", "mme", "mr", "bonne", "journee", "urgent", "urgence", "avance", "aide",
           "nom", "telephone", "mail", "adresse", "ip", "iban"},
    "en": {"hello", "hi", "thanks", "thank", "regards", "please", "pls", "urgent", "asap", "dear",
           "name", "phone", "mail", "address", "ip", "iban"},
}


@dataclass(frozen=True)
class MiningSettings:
    """How tickets are grouped; the defaults are those measured on the labeled set."""
    min_occurrences: int = 3  # a group this large is a recurring malfunction
    threshold: float = 0.94  # average cosine distance under which tickets are one malfunction
    title_weight: int = 3  # a title counts as many times as this against its description
    char_weight: float = 0.3  # share of the character n-grams in a ticket's vector
    part_size: int = 1500  # categories larger than this are split by k-means first
    random_state: int = 0


class TextPrep:
    """Words of a ticket's text as the vectors see them, in one language."""

    def __init__(self, lang: str = "fr"):
        lang = lang if lang in STEMMERS else "fr"
        self.stemmer = snowballstemmer.stemmer(STEMMERS[lang])
        self.stop = {normal_form(w) for w in stopwordsiso.stopwords(lang)} | BOILERPLATE[lang]
        self.stems: dict[str, str] = {}

    def words(self, text: str) -> list[str]:
        """Normal-form words, stop words, single letters and plain numbers left out."""
        return [w for w in normal_form(text).split() if len(w) > 1 and w not in self.stop and not w.isdigit()]

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


def vectors(documents: Sequence[tuple[str, str]], settings: MiningSettings) -> Vectors:
    """Unit-length TF-IDF rows of word and character n-grams of `documents` (from `TextPrep.documents`)."""
    stems = [d[0] for d in documents]
    words = [d[1] for d in documents]
    word_vectorizer = TfidfVectorizer(tokenizer=str.split, token_pattern=None, lowercase=False,
                                      ngram_range=(1, 2), sublinear_tf=True, dtype=np.float32)
    word_rows = word_vectorizer.fit_transform(stems)
    char_rows = TfidfVectorizer(analyzer="char_wb", ngram_range=(3, 5), lowercase=False, sublinear_tf=True,
                                dtype=np.float32).fit_transform(words)
    weight = settings.char_weight
    rows = sp.hstack([word_rows * (1 - weight), char_rows * weight], format="csr")
    return Vectors(normalize(rows), word_rows.shape[1], word_vectorizer.get_feature_names_out())


def _agglomerate(rows: sp.csr_matrix | np.ndarray, threshold: float) -> np.ndarray:
    """Average-linkage labels of rows whose dot products are their similarities."""
    count = rows.shape[0]
    if count < 2:
        return np.zeros(count, dtype=np.int64)
    similarity = rows @ rows.T
    similarity = similarity.toarray() if sp.issparse(similarity) else np.asarray(similarity)
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


def cluster(rows: sp.csr_matrix | np.ndarray, settings: MiningSettings, depth: int = 0) -> list[np.ndarray]:
    """Groups (arrays of row indices) of rows that are one malfunction; every row is in one group."""
    count = rows.shape[0]
    if count <= settings.part_size or depth >= 4:
        return _member_lists(_agglomerate(rows, settings.threshold))
    parts_wanted = math.ceil(count / settings.part_size)
    kmeans = MiniBatchKMeans(n_clusters=parts_wanted, random_state=settings.random_state, n_init=3,
                             batch_size=4096)
    parts = kmeans.fit_predict(normalize(rows))
    if len(set(parts.tolist())) < 2:  # k-means could not split them: cluster them whole
        return _member_lists(_agglomerate(rows, settings.threshold))
    local: list[np.ndarray] = []
    for part in _member_lists(parts):
        local += [part[g] for g in cluster(rows[part], settings, depth + 1)]
    # A malfunction k-means cut in two is two groups of several tickets: join them by their means.
    several = [g for g in local if len(g) > 1]
    alone = [g for g in local if len(g) == 1]
    if len(several) < 2:
        return sorted(local, key=lambda g: int(g.min()))
    means = sp.vstack([sp.csr_matrix(rows[g].mean(axis=0)) for g in several], format="csr") \
        if sp.issparse(rows) else np.vstack([rows[g].mean(axis=0) for g in several])
    joined = [np.concatenate([several[i] for i in merged]) for merged in cluster(means, settings, depth + 1)]
    return sorted(joined + alone, key=lambda g: int(g.min()))
