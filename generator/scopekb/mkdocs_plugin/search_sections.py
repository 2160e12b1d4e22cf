"""What Material's search indexes of a generated page: the same text in a fraction of the tags.

Material's search plugin indexes a page by running Python's HTMLParser over its
HTML, at a cost of several microseconds per tag; a client page has about 300
(table cells, links, spans) while the index keeps headings (they make its
sections), paragraphs, lists and code, and the text. `search_view` drops the
other tags of a generated page (the theme still gets the page whole): 0.2 ms
for the view, then a quarter of the parsing. The index entries (sections,
anchors, titles, texts) stay exactly those of the whole page, whitespace
included: tests/test_render_search.py compares the two with Material's own
parser. `search_sections` then reads a lean view into the sections Material's
parser makes of it, in 40 % of the parser's time (0.13 s against 0.32 s for
1,000 client pages): one regular expression splits it, and a short loop
follows the parser's rules (tests/test_render_search.py compares the
sections). No MkDocs here: build_search.page_entries uses both.

How the same entries come out of fewer tags, for well-formed HTML:
- kept verbatim: the tags the index keeps, everything inside a heading, and the
  elements holding a heading (a section's depth counts them);
- removed with their content: what the index skips (scripts, styles, objects,
  elements marked `data-search-exclude`);
- other tags are dropped. The parser joins the text on both sides of a dropped
  tag; it reads whitespace between tags as one space unless the text before it
  already ends a space, so runs of whitespace and dropped tags are written back
  as that one space (and a comment where the space must stay apart from the
  text after it).
"""
from __future__ import annotations

import html as html_lib
import re

# Tags whose start and end Material's index keeps in its text (its Parser.keep), and headings.
KEPT = frozenset({"p", "code", "pre", "li", "ol", "ul", "sub", "sup", "h1", "h2", "h3", "h4", "h5", "h6"})
HEADINGS = frozenset({"h1", "h2", "h3", "h4", "h5", "h6"})
# Elements without an end tag: the parser does not count them as open.
VOID = frozenset({"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "param", "source",
                  "track", "wbr"})
# Emptied before the walk: what the index skips whole; removed: the permalink that ends the title
# of a section (a heading with an id), which the parser leaves out of the title.
_SKIPPED = re.compile(r"<(script|style|object)\b.*?</\1\s*>", re.S)  # in capitals: left to the parser
_PERMALINK = re.compile(r'(<h[1-6]\s[^>]*?\bid=[^>]*>[^<]*)<a class="headerlink"[^>]*>[^<]*</a>(?=</h[1-6]>)')
# Splits a page into text, tag, "/" or "", tag name, text, ... (in C: the walk below is what costs).
_TAGS = re.compile(r"(<(/?)([A-Za-z][^\s/>]*)[^>]*>)")
_UNSURE = re.compile(r"""<!|<\?|=\s*"[^"<>]*>|=\s*'[^'<>]*>""")
_EXCLUDED = re.compile(r"\sdata-search-exclude(?=[\s=/>])", re.I)
_HEADING = re.compile(r"<h[1-6][\s>]", re.I)
_START_TAG = re.compile(r"<([A-Za-z][^\s/>]*)")
_ANY_TAG = re.compile(r"<[^>]*>")
KEEP_APART = " <!---->"  # a space the parser reads alone, then the text after it


def search_view(html: str) -> str:
    """`html` with the tags Material's search index ignores dropped; its index entries unchanged."""
    if "<pre" in html or "linenodiv" in html:
        return html  # text read as it is, or code line numbers: left to the parser
    work = _PERMALINK.sub(r"\1", _SKIPPED.sub(r"<\1></\1>", html))  # emptied: their text is not indexed
    parts = _TAGS.split(work)
    texts, tag_texts, closings, names = parts[0::4], parts[1::4], parts[2::4], parts[3::4]
    if work.count("<") != len(tag_texts) or _UNSURE.search(work) or not "".join(names).islower():
        # a '<' that starts no tag, a comment, a quoted '>' or a tag in capitals: left to the parser
        return html
    kept, ends = _structure(closings, names)
    out = [texts[0]]
    group: list[str] = []  # texts joined by dropped tags since the last tag kept
    n, count = 0, len(names)
    while n < count:
        tag = names[n]
        if "data-search" in tag_texts[n] and not closings[n] and tag not in VOID and _EXCLUDED.search(tag_texts[n]):
            end = ends.get(n)
            inside = names[n + 1:end]
            if end is None or tag in inside or any(name in HEADINGS for name in inside):
                return html  # the parser would not skip it whole: left to it
            n = end  # the element goes with its text, like a dropped tag
        elif tag in KEPT or n in kept:
            if group:
                _flush(out, group)
            out.append(tag_texts[n])
            out.append(texts[n + 1])
            n += 1
            continue
        if not group:
            group.append(out.pop())
        group.append(texts[n + 1])
        n += 1
    if group:
        _flush(out, group)
    lean = "".join(out)
    if _opens_a_section(html) and not _opens_a_section(lean):
        lean = "<span></span>" + lean  # the section those tags opened, without text
    return lean


def _structure(closings: list[str], names: list[str]) -> tuple[set[int], dict[int, int]]:
    """Tags to keep beyond KEPT (those of the elements around a heading, and all within one), and
    where each element ends, both by tag number; elements open and close as the parser counts them."""
    kept: set[int] = set()
    ends: dict[int, int] = {}
    open_elements: list[tuple[str, int]] = []
    in_heading = 0
    for n, (closing, tag) in enumerate(zip(closings, names)):
        if in_heading:
            kept.add(n)
        if not closing:
            if tag in VOID:
                continue
            if tag in HEADINGS:
                in_heading += 1
                kept.update(start for _, start in open_elements)  # a section's depth counts them
            open_elements.append((tag, n))
        elif open_elements and open_elements[-1][0] == tag:
            start = open_elements.pop()[1]
            ends[start] = n
            if start in kept:
                kept.add(n)
            if tag in HEADINGS:
                in_heading -= 1
    return kept, ends


def _flush(out: list[str], group: list[str]) -> None:
    """Write the texts joined by dropped tags as the parser would read them, and empty `group`.

    The parser reads a text between two tags with its newlines as spaces, and
    whitespace alone between two tags as one space, unless the last thing it
    kept is a space already.
    """
    if not group:
        return
    pieces: list[str] = []
    alone = space = False
    for chunk in group:
        if not chunk:
            continue
        if chunk.isspace():
            if pieces:
                space = True
            else:
                alone = True
        else:
            if space:
                pieces.append(" ")
                space = False
            pieces.append(chunk.replace("\n", " "))
    if space:
        pieces.append(" ")
    text = "".join(pieces)
    out.append((KEEP_APART + text if text else " ") if alone else text)
    group.clear()


def _opens_a_section(html: str) -> bool:
    """Whether the parser opens a section before the first heading: at a start tag or a text."""
    first_heading = _HEADING.search(html)
    before = html[:first_heading.start()] if first_heading else html
    for match in _START_TAG.finditer(before):
        if match.group(1).lower() not in VOID:
            return True
    return bool(_ANY_TAG.sub("", before))


# --- reading a lean view ------------------------------------------------------------------------

_TOKEN = re.compile(r"<(/?)([a-z][^\s/>]*)([^>]*)>|<!--.*?-->", re.S)
_ATTRIBUTE = re.compile(r"""([^\s=/>]+)(?:\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s"'=<>`]+)))?""")
_SKIPPING = frozenset({"script", "style", "object"})
_KEEP = KEPT - HEADINGS
_RAW_TEXT = re.compile(r"<(script|style)\b[^>]*>(?!</\1>)")  # text the parser reads without tags


def _value(attribute: re.Match) -> str | None:
    """An attribute's value as the parser gives it: unescaped, None where there is no '='."""
    value = next((v for v in attribute.groups()[1:] if v is not None), None)
    if value is None:
        return "" if "=" in attribute.group(0) else None
    return html_lib.unescape(value)


def search_sections(html: str) -> list[tuple[str, float, str | None, list[str], list[str]]] | None:
    """The sections Material's search parser makes of `html`, a lean view: (heading tag or "hx", depth,
    id, title parts, text parts) each, as its Parser holds them; None for what is left to that parser
    (anything but plain start and end tags and comments: excluded elements, code line numbers,
    stray '<')."""
    if html.count("<") != html.count(">") or "<!" in html.replace("<!--", "") or _RAW_TEXT.search(html):
        return None
    sections: list[list] = []  # [tag, depth, id, title, text]
    section: list | None = None
    context: list[str] = []  # open elements, by tag
    permalinks: list[bool] = []  # for each, whether it is a heading's permalink
    skipping = 0  # open script, style or object elements
    tokens = 0
    position = 0

    def data(text: str) -> None:
        nonlocal section
        if skipping or not text:
            return
        if "pre" not in context:
            text = " " if text.isspace() else text.replace("\n", " ")
        if section is None:
            section = ["hx", 0, None, [], []]
            sections.append(section)
        if section[0] in context:
            if not any(permalinks):
                section[3].append(html_lib.escape(text, quote=False))
        elif text.isspace():
            parts = section[4]
            if not parts or not parts[-1].isspace() or "pre" in context:
                parts.append(text)
        else:
            section[4].append(html_lib.escape(text, quote=False))

    for match in _TOKEN.finditer(html):
        tokens += 1
        if match.start() > position:
            text = html[position:match.start()]
            data(html_lib.unescape(text) if "&" in text else text)
        position = match.end()
        closing, tag, rest = match.groups()
        if tag is None:  # a comment: it only parts the text around it
            continue
        if not tag.islower():
            return None
        if not closing:
            attributes = {m.group(1).lower(): _value(m) for m in _ATTRIBUTE.finditer(rest.rstrip("/"))} \
                if rest else {}
            if "data-search-exclude" in attributes or attributes.get("class") == "linenodiv":
                return None
            if tag in VOID:
                continue
            context.append(tag)
            permalinks.append(tag == "a" and attributes.get("class") == "headerlink")
            skipping += tag in _SKIPPING
            if tag in HEADINGS and "id" in attributes:
                if tag != "h1" and not sections:
                    sections.append(["hx", len(context), None, [], []])
                section = [tag, len(context), attributes["id"] if sections else None, [], []]
                sections.append(section)
            if section is None:
                section = ["hx", 0, None, [], []]
                sections.append(section)
            if tag in _KEEP and not skipping:
                (section[3] if section[0] in context else section[4]).append(f"<{tag}>")
            if not rest.endswith("/"):
                continue
        if not context or context[-1] != tag:  # an end tag, or the end of a self-closing one
            continue
        if section[1] > len(context):  # leaving the element that holds the heading: back to an outer section
            for outer in reversed(sections):
                if outer[1] <= len(context):
                    section[1] = float("inf")
                    section = outer
                    break
        context.pop()
        permalinks.pop()
        if tag in _SKIPPING:
            skipping -= 1
            continue
        if tag in _KEEP and not skipping:
            parts = section[3] if section[0] in context else section[4]
            start = parts.index(f"<{tag}>")  # the first, as the parser looks it up
            if all(part.isspace() for part in parts[start + 1:]):
                del parts[start:]
            else:
                parts.append(f"</{tag}>")
    if tokens != html.count("<"):
        return None
    data(html_lib.unescape(html[position:]))
    return [tuple(s) for s in sections]
