"""User-written Markdown (notes, updates, actions, staff views) as safe HTML.

Two layers, as REVIEWS-AND-EXPORTS.md 8.1 advises: markdown-it-py's ``js-default``
preset never passes raw HTML through (it is shown as text), then nh3 (the Ammonia
sanitiser) keeps only a small allow-list of tags and attributes, so a bug or a future
plugin in the first layer still cannot emit a script, an event handler, a style, an image
(a tracking pixel or a data: URL) or an ``id`` that clashes with the page's own.
"""

from __future__ import annotations

import html
from functools import cache

import nh3
from markdown_it import MarkdownIt
from markupsafe import Markup

ALLOWED_TAGS = frozenset(
    {
        "p",
        "br",
        "ul",
        "ol",
        "li",
        "strong",
        "em",
        "a",
        "code",
        "pre",
        "blockquote",
        "h3",
        "h4",
    }
)
ALLOWED_ATTRIBUTES = {"a": {"href"}}
URL_SCHEMES = frozenset({"https", "http", "mailto"})
# The page's own headings are h1 and h2: a note's headings sit below them.
_HEADING_LEVELS = {"h1": "h3", "h2": "h3", "h3": "h4", "h4": "h4", "h5": "h4", "h6": "h4"}


@cache
def _parser() -> MarkdownIt:
    parser = MarkdownIt("js-default", {"html": False, "linkify": False, "typographer": False})
    parser.disable("image")

    def heading_open(renderer, tokens, index, options, env):  # noqa: ANN001, ANN202
        tag = _HEADING_LEVELS.get(tokens[index].tag, "h4")
        return f"<{tag}>"

    def heading_close(renderer, tokens, index, options, env):  # noqa: ANN001, ANN202
        tag = _HEADING_LEVELS.get(tokens[index].tag, "h4")
        return f"</{tag}>\n"

    parser.add_render_rule("heading_open", heading_open)
    parser.add_render_rule("heading_close", heading_close)
    return parser


def render(source: str | None) -> Markup:
    """*source* (Markdown written by a user) as sanitised HTML, safe to put in a page."""
    if not source:
        return Markup("")
    cleaned = nh3.clean(
        _parser().render(source),
        tags=set(ALLOWED_TAGS),
        attributes={tag: set(names) for tag, names in ALLOWED_ATTRIBUTES.items()},
        url_schemes=set(URL_SCHEMES),
        link_rel="noopener noreferrer nofollow",
        strip_comments=True,
    )
    return Markup(cleaned)  # noqa: S704  # nosec B704  # nh3 above


def plain_text(source: str | None) -> str:
    """*source* without its Markdown: for snippets, titles and CSV cells."""
    if not source:
        return ""
    # Tags dropped, entities left as the sanitiser wrote them, then unescaped once.
    text = nh3.clean(_parser().render(source), tags=set())
    return " ".join(html.unescape(text).split())
