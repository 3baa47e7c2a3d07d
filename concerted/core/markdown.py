"""Markdown for the texts organizers write (petition, pledge, card, demand), rendered
safely for pages and PDFs.

markdown-it-py parses CommonMark with raw HTML turned off and images turned off (an
image would be a request to another server, or a data: URL); its link validator drops
`javascript:`, `vbscript:`, `file:` and `data:` links. The HTML it makes then goes
through nh3 (the ammonia sanitizer) with a short list of tags and only http, https and
mailto links, so a parser bug alone can't put script on a page. PDFs are built from the
same parse tree, never from raw text, so they get the same formatting and the same
refusals."""

from __future__ import annotations

from functools import lru_cache
from typing import Any

import nh3
from django.utils.translation import gettext_lazy
from markdown_it import MarkdownIt
from markdown_it.tree import SyntaxTreeNode
from reportlab.lib.styles import ParagraphStyle
from reportlab.platypus import Flowable, HRFlowable, ListFlowable, ListItem, Paragraph, Preformatted

from .pdf import escape, fonts

ALLOWED_TAGS = {
    "p", "br", "strong", "em", "ul", "ol", "li", "blockquote", "code", "pre", "a", "hr", "h3", "h4", "h5", "h6",
}  # fmt: skip
ALLOWED_ATTRIBUTES = {"a": {"href"}, "ol": {"start"}}
URL_SCHEMES = {"http", "https", "mailto"}
HEADING_SHIFT = 2  # "# Title" in a petition body sits under the page's own h1 and h2


@lru_cache(maxsize=1)
def _parser() -> MarkdownIt:
    md = MarkdownIt("commonmark", {"html": False, "linkify": False, "typographer": False})
    md.disable(["image", "html_block", "html_inline"])
    return md


def _tree(text: str) -> SyntaxTreeNode:
    tokens = _parser().parse(text or "")
    for token in tokens:
        if token.type in ("heading_open", "heading_close"):
            token.tag = f"h{min(6, int(token.tag[1]) + HEADING_SHIFT)}"
    return SyntaxTreeNode(tokens)


def safe_link(href: str) -> str:
    scheme = href.split(":", 1)[0].lower() if ":" in href else ""
    return href if scheme in URL_SCHEMES else ""


def to_html(text: str) -> str:
    """Sanitized HTML for a page (mark it safe only through the template filter)."""
    tokens = _parser().parse(text or "")
    for token in tokens:
        if token.type in ("heading_open", "heading_close"):
            token.tag = f"h{min(6, int(token.tag[1]) + HEADING_SHIFT)}"
    html = _parser().renderer.render(tokens, _parser().options, {})
    return nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes=URL_SCHEMES,
        link_rel="nofollow noopener noreferrer",
        strip_comments=True,
    )


def to_plain(text: str) -> str:
    """The words without the marks, for places that can't format (titles, CSV)."""
    out: list[str] = []

    def walk(node: SyntaxTreeNode) -> None:
        if node.type in ("text", "code_inline"):
            out.append(node.content)
        elif node.type in ("softbreak", "hardbreak"):
            out.append(" ")
        elif node.type in ("code_block", "fence"):
            out.append(node.content)
        for child in node.children:
            walk(child)
        if node.type in ("paragraph", "heading", "list_item"):
            out.append("\n")

    walk(_tree(text))
    return "\n".join(line.strip() for line in "".join(out).splitlines() if line.strip())


def to_text(text: str) -> str:
    """The text as plain text that keeps what the formatting said, for mail programs
    that show no formatting: a link keeps its address ("words <https://...>"), list
    items keep their "- " or "1. ", paragraphs stay apart by a blank line, quotes get
    "> ". Made from the same parse tree as `to_html`, so a link the HTML refuses
    (javascript:, data:) shows no address here either."""
    return "\n\n".join(_text_blocks(_tree(text))).strip()


def _text_inline(node: SyntaxTreeNode) -> str:
    parts: list[str] = []
    for child in node.children:
        kind = child.type
        if kind in ("text", "code_inline"):
            parts.append(child.content)
        elif kind in ("softbreak", "hardbreak"):
            parts.append("\n")
        elif kind == "link":
            label = _text_inline(child)
            href = safe_link(str(child.attrs.get("href", "")))
            shown = href.removeprefix("mailto:")
            if not href or label.strip() in (href, shown):
                parts.append(label if not href else shown)
            else:
                parts.append(f"{label} <{shown}>")
        else:
            parts.append(_text_inline(child))
    return "".join(parts)


def _text_list(node: SyntaxTreeNode) -> str:
    start = int(node.attrs.get("start", 1) or 1)
    tight = any(p.type == "paragraph" and p.hidden for item in node.children for p in item.children)
    gap = "\n" if tight else "\n\n"
    items = []
    for number, item in enumerate(node.children, start=start):
        marker = f"{number}. " if node.type == "ordered_list" else "- "
        lines = gap.join(_text_blocks(item)).split("\n")
        indent = " " * len(marker)
        items.append("\n".join([marker + lines[0], *((indent + line) if line else "" for line in lines[1:])]))
    return gap.join(items)


def _text_blocks(node: SyntaxTreeNode) -> list[str]:
    out: list[str] = []
    for child in node.children:
        kind = child.type
        if kind in ("paragraph", "heading"):
            out.append(_text_inline(child.children[0]) if child.children else "")
        elif kind in ("bullet_list", "ordered_list"):
            out.append(_text_list(child))
        elif kind == "blockquote":
            inner = "\n\n".join(_text_blocks(child))
            out.append("\n".join(f"> {line}" if line else ">" for line in inner.split("\n")))
        elif kind in ("code_block", "fence"):
            out.append("\n".join(f"    {line}" if line else "" for line in child.content.rstrip("\n").split("\n")))
        elif kind == "hr":
            out.append("* * *")
        else:
            out += _text_blocks(child)
    return [block for block in out if block.strip()]


def _inline(node: SyntaxTreeNode) -> str:
    """reportlab's paragraph mini-markup for one inline run; every text is escaped."""
    parts: list[str] = []
    for child in node.children:
        kind = child.type
        if kind == "text":
            parts.append(escape(child.content))
        elif kind == "strong":
            parts.append(f"<b>{_inline(child)}</b>")
        elif kind == "em":
            parts.append(f"<i>{_inline(child)}</i>")
        elif kind == "code_inline":
            parts.append(escape(child.content))
        elif kind == "softbreak":
            parts.append(" ")
        elif kind == "hardbreak":
            parts.append("<br/>")
        elif kind == "link":
            label = _inline(child)
            href = safe_link(str(child.attrs.get("href", "")))
            # On paper a link is only useful if its address is printed.
            parts.append(label + (f" ({escape(href)})" if href and escape(href) != label else ""))
        else:
            parts.append(_inline(child))
    return "".join(parts)


def _styles(base: ParagraphStyle) -> dict[str, ParagraphStyle]:
    _regular, bold = fonts()
    return {
        "p": ParagraphStyle(f"{base.name}-md", parent=base, spaceAfter=base.fontSize * 0.5),
        "h": ParagraphStyle(
            f"{base.name}-md-h", parent=base, fontName=bold, fontSize=base.fontSize * 1.15, leading=base.leading * 1.15
        ),
        "quote": ParagraphStyle(f"{base.name}-md-q", parent=base, leftIndent=base.fontSize * 1.2),
        "pre": ParagraphStyle(f"{base.name}-md-pre", parent=base, fontName="Courier"),
    }


def _blocks(node: SyntaxTreeNode, st: dict[str, ParagraphStyle]) -> list[Flowable]:
    out: list[Any] = []
    for child in node.children:
        kind = child.type
        if kind == "paragraph":
            out.append(Paragraph(_inline(child.children[0]) if child.children else "", st["p"]))
        elif kind == "heading":
            out.append(Paragraph(_inline(child.children[0]) if child.children else "", st["h"]))
        elif kind in ("bullet_list", "ordered_list"):
            items = [ListItem(_blocks(item, st) or [Paragraph("", st["p"])]) for item in child.children]
            if kind == "bullet_list":
                out.append(ListFlowable(items, bulletType="bullet", start="•", leftIndent=st["p"].fontSize * 1.4))
            else:
                start = int(child.attrs.get("start", 1) or 1)
                out.append(ListFlowable(items, bulletType="1", start=start, leftIndent=st["p"].fontSize * 1.6))
        elif kind == "blockquote":
            inner = _styles(st["quote"])
            out += _blocks(child, {**st, "p": inner["p"]})
        elif kind in ("code_block", "fence"):
            out.append(Preformatted(child.content.rstrip("\n"), st["pre"]))
        elif kind == "hr":
            out.append(HRFlowable(width="100%", thickness=0.5))
        else:
            out += _blocks(child, st)
    return out


def to_flowables(text: str, style: ParagraphStyle) -> list[Flowable]:
    """The text as reportlab flowables in `style` (paragraphs, lists, headings)."""
    return _blocks(_tree(text), _styles(style))


HELP = gettext_lazy(
    "Formatting: **bold**, *italic*, a line starting with “- ” for a list or “1. ” for numbered steps, "
    "[words](https://link) for a link. HTML and images are not shown."
)
