"""tickets/counts.py gives CountVectorizer's matrices: the same counts, columns, names and order of entries."""
from __future__ import annotations

import random

import numpy as np
import pytest
from sklearn.feature_extraction.text import CountVectorizer

from scopekb.tickets.counts import char_gram_counts, feature_counts
from scopekb.tickets.mine import _words_and_pairs


def same_matrix(ours, theirs) -> bool:
    """Equal to the last bit, entries in the same order within each row (later sums run in that order)."""
    return (ours.shape == theirs.shape and ours.dtype == theirs.dtype
            and np.array_equal(ours.indptr, theirs.indptr) and np.array_equal(ours.indices, theirs.indices)
            and np.array_equal(ours.data, theirs.data))


def made_up_words(rng: random.Random, count: int) -> list[str]:
    letters = "abcdefghijklmnopqrstuvwxyz0123456789"
    return [("".join(rng.choice(letters[:rng.choice((3, 10, 36))]) for _ in range(rng.choice((1, 2, 3, 4, 5, 8, 30)))))
            for _ in range(count)]


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_feature_counts_are_count_vectorizers(seed):
    rng = random.Random(seed)
    vocabulary = made_up_words(rng, 60)
    documents = [" ".join(rng.choice(vocabulary) for _ in range(rng.randint(0, 30))) for _ in range(200)]
    documents[0] = "zz aa zz aa zz"  # repeated words and pairs in one document
    for analyzer in (str.split, _words_and_pairs):
        vectorizer = CountVectorizer(analyzer=analyzer, dtype=np.float32)
        theirs = vectorizer.fit_transform(documents)
        ours, names = feature_counts(map(analyzer, documents))
        assert same_matrix(ours, theirs)
        assert list(names) == list(vectorizer.get_feature_names_out())


@pytest.mark.parametrize("words", [
    ["a", "ab", "abc", "abcd", "abcdef", "aaaa", "aaaaaaaa", "abab", "0", "42", "x9y9x9y9x9y9"],
    made_up_words(random.Random(4), 500),
    ["hôtel", "etat", "résumé", "ab"],  # outside ASCII: CountVectorizer itself
])
def test_char_gram_counts_are_char_wbs(words):
    words = sorted(set(words))  # distinct words, as the vocabulary of the texts gives them
    vectorizer = CountVectorizer(analyzer="char_wb", ngram_range=(3, 5), lowercase=False, dtype=np.float32)
    theirs = vectorizer.fit_transform(words)
    ours, names = char_gram_counts(words)
    assert same_matrix(ours, theirs)
    assert list(names) == list(vectorizer.get_feature_names_out())


def test_nothing_to_count_is_refused_as_count_vectorizer_refuses_it():
    with pytest.raises(ValueError, match="empty vocabulary"):
        feature_counts([[], []])
    with pytest.raises(ValueError, match="empty vocabulary"):
        char_gram_counts([])
