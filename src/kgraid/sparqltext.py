"""Tokens of SPARQL text: enough to tell strings, IRIs and comments from structure, so that
kgraid can find a query's WHERE group, variables and final clauses without a full parser."""
from __future__ import annotations

import re
from dataclasses import dataclass

__all__ = ["Token", "tokens", "header_comments"]

_TOKEN_RE = re.compile(r"""
    (?P<ws>\s+)
  | (?P<comment>\#[^\n\r]*)
  | (?P<iri><[^<>"{}|^`\\\x00-\x20]*>)
  | (?P<str>\"\"\"(?:(?:"|"")?(?:[^"\\]|\\.))*\"\"\"
           |'''(?:(?:'|'')?(?:[^'\\]|\\.))*'''
           |"(?:[^"\\\n\r]|\\.)*"
           |'(?:[^'\\\n\r]|\\.)*')
  | (?P<var>[?$][0-9A-Za-z_\u00B7\u00C0-\u00D6\u00D8-\u00F6\u00F8-\u037D\u037F-\u1FFF\u200C\u200D\u203F\u2040\u2070-\u218F\u2C00-\u2FEF\u3001-\uD7FF\uF900-\uFDCF\uFDF0-\uFFFD\U00010000-\U000EFFFF]+)
  | (?P<lbrace>\{) | (?P<rbrace>\}) | (?P<lparen>\() | (?P<rparen>\))
  | (?P<word>(?:[^\s{}()<>"'\#?$\\]|\\.)+)
  | (?P<other>.)
""", re.VERBOSE | re.DOTALL)


@dataclass(frozen=True)
class Token:
    kind: str
    text: str
    start: int
    end: int


def tokens(query: str) -> list[Token]:
    """SPARQL tokens, enough to tell strings, IRIs and comments from structure."""
    return [Token(m.lastgroup or "other", m.group(), m.start(), m.end())
            for m in _TOKEN_RE.finditer(query)]


def header_comments(query: str) -> list[str]:
    """The comment lines of a query's header: those before its first SPARQL token (where a
    query file declares what it needs, e.g. ``# Requires:`` and ``# View:``)."""
    out: list[str] = []
    for m in _TOKEN_RE.finditer(query):  # lazily: the body is never tokenized
        if m.lastgroup == "ws":
            continue
        if m.lastgroup != "comment":
            break
        out.append(m.group())
    return out
