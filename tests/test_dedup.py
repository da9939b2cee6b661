"""Deduplication, story clusters, URL variants and revisions (pipeline/dedup.py, pipeline/urls.py):
unit tests of the pure functions, store-level tests, and a real crawl over a loopback fixture server."""

from __future__ import annotations

import hashlib
import html as htmlmod
import subprocess
import sys
import urllib.request
import warnings
from collections import Counter
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from config import SiteSpec, parse_sites
from db import open_db
from db.articles import revisions
from pipeline.article import Article, DedupResult
from pipeline.dedup import (
    Doc,
    analyse,
    band_hashes,
    canonical_from_page,
    entity_keys,
    estimated_jaccard,
    find_canonical_link,
    is_duplicate,
    load_config,
    numbers,
    shingles,
    signature,
    text_event_match,
    title_similarity,
)
from pipeline.process import content_hash, reprocess, store_article
from pipeline.urls import canonical_url

ROOT = Path(__file__).resolve().parent.parent

with warnings.catch_warnings():  # trafilatura -> urllib3 warns that PySocks is missing
    warnings.simplefilter("ignore")
    import pipeline.extract  # noqa: F401

# Story 1: Đà Nẵng receives a delegation from Kanagawa (Japan).
KANAGAWA_TITLE = "Đà Nẵng tiếp đoàn đại biểu tỉnh Kanagawa, Nhật Bản"
KANAGAWA = [
    "Chiều 5/3, tại trụ sở Ủy ban nhân dân thành phố, Chủ tịch UBND thành phố Đà Nẵng Lê Trung Chinh đã "
    "tiếp đoàn đại biểu tỉnh Kanagawa, Nhật Bản do Phó Thống đốc Yamamoto Kenji dẫn đầu sang thăm và làm việc.",
    "Phát biểu tại buổi tiếp, ông Lê Trung Chinh bày tỏ vui mừng được đón đoàn và cho biết quan hệ hợp tác "
    "giữa Đà Nẵng và các địa phương của Nhật Bản ngày càng phát triển tốt đẹp trên nhiều lĩnh vực.",
    "Theo Chủ tịch UBND thành phố, trong năm qua Nhật Bản tiếp tục là một trong những đối tác đầu tư lớn nhất "
    "của Đà Nẵng với 128 dự án còn hiệu lực, tổng vốn đăng ký khoảng 1,6 tỷ USD.",
    "Thành phố mong muốn tỉnh Kanagawa hỗ trợ kết nối doanh nghiệp hai bên, đặc biệt trong các ngành công "
    "nghệ cao, vi mạch bán dẫn, logistics và phát triển nguồn nhân lực chất lượng cao.",
    "Ông Lê Trung Chinh cũng đề nghị hai địa phương sớm ký kết biên bản ghi nhớ hợp tác giai đoạn mới, trong "
    "đó chú trọng trao đổi sinh viên, đào tạo điều dưỡng và chuyển giao công nghệ xử lý môi trường.",
    "Về phía đoàn Nhật Bản, Phó Thống đốc Yamamoto Kenji cảm ơn sự đón tiếp chu đáo của lãnh đạo thành phố "
    "và đánh giá cao môi trường đầu tư thông thoáng, cởi mở của Đà Nẵng trong những năm gần đây.",
    "Ông Yamamoto Kenji cho biết tỉnh Kanagawa có hơn 9 triệu dân, là nơi đặt trụ sở của nhiều tập đoàn "
    "sản xuất ô tô, điện tử và hóa chất hàng đầu, có nhu cầu lớn mở rộng sản xuất sang Việt Nam.",
    "Trong chuyến thăm lần này, đoàn có 35 doanh nghiệp tham gia, tập trung tìm hiểu cơ hội đầu tư tại "
    "Khu công nghệ cao Đà Nẵng và các khu công nghiệp Hòa Khánh, Liên Chiểu.",
    "Phó Thống đốc khẳng định tỉnh Kanagawa sẵn sàng cử chuyên gia sang hỗ trợ Đà Nẵng xây dựng đề án phát "
    "triển trung tâm tài chính quốc tế và mạng lưới giao thông công cộng thông minh.",
    "Hai bên cũng trao đổi về việc mở đường bay thẳng giữa Đà Nẵng và sân bay Haneda, dự kiến khai thác "
    "từ tháng 7 năm 2026 với tần suất bốn chuyến mỗi tuần nhằm thúc đẩy du lịch và thương mại.",
    "Giám đốc Sở Ngoại vụ Đà Nẵng Nguyễn Thị Hoài An cho biết thành phố đang phối hợp với Tổng Lãnh sự "
    "quán Nhật Bản tổ chức Lễ hội Việt Nhật lần thứ 10 vào tháng 8 tới tại công viên Biển Đông.",
    "Theo kế hoạch, lễ hội sẽ có các hoạt động giới thiệu ẩm thực, trình diễn trà đạo, võ thuật, triển lãm "
    "ảnh và hội chợ việc làm cho lao động muốn sang làm việc tại các doanh nghiệp Nhật Bản.",
    "Cũng trong chiều cùng ngày, đoàn đã đến thăm Trung tâm Đổi mới sáng tạo Đà Nẵng và làm việc với đại "
    "diện Hiệp hội doanh nghiệp thành phố về nhu cầu hợp tác cụ thể của từng ngành.",
    "Kết thúc buổi tiếp, hai bên thống nhất giao cơ quan chuyên môn xây dựng chương trình hành động chung "
    "và báo cáo kết quả tại kỳ họp thường niên giữa hai địa phương vào cuối năm nay.",
]

# Outlet B's republication: byline prefix, another title, about 8% of the words edited, a sentence
# dropped and one added.
KANAGAWA_COPY_TITLE = "Thúc đẩy hợp tác giữa Đà Nẵng với địa phương Nhật Bản"
KANAGAWA_COPY = [
    "(Báo Biển Đông) - Chiều 5/3, tại trụ sở Ủy ban nhân dân thành phố, Chủ tịch UBND thành phố Đà Nẵng "
    "Lê Trung Chinh đã tiếp đoàn đại biểu tỉnh Kanagawa, Nhật Bản do Phó Thống đốc Yamamoto Kenji dẫn đầu "
    "sang thăm và làm việc.",
    "Phát biểu tại buổi tiếp, ông Lê Trung Chinh vui mừng được đón đoàn và khẳng định quan hệ hợp tác "
    "giữa Đà Nẵng và các địa phương của Nhật Bản ngày càng phát triển tốt đẹp trên nhiều lĩnh vực.",
    "Theo Chủ tịch UBND thành phố, trong năm qua Nhật Bản tiếp tục là một trong những đối tác đầu tư lớn nhất "
    "của Đà Nẵng với 128 dự án còn hiệu lực, tổng vốn đăng ký khoảng 1,6 tỷ USD.",
    "Thành phố mong muốn tỉnh Kanagawa hỗ trợ kết nối doanh nghiệp hai bên, nhất là trong các ngành công "
    "nghệ cao, vi mạch bán dẫn, logistics và phát triển nguồn nhân lực chất lượng cao.",
    "Ông Lê Trung Chinh cũng đề nghị hai địa phương sớm ký kết biên bản ghi nhớ hợp tác giai đoạn mới, trong "
    "đó chú trọng trao đổi sinh viên, đào tạo điều dưỡng và chuyển giao công nghệ xử lý môi trường.",
    "Về phía đoàn Nhật Bản, Phó Thống đốc Yamamoto Kenji cảm ơn sự đón tiếp chu đáo của lãnh đạo thành phố "
    "và đánh giá cao môi trường đầu tư thông thoáng của Đà Nẵng trong những năm gần đây.",
    "Ông Yamamoto Kenji cho biết tỉnh Kanagawa có hơn 9 triệu dân, là nơi đặt trụ sở của nhiều tập đoàn "
    "sản xuất ô tô, điện tử và hóa chất hàng đầu, có nhu cầu lớn mở rộng sản xuất sang Việt Nam.",
    "Trong chuyến thăm lần này, đoàn có 35 doanh nghiệp tham gia, chủ yếu tìm hiểu cơ hội đầu tư tại "
    "Khu công nghệ cao Đà Nẵng và các khu công nghiệp Hòa Khánh, Liên Chiểu.",
    "Phó Thống đốc khẳng định tỉnh Kanagawa sẵn sàng cử chuyên gia sang hỗ trợ Đà Nẵng xây dựng đề án phát "
    "triển trung tâm tài chính quốc tế và mạng lưới giao thông công cộng thông minh.",
    "Hai bên cũng bàn về việc mở đường bay thẳng giữa Đà Nẵng và sân bay Haneda, dự kiến khai thác "
    "từ tháng 7 năm 2026 với tần suất bốn chuyến mỗi tuần nhằm thúc đẩy du lịch và thương mại.",
    "Giám đốc Sở Ngoại vụ Đà Nẵng Nguyễn Thị Hoài An cho biết thành phố đang phối hợp với Tổng Lãnh sự "
    "quán Nhật Bản tổ chức Lễ hội Việt Nhật lần thứ 10 vào tháng 8 tới tại công viên Biển Đông.",
    "Theo kế hoạch, lễ hội sẽ có các hoạt động giới thiệu ẩm thực, trình diễn trà đạo, võ thuật, triển lãm "
    "ảnh và hội chợ việc làm cho lao động muốn sang làm việc tại các doanh nghiệp Nhật Bản.",
    "Kết thúc buổi tiếp, hai bên thống nhất giao cơ quan chuyên môn xây dựng chương trình hành động chung "
    "và báo cáo kết quả tại kỳ họp thường niên giữa hai địa phương vào cuối năm nay.",
    "Được biết, đây là lần thứ ba trong năm lãnh đạo thành phố tiếp các đoàn địa phương Nhật Bản.",
]

# Story 2: the same city, the same day, another event (a Korean province signs a memorandum).
GYEONGBUK_TITLE = "Đà Nẵng ký biên bản ghi nhớ với tỉnh Gyeongsang Bắc, Hàn Quốc"
GYEONGBUK = [
    "Sáng 5/3, Phó Chủ tịch UBND thành phố Đà Nẵng Trần Chí Cường và Phó Tỉnh trưởng tỉnh Gyeongsang Bắc "
    "Kim Hak Hong đã ký biên bản ghi nhớ hợp tác phát triển nông nghiệp công nghệ cao giai đoạn 2026 2030.",
    "Theo biên bản, hai địa phương sẽ xây dựng mô hình trình diễn trồng dâu tây và dưa lưới trong nhà kính "
    "tại huyện Hòa Vang, sử dụng hệ thống tưới nhỏ giọt và cảm biến do phía bạn chuyển giao.",
    "Tỉnh Gyeongsang Bắc cam kết tài trợ 2,4 triệu USD trong ba năm, bao gồm thiết bị, chuyên gia và chi phí "
    "đào tạo cho 60 kỹ sư nông nghiệp cùng 200 hộ nông dân tham gia mô hình.",
    "Phát biểu tại lễ ký, ông Trần Chí Cường nhấn mạnh nông nghiệp đô thị là hướng đi quan trọng của thành "
    "phố khi quỹ đất canh tác ngày càng thu hẹp và nhu cầu nông sản an toàn ngày càng tăng.",
    "Ông Kim Hak Hong cho biết Gyeongsang Bắc có nhiều kinh nghiệm trong phát triển hợp tác xã kiểu mới và "
    "thương hiệu nông sản địa phương, sẵn sàng chia sẻ với các đối tác tại miền Trung Việt Nam.",
    "Hai bên cũng thống nhất tổ chức phiên chợ nông sản Hàn Quốc tại Đà Nẵng vào tháng 10 và đưa đoàn "
    "nông dân tiêu biểu của thành phố sang học tập tại các trang trại ở thành phố Andong.",
    "Sau lễ ký, đoàn công tác tỉnh Gyeongsang Bắc đã khảo sát vùng rau an toàn La Hường và làm việc với "
    "Hợp tác xã nông nghiệp Túy Loan về quy trình đóng gói và truy xuất nguồn gốc sản phẩm.",
    "Giám đốc Sở Nông nghiệp và Môi trường thành phố Huỳnh Văn Thạnh cho biết sở sẽ chủ trì lập kế hoạch "
    "triển khai chi tiết, dự kiến khởi công nhà kính đầu tiên vào quý III năm nay.",
    "Theo ông Huỳnh Văn Thạnh, mô hình thành công sẽ được nhân rộng ra các xã vùng ven, gắn với phát triển "
    "du lịch trải nghiệm nông nghiệp cho du khách trong và ngoài nước.",
    "Trước đó, tỉnh Gyeongsang Bắc và Đà Nẵng đã hợp tác trong lĩnh vực y tế, giáo dục nghề nghiệp và giao "
    "lưu thanh niên, với hàng trăm lượt học viên được đào tạo ngắn hạn tại Hàn Quốc.",
    "Hiện có hơn 400 doanh nghiệp Hàn Quốc đầu tư tại Đà Nẵng, trong đó nhiều doanh nghiệp quan tâm đến "
    "chế biến nông sản, thực phẩm và phân phối bán lẻ hàng tiêu dùng.",
    "Lãnh đạo hai địa phương bày tỏ tin tưởng biên bản ghi nhớ sẽ mở ra giai đoạn hợp tác thực chất, "
    "mang lại lợi ích thiết thực cho người dân và doanh nghiệp hai bên.",
    "Dự kiến cuối năm nay, hai bên sẽ tổ chức sơ kết một năm thực hiện biên bản và điều chỉnh danh mục "
    "dự án phù hợp với điều kiện thực tế của từng địa phương.",
    "Buổi lễ có sự tham dự của đại diện Tổng Lãnh sự quán Hàn Quốc tại Đà Nẵng và các sở, ngành liên quan.",
]

# Story 2 after the outlet edited it: a figure corrected and a sentence added at the end.
GYEONGBUK_EDITED = [s.replace("2,4 triệu USD", "2,7 triệu USD") for s in GYEONGBUK] + [
    "Cập nhật: con số tài trợ được điều chỉnh theo văn bản chính thức của phía Hàn Quốc.",
]

# Written a year apart from the same template, for another event (the template-reuse trap).
KANAGAWA_NEXT_YEAR_TITLE = "Lãnh đạo Đà Nẵng tiếp đoàn tỉnh Kanagawa dịp đầu xuân"
KANAGAWA_NEXT_YEAR = [s.replace("5/3", "12/3").replace("128 dự án", "141 dự án").replace("1,6 tỷ", "1,9 tỷ")
                      .replace("35 doanh nghiệp", "42 doanh nghiệp").replace("năm 2026", "năm 2027")
                      .replace("lần thứ 10", "lần thứ 11").replace("9 triệu", "9,2 triệu")
                      .replace("tháng 7", "tháng 5").replace("tháng 8", "tháng 9")
                      for s in KANAGAWA]


def text(paragraphs: list[str]) -> str:
    return "\n\n".join(paragraphs)


CFG = load_config()
A1, B1, A2, A2E, A1Y = (text(KANAGAWA), text(KANAGAWA_COPY), text(GYEONGBUK), text(GYEONGBUK_EDITED),
                        text(KANAGAWA_NEXT_YEAR))


# -- URLs ---------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("raw", "want"),
    [
        ("https://tienphong.vn/amp/a-post1234567.tpo", "https://tienphong.vn/a-post1234567.tpo"),
        ("https://tienphong.vn/a-post1234567.tpo/amp/", "https://tienphong.vn/a-post1234567.tpo"),
        ("https://dantri.com.vn/a-20250130081603159.htm?print=1", "https://dantri.com.vn/a-20250130081603159.htm"),
        ("https://x.vn/a-123456.html?view=print&id=2", "https://x.vn/a-123456.html?id=2"),
        ("https://x.vn/a-123456.html?amp", "https://x.vn/a-123456.html"),
        ("https://x.vn/a-123456.html;jsessionid=AB12?utm_source=rss", "https://x.vn/a-123456.html"),
        ("https://x.vn/camp/lamp-123456.html", "https://x.vn/camp/lamp-123456.html"),
        ("https://x.vn/amp", "https://x.vn/amp"),
    ],
)
def test_url_variants(raw, want):
    assert canonical_url(raw) == want


SPEC_TOML = """
[sites.tp]
domains = ["tienphong.vn"]
feeds = ["https://tienphong.vn/rss/home.rss"]
article_pattern = '-post\\d{5,8}\\.tpo$'
host_aliases = ["m.tienphong.vn"]
variant_patterns = ['^/in(?=/)']
"""


def test_site_host_alias_and_variant_pattern():
    spec = parse_sites(SPEC_TOML)["tp"]
    assert spec.host_aliases == ("m.tienphong.vn",)
    want = "https://tienphong.vn/a-post1234567.tpo"
    assert canonical_url("https://m.tienphong.vn/in/a-post1234567.tpo?utm_source=zalo", spec) == want
    # callers that pass only strip_params (the spider) get the registered aliases too
    assert canonical_url("https://m.tienphong.vn/in/a-post1234567.tpo", spec) == want


@pytest.mark.parametrize(
    ("extra", "field"),
    [('host_aliases = ["m.other.vn"]', "host_aliases"), ('canonical_host = "other.vn"', "canonical_host"),
     ("variant_patterns = ['(']", "variant_patterns")],
)
def test_site_url_fields_validated(extra, field):
    from config import ConfigError

    with pytest.raises(ConfigError, match=field):
        parse_sites('[sites.x]\ndomains = ["x.vn"]\nfeeds = ["https://x.vn/rss"]\n' + extra)


def test_canonical_link_from_page():
    page = (b'<html><head><meta property="og:url" content="https://x.vn/og-123456.html">'
            b'<link href="/a-123456.html" rel="canonical"></head><body></body></html>')
    assert find_canonical_link(page) == "/a-123456.html"
    assert find_canonical_link(b'<head><meta property="og:url" content="https://x.vn/b-1.html"></head>') == \
        "https://x.vn/b-1.html"
    assert find_canonical_link(b"<html><head></head><body><link rel=canonical href=/late></body>") is None
    spec = SiteSpec(key="x", name="x", domains=("x.vn",), feeds=("https://x.vn/rss",),
                    article_pattern=r"-\d{6}\.html$")
    url = "https://x.vn/a-123456.html?x=1"
    assert canonical_from_page(url, "/a-123456.html", spec) == "https://x.vn/a-123456.html"
    # off-site, home page, non-article canonical links are ignored
    for bad in ("https://farm.vn/a-123456.html", "https://x.vn/", "https://x.vn/tag/abc"):
        assert canonical_from_page(url, bad, spec) == "https://x.vn/a-123456.html?x=1"
    assert canonical_from_page(url, None, None) == url


# -- pure functions -----------------------------------------------------------------------------
def test_shingles_fold_accents_and_drop_byline_prefix():
    assert shingles("Đối ngoại Đà Nẵng hôm nay") == shingles("(Dân trí) - doi ngoai da nang hom nay")
    assert shingles("một hai") == [b"mot hai"]
    assert shingles("") == []


def test_signature_estimates_jaccard():
    def exact(x, y):
        a, b = set(shingles(x)), set(shingles(y))
        return len(a & b) / len(a | b)

    for x, y in ((A1, B1), (A1, A2), (A2, A2E)):
        assert abs(estimated_jaccard(signature(x), signature(y)) - exact(x, y)) < 0.12
    assert estimated_jaccard(signature(A1), signature(B1)) >= CFG.threshold
    assert estimated_jaccard(signature(A1), signature(A2)) < 0.2
    assert (signature(A1) == signature(A1)).all()


def test_band_hashes_stable_and_shared_by_copies():
    b, r = CFG.bands
    assert b * r <= CFG.num_perm
    h1, h2 = band_hashes(signature(A1), b, r), band_hashes(signature(B1), b, r)
    assert h1 == band_hashes(signature(A1), b, r) and len(h1) == b
    assert sum(x == y for x, y in zip(h1, h2, strict=True)) >= 1
    assert not set(band_hashes(signature(A2), b, r)) & set(h1)


@given(st.text(max_size=80))
@settings(max_examples=500, deadline=None)
def test_fast_fold_and_hash_equal_the_normalisation_module(s):
    from pipeline.dedup import fast_content_hash, fast_fold
    from pipeline.normalize import fold

    assert fast_fold(s) == " ".join(fold(s).split())
    # the stored content_hash: sha1 of the folded, space-collapsed text (exact copies share it)
    assert fast_content_hash(s) == hashlib.sha1(" ".join(fold(s).split()).encode()).hexdigest()
    assert content_hash(s) == fast_content_hash(s)


def test_numbers_and_titles():
    assert numbers("Ngày 3.11 có 1,5 tỷ; ngày 3/11") == {"3.11", "1.5"}
    assert title_similarity("Đà Nẵng tiếp đoàn Nhật Bản", "Da Nang tiep doan Nhat Ban") == 1.0
    assert title_similarity(KANAGAWA_TITLE, GYEONGBUK_TITLE) < 0.3


def test_template_reuse_is_not_a_copy():
    j = estimated_jaccard(signature(A1), signature(A1Y))
    assert j >= CFG.threshold  # the text alone would merge them
    a = Doc("a", KANAGAWA_TITLE, A1, "2026-03-05T08:00:00+07:00")
    # the same outlet a year later, other numbers, another title
    assert not text_event_match(a, Doc("a", KANAGAWA_NEXT_YEAR_TITLE, A1Y, "2027-03-12T08:00:00+07:00"), j, CFG)
    # without dates: the numbers disagree
    assert not text_event_match(Doc("a", KANAGAWA_TITLE, A1, None),
                                Doc("a", KANAGAWA_NEXT_YEAR_TITLE, A1Y, None), j, CFG)
    # a real republication is a copy
    jb = estimated_jaccard(signature(A1), signature(B1))
    assert text_event_match(a, Doc("b", KANAGAWA_COPY_TITLE, B1, "2026-03-05T15:00:00+07:00"), jb, CFG)
    # a content farm copying the article verbatim months later is still a copy
    assert text_event_match(a, Doc("farm", KANAGAWA_TITLE, A1, "2026-09-01T00:00:00+07:00"), 1.0, CFG)


def test_entity_keys():
    keys = entity_keys(KANAGAWA_TITLE, A1, 60, CFG.common)
    assert {"da nang", "nhat ban", "yamamoto kenji", "le trung", "trung chinh"} <= set(keys)
    assert "viet nam" not in keys  # a configured common key
    assert keys[0] == "da nang"  # most frequent first
    assert entity_keys("", "Hôm nay trời đẹp. Tại Hà Nội, Sở Ngoại vụ họp.") == ["ha noi", "so ngoai"]


def test_is_duplicate():
    a = Article(url="u", title="t", text="x")
    assert not is_duplicate(a)
    a.dedup = DedupResult(duplicate_of=3)
    assert is_duplicate(a)
    assert is_duplicate({"duplicate_of": 1}) and not is_duplicate({"duplicate_of": None})


# -- store level --------------------------------------------------------------------------------
@pytest.fixture
def db(tmp_db):
    return tmp_db  # tests/conftest.py: a migrated SQLite file in tmp_path, closed afterwards


def _add(db, url, title, body, site, published=None):
    db.execute("INSERT OR IGNORE INTO sites (key, name) VALUES (?, ?)", [site, site])
    a = Article(url=url, title=title, text=body, site=site, published=published)
    a.dedup = analyse(db, a, CFG)
    return store_article(db, a, b"<html></html>"), a


def recheck_article(db, article_id, page, spec=None):
    """What `presswatch recheck` does with a fresh download: True when a revision was recorded."""
    url = db.execute("SELECT url FROM articles WHERE id = ?", [article_id]).fetchone()[0]
    done, reason = reprocess(db, article_id, url, page, {}, spec, fresh=True)
    assert done is not None, reason
    return done.text_changed


def _row(db, id_):
    return db.execute("SELECT duplicate_of, story_id FROM articles WHERE id = ?", [id_]).fetchone()


def test_exact_near_story_and_persistence(tmp_path):
    path = tmp_path / "p.db"
    db = open_db(path)
    a1, _ = _add(db, "https://a.vn/1", KANAGAWA_TITLE, A1, "a", "2026-03-05T08:00:00+07:00")
    a2, _ = _add(db, "https://a.vn/2", GYEONGBUK_TITLE, A2, "a", "2026-03-05T09:00:00+07:00")
    db.close()
    db = open_db(path)  # a restart: the index is in the database
    b1, art = _add(db, "https://b.vn/1", KANAGAWA_COPY_TITLE, B1, "b", "2026-03-05T15:00:00+07:00")
    assert is_duplicate(art) and art.duplicate_of == a1
    exact, _ = _add(db, "https://farm.vn/1", "Copy", A2, "farm", None)
    assert _row(db, b1) == (a1, a1)
    assert _row(db, exact) == (a2, a2)
    assert _row(db, a1) == (None, a1) and _row(db, a2) == (None, a2)
    year, _ = _add(db, "https://a.vn/3", KANAGAWA_NEXT_YEAR_TITLE, A1Y, "a", "2027-03-12T08:00:00+07:00")
    assert _row(db, year) == (None, year)
    stories = {r[0]: r for r in db.execute("SELECT story_id, title, outlets, n_articles, n_copies FROM stories")}
    assert set(stories) == {a1, a2, year}
    assert stories[a1][1] == KANAGAWA_TITLE and stories[a1][3:] == (2, 1)
    assert sorted(__import__("json").loads(stories[a2][2])) == ["a", "farm"]
    db.close()


def test_earlier_copy_takes_the_place_of_the_original(db):
    b1, _ = _add(db, "https://b.vn/1", KANAGAWA_COPY_TITLE, B1, "b", "2026-03-06T15:00:00+07:00")
    a1, art = _add(db, "https://a.vn/1", KANAGAWA_TITLE, A1, "a", "2026-03-05T08:00:00+07:00")
    assert art.dedup.supersedes == b1 and not is_duplicate(art)
    assert _row(db, b1)[0] == a1 and _row(db, a1)[0] is None
    assert _row(db, a1)[1] == _row(db, b1)[1]


def test_same_story_other_wording_joins_story(db):
    a1, _ = _add(db, "https://a.vn/1", KANAGAWA_TITLE, A1, "a", "2026-03-05T08:00:00+07:00")
    # an independent write-up: the same people, places and figures, other sentences
    other = ("Ngày 5/3, lãnh đạo Đà Nẵng làm việc với đoàn tỉnh Kanagawa. Chủ tịch Lê Trung Chinh và "
             "Phó Thống đốc Yamamoto Kenji bàn về đường bay tới Haneda, Khu công nghệ cao Đà Nẵng và "
             "Lễ hội Việt Nhật. Sở Ngoại vụ cho biết Nhật Bản có 128 dự án tại thành phố.")
    o, art = _add(db, "https://c.vn/1", "Kanagawa muốn mở rộng đầu tư vào Đà Nẵng", other, "c",
                  "2026-03-06T07:00:00+07:00")
    assert not is_duplicate(art)
    assert _row(db, o) == (None, a1)
    # the same write-up a month later is another story
    late, _ = _add(db, "https://c.vn/2", "Kanagawa muốn mở rộng đầu tư vào Đà Nẵng", other + " Tin cũ.", "c",
                   "2026-04-20T07:00:00+07:00")
    assert _row(db, late)[1] != a1


def test_reindex_backlog(db):
    from pipeline.dedup import reindex

    db.execute("INSERT INTO sites (key, name) VALUES ('a', 'a'), ('b', 'b')")
    for url, title, body, site, pub in (
        ("https://b.vn/1", KANAGAWA_COPY_TITLE, B1, "b", "2026-03-05T15:00:00+07:00"),
        ("https://a.vn/1", KANAGAWA_TITLE, A1, "a", "2026-03-05T08:00:00+07:00"),
        ("https://a.vn/2", GYEONGBUK_TITLE, A2, "a", "2026-03-05T09:00:00+07:00"),
    ):  # stored before deduplication existed: no extra
        store_article(db, Article(url=url, title=title, text=body, site=site, published=pub), b"")
    assert reindex(db) == 3
    assert reindex(db) == 0
    # B (id 1) was indexed first; A (id 2), published earlier the same day, takes its place
    assert _row(db, 1) == (2, 1) and _row(db, 2) == (None, 1) and _row(db, 3) == (None, 3)
    assert reindex(db, rebuild=True) == 3
    assert _row(db, 1) == (2, 1) and _row(db, 2) == (None, 1)


def test_stage_indexes_backlog_at_spider_start(db):
    from types import SimpleNamespace

    from spiders.stages.s500_dedup import DedupStage

    db.execute("INSERT INTO sites (key, name) VALUES ('a', 'a')")
    store_article(db, Article(url="https://a.vn/1", title=KANAGAWA_TITLE, text=A1, site="a"), b"")
    stage = DedupStage(SimpleNamespace(spider=SimpleNamespace(db=db)))
    stage.open_spider()
    assert db.execute("SELECT count(*) FROM minhash_bands").fetchone()[0] == CFG.bands[0]
    assert _row(db, 1) == (None, 1)


def test_empty_texts_are_not_copies_of_each_other(db):
    one, art1 = _add(db, "https://a.vn/e1", "", "", "a")
    two, art2 = _add(db, "https://a.vn/e2", "", "...", "a")
    assert art1.dedup.bands == [] and not is_duplicate(art2)


def test_recheck_records_revisions(db, monkeypatch):
    from db.articles import recent_articles

    a2, _ = _add(db, "https://a.vn/2", GYEONGBUK_TITLE, A2, "a", "2026-03-05T09:00:00+07:00")
    since = (datetime.now(UTC) - timedelta(days=2)).isoformat(timespec="seconds")
    assert recent_articles(db, since) == [(a2, "https://a.vn/2", "a")]
    page = _page(GYEONGBUK_TITLE, GYEONGBUK_EDITED, "https://a.vn/2", "2026-03-05T09:00:00+07:00")
    assert recheck_article(db, a2, page) is True
    revs = revisions(db, a2)
    assert len(revs) == 2 and revs[0]["text"] == A2 and "2,7 triệu USD" in revs[1]["text"]
    assert db.execute("SELECT content_hash FROM articles WHERE id = ?", [a2]).fetchone()[0] == revs[1]["content_hash"]
    assert recheck_article(db, a2, page) is False  # unchanged: nothing recorded
    assert len(revisions(db, a2)) == 2
    hits = db.execute("SELECT rowid FROM articles_fts WHERE articles_fts MATCH '\"2,7\"'").fetchall()
    assert hits == [(a2,)]


# -- a real crawl over loopback ------------------------------------------------------------------
def _page(title: str, paragraphs: list[str], canonical: str | None, published: str) -> bytes:
    esc = htmlmod.escape
    link = f'<link rel="canonical" href="{esc(canonical)}">' if canonical else ""
    body = "\n".join(f"<p>{esc(p)}</p>" for p in paragraphs)
    return (
        f'<!doctype html><html lang="vi"><head><meta charset="utf-8"><title>{esc(title)}</title>{link}'
        f'<meta property="article:published_time" content="{published}"></head><body>'
        '<header><nav><a href="/">Trang chủ</a> <a href="/the-gioi">Thế giới</a></nav></header>'
        f'<main><article><h1>{esc(title)}</h1>{body}</article></main>'
        "<footer><p>Giấy phép hoạt động báo chí số 01/GP. Mọi sao chép phải ghi rõ nguồn.</p></footer>"
        "</body></html>"
    ).encode()


def _feed(links: list[str]) -> bytes:
    items = "".join(f"<item><title>Tin {i}</title><link>{htmlmod.escape(u)}</link></item>"
                    for i, u in enumerate(links))
    return (f'<?xml version="1.0" encoding="UTF-8"?><rss version="2.0"><channel><title>Tin</title>'
            f"<link>http://127.0.0.1/</link><description>d</description>{items}</channel></rss>").encode()


class _Pages(dict[str, tuple[str, bytes]]):
    """path (without query or ;params) -> (Content-Type, body), each set served by ``server``."""

    def __init__(self, server: Any) -> None:
        super().__init__()
        self.server = server

    def __setitem__(self, path: str, page: tuple[str, bytes]) -> None:
        super().__setitem__(path, page)
        self.server.add(path, page[1], headers={"Content-Type": page[0]})


class Fixture:
    """Two outlets on one loopback server (the loop_site fixture of tests/conftest.py); counts every
    request by path (with query)."""

    def __init__(self, server: Any) -> None:
        self.pages = _Pages(server)
        self.hits: Counter[str] = server.hits
        self.port = server.port
        self.base = server.base

    def __enter__(self) -> Fixture:
        return self

    def __exit__(self, *exc: object) -> None:
        pass

    def article_hits(self) -> Counter[str]:
        return Counter({p: n for p, n in self.hits.items() if ".html" in p})


A1_PATH = "/a/da-nang-tiep-doan-kanagawa-123456.html"
A2_PATH = "/a/da-nang-ky-ghi-nho-gyeongsang-bac-123457.html"
B1_PATH = "/b/thuc-day-hop-tac-da-nang-nhat-ban-654321.html"


def _crawl(sites: Path, dbp: Path, *site_keys: str) -> str:
    cmd = [sys.executable, "-m", "pipeline.cli", "crawl", "--sites", str(sites), "--db", str(dbp)]
    for k in site_keys:
        cmd += ["--site", k]
    r = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert r.returncode == 0, r.stdout + r.stderr
    return r.stdout


@pytest.mark.slow
def test_crawl_dedup_end_to_end(tmp_path, loop_site):
    with Fixture(loop_site) as fx:
        base, port = fx.base, fx.port
        fx.pages[A1_PATH] = ("text/html; charset=utf-8",
                             _page(KANAGAWA_TITLE, KANAGAWA, base + A1_PATH, "2026-03-05T08:00:00+07:00"))
        fx.pages[A2_PATH] = ("text/html; charset=utf-8",
                             _page(GYEONGBUK_TITLE, GYEONGBUK, base + A2_PATH, "2026-03-05T09:00:00+07:00"))
        fx.pages[B1_PATH] = ("text/html; charset=utf-8",
                             _page(KANAGAWA_COPY_TITLE, KANAGAWA_COPY, B1_PATH, "2026-03-05T15:00:00+07:00"))
        fx.pages["/a/rss.xml"] = ("application/rss+xml", _feed([
            base + A1_PATH + "?utm_source=rss&utm_medium=feed",
            f"http://localhost:{port}{A1_PATH}",  # a host alias
            base + A1_PATH + ";jsessionid=7F3A2B?print=1",
            base + A1_PATH + "/amp/",
            base + A2_PATH,
        ]))
        # outlet B's feed lists its article with a parameter no rule knows; the page's canonical link fixes it
        fx.pages["/b/rss.xml"] = ("application/rss+xml", _feed([base + B1_PATH + "?src=home&x=1"]))
        sites = tmp_path / "sites.toml"
        sites.write_text(f"""
[sites.a]
name = "Báo A"
domains = ["127.0.0.1", "localhost"]
host_aliases = ["localhost"]
canonical_host = "127.0.0.1"
feeds = ["{base}/a/rss.xml"]
article_pattern = '/a/[a-z0-9-]+-\\d{{6}}\\.html'
obey_robots = false

[sites.b]
name = "Báo B"
domains = ["127.0.0.1"]
feeds = ["{base}/b/rss.xml"]
article_pattern = '/b/[a-z0-9-]+-\\d{{6}}\\.html'
obey_robots = false
""", encoding="utf-8")
        dbp = tmp_path / "crawl.db"

        _crawl(sites, dbp, "a")  # outlet A first: it published first
        assert fx.article_hits() == Counter({A1_PATH: 1, A2_PATH: 1})  # four variants of A1, one download

        _crawl(sites, dbp)
        assert fx.article_hits() == Counter({A1_PATH: 1, A2_PATH: 1, B1_PATH + "?src=home&x=1": 1})

        _crawl(sites, dbp)  # nothing new: no article page is downloaded again, no variant either
        assert fx.article_hits() == Counter({A1_PATH: 1, A2_PATH: 1, B1_PATH + "?src=home&x=1": 1})

        db = open_db(dbp)
        rows = {r[0]: r for r in db.execute("SELECT url, id, site, duplicate_of, story_id FROM articles")}
        assert set(rows) == {base + A1_PATH, base + A2_PATH, base + B1_PATH}
        a1, a2, b1 = rows[base + A1_PATH], rows[base + A2_PATH], rows[base + B1_PATH]
        assert b1[3] == a1[1] and a1[3] is None and a2[3] is None  # B copies A
        assert b1[4] == a1[4] == a1[1]  # one story
        assert a2[4] != a1[4]  # same city, same day, another event
        stories = set(db.execute("SELECT story_id, title, outlets, n_articles FROM stories").fetchall())
        assert stories == {(a1[1], KANAGAWA_TITLE, '["a","b"]', 2), (a2[1], GYEONGBUK_TITLE, '["a"]', 1)}
        variant = db.execute("SELECT article_id FROM urls WHERE url = ?", [base + B1_PATH + "?src=home&x=1"])
        assert variant.fetchone()[0] == b1[1]

        # the outlet edits A2: a re-fetch records two revisions on one row
        fx.pages[A2_PATH] = ("text/html; charset=utf-8",
                             _page(GYEONGBUK_TITLE, GYEONGBUK_EDITED, base + A2_PATH, "2026-03-05T09:00:00+07:00"))
        with urllib.request.urlopen(base + A2_PATH, timeout=10) as resp:  # noqa: S310 (loopback)
            fresh = resp.read()
        spec = parse_sites(sites.read_text(encoding="utf-8"))["a"]
        assert recheck_article(db, a2[1], fresh, spec) is True
        assert [r["text"].count("2,7 triệu") for r in revisions(db, a2[1])] == [0, 1]
        assert db.execute("SELECT count(*) FROM articles").fetchone()[0] == 3
        assert content_hash(A2) != db.execute("SELECT content_hash FROM articles WHERE id = ?",
                                              [a2[1]]).fetchone()[0]
        db.close()


@pytest.mark.slow
def test_sample_sites_duplicates_and_stories(tmp_path):
    """The bundled sample outlets (written independently of this module): the TTXVN republication
    is a copy of the original, the two write-ups of one event share a story, nothing else merges."""
    from config.samples.site import SampleSite

    with SampleSite() as site:
        sites = tmp_path / "sites.toml"
        sites.write_text(site.sites_toml(), encoding="utf-8")
        dbp = tmp_path / "s.db"
        _crawl(sites, dbp)
        expected, base = site.expected(), site.base
    db = open_db(dbp)
    rows = {u[len(base):]: (i, d, s) for u, i, d, s in
            db.execute("SELECT url, id, duplicate_of, story_id FROM articles")}
    assert len(rows) == len(expected["articles"])
    (orig, copy), = expected["duplicates"]["pairs"]
    (one, two), = expected["stories"]["pairs"]
    assert rows[copy][1] == rows[orig][0] and rows[orig][1] is None
    assert rows[copy][2] == rows[orig][2]
    assert rows[one][2] == rows[two][2] and rows[one][1] is None and rows[two][1] is None
    merged = {orig, copy, one, two}
    for path, (i, dup, story) in rows.items():
        if path not in merged:
            assert dup is None and story == i, path
    assert db.execute("SELECT count(*) FROM stories").fetchone()[0] == len(rows) - 2
    db.close()


def test_refreshing_an_original_never_makes_it_a_copy_of_itself(db):
    """reextract/recheck re-analyse a stored article with its own id excluded: its copies point back at
    it, so they must not make it a duplicate (of itself or of them)."""
    from pipeline.process import refresh_article

    a1, _ = _add(db, "https://a.vn/1", KANAGAWA_TITLE, A1, "a", "2026-03-05T08:00:00+07:00")
    b1, _ = _add(db, "https://b.vn/1", KANAGAWA_COPY_TITLE, B1, "b", "2026-03-05T10:00:00+07:00")
    assert _row(db, b1)[0] == a1 and _row(db, a1)[0] is None
    for art_id, title, body, site in ((a1, KANAGAWA_TITLE, A1, "a"), (b1, KANAGAWA_COPY_TITLE, B1, "b")):
        again = Article(url="x", title=title, text=body, site=site, published="2026-03-05T08:00:00+07:00"
                        if art_id == a1 else "2026-03-05T10:00:00+07:00")
        refresh_article(db, art_id, again)
    assert _row(db, a1)[0] is None  # still the original
    assert _row(db, b1)[0] == a1  # still its copy
    assert _row(db, a1)[1] == _row(db, b1)[1]  # one story
