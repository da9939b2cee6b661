"""New-article alerts end to end, over loopback: a fixture news site (feed + five article pages
written for this test, three on local foreign affairs), a real SMTP server (aiosmtpd), a real webhook
receiver, `presswatch crawl` in a child process, and the subscriptions' Atom feeds through Datasette."""

from __future__ import annotations

import asyncio
import email
import json
import os
import socket
import subprocess
import sys
import time
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from email import policy
from pathlib import Path
from typing import Any

import pytest
from aiosmtpd.controller import Controller

from db import open_db
from pipeline.alerts import AlertsError, load_alerts, parse_alerts, vn_time
from pipeline.alerts.outbox import deliver, enqueue, enqueuer, items
from pipeline.article import Article, DedupResult, Relevance
from pipeline.process import store_article

ROOT = Path(__file__).resolve().parents[1]
SECRET = "s3cr3t-token-7f9a"

# -- the fixture site ------------------------------------------------------------------------
ARTICLES: list[dict[str, str]] = [
    {
        "slug": "ha-noi-doi-ngoai-kyoto-ket-nghia-post100001",
        "title": "Hà Nội đẩy mạnh đối ngoại với Kyoto nhân kỷ niệm quan hệ kết nghĩa",
        "published": "2026-11-21T08:30:00+07:00",
        "relevant": "yes",
        "paragraphs": """\
Sáng 21/11, tại trụ sở Ủy ban nhân dân thành phố, Phó Chủ tịch UBND thành phố Hà Nội đã tiếp đoàn
đại biểu tỉnh Kyoto (Nhật Bản) do Phó Thống đốc tỉnh dẫn đầu, nhân dịp hai địa phương kỷ niệm quan
hệ kết nghĩa. Phát biểu tại buổi tiếp, lãnh đạo thành phố cho biết công tác đối ngoại của Hà Nội
trong năm nay tập trung vào việc làm sâu sắc hơn quan hệ với các địa phương đối tác truyền thống,
trong đó Kyoto là một trong những đối tác quan trọng nhất về bảo tồn di sản, phát triển du lịch và
đào tạo nguồn nhân lực.

Hai bên đã điểm lại kết quả hợp tác trong thời gian qua. Kyoto đã cử chuyên gia hỗ trợ Hà Nội trong
công tác tu bổ di tích khu phố cổ, đào tạo cán bộ quản lý di sản và trao đổi kinh nghiệm phát triển
làng nghề truyền thống. Nhiều doanh nghiệp của Kyoto đã đầu tư vào các khu công nghiệp trên địa bàn
thủ đô, tạo việc làm cho hàng nghìn lao động. Hằng năm, hàng trăm sinh viên Hà Nội sang Kyoto học
tập, thực tập theo các chương trình học bổng do chính quyền hai địa phương phối hợp tổ chức.

Phó Thống đốc tỉnh Kyoto đánh giá cao sự phát triển năng động của Hà Nội và khẳng định tỉnh mong
muốn mở rộng hợp tác sang các lĩnh vực mới như chuyển đổi số, quản lý đô thị thông minh, xử lý rác
thải và ứng phó với biến đổi khí hậu. Đoàn Kyoto cũng đề xuất tổ chức tuần lễ văn hóa Kyoto tại Hà
Nội vào năm tới, đồng thời mời đoàn nghệ nhân làng nghề của thủ đô tham dự hội chợ thủ công mỹ nghệ
quốc tế tại Kyoto.

Kết thúc buổi làm việc, hai bên đã ký biên bản ghi nhớ về chương trình hợp tác giai đoạn mới, trong
đó có kế hoạch trao đổi đoàn cấp cao, hợp tác giữa các trường đại học và thúc đẩy kết nối doanh
nghiệp. Sở Ngoại vụ Hà Nội được giao chủ trì, phối hợp với các sở, ngành liên quan xây dựng kế hoạch
cụ thể để triển khai các nội dung đã thống nhất, góp phần đưa quan hệ hữu nghị giữa thủ đô Hà Nội và
tỉnh Kyoto ngày càng đi vào chiều sâu, thiết thực và hiệu quả, đáp ứng lợi ích của nhân dân hai địa
phương.""",
    },
    {
        "slug": "da-nang-doi-ngoai-han-quoc-daegu-post100002",
        "title": "Đà Nẵng mở rộng hợp tác đối ngoại với thành phố Daegu của Hàn Quốc",
        "published": "2026-11-21T14:05:00+07:00",
        "relevant": "yes",
        "paragraphs": """\
Chiều 21/11, Chủ tịch UBND thành phố Đà Nẵng đã có buổi hội đàm với Thị trưởng thành phố Daegu (Hàn
Quốc) nhân chuyến thăm và làm việc của đoàn Daegu tại Đà Nẵng. Đây là hoạt động đối ngoại nổi bật
của thành phố trong năm, nhằm cụ thể hóa thỏa thuận hợp tác hữu nghị mà hai thành phố đã ký kết
trước đó.

Tại buổi hội đàm, lãnh đạo Đà Nẵng thông tin về tình hình phát triển kinh tế, xã hội của thành phố,
nhấn mạnh các định hướng ưu tiên như phát triển công nghiệp bán dẫn, trí tuệ nhân tạo, trung tâm tài
chính quốc tế và du lịch chất lượng cao. Hiện Hàn Quốc là một trong những nhà đầu tư nước ngoài lớn
nhất tại Đà Nẵng, đồng thời là thị trường khách du lịch quốc tế hàng đầu của thành phố với hàng
triệu lượt khách mỗi năm.

Thị trưởng Daegu bày tỏ ấn tượng trước tốc độ phát triển của Đà Nẵng và mong muốn hai thành phố tăng
cường hợp tác trong lĩnh vực y tế, giáo dục, công nghệ thông tin và giao lưu văn hóa. Phía Daegu đề
nghị mở thêm đường bay thẳng giữa hai thành phố, hỗ trợ đào tạo nhân lực ngành y và tạo điều kiện
cho doanh nghiệp hai bên tham gia các hội chợ, triển lãm thương mại do mỗi địa phương tổ chức.

Hai bên thống nhất giao cơ quan ngoại vụ của mỗi thành phố làm đầu mối theo dõi, đôn đốc việc thực
hiện các nội dung hợp tác. Trong khuôn khổ chuyến thăm, đoàn Daegu đã tham quan Khu công nghệ cao Đà
Nẵng, làm việc với Đại học Đà Nẵng về chương trình trao đổi sinh viên và dự lễ khai mạc Tuần văn hóa
Hàn Quốc tại thành phố. Lãnh đạo Đà Nẵng khẳng định thành phố luôn coi trọng quan hệ với các địa
phương của Hàn Quốc và sẵn sàng tạo mọi điều kiện thuận lợi để các dự án hợp tác sớm mang lại kết
quả cụ thể, thiết thực cho người dân, doanh nghiệp của hai thành phố, góp phần vun đắp quan hệ Đối
tác chiến lược toàn diện Việt Nam – Hàn Quốc.""",
    },
    {
        "slug": "quang-ninh-doi-ngoai-quang-tay-trung-quoc-post100003",
        "title": "Quảng Ninh tăng cường đối ngoại nhân dân với Khu tự trị dân tộc Choang Quảng Tây",
        "published": "2026-11-22T09:15:00+07:00",
        "relevant": "yes",
        "paragraphs": """\
Ngày 22/11, tại thành phố Móng Cái, Ban Thường vụ Tỉnh ủy Quảng Ninh đã tiếp đoàn công tác của Khu
tự trị dân tộc Choang Quảng Tây (Trung Quốc) sang thăm và làm việc. Chuyến thăm nằm trong chương
trình đối ngoại năm nay của tỉnh, nhằm thúc đẩy giao lưu nhân dân, hợp tác kinh tế biên mậu và quản
lý biên giới hòa bình, hữu nghị.

Tại buổi làm việc, hai bên đánh giá cao kết quả hợp tác thời gian qua, đặc biệt trong việc duy trì
thông quan hàng hóa qua các cửa khẩu, phối hợp phòng chống buôn lậu và gian lận thương mại, cùng với
việc tổ chức thành công nhiều hoạt động giao lưu văn hóa, thể thao giữa nhân dân hai bên biên giới.
Kim ngạch xuất nhập khẩu qua các cửa khẩu của Quảng Ninh với Quảng Tây tiếp tục tăng, nhiều mặt hàng
nông sản, thủy sản của Việt Nam được thông quan nhanh chóng nhờ các giải pháp cửa khẩu thông minh mà
hai bên cùng triển khai.

Lãnh đạo tỉnh Quảng Ninh đề nghị hai bên tiếp tục nâng cao hiệu quả cơ chế gặp gỡ định kỳ, đẩy nhanh
việc xây dựng cầu đường bộ mới qua biên giới, tăng cường kết nối giao thông và hợp tác phát triển du
lịch qua biên giới. Phía Quảng Tây khẳng định coi trọng quan hệ láng giềng hữu nghị với Quảng Ninh,
sẵn sàng phối hợp tổ chức các hoạt động kỷ niệm, hội chợ thương mại biên giới và chương trình đào
tạo tiếng Trung, tiếng Việt cho cán bộ.

Nhân dịp này, hai bên đã trao đổi về kế hoạch tổ chức giao lưu hữu nghị thanh niên biên giới, phối
hợp khám chữa bệnh cho cư dân biên giới và hợp tác bảo vệ môi trường vùng cửa sông Ka Long. Sở Ngoại
vụ Quảng Ninh cho biết sẽ tham mưu cho tỉnh xây dựng kế hoạch triển khai chi tiết, gắn công tác đối
ngoại nhân dân với phát triển kinh tế cửa khẩu, góp phần xây dựng đường biên giới Việt – Trung hòa
bình, ổn định, hợp tác và phát triển, đem lại lợi ích thiết thực cho người dân hai bên.""",
    },
    {
        "slug": "gia-rau-xanh-cho-ha-noi-tang-sau-mua-post100004",
        "title": "Giá rau xanh tại các chợ Hà Nội tăng mạnh sau đợt mưa lớn kéo dài",
        "published": "2026-11-21T06:45:00+07:00",
        "relevant": "no",
        "paragraphs": """\
Sau đợt mưa lớn kéo dài gần một tuần, giá nhiều loại rau xanh tại các chợ dân sinh trên địa bàn Hà
Nội đã tăng mạnh, có loại tăng gấp đôi so với trước. Ghi nhận tại chợ Thành Công, chợ Hôm và chợ
Long Biên sáng nay, rau muống được bán với giá hai mươi lăm nghìn đồng một bó, cải ngọt ba mươi
nghìn đồng một cân, bắp cải và su hào cũng tăng từ năm đến mười nghìn đồng mỗi cân.

Theo các tiểu thương, nguồn rau từ các vùng trồng ven đô như Đông Anh, Gia Lâm, Mê Linh bị giảm mạnh
do mưa làm ngập úng nhiều diện tích, cây rau bị dập nát, thối rễ. Nhiều hộ trồng rau cho biết phải
mất ít nhất hai đến ba tuần nữa mới có thể gieo trồng lại và cho thu hoạch lứa mới. Trong khi đó,
nhu cầu tiêu dùng của người dân không giảm, khiến giá bán lẻ tại chợ và các cửa hàng thực phẩm tăng
nhanh trong vài ngày gần đây.

Chị Hoa, một người nội trợ ở quận Đống Đa, cho biết mỗi ngày gia đình chị phải chi thêm khoảng năm
mươi nghìn đồng cho tiền rau, nên đã chuyển sang mua các loại củ quả dễ bảo quản như bí đỏ, cà rốt,
khoai tây. Tại các siêu thị, giá rau tăng ít hơn do có hợp đồng bao tiêu với các hợp tác xã, tuy
nhiên nhiều mặt hàng rau ăn lá thường xuyên hết hàng vào buổi chiều.

Sở Công Thương Hà Nội cho biết đã chỉ đạo các doanh nghiệp phân phối tăng cường nguồn hàng từ các
tỉnh lân cận và vùng rau Đà Lạt, đồng thời phối hợp với lực lượng quản lý thị trường kiểm tra việc
niêm yết giá, xử lý nghiêm các trường hợp lợi dụng thời tiết để đầu cơ, nâng giá. Dự báo giá rau sẽ
dần ổn định trở lại trong khoảng nửa tháng tới khi thời tiết thuận lợi hơn và các vùng trồng rau ven
đô khôi phục sản xuất, người tiêu dùng được khuyến cáo nên mua vừa đủ dùng, ưu tiên sản phẩm có
nguồn gốc rõ ràng để bảo đảm an toàn thực phẩm.""",
    },
    {
        "slug": "u17-nghe-an-vo-dich-quoc-gia-post100005",
        "title": "Đội U17 Nghệ An giành chức vô địch giải bóng đá trẻ quốc gia",
        "published": "2026-11-22T20:10:00+07:00",
        "relevant": "no",
        "paragraphs": """\
Tối 22/11, trên sân vận động Vinh, đội U17 Nghệ An đã đánh bại U17 Hà Nội với tỷ số hai bàn thắng
không gỡ trong trận chung kết để lên ngôi vô địch giải bóng đá U17 quốc gia năm nay. Đây là lần thứ
ba đội bóng xứ Nghệ giành chức vô địch ở lứa tuổi này, khẳng định chất lượng công tác đào tạo trẻ
của câu lạc bộ.

Ngay từ những phút đầu, các cầu thủ trẻ Nghệ An đã chủ động dâng cao tấn công, tạo ra nhiều cơ hội
nguy hiểm về phía khung thành đối phương. Phút hai mươi tám, tiền vệ mang áo số mười có pha đi bóng
qua hai hậu vệ trước khi dứt điểm chéo góc mở tỷ số. Sang hiệp hai, đội khách đẩy mạnh tấn công nhằm
tìm bàn gỡ, nhưng hàng phòng ngự chủ nhà thi đấu kỷ luật, thủ môn cũng có nhiều pha cứu thua xuất
sắc.

Phút tám mươi mốt, từ một tình huống phản công nhanh, tiền đạo của Nghệ An đánh đầu ấn định chiến
thắng hai bàn không gỡ trong sự cổ vũ cuồng nhiệt của hơn mười nghìn khán giả có mặt trên sân. Sau
trận đấu, huấn luyện viên trưởng đội U17 Nghệ An cho biết thành công của đội là kết quả của quá
trình tập luyện bền bỉ suốt nhiều năm, cùng sự quan tâm của lãnh đạo câu lạc bộ và sự ủng hộ của
người hâm mộ quê nhà.

Ban tổ chức đã trao giải cầu thủ xuất sắc nhất giải cho tiền vệ số mười của Nghệ An, danh hiệu vua
phá lưới thuộc về tiền đạo của đội U17 Hà Nội với bảy bàn thắng. Giải thưởng thủ môn xuất sắc nhất
thuộc về thủ thành của đội vô địch. Nhiều cầu thủ của hai đội vào chung kết được đánh giá có triển
vọng và có thể được triệu tập lên các đội tuyển trẻ quốc gia trong thời gian tới, chuẩn bị cho các
giải đấu khu vực và châu lục. Liên đoàn bóng đá cho biết sẽ tiếp tục phối hợp với các câu lạc bộ
nâng cao chất lượng giải đấu trẻ trong những mùa tới.""",
    },
]


def page_html(a: dict[str, str], base: str, outlet: str = "Báo Thử Nghiệm") -> str:
    paras = "\n".join(f"<p>{' '.join(p.split())}</p>" for p in a["paragraphs"].split("\n\n"))
    return f"""<!doctype html>
<html lang="vi"><head><meta charset="utf-8"><title>{a['title']} | {outlet}</title>
<meta property="article:published_time" content="{a['published']}">
<meta name="description" content="{' '.join(a['paragraphs'].split()[:40])}">
<link rel="canonical" href="{base}/{a['slug']}.html"></head>
<body><nav><a href="/">Trang chủ</a> | <a href="/thoi-su/">Thời sự</a>
 | <a href="/the-gioi/">Thế giới</a></nav>
<article><h1>{a['title']}</h1>
<div class="meta">{outlet} · {a['published']}</div>
{paras}
</article>
<footer>© {outlet} — bản quyền nội dung thuộc về tòa soạn.</footer></body></html>"""


def feed_xml(base: str, articles: list[dict[str, str]] = ARTICLES) -> str:
    items = "\n".join(
        f"<item><title>{a['title']}</title><link>{base}/{a['slug']}.html</link>"
        f"<guid>{base}/{a['slug']}.html</guid></item>" for a in articles
    )
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0"><channel><title>Báo Thử Nghiệm</title><link>{base}/</link>
<description>Tin mới</description>
{items}
</channel></rss>"""


RELEVANT = [a["title"] for a in ARTICLES if a["relevant"] == "yes"]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(scope="module")
def site(loop_site_module: Any, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """Serve the fixture site (the loopback server of tests/conftest.py); yield a sites.toml for it.
    Under /banlai/ a second outlet reprints the Đà Nẵng story word for word (sites_two.toml, beside
    sites.toml, has both outlets)."""
    server = loop_site_module
    base = server.base
    pages = {"/feed.rss": ("application/rss+xml; charset=utf-8", feed_xml(base))}
    for a in ARTICLES:
        pages[f"/{a['slug']}.html"] = ("text/html; charset=utf-8", page_html(a, base))
    copy = ARTICLES[1]
    pages["/banlai/feed.rss"] = ("application/rss+xml; charset=utf-8", feed_xml(base + "/banlai", [copy]))
    pages[f"/banlai/{copy['slug']}.html"] = ("text/html; charset=utf-8",
                                             page_html(copy, base + "/banlai", "Báo Bản Lại"))
    for path, (ctype, text) in pages.items():
        server.add(path, text, headers={"Content-Type": ctype})
    sites = tmp_path_factory.mktemp("site") / "sites.toml"
    sites.write_text(f"""[sites.thunghiem]
name = "Báo Thử Nghiệm"
domains = ["127.0.0.1"]
feeds = ["{base}/feed.rss"]
article_pattern = '-post\\d{{6}}\\.html$'
every = "15m"
""", encoding="utf-8")
    (sites.parent / "sites_two.toml").write_text(f"""[sites.thunghiem]
name = "Báo Thử Nghiệm"
domains = ["127.0.0.1"]
feeds = ["{base}/feed.rss"]
article_pattern = '^http://127\\.0\\.0\\.1:\\d+/[a-z0-9-]+-post\\d{{6}}\\.html$'

[sites.banlai]
name = "Báo Bản Lại"
domains = ["127.0.0.1"]
feeds = ["{base}/banlai/feed.rss"]
article_pattern = '/banlai/[a-z0-9-]+-post\\d{{6}}\\.html$'
""", encoding="utf-8")
    yield sites


# -- a real SMTP server and a real webhook receiver ------------------------------------------
class SMTPSink:
    """aiosmtpd on 127.0.0.1:port; can be stopped and started again on the same port."""

    def __init__(self, port: int) -> None:
        self.port = port
        self.messages: list[email.message.EmailMessage] = []
        self.controller: Controller | None = None

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802
        msg = email.message_from_bytes(envelope.content, policy=policy.default)
        self.messages.append(msg)  # type: ignore[arg-type]
        return "250 OK"

    def start(self) -> None:
        self.controller = Controller(self, hostname="127.0.0.1", port=self.port)
        self.controller.start()

    def stop(self) -> None:
        if self.controller is not None:
            self.controller.stop()
            self.controller = None

    @property
    def url(self) -> str:
        return f"mailto://127.0.0.1:{self.port}?from=presswatch@example.org&to=desk@example.org&mode=insecure"

    def subjects(self) -> list[str]:
        return [str(m["subject"]) for m in self.messages]

    def bodies(self) -> list[str]:
        out = []
        for m in self.messages:
            part = m.get_body(("plain",))
            out.append(part.get_content() if part is not None else "")  # type: ignore[attr-defined]
        return out


@pytest.fixture
def smtp() -> Iterator[SMTPSink]:
    sink = SMTPSink(_free_port())
    yield sink
    sink.stop()


class Webhook:
    """A webhook receiver: the loopback server of tests/conftest.py answering 200 to every POST
    (after 0.3 s on /slow) and recording it."""

    def __init__(self, server: Any) -> None:
        self.server = server
        server.add("*", b"")
        server.add("/slow", b"", delay=0.3)

    def url(self, path: str, query: str = "") -> str:
        return f"json://127.0.0.1:{self.server.port}/{path}{query}"

    def posts(self, path: str) -> list[dict[str, Any]]:
        return [json.loads(body or b"{}") for (pth, _, body) in self.server.posts if pth == f"/{path}"]

    def headers(self, path: str) -> list[dict[str, str]]:
        return [h for (pth, h, _) in self.server.posts if pth == f"/{path}"]


@pytest.fixture
def hook(loop_site: Any) -> Webhook:
    return Webhook(loop_site)


# -- running presswatch ----------------------------------------------------------------------
def presswatch(*args: str, env: dict[str, str] | None = None,
               ok: bool = True) -> subprocess.CompletedProcess[str]:
    full_env = {k: v for k, v in os.environ.items() if k not in ("PRESSWATCH_ALERTS", "PRESSWATCH_DB")}
    full_env.update(env or {})
    r = subprocess.run([sys.executable, "-m", "pipeline.cli", *args], cwd=ROOT, capture_output=True,
                       text=True, timeout=180, env=full_env)
    if ok:
        assert r.returncode == 0, f"exit {r.returncode}\n{r.stdout}\n{r.stderr}"
    return r


def crawl(sites: Path, db: Path, alerts: Path, env: dict[str, str] | None = None) -> str:
    args = ("crawl", "--sites", str(sites), "--db", str(db), "--alerts", str(alerts))
    return presswatch(*args, env=env).stdout


def outbox_rows(db: Path) -> list[dict[str, Any]]:
    d = open_db(db)
    rows = [dict(r) for r in d.query("SELECT * FROM alert_outbox ORDER BY id")]
    d.close()
    return rows


# -- end to end ------------------------------------------------------------------------------
@pytest.mark.slow
def test_crawl_sends_each_relevant_story_once_per_channel(site: Path, smtp: SMTPSink, hook: Webhook,
                                                         tmp_path: Path) -> None:
    smtp.start()
    alerts = tmp_path / "alerts.toml"
    alerts.write_text(f"""
[alerts.desk]
channels = ["{smtp.url}", "{hook.url('desk', '?+X-Token=${PRESSWATCH_TEST_TOKEN}')}"]
relevant = true

[alerts.everything]
channels = ["{hook.url('all')}"]

[alerts.kyoto]
channels = ["{hook.url('kyoto')}"]
keywords = ["ket nghia"]

[alerts.hanoi]
channels = ["{hook.url('hanoi')}"]
relevant = true
provinces = ["Ha Noi"]
""", encoding="utf-8")
    db = tmp_path / "pw.db"
    env = {"PRESSWATCH_TEST_TOKEN": SECRET}

    out = crawl(site, db, alerts, env)
    assert "5 new article(s)" in out, out
    assert "alerts: 10 delivered" in out, out

    # e-mail: exactly the three relevant stories, each once
    assert sorted(smtp.subjects()) == sorted(f"[presswatch] {t}" for t in RELEVANT)
    body = smtp.bodies()[0]
    assert "Báo Thử Nghiệm" in body and "giờ Việt Nam" in body and "http://127.0.0.1:" in body
    assert "Vì sao / why:" in body
    # webhook: the same three, with the header whose secret came from the environment
    desk = hook.posts("desk")
    assert sorted(p["title"] for p in desk) == sorted(f"[presswatch] {t}" for t in RELEVANT)
    assert all(h.get("X-Token") == SECRET for h in hook.headers("desk"))
    assert len(hook.posts("all")) == 5  # an empty block: every new story
    kyoto = hook.posts("kyoto")  # accent-free keyword found "kết nghĩa"
    assert [p["title"] for p in kyoto] == [f"[presswatch] {ARTICLES[0]['title']}"]
    assert "ket nghia" in kyoto[0]["message"]
    # the scorer's provinces and countries: the grocery-price story is about Hà Nội but not relevant
    (hanoi,) = hook.posts("hanoi")
    assert hanoi["title"] == f"[presswatch] {ARTICLES[0]['title']}"
    assert "provinces: Hà Nội" in hanoi["message"] and "countries: Nhật Bản" in hanoi["message"]

    rows = outbox_rows(db)
    assert len(rows) == 10 and {r["status"] for r in rows} == {"sent"}
    assert len({(r["subscription"], r["story_key"]) for r in rows}) == 10

    # a second pass: nothing new, nothing sent again
    out2 = crawl(site, db, alerts, env)
    assert "0 new article(s)" in out2, out2
    assert len(smtp.messages) == 3 and len(hook.posts("desk")) == 3 and len(hook.posts("all")) == 5
    # flushing the outbox by hand sends nothing either
    r = presswatch("alerts", "send", "--db", str(db), "--alerts", str(alerts), env=env)
    assert "0 delivered" in r.stdout
    assert len(smtp.messages) == 3

    # no channel URL and no secret in the database
    raw = b"".join(p.read_bytes() for p in tmp_path.glob("pw.db*"))
    assert SECRET.encode() not in raw
    assert f"127.0.0.1:{smtp.port}".encode() not in raw

    listing = presswatch("alerts", "list", "--db", str(db), "--alerts", str(alerts)).stdout
    assert "desk: instant; relevant=yes" in listing
    assert "sent 3, pending 0, failed 0" in listing
    assert "last delivery never" not in listing.split("everything")[0]
    assert SECRET not in listing


@pytest.mark.slow
def test_smtp_down_alerts_kept_and_delivered_next_pass(site: Path, smtp: SMTPSink, hook: Webhook,
                                                      tmp_path: Path) -> None:
    alerts = tmp_path / "alerts.toml"
    alerts.write_text(f"""
[delivery]
retry_after = "1s"

[alerts.desk]
channels = ["{smtp.url}", "{hook.url('desk')}"]
relevant = true
""", encoding="utf-8")
    db = tmp_path / "pw.db"

    out = crawl(site, db, alerts)  # the SMTP server is not running
    assert "5 new article(s)" in out
    assert "3 failed" in out, out
    rows = outbox_rows(db)
    assert len(rows) == 3
    for r in rows:
        assert r["status"] == "pending" and r["attempts"] == 1 and r["sent_at"] is None
        assert r["error"] and "mailto" in r["error"]
        assert len(json.loads(r["delivered"])) == 1  # the webhook got it
        assert r["next_attempt_at"] > r["last_attempt_at"]
    assert len(hook.posts("desk")) == 3

    smtp.start()
    time.sleep(1.2)  # the back-off after the first failure
    out2 = crawl(site, db, alerts)
    assert "0 new article(s)" in out2
    assert "3 delivered" in out2, out2
    assert sorted(smtp.subjects()) == sorted(f"[presswatch] {t}" for t in RELEVANT)
    assert len(hook.posts("desk")) == 3  # the retry went only to the channel that had failed
    rows = outbox_rows(db)
    assert {r["status"] for r in rows} == {"sent"} and {r["attempts"] for r in rows} == {2}
    assert all(r["error"] is None for r in rows)

    crawl(site, db, alerts)
    assert len(smtp.messages) == 3 and len(hook.posts("desk")) == 3


@pytest.mark.slow
def test_digest_groups_articles_into_one_message(site: Path, hook: Webhook, tmp_path: Path) -> None:
    alerts = tmp_path / "alerts.toml"
    alerts.write_text(f"""
[alerts.daily]
channels = ["{hook.url('digest')}"]
relevant = true
mode = "digest"
digest = "1h"
""", encoding="utf-8")
    db = tmp_path / "pw.db"
    out = crawl(site, db, alerts)
    assert "3 waiting for their digest" in out, out
    assert hook.posts("digest") == []
    presswatch("alerts", "send", "--db", str(db), "--alerts", str(alerts))
    assert hook.posts("digest") == []  # not due yet

    cfg = load_alerts(alerts)
    d = open_db(db)
    report = deliver(d, cfg, now=datetime.now(UTC) + timedelta(hours=1, minutes=1))
    d.close()
    assert report.sent == 3 and report.messages == 1
    (msg,) = hook.posts("digest")
    assert msg["title"] == "[presswatch] daily: 3 bài mới / new article(s)"
    for t in RELEVANT:
        assert t in msg["message"]
    r = presswatch("alerts", "send", "--flush-digests", "--db", str(db), "--alerts", str(alerts))
    assert "0 delivered" in r.stdout
    assert len(hook.posts("digest")) == 1


@pytest.mark.slow
def test_copy_from_another_outlet_is_not_a_new_story(site: Path, hook: Webhook, tmp_path: Path) -> None:
    """With the dedup module (pipeline/dedup.py), a word-for-word reprint on another outlet is marked
    duplicate_of and owed to nobody; the message of the story names the other outlet."""
    pytest.importorskip("pipeline.dedup")
    alerts = tmp_path / "alerts.toml"
    alerts.write_text(f'[alerts.desk]\nchannels = ["{hook.url("dedup")}"]\nrelevant = true\n',
                      encoding="utf-8")
    db = tmp_path / "pw.db"
    out = crawl(site.parent / "sites_two.toml", db, alerts)
    assert "6 new article(s)" in out, out
    posts = hook.posts("dedup")
    assert sorted(p["title"] for p in posts) == sorted(f"[presswatch] {t}" for t in RELEVANT), out
    (danang,) = [p for p in posts if ARTICLES[1]["title"] in p["title"]]
    assert "also reported by" in danang["message"]
    assert "/banlai/" in danang["message"] or "Báo Bản Lại" in danang["message"].split("also reported by")[0]
    assert len(outbox_rows(db)) == 3
    crawl(site.parent / "sites_two.toml", db, alerts)
    assert len(hook.posts("dedup")) == 3


@pytest.mark.slow
def test_atom_feed_lists_the_same_articles(site: Path, tmp_path: Path) -> None:
    from datasette.app import Datasette

    from pipeline.publish import metadata

    alerts = tmp_path / "alerts.toml"
    alerts.write_text('[alerts.feed-only]\ntitle = "Đối ngoại"\nrelevant = true\n', encoding="utf-8")
    db = tmp_path / "pw.db"
    crawl(site, db, alerts)
    assert {r["status"] for r in outbox_rows(db)} == {"feed_only"}

    async def fetch(path: str) -> Any:
        ds = Datasette([str(db)], metadata=metadata(db, alerts))
        return await ds.client.get(path)

    for path in ("/pw/alert_feed-only.atom", "/pw/alert_feed.atom?subscription=feed-only"):
        resp = asyncio.run(fetch(path))
        assert resp.status_code == 200, resp.text
        root = ET.fromstring(resp.content)
        ns = {"a": "http://www.w3.org/2005/Atom"}
        entries = root.findall("a:entry", ns)
        assert sorted(e.findtext("a:title", "", ns) for e in entries) == sorted(RELEVANT)
        links = [e.find("a:link", ns) for e in entries]
        assert all(li is not None and li.get("href", "").startswith("http://127.0.0.1:") for li in links)
        if "subscription=" not in path:
            assert root.findtext("a:title", namespaces=ns) == "Đối ngoại"  # the subscription's title

    # a subscription with no story yet: a valid feed with one placeholder entry, not an HTTP 500
    resp = asyncio.run(fetch("/pw/alert_feed.atom?subscription=nobody"))
    assert resp.status_code == 200, resp.text
    entries = ET.fromstring(resp.content).findall("a:entry", ns)
    assert [e.findtext("a:title", "", ns) for e in entries] == ["Chưa có tin / No stories yet"]


@pytest.mark.slow
def test_run_passes_alerts_to_every_pass(site: Path, hook: Webhook, tmp_path: Path) -> None:
    """`presswatch run --alerts FILE`: the scheduler's child crawls enqueue and deliver with it."""
    alerts = tmp_path / "alerts.toml"
    alerts.write_text(f'[alerts.desk]\nchannels = ["{hook.url("run")}"]\nrelevant = true\n', encoding="utf-8")
    env = {k: v for k, v in os.environ.items() if k not in ("PRESSWATCH_ALERTS", "PRESSWATCH_DB")}
    env["PYTHONPATH"] = str(ROOT)  # run from tmp_path (its logs/ go there), this checkout's code
    proc = subprocess.Popen(
        [sys.executable, "-m", "pipeline.cli", "run", "--no-serve", "--sites", str(site),
         "--db", str(tmp_path / "pw.db"), "--alerts", str(alerts)],
        cwd=tmp_path, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
    )
    try:
        deadline = time.monotonic() + 90
        while len(hook.posts("run")) < 3 and time.monotonic() < deadline and proc.poll() is None:
            time.sleep(0.5)
    finally:
        proc.terminate()
        out = proc.communicate(timeout=60)[0]
    assert sorted(p["title"] for p in hook.posts("run")) == sorted(f"[presswatch] {t}" for t in RELEVANT), out


@pytest.mark.slow
def test_alerts_test_command_sends_to_the_channel(hook: Webhook, tmp_path: Path) -> None:
    alerts = tmp_path / "alerts.toml"
    alerts.write_text(f'[alerts.ping]\nchannels = ["{hook.url("ping")}"]\n', encoding="utf-8")
    r = presswatch("alerts", "test", "ping", "--alerts", str(alerts))
    assert "sent" in r.stdout
    (msg,) = hook.posts("ping")
    assert msg["title"] == "[presswatch] test: ping"
    bad = presswatch("alerts", "test", "nope", "--alerts", str(alerts), ok=False)
    assert bad.returncode != 0 and "no subscription 'nope'" in bad.stderr


# -- the outbox in the store's transaction ---------------------------------------------------
def _article(n: int, title: str, **dedup: Any) -> Article:
    rel = Relevance(score=0.9, relevant=True, provinces=["Hà Nội"], countries=["Nhật Bản"],
                    evidence=["đối ngoại"])
    return Article(url=f"https://example.vn/bai-{n}.html", title=title, text="Nội dung bài báo. " * 30,
                   relevance=rel, dedup=DedupResult(**dedup) if dedup else None)


def test_story_copies_duplicates_and_recrawls_are_owed_once(tmp_path: Path) -> None:
    cfg = parse_alerts('[alerts.hn]\nprovinces = ["Ha Noi"]\nchannels = ["json://127.0.0.1:9/x"]\n')
    db = open_db(tmp_path / "x.db")
    on_new = enqueuer(cfg.subscriptions)
    first = store_article(db, _article(1, "Hà Nội đối ngoại"), "<html></html>", on_new=on_new)
    assert first is not None
    copy = store_article(db, _article(2, "Bản đăng lại", story_id=first), "<html></html>", on_new=on_new)
    dup = store_article(db, _article(3, "Bản trùng", duplicate_of=first), "<html></html>", on_new=on_new)
    again = store_article(db, _article(1, "Hà Nội đối ngoại"), "<html></html>", on_new=on_new)
    assert copy is not None and dup is not None and again is None
    rows = list(db.query("SELECT subscription, story_key, article_id, reasons FROM alert_outbox"))
    assert [(r["subscription"], r["story_key"], r["article_id"]) for r in rows] == [("hn", str(first), first)]
    assert json.loads(rows[0]["reasons"])["provinces"] == ["Hà Nội"]

    # a hook that fails takes the article down with it: nothing half-written
    def broken(db: Any, article_id: int, article: Article) -> None:
        enqueue(db, article_id, article, cfg.subscriptions)
        raise RuntimeError("boom")

    with pytest.raises(RuntimeError):
        store_article(db, _article(4, "Hà Nội đối ngoại 4"), "<html></html>", on_new=broken)
    assert db.execute("SELECT count(*) FROM articles WHERE url LIKE '%bai-4%'").fetchone()[0] == 0
    assert db.execute("SELECT count(*) FROM alert_outbox").fetchone()[0] == 1

    # "also reported by": the other articles of the story (articles.story_id, migration 0002_dedup)
    db.execute("UPDATE articles SET story_id = ? WHERE id = ?", [first, copy])  # the first keeps NULL
    (_, _, item), = items(db, [1])
    assert item.also == [("?", "https://example.vn/bai-2.html")]
    db.execute("INSERT INTO alert_outbox (subscription, story_key, article_id, created_at, next_attempt_at) "
               "VALUES ('other', ?, ?, '', '')", [str(first), copy])
    (_, _, item), = items(db, [2])  # seen from the copy: the first one
    assert item.also == [("?", "https://example.vn/bai-1.html")]
    db.close()


def test_many_due_at_once_are_grouped_not_flooded(hook: Webhook, tmp_path: Path) -> None:
    cfg = parse_alerts(f'[delivery]\nmax_instant = 2\n[alerts.hn]\nchannels = ["{hook.url("hn")}"]\n')
    db = open_db(tmp_path / "x.db")
    on_new = enqueuer(cfg.subscriptions)
    for n in range(3):
        store_article(db, _article(n, f"Hà Nội đối ngoại {n}"), "<html></html>", on_new=on_new)
    report = deliver(db, cfg)
    assert (report.messages, report.sent) == (1, 3)
    (msg,) = hook.posts("hn")
    assert all(f"Hà Nội đối ngoại {n}" in msg["message"] for n in range(3))
    # then one message per story again
    on_new = enqueuer(cfg.subscriptions)
    store_article(db, _article(9, "Hà Nội đối ngoại 9"), "<html></html>", on_new=on_new)
    assert deliver(db, cfg).messages == 1
    assert hook.posts("hn")[-1]["title"] == "[presswatch] Hà Nội đối ngoại 9"
    db.close()


def test_a_channel_that_is_down_is_tried_once_per_run(tmp_path: Path) -> None:
    cfg = parse_alerts('[delivery]\nretry_after = "1m"\nmax_attempts = 2\n'
                       '[alerts.hn]\nchannels = ["json://127.0.0.1:9/x"]\n')
    db = open_db(tmp_path / "x.db")
    on_new = enqueuer(cfg.subscriptions)
    for n in range(5):
        store_article(db, _article(n, f"Hà Nội đối ngoại {n}"), "<html></html>", on_new=on_new)
    calls: list[str] = []

    def down(url: str, title: str, body: str, secrets: list[str]) -> None:
        calls.append(title)
        raise OSError("connection refused")

    t0 = datetime.now(UTC)
    report = deliver(db, cfg, now=t0, sender=down)
    assert len(calls) == 1 and report.failed == 5 and report.sent == 0
    rows = list(db.query("SELECT status, attempts, next_attempt_at, error FROM alert_outbox"))
    assert all(r["status"] == "pending" and r["attempts"] == 1 for r in rows)
    assert all("connection refused" in r["error"] for r in rows)
    assert deliver(db, cfg, now=t0 + timedelta(seconds=30), sender=down).failed == 0  # backing off
    report = deliver(db, cfg, now=t0 + timedelta(seconds=61), sender=down)  # 2nd attempt: the last
    assert report.gave_up == 5
    assert {r["status"] for r in db.query("SELECT status FROM alert_outbox")} == {"failed"}
    db.close()


@pytest.mark.slow
def test_two_senders_at_once_send_each_story_once(hook: Webhook, tmp_path: Path) -> None:
    alerts = tmp_path / "alerts.toml"
    alerts.write_text(f'[delivery]\nmax_instant = 100\n[alerts.hn]\nchannels = ["{hook.url("slow")}"]\n',
                      encoding="utf-8")
    cfg = load_alerts(alerts)
    db = open_db(tmp_path / "x.db")
    on_new = enqueuer(cfg.subscriptions)
    for n in range(24):
        store_article(db, _article(n, f"Hà Nội đối ngoại {n}"), "<html></html>", on_new=on_new)
    db.close()
    cmd = [sys.executable, "-m", "pipeline.cli", "alerts", "send", "--db", str(tmp_path / "x.db"),
           "--alerts", str(alerts)]
    procs = [subprocess.Popen(cmd, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
             for _ in range(2)]
    outs = [p.communicate(timeout=120)[0] for p in procs]
    assert all(p.returncode == 0 for p in procs), outs
    titles = [p["title"] for p in hook.posts("slow")]
    assert sorted(titles) == sorted(f"[presswatch] Hà Nội đối ngoại {n}" for n in range(24))
    # the two shared the work (each claims a few rows at a time) and their counts add up
    counts = [int(o.split("alerts: ")[1].split()[0]) for o in outs]
    assert sum(counts) == 24, counts
    assert {r["status"] for r in outbox_rows(tmp_path / "x.db")} == {"sent"}


# -- configuration and matching --------------------------------------------------------------
@pytest.mark.parametrize("text, where", [
    ('[alerts.a]\nrelevent = true\n', "subscription 'a', field 'relevent'"),
    ('[alerts.a]\nmode = "weekly"\n', "subscription 'a', field 'mode'"),
    ('[alerts.a]\nmode = "digest"\n', "subscription 'a', field 'digest'"),
    ('[alerts.a]\nmode = "digest"\ndigest = "soon"\n', "subscription 'a', field 'digest'"),
    ('[alerts.a]\nchannels = ["nope://x"]\n', "subscription 'a', field 'channels'"),
    ('[alerts.a]\nchannels = "not a url"\n', "subscription 'a', field 'channels'"),
    ('[alerts.a]\nmin_relevance = 2\n', "subscription 'a', field 'min_relevance'"),
    ('[alerts.a]\nprovinces = [1]\n', "subscription 'a', field 'provinces'"),
    ('[alerts.A]\n', "subscription 'A'"),
    ('[alerts.a]\n[alerts.a]\n', "duplicate subscription"),
    ('[delivery]\nretry_after = "x"\n', "field 'retry_after'"),
    ('[alert.a]\n', "unknown top-level key 'alert'"),
])
def test_config_errors_name_subscription_and_field(text: str, where: str) -> None:
    with pytest.raises(AlertsError) as e:
        parse_alerts(text, "alerts.toml")
    assert where in str(e.value) and str(e.value).startswith("alerts.toml")


@pytest.mark.parametrize("text, needles", [
    ('[alerts.dn]\nprovinces = ["Da Nag"]\n', ["subscription 'dn', field 'provinces'", "'Da Nag'", "Đà Nẵng"]),
    ('[alerts.jp]\nprovinces = ["Japan"]\n', ["subscription 'jp', field 'provinces'", "Nhật Bản", "countries"]),
    ('[alerts.x]\ncountries = ["Nhat Bam"]\n', ["subscription 'x', field 'countries'", "Nhật Bản"]),
])
def test_place_filters_checked_against_the_lexicon(text: str, needles: list[str]) -> None:
    with pytest.raises(AlertsError) as e:
        parse_alerts(text, "alerts.toml")
    assert all(n in str(e.value) for n in needles), str(e.value)


def test_place_aliases_and_keywords_with_marks() -> None:
    sub = parse_alerts('[alerts.a]\ncountries = ["Japan", "nhat ban"]\nprovinces = ["da nang"]\n'
                       'keywords = ["Hải Nam"]\n[alerts.b]\nkeywords = ["hai nam"]\n').subscriptions
    assert sub["a"].countries == ("Nhật Bản",) and sub["a"].provinces == ("Đà Nẵng",)
    rel = {"score": 0.8, "relevant": True, "provinces": ["Đà Nẵng"], "countries": ["Nhật Bản"], "evidence": []}
    hainan = {"title": "Đà Nẵng đón đoàn tỉnh HẢI NAM", "text": "…", "relevance": rel}
    years = {"title": "Đà Nẵng sau hai năm", "text": "Nhật Bản", "relevance": rel}
    assert sub["a"].match(hainan) is not None and sub["a"].match(years) is None  # marks: not "hai năm"
    assert sub["b"].match(hainan) is not None and sub["b"].match(years) is not None  # accent-free: both


def test_config_bundled_and_empty() -> None:
    assert parse_alerts("").subscriptions == {}
    cfg = load_alerts(ROOT / "config" / "alerts.toml")
    assert all(not s.channels for s in cfg.subscriptions.values())  # the example sends nothing
    sub = parse_alerts('[alerts.e]\nchannels = ["mailtos://u@example.org?pass=${NOT_SET_ANYWHERE}"]\n')
    with pytest.raises(KeyError, match="NOT_SET_ANYWHERE"):
        sub.subscriptions["e"].expanded_channels({})


def test_matching() -> None:
    subs = parse_alerts("""
[alerts.all]
[alerts.hn]
provinces = ["Ha Noi"]
min_relevance = 0.6
[alerts.kw]
keywords = ["KẾT NGHĨA", "hữu nghị"]
sites = ["tienphong"]
[alerts.irrelevant]
relevant = false
""").subscriptions
    rel = {"score": 0.8, "relevant": True, "provinces": ["Hà Nội"], "countries": ["Nhật Bản"], "evidence": []}
    art = {"title": "Lễ kỷ niệm quan hệ kết nghĩa", "text": "…", "site": "tienphong", "relevance": rel}
    assert subs["all"].match(art) is not None
    m = subs["hn"].match(art)
    assert m is not None and m.provinces == ("Hà Nội",) and m.countries == ("Nhật Bản",)
    assert subs["hn"].match({**art, "relevance": {**rel, "score": 0.5}}) is None
    m = subs["kw"].match(art)
    assert m is not None and m.terms == ("KẾT NGHĨA",)
    assert subs["kw"].match({**art, "site": "vnexpress"}) is None
    assert subs["kw"].match({**art, "title": "ket nghiap"}) is None  # whole words only
    assert subs["irrelevant"].match(art) is None


def test_vietnam_time() -> None:
    assert vn_time("2026-11-22T01:30:00+00:00") == "08:30 22/11/2026 (giờ Việt Nam)"
    assert vn_time("2026-11-22T08:30:00+07:00") == "08:30 22/11/2026 (giờ Việt Nam)"
    assert vn_time(None).startswith("không rõ")


def test_fixture_pages_are_long_enough() -> None:
    for a in ARTICLES:
        assert len(a["paragraphs"].split()) >= 300, a["title"]
    assert sum("đối ngoại" in a["title"] for a in ARTICLES) == 3
