# ruff: noqa: E501  (HTML templates: long lines are clearer than split ones)
"""HTML building blocks of the fixture sites: escaping, the article record (``Art``) read from
articles.txt, per-site facts (SITE_INFO) and the boxes every outlet's template reuses (nav, related,
share bar, comments, footer, head, JSON-LD)."""

from __future__ import annotations

import html
import json
import re
import unicodedata
from dataclasses import dataclass, field
from datetime import datetime
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
