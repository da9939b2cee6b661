# ruff: noqa: E501  (HTML templates: long lines are clearer than split ones)
"""One article-page template per outlet of the fixture sites, each shaped like the real site's HTML
(see ../shared/sites/SITES.md): ``PAGES[site](art, related) -> html``."""

from __future__ import annotations

import re

from config.samples.markup import (
    PREFIX,
    SITE_INFO,
    WEEKDAYS,
    Art,
    B,
    attr,
    audio,
    comments,
    esc,
    follow,
    footer,
    head,
    header,
    hot_box,
    image,
    jsonld,
    paras_html,
    related_box,
    share_bar,
    slugify,
    vn_date,
)

# ---- one template per outlet --------------------------------------------------------------------


def page_tienphong(a: Art, rel: list[Art]) -> str:
    extra = (f'<meta property="article:published_time" content="{a.iso}">\n'
             f'<meta property="article:section" content="{attr(a.section_name)}">\n'
             + jsonld(a, {"@type": "Person", "name": a.author} if a.author else None, "Báo Tiền Phong")
             + "\n")
    return head(a, " | Báo điện tử Tiền Phong", extra, "Báo Tiền Phong") + f"""<body class="page-detail">
{header(a.site)}
<main class="container">
<div class="breadcrumb"><a href="{B}/tienphong/">Trang chủ</a> / <a href="{B}/tienphong/{a.section}/">{esc(a.section_name)}</a></div>
<div class="main-col">
<article class="article">
<h1 class="article__title cms-title">{esc(a.title)}</h1>
<div class="article__meta"><span class="article__author"><a href="{B}/tienphong/tac-gia/{slugify(a.author)}/">{esc(a.author)}</a></span>
<time class="time" datetime="{a.iso}">{vn_date(a.published)}</time></div>
{audio(a.site)}
{share_bar(a.site)}
<div class="article__sapo cms-desc">{esc(PREFIX["tienphong"] + a.sapo)}</div>
{related_box(rel[:2], "Tin liên quan", "article__related box-related")}
<div class="article__body cms-body">
{paras_html(a, fig_cls="picture cms-photo")}
</div>
<div class="article__tags">Từ khóa: <a href="{B}/tienphong/chu-de/doi-ngoai/">đối ngoại</a> <a href="{B}/tienphong/chu-de/hop-tac-quoc-te/">hợp tác quốc tế</a></div>
{follow(a.site)}
{comments()}
</article>
</div>
<aside class="sidebar">{hot_box(a.site)}</aside>
</main>
{footer(a.site)}
</body>
</html>
"""


def page_baotintuc(a: Art, rel: list[Art]) -> str:
    # no JSON-LD, no article:published_time: the date is in the URL and in div.date only
    return head(a, " | baotintuc.vn", "", "Báo Tin tức") + f"""<body>
{header(a.site)}
<div class="container">
<div class="breadcrumb"><a href="{B}/baotintuc/{a.section}.htm">{esc(a.section_name)}</a></div>
<div class="detail-left">
<div class="date">{vn_date(a.published)}</div>
<h1 class="detail-title">{esc(a.title)}</h1>
{share_bar(a.site)}
<h2 class="sapo">{esc(PREFIX["baotintuc"] + a.sapo)}</h2>
{audio(a.site)}
<div class="boxdetail contents" id="plhMain_NewsDetail1_divContent">
{paras_html(a, fig_cls="image", cap_cls="image-caption")}
</div>
{related_box(rel[:3], "Tin liên quan", "relate-news")}
{follow(a.site)}
{comments()}
</div>
<div class="detail-right">{hot_box(a.site)}</div>
</div>
{footer(a.site)}
</body>
</html>
"""


def page_vietnamplus(a: Art, rel: list[Art]) -> str:
    extra = (f'<meta name="author" content="Vietnam+">\n'
             f'<meta property="article:published_time" content="{a.iso}">\n'
             f'<meta property="article:modified_time" content="{a.iso}">\n'
             + jsonld(a, {"@type": "Person", "name": a.author}, "VietnamPlus") + "\n")
    return head(a, " | Vietnam+ (VietnamPlus)", extra, "Vietnam+ (VietnamPlus)") + f"""<body class="detail-page">
{header(a.site)}
<div class="site-body">
<div class="breadcrumb"><a href="{B}/vietnamplus/{a.section}.vnp">{esc(a.section_name)}</a></div>
<div class="article">
<h1 class="article__title cms-title">{esc(a.title)}</h1>
<div class="article__meta"><time class="time" datetime="{a.iso}">{a.published:%d/%m/%Y %H:%M} GMT+07</time>
<span class="article__author">{esc(a.author)}</span></div>
{audio(a.site)}
<div class="article__sapo cms-desc">{esc(a.sapo)}</div>
{related_box(rel[:1], "Tin liên quan", "article__related")}
<div class="article__body cms-body zce-content-body">
{paras_html(a, fig_cls="article-photo", cap_cls="PhotoCMS_Caption")}
<p class="cms-author">({esc(a.author)}/TTXVN)</p>
</div>
{share_bar(a.site)}
{related_box(rel, "Tin cùng chuyên mục", "box-same-category")}
{follow(a.site)}
{comments()}
</div>
<aside>{hot_box(a.site)}</aside>
</div>
{footer(a.site)}
</body>
</html>
"""


def page_baoquocte(a: Art, rel: list[Art]) -> str:
    # byline, then the "Theo dõi Baoquocte.vn trên" line, then a TIN LIÊN QUAN block inside the body
    extra = f'<meta property="article:published_time" content="{a.iso}">\n'
    half = max(2, len(a.paras) // 2)
    rel_items = "".join(f'<div class="item"><a href="{r.url}" title="{attr(r.title)}">'
                        f"{esc(slugify(r.title).replace('-', ' '))}</a></div>" for r in rel[:2])
    inside_rel = f'<div class="related-news-inline"><p class="title">TIN LIÊN QUAN</p>{rel_items}</div>'
    body = "\n".join(f"<p>{esc(p)}</p>" for p in a.paras[:half]) + "\n" + inside_rel + "\n" + \
        "\n".join(f"<p>{esc(p)}</p>" for p in a.paras[half:])
    return head(a, " | Báo Thế giới và Việt Nam", extra, "Báo Thế giới và Việt Nam") + f"""<body>
{header(a.site)}
<div class="wrapper">
<div class="breadcrumb"><a href="{B}/baoquocte/{a.section}">{esc(a.section_name)}</a></div>
<div class="article-detail" id="__MB_MASTERCMS_EL_3">
<h1 class="article-detail-title">{esc(a.title)}</h1>
<div class="article-detail-author"><span class="author">{esc(a.author)}</span></div>
<div class="follow-line">{esc(SITE_INFO["baoquocte"]["follow"])} <a href="https://news.google.com/">Google News</a></div>
<div class="article-detail-date">{a.published:%H:%M} | {a.published:%d/%m/%Y}</div>
{audio(a.site)}
<div class="article-detail-desc">{esc(a.sapo)}</div>
<div class="article-detail-body __MASTERCMS_CONTENT">
{image(a, "image", "caption")}
{body}
</div>
{share_bar(a.site)}
{comments()}
</div>
<div class="sidebar">{hot_box(a.site, "MỚI - NÓNG")}{related_box(rel, "Tin liên quan", "box-related")}</div>
</div>
{footer(a.site)}
</body>
</html>
"""


def page_kinhtedothi(a: Art, rel: list[Art]) -> str:
    d = a.published
    extra = (f'<meta property="article:published_time" content="{a.iso}">\n'
             f'<meta name="author" content="Kinh tế & Đô thị">\n')
    return head(a, " - Kinh tế & Đô thị", extra, "Báo Kinh tế & Đô thị") + f"""<body>
{header(a.site)}
<div class="container">
<div class="breadcrumb"><a href="{B}/kinhtedothi/{a.section}/">{esc(a.section_name)}</a></div>
<div class="col-main">
<div class="article-published-on">{WEEKDAYS[d.weekday()]}, {d:%H:%M} {d:%d/%m/%Y}</div>
<h1 class="article-title">{esc(a.title)}</h1>
{share_bar(a.site)}
{audio(a.site)}
<h2 class="article-sapo">{esc(a.sapo)}</h2>
{related_box(rel[:2], "Tin liên quan", "article-related")}
<div class="article-content" id="content-detail">
{paras_html(a, fig_cls="image", cap_cls="PhotoCMS_Caption")}
</div>
<div class="article-author">{esc(a.author)}</div>
{follow(a.site)}
{comments()}
</div>
<div class="col-right">{hot_box(a.site)}</div>
</div>
{footer(a.site)}
</body>
</html>
"""


def page_vnexpress(a: Art, rel: list[Art]) -> str:
    epoch = int(a.published.timestamp())
    aid = re.search(r"-(\d{7})\.html$", a.path).group(1)
    extra = (f'<meta name="pubdate" itemprop="datePublished" content="{a.iso}">\n'
             f'<meta name="lastmod" itemprop="dateModified" content="{a.iso}">\n'
             f'<meta name="its_publication" content="{epoch}">\n'
             f'<meta name="its_section" content="{attr(a.section_name.lower())}">\n'
             f'<meta name="tt_article_id" content="{aid}">\n'
             f'<meta name="author" content="VnExpress">\n'
             + jsonld(a, {"@type": "Organization", "name": "VnExpress"}, "VnExpress") + "\n")
    wd = WEEKDAYS[a.published.weekday()]
    wd = wd.split()[0] + " " + wd.split()[1].lower()
    return head(a, " - VnExpress", extra, "VnExpress") + f"""<body>
{header(a.site)}
<section class="section page-detail top-detail">
<div class="container">
<div class="sidebar-1">
<div class="header-content width_common"><ul class="breadcrumb"><li><a href="{B}/vnexpress/{a.section}" title="{attr(a.section_name)}">{esc(a.section_name)}</a></li></ul>
<span class="date">{wd}, {a.published.day}/{a.published.month}/{a.published.year}, {a.published:%H:%M} (GMT+7)</span></div>
<h1 class="title-detail">{esc(a.title)}</h1>
<p class="description">{esc(a.sapo)}</p>
{audio(a.site)}
<article class="fck_detail ">
{paras_html(a, ' class="Normal"', fig_cls="tplCaption", cap_cls="Image")}
<p class="Normal" style="text-align:right;"><strong>{esc(a.author)}</strong></p>
</article>
{share_bar(a.site)}
{related_box(rel, "Tin liên quan", "box-tinlienquanv2")}
{follow(a.site)}
{comments()}
</div>
<div class="sidebar-2">{hot_box(a.site, "Tin mới nhất")}<div class="box-hot2"><h3>MỚI - NÓNG</h3></div></div>
</div>
</section>
{footer(a.site)}
</body>
</html>
"""


def page_dantri(a: Art, rel: list[Art]) -> str:
    extra = ('<meta name="author" content="Dân Trí">\n'
             + jsonld(a, {"@type": "Person", "name": a.author,
                          "url": f"{B}/dantri/tac-gia/{slugify(a.author)}-123.htm"}, "Báo điện tử Dân Trí")
             + "\n")
    wd = WEEKDAYS[a.published.weekday()]
    wd = wd.split()[0] + " " + wd.split()[1].lower()
    return head(a, " | Báo Dân trí", extra, "Báo điện tử Dân Trí") + f"""<body>
{header(a.site)}
<main class="body-container">
<div class="grid-container">
<article class="singular-container">
<ul class="dt-breadcrumb"><li><a href="{B}/dantri/{a.section}.htm">{esc(a.section_name)}</a></li></ul>
<h1 class="title-page detail">{esc(a.title)}</h1>
<div class="author-wrap"><div class="author-name"><a href="{B}/dantri/tac-gia/{slugify(a.author)}-123.htm"><b>{esc(a.author)}</b></a></div>
<time class="author-time" datetime="{a.published:%Y-%m-%d %H:%M}">{wd}, {a.published:%d/%m/%Y} - {a.published:%H:%M}</time></div>
{audio(a.site)}
<h2 class="singular-sapo">{esc(PREFIX["dantri"] + a.sapo)}</h2>
<div class="singular-content">
{paras_html(a, fig_cls="image align-center", cap_cls="")}
</div>
{share_bar(a.site)}
{related_box(rel, "Tin liên quan", "article-related")}
{follow(a.site)}
{comments()}
</article>
<aside class="sidebar">{hot_box(a.site)}</aside>
</div>
</main>
{footer(a.site)}
</body>
</html>
"""


def page_thanhnien(a: Art, rel: list[Art]) -> str:
    extra = (f'<meta property="article:published_time" content="{a.iso}">\n'
             f'<meta name="author" content="Thanh Niên">\n'
             + jsonld(a, {"@type": "Person", "name": a.author}, "Báo Thanh Niên") + "\n")
    return head(a, " | Báo Thanh Niên", extra, "Báo Thanh Niên") + f"""<body>
{header(a.site)}
<div class="detail-cmain-container">
<div class="detail-cate"><a href="{B}/thanhnien/{a.section}.htm">{esc(a.section_name)}</a></div>
<div class="detail-time"><div data-role="publishdate">{a.published:%d/%m/%Y %H:%M} GMT+7</div></div>
<h1 class="detail-title" data-role="title">{esc(a.title)}</h1>
<div class="author-info"><a class="name" href="{B}/thanhnien/tac-gia/{slugify(a.author)}.html">{esc(a.author)}</a></div>
{audio(a.site)}
{share_bar(a.site)}
<h2 class="detail-sapo" data-role="sapo">{esc(a.sapo)}</h2>
{related_box(rel[:2], "Tin liên quan", "detail__related")}
<div class="detail-cmain" data-role="content">
{paras_html(a, fig_cls="VCSortableInPreviewMode", cap_cls="PhotoCMS_Caption")}
</div>
{follow(a.site)}
{comments()}
</div>
<div class="aside">{hot_box(a.site)}</div>
{footer(a.site)}
</body>
</html>
"""


PAGES = {
    "tienphong": page_tienphong, "baotintuc": page_baotintuc, "vietnamplus": page_vietnamplus,
    "baoquocte": page_baoquocte, "kinhtedothi": page_kinhtedothi, "vnexpress": page_vnexpress,
    "dantri": page_dantri, "thanhnien": page_thanhnien,
}

# boilerplate that each page carries outside its article body, checked by the tests
BOILER = ["Chia sẻ:", "0:00 / 0:00", "Bình luận (0)", "MỚI - NÓNG"]
