"""Foreign-affairs activities (pipeline/activities, db/activities.py, presswatch activities/classify).

The example articles are written here (invented people and events): one per kind, one per date form,
negatives that share the vocabulary, and two reports of one event that must share one activity row."""

from __future__ import annotations

import io
import json
from pathlib import Path
from typing import Any

import pytest

from pipeline.activities import KINDS, extract_activities
from pipeline.activities.dates import event_date

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared" / "relevance"


def art(title: str, text: str, published: str | None = "2025-11-13") -> dict[str, Any]:
    return {"title": title, "text": text, "published": published}


KIND_CASES = [
    ("doan_vao", art("Chủ tịch UBND tỉnh Quảng Trị tiếp Đại sứ Nhật Bản",
                     "Sáng 12/11, Chủ tịch UBND tỉnh Quảng Trị Trần Văn Bình đã tiếp Đại sứ Nhật Bản tại Việt "
                     "Nam Ito Naoki đến thăm và làm việc tại tỉnh. Hai bên trao đổi về hợp tác đầu tư."),
     "Quảng Trị", ["Nhật Bản"]),
    ("doan_ra", art("Đoàn công tác tỉnh Nghệ An thăm và làm việc tại Lào",
                    "Từ ngày 3-6/11, đoàn công tác của tỉnh Nghệ An do Phó Chủ tịch UBND tỉnh Lê Minh Tâm dẫn "
                    "đầu đã thăm và làm việc tại tỉnh Xiêng Khoảng, Lào. Đoàn đã hội đàm với lãnh đạo tỉnh bạn."),
     "Nghệ An", ["Lào"]),
    ("ky_ket", art("Đà Nẵng và thành phố Daegu (Hàn Quốc) ký kết thỏa thuận hợp tác",
                   "Chiều 10/11, tại Đà Nẵng, UBND thành phố Đà Nẵng và chính quyền thành phố Daegu (Hàn Quốc) "
                   "đã ký kết thỏa thuận hợp tác hữu nghị giai đoạn 2025-2030."),
     "Đà Nẵng", ["Hàn Quốc"]),
    ("su_kien_quoc_te", art("Cần Thơ tổ chức Lễ kỷ niệm 30 năm quan hệ ngoại giao Việt Nam - Hàn Quốc",
                            "Tối 11/11, UBND thành phố Cần Thơ tổ chức Lễ kỷ niệm 30 năm thiết lập quan hệ ngoại "
                            "giao Việt Nam - Hàn Quốc với sự tham dự của Tổng Lãnh sự Hàn Quốc."),
     "Cần Thơ", ["Hàn Quốc"]),
    ("xuc_tien", art("Bình Dương tổ chức Hội nghị xúc tiến đầu tư tại Nhật Bản",
                     "Ngày 5/11, tỉnh Bình Dương tổ chức Hội nghị xúc tiến đầu tư tại thủ đô Tokyo, Nhật Bản "
                     "với hơn 200 doanh nghiệp Nhật Bản tham dự."),
     "Bình Dương", ["Nhật Bản"]),
    ("nguoi_viet_nn", art("TP Hồ Chí Minh họp mặt kiều bào mừng Xuân",
                          "Tối 9/11, Thành ủy, UBND TP Hồ Chí Minh tổ chức họp mặt 800 kiều bào về quê đón Tết."),
     "Thành phố Hồ Chí Minh", []),
]


@pytest.mark.parametrize(("kind", "article", "locality", "countries"), KIND_CASES, ids=[c[0] for c in KIND_CASES])
def test_one_activity_per_kind_with_locality_and_partner(kind: str, article: dict[str, Any], locality: str,
                                                         countries: list[str]) -> None:
    acts = extract_activities(article)
    assert acts, "no activity found"
    a = acts[0]
    assert a.kind == kind
    assert a.locality == locality
    assert a.partner_countries == countries
    assert a.evidence and a.evidence in article["title"] + "\n" + article["text"]
    assert set(a.to_dict()) == {"kind", "date", "locality", "partner_countries", "partners", "leaders", "venue",
                                "evidence"}
    assert a.kind in KINDS


def test_leaders_are_split_from_their_titles_with_their_side() -> None:
    a = extract_activities(KIND_CASES[0][1])[0]
    assert {"side": "vn", "title": "Chủ tịch UBND tỉnh Quảng Trị", "name": "Trần Văn Bình"} in a.leaders
    assert {"side": "foreign", "title": "Đại sứ Nhật Bản tại Việt Nam", "name": "Ito Naoki"} in a.leaders


@pytest.mark.parametrize(("sentence", "published", "want"), [
    ("Sáng 12/11, Chủ tịch UBND tỉnh tiếp Đại sứ", "2025-11-13", "2025-11-12"),
    ("ngày 3-4/6, đoàn công tác làm việc tại Lào", "2024-06-10", "2024-06-03"),
    ("Trong 2 ngày 28 và 29-11, đoàn tham dự hội nghị", "2025-11-30", "2025-11-28"),
    ("Tuần qua, đoàn công tác của tỉnh đã thăm Lào", "2024-06-10", "2024-06-03"),
    ("Sáng nay, lãnh đạo tỉnh tiếp đoàn", "2024-06-10T08:00:00+07:00", "2024-06-10"),
    ("Ngày 27/2/2020, Chủ tịch UBND thành phố tiếp Tổng Lãnh sự", None, "2020-02-27"),
    ("Ngày 29/12, tỉnh tiếp đoàn Lào chúc Tết", "2025-01-05", "2024-12-29"),
    ("Vào ngày 21/10 vừa qua, hai bên ký kết", None, None),  # no year anywhere
    ("Chủ tịch UBND tỉnh tiếp Đại sứ Hàn Quốc", "2025-11-13", None),  # the text says no date
    ("Lễ kỷ niệm (22/12/1992 – 22/12/2022) quan hệ ngoại giao", "2022-12-20", None),  # anniversary span
    ("Thứ Năm, 28/09/2023 15:00:00 (GMT+7)", "2023-09-28", None),  # a dateline
])
def test_event_dates(sentence: str, published: str | None, want: str | None) -> None:
    assert event_date(sentence, published) == want


def test_relative_date_resolved_against_publication_in_an_article() -> None:
    a = extract_activities(art("Lãnh đạo tỉnh Lạng Sơn tiếp Tổng Lãnh sự Trung Quốc",
                               "Tuần qua, Chủ tịch UBND tỉnh Lạng Sơn đã tiếp Tổng Lãnh sự Trung Quốc tại Hà Nội.",
                               "2025-03-20"))
    assert a and a[0].date == "2025-03-13"


@pytest.mark.parametrize("article", [
    art("Thủ tướng tiếp Đại sứ Nhật Bản", "Chiều 11/11, tại Hà Nội, Thủ tướng tiếp Đại sứ Nhật Bản tại Việt Nam."),
    art("Giá vàng hôm nay tăng mạnh", "Sáng 12/11, giá vàng trong nước tăng theo thế giới."),
    art("Tỉnh Hòa Bình tổ chức giải marathon", "Sáng 12/11, UBND tỉnh tổ chức giải chạy cho 5.000 vận động viên."),
    art("Năm 2024, tỉnh đã ký kết 12 thỏa thuận quốc tế", "Năm 2024, tỉnh đã ký kết 12 thỏa thuận với các đối tác."),
])
def test_no_activity_is_invented(article: dict[str, Any]) -> None:
    assert extract_activities(article) == []


def test_not_relevant_gives_nothing() -> None:
    assert extract_activities(KIND_CASES[0][1], relevant=False) == []


def test_bad_field_type_is_a_clear_error() -> None:
    with pytest.raises(TypeError, match="title"):
        extract_activities({"title": 3, "text": "x"})


def test_classify_adds_activities_and_reads_published() -> None:
    from pipeline.relevance import classify_jsonl

    a = dict(KIND_CASES[2][1])
    a["published"] = "2024-11-20"
    out = io.StringIO()
    classify_jsonl(io.StringIO(json.dumps(a, ensure_ascii=False) + "\n{\"title\": \"Giá vàng\"}\n"), out)
    first, second = (json.loads(x) for x in out.getvalue().splitlines())
    assert first["activities"][0]["kind"] == "ky_ket"
    assert first["activities"][0]["date"] == "2024-11-10"
    assert set(first["activities"][0]["leaders"][0]) == {"side", "title", "name"} if first["activities"][0][
        "leaders"] else True
    assert second["activities"] == []


def _store(db: Any, url: str, title: str, text: str, site: str = "a") -> int:
    from pipeline.article import Article
    from pipeline.process import ingest

    art_ = Article(url=url, title=title, text=text, site=None, published="2025-11-12T10:00:00+07:00")
    new = ingest(db, art_, "<html></html>")
    assert new is not None
    return new


REPORT_1 = ("Lãnh đạo tỉnh Lào Cai tiếp đoàn tỉnh Vân Nam (Trung Quốc)",
            "Sáng 12/11, Bí thư Tỉnh ủy Lào Cai Hoàng Minh Đức đã tiếp đoàn công tác tỉnh Vân Nam (Trung Quốc) "
            "do Phó Tỉnh trưởng Lý Hạo dẫn đầu. Hai bên bàn về tuyến đường sắt Hà Nội - Lào Cai - Hải Phòng "
            "và hợp tác thương mại qua cửa khẩu.")
REPORT_2 = ("Bí thư Tỉnh ủy Lào Cai tiếp đoàn công tác tỉnh Vân Nam",
            REPORT_1[1].replace("Sáng 12/11, ", "Sáng 12/11, tại trụ sở Tỉnh ủy, "))


def test_stored_with_the_article_acting_locality_and_one_row_per_story(tmp_db: Any) -> None:
    from db.activities import list_activities

    a1 = _store(tmp_db, "https://a.example/1", *REPORT_1)
    row = tmp_db.execute("SELECT provinces, acting_provinces, story_id FROM articles WHERE id = ?", [a1]).fetchone()
    assert "Hải Phòng" in json.loads(row[0])  # mentioned (the railway) ...
    assert json.loads(row[1]) == ["Lào Cai"]  # ... but only Lào Cai acts
    a2 = _store(tmp_db, "https://b.example/2", *REPORT_2)
    story = tmp_db.execute("SELECT story_id FROM articles WHERE id = ?", [a2]).fetchone()[0]
    assert story == row[2], "the two reports should be one story (a near copy)"
    acts = list_activities(tmp_db)
    assert len(acts) == 1
    assert {r["id"] for r in acts[0]["reports"]} == {a1, a2}
    assert acts[0]["venue"] == "tại trụ sở Tỉnh ủy"  # the more complete report's fields
    assert acts[0]["date"] == "2025-11-12" and acts[0]["kind"] == "doan_vao"


def test_rescore_fills_activities_for_stored_articles(tmp_db: Any) -> None:
    from db.activities import activities_of_article
    from pipeline.process import refresh_activities

    a1 = _store(tmp_db, "https://a.example/1", *REPORT_1)
    tmp_db.execute("DELETE FROM article_activities")
    tmp_db.execute("DELETE FROM activities")
    tmp_db.execute("UPDATE articles SET acting_provinces = NULL")
    assert activities_of_article(tmp_db, a1) == []
    assert refresh_activities(tmp_db, a1, {"score": 0.9, "relevant": True}) == 1
    assert activities_of_article(tmp_db, a1)[0]["locality"] == "Lào Cai"
    assert refresh_activities(tmp_db, a1, {"score": 0.1, "relevant": False}) == 0
    assert tmp_db.execute("SELECT count(*) FROM activities").fetchone()[0] == 0  # orphans go


def test_alert_province_filter_uses_acting_localities() -> None:
    from pipeline.alerts.subscriptions import Subscription

    sub = Subscription(name="hp", provinces=("Hải Phòng",))
    rel = {"score": 0.9, "relevant": True, "provinces": ["Lào Cai", "Hải Phòng"], "countries": []}
    assert sub.match({"title": "t", "relevance": rel}) is not None  # no activity known: mentions
    assert sub.match({"title": "t", "relevance": rel, "acting_provinces": ["Lào Cai"]}) is None


def test_activities_command_formats(tmp_db: Any, tmp_path: Path) -> None:
    from click.testing import CliRunner

    from pipeline.cli.activities import activities

    _store(tmp_db, "https://a.example/1", *REPORT_1)
    path = tmp_db.conn.execute("PRAGMA database_list").fetchone()[2]
    r = CliRunner().invoke(activities, ["--db", path, "--province", "Lào Cai", "--from", "2025-11-01",
                                        "--to", "2025-11-30", "--format", "json"])
    assert r.exit_code == 0, r.output
    rows = json.loads(r.output)
    assert rows[0]["kind"] == "doan_vao" and rows[0]["reports"][0]["url"] == "https://a.example/1"
    r = CliRunner().invoke(activities, ["--db", path, "--province", "Hà Nội", "--format", "csv"])
    assert r.exit_code == 0 and r.output.strip() == ",".join(
        ("date", "kind", "locality", "partner_countries", "partners", "leaders", "venue", "evidence", "reports"))
    r = CliRunner().invoke(activities, ["--db", path, "--format", "md", "--since", "100000d"])
    assert r.exit_code == 0 and "| 2025-11-12 | Đoàn vào | Lào Cai |" in r.output
    r = CliRunner().invoke(activities, ["--db", path, "--since", "soon"])
    assert r.exit_code != 0 and "90d" in r.output


@pytest.mark.skipif(not (SHARED / "activities.jsonl").exists(), reason="../shared/relevance absent")
def test_labelled_negatives_get_no_activity_when_not_relevant() -> None:
    from pipeline.relevance import score

    arts = [json.loads(x) for f in ("dev.jsonl", "more.jsonl")
            for x in (SHARED / f).read_text(encoding="utf-8").splitlines() if x.strip()]
    neg = [a for a in arts if a["label"] != "positive"]
    invented = [a["id"] for a in neg if extract_activities(a, relevant=score(a).relevant)]
    assert len(invented) <= 2, invented


def test_refresh_article_rewrites_the_activities_of_a_reextracted_article(tmp_db: Any) -> None:
    from db.activities import activities_of_article
    from pipeline.article import Article
    from pipeline.process import refresh_article

    a1 = _store(tmp_db, "https://a.example/1", *REPORT_1)
    title, text = KIND_CASES[2][1]["title"], KIND_CASES[2][1]["text"]
    refresh_article(tmp_db, a1, Article(url="", title=title, text=text, published="2025-11-12T10:00:00+07:00"))
    acts = activities_of_article(tmp_db, a1)
    assert [(a["kind"], a["locality"]) for a in acts] == [("ky_ket", "Đà Nẵng")]
    acting = tmp_db.execute("SELECT acting_provinces FROM articles WHERE id = ?", [a1]).fetchone()[0]
    assert json.loads(acting) == ["Đà Nẵng"]
    assert tmp_db.execute("SELECT count(*) FROM activities").fetchone()[0] == 1  # the old one is gone


# ---- đoàn ra: who travels where (issue 19 review) --------------------------------------------------------
# every sentence below is invented; the destination or venue decides the direction, not the trigger verb

OUTGOING = [
    ("Đoàn công tác tỉnh Quảng Ninh thăm tỉnh Quảng Tây",
     "Từ ngày 2 đến 4/12, đoàn công tác tỉnh Quảng Ninh do Phó Bí thư Tỉnh ủy Vũ Thị Hạnh dẫn đầu đã có chuyến "
     "thăm hữu nghị.", "Quảng Ninh", "Trung Quốc"),
    ("", "Từ ngày 2 đến 5/12, đoàn đại biểu thành phố Đà Nẵng do Chủ tịch UBND thành phố Lê Minh Hòa dẫn đầu đã "
         "thăm và làm việc tại thành phố Daegu, Hàn Quốc.", "Đà Nẵng", "Hàn Quốc"),
    ("", "Ngày 8/10, tại thủ đô Viêng Chăn, đoàn công tác tỉnh Quảng Trị đã hội đàm với lãnh đạo tỉnh Savannakhet "
         "về hợp tác biên giới.", "Quảng Trị", "Lào"),
    ("", "Đoàn đại biểu tỉnh Cao Bằng đã sang thăm Khu tự trị dân tộc Choang Quảng Tây, Trung Quốc từ ngày 10 đến "
         "12/9.", "Cao Bằng", "Trung Quốc"),
    ("", "Chiều 15/10 (giờ địa phương), tại Tokyo, Bí thư Tỉnh ủy Bắc Ninh Nguyễn Văn Hải đã tiếp Chủ tịch Tập đoàn "
         "Canon Nhật Bản.", "Bắc Ninh", "Nhật Bản"),
    ("", "Ngày 6/11, Phó Chủ tịch UBND tỉnh Lạng Sơn Đoàn Thu Hà dẫn đầu đoàn công tác của tỉnh sang thăm thành phố "
         "Sùng Tả (Trung Quốc).", "Lạng Sơn", "Trung Quốc"),
    ("", "ngày 20/11, đoàn đại biểu tỉnh lào cai đã thăm và làm việc tại tỉnh vân nam, trung quốc.", "Lào Cai",
     "Trung Quốc"),
    ("", "Trong chuyến công tác tại Hàn Quốc, ngày 9/9, Chủ tịch UBND tỉnh Thái Nguyên Trịnh Việt Hùng đã làm việc "
         "với lãnh đạo tỉnh Gyeonggi.", "Thái Nguyên", "Hàn Quốc"),
]
INCOMING = [
    "Ngày 5/12, đoàn đại biểu tỉnh Vân Nam (Trung Quốc) do Phó Tỉnh trưởng Lý Minh dẫn đầu đã thăm và làm việc tại "
    "tỉnh Lào Cai.",
    "Sáng 3/12, tại trụ sở UBND tỉnh, Chủ tịch UBND tỉnh Quảng Trị Võ Văn Hưng tiếp Đại sứ Lào tại Việt Nam "
    "Khamphao Ernthavanh.",
    "Ngày 9/11, đoàn công tác thành phố Côn Minh (Trung Quốc) sang thăm và làm việc với UBND thành phố Hải Phòng.",
    "Ngày 9/11, tại Hà Nội, Bí thư Tỉnh ủy Lào Cai Đặng Xuân Phong đã hội kiến Tỉnh trưởng tỉnh Vân Nam Vương Dữ Ba.",
]


@pytest.mark.parametrize(("title", "text", "locality", "country"), OUTGOING, ids=[f"out{i}" for i in range(8)])
def test_a_local_delegation_going_abroad_is_doan_ra(title: str, text: str, locality: str, country: str) -> None:
    acts = extract_activities(art(title, text, "2025-12-06"))
    assert acts and acts[0].kind == "doan_ra", acts
    assert acts[0].locality == locality and country in acts[0].partner_countries
    assert acts[0].date is not None


@pytest.mark.parametrize("text", INCOMING, ids=[f"in{i}" for i in range(4)])
def test_a_foreign_delegation_received_at_home_is_doan_vao(text: str) -> None:
    acts = extract_activities(art("", text, "2025-12-06"))
    assert acts and acts[0].kind == "doan_vao", acts


def test_a_venue_abroad_is_never_doan_vao() -> None:
    for title, text, _loc, _c in OUTGOING:
        for a in extract_activities(art(title, text, "2025-12-06")):
            assert not (a.kind == "doan_vao" and a.venue and any(
                w in a.venue for w in ("Daegu", "Viêng Chăn", "Tokyo", "vân nam", "Hàn Quốc"))), a


@pytest.mark.parametrize("text", [
    "Đoàn đại biểu tỉnh Lạng Sơn đã sang thăm thành phố Bằng Tường, Trung Quốc từ ngày 3 đến 5/12.",
    "Đoàn công tác thành phố Hải Phòng sang thăm và làm việc tại thành phố Quảng Châu, Trung Quốc.",
    "Đoàn công tác tỉnh Nghệ An do Phó Chủ tịch UBND tỉnh dẫn đầu đã sang công tác tại tỉnh Xiêng Khoảng (Lào).",
    "Đoàn đại biểu tỉnh Quảng Trị đã thăm và làm việc tại tỉnh Savannakhet, Lào từ ngày 2 đến 5/12.",
])
def test_an_outgoing_delegation_alone_is_relevant(text: str) -> None:
    from pipeline.relevance import score

    a = art("", text, "2025-12-06")
    assert score(a).relevant
    acts = extract_activities(a)
    assert acts and acts[0].kind == "doan_ra"


# ---- each activity's fields come from its own sentences ---------------------------------------------------

TWO_ACTS = [
    (art("Nghệ An tiếp Đại sứ Lào và thăm tỉnh bạn",
         "Ngày 1/12, Chủ tịch UBND tỉnh Nghệ An Lê Văn Kiên đã tiếp Đại sứ Lào tại Việt Nam Khamphao Ernthavanh. "
         "Hai bên trao đổi về hợp tác giáo dục. Ngày 4/12, đoàn công tác tỉnh Nghệ An do Phó Chủ tịch UBND tỉnh "
         "Trần Văn Minh dẫn đầu đã thăm và làm việc tại tỉnh Xiêng Khoảng, Lào.", "2025-12-05"),
     ("doan_vao", "2025-12-01", "Lê Văn Kiên", "Lào"),
     ("doan_ra", "2025-12-04", "Trần Văn Minh", "Lào"), "Xiêng Khoảng"),
    (art("Hoạt động đối ngoại của tỉnh Hà Tĩnh trong tuần",
         "Ngày 2/12, đoàn công tác tỉnh Hà Tĩnh do Phó Chủ tịch UBND tỉnh Nguyễn Hồng Lĩnh dẫn đầu đã sang thăm tỉnh "
         "Khăm Muộn, Lào. Ngày 5/12, tại trụ sở UBND tỉnh, Chủ tịch UBND tỉnh Hà Tĩnh Võ Trọng Hải tiếp Tổng Lãnh sự "
         "Hàn Quốc tại Đà Nẵng Kim Dong-bae.", "2025-12-06"),
     ("doan_ra", "2025-12-02", "Nguyễn Hồng Lĩnh", "Lào"),
     ("doan_vao", "2025-12-05", "Võ Trọng Hải", "Hàn Quốc"), "Khăm Muộn"),
    (art("Chủ tịch UBND tỉnh Quảng Bình tiếp Đại sứ Cuba",
         "Sáng 10/9, Chủ tịch UBND tỉnh Quảng Bình Trần Thắng tiếp Đại sứ Cuba tại Việt Nam Rogelio Polanco. "
         "Ngày 12/9, đoàn công tác tỉnh Quảng Bình đã thăm và làm việc tại thành phố Osaka, Nhật Bản.", "2025-09-13"),
     ("doan_vao", "2025-09-10", "Trần Thắng", "Cuba"), ("doan_ra", "2025-09-12", None, "Nhật Bản"), "Osaka"),
]


@pytest.mark.parametrize(("article", "first", "second", "trip_partner"), TWO_ACTS, ids=["nghe-an", "ha-tinh", "qb"])
def test_two_acts_keep_their_own_partner_leaders_venue_and_date(article: dict[str, Any], first: tuple[Any, ...],
                                                                 second: tuple[Any, ...], trip_partner: str) -> None:
    acts = extract_activities(article)
    assert len(acts) == 2, acts
    for a, (kind, date, leader, country) in zip(acts, (first, second), strict=True):
        assert (a.kind, a.date, a.partner_countries) == (kind, date, [country])
        names = [p["name"] for p in a.leaders]
        if leader:
            assert leader in names
        other = second[2] if a is acts[0] else first[2]
        assert other not in names
    trip = next(a for a in acts if a.kind == "doan_ra")
    home = next(a for a in acts if a.kind == "doan_vao")
    assert any(trip_partner in p for p in trip.partners) or trip_partner in (trip.venue or "")
    assert not any(trip_partner in p for p in home.partners) and trip_partner not in (home.venue or "")


# ---- publication dates: Vietnam time, Vietnamese forms, a warning for the rest ----------------------------

@pytest.mark.parametrize(("published", "want"), [
    ("2025-12-02T20:00:00Z", "2025-12-03"),  # 03:00 on 3 December in Vietnam
    ("2025-12-02T16:59:00+00:00", "2025-12-02"),
    ("2025-12-03T01:00:00+07:00", "2025-12-03"),
    ("2025-12-03 08:15", "2025-12-03"),  # no offset: Vietnam time
    ("03/12/2025", "2025-12-03"),
    ("3-12-2025 15:30", "2025-12-03"),
    ("Thứ Tư, 03/12/2025 - 15:30", "2025-12-03"),
])
def test_relative_dates_use_the_publication_day_in_vietnam(published: str, want: str) -> None:
    a = extract_activities(art("Lãnh đạo tỉnh Lạng Sơn tiếp Tổng Lãnh sự Trung Quốc",
                               "Sáng nay, Chủ tịch UBND tỉnh Lạng Sơn tiếp Tổng Lãnh sự Trung Quốc tại Nam Ninh.",
                               published))
    assert a and a[0].date == want


def test_classify_echoes_ids_and_warns_about_an_unreadable_published() -> None:
    from pipeline.relevance import classify_jsonl

    base = {"title": "Lãnh đạo tỉnh Lạng Sơn tiếp Tổng Lãnh sự Trung Quốc",
            "text": "Sáng nay, Chủ tịch UBND tỉnh Lạng Sơn tiếp Tổng Lãnh sự Trung Quốc."}
    lines = [base | {"id": "a-1", "published": "2025-12-02T20:00:00Z"},
             base | {"id": 7, "published": "03/12/2025"},
             base | {"id": "bad-date", "published": "hôm qua"},
             base | {"published": 20251203},
             {"id": "no-text", "url": "x"},
             base]
    out = io.StringIO()
    classify_jsonl(io.StringIO("\n".join(json.dumps(x, ensure_ascii=False) for x in lines) + "\n"), out)
    rows = [json.loads(x) for x in out.getvalue().splitlines()]
    assert [r.get("id") for r in rows] == ["a-1", 7, "bad-date", None, "no-text", None]
    assert rows[0]["activities"][0]["date"] == "2025-12-03" and "warning" not in rows[0]
    assert rows[1]["activities"][0]["date"] == "2025-12-03" and "warning" not in rows[1]
    assert rows[2]["activities"][0]["date"] is None and "hôm qua" in rows[2]["warning"]
    assert "published" in rows[3]["warning"] and rows[3]["activities"][0]["date"] is None
    assert "error" in rows[4]
    assert "id" not in rows[5] and "warning" not in rows[5]


# ---- lower-case text: venue, leaders and partners after cue words ----------------------------------------

LOWER = [
    ("sáng 12/11, tại trụ sở ubnd tp. hồ chí minh, phó chủ tịch ubnd tp. hồ chí minh nguyễn văn an đã tiếp đoàn "
     "công tác tp. osaka (nhật bản).", "tại trụ sở ubnd tp. hồ chí minh",
     ("phó chủ tịch ubnd tp. hồ chí minh", "nguyễn văn an"), "thành phố Osaka", "Nhật Bản"),
    ("sáng 4/11, tại trụ sở ubnd tỉnh quảng ninh, phó chủ tịch ubnd tỉnh quảng ninh bùi văn khắng tiếp đoàn công tác "
     "thành phố osaka (nhật bản).", "tại trụ sở ubnd tỉnh quảng ninh",
     ("phó chủ tịch ubnd tỉnh quảng ninh", "bùi văn khắng"), "thành phố Osaka", "Nhật Bản"),
    ("sáng 12/11, bí thư tỉnh ủy quảng ninh lê văn hùng đã tiếp đoàn đại biểu tỉnh quảng tây (trung quốc) tại hội "
     "trường tỉnh ủy quảng ninh.", "tại hội trường tỉnh ủy quảng ninh", ("bí thư tỉnh ủy quảng ninh", "lê văn hùng"),
     "tỉnh Quảng Tây", "Trung Quốc"),
    ("Sáng 12/11, tại trụ sở UBND TP. Hồ Chí Minh, Chủ tịch UBND TP. Hồ Chí Minh Trần Văn Bình tiếp Thị trưởng thành "
     "phố Osaka.", "tại trụ sở UBND TP. Hồ Chí Minh", ("Chủ tịch UBND TP. Hồ Chí Minh", "Trần Văn Bình"),
     "thành phố Osaka", "Nhật Bản"),
    ("chiều 7/11, bí thư thành ủy hải phòng lê tiến châu tiếp tổng lãnh sự trung quốc tại tp. hồ chí minh.", None,
     ("bí thư thành ủy hải phòng", "lê tiến châu"), None, "Trung Quốc"),
]


@pytest.mark.parametrize(("text", "venue", "leader", "partner", "country"), LOWER, ids=[f"lc{i}" for i in range(5)])
def test_lower_case_venue_leaders_and_partners(text: str, venue: str | None, leader: tuple[str, str],
                                               partner: str | None, country: str) -> None:
    acts = extract_activities(art("", text, "2025-11-20"))
    assert acts and acts[0].kind == "doan_vao"
    a = acts[0]
    assert a.venue == venue
    assert {"side": "vn", "title": leader[0], "name": leader[1]} in a.leaders
    if partner:
        assert partner in a.partners
    assert a.partner_countries == [country]
