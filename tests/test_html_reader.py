"""The HTML reader: metadata, main content, structure, disclaimers by markup, footnotes, charsets, errors."""

from __future__ import annotations

import datetime as dt
import logging
from pathlib import Path

import lxml.html
import pytest

from gutaudio.document import (
    Code,
    CodeBlock,
    Emphasis,
    Figure,
    Heading,
    LineBreak,
    Link,
    ListBlock,
    NoteRef,
    Paragraph,
    Quote,
    Strong,
    Table,
    Text,
    blocks_text,
    inline_text,
    note_refs,
)
from gutaudio.errors import ContentError
from gutaudio.readers import find_articles, read_article
from gutaudio.readers.base import Draft, Reader
from gutaudio.readers.html import HtmlReader, decode_html, html_blocks, strip_site_name

FIXTURES = Path(__file__).parent / "fixtures" / "html"


def read_fixture(name: str) -> Draft:
    path = FIXTURES / name
    return HtmlReader().read(path.read_bytes(), path)


def read_page(markup: str | bytes, name: str = "page.html") -> Draft:
    data = markup.encode("utf-8") if isinstance(markup, str) else markup
    return HtmlReader().read(data, Path(name))


def body_text(draft: Draft) -> str:
    return blocks_text(draft.blocks)


def fragment(markup: str) -> list:
    return html_blocks(lxml.html.fragment_fromstring(markup, create_parent="div"))


def only(blocks: list, kind: type):
    found = [b for b in blocks if isinstance(b, kind)]
    assert len(found) == 1, blocks
    return found[0]


ARTICLE = ("<p>Fibre feeds the bacteria in your gut, which turn it into substances that calm inflammation "
           "and help the gut wall stay healthy over the years.</p>"
           "<p>Most adults eat far less fibre than the thirty grams a day that dietitians recommend.</p>")


# --- the reader as a whole -------------------------------------------------------------------


def test_html_htm_and_upper_case_files_are_found_and_read_as_web_pages(tmp_path: Path) -> None:
    page = ("<!DOCTYPE html><html lang='en'><head><title>Fibre and the gut | Gut Site</title></head><body>"
            "<nav><a href='/'>Home</a> <a href='/about'>About us</a></nav><article><h1>Fibre and the gut</h1>"
            + ARTICLE + "<p>This article is for informational purposes only.</p></article></body></html>")
    for name in ("a.html", "b.htm", "C.HTML", "notes.pdf"):
        (tmp_path / name).write_text(page, encoding="utf-8")
    found = find_articles(tmp_path)
    assert [p.name for p in found] == ["C.HTML", "a.html", "b.htm"]
    for path in found:
        article = read_article(path)
        assert article.title == "Fibre and the gut", path.name  # the h1, not the tag soup as text
        assert [s.title for s in article.sections] == ["Introduction", "Disclaimer"], path.name
        body = blocks_text(article.sections[0].blocks)
        assert body.startswith("Fibre feeds the bacteria") and "<" not in body and "Home" not in body
    assert isinstance(HtmlReader(), Reader)


def test_news_page_metadata_from_json_ld_open_graph_and_link_tags() -> None:
    meta = read_fixture("news.html").metadata
    assert meta.title == "Walking after meals lowers blood sugar, study finds"
    assert meta.authors == ("Priya Raman", "Tom Okafor")
    assert meta.date == dt.date(2026, 3, 4)
    assert meta.updated == dt.date(2026, 3, 5)
    assert meta.description == ("A ten-minute walk after eating blunts the rise in blood glucose, "
                                "a new trial reports.")
    assert meta.language == "en-GB"
    assert meta.image == "https://dailyhealthnews.example/img/walk.jpg"
    assert meta.tags == ("Diabetes", "Exercise", "blood sugar")
    assert meta.canonical == "https://dailyhealthnews.example/news/walking-after-meals"


def test_news_page_body_is_the_article_without_page_furniture() -> None:
    draft = read_fixture("news.html")
    text = body_text(draft)
    assert "after each meal had lower blood sugar levels" in text
    assert "talk to their doctor before starting a new exercise routine" in text
    for furniture in ("We use cookies", "Accept all cookies", "Latest news", "Conditions A to Z",
                      "Share on Facebook", "Email this article", "Related articles", "standing desks",
                      "walker_jane", "Post comment", "Privacy policy", "weekly newsletter",
                      "All rights reserved", "Health reporters", "Topics:"):
        assert furniture not in text, furniture
    headings = [inline_text(b.content) for b in draft.blocks if isinstance(b, Heading)]
    assert headings == ["What the study found", "Should you start walking after dinner?"]


def test_news_page_says_what_it_left_out_and_why() -> None:
    draft = read_fixture("news.html")
    reasons = {o.reason for o in draft.omitted}
    assert {"cookie banner", "site header", "share bar", "related links", "comments", "footer"} <= reasons
    comments = next(o for o in draft.omitted if o.reason == "comments")
    assert "walker_jane" in comments.text


def test_wordpress_blog_sidebar_share_and_related_posts_are_not_the_article() -> None:
    draft = read_fixture("blog.html")
    text = body_text(draft)
    assert "putting your fork down between bites" in text
    for furniture in ("About me", "Recent Posts", "Join the newsletter", "Click to share",
                      "You may also like", "kefir", "Leave a Reply", "Peppermint tea has been a life saver",
                      "Powered by WordPress", "registered dietitian who has been writing",
                      "Skip to the content"):
        assert furniture not in text, furniture
    headings = [inline_text(b.content) for b in draft.blocks if isinstance(b, Heading) and b.level == 2]
    assert headings == ["1. Eat more slowly", "2. Try peppermint tea", "3. Go easy on fizzy drinks",
                        "4. Keep a food diary", "5. Move after you eat"]
    items = only(draft.blocks, ListBlock).items
    assert [blocks_text(i.blocks) for i in items] == [
        "beans and lentils", "onions and garlic", "sugar-free sweets that contain sorbitol"]


def test_json_ld_graph_with_author_object_keyword_list_and_image_object() -> None:
    meta = read_fixture("blog.html").metadata
    assert meta.title == "5 Gentle Ways to Ease Bloating Naturally"
    assert meta.authors == ("Maria Lopez",)
    assert (meta.date, meta.updated) == (dt.date(2025, 11, 18), dt.date(2026, 1, 2))
    assert meta.tags == ("bloating", "digestion", "gut health")
    assert meta.image == "https://happygut.example/wp-content/uploads/2025/11/bloating.jpg"
    assert meta.language == "en-US"


def test_cms_export_fragment_without_head() -> None:
    draft = read_fixture("cms-export.html")
    assert draft.metadata.title == "Understanding high blood pressure"
    assert draft.metadata.authors == ("Dr Aisha Bello",)
    first = draft.blocks[0]
    assert isinstance(first, Heading) and first.level == 1
    steps = only(draft.blocks, ListBlock)
    assert steps.ordered and len(steps.items) == 3
    quote = only(draft.blocks, Quote)
    assert inline_text(quote.attribution) == "British Heart Foundation"
    assert blocks_text(quote.blocks) == "Small changes, kept up, add up to a big difference over the years."
    assert "By Dr Aisha Bello" not in body_text(draft)


def test_structure_survives_table_lists_figure_and_quote() -> None:
    blocks = read_fixture("structure.html").blocks
    table = only(blocks, Table)
    assert inline_text(table.caption) == "Daily iron needs by group"
    assert [inline_text(c) for c in table.header] == ["Group", "Iron per day"]
    assert [[inline_text(c) for c in row] for row in table.rows] == [
        ["Men aged 19 and over", "8.7 mg"], ["Women aged 19 to 50", "14.8 mg"], ["Women over 50", "8.7 mg"]]
    lists = [b for b in blocks if isinstance(b, ListBlock)]
    sources, tips = lists
    nested = sources.items[1].blocks[-1]
    assert isinstance(nested, ListBlock) and len(nested.items) == 2
    assert isinstance(sources.items[0].blocks[0], Paragraph)
    assert isinstance(sources.items[0].blocks[0].content[0], Strong)
    assert tips.ordered and tips.start == 3
    figure = only(blocks, Figure)
    assert (figure.src, figure.alt) == ("/images/lentils.jpg", "A bowl of red lentil soup")
    assert inline_text(figure.caption) == "Lentils provide about 3 mg of iron per 100 g cooked."
    quote = only(blocks, Quote)
    assert inline_text(quote.attribution) == "British Dietetic Association"
    assert "British Dietetic Association" not in blocks_text(quote.blocks)


def test_updated_time_in_the_byline_is_the_update_date_not_the_publication_date() -> None:
    meta = read_fixture("structure.html").metadata
    assert meta.updated == dt.date(2026, 2, 10)
    assert meta.date is None
    assert meta.authors == ("Sam Whitfield",)


# --- disclaimers by markup -------------------------------------------------------------------


def test_disclaimer_aside_at_the_top_goes_to_disclaimers_not_the_body() -> None:
    draft = read_fixture("disclaimer-top.html")
    assert "not a substitute for professional medical advice" in blocks_text(draft.disclaimers)
    assert "substitute for professional medical advice" not in body_text(draft)
    assert "A migraine is more than a bad headache" in body_text(draft)


def test_disclaimer_by_id_inside_a_cms_export() -> None:
    draft = read_fixture("cms-export.html")
    assert blocks_text(draft.disclaimers) == (
        "This guide is general information and does not replace advice from your own doctor.")
    assert "does not replace advice" not in body_text(draft)


def test_disclaimer_paragraph_by_class_inside_the_article() -> None:
    page = (f"<html><body><article><h1>Fibre</h1>{ARTICLE}"
            "<p class='disclaimer'>Talk to your own doctor before changing your diet.</p>"
            "</article></body></html>")
    draft = read_page(page)
    assert blocks_text(draft.disclaimers) == "Talk to your own doctor before changing your diet."
    assert "Talk to your own doctor" not in body_text(draft)


def test_disclaimer_only_in_the_site_footer_is_found_and_the_rest_of_the_footer_is_not() -> None:
    draft = read_fixture("disclaimer-footer.html")
    disclaimer = blocks_text(draft.disclaimers)
    assert disclaimer.startswith("This website does not provide medical advice.")
    assert "Harbour Road" not in disclaimer
    text = body_text(draft)
    assert "does not provide medical advice" not in text
    assert "Harbour Road" not in text and "PixelWorks" not in text
    assert "Between October and March" in text


def test_disclaimer_in_an_unnamed_footer_div_is_found_among_what_the_extractor_dropped() -> None:
    draft = read_fixture("modern.html")
    assert "not a substitute for professional medical advice" in blocks_text(draft.disclaimers)
    assert "Maple Health Media" not in blocks_text(draft.disclaimers)


def test_a_page_wide_disclaimer_class_does_not_swallow_the_article() -> None:
    page = ("<html><body class='has-disclaimer'><div class='disclaimer-wrapper'>"
            f"<article><h1>Fibre</h1>{ARTICLE}</article></div></body></html>")
    draft = read_page(page)
    assert draft.disclaimers == ()
    assert "thirty grams a day" in body_text(draft)


def test_a_page_wrapped_in_one_form_is_read_but_a_comment_form_is_not() -> None:
    page = ("<html><body><form id='aspnetForm' method='post'><div class='page'><h1>Fibre</h1>"
            f"<div class='content'>{ARTICLE}</div><div><form class='comment-form'><p>Your email address will"
            " not be published anywhere.</p><input name='email'></form></div></div></form></body></html>")
    text = body_text(read_page(page))
    assert "thirty grams a day" in text
    assert "Your email address" not in text


# --- footnotes and markers -------------------------------------------------------------------


def test_footnotes_section_becomes_footnotes_and_refs_point_at_them() -> None:
    draft = read_fixture("footnotes.html")
    assert [f.label for f in draft.footnotes] == ["1", "2"]
    first = blocks_text(draft.footnotes[0].blocks)
    assert first == ("Killer SC, et al. No evidence of dehydration with moderate daily coffee intake. "
                     "PLoS One. 2014.")
    refs = [r for b in draft.blocks if isinstance(b, Paragraph) for r in note_refs(b.content)]
    assert refs == [NoteRef("1", footnote=True), NoteRef("2", footnote=True), NoteRef("3", footnote=False)]
    assert "Killer SC" not in body_text(draft)


def test_footnote_list_recognised_by_its_item_ids() -> None:
    page = (f"<article><h1>Fibre</h1>{ARTICLE}<p>Oats help.<sup><a href='#note-1'>1</a></sup></p>"
            "<ol><li id='note-1'>Smith J. Oats and you. 2020. <a href='#ref-1'>\u21a9</a></li></ol>"
            "</article>")
    draft = read_page(page)
    notes = [(f.label, blocks_text(f.blocks)) for f in draft.footnotes]
    assert notes == [("1", "Smith J. Oats and you. 2020.")]
    assert "Smith J." not in body_text(draft)


def test_cookie_consent_dialog_is_dropped() -> None:
    draft = read_fixture("footnotes.html")
    assert "uses cookies" not in body_text(draft)
    assert any(o.reason == "cookie banner" for o in draft.omitted)


# --- charsets --------------------------------------------------------------------------------


def test_declared_windows_1252_is_honoured() -> None:
    draft = read_fixture("disclaimer-top.html")
    assert "bad headache \u2013 it\u2019s a neurological condition" in body_text(draft)
    assert draft.metadata.authors == ("Rebecca Nguyen",)


def test_http_equiv_latin_1_is_read_as_windows_1252() -> None:
    page = ("<html><head><meta http-equiv='Content-Type' content='text/html; charset=ISO-8859-1'></head>"
            "<body><p>\u201cCaf\u00e9 au lait\u201d has less caffeine than espresso, which surprises "
            "many.</p></body></html>").encode("cp1252")
    assert "\u201cCaf\u00e9 au lait\u201d" in body_text(read_page(page))


def test_declared_latin_9_is_not_read_as_windows_1252() -> None:
    page = ("<html><head><meta charset='ISO-8859-15'></head><body><p>A month of vitamin D costs about "
            "\u20ac5 at most pharmacies, a small price for healthy bones.</p></body></html>")
    assert "about \u20ac5 at most pharmacies" in body_text(read_page(page.encode("iso-8859-15")))


def test_a_byte_order_mark_wins_over_the_declared_charset() -> None:
    page = "<meta charset='windows-1252'><p>Caf\u00e9</p>".encode("utf-8-sig")
    assert decode_html(page, Path("p.html")) == "<meta charset='windows-1252'><p>Caf\u00e9</p>"


def test_utf8_page_that_declares_latin_1_is_read_as_utf8() -> None:
    page = "<meta charset='iso-8859-1'><p>Na\u00efve caf\u00e9 \u2014 a sentence about coffee drinkers.</p>"
    text = decode_html(page.encode("utf-8"), Path("p.html"))
    assert text.endswith("Na\u00efve caf\u00e9 \u2014 a sentence about coffee drinkers.</p>")


def test_unknown_declared_charset_falls_back_with_a_warning(caplog: pytest.LogCaptureFixture) -> None:
    page = "<meta charset='klingon-8'><p>Caf\u00e9 culture and health, a sentence long enough.</p>"
    with caplog.at_level(logging.WARNING, logger="gutaudio.readers.html"):
        text = decode_html(page.encode("utf-8"), Path("odd.html"))
    assert "Caf\u00e9 culture" in text
    assert any("klingon-8" in r.getMessage() and "odd.html" in r.getMessage() for r in caplog.records)


def test_no_declared_charset_uses_decode_text_rules() -> None:
    cp1252 = "<p>\u00bd cup of oats</p>".encode("cp1252")
    assert decode_html(cp1252, Path("p.html")) == "<p>\u00bd cup of oats</p>"
    assert decode_html(b"\xef\xbb\xbf<p>\xc2\xbd cup</p>", Path("p.html")) == "<p>\u00bd cup</p>"


# --- errors ----------------------------------------------------------------------------------


@pytest.mark.parametrize("markup", [
    b"",
    b"   \n",
    b"<!-- nothing here -->",
    b"<html><body><nav><a href='/'>Home</a> <a href='/news'>News</a></nav><footer>(c) 2026</footer>"
    b"</body></html>",
    b"<html><body><h1>A title</h1><h2>And a heading</h2></body></html>",
    b"<html><head><title>Only a title</title><script>var x = 'text in a script';</script></head></html>",
])
def test_a_page_without_article_text_is_a_content_error(markup: bytes) -> None:
    with pytest.raises(ContentError) as error:
        read_page(markup, "empty.html")
    assert str(error.value).startswith("empty.html: no article text found in the page")


# --- titles ----------------------------------------------------------------------------------


def test_title_is_the_h1_when_meta_titles_agree_and_the_site_name_is_never_kept() -> None:
    page = ("<html><head><title>Fibre and you | Gut Weekly</title>"
            "<meta property='og:title' content='Fibre and you: why it matters | Gut Weekly'></head>"
            f"<body><h1 class='logo'>Gut Weekly</h1><article><h1>Fibre and you: why it matters</h1>{ARTICLE}"
            "</article></body></html>")
    assert read_page(page).metadata.title == "Fibre and you: why it matters"


def test_a_logo_h1_that_matches_no_meta_title_loses_to_og_title() -> None:
    page = ("<html><head><meta property='og:title' content='How much fibre do you need?'></head>"
            f"<body><h1>The Daily Gut</h1><div>{ARTICLE}</div></body></html>")
    assert read_page(page).metadata.title == "How much fibre do you need?"


def test_title_element_without_site_suffix_when_nothing_else() -> None:
    page = f"<html><head><title>How much fibre? - The Daily Gut</title></head><body>{ARTICLE}</body></html>"
    assert read_page(page).metadata.title == "How much fibre?"


@pytest.mark.parametrize(("title", "site", "expected"), [
    ("Sleep apnoea | NHS", "", "Sleep apnoea"),
    ("Gut Weekly :: Fibre and you", "Gut Weekly", "Fibre and you"),
    ("COVID-19 - what you need to know", "", "COVID-19 - what you need to know"),
    ("Iron-rich foods: a complete guide", "", "Iron-rich foods: a complete guide"),
])
def test_strip_site_name(title: str, site: str, expected: str) -> None:
    assert strip_site_name(title, site) == expected


def test_json_ld_author_forms_string_list_and_reference() -> None:
    def authors(value: str) -> tuple[str, ...]:
        page = (f"<html><head><script type='application/ld+json'>{value}</script></head>"
                f"<body><article><h1>Fibre</h1>{ARTICLE}</article></body></html>")
        return read_page(page).metadata.authors

    assert authors('{"@type": "Article", "author": "Ana Ruiz, RD and Ben Cole"}') == (
        "Ana Ruiz, RD", "Ben Cole")
    assert authors('{"@type": "BlogPosting", "author": ["Ana Ruiz", {"name": "Ben Cole"}]}') == (
        "Ana Ruiz", "Ben Cole")
    assert authors('{"@graph": [{"@type": "Person", "@id": "#ana", "name": "Ana Ruiz"},'
                   ' {"@type": "NewsArticle", "author": {"@id": "#ana"}}]}') == ("Ana Ruiz",)
    assert authors('{"@type": "Article", "author": ') == ()  # broken JSON-LD is skipped


# --- html_blocks on fragments ------------------------------------------------------------------


def test_inline_runs_and_whitespace_collapsed_like_a_browser() -> None:
    [paragraph] = fragment("<p>  Eat <em> more </em>fibre<strong>!</strong>\n   See <a href='/guide'>the "
                           "<b>guide</b></a>, run <code>pip  install</code>.<br>\n Next line </p>")
    assert paragraph.content == (
        Text("Eat "), Emphasis((Text("more "),)), Text("fibre"), Strong((Text("!"),)), Text(" See "),
        Link((Text("the "), Strong((Text("guide"),))), "/guide"), Text(", run "), Code("pip install"),
        Text("."), LineBreak(), Text("Next line"))


def test_two_line_breaks_split_paragraphs_in_div_soup() -> None:
    blocks = fragment("<div>First paragraph.<br><br>Second paragraph<br>still second.</div>")
    assert [inline_text(b.content) for b in blocks] == ["First paragraph.", "Second paragraph still second."]


def test_superscripts_citation_markers_and_powers() -> None:
    [paragraph] = fragment("<p>Studies agree.<sup>3</sup> BMI is in kg/m<sup>2</sup>, 10<sup>6</sup> cells, "
                           "the 5<sup>th</sup> day, shown [4] and<sup><a href='#fn9'>9</a></sup></p>")
    assert list(note_refs(paragraph.content)) == [NoteRef("3"), NoteRef("4"), NoteRef("9", footnote=True)]
    text = inline_text(paragraph.content)
    assert "kg/m\u00b2" in text and "10\u2076 cells" in text and "5th day" in text


def test_blockquote_attributions() -> None:
    dash = only(fragment("<blockquote><p>Eat food.</p><p>\u2014 Michael Pollan</p></blockquote>"), Quote)
    after_break = only(fragment("<blockquote><p>Eat food.<br>\u2014 Michael Pollan</p></blockquote>"), Quote)
    footer = only(fragment("<blockquote><p>Eat food.</p><footer>\u2014 <cite>Michael Pollan</cite></footer>"
                           "</blockquote>"), Quote)
    captioned = only(fragment("<figure><blockquote><p>Eat food.</p></blockquote>"
                              "<figcaption>\u2014 Michael Pollan</figcaption></figure>"), Quote)
    for quote in (dash, after_break, footer, captioned):
        assert blocks_text(quote.blocks) == "Eat food."
        assert inline_text(quote.attribution) == "Michael Pollan"
    plain = only(fragment("<blockquote><p>Eat food.</p><p>Mostly plants.</p></blockquote>"), Quote)
    assert plain.attribution == () and len(plain.blocks) == 2


def test_code_block_keeps_its_layout_and_language() -> None:
    block = only(fragment("<pre class='language-python'><code>\nx = 1\n    y = 2\n</code></pre>"), CodeBlock)
    assert (block.text, block.language) == ("x = 1\n    y = 2", "python")


def test_table_header_from_a_first_row_of_th_and_colspan_kept_aligned() -> None:
    table = only(fragment("<table><tr><th>Food</th><th>Fibre</th></tr><tr><td colspan='2'>Grains</td></tr>"
                          "<tr><td>Oats</td><td>10 g</td></tr></table>"), Table)
    assert [inline_text(c) for c in table.header] == ["Food", "Fibre"]
    assert [[inline_text(c) for c in row] for row in table.rows] == [["Grains", ""], ["Oats", "10 g"]]


def test_list_start_nested_lists_and_items_with_paragraphs() -> None:
    block = only(fragment("<ol start='4'><li><p>Oats</p><p>Rolled or steel-cut.</p></li>"
                          "<li>Beans<ul><li>kidney</li><li>black</li></ul></li></ol>"), ListBlock)
    assert (block.ordered, block.start, len(block.items)) == (True, 4, 2)
    assert [blocks_text([b]) for b in block.items[0].blocks] == ["Oats", "Rolled or steel-cut."]
    nested = block.items[1].blocks[1]
    assert isinstance(nested, ListBlock) and not nested.ordered and len(nested.items) == 2


def test_images_lazy_sources_tracking_pixels_and_alt_text() -> None:
    blocks = fragment("<p>Before <img src='data:image/gif;base64,R0l' data-src='/oats.jpg' "
                      "alt=' Oats  in a bowl '> after.</p><img src='/pixel.gif' width='1' height='1'>"
                      "<figure><img src='/b.png'>"
                      "<figcaption>Beans, <em>soaked</em>.</figcaption></figure>")
    assert blocks[0] == Paragraph((Text("Before after."),))
    assert blocks[1] == Figure("/oats.jpg", "Oats in a bowl")
    assert blocks[2] == Figure("/b.png", "", (Text("Beans, "), Emphasis((Text("soaked"),)), Text(".")))
    assert len(blocks) == 3


def test_scripts_forms_buttons_navs_iframes_and_hidden_text_are_ignored() -> None:
    blocks = fragment("<p>Visible <span class='sr-only'>(opens in a new tab)</span><span hidden>gone</span>"
                      "<span style='display: none'>gone</span>text.</p><script>var x = 1;</script>"
                      "<style>p {}</style><form><p>Your email</p></form><button>Subscribe</button>"
                      "<nav><a href='/'>Home</a></nav><iframe src='/ad'></iframe>"
                      "<noscript>Enable JS</noscript>")
    assert blocks == [Paragraph((Text("Visible text."),))]


def test_definition_list_terms_in_bold() -> None:
    block = only(fragment("<dl><dt>Prebiotic</dt><dd>Food for gut bacteria.</dd></dl>"), ListBlock)
    assert block.items[0].blocks == (Paragraph((Strong((Text("Prebiotic"),)),)),
                                     Paragraph((Text("Food for gut bacteria."),)))


def test_heading_line_breaks_become_spaces_and_permalinks_go() -> None:
    assert fragment("<h2 id='x'>Part<br>two <a href='#x'>#</a></h2>") == [Heading(2, (Text("Part two"),))]


def test_html_blocks_takes_a_single_element_and_bare_inline_fragments() -> None:
    assert html_blocks(lxml.html.fragment_fromstring("<p>One <i>two</i></p>")) == [
        Paragraph((Text("One "), Emphasis((Text("two"),))))]
    assert html_blocks(lxml.html.fragment_fromstring("<span>Loose words</span>")) == [
        Paragraph((Text("Loose words"),))]


def test_entities_and_invisible_characters() -> None:
    [paragraph] = fragment("<p>Caf&eacute;&nbsp;culture &amp; soft&shy;ly zero&#8203;width</p>")
    assert inline_text(paragraph.content) == "Caf\u00e9 culture & softly zerowidth"


def test_key_facts_box_among_the_paragraphs_is_kept() -> None:
    text = body_text(read_fixture("modern.html"))
    assert "Flu often causes a high fever and aching muscles." in text
    assert "Sneezing is a common sign of a cold rather than flu." in text
    assert "Recommended for you" not in text and "Sign up for Maple Health Weekly" not in text
