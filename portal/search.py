"""Chinese word search on Wagtail's search backends.

The database backends (SQLite FTS5, PostgreSQL tsvector) split text on spaces
and punctuation, so "消防安全通知" would be one word and "消防" would not find
it. Indexed text is therefore segmented with jieba (search mode, which also
emits the shorter words inside compounds) and queries are segmented the same
way before they reach the backend.
"""

import logging
import re

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
        if _CJK.search(text):
            words.extend(w.strip() for w in jieba.cut_for_search(text) if w.strip())
        words.append(text.strip())
    return " ".join(words)


def segment_query(query: str) -> str:
    """Segment a user's query; Latin words and codes pass through untouched.

    Quotes, brackets and operators are query syntax to SQLite FTS5 and
    PostgreSQL (an unbalanced quote is an error there); people search for
    words, so only the words are passed on."""
    query = " ".join(_WORDS.findall(query or ""))
    if not _CJK.search(query):
        return query
    return " ".join(w.strip() for w in jieba.cut_for_search(query) if w.strip())
