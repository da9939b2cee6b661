"""The filters of the analyst's story list and press summary (pipeline/publish/workspace.py), read from
a query string.

Period: ``tu`` / ``den`` (from / to, ``YYYY-MM-DD`` as a date box sends them, or ``DD/MM/YYYY``) when
either is given — whatever the menu ``ky`` says (the menu then shows "Từ ngày … đến ngày"); only
``tu``: from that day to today; only ``den``: the 7 days ending that day. Else ``ky``: ``hom-nay``
(today), ``7`` (default) or ``30`` days ending today, Vietnam time. A date that is not one, or an
end before the start, sets ``Filters.error`` to a Vietnamese message (the page shows it with HTTP
400; the CSV and downloads answer 400): never a silent fall-back to another period.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any
from urllib.parse import urlencode

from config import VN_TZ
from pipeline.report import Period

PERIODS = [("hom-nay", "Hôm nay"), ("7", "7 ngày"), ("30", "30 ngày"), ("khoang", "Từ ngày … đến ngày")]


def parse_day(value: str, label: str) -> date:
    """``YYYY-MM-DD`` or ``DD/MM/YYYY`` as a date; raises ValueError with a Vietnamese message
    naming ``label`` ("Từ ngày") and the value."""
    v = value.strip()
    for fmt in ("%Y-%m-%d", "%d/%m/%Y"):
        try:
            return datetime.strptime(v, fmt).date()
        except ValueError:
            continue
    raise ValueError(f"{label} “{v}” không phải là một ngày hợp lệ: hãy nhập dạng năm-tháng-ngày "
                     f"(ví dụ 2025-11-01) hoặc ngày/tháng/năm (01/11/2025). Invalid date.")


@dataclass
class Filters:
    """The story list's and the press summary's filters, read from a query string."""

    ky: str = "7"
    tu: str = ""
    den: str = ""
    tinh: list[str] = field(default_factory=list)
    nuoc: list[str] = field(default_factory=list)
    bao: list[str] = field(default_factory=list)
    lienquan: bool = True
    q: str = ""
    trang: int = 1
    theo: str = "province"
    error: str | None = None
    _period: Period | None = None

    @classmethod
    def from_args(cls, args: Any, today: date | None = None) -> Filters:
        """From Datasette's ``request.args`` (a MultiParams: ``get``, ``getlist``); the period is
        read at once (``error`` set when its dates are bad)."""
        def many(k: str) -> list[str]:
            return [x for x in args.getlist(k) if x.strip()]

        f = cls(ky=args.get("ky") or "7", tu=(args.get("tu") or "").strip(), den=(args.get("den") or "").strip(),
                tinh=many("tinh"), nuoc=many("nuoc"), bao=many("bao"), lienquan=args.get("lienquan", "1") != "0",
                q=(args.get("q") or "").strip(), theo="country" if args.get("theo") == "country" else "province")
        try:
            f.trang = max(1, int(args.get("trang") or 1))
        except ValueError:
            f.trang = 1
        try:
            f._period = f._read_period(today or datetime.now(VN_TZ).date())
        except ValueError as e:
            f.error = str(e)
        return f

    def _read_period(self, today: date) -> Period:
        if self.tu or self.den:
            self.ky = "khoang"
            end = parse_day(self.den, "Đến ngày") if self.den else today
            start = parse_day(self.tu, "Từ ngày") if self.tu else end - timedelta(days=6)
            if end < start:
                raise ValueError(f"Đến ngày {end:%d/%m/%Y} trước Từ ngày {start:%d/%m/%Y}: hãy đổi lại "
                                 "khoảng ngày. The period ends before it starts.")
            return Period(start, end)
        if self.ky == "hom-nay":
            return Period(today, today)
        days = 30 if self.ky == "30" else 7
        if self.ky not in ("7", "30"):
            self.ky = "7"
        return Period(today - timedelta(days=days - 1), today)

    def period(self) -> Period:
        """The period the filters name; raises ValueError (``error``) when its dates are bad."""
        if self.error:
            raise ValueError(self.error)
        if self._period is None:
            self._period = self._read_period(datetime.now(VN_TZ).date())
        return self._period

    def query(self, **change: Any) -> str:
        """The query string of these filters with ``change`` applied (lists as repeated keys)."""
        d: dict[str, Any] = {"ky": self.ky, "tu": self.tu, "den": self.den, "tinh": self.tinh, "nuoc": self.nuoc,
                             "bao": self.bao, "lienquan": "1" if self.lienquan else "0", "q": self.q,
                             "theo": self.theo if self.theo != "province" else ""}
        d.update(change)
        pairs = [(k, x) for k, v in d.items() for x in (v if isinstance(v, list) else [v]) if x not in ("", None)]
        return urlencode(pairs)
