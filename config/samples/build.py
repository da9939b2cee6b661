# ruff: noqa: E501  (HTML templates: long lines are clearer than split ones)
"""Regenerate the fixture sites (www/) and expected.toml from articles.txt.

    python -m config.samples.build

Every page, feed and sitemap under www/ and the whole of expected.toml are written by this
script; sites.toml, routes.toml and www/robots.txt are written by hand. All article texts in
articles.txt are invented for these fixtures (fictional officials, fictional events).
URLs are written with the placeholder {{BASE}} (the server's base URL) and {{OTHER}} (the same
server under another host name), which config.samples.site substitutes at serve time.
"""

from __future__ import annotations

import html
import json
import re
import shutil
import unicodedata
from dataclasses import dataclass, field
from datetime import datetime
from email.utils import format_datetime
from pathlib import Path
from zoneinfo import ZoneInfo

HERE = Path(__file__).resolve().parent
WWW = HERE / "www"
TZ = ZoneInfo("Asia/Ho_Chi_Minh")
B = "{{BASE}}"

WEEKDAYS = ["Thứ Hai", "Thứ Ba", "Thứ Tư", "Thứ Năm", "Thứ Sáu", "Thứ Bảy", "Chủ Nhật"]


def nfc(s: str) -> str:
    return unicodedata.normalize("NFC", s)


def esc(s: str) -> str:
    return html.escape(s, quote=False)


def attr(s: str) -> str:
    return html.escape(s, quote=True)


@dataclass
class Art:
    key: str
    site: str
    path: str
    section: str
    section_name: str
    title: str
    sapo: str
    published: datetime
    author: str
    relevant: bool
    provinces: list[str]
    countries: list[str]
    caption: str
    paras: list[str]
    sources: list[str] = field(default_factory=list)
    trap: str = ""  # non-empty: a trap page (never stored), with the reason
    notes: str = ""

    @property
    def url(self) -> str:
        return B + self.path

    @property
    def iso(self) -> str:
        return self.published.isoformat()

    @property
    def words(self) -> int:
        return len((self.sapo + " " + " ".join(self.paras)).split())


def parse_articles(text: str) -> list[Art]:
    out = []
    for block in re.split(r"^### ", nfc(text), flags=re.M)[1:]:
        key, rest = block.split("\n", 1)
        head, body = rest.split("\n---\n", 1)
        meta: dict[str, str] = {}
        for line in head.strip().splitlines():
            k, v = line.split(":", 1)
            meta[k.strip()] = v.strip()
        paras = [" ".join(p.split()) for p in body.strip().split("\n\n") if p.strip()]
        sec, _, secname = meta["section"].partition("|")
        out.append(Art(
            key=key.strip(), site=meta["site"], path=meta["path"], section=sec.strip(),
            section_name=secname.strip(), title=meta["title"], sapo=meta["sapo"],
            published=datetime.fromisoformat(meta["published"]).replace(tzinfo=TZ),
            author=meta.get("author", ""), relevant=meta.get("relevant", "no") == "yes",
            provinces=[x.strip() for x in meta.get("provinces", "").split(";") if x.strip()],
            countries=[x.strip() for x in meta.get("countries", "").split(";") if x.strip()],
            caption=meta.get("caption", ""), paras=paras,
            sources=[x.strip() for x in meta.get("sources", "").split()],
            trap=meta.get("trap", ""), notes=meta.get("notes", ""),
        ))
    return out


# ---- shared page furniture ----------------------------------------------------------------------

SITE_INFO = {
    "tienphong": dict(
        name="Tiền Phong", brand="Báo điện tử Tiền Phong", follow="Theo dõi Tiền Phong trên",
        nav=["Thời sự", "Thế giới", "Kinh tế", "Địa ốc", "Pháp luật", "Giáo dục", "Xã hội", "Giới trẻ",
             "Thể thao", "Giải trí", "Sức khỏe", "Văn hóa", "Bạn đọc", "Xe", "Công nghệ", "Du lịch",
             "Hàng không", "Nhịp sống phương Nam", "Hoa học trò", "Multimedia", "Video", "Podcast"],
        hot=["Giá vàng hôm nay biến động mạnh phiên đầu tuần",
             "Thi tốt nghiệp THPT 2027: Những điểm mới thí sinh cần biết",
             "Dự báo thời tiết: Miền Bắc đón đợt không khí lạnh mới",
             "Hơn 200 tình nguyện viên tham gia ngày hội hiến máu"],
        footer="Cơ quan chủ quản: Trung ương Đoàn TNCS Hồ Chí Minh. Giấy phép hoạt động báo chí số "
               "76/GP-BTTTT. Tổng Biên tập: Phùng Công Sưởng. Bản quyền thuộc Báo Tiền Phong.",
    ),
    "baotintuc": dict(
        name="Báo Tin tức", brand="Báo Tin tức - TTXVN", follow="Theo dõi Báo Tin tức trên",
        nav=["Thời sự", "Thế giới", "Kinh tế", "Xã hội", "Pháp luật", "Văn hóa", "Thể thao",
             "Giáo dục", "Y tế", "Khoa học - Công nghệ", "Đời sống", "Ô tô - Xe máy", "Bạn đọc",
             "Ảnh", "Video", "Infographic", "Dân tộc thiểu số và miền núi", "Kiều bào"],
        hot=["Giá xăng dầu đồng loạt giảm từ chiều nay",
             "Khai mạc Tuần lễ Văn hóa các dân tộc Việt Nam",
             "Cảnh báo lừa đảo qua tin nhắn giả danh ngân hàng",
             "Học sinh vùng cao đến trường trong giá rét"],
        footer="Cơ quan chủ quản: Thông tấn xã Việt Nam. Giấy phép số 2530/GP-BTTTT. Tổng Biên tập: "
               "Lê Văn Hùng. Địa chỉ: 79 Lý Thường Kiệt, Hoàn Kiếm, Hà Nội.",
    ),
    "vietnamplus": dict(
        name="Vietnam+", brand="VietnamPlus", follow="Theo dõi VietnamPlus trên",
        nav=["Chính trị", "Thế giới", "Kinh doanh", "Xã hội", "Văn hóa", "Thể thao", "Đời sống",
             "Khoa học", "Công nghệ", "Môi trường", "Du lịch", "Bất động sản", "Ô tô", "Media",
             "Video", "Podcast", "Infographics", "Tin ảnh", "Tiếng Anh", "Tiếng Trung"],
        hot=["Lãi suất tiết kiệm tại nhiều ngân hàng tăng nhẹ",
             "Đường sắt tốc độ cao: Hoàn tất khảo sát đoạn đầu tiên",
             "Triển lãm ảnh về biển đảo quê hương tại Huế",
             "Giải chạy vì trẻ em thu hút hơn 5.000 vận động viên"],
        footer="Cơ quan chủ quản: Thông tấn xã Việt Nam (TTXVN). Giấy phép số 1374/GP-BTTTT. "
               "Tổng Biên tập: Nguyễn Hồng Long. Mọi hình thức sao chép phải ghi rõ nguồn VietnamPlus.",
    ),
    "baoquocte": dict(
        name="Thế giới & Việt Nam", brand="Báo Thế giới và Việt Nam", follow="Theo dõi Baoquocte.vn trên",
        nav=["Thời sự", "Thế giới", "Kinh tế", "Ngoại vụ địa phương", "Người Việt bốn phương",
             "Văn hóa", "Du lịch", "Hồ sơ", "Bình luận", "Khoa học", "Sức khỏe", "Xã hội",
             "Multimedia", "Video", "English", "Tạp chí"],
        hot=["Tỷ giá ngoại tệ hôm nay: Đồng USD tiếp tục giảm",
             "Lịch âm dương tháng 12/2026 và những ngày lễ lớn",
             "Giá vàng thế giới lập đỉnh mới",
             "Tin thế giới 24h: Nhiều nước tăng chi tiêu quốc phòng"],
        footer="Cơ quan chủ quản: Bộ Ngoại giao. Giấy phép số 459/GP-BTTTT. Tổng Biên tập: "
               "Nguyễn Văn Hiệp. Tòa soạn: 46 Trần Phú, Ba Đình, Hà Nội.",
    ),
    "kinhtedothi": dict(
        name="Kinh tế & Đô thị", brand="Báo Kinh tế & Đô thị", follow="Theo dõi KTĐT trên",
        nav=["Thời sự", "Chính trị", "Kinh tế", "Đô thị", "Bất động sản", "Pháp luật", "Xã hội",
             "Văn hóa", "Quốc tế", "Du lịch", "Thể thao", "Y tế", "Giáo dục", "Tin quận huyện",
             "Multimedia", "Video", "Podcast", "Chứng khoán"],
        hot=["Hà Nội công bố giá đất mới áp dụng từ tháng 1/2027",
             "Metro Nhổn - ga Hà Nội chạy thêm chuyến giờ cao điểm",
             "Chợ phiên nông sản sạch cuối tuần tại Hoàn Kiếm",
             "Mở rộng vùng phát thải thấp ở nội đô"],
        footer="Cơ quan chủ quản: UBND thành phố Hà Nội. Giấy phép số 498/GP-BTTTT. Tổng Biên tập: "
               "Nguyễn Minh Đức. Tòa soạn: 35 Nguyễn Bá Khoản, Cầu Giấy, Hà Nội.",
    ),
    "vnexpress": dict(
        name="VnExpress", brand="Báo VnExpress", follow="Theo dõi VnExpress trên",
        nav=["Thời sự", "Góc nhìn", "Thế giới", "Video", "Podcasts", "Kinh doanh", "Bất động sản",
             "Khoa học", "Giải trí", "Thể thao", "Pháp luật", "Giáo dục", "Sức khỏe", "Đời sống",
             "Du lịch", "Số hóa", "Xe", "Ý kiến", "Tâm sự", "Thư giãn", "Tất cả"],
        hot=["Giá xăng giảm 400 đồng một lít",
             "Người Hà Nội xếp hàng mua bánh mì đầu đông",
             "Ba ngân hàng giảm lãi suất cho vay mua nhà",
             "Học sinh lớp 12 thi thử tốt nghiệp lần một"],
        footer="Báo tiếng Việt nhiều người xem nhất. Thuộc Bộ Khoa học và Công nghệ. Số giấy phép: "
               "548/GP-BTTTT. Tổng biên tập: Phạm Hiếu. © 1997-2026. Toàn bộ bản quyền thuộc VnExpress.",
    ),
    "dantri": dict(
        name="Dân trí", brand="Báo điện tử Dân Trí", follow="Theo dõi Dân trí trên",
        nav=["Xã hội", "Thế giới", "Kinh doanh", "Bất động sản", "Thể thao", "Lao động - Việc làm",
             "Tấm lòng nhân ái", "Sức khỏe", "Văn hóa", "Giải trí", "Giáo dục", "Pháp luật",
             "Du lịch", "Đời sống", "Khoa học", "Ô tô - Xe máy", "Tình yêu - Giới tính", "Tâm điểm",
             "Dmagazine", "Bạn đọc", "Video"],
        hot=["Giá vàng miếng quay đầu giảm sau chuỗi ngày tăng",
             "Xe khách mất lái trên đèo, 12 người bị thương",
             "Những thí sinh đầu tiên nhận học bổng toàn phần",
             "Cháy nhà xưởng ở khu công nghiệp, khói đen bao trùm"],
        footer="Cơ quan chủ quản: Bộ Nội vụ. Giấy phép hoạt động báo chí số 298/GP-BTTTT. Tổng biên "
               "tập: Phạm Tuấn Anh. Địa chỉ tòa soạn: Số 48 Giảng Võ, Đống Đa, Hà Nội.",
    ),
    "thanhnien": dict(
        name="Thanh Niên", brand="Báo Thanh Niên", follow="Theo dõi Thanh Niên trên",
        nav=["Thời sự", "Thế giới", "Kinh tế", "Đời sống", "Sức khỏe", "Giới trẻ", "Giáo dục",
             "Du lịch", "Văn hóa", "Giải trí", "Thể thao", "Công nghệ", "Xe", "Video", "Tiêu dùng",
             "Bạn cần biết", "Thời trang trẻ", "Podcast", "Tin ảnh"],
        hot=["Giá heo hơi tăng trở lại ở miền Nam",
             "Sinh viên tình nguyện sửa nhà cho người nghèo",
             "Tuyến metro số 1 đón lượt khách thứ 30 triệu",
             "Lừa đảo mua bán vé máy bay dịp cuối năm"],
        footer="Cơ quan chủ quản: Trung ương Hội Liên hiệp Thanh niên Việt Nam. Giấy phép số "
               "1/GP-BTTTT. Tổng biên tập: Nguyễn Ngọc Toàn. Địa chỉ: 268-270 Nguyễn Đình Chiểu, Q.3, TP HCM.",
    ),
}

PREFIX = {"tienphong": "TPO - ", "dantri": "(Dân trí) - ", "baotintuc": "(TTXVN) - "}


def slugify(s: str) -> str:
    s = nfc(s).lower().replace("đ", "d")
    s = "".join(c for c in unicodedata.normalize("NFD", s) if unicodedata.category(c) != "Mn")
    return re.sub(r"[^a-z0-9]+", "-", s).strip("-")


def nav(site: str, ul_cls: str = "menu") -> str:
    items = "".join(f'<li><a href="{B}/{site}/{slugify(n)}/" title="{attr(n)}">{esc(n)}</a></li>'
                    for n in SITE_INFO[site]["nav"])
    return f'<nav class="{ul_cls}"><ul>{items}</ul></nav>'


def hot_box(site: str, title: str = "MỚI - NÓNG") -> str:
    items = "".join(f'<li><a href="{B}/{site}/tin-moi/">{esc(h)}</a></li>' for h in SITE_INFO[site]["hot"])
    return f'<div class="box-hot"><h3 class="box-title">{title}</h3><ul>{items}</ul></div>'


def related_box(rel: list[Art], title: str = "Tin liên quan", cls: str = "box-related") -> str:
    items = "".join(f'<li><a href="{a.url}" title="{attr(a.title)}">{esc(a.title)}</a></li>' for a in rel)
    return f'<div class="{cls}"><h3>{title}</h3><ul>{items}</ul></div>'


def share_bar(site: str) -> str:
    return ('<div class="social-share"><span>Chia sẻ:</span> <a href="#" class="fb">Facebook</a> '
            '<a href="#" class="zalo">Zalo</a> <a href="#" class="copy">Sao chép liên kết</a></div>')


def audio(site: str) -> str:
    return ('<div class="audio-player"><button type="button" class="play">Nghe bài viết</button> '
            '<span class="audio-time">0:00 / 0:00</span> <span>Giọng nữ miền Bắc</span></div>')


def follow(site: str) -> str:
    return (f'<p class="follow-gg">{esc(SITE_INFO[site]["follow"])} <a href="https://news.google.com/">'
            'Google News</a></p>')


def comments() -> str:
    return ('<div class="box-comment"><h3>Bình luận (0)</h3><p>Gửi bình luận</p>'
            '<textarea placeholder="Mời bạn bình luận, vui lòng viết tiếng Việt có dấu"></textarea>'
            '<p class="note">Quan tâm nhất · Mới nhất</p></div>')


def footer(site: str) -> str:
    links = " ".join(f'<a href="{B}/{site}/{slugify(n)}/">{esc(n)}</a>' for n in SITE_INFO[site]["nav"][:10])
    return (f'<footer class="footer"><div class="footer-menu">{links}</div>'
            f'<p class="copyright">{esc(SITE_INFO[site]["footer"])}</p>'
            '<p>Liên hệ quảng cáo · Điều khoản sử dụng · Chính sách bảo mật · RSS</p></footer>')


def header(site: str, home_cls: str = "logo") -> str:
    return (f'<header class="header"><div class="header-top"><a class="{home_cls}" href="{B}/{site}/">'
            f'{esc(SITE_INFO[site]["brand"])}</a> <span class="today">Chủ Nhật, 22/11/2026</span> '
            f'<a href="{B}/{site}/tim-kiem/">Tìm kiếm</a> <a href="{B}/{site}/dang-nhap/">Đăng nhập</a></div>'
            f'{nav(site)}</header>')


def image(a: Art, fig_cls: str = "picture", cap_cls: str = "caption") -> str:
    img = f"{B}/{a.site}/images/{slugify(a.title)[:40]}.jpg"
    return (f'<figure class="{fig_cls}"><img src="{img}" alt="{attr(a.title)}" width="960" height="640">'
            f'<figcaption class="{cap_cls}">{esc(a.caption)}</figcaption></figure>')


def paras_html(a: Art, p_attr: str = "", with_image: bool = True, **img_kw: str) -> str:
    out = []
    for i, p in enumerate(a.paras):
        out.append(f"<p{p_attr}>{esc(p)}</p>")
        if i == 0 and with_image and a.caption:
            out.append(image(a, **img_kw))
    return "\n".join(out)


def jsonld(a: Art, author: dict | None, publisher: str) -> str:
    d = {
        "@context": "https://schema.org", "@type": "NewsArticle",
        "mainEntityOfPage": {"@type": "WebPage", "@id": a.url},
        "headline": a.title, "description": a.sapo,
        "image": {"@type": "ImageObject", "url": f"{B}/{a.site}/images/{slugify(a.title)[:40]}.jpg"},
        "datePublished": a.iso, "dateModified": a.iso,
        "publisher": {"@type": "Organization", "name": publisher,
                      "logo": {"@type": "ImageObject", "url": f"{B}/{a.site}/logo.png"}},
    }
    if author:
        d["author"] = author
    return ('<script type="application/ld+json">' + json.dumps(d, ensure_ascii=False, indent=1)
            + "</script>")


def head(a: Art, title_suffix: str, extra: str = "", og_site: str = "") -> str:
    desc = PREFIX.get(a.site, "") + a.sapo
    return (f'<!DOCTYPE html>\n<html lang="vi">\n<head>\n<meta charset="utf-8">\n'
            f'<meta name="viewport" content="width=device-width, initial-scale=1">\n'
            f"<title>{esc(a.title)}{title_suffix}</title>\n"
            f'<meta name="description" content="{attr(desc)}">\n'
            f'<link rel="canonical" href="{a.url}">\n'
            f'<meta property="og:type" content="article">\n'
            f'<meta property="og:title" content="{attr(a.title)}">\n'
            f'<meta property="og:description" content="{attr(desc)}">\n'
            f'<meta property="og:url" content="{a.url}">\n'
            f'<meta property="og:image" content="{B}/{a.site}/images/{slugify(a.title)[:40]}.jpg">\n'
            f'<meta property="og:site_name" content="{attr(og_site or SITE_INFO[a.site]["brand"])}">\n'
            f'<link rel="stylesheet" href="{B}/{a.site}/static/main.css">\n'
            f"{extra}</head>\n")


def vn_date(d: datetime) -> str:
    return f"{WEEKDAYS[d.weekday()]}, {d:%d/%m/%Y} {d:%H:%M}"


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


# ---- feeds and sitemaps -------------------------------------------------------------------------


def xesc(s: str) -> str:
    return html.escape(s, quote=False)


def rss(site: str, title: str, link: str, items: list[str]) -> str:
    return ('<?xml version="1.0" encoding="UTF-8"?>\n<rss version="2.0" '
            'xmlns:atom="http://www.w3.org/2005/Atom">\n<channel>\n'
            f"<title>{xesc(title)}</title>\n<link>{link}</link>\n"
            f"<description>{xesc(title)}</description>\n<language>vi</language>\n"
            f"<lastBuildDate>Sun, 22 Nov 2026 08:00:00 +0700</lastBuildDate>\n"
            + "".join(items) + "</channel>\n</rss>\n")


def rss_item(url: str, title: str, desc: str, pub: datetime, style: str = "plain") -> str:
    date = format_datetime(pub)
    if style == "vnexpress":
        img = url.rsplit("/", 1)[0] + "/images/thumb.jpg"
        d = f'<![CDATA[<a href="{url}"><img src="{img}" ></a></br>{desc}]]>'
        t = xesc(title)
        extra = f'<enclosure type="image/jpeg" length="1200" url="{img}"/>\n'
    elif style == "thanhnien":  # entities inside the entities: decode twice
        t = xesc(html.escape(title, quote=True))
        d = xesc(html.escape(desc, quote=True))
        extra = ""
    else:
        t, d, extra = xesc(title), xesc(desc), ""
    return (f"<item>\n<title>{t}</title>\n<link>{url}</link>\n<guid isPermaLink=\"true\">{url}</guid>\n"
            f"<description>{d}</description>\n<pubDate>{date}</pubDate>\n{extra}</item>\n")


def news_sitemap(arts: list[Art]) -> str:
    urls = "".join(
        f"<url>\n<loc>{a.url}</loc>\n<news:news>\n<news:publication><news:name>VietnamPlus</news:name>"
        f"<news:language>vi</news:language></news:publication>\n"
        f"<news:publication_date>{a.iso}</news:publication_date>\n<news:title>{xesc(a.title)}</news:title>\n"
        f"</news:news>\n<lastmod>{a.iso}</lastmod>\n</url>\n" for a in arts)
    return ('<?xml version="1.0" encoding="UTF-8"?>\n<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9" '
            'xmlns:news="http://www.google.com/schemas/sitemap-news/0.9">\n' + urls + "</urlset>\n")


def write(rel: str, text: str) -> None:
    p = WWW / rel
    p.parent.mkdir(parents=True, exist_ok=True)
    p.write_text(nfc(text), encoding="utf-8")


def listing_page(site: str, path: str, title: str, arts: list[tuple[str, str, str]]) -> str:
    """A section listing (or a trap: a listing at an article-shaped URL): many links, little prose."""
    items = "\n".join(
        f'<article class="article-item"><h3 class="article-title"><a href="{u}" title="{attr(t)}">{esc(t)}</a></h3>'
        f'<div class="article-excerpt">{esc(s)}</div></article>' for u, t, s in arts)
    return f"""<!DOCTYPE html>
<html lang="vi">
<head>
<meta charset="utf-8">
<title>{esc(title)} | Báo Dân trí</title>
<link rel="canonical" href="{B}{path}">
<meta property="og:type" content="website">
<meta property="og:title" content="{attr(title)}">
<meta name="author" content="Dân Trí">
</head>
<body>
{header(site)}
<main class="body-container">
<h1 class="title-page">{esc(title)}</h1>
<div class="article-list">
{items}
</div>
<div class="pagination"><a href="{B}/dantri/xa-hoi/trang-2.htm">Trang 2</a> <a href="{B}/dantri/xa-hoi/trang-3.htm">Trang 3</a></div>
<aside>{hot_box(site)}</aside>
</main>
{footer(site)}
</body>
</html>
"""


CHALLENGE = """<!DOCTYPE html><html><head><meta charset="utf-8"><title></title></head><body>
<script>document.cookie="D1N=7c1e4b9a2f6d08e3b5a4c7d9e1f20a36"+"; expires=Mon, 23 Nov 2026 14:00:00 GMT; path=/"; window.location.reload(true);</script>
</body></html>
"""


def build() -> dict:
    arts = parse_articles((HERE / "articles.txt").read_text(encoding="utf-8"))
    keys = [a.key for a in arts]
    assert len(keys) == len(set(keys)), "duplicate article keys"
    real = [a for a in arts if not a.trap]
    by_site: dict[str, list[Art]] = {}
    for a in real:
        by_site.setdefault(a.site, []).append(a)
    for sub in WWW.iterdir() if WWW.exists() else []:
        if sub.is_dir():
            shutil.rmtree(sub)
    write("robots.txt", "User-agent: *\nAllow: /\n")
    pages: dict[str, str] = {}
    for a in arts:
        assert a.path.startswith(f"/{a.site}/"), a.path
        rel = [r for r in by_site.get(a.site, []) if r.key != a.key]
        pages[a.path] = PAGES[a.site](a, rel)
        write(a.path.lstrip("/"), pages[a.path])
    A = {a.key: a for a in arts}

    def items(keys_: list[str], style: str = "plain") -> list[str]:
        return [rss_item(A[k].url, A[k].title, PREFIX.get(A[k].site, "") + A[k].sapo, A[k].published, style)
                for k in keys_]

    feeds: dict[str, tuple[str, str, list[str]]] = {}  # path -> (site, title, item xml)
    # tienphong: a /video/ item (excluded by the spec) and an item on another host
    feeds["/tienphong/rss/the-gioi-5.rss"] = ("tienphong", "Thế giới - Tiền Phong", items(
        ["T1", "T2", "T3", "TV"]) + [rss_item("{{OTHER}}" + A["TX"].path, A["TX"].title, A["TX"].sapo,
                                                A["TX"].published)])
    # baotintuc: one item whose article is gone (404)
    feeds["/baotintuc/the-gioi.rss"] = ("baotintuc", "Thế giới - Báo Tin tức", items(["B1", "B2", "B3"]) + [
        rss_item(B + "/baotintuc/thoi-su/bien-gioi-xanh-tam-diem-hop-tac-20261118071502331.htm",
                 "Biên giới xanh: tâm điểm hợp tác giữa các tỉnh giáp biên",
                 "(TTXVN) - Bài viết đã được gỡ khỏi hệ thống.", datetime(2026, 11, 18, 7, 15, tzinfo=TZ))])
    feeds["/baoquocte/rss_feed/index.xml"] = ("baoquocte", "Thế giới 24h - Báo Thế giới và Việt Nam",
                                              items(["Q1", "Q2", "Q3"]))
    feeds["/vnexpress/rss/the-gioi.rss"] = ("vnexpress", "Thế giới - VnExpress RSS",
                                            items(["X1", "X2", "X3"], "vnexpress"))
    # dantri: a listing page at an article-shaped URL sits in the feed
    feeds["/dantri/rss/the-gioi.rss"] = ("dantri", "Thế giới - Dân trí", items(["D3", "D1"]) + [
        rss_item(B + "/dantri/the-gioi/tong-hop-tin-20261120000000001.htm", "Tổng hợp tin thế giới ngày 20/11",
                 "(Dân trí) - Điểm lại những tin tức nổi bật.", datetime(2026, 11, 20, 0, 0, tzinfo=TZ))])
    # thanhnien: the Cloudrity challenge page at an article-shaped URL sits in the feed
    feeds["/thanhnien/rss/the-gioi.rss"] = ("thanhnien", "Thế giới - Thanh Niên", items(["N1", "N2"], "thanhnien") + [
        rss_item(B + CHALLENGE_PATH, "Đoàn công tác tỉnh biên giới thăm và làm việc tại Lào",
                 "Chuyến thăm nhằm thúc đẩy hợp tác.", datetime(2026, 11, 21, 9, 30, tzinfo=TZ), "thanhnien")])
    for path, (site, title, its) in feeds.items():
        write(path.lstrip("/"), rss(site, title, f"{B}/{site}/", its))
    # thanhnien: a broken feed (truncated mid-item) that still holds one parseable item link
    broken = rss("thanhnien", "Thời sự - Thanh Niên", f"{B}/thanhnien/", items(["N3"], "thanhnien") + items(
        ["N1"], "thanhnien"))
    cut = broken.index("<item>", broken.index("</item>")) + 60
    write("thanhnien/rss/broken.rss", broken[:cut])

    # vietnamplus: sitemap index -> a monthly shard and a gzip shard
    write("vietnamplus/sitemap.xml", '<?xml version="1.0" encoding="UTF-8"?>\n'
          '<sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">\n'
          f"<sitemap><loc>{B}/vietnamplus/sitemaps/news-2026-11.xml</loc><lastmod>2026-11-22T08:00:00+07:00</lastmod></sitemap>\n"
          f"<sitemap><loc>{B}/vietnamplus/sitemaps/news-2026-10.xml.gz</loc><lastmod>2026-10-31T23:00:00+07:00</lastmod></sitemap>\n"
          "</sitemapindex>\n")
    write("vietnamplus/sitemaps/news-2026-11.xml", news_sitemap([A["V1"], A["V2"]]))
    write("vietnamplus/sitemaps/news-2026-10.xml.gz.tmpl", news_sitemap([A["V3"]]))
    # kinhtedothi: a plain urlset, with a section URL the article pattern must reject
    kurls = "".join(f"<url><loc>{A[k].url}</loc><lastmod>{A[k].iso}</lastmod><changefreq>hourly</changefreq></url>\n"
                    for k in ("K1", "K2", "K3"))
    write("kinhtedothi/sitemap.xml", '<?xml version="1.0" encoding="UTF-8"?>\n'
          '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">\n'
          f"<url><loc>{B}/kinhtedothi/</loc><changefreq>always</changefreq></url>\n"
          f"<url><loc>{B}/kinhtedothi/quoc-te/</loc><changefreq>always</changefreq></url>\n"
          + kurls + "</urlset>\n")
    # dantri: the section listing, and the trap listing at an article-shaped URL
    sec = [(A[k].url, A[k].title, A[k].sapo) for k in ("D1", "D2")]
    sec += [(B + "/dantri/xa-hoi.htm", "Xã hội", ""), (B + "/dantri/the-gioi.htm", "Thế giới", "")]
    write("dantri/xa-hoi.htm", listing_page("dantri", "/dantri/xa-hoi.htm", "Xã hội", sec))
    trap_items = [(A[k].url, A[k].title, "") for k in ("D3", "D1", "D2")]
    trap_items += [(f"{B}/dantri/{slugify(h)}.htm", h, "") for h in SITE_INFO["dantri"]["hot"]]
    trap_items += [(f"{B}/dantri/{slugify(n)}.htm", n, "") for n in SITE_INFO["dantri"]["nav"]]
    write("dantri/the-gioi/tong-hop-tin-20261120000000001.htm",
          listing_page("dantri", "/dantri/the-gioi/tong-hop-tin-20261120000000001.htm",
                       "Tổng hợp tin thế giới ngày 20/11", trap_items))
    write(CHALLENGE_PATH.lstrip("/"), CHALLENGE)
    write("index.html", index_page(by_site, feeds))
    # which feed / sitemap / section lists each article
    source_paths = list(feeds) + ["/thanhnien/rss/broken.rss", "/vietnamplus/sitemaps/news-2026-11.xml",
                                  "/vietnamplus/sitemaps/news-2026-10.xml.gz.tmpl", "/kinhtedothi/sitemap.xml",
                                  "/dantri/xa-hoi.htm"]
    for a in arts:
        a.sources = []
        for sp in source_paths:
            text = (WWW / sp.lstrip("/")).read_text(encoding="utf-8")
            if f"<link>{a.url}</link>" in text or f"<loc>{a.url}</loc>" in text or \
                    (sp.endswith(".htm") and f'href="{a.url}"' in text):
                a.sources.append(sp.removesuffix(".tmpl").removesuffix("index.xml"))
        assert a.sources or a.trap, f"{a.key} is listed nowhere"
    return {"arts": arts, "pages": pages}


CHALLENGE_PATH = "/thanhnien/doan-cong-tac-tinh-bien-gioi-tham-va-lam-viec-tai-lao-185261121093012345.htm"


def index_page(by_site: dict[str, list[Art]], feeds: dict) -> str:
    rows = []
    for site, arts in by_site.items():
        links = "".join(f'<li><a href="{a.url}">{esc(a.title)}</a></li>' for a in arts)
        rows.append(f"<h2>{esc(SITE_INFO[site]['name'])} ({site})</h2><ul>{links}</ul>")
    return ('<!DOCTYPE html>\n<html lang="vi"><head><meta charset="utf-8"><title>presswatch: fixture sites'
            '</title></head><body><h1>presswatch fixture sites</h1><p>Invented articles served on loopback '
            'for tests and the demo.</p>' + "".join(rows) + "</body></html>\n")


# ---- expected.toml ------------------------------------------------------------------------------


def q(s: str) -> str:
    return json.dumps(s, ensure_ascii=False)


def qlist(xs: list[str]) -> str:
    return "[" + ", ".join(q(x) for x in xs) + "]"


def phrase(p: str, start: int = 1, n: int = 7) -> str:
    words = p.split()
    chunk = words[start:start + n] if len(words) > start + n else words[:n]
    s = " ".join(chunk).strip(",.;:")
    return s


def write_expected(arts: list[Art], pages: dict[str, str]) -> None:
    out = ["# What extraction must give for each fixture article (generated by build.py, do not edit).",
           "# Keys are URL paths; {{BASE}} is the server's base URL (SampleSite.expected() substitutes it).",
           "# published: ISO 8601 with +07:00 (compare at least to the minute). author: a person or \"\".",
           "# must_contain: exact phrases of the body (the last one from the last paragraph).",
           "# must_not_contain: strings on the same page outside the article body (boilerplate).",
           ""]
    for a in arts:
        if a.trap:
            continue
        assert 250 <= a.words <= 650, (a.key, a.words)
        body = " ".join(a.paras)
        must = [phrase(a.paras[0], 0), phrase(a.paras[len(a.paras) // 2], 3), phrase(a.paras[-1], 2)]
        info = SITE_INFO[a.site]
        page = pages[a.path]
        rel = [r for r in arts if r.site == a.site and r.key != a.key and not r.trap]
        mnc = list(BOILER) + [info["follow"]]
        if a.site == "baoquocte":
            mnc.append("TIN LIÊN QUAN")
            mnc.append(slugify(rel[0].title).replace("-", " "))
        else:
            mnc.append(rel[0].title)
        mnc.append(info["footer"][:40].rsplit(" ", 1)[0])
        for m in must:
            assert m in page, (a.key, m)
            assert m in body
        for m in mnc:
            assert m in page, (a.key, m)
            assert m not in body and m not in a.sapo, (a.key, m)
        out += [f"[articles.{q(a.path)}]",
                f"key = {q(a.key)}",
                f"site = {q(a.site)}",
                f"url = {q(a.url)}",
                f"title = {q(a.title)}",
                f"published = {q(a.iso)}",
                f"author = {q(a.author)}",
                f"relevant = {'true' if a.relevant else 'false'}",
                f"provinces = {qlist(a.provinces)}",
                f"countries = {qlist(a.countries)}",
                f"lead = {q(PREFIX.get(a.site, '') + a.sapo)}",
                f"must_contain = {qlist(must)}",
                f"must_not_contain = {qlist(mnc)}",
                f"sources = {qlist(a.sources)}",
                f"words = {a.words}"]
        if a.notes:
            out.append(f"notes = {q(a.notes)}")
        out.append("")
    traps = [a for a in arts if a.trap]
    out += ["# Paths that must never be stored as articles (and, for some, never even fetched).",
            "[traps]",
            "paths = " + qlist([a.path for a in traps] + [
                "/baotintuc/thoi-su/bien-gioi-xanh-tam-diem-hop-tac-20261118071502331.htm",
                "/dantri/the-gioi/tong-hop-tin-20261120000000001.htm", CHALLENGE_PATH]),
            "# fetched at all = a bug (excluded by the spec, or on another host)",
            "never_fetched = " + qlist([a.path for a in traps]),
            "",
            "[traps.reasons]"]
    for a in traps:
        out.append(f"{q(a.path)} = {q(a.trap)}")
    out += [f'{q("/baotintuc/thoi-su/bien-gioi-xanh-tam-diem-hop-tac-20261118071502331.htm")} = '
            '"feed item whose article answers 404"',
            f'{q("/dantri/the-gioi/tong-hop-tin-20261120000000001.htm")} = '
            '"listing page at an article-shaped URL, listed in the feed: many links, little prose"',
            f'{q(CHALLENGE_PATH)} = "Cloudrity D1N challenge page (Server: Cloudrity, 200) at an '
            'article-shaped URL, listed in the feed"',
            "",
            "# The same TTXVN story: original on vietnamplus, republished by baotintuc with another title,",
            "# a (TTXVN) - prefix and a few sentences edited.",
            "[duplicates]",
            "pairs = [" + qlist([A_path(arts, "V1"), A_path(arts, "B1")]) + "]",
            "",
            "# The same event told independently by two outlets (different wording).",
            "[stories]",
            "pairs = " + "[" + qlist([A_path(arts, "T3"), A_path(arts, "X1")]) + "]",
            "",
            "# Every source in sites.toml, with the article paths it lists that must be stored.",
            "[sources]"]
    src: dict[str, list[str]] = {}
    for a in arts:
        if not a.trap:
            for s in a.sources:
                src.setdefault(s, []).append(a.path)
    for s, ps in sorted(src.items()):
        out.append(f"{q(s)} = {qlist(ps)}")
    (HERE / "expected.toml").write_text(nfc("\n".join(out) + "\n"), encoding="utf-8")


def A_path(arts: list[Art], key: str) -> str:  # noqa: N802
    return next(a.path for a in arts if a.key == key)


def main() -> None:
    res = build()
    write_expected(res["arts"], res["pages"])
    n = sum(1 for a in res["arts"] if not a.trap)
    print(f"{n} articles, {sum(1 for a in res['arts'] if a.relevant and not a.trap)} relevant -> {WWW}")


if __name__ == "__main__":
    main()
