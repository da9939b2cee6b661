"""Relevance to local foreign affairs: hard cases on short texts written for these tests."""

from __future__ import annotations

import io
import json
import shutil
import unicodedata
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from config import CONFIG_DIR, ConfigError
from pipeline.article import Article
from pipeline.relevance import Relevance, classify_jsonl, load_lexicon, score

SHARED = Path(__file__).resolve().parents[1].parent / "shared"

LOCAL_RECEIVES_AMBASSADOR = {
    "title": "Chủ tịch UBND tỉnh Quảng Bình tiếp Đại sứ Hàn Quốc",
    "text": (
        "Chiều 5/6, Chủ tịch UBND tỉnh Quảng Bình đã tiếp xã giao Đại sứ Hàn Quốc tại Việt Nam.\n\n"
        "Hai bên trao đổi về hợp tác trong lĩnh vực du lịch, giáo dục và thu hút doanh nghiệp "
        "Hàn Quốc đầu tư vào tỉnh."
    ),
}
PM_TALKS = {
    "title": "Thủ tướng hội đàm với Thủ tướng Hàn Quốc",
    "text": (
        "Chiều 5/6, tại Seoul, Thủ tướng Chính phủ đã hội đàm với Thủ tướng Hàn Quốc.\n\n"
        "Hai Thủ tướng nhất trí tăng cường hợp tác đầu tư, thương mại và lao động; Bộ Ngoại giao "
        "hai nước sẽ phối hợp chuẩn bị các chuyến thăm cấp cao."
    ),
}


def _rel(title: str, text: str = "", **kw: str) -> Relevance:
    return score({"title": title, "text": text, **kw})


# ---- places: Lào vs Lào Cai, Hòa Bình vs hòa bình, old and new names --------------------------


def test_lao_cai_is_a_province_not_the_country_laos() -> None:
    r = _rel("Lào Cai đẩy mạnh xuất khẩu nông sản", "Tỉnh Lào Cai có nhiều cửa khẩu.")
    assert r.provinces == ["Lào Cai"]
    assert r.countries == []


def test_lao_and_lao_cai_together() -> None:
    r = _rel("Lào Cai hợp tác với tỉnh Phông-xa-lỳ của Lào")
    assert r.provinces == ["Lào Cai"]
    assert r.countries == ["Lào"]
    r = _rel("Đoàn công tác Lào thăm Lào Cai")
    assert (r.provinces, r.countries) == (["Lào Cai"], ["Lào"])


def test_hoa_binh_province_needs_a_prefix_peace_is_not_a_place() -> None:
    assert _rel("Chung tay vì hòa bình và hữu nghị").provinces == []
    assert _rel("Vì Hòa Bình Và Hữu Nghị Giữa Các Dân Tộc").provinces == []
    assert _rel("Phó Thủ tướng Nguyễn Hòa Bình làm việc tại Nam Định").provinces == ["Nam Định"]
    r = _rel("Mưa lớn gây sạt lở tại tỉnh Hòa Bình")
    assert r.provinces == ["Hòa Bình"]
    assert r.units_2025 == ["Phú Thọ"]


def test_pacific_ocean_is_not_thai_binh_or_binh_duong() -> None:
    r = _rel("Diễn đàn Hợp tác Kinh tế châu Á - Thái Bình Dương (APEC)")
    assert r.provinces == []
    assert r.countries == ["APEC"]


def test_pre_merger_names_kept_and_mapped_to_their_2025_unit() -> None:
    r = _rel("Bình Dương tiếp đoàn doanh nghiệp Singapore", "Đoàn thăm Quảng Nam và Hà Giang.")
    assert r.provinces == ["Bình Dương", "Quảng Nam", "Hà Giang"]
    assert r.units_2025 == ["Thành phố Hồ Chí Minh", "Đà Nẵng", "Tuyên Quang"]
    assert r.countries == ["Singapore"]


def test_hcmc_short_forms_but_not_president_ho_chi_minh() -> None:
    for form in ("TP.HCM", "TPHCM", "TP Hồ Chí Minh", "TP. HCM", "Sài Gòn", "Thành phố Hồ Chí Minh"):
        assert _rel(f"{form} đón kiều bào về quê ăn Tết").provinces == ["Thành phố Hồ Chí Minh"], form
    assert _rel("Dâng hương tưởng niệm Chủ tịch Hồ Chí Minh").provinces == []
    assert _rel("Thừa Thiên Huế và Huế").units_2025 == ["Huế"]


def test_short_country_names_that_are_common_words_or_given_names() -> None:
    r = _rel("Ông Nguyễn Đức Trung dự khai trương tại Mỹ Đình và Nhà thờ Đức Bà")
    assert r.countries == []
    r = _rel("Hà Nội hợp tác với Đức và Mỹ", "Doanh nghiệp tại Đức, Tổng thống Mỹ phát biểu.")
    assert r.countries == ["Đức", "Hoa Kỳ"]
    assert _rel("Ý kiến cử tri về pháp luật và biện pháp").countries == []


def test_title_in_capitals_still_names_places() -> None:
    r = _rel("ĐOÀN ĐẠI BIỂU TỈNH QUẢNG NAM THĂM TỈNH SÊ KÔNG (LÀO)")
    assert r.provinces == ["Quảng Nam"]
    assert r.countries == ["Lào"]
    assert _rel("UBND TP.HCM TIẾP ĐOÀN ASEAN").provinces == ["Thành phố Hồ Chí Minh"]


def test_foreign_provinces_report_their_country() -> None:
    r = _rel("Tây Ninh ký kết với Svay Rieng và Prey Veng", "Quảng Trị hội đàm với Savannakhet.")
    assert r.provinces == ["Tây Ninh", "Quảng Trị"]
    assert r.countries == ["Campuchia", "Lào"]


# ---- normalisation: tone placement and NFD ---------------------------------------------------


def test_tone_variants_and_nfd_input_score_the_same() -> None:
    base = _rel("UBND tỉnh Thanh Hóa tiếp Đại sứ Lào", "Hai bên thúc đẩy quan hệ hữu nghị, hợp tác.")
    old_tones = _rel("UBND tỉnh Thanh Hoá tiếp Đại sứ Lào", "Hai bên thúc đẩy quan hệ hữu nghị, hợp tác.")
    nfd = score({k: unicodedata.normalize("NFD", v) for k, v in
                 {"title": "UBND tỉnh Thanh Hóa tiếp Đại sứ Lào",
                  "text": "Hai bên thúc đẩy quan hệ hữu nghị, hợp tác."}.items()})
    assert base.provinces == old_tones.provinces == nfd.provinces == ["Thanh Hóa"]
    assert base.countries == nfd.countries == ["Lào"]
    assert base.score == old_tones.score == nfd.score
    assert base.relevant


# ---- national vs local, passing mentions -----------------------------------------------------


def test_local_leader_receiving_an_ambassador_is_relevant() -> None:
    r = score(LOCAL_RECEIVES_AMBASSADOR)
    assert r.relevant
    assert r.score >= 0.7
    assert r.provinces == ["Quảng Bình"]
    assert r.countries == ["Hàn Quốc"]
    kinds = {(e["term"], e["kind"], e["where"]) for e in r.evidence}
    assert ("UBND tỉnh", "actor", "title") in kinds
    assert ("Hàn Quốc", "country", "title") in kinds
    assert ("tiếp xã giao", "action", "lead") in kinds


def test_national_diplomacy_without_local_actor_is_not_relevant() -> None:
    r = score(PM_TALKS)
    assert not r.relevant
    assert r.score < 0.2
    assert r.provinces == []
    assert any(e["kind"] == "penalty" for e in r.evidence)


def test_foreign_ministry_briefing_is_not_relevant() -> None:
    r = _rel(
        "Người phát ngôn Bộ Ngoại giao trả lời câu hỏi của phóng viên",
        "Tại họp báo thường kỳ, Người phát ngôn Bộ Ngoại giao cho biết Việt Nam và Trung Quốc "
        "tiếp tục trao đổi về hợp tác nghề cá. Bộ Ngoại giao đang bảo hộ công dân tại Myanmar.",
    )
    assert not r.relevant


def test_foreign_football_club_in_hanoi_is_a_passing_mention() -> None:
    r = _rel(
        "CLB Hàn Quốc đá giao hữu tại Hà Nội",
        "Tối qua, câu lạc bộ Pohang của Hàn Quốc có trận giao hữu với Hà Nội FC tại sân Hàng Đẫy. "
        "Các cầu thủ khách thắng 2-1, HLV hai đội đánh giá cao trận đấu.",
    )
    assert not r.relevant
    assert r.countries == ["Hàn Quốc"]
    assert r.provinces == ["Hà Nội"]


def test_tourism_round_up_with_foreign_visitors_is_not_relevant() -> None:
    r = _rel(
        "Đà Nẵng đón hơn 1 triệu lượt khách quốc tế",
        "Theo Sở Du lịch, du khách Hàn Quốc, Nhật Bản và Trung Quốc chiếm phần lớn lượng khách. "
        "Nhiều điểm tham quan ở Hội An kín khách, du khách check-in phố cổ.",
    )
    assert not r.relevant
    assert r.countries == ["Hàn Quốc", "Nhật Bản", "Trung Quốc"]


def test_international_marathon_and_border_gate_jam_are_not_relevant() -> None:
    assert not _rel("Giải marathon quốc tế Huế thu hút 8.000 vận động viên từ 40 quốc gia").relevant
    assert not _rel(
        "Hàng trăm xe container ùn tắc tại cửa khẩu",
        "Xe chở nông sản ùn ứ tại cửa khẩu tỉnh Lạng Sơn do phía Trung Quốc tăng kiểm tra.",
    ).relevant


def test_local_party_congress_without_foreign_partner_is_not_relevant() -> None:
    r = _rel(
        "Khai mạc Đại hội Đảng bộ tỉnh Hà Tĩnh",
        "Bí thư Tỉnh ủy nhấn mạnh tỉnh cần chủ động hội nhập, phát triển nhanh và bền vững.",
    )
    assert not r.relevant
    assert r.score == 0.0


def test_city_as_venue_of_a_national_summit_is_not_relevant() -> None:
    r = _rel(
        "Đà Nẵng: lãnh đạo thành phố kiểm tra công tác chuẩn bị Tuần lễ Cấp cao APEC",
        "Chủ tịch UBND thành phố Đà Nẵng kiểm tra các khách sạn phục vụ đại biểu APEC. Thủ tướng "
        "Chính phủ đã chỉ đạo về công tác lễ tân, đón tiếp các nguyên thủ quốc gia.",
    )
    assert not r.relevant
    assert r.countries == ["APEC"]


def test_congress_speaking_of_integration_and_foreign_investment_is_not_relevant() -> None:
    r = _rel(
        "Đại hội Đảng bộ tỉnh Quảng Ninh xác định hội nhập quốc tế là động lực",
        "Báo cáo chính trị nêu rõ tỉnh tiếp tục mở rộng quan hệ đối ngoại, hội nhập quốc tế, thu hút "
        "đầu tư nước ngoài có chọn lọc. Đại hội đề ra mục tiêu GRDP tăng 10%/năm.",
    )
    assert not r.relevant
    assert not any(e["kind"] == "cooccurrence" for e in r.evidence)


def test_trade_statistics_naming_countries_are_not_relevant() -> None:
    r = _rel(
        "Xuất khẩu của Đồng Nai sang Mỹ tăng 15%",
        "Kim ngạch xuất khẩu của tỉnh 9 tháng đạt 18 tỷ USD; thị trường Mỹ chiếm 30%, tiếp đến là Trung "
        "Quốc, Nhật Bản và EU. UBND tỉnh cho biết doanh nghiệp FDI đóng góp 80% kim ngạch.",
    )
    assert not r.relevant


def test_related_headlines_at_the_bottom_do_not_make_local_news_relevant() -> None:
    r = _rel(
        "Mưa lũ gây thiệt hại nặng tại Nghệ An",
        "Mưa lớn khiến nhiều tuyến đường tại tỉnh Nghệ An bị sạt lở. UBND tỉnh đã huy động lực lượng "
        "khắc phục hậu quả.\n\nChủ tịch UBND tỉnh yêu cầu sơ tán dân khỏi vùng nguy hiểm.\n\n"
        "Tin liên quan\n\nChủ tịch UBND tỉnh Nghệ An tiếp Đại sứ Nhật Bản\n\n"
        "Nghệ An ký kết hợp tác với tỉnh Hủa Phăn (Lào)",
    )
    assert not r.relevant
    assert {"term": "no foreign partner or action in the title or lead", "kind": "penalty",
            "where": "article", "weight": 0.6} in r.evidence


def test_twinning_and_investment_promotion_are_relevant() -> None:
    assert _rel(
        "Hải Phòng kỷ niệm 30 năm kết nghĩa với thành phố Kitakyushu (Nhật Bản)",
        "UBND thành phố Hải Phòng tổ chức lễ kỷ niệm quan hệ thành phố kết nghĩa.",
    ).relevant
    assert _rel(
        "Tiền Giang xúc tiến đầu tư tại Hàn Quốc",
        "Đoàn công tác tỉnh Tiền Giang tổ chức Hội nghị xúc tiến đầu tư tại Seoul.",
    ).relevant
    assert _rel(
        "Sở Ngoại vụ tỉnh Nghệ An làm việc với tỉnh Xiêng Khoảng",
        "Hai bên trao đổi kinh nghiệm công tác đối ngoại và hợp tác với tỉnh bạn Lào.",
    ).relevant


# ---- inputs and outputs ----------------------------------------------------------------------


def test_accepts_article_and_plain_objects_and_description_is_the_lead() -> None:
    art = Article(url="https://example.vn/a", title=LOCAL_RECEIVES_AMBASSADOR["title"],
                  text=LOCAL_RECEIVES_AMBASSADOR["text"])
    assert score(art).score == score(LOCAL_RECEIVES_AMBASSADOR).score
    r = _rel("Tin tức", "Nội dung khác.", description="UBND tỉnh Long An ký kết hợp tác với tỉnh Ibaraki.")
    assert {e["where"] for e in r.evidence if e["kind"] == "actor"} == {"lead"}
    assert r.countries == ["Nhật Bản"]


def test_to_dict_keys_and_json() -> None:
    d = score(LOCAL_RECEIVES_AMBASSADOR).to_dict()
    assert list(d) == ["score", "relevant", "provinces", "countries", "evidence"]
    assert 0.0 <= d["score"] <= 1.0 and d["relevant"] is True
    assert all(set(e) == {"term", "kind", "where", "weight"} for e in d["evidence"])
    assert {e["where"] for e in d["evidence"]} <= {"title", "lead", "body", "article"}
    json.dumps(d, ensure_ascii=False)


def test_empty_article() -> None:
    r = _rel("", "")
    assert (r.score, r.relevant, r.provinces, r.countries, r.evidence) == (0.0, False, [], [], [])


@settings(max_examples=60, deadline=None)
@given(st.text(max_size=300), st.text(max_size=600))
def test_any_text_gives_a_bounded_deterministic_score(title: str, text: str) -> None:
    a, b = _rel(title, text), _rel(title, text)
    assert 0.0 <= a.score <= 1.0
    assert a.to_dict() == b.to_dict()


def test_classify_jsonl_round_trip_with_bad_lines(tmp_path: Path) -> None:
    lines = [
        json.dumps(LOCAL_RECEIVES_AMBASSADOR, ensure_ascii=False),
        "{not json",
        "",
        json.dumps(PM_TALKS, ensure_ascii=False),
        json.dumps([1, 2]),
        json.dumps({"title": 5, "text": "x"}),
        json.dumps({"url": "only"}),
        "[" * 100000 + "]" * 100000,
        '{"title": "\\ud800 UBND tỉnh Lạng Sơn tiếp Đại sứ Trung Quốc", "text": ""}',
    ]
    out = io.StringIO()
    assert classify_jsonl(io.StringIO("\n".join(lines) + "\n"), out) == 8
    rows = [json.loads(x) for x in out.getvalue().splitlines()]
    assert len(rows) == 8
    assert rows[0]["relevant"] is True and rows[0]["provinces"] == ["Quảng Bình"]
    assert set(rows[0]) == {"score", "relevant", "provinces", "countries", "evidence", "activities"}
    assert "error" in rows[1] and "score" not in rows[1]
    assert rows[2]["relevant"] is False
    assert all("error" in r for r in rows[3:7])
    assert rows[7]["provinces"] == ["Lạng Sơn"]
    inp, outp = tmp_path / "in.jsonl", tmp_path / "out.jsonl"
    inp.write_text("\n".join(lines[:2] + lines[-1:]) + "\n", encoding="utf-8")
    assert classify_jsonl(inp, outp) == 3  # a lone surrogate in the input is escaped, not fatal
    written = [json.loads(x) for x in outp.read_text(encoding="utf-8").splitlines()]
    assert [list(r)[0] for r in written] == ["score", "error", "score"]
    assert written[2]["relevant"] is True


# ---- configuration ---------------------------------------------------------------------------


def _config_copy(tmp_path: Path) -> Path:
    for name in ("relevance.toml", "gazetteer.toml", "countries.toml"):
        shutil.copy(CONFIG_DIR / name, tmp_path / name)
    return tmp_path


def test_malformed_lexicon_is_a_clear_error(tmp_path: Path) -> None:
    d = _config_copy(tmp_path)
    (d / "countries.toml").write_text('[[country]]\nname = "Lào"\naliases = ["Lào"\n', encoding="utf-8")
    with pytest.raises(ConfigError, match=r"countries\.toml: not valid TOML"):
        load_lexicon(d)


def test_bad_weight_and_clashing_alias_are_named(tmp_path: Path) -> None:
    d = _config_copy(tmp_path)
    rel = (d / "relevance.toml").read_text(encoding="utf-8")
    rel = rel.replace('"kết nghĩa" = 1.5', '"kết nghĩa" = "high"')
    (d / "relevance.toml").write_text(rel, encoding="utf-8")
    with pytest.raises(ConfigError, match="kết nghĩa"):
        load_lexicon(d)
    (tmp_path / "second").mkdir()
    d2 = _config_copy(tmp_path / "second")
    cty = (d2 / "countries.toml").read_text(encoding="utf-8")
    (d2 / "countries.toml").write_text(cty + '\n[[country]]\nname = "Lào Cai"\n', encoding="utf-8")
    with pytest.raises(ConfigError, match="Lào Cai"):
        load_lexicon(d2)


def test_gazetteer_has_34_units_and_63_pre_merger_names() -> None:
    import tomllib

    gaz = tomllib.loads((CONFIG_DIR / "gazetteer.toml").read_text(encoding="utf-8"))
    names = {p["name"] for p in gaz["province"]}
    units = {p["unit_2025"] for p in gaz["province"]}
    assert len(units) == 34
    assert len(names - {"Huế"}) == 63
    assert units <= names


# ---- the shared dev set (real articles; skipped where /work/shared is absent) ---------------


@pytest.mark.skipif(not (SHARED / "relevance" / "dev.jsonl").is_file(), reason="shared dev set absent")
def test_dev_set_f1() -> None:
    lines = (SHARED / "relevance" / "dev.jsonl").read_text(encoding="utf-8").splitlines()
    items = [json.loads(x) for x in lines if x.strip()]
    tp = fp = fn = 0
    for it in items:
        pred = score({"title": it["title"], "text": it["text"]}).relevant
        gold = it["label"] == "positive"
        tp += gold and pred
        fp += pred and not gold
        fn += gold and not pred
    f1 = 2 * tp / (2 * tp + fp + fn)
    assert f1 >= 0.85, (tp, fp, fn)


@pytest.mark.skipif(not (SHARED / "seeds").is_dir(), reason="shared seeds absent")
def test_seeds_are_relevant() -> None:
    for p in sorted((SHARED / "seeds").glob("*.txt")):
        title, _, text = p.read_text(encoding="utf-8").strip().partition("\n")
        assert score({"title": title, "text": text}).relevant, p.name
