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
