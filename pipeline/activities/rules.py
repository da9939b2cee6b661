"""Vietnamese trigger phrases of local foreign-affairs activities, the actor words of the Vietnamese
side, leader titles, and the kind a sentence's triggers point to.

All patterns are matched on normalised text (pipeline.normalize), case-insensitively unless said.
A trigger is (regex, kind, weight); ``triggers(sentence)`` lists the kinds a sentence points to with
their summed weights. The kinds are exactly those of ``KINDS``.
"""

from __future__ import annotations

import re

KINDS = ("doan_vao", "doan_ra", "ky_ket", "su_kien_quoc_te", "xuc_tien", "vien_tro", "nguoi_viet_nn", "khac")

_I = re.IGNORECASE

_TRIGGERS: list[tuple[re.Pattern[str], str, float]] = [
    # overseas Vietnamese
    (re.compile(r"\bkiều bào\b|người Việt Nam (?:ở|tại) nước ngoài|người Việt (?:ở|tại) nước ngoài"
                r"|\bNVNONN\b|Xuân Quê hương", _I), "nguoi_viet_nn", 3.0),
    # agreements, MoUs, twinning
    (re.compile(r"\bký kết\b|\bký (?:biên bản|bản ghi nhớ|thỏa thuận|thoả thuận|hiệp định|văn bản|MOU|kế hoạch"
                r"|tuyên bố chung|bản thỏa thuận)|\btrao (?:biên bản|thỏa thuận|thoả thuận|bản ghi nhớ)"
                r"|\blễ ký\b|\bkết nghĩa\b|\bđã ký\b", _I),
     "ky_ket", 3.0),
    # investment and trade promotion events themselves
    (re.compile(r"\b(?:hội nghị|hội thảo|tọa đàm|toạ đàm|diễn đàn|chương trình)\s+(?:[\w\s,]{0,20})?"
                r"(?:xúc tiến|kết nối đầu tư|kết nối giao thương|giới thiệu (?:môi trường|tiềm năng) đầu tư)"
                r"|\broadshow\b", _I), "xuc_tien", 2.5),
    # aid and humanitarian cooperation
    (re.compile(r"\b(?:viện trợ|tài trợ|trao tặng|bàn giao (?:công trình|dự án|thiết bị)|cứu trợ|nhân đạo"
                r"|hỗ trợ khẩn cấp|ODA)\b", _I), "vien_tro", 1.5),
    # international conferences and events
    (re.compile(r"\b(?:hội nghị|hội thảo|diễn đàn|tọa đàm|toạ đàm|lễ hội|festival|ngày văn hóa|tuần văn hóa"
                r"|lễ kỷ niệm|kỷ niệm \d+ năm|họp mặt|gặp mặt hữu nghị|chiêu đãi|phiên họp|kỳ họp"
                r"|nhóm công tác chung|ủy ban công tác liên hợp|khai trương|khánh thành|lễ công bố"
                r"|giao hữu|triển lãm|hội chợ|liên hoan|Ngày (?:Quốc khánh|Hà Nội|Việt Nam))\b", _I),
     "su_kien_quoc_te", 1.5),
    # going abroad
    (re.compile(r"\bsang thăm\b|\blên đường\b|\bchuyến (?:công tác|thăm)(?: chính thức| làm việc)? (?:tại|ở|đến|sang)"
                r"|\b(?:dẫn đầu|làm trưởng đoàn)\b[^.]{0,80}\b(?:thăm|làm việc|công tác|tham dự|sang|dự)\b"
                r"|\bđoàn (?:công tác|đại biểu)[^.]{0,60}\b(?:sang|đến thăm|thăm và làm việc|tham dự|dự)\b"
                r"|\bsang\s+(?:nước|Vương quốc|Cộng hòa|Liên bang)?\s*[A-ZĐ]", 0), "doan_ra", 2.0),
    # receiving
    (re.compile(r"\btiếp\b(?! tục| tế| cận| nhận| theo| đó| thu| xúc| giáp| sức| nối| diễn| quản| đến)"
                r"|\bhội kiến\b|\bchào (?:xã giao|từ biệt|cảm ơn)\b|\bđón\b(?! nhận)|\bđến thăm\b"
                r"|\bthăm và làm việc\b|\bchúc Tết\b|\bchúc mừng\b|\blàm việc với\b|\bgặp (?:gỡ|mặt)?\b"
                r"|\bhội đàm\b|\btiếp xã giao\b|\btiếp và làm việc\b", _I), "doan_vao", 1.5),
    (re.compile(r"\bthăm\b", _I), "doan_vao", 0.5),
]
# an anniversary is an international event when it is one of the relations, not a domestic one
# ("kỷ niệm 96 năm Ngày thành lập Đảng" is only the occasion of a visit)
_ANNIVERSARY = re.compile(r"\b(?:lễ kỷ niệm|kỷ niệm \d+ năm)\b", _I)
_RELATIONS = re.compile(r"quan hệ|ngoại giao|hữu nghị|kết nghĩa|Quốc khánh|Ngày Độc lập", _I)
# talks only ("hội đàm"), without a reception or a visit: the venue decides, else khac
TALKS_ONLY = re.compile(r"\bhội đàm\b", _I)
RECEPTION = re.compile(r"\btiếp\b(?! tục)|\bđón\b|\bthăm\b|\bchào\b|\bchúc\b|\bhội kiến\b|\bđến\b", _I)
# case-insensitive triggers run without re.IGNORECASE on the lower-cased sentence (twice as fast)
_LOWER = [(re.compile(rx.pattern.lower()) if rx.flags & re.IGNORECASE else rx, kind, w, bool(rx.flags & re.IGNORECASE))
          for rx, kind, w in _TRIGGERS]
# words (lower case) one of which every match of the trigger of the same rank contains: a substring
# test skips the regular expression for most sentences
_NEEDS = [
    ("kiều bào", "người việt", "nvnonn", "xuân quê hương"),
    ("ký", "kết nghĩa", "trao "),
    ("xúc tiến", "kết nối", "giới thiệu", "roadshow"),
    ("viện trợ", "tài trợ", "trao tặng", "bàn giao", "cứu trợ", "nhân đạo", "hỗ trợ khẩn cấp", "oda"),
    ("hội", "diễn đàn", "đàm", "lễ", "festival", "ngày", "tuần", "họp", "chiêu đãi", "phiên", "kỳ họp", "ủy ban",
     "khai trương", "khánh thành", "giao hữu", "triển lãm", "liên hoan"),
    ("sang", "lên đường", "chuyến", "dẫn đầu", "trưởng đoàn", "đoàn"),
    ("tiếp", "hội kiến", "chào", "đón", "thăm", "làm việc", "chúc", "gặp", "hội đàm"),
    ("thăm",),
]
assert len(_NEEDS) == len(_LOWER)

# the Vietnamese local side: organs and leaders of a province/city
LOCAL_ACTOR = re.compile(
    r"\b(?:UBND|HĐND|Ủy ban nhân dân|Uỷ ban nhân dân|Hội đồng nhân dân|Tỉnh ủy|Tỉnh uỷ|Thành ủy|Thành uỷ"
    r"|Sở Ngoại vụ|Sở [A-ZĐ]\w+|Chủ tịch UBND|Bí thư Tỉnh ủy|Bí thư Thành ủy|lãnh đạo (?:tỉnh|thành phố|TP)"
    r"|đoàn (?:công tác|đại biểu)(?: cấp cao)? (?:của )?(?:tỉnh|thành phố|TP)|tỉnh|thành phố|TP\.?)\b", _I)
# a foreign counterpart without a country name (ambassador, consul, foreign delegation, investors)
FOREIGN_ACTOR = re.compile(
    r"\b(?:Đại sứ|Tổng Lãnh sự|Lãnh sự|Đoàn Ngoại giao|cơ quan (?:đại diện|lãnh sự)|Thống đốc|Tỉnh trưởng"
    r"|Thị trưởng|nhà đầu tư nước ngoài|tổ chức quốc tế|tổ chức phi chính phủ|các nước|địa phương (?:các )?nước"
    r"|nước ngoài)\b", _I)
# the Vietnamese side abroad ("Đại sứ quán Việt Nam tại Nhật Bản") is not the partner
VN_MISSION = re.compile(r"(?:Đại sứ quán|Tổng Lãnh sự quán|Đại sứ|Tổng Lãnh sự|Lãnh sự)(?: đặc mệnh toàn quyền)?"
                        r"(?: nước Cộng hòa xã hội chủ nghĩa| nước CHXHCN)? Việt Nam", _I)
# a sentence that only plans or sums up
SUMMARY = re.compile(r"\b(?:đã ký kết \d+|đã tiếp \d+|\d+ (?:đoàn|thỏa thuận|văn bản|hoạt động)"
                     r"|trong năm (?:qua|\d{4})|năm \d{4},? (?:tỉnh|thành phố))\b", _I)

LEADER_TITLE = re.compile(
    r"(?P<title>(?:Phó |Nguyên |Quyền )?(?:Thủ tướng|Chủ tịch Quốc hội|Phó Chủ tịch Quốc hội|Bộ trưởng|Thứ trưởng"
    r"|Bí thư(?: Thường trực)?(?: Tỉnh ủy| Thành ủy| Tỉnh uỷ| Thành uỷ)?|Chủ tịch(?: Thường trực)?(?: UBND| HĐND"
    r"| Ủy ban nhân dân| Hội đồng nhân dân)?|Giám đốc Sở \w+(?: \w+)?|Giám đốc|Đại sứ(?: đặc mệnh toàn quyền)?"
    r"|Tổng Lãnh sự|Lãnh sự|Thống đốc|Tỉnh trưởng|Thị trưởng|Tổng Giám đốc|Chủ tịch Hội đồng Dân biểu"
    r"|Trưởng Ban Đối ngoại|Trưởng đoàn)"
    r"(?: [A-ZĐ][\w\-]*(?: [A-ZĐ][\w\-]*)?)?(?: tại(?: [A-ZĐ][\w\-]*){1,2})?"
    r"(?:(?: tỉnh| thành phố| TP\.?| thủ đô| nước| quốc| châu| Khu tự trị)?(?: [A-ZĐ][\w\-]*){1,4})?)"
    r"(?:,?\s+(?:ông|bà|Ngài|đồng chí)\s+|\s*[-–]\s*(?:ông|bà)?\s*|\s+)"
    r"(?P<name>(?:[A-ZĐÂĂÊÔƠƯ][\w'\-]+)(?:\s+[A-ZĐÂĂÊÔƠƯ][\w'\-\.]*){1,4})")
LEADER_NAME_FIRST = re.compile(
    r"(?:ông|bà|đồng chí|Ngài)\s+(?P<name>(?:[A-ZĐ][\w'\-]+)(?:\s+[A-ZĐ][\w'\-]*){1,4}),\s+"
    r"(?P<title>(?:Ủy viên [^,]{0,60}, )?(?:Phó )?(?:Bí thư|Chủ tịch|Giám đốc|Đại sứ|Tổng Lãnh sự|Thống đốc"
    r"|Tỉnh trưởng|Thị trưởng|Trưởng đoàn|Phó Tỉnh trưởng)[^,.;()]{0,60})")

VENUE = re.compile(
    r"\btại\s+(?P<v>(?:(?:Hội trường|Trụ sở|trụ sở|Nhà khách|khách sạn|Khách sạn|Trung tâm|Cung|Khu|Nhà hát"
    r"|Dinh|thủ đô|Thủ đô|thành phố|tỉnh|TP\.?|phường|P\.|xã|huyện|quận|các tỉnh|Bảo tàng|Nghĩa trang)\b[^,.;:()]{0,70}"
    r"|[A-ZĐ][\w\-]*(?:\s+[A-ZĐ(][\w\-)]*){0,5})(?:,\s*(?:thủ đô|Thủ đô|tỉnh|thành phố|TP\.?|Vương quốc)"
    r"[^,.;:]{0,40})?)")


def triggers(sentence: str) -> dict[str, float]:
    """The kinds this sentence's trigger phrases point to, with summed weights ({} for none)."""
    out: dict[str, float] = {}
    low = sentence.lower()
    if _ANNIVERSARY.search(sentence) and _RELATIONS.search(sentence):
        out["su_kien_quoc_te"] = 1.5
    for (rx, kind, w, lowered), needs in zip(_LOWER, _NEEDS, strict=True):
        if not any(k in low for k in needs):
            continue
        n = len(rx.findall(low if lowered else sentence))
        if n:
            out[kind] = out.get(kind, 0.0) + w * min(n, 2)
    return out


# common Vietnamese family names: where a Vietnamese person's name starts after a title
SURNAMES = frozenset("Nguyễn Trần Lê Phạm Hoàng Huỳnh Phan Vũ Võ Đặng Bùi Đỗ Hồ Ngô Dương Lý Đinh Đoàn Trịnh Lương "
                     "Mai Cao Lâm Tạ Hà Văn Chu Châu Triệu Thái Tô Từ Kiều Quách Lưu La Thân Đàm Nông Lò Vi Hầu Mạc "
                     "Giang Tăng Kim Khúc Tôn Âu".split())
