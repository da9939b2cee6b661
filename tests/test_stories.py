"""Story clusters from weighted evidence (pipeline/dedup/evidence.py, eventdate.py, recluster.py):
event dates read from the text, spelling variants unified, explained links, guards against false
merges, the wider window for a matching event date, recluster and alert-stable story ids.
All articles here are invented."""

from __future__ import annotations

from datetime import date

import pytest
from click.testing import CliRunner

from pipeline.article import Article
from pipeline.dedup import analyse, load_config
from pipeline.dedup.eventdate import event_dates
from pipeline.dedup.evidence import features
from pipeline.dedup.minhash import fast_fold
from pipeline.process import refresh_article, store_article

CFG = load_config()


def _add(db, url, title, text, site, published):
    db.execute("INSERT OR IGNORE INTO sites (key, name) VALUES (?, ?)", [site, f"Báo {site.upper()}"])
    a = Article(url=url, title=title, text=text, site=site, published=published)
    a.dedup = analyse(db, a, CFG)
    return store_article(db, a, b"<html></html>")


def _story(db, i):
    return db.execute("SELECT story_id FROM articles WHERE id = ?", [i]).fetchone()[0]


def _link(db, i):
    return db.execute("SELECT story_id, linked_to, explanation FROM story_links WHERE article_id = ?", [i]).fetchone()


# -- event dates --------------------------------------------------------------------------------
def test_event_dates_from_the_lead():
    pub = date(2025, 11, 13)
    assert event_dates("Sáng 12/11, đoàn đã đến thăm.", pub) == [date(2025, 11, 12)]
    assert event_dates("Ngày 3-4/6, hội nghị diễn ra.", date(2025, 6, 5)) == [date(2025, 6, 3), date(2025, 6, 4)]
    assert event_dates("Chiều 30-3, hai bên ký kết.", date(2023, 3, 31)) == [date(2023, 3, 30)]
    # a January report of 30/12 is last year's; an anniversary date of 1992 is history, not the event
    assert event_dates("Tối 30/12, lễ hội khai mạc.", date(2026, 1, 2)) == [date(2025, 12, 30)]
    assert event_dates("Thiết lập quan hệ ngày 22/12/1992.", date(2022, 12, 20)) == []
    assert event_dates("Sáng nay, tỉnh tiếp đoàn; hôm qua đoàn đến.", pub) == [pub, date(2025, 11, 12)]
    assert event_dates("Giai đoạn 2021 - 2025 và năm 2024.", pub) == []


def test_spelling_variants_are_one_key():
    day = date(2025, 12, 1)
    a = features("TP.HCM tiếp đoàn tỉnh Houaphanh", "Lãnh đạo TP.HCM làm việc với tỉnh Houaphanh.", day, CFG)
    b = features("Thành phố Hồ Chí Minh và Hủa Phăn", "Thành phố Hồ Chí Minh đón đoàn Hủa Phăn.", day, CFG)
    names_a = {k for k in a.keys if k.startswith("@")}
    assert names_a and names_a == {k for k in b.keys if k.startswith("@")}
    assert "Hủa Phăn" in a.keys.values()  # the label is the canonical spelling


# -- clustering ---------------------------------------------------------------------------------
SIGN_1 = ("Thanh Hóa và Hủa Phăn ký thỏa thuận hợp tác toàn diện",
          "Sáng 1/12, tại thành phố Thanh Hóa, Chủ tịch UBND tỉnh Thanh Hóa Đỗ Minh Tuấn và Tỉnh trưởng "
          "Hủa Phăn Viengkham Phomsouvan đã ký thỏa thuận hợp tác toàn diện giai đoạn 2026-2030. Theo thỏa "
          "thuận, hai tỉnh hợp tác trong nông nghiệp, giáo dục và thương mại qua cửa khẩu Na Mèo. Ông Đỗ Minh "
          "Tuấn nhấn mạnh quan hệ hữu nghị lâu đời giữa hai địa phương.")
SIGN_2 = ("Mở ra giai đoạn mới trong hợp tác toàn diện với tỉnh bạn Lào",
          "Ngày 1-12, UBND tỉnh Thanh Hóa (Việt Nam) và chính quyền tỉnh Houaphanh (Lào) ký kết văn bản hợp "
          "tác toàn diện. Chứng kiến lễ ký có Bí thư Tỉnh ủy. Tỉnh trưởng Viengkham Phomsouvan cảm ơn sự giúp "
          "đỡ của Thanh Hóa; Chủ tịch Đỗ Minh Tuấn đề nghị đẩy mạnh thương mại qua Na Mèo.")


def test_two_outlets_one_signing_share_a_story_with_an_explanation(tmp_db):
    a = _add(tmp_db, "https://a.vn/1", *SIGN_1, "a", "2025-12-01T15:00:00+07:00")
    b = _add(tmp_db, "https://b.vn/1", *SIGN_2, "b", "2025-12-02T07:00:00+07:00")
    assert _story(tmp_db, b) == _story(tmp_db, a) == a
    story, linked_to, why = _link(tmp_db, b)
    assert (story, linked_to) == (a, a)
    assert why.startswith("shared: ") and "Hủa Phăn" in why and "Thanh Hóa" in why
    assert "same event date 1/12" in why
    assert _link(tmp_db, a) is None  # the first report starts the story


def test_follow_up_outside_three_days_joins_only_with_the_same_event_date(tmp_db):
    a = _add(tmp_db, "https://a.vn/1", *SIGN_1, "a", "2025-12-01T15:00:00+07:00")
    late = ("Nhìn lại lễ ký hợp tác toàn diện Thanh Hóa - Hủa Phăn",
            "Sáng 1/12, Chủ tịch UBND tỉnh Thanh Hóa Đỗ Minh Tuấn và Tỉnh trưởng Hủa Phăn Viengkham "
            "Phomsouvan đã ký thỏa thuận hợp tác toàn diện; mười ngày sau, các sở bắt đầu triển khai ở Na Mèo.")
    b = _add(tmp_db, "https://c.vn/1", *late, "c", "2025-12-11T08:00:00+07:00")
    assert _story(tmp_db, b) == a
    # the same names with another event date that far away: another occasion
    other = (late[0], late[1].replace("Sáng 1/12", "Sáng 10/12").replace("mười ngày sau", "hôm nay"))
    c = _add(tmp_db, "https://d.vn/1", *other, "d", "2025-12-11T09:00:00+07:00")
    assert _story(tmp_db, c) not in (a,)


def test_same_province_two_ambassadors_same_week_stay_apart(tmp_db):
    t1 = ("Lãnh đạo tỉnh Nghệ An tiếp Đại sứ Ấn Độ",
          "Chiều 3/3, Chủ tịch UBND tỉnh Nghệ An Lê Hồng Vinh tiếp Đại sứ Ấn Độ Sandeep Arya đến chào xã giao. "
          "Hai bên trao đổi về hợp tác đào tạo và dược liệu.")
    t2 = ("Lãnh đạo tỉnh Nghệ An tiếp Đại sứ Mông Cổ",
          "Sáng 5/3, Chủ tịch UBND tỉnh Nghệ An Lê Hồng Vinh tiếp Đại sứ Mông Cổ Ganbold Dambajav đến chào xã "
          "giao. Hai bên bàn về giáo dục và du lịch.")
    a = _add(tmp_db, "https://a.vn/1", *t1, "a", "2026-03-03T17:00:00+07:00")
    b = _add(tmp_db, "https://b.vn/1", *t2, "b", "2026-03-05T11:00:00+07:00")
    assert _story(tmp_db, a) != _story(tmp_db, b)


def test_yearly_greetings_are_other_occasions(tmp_db):
    y1 = ("Đoàn tỉnh Xiêng Khoảng chúc Tết tỉnh Nghệ An",
          "Sáng 20/1, đoàn đại biểu tỉnh Xiêng Khoảng do Phó Tỉnh trưởng Bounthong Douangsavanh dẫn đầu đến "
          "chúc Tết Nguyên đán tỉnh Nghệ An. Phó Chủ tịch UBND tỉnh Nghệ An Bùi Thanh An đón tiếp đoàn.")
    a = _add(tmp_db, "https://a.vn/1", *y1, "a", "2026-01-20T10:00:00+07:00")
    # next year's visit, same people, same wording, other date: never the same story
    y2 = (y1[0], y1[1].replace("20/1", "8/2"))
    b = _add(tmp_db, "https://b.vn/1", *y2, "b", "2027-02-08T10:00:00+07:00")
    assert _story(tmp_db, b) != _story(tmp_db, a)
    # a report two days later naming another event day of the same partners (a preview): apart
    y3 = ("Xiêng Khoảng sẽ sang Nghệ An dự hội chợ",
          "Ngày 15/2, đoàn tỉnh Xiêng Khoảng do Phó Tỉnh trưởng Bounthong Douangsavanh dẫn đầu sẽ dự hội chợ "
          "thương mại tại Nghệ An; Phó Chủ tịch Bùi Thanh An chủ trì chuẩn bị.")
    c = _add(tmp_db, "https://c.vn/1", *y3, "c", "2026-01-22T10:00:00+07:00")
    assert _story(tmp_db, c) != _story(tmp_db, a)


def test_refresh_keeps_an_alerted_story_and_recluster_too(tmp_db):
    from pipeline.dedup.recluster import recluster_since

    a = _add(tmp_db, "https://a.vn/1", *SIGN_1, "a", "2025-12-01T15:00:00+07:00")
    b = _add(tmp_db, "https://b.vn/1", *SIGN_2, "b", "2025-12-02T07:00:00+07:00")
    tmp_db.execute("INSERT INTO alert_outbox (subscription, story_key, article_id, created_at, next_attempt_at) "
                   "VALUES ('s', ?, ?, 'x', 'x')", [str(a), a])
    # a recheck rewriting the first report with a text that no longer matches anything keeps its story id
    art = Article(url="https://a.vn/1", title="Tin khác hẳn", text="Một nội dung hoàn toàn khác về thời tiết. " * 5,
                  site="a", published="2025-12-01T15:00:00+07:00")
    refresh_article(tmp_db, a, art)
    assert _story(tmp_db, a) == a
    # recluster: the stories are recomputed, the alerted id stays
    assert _story(tmp_db, b) == a  # not re-analysed yet
    n, stories, kept = recluster_since(tmp_db, None)
    assert (n, stories, kept) == (2, 2, 1)
    assert _story(tmp_db, a) == a and _story(tmp_db, b) == b  # the rewritten report no longer tells that event


def test_recluster_command_links_what_the_old_rules_left_apart(tmp_db):
    from pipeline.cli import main

    a = _add(tmp_db, "https://a.vn/1", *SIGN_1, "a", "2025-12-01T15:00:00+07:00")
    b = _add(tmp_db, "https://b.vn/1", *SIGN_2, "b", "2025-12-02T07:00:00+07:00")
    tmp_db.execute("UPDATE articles SET story_id = id")  # as the old rules stored them
    tmp_db.execute("DELETE FROM story_links")
    res = CliRunner().invoke(main, ["recluster", "--since", "all", "--db", str(tmp_db.path)])
    assert res.exit_code == 0, res.output
    assert "2 article(s) re-clustered into 1 story(ies)" in res.output
    assert _story(tmp_db, b) == a and _link(tmp_db, b) is not None
    bad = CliRunner().invoke(main, ["recluster", "--since", "soon", "--db", str(tmp_db.path)])
    assert bad.exit_code != 0 and "--since" in bad.output


@pytest.mark.parametrize("bad", ['[[variant]]\nname = 3\naliases = "x"\n'])
def test_a_malformed_variant_table_is_a_clear_error(tmp_path, bad):
    from pipeline.dedup import evidence

    p = tmp_path / "variants.toml"
    p.write_text(bad, encoding="utf-8")
    with pytest.raises(ValueError, match="variant 1 needs a name"):
        evidence._names(str(p))


# -- event dates bound to the activity of the lead ------------------------------------------------
def test_the_event_date_is_the_one_bound_to_the_lead_activity():
    from pipeline.dedup.eventdate import read_event_dates
    from pipeline.dedup.evidence import _kinds

    pub = date(2026, 4, 2)

    def trig(s):
        return bool(_kinds(fast_fold(s), CFG, CFG.date_triggers))

    # the coming race is named first, the press conference of the day is the reported event
    ed = read_event_dates("Giải bơi vượt sông Lam sẵn sàng", "Giải bơi vượt sông Lam lần thứ 9 sẽ diễn ra từ ngày 20 "
                          "đến 22/4 tại Vinh. Sáng 2/4, ban tổ chức họp báo giới thiệu giải tại Hà Tĩnh.", pub, trig)
    assert (ed.event, ed.bound) == (date(2026, 4, 2), True)
    assert date(2026, 4, 20) in ed.others and date(2026, 4, 22) in ed.others
    # only a date far down the text: the event day is not bound
    ed = read_event_dates("Giải bơi vượt sông Lam", "Hơn 900 vận động viên đăng ký. Đường bơi dài 2 km. Nước sông "
                          "ấm. Trời đẹp. Tính đến ngày 1/4, ban tổ chức nhận 900 hồ sơ.", pub, trig)
    assert (ed.event, ed.bound) == (date(2026, 4, 1), False)
    ed = read_event_dates("Giải bơi", "Giải bơi vượt sông Lam diễn ra từ ngày 20 đến 22/4 tại Vinh.", pub, trig)
    assert (ed.event, ed.bound) == (date(2026, 4, 20), True)  # the announced day of a coming event, in the lead


SWIM_1 = ("Giải bơi vượt sông Lam lần thứ 9 thu hút hơn 900 vận động viên",
          "Giải bơi vượt sông Lam lần thứ 9 sẽ diễn ra từ ngày 20 đến 22/4 tại thành phố Vinh (Nghệ An), do Báo Sông "
          "Lam và Liên đoàn Bơi lội Việt Nam phối hợp tổ chức. Sáng 2/4, ban tổ chức họp báo giới thiệu giải tại Hà "
          "Nội. Kình ngư Trịnh Khải Vân và Lục Bảo Ngân sẽ tranh tài ở cự ly 2 km. Nhà vô địch Đàm Quế Chi cũng góp "
          "mặt.")
SWIM_2 = ("Trịnh Khải Vân, Lục Bảo Ngân đua tài ở giải bơi vượt sông Lam",
          "Giải bơi vượt sông Lam lần thứ 9 diễn ra cuối tháng này tại thành phố Vinh, tỉnh Nghệ An, với ba cự "
          "ly. Báo Sông Lam cùng Liên đoàn Bơi lội Việt Nam đồng tổ chức. Kình ngư Trịnh Khải Vân, Lục Bảo Ngân và "
          "Đàm Quế Chi đăng ký tham dự. Ban tổ chức cho biết đã nhận hồ sơ đến ngày 1/4.")


def test_a_preview_date_does_not_push_two_reports_of_one_press_event_apart(tmp_db):
    a = _add(tmp_db, "https://a.vn/s1", *SWIM_1, "a", "2026-04-02T11:00:00+07:00")
    b = _add(tmp_db, "https://b.vn/s2", *SWIM_2, "b", "2026-04-02T15:00:00+07:00")
    assert _story(tmp_db, b) == a, _link(tmp_db, b)
    assert "not both bound to the event" in _link(tmp_db, b)[2]  # 2/4 (bound) vs 1/4 (named further down)
    # both reports bound to other days of their leads: a strong conflict, apart
    later = (SWIM_2[0], "Sáng 22/4, giải bơi vượt sông Lam lần thứ 9 bế mạc tại thành phố Vinh, tỉnh Nghệ An. "
             + SWIM_2[1])
    c = _add(tmp_db, "https://c.vn/s3", *later, "c", "2026-04-22T18:00:00+07:00")
    assert _story(tmp_db, c) != a


# -- the occasion: two events of one day, one city, one leader ------------------------------------
def test_framing_is_not_the_occasion():
    f = features("Nhiều cơ hội cho quan hệ Hải Phòng - Incheon",
                 "Trong khuôn khổ chuyến thăm chính thức Hàn Quốc, sáng 9/5, tại thành phố Incheon, Chủ tịch nước "
                 "Lương Đình Khoa đã dự lễ kỷ niệm 20 năm kết nghĩa Hải Phòng - Incheon.", date(2026, 5, 9), CFG)
    assert "!anniversary" in f.keys and "!visit" not in f.keys
    assert "=2026-05-09" in f.keys


ANNIV = ("Nhiều cơ hội cho quan hệ Hải Phòng - Incheon",
         "Trong khuôn khổ chuyến thăm chính thức Hàn Quốc, sáng 9/5, tại thành phố Incheon, Chủ tịch nước Lương Đình "
         "Khoa và Phu nhân đã dự lễ kỷ niệm 20 năm kết nghĩa Hải Phòng - Incheon (Hàn Quốc), do UBND thành phố Hải "
         "Phòng và chính quyền Incheon đồng tổ chức. Bí thư Thành ủy Hải Phòng Tạ Quang Vĩnh phát biểu. Thị trưởng "
         "Incheon Kwon Dae Sung cảm ơn cộng đồng người Việt tại Incheon.")
OPENING = ("Chủ tịch nước Lương Đình Khoa dự lễ khai trương Văn phòng xúc tiến Việt Nam tại Incheon",
           "Sáng 9/5, tại thành phố Incheon (Hàn Quốc), Chủ tịch nước Lương Đình Khoa và Phu nhân dự lễ khai trương "
           "Văn phòng xúc tiến Việt Nam tại Incheon. Thị trưởng Incheon Kwon Dae Sung chúc mừng; Bí thư Thành ủy Hải "
           "Phòng Tạ Quang Vĩnh cùng dự. Cộng đồng người Việt tại Incheon vui mừng.")


def test_same_day_same_city_other_occasion_stays_apart(tmp_db):
    a = _add(tmp_db, "https://a.vn/i1", *OPENING, "a", "2026-05-09T12:00:00+07:00")
    b = _add(tmp_db, "https://b.vn/i2", *ANNIV, "b", "2026-05-09T14:00:00+07:00")
    assert _story(tmp_db, b) != _story(tmp_db, a)
    # a second report of the opening joins it
    again = (OPENING[0].replace("dự lễ", "cắt băng"), OPENING[1].replace("vui mừng", "rất phấn khởi"))
    c = _add(tmp_db, "https://c.vn/i3", *again, "c", "2026-05-09T16:00:00+07:00")
    assert _story(tmp_db, c) == a


# -- one event stored as two stories: a report matching both joins them -----------------------------
SIGN_3 = ("Thanh Hóa - Hủa Phăn: ký kết hợp tác toàn diện",
          "Sáng 1/12, tại thành phố Thanh Hóa, tỉnh Thanh Hóa và tỉnh Houaphanh (Lào) ký thỏa thuận hợp tác toàn diện. "
          "Chủ tịch UBND tỉnh Đỗ Minh Tuấn và Tỉnh trưởng Viengkham Phomsouvan ký văn bản; hai bên đẩy mạnh thương mại "
          "qua cửa khẩu Na Mèo, nông nghiệp và giáo dục.")


def _two_stories(tmp_db):
    a = _add(tmp_db, "https://a.vn/1", *SIGN_1, "a", "2025-12-01T15:00:00+07:00")
    b = _add(tmp_db, "https://b.vn/1", *SIGN_2, "b", "2025-12-02T07:00:00+07:00")
    tmp_db.execute("UPDATE articles SET story_id = id")  # stored apart (the second arrived before the first, say)
    tmp_db.execute("DELETE FROM story_links")
    return a, b


def test_a_report_matching_two_stories_joins_them(tmp_db):
    a, b = _two_stories(tmp_db)
    c = _add(tmp_db, "https://c.vn/1", *SIGN_3, "c", "2025-12-02T09:00:00+07:00")
    assert _story(tmp_db, a) == _story(tmp_db, b) == _story(tmp_db, c) == a  # the smaller id is kept
    assert f"joins stories {a}, {b}" in _link(tmp_db, c)[2]


def test_joining_stories_keeps_an_alerted_story_id(tmp_db):
    a, b = _two_stories(tmp_db)
    tmp_db.execute("INSERT INTO alert_outbox (subscription, story_key, article_id, created_at, next_attempt_at) "
                   "VALUES ('s', ?, ?, 'x', 'x')", [str(b), b])
    c = _add(tmp_db, "https://c.vn/1", *SIGN_3, "c", "2025-12-02T09:00:00+07:00")
    assert _story(tmp_db, a) == _story(tmp_db, b) == _story(tmp_db, c) == b
    assert _link(tmp_db, c)[0] == b


def test_a_report_of_two_occasions_does_not_join_their_stories(tmp_db):
    a = _add(tmp_db, "https://a.vn/i1", *OPENING, "a", "2026-05-09T12:00:00+07:00")
    b = _add(tmp_db, "https://b.vn/i2", *ANNIV, "b", "2026-05-09T14:00:00+07:00")
    both = ("Chủ tịch nước Lương Đình Khoa dự lễ khai trương Văn phòng xúc tiến Việt Nam tại Incheon",
            "Sáng 9/5, tại Incheon (Hàn Quốc), Chủ tịch nước Lương Đình Khoa dự lễ khai trương Văn phòng xúc tiến Việt "
            "Nam tại Incheon và lễ kỷ niệm 20 năm kết nghĩa Hải Phòng - Incheon. Thị trưởng Incheon Kwon Dae Sung và "
            "Bí thư Thành ủy Hải Phòng Tạ Quang Vĩnh cùng dự; cộng đồng người Việt tại Incheon chào đón.")
    c = _add(tmp_db, "https://c.vn/i3", *both, "c", "2026-05-09T18:00:00+07:00")
    assert _story(tmp_db, a) != _story(tmp_db, b)
    assert _story(tmp_db, c) in (_story(tmp_db, a), c)
