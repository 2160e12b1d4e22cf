"""Feature counts as scikit-learn's CountVectorizer makes them, without its Python loop per feature.

`mine.vectors` counts the stems and stem pairs of every distinct ticket text,
its words, and the character 3- to 5-grams of each distinct word: on 100,000
tickets, CountVectorizer spent 8 s of CPU there, most of it in the loop that
looks up each feature of each document. These functions give its matrix and
feature names: the same counts (float32), the features sorted by name, and
each row's entries in the order CountVectorizer leaves them (by the feature's
first appearance in the documents: the order later sums run in, so the
vectors stay the same to the last bit). tests/test_tickets_counts.py compares
them with CountVectorizer.
"""
from __future__ import annotations

from collections.abc import Iterable, Sequence

import numpy as np
import scipy.sparse as sp
from sklearn.feature_extraction.text import CountVectorizer

GRAM_SIZES = (3, 4, 5)



class EmptyVocabulary(ValueError):
    """No document has a feature: CountVectorizer's error, as its own type so that a caller can tell it."""

def feature_counts(documents: Iterable[Sequence[str]]) -> tuple[sp.csr_matrix, np.ndarray]:
    """`CountVectorizer(analyzer=...).fit_transform` of documents already analysed into their features,
    and the feature names. Each feature is looked up once per occurrence in a dict, in C (setdefault)."""
    first_seen: dict[str, int] = {}  # feature -> its number, in order of first appearance
    numbers: list[int] = []
    lengths: list[int] = []
    for features in documents:
        numbers.extend([first_seen.setdefault(f, len(first_seen)) for f in features])
        lengths.append(len(features))
    if not first_seen:
        raise EmptyVocabulary("empty vocabulary; perhaps the documents only contain stop words")
    names = sorted(first_seen)
    column = np.empty(len(names), dtype=np.intp)
    column[[first_seen[name] for name in names]] = np.arange(len(names))
    return _counted(np.repeat(np.arange(len(lengths)), lengths), np.asarray(numbers, dtype=np.intp), column,
                    len(lengths)), np.asarray(names, dtype=object)


def char_gram_counts(words: Sequence[str]) -> tuple[sp.csr_matrix, np.ndarray]:
    """`CountVectorizer(analyzer="char_wb", ngram_range=(3, 5), lowercase=False, dtype=np.float32)
    .fit_transform(words)` and its feature names, for distinct words of no space.

    The n-grams of ` word ` are cut out of the words' bytes laid end to end,
    all words at once, and coded as integers whose order is the n-grams'
    order as text (big-endian, zero-padded: a shorter n-gram sorts before its
    extensions). Words with a character outside ASCII go to CountVectorizer
    itself.
    """
    if not len(words):
        raise EmptyVocabulary("empty vocabulary; perhaps the documents only contain stop words")
    if not all(map(str.isascii, words)):
        grams = CountVectorizer(analyzer="char_wb", ngram_range=(3, 5), lowercase=False, dtype=np.float32)
        return grams.fit_transform(words), grams.get_feature_names_out()
    longest = max(GRAM_SIZES)
    text = "".join(f" {w} " for w in words).encode("ascii") + bytes(longest)  # zeros after the last word
    letters = np.frombuffer(text, dtype=np.uint8).astype(np.int64)
    lengths = np.fromiter(map(len, words), dtype=np.int64, count=len(words)) + 2
    offsets = np.cumsum(lengths) - lengths
    stride = int(lengths.max(initial=0)) + 1
    owners, codes, places = [], [], []
    for size in GRAM_SIZES:
        fits = np.maximum(lengths - size + 1, 0)  # how many n-grams of this size each padded word has
        owner = np.repeat(np.arange(len(words)), fits)
        start = np.arange(len(owner)) - np.repeat(np.cumsum(fits) - fits, fits)
        code = np.zeros(len(owner), dtype=np.int64)
        for k in range(longest):
            code = (code << 8) | (letters[offsets[owner] + start + k] if k < size else 0)
        owners.append(owner)
        codes.append(code)
        # where CountVectorizer meets it: word by word, then by size, then by start
        places.append((owner * len(GRAM_SIZES) + size - GRAM_SIZES[0]) * stride + start)
    order = np.argsort(np.concatenate(places), kind="stable")
    owner, code = np.concatenate(owners)[order], np.concatenate(codes)[order]
    distinct, first, inverse = np.unique(code, return_index=True, return_inverse=True)
    number = np.empty(len(distinct), dtype=np.intp)  # each n-gram's number of first appearance
    number[np.argsort(first, kind="stable")] = np.arange(len(distinct))
    column = np.argsort(number)  # the column of each number: the n-grams' sorted order
    names = [int(c).to_bytes(longest, "big").rstrip(b"\0").decode("ascii") for c in distinct]
    return _counted(owner, number[inverse], column, len(words)), np.asarray(names, dtype=object)


def _counted(rows: np.ndarray, numbers: np.ndarray, column: np.ndarray, count: int) -> sp.csr_matrix:
    """Counts of (row, feature number) pairs, each row's entries by number (CountVectorizer sorts them so
    before it sorts the features by name), then `column` turns numbers into columns."""
    counts = sp.coo_matrix((np.ones(len(numbers), dtype=np.float32), (rows, numbers)),
                           shape=(count, len(column))).tocsr()
    counts.sum_duplicates()
    indices = column[counts.indices].astype(np.int32 if len(column) < 2**31 else np.int64)
    return sp.csr_matrix((counts.data, indices, counts.indptr.astype(indices.dtype)), shape=counts.shape)
