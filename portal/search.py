"""Chinese word search on Wagtail's search backends.

The database backends (SQLite FTS5, PostgreSQL tsvector) split text on spaces
and punctuation, so "消防安全通知" would be one word and "消防" would not find
it. Indexed text is therefore segmented with jieba (search mode, which also
emits the shorter words inside compounds) and queries are segmented the same
way before they reach the backend.
"""

import logging
import re
from functools import lru_cache

import jieba

jieba.setLogLevel(logging.WARNING)

_CJK = re.compile(r"[\u3400-\u9fff]")
_WORDS = re.compile(r"\w+")


def segment(*texts: str | None) -> str:
    """Space-separated words for the index: compounds and their parts."""
    words: list[str] = []
    for text in texts:
        if not text:
            continue
        words.extend(_short_words_of(text) if len(text) <= _SHORT else _words_of(text))
    return " ".join(words)


def _words_of(text: str) -> tuple[str, ...]:
    if not _CJK.search(text):
        return (text.strip(),)
    return (*(w.strip() for w in jieba.cut_for_search(text) if w.strip()), text.strip())


# The search backends ask a record for its indexed text once per index
# column (title, autocomplete, body), each reading every field, so a tenant's
# names were segmented six times per save. jieba's answer for one string does
# not change while the process runs (its dictionary is fixed at import), so
# short texts — names, titles, codes — are segmented once; long bodies are not
# kept, so that the memo stays small.
_SHORT = 200
_short_words_of = lru_cache(maxsize=8192)(_words_of)


def segment_query(query: str) -> str:
    """Segment a user's query; Latin words and codes pass through untouched.

    Quotes, brackets and operators are query syntax to SQLite FTS5 and
    PostgreSQL (an unbalanced quote is an error there); people search for
    words, so only the words are passed on."""
    query = " ".join(_WORDS.findall(query or ""))
    if not _CJK.search(query):
        return query
    return " ".join(w.strip() for w in jieba.cut_for_search(query) if w.strip())
