"""Near-duplicate items: the same program and key once the names are renamed away.

Two items are near-duplicates when their code is the same token sequence after

- every user name (variables, functions, parameters) is replaced by a placeholder
  (`v1`, `v2`, ... in order of first appearance), while keywords, built-in names
  (`print`, `range`, `len`, ...), attribute names after a dot (`.append`) and keyword
  arguments of built-ins (`end=`, `sep=`) are kept as they are;
- comments and whitespace are dropped (the `# insert here` marker of an insertion item is
  kept), and string literals are compared by value (`'a'` is `"a"`);

and their keys are the same too (the correct answers, normalised with the same renaming
when they are code). Number and string literal values are kept, so changing a literal
makes a different item. Items without code (prose stems) are compared by their normalised
stem and answer texts.
"""

from __future__ import annotations

import ast
import builtins
import io
import keyword
import re
import tokenize
from collections import defaultdict
from dataclasses import dataclass, field
from itertools import combinations

KEPT_NAMES = frozenset(dir(builtins)) | frozenset(keyword.kwlist) | frozenset(keyword.softkwlist)
INSERT_MARKER = "# insert here"
# Kinds and verify modes whose answers are Python code rather than output or prose.
CODE_ANSWER_KINDS = ("order", "gap", "tiles", "insert")
CODE_ANSWER_MODES = ("expressions", "runs", "prints")
SKIPPED_TOKENS = {
    tokenize.NL,
    tokenize.NEWLINE,
    tokenize.INDENT,
    tokenize.DEDENT,
    tokenize.ENCODING,
    tokenize.ENDMARKER,
}


@dataclass(frozen=True)
class Option:
    text: str
    correct: bool = False
    gap: int | None = None
    raises: str = ""


@dataclass(frozen=True)
class Item:
    """What the detector needs of a question (built from a model row or a test's data)."""

    id: str
    kind: str = "single"
    text: str = ""
    code: str = ""
    verify_mode: str = "output"
    options: tuple[Option, ...] = ()
    line_rule: str = ""
    expected_output: str = ""


@dataclass(frozen=True)
class NearDuplicate:
    first: str
    second: str
    reason: str

    def __str__(self) -> str:
        return f"{self.first} / {self.second} ({self.reason})"


@dataclass
class _Renamer:
    """One mapping from user names to placeholders, shared by an item's code and key."""

    bound: set[str] = field(default_factory=set)
    mapping: dict[str, str] = field(default_factory=dict)

    def name(self, name: str) -> str:
        if name not in self.mapping:
            self.mapping[name] = f"v{len(self.mapping) + 1}"
        return self.mapping[name]


def _bound_names(source: str) -> set[str]:
    """Names the code itself binds (assigned, defined, parameters, loop and except targets)."""
    try:
        tree = ast.parse(source)
    except (SyntaxError, ValueError):
        return set()
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Name) and isinstance(node.ctx, (ast.Store, ast.Del)):
            names.add(node.id)
        elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            names.add(node.name)
        elif isinstance(node, ast.arg):
            names.add(node.arg)
        elif isinstance(node, ast.ExceptHandler) and node.name:
            names.add(node.name)
        elif isinstance(node, (ast.Global, ast.Nonlocal)):
            names.update(node.names)
        elif isinstance(node, ast.alias):
            names.add((node.asname or node.name).split(".")[0])
    return names


def _tokens(source: str) -> list[tokenize.TokenInfo] | None:
    try:
        return list(tokenize.generate_tokens(io.StringIO(source).readline))
    except (tokenize.TokenError, SyntaxError):
        return None


def normalise_code(source: str, renamer: _Renamer | None = None) -> str:
    """The code as a space-separated token string with user names renamed (see module doc)."""
    renamer = renamer if renamer is not None else _Renamer()
    renamer.bound |= _bound_names(source)
    tokens = _tokens(source)
    if tokens is None:  # not even tokenizable: compare the text with whitespace collapsed
        return " ".join(source.split())
    out: list[str] = []
    for index, token in enumerate(tokens):
        if token.type in SKIPPED_TOKENS:
            continue
        if token.type == tokenize.COMMENT:
            if token.string.strip().lower() == INSERT_MARKER:
                out.append(INSERT_MARKER)
            continue
        if token.type == tokenize.STRING:
            out.append(_string_value(token.string))
        elif token.type == tokenize.NAME:
            out.append(_name(tokens, index, renamer))
        else:
            out.append(token.string)
    return " ".join(out)


def _string_value(literal: str) -> str:
    try:
        return repr(ast.literal_eval(literal))
    except (SyntaxError, ValueError):
        return literal


def _name(tokens: list[tokenize.TokenInfo], index: int, renamer: _Renamer) -> str:
    name = tokens[index].string
    previous = _neighbour(tokens, index, -1)
    following = _neighbour(tokens, index, +1)
    if previous is not None and previous.string == ".":
        return name  # an attribute or method: part of an object's interface, not a user name
    if name in renamer.bound or name in renamer.mapping:
        return renamer.name(name)
    if name in KEPT_NAMES:
        return name
    if following is not None and following.string == "=" and _inside_brackets(tokens, index):
        return name  # a keyword argument of something the code did not define (end=, sep=)
    return renamer.name(name)


def _neighbour(tokens, index: int, step: int):
    position = index + step
    while 0 <= position < len(tokens):
        if tokens[position].type not in SKIPPED_TOKENS | {tokenize.COMMENT}:
            return tokens[position]
        position += step
    return None


def _inside_brackets(tokens, index: int) -> bool:
    depth = 0
    for token in tokens[:index]:
        if token.type == tokenize.OP and token.string in "([{":
            depth += 1
        elif token.type == tokenize.OP and token.string in ")]}":
            depth -= 1
    return depth > 0


def normalise_text(text: str) -> str:
    """Prose for comparison: case-folded, without Markdown emphasis or code marks, spaces
    collapsed."""
    return " ".join(re.sub(r"[*_`]", "", text).casefold().split())


def _program(item: Item) -> str:
    code = item.code or ""
    if item.kind == "order" and item.verify_mode != "none":
        # An ordering of code lines: the program is the lines in their key order.
        lines = "\n".join(option.text for option in item.options)
        code = f"{code.rstrip()}\n{lines}" if code.strip() else lines
    return code


def fingerprint(item: Item) -> tuple[str, tuple]:
    """What two near-duplicates share: ("code", ...) for items with code, else ("stem", ...)."""
    program = _program(item)
    code_answers = item.kind in CODE_ANSWER_KINDS or item.verify_mode in CODE_ANSWER_MODES
    if not program.strip():
        renamer = _Renamer()
        answers = tuple(
            sorted(
                (
                    normalise_code(option.text, renamer)
                    if code_answers
                    else normalise_text(option.text),
                    option.correct,
                )
                for option in item.options
            )
        )
        return ("stem", (normalise_text(item.text), answers))
    renamer = _Renamer()
    # Names bound by code answers (an inserted `total = n`) count as user names everywhere.
    if code_answers:
        for option in item.options:
            renamer.bound |= _bound_names(option.text)
    code = normalise_code(program, renamer)
    if item.kind == "order":
        key: tuple = (item.expected_output.strip(),)
    elif item.kind in ("gap", "tiles"):
        key = tuple(
            sorted(
                (option.gap, normalise_code(option.text, renamer))
                for option in item.options
                if option.gap is not None
            )
        )
    elif item.kind == "lines":
        key = (item.line_rule, *sorted(option.text for option in item.options if option.correct))
    else:
        key = tuple(
            sorted(
                (normalise_code(option.text, renamer) if code_answers else option.text.strip())
                + (f" raises {option.raises}" if option.raises else "")
                for option in item.options
                if option.correct
            )
        )
    return ("code", (code, key))


MARKER_LINE = re.compile(r"(?m)^([ \t]*)# insert here[ \t]*$")
GAP_MARKER = re.compile(r"\{\{(\d+)\}\}")


def program_fingerprint(item: Item) -> tuple[str, str] | None:
    """The finished program (gaps filled, the keyed line inserted, the lines in key order)
    with its output, so that the same program asked as two different kinds is found too.
    None for items whose key is not one output of one program."""
    code = item.code or ""
    if item.kind in ("single", "multiple"):
        correct = [option for option in item.options if option.correct]
        if item.verify_mode != "output" or not code.strip() or len(correct) != 1:
            return None
        if correct[0].raises:
            return None
        return (normalise_code(code), correct[0].text.strip())
    if item.kind in ("gap", "tiles"):
        fills: dict[int, str] = {}
        for option in item.options:
            if option.gap is not None:
                fills.setdefault(option.gap, option.text)
        code = GAP_MARKER.sub(lambda match: fills.get(int(match.group(1)), match.group(0)), code)
    elif item.kind == "insert":
        keyed = [option.text for option in item.options if option.correct]
        if len(keyed) != 1:
            return None
        code = MARKER_LINE.sub(
            lambda match: "\n".join(match.group(1) + line for line in keyed[0].splitlines()),
            code,
        )
    elif item.kind == "order" and item.verify_mode != "none":
        code = _program(item)
    else:
        return None
    if not code.strip():
        return None
    return (normalise_code(code), item.expected_output.strip())


def find_near_duplicates(items: list[Item]) -> list[NearDuplicate]:
    """Every pair of items with the same fingerprint (or the same finished program and
    output), in the order the items are given; each pair once."""
    groups: dict[tuple, list[str]] = defaultdict(list)
    for item in items:
        basis, value = fingerprint(item)
        reason = "same code after renaming" if basis == "code" else "same stem and answers"
        groups[(reason, value)].append(item.id)
        program = program_fingerprint(item)
        if program is not None:
            groups[("same program and output after renaming", program)].append(item.id)
    pairs: list[NearDuplicate] = []
    seen: set[frozenset[str]] = set()
    for (reason, _value), ids in groups.items():
        for first, second in combinations(ids, 2):
            if first != second and frozenset((first, second)) not in seen:
                seen.add(frozenset((first, second)))
                pairs.append(NearDuplicate(first, second, reason))
    return pairs


def items_from_questions(questions) -> list[Item]:
    """Detector items from Question rows (prefetch `answers` to avoid a query per row)."""
    items = []
    for question in questions:
        options = tuple(
            Option(
                text=answer.text,
                correct=answer.is_correct,
                gap=answer.gap_number,
                raises=answer.raises or "",
            )
            for answer in question.answers.all()
        )
        items.append(
            Item(
                id=question.original_id or f"#{question.pk}",
                kind=question.kind,
                text=question.text or "",
                code=question.code_snippet or "",
                verify_mode=question.verify_mode,
                options=options,
                line_rule=question.line_rule or "",
                expected_output=question.expected_output or "",
            )
        )
    return items
