"""Relevance on a wider world of outlets (issue 15) and the gazetteer in any case (issue 14).

The articles here are written for these tests (invented people and events); the shared real
articles are only read by the last test, which skips without ../shared.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from pipeline.relevance import score

SHARED = Path(__file__).resolve().parents[1].parent / "shared"


def _rel(title: str, text: str = ""):  # type: ignore[no-untyped-def]
    return score({"title": title, "text": text})


def _kinds(title: str, text: str = "") -> set[str]:
    return {e["kind"] for e in _rel(title, text).evidence}


# ---- the gazetteer in any case --------------------------------------------------------------


@pytest.mark.parametrize("text, province", [
    ("Phó Chủ tịch UBND tỉnh khánh hòa đã tiếp Tổng Lãnh sự Nhật Bản.", "Khánh Hòa"),
    ("Sáng nay, đoàn công tác của KHÁNH HÒA lên đường sang Hàn Quốc.", "Khánh Hòa"),
    ("Hội nghị diễn ra tại thành phố đà nẵng vào cuối tuần.", "Đà Nẵng"),
    ("Lãnh đạo tp đà nẵng dự lễ khai mạc.", "Đà Nẵng"),
    ("Tỉnh ủy bình định họp phiên thường kỳ.", "Bình Định"),
    ("Sở Ngoại vụ tỉnh hòa bình tổ chức hội nghị.", "Hòa Bình"),
])
def test_province_names_found_in_any_case_after_a_cue_or_in_capitals(text: str, province: str) -> None:
    assert _rel("", text).provinces == [province]


@pytest.mark.parametrize("text", [
    "Người dân mong muốn hòa bình và ổn định lâu dài.",
    "Chính quyền cũ từng tìm cách bình định vùng nông thôn.",
    "Tiếng lá lào xào ngoài hiên suốt đêm.",
    "Ngôi nhà có hai năm tuổi, đã nâng cấp mái.",
])
def test_common_words_in_lower_case_are_not_places(text: str) -> None:
    r = _rel("", text)
    assert (r.provinces, r.countries) == ([], [])


def test_countries_and_foreign_provinces_in_any_case() -> None:
    r = _rel("", "Đoàn đã sang thăm nước lào và làm việc với chính quyền tỉnh xay nha bu ly.")
    assert r.countries == ["Lào"]
    r = _rel("", "Đoàn đại biểu QUẢNG TÂY thăm Lạng Sơn; tỉnh gyeonggi và Kyonggi-do; Hủa Phăn, Houaphanh.")
    assert set(r.countries) == {"Trung Quốc", "Hàn Quốc", "Lào"}
    r = _rel("", "Tiếng LÀO XÀO ngoài sân.")
    assert r.countries == []


def test_foreign_localities_imply_their_country_and_vietnamese_namesakes_do_not() -> None:
    r = _rel("", "Đoàn đại biểu thành phố Đông Hưng thăm cửa khẩu; tỉnh Chăm-pa-xắc, Chăm Pa Xắc.")
    assert set(r.countries) == {"Trung Quốc", "Lào"}
    r = _rel("", "Nông dân huyện Đông Hưng, tỉnh Thái Bình thu hoạch lúa; xã Hải Nam vào vụ mới.")
    assert r.countries == [] and r.provinces == ["Thái Bình"]


# ---- national actors with a foreign local partner ------------------------------------------


def test_prime_minister_receiving_a_foreign_governor_is_national() -> None:
    r = _rel("Các địa phương Việt Nam và Hàn Quốc thắt chặt hợp tác",
             "Chiều 3/4, tại Hà Nội, Thủ tướng tiếp Thống đốc tỉnh Gyeonggi (Hàn Quốc) đang thăm Việt Nam. "
             "Thủ tướng đề nghị tỉnh Gyeonggi tăng cường hợp tác với các địa phương Việt Nam.")
    assert not r.relevant, r
    assert any(e["kind"] == "penalty" and "locality" in e["term"] for e in r.evidence)


def test_national_programme_a_city_only_co_organises_is_national() -> None:
    r = _rel("Chương trình gặp mặt kiều bào dịp Tết",
             "Chương trình diễn ra tại Hà Nội và Bắc Ninh, thu hút 800 kiều bào tham dự.\n"
             "Chương trình do Ủy ban Nhà nước về người Việt Nam ở nước ngoài phối hợp với Ủy ban nhân dân "
             "thành phố Hà Nội tổ chức.")
    assert not r.relevant, r
    assert {"venue", "co_organiser"} <= {e["kind"] for e in r.evidence}


def test_provincial_leader_received_abroad_by_a_foreign_head_of_state_is_local() -> None:
    r = _rel("Chủ tịch nước Lào tiếp Bí thư Tỉnh ủy Sơn La",
             "Chiều 12/3, tại Viêng Chăn, Chủ tịch nước Lào đã tiếp đoàn đại biểu tỉnh Sơn La do Bí thư Tỉnh "
             "ủy dẫn đầu, nhân chuyến thăm hữu nghị. Hai bên trao đổi về hợp tác giữa Sơn La và các tỉnh Bắc Lào.")
    assert r.relevant, r
    assert "foreign_national" in {e["kind"] for e in r.evidence}


# ---- foreign-affairs vocabulary without a foreign partner ----------------------------------


@pytest.mark.parametrize("title, text", [
    ("Khai mạc lớp bồi dưỡng nghiệp vụ đối ngoại năm 2024",
     "Sáng 9/5, Sở Ngoại vụ tỉnh Bình Thuận tổ chức lớp bồi dưỡng nghiệp vụ công tác đối ngoại địa phương "
     "cho 60 cán bộ các sở, ngành, địa phương trong tỉnh. Học viên được nghe giới thiệu về lễ tân đối ngoại."),
    ("Hội nghị tổng kết công tác đối ngoại năm 2024",
     "UBND tỉnh Phú Yên tổ chức hội nghị tổng kết công tác đối ngoại năm 2024 và triển khai nhiệm vụ năm 2025. "
     "Các đại biểu thảo luận về quản lý đoàn ra, đoàn vào."),
    ("Trục xuất một người nước ngoài nhập cảnh trái phép",
     "Công an tỉnh Kiên Giang đã phối hợp trục xuất một công dân nước ngoài nhập cảnh trái phép vào Việt Nam."),
    ("Thông báo tìm đối tác kết nghĩa cho một thành phố Nhật Bản",
     "Thành phố Yamaguchi (Nhật Bản) mong muốn tìm kiếm một địa phương tại Việt Nam để thiết lập quan hệ kết "
     "nghĩa. Thông tin liên hệ qua công ty tư vấn."),
    ("Tổng Lãnh sự quán Hàn Quốc tại TP.HCM tuyển nhân viên",
     "Tổng Lãnh sự quán Hàn Quốc tại TP.HCM thông báo tuyển hai nhân viên hành chính làm việc tại trụ sở."),
])
def test_foreign_affairs_vocabulary_without_a_foreign_partner_is_not_relevant(title: str, text: str) -> None:
    r = _rel(title, text)
    assert not r.relevant, (title, r.score, r.evidence)


# ---- local foreign affairs said in other words ---------------------------------------------


@pytest.mark.parametrize("title, text", [
    ("Lãnh đạo Cần Thơ gặp gỡ các cơ quan lãnh sự",
     "Chiều 2/4, Chủ tịch UBND thành phố Cần Thơ có cuộc gặp đại diện các cơ quan lãnh sự tại thành phố, "
     "mong tiếp tục nhận được sự ủng hộ của cộng đồng quốc tế."),
    ("LG muốn tăng vốn ở Hải Phòng",
     "Sáng 6/6, Chủ tịch UBND thành phố Hải Phòng đã tiếp và làm việc với Phó tổng giám đốc LG Display. "
     "Ông cho biết Hàn Quốc là đối tác hàng đầu của thành phố về thu hút vốn FDI."),
    ("Thành phố Bằng Tường chúc Tết phường biên giới",
     "Ngày 2/2, tại phường Đồng Đăng (tỉnh Lạng Sơn), đoàn đại biểu thành phố Bằng Tường (Trung Quốc) do "
     "Bí thư Thành ủy Bằng Tường dẫn đầu đã sang chúc Tết. Đón tiếp đoàn có lãnh đạo phường Đồng Đăng."),
    ("Công tác đối ngoại của Hà Giang năm 2023",
     "Năm 2023, công tác đối ngoại của tỉnh Hà Giang đạt nhiều kết quả tích cực. Phóng viên phỏng vấn "
     "Giám đốc Sở Ngoại vụ tỉnh Hà Giang về kết quả và định hướng năm 2024."),
])
def test_local_foreign_affairs_in_other_words_is_relevant(title: str, text: str) -> None:
    r = _rel(title, text)
    assert r.relevant, (title, r.score, r.evidence)


# ---- short excerpts: the decision does not wait for absent paragraphs ----------------------


def test_a_900_character_excerpt_decides_like_the_whole_article() -> None:
    head = ("Tỉnh Hà Tĩnh và tỉnh Khăm Muộn (Lào) ký kết thỏa thuận hợp tác",
            "Sáng 15/5, tại thành phố Hà Tĩnh, Chủ tịch UBND tỉnh Hà Tĩnh và Tỉnh trưởng tỉnh Khăm Muộn đã "
            "hội đàm và ký kết thỏa thuận hợp tác giai đoạn 2025-2030 về nông nghiệp, giáo dục và biên giới.")
    tail = "\n".join(f"Đoạn {i}: thông tin thêm về thời tiết, giá cả và đời sống người dân." for i in range(60))
    whole = _rel(head[0], head[1] + "\n" + tail)
    short = _rel(head[0], (head[1] + "\n" + tail)[:900])
    assert whole.relevant and short.relevant
    assert abs(whole.score - short.score) < 0.15


# ---- the shared labelled sets (real articles) ------------------------------------------------


@pytest.mark.skipif(not (SHARED / "relevance" / "more.jsonl").is_file(), reason="shared relevance sets absent")
def test_dev_and_more_sets_f1_and_hard_negatives() -> None:
    items = []
    for name in ("dev.jsonl", "more.jsonl"):
        lines = (SHARED / "relevance" / name).read_text(encoding="utf-8").splitlines()
        items += [json.loads(x) for x in lines if x.strip()]
    tp = fp = fn = hard = hard_ok = 0
    for it in items:
        pred = score({"title": it["title"], "text": it["text"]}).relevant
        gold = it["label"] == "positive"
        tp += gold and pred
        fp += pred and not gold
        fn += gold and not pred
        if not gold and it.get("hard"):
            hard += 1
            hard_ok += not pred
    f1 = 2 * tp / (2 * tp + fp + fn)
    assert f1 >= 0.95, (tp, fp, fn)
    assert hard_ok >= 0.95 * hard, (hard_ok, hard)
