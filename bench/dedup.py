"""Benchmark of pipeline/dedup.py: near-copy check per new article against a large stored index,
peak memory, and pair precision/recall on a labelled set of written variants.

    python bench/dedup.py            # 100,000 stored articles (about 1-2 minutes)
    python bench/dedup.py --n 20000  # smaller

The stored corpus: ``--originals`` generated Vietnamese-like articles stored through the real
path (signature, bands, entity keys), the rest bulk-inserted with precomputed random signatures
and band hashes (what unrelated texts look like to MinHash: no shared shingles) and random entity
keys over a year of days. New articles are then checked with ``pipeline.dedup.analyse`` (the
stage's whole work: signature, exact and near-copy lookup by band, story lookup), timed one by one.
"""

from __future__ import annotations

import argparse
import random
import resource
import statistics
import sys
import tempfile
import time
import tracemalloc
from datetime import date, timedelta
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from db import open_db  # noqa: E402
from pipeline.article import Article  # noqa: E402
from pipeline.dedup import analyse, band_hashes_batch, load_config, signature_bytes  # noqa: E402
from pipeline.process import store_article  # noqa: E402

# A small Vietnamese news vocabulary (written for this benchmark).
WORDS = """
hợp tác phát triển kinh tế xã hội địa phương tỉnh thành phố đoàn đại biểu lãnh đạo chủ tịch ủy ban
nhân dân hội nghị ký kết biên bản ghi nhớ thỏa thuận đầu tư doanh nghiệp dự án vốn đăng ký khu công
nghiệp công nghệ cao giáo dục đào tạo nguồn nhân lực du lịch văn hóa giao lưu hữu nghị quan hệ truyền
thống hai bên thống nhất đề nghị khẳng định đánh giá cao bày tỏ vui mừng tiếp thăm làm việc trao đổi
thông tin kết quả năm qua giai đoạn mới lĩnh vực nông nghiệp y tế môi trường giao thông hạ tầng cảng
biển sân bay đường bay thẳng thương mại xuất khẩu nhập khẩu hàng hóa biên giới cửa khẩu kiểm soát
an ninh trật tự quốc phòng ngoại giao ngoại vụ sở ban ngành chức năng cơ quan chuyên môn kế hoạch
chương trình hành động triển khai thực hiện hiệu quả thiết thực người dân cộng đồng kiều bào học sinh
sinh viên học bổng trường đại học bệnh viện trang thiết bị tài trợ viện trợ không hoàn lại tổ chức
phi chính phủ quốc tế khu vực châu Á Thái Bình Dương diễn đàn hội chợ triển lãm lễ hội ẩm thực nghệ
thuật biểu diễn trình diễn thể thao giải đấu vận động viên tham dự khai mạc bế mạc phát biểu nhấn mạnh
cho biết theo đó đồng thời bên cạnh ngoài ra tuy nhiên trong khi đó hiện nay thời gian tới sắp tới
năm nay tháng tuần ngày sáng chiều tối mục tiêu nhiệm vụ giải pháp chính sách cơ chế thủ tục hành chính
cải cách cải thiện môi trường kinh doanh năng lực cạnh tranh chỉ số xếp hạng tăng trưởng tổng sản phẩm
ngân sách thu nhập bình quân đầu người lao động việc làm an sinh phúc lợi nhà ở đô thị nông thôn
miền núi vùng sâu vùng xa đồng bào dân tộc thiểu số bảo tồn di sản di tích lịch sử danh lam thắng cảnh
khách quốc tế lượt khách doanh thu lưu trú nhà hàng khách sạn lữ hành điểm đến quảng bá xúc tiến
""".split()
SURNAMES = "Nguyễn Trần Lê Phạm Hoàng Huỳnh Phan Vũ Võ Đặng Bùi Đỗ Hồ Ngô Dương Lý".split()
MIDDLE = "Văn Thị Hữu Minh Quốc Thanh Ngọc Đức Xuân Hoài".split()
GIVEN = "An Bình Cường Dũng Giang Hà Hải Hùng Khánh Lan Long Mai Nam Phong Quang Sơn Tâm Thảo Trung Vinh".split()
PLACES = ("Đà Nẵng, Hà Nội, Hải Phòng, Cần Thơ, Quảng Ninh, Lào Cai, Tây Ninh, Khánh Hòa, Nghệ An, Thừa Thiên Huế, "
          "Bình Dương, Đồng Nai, Lâm Đồng, Kiên Giang, An Giang, Quảng Nam, Gia Lai, Đắk Lắk").split(", ")
PARTNERS = ("Nhật Bản, Hàn Quốc, Lào, Campuchia, Trung Quốc, Hoa Kỳ, Pháp, Đức, Úc, Ấn Độ, Thái Lan, "
            "Singapore, Cu Ba, Nga, Canada, Hà Lan, Italy, Bỉ").split(", ")


def person(rng: random.Random) -> str:
    return f"{rng.choice(SURNAMES)} {rng.choice(MIDDLE)} {rng.choice(GIVEN)}"


def sentence(rng: random.Random, n: int | None = None) -> list[str]:
    n = n or rng.randint(14, 26)
    w = rng.choices(WORDS, k=n)
    w[0] = w[0].capitalize()
    return w


def article(rng: random.Random, n_words: int = 450) -> tuple[str, str]:
    """(title, text): sentences of news words with people, places and figures."""
    place, partner = rng.choice(PLACES), rng.choice(PARTNERS)
    names = [person(rng) for _ in range(3)]
    paras, words = [], 0
    while words < n_words:
        sents = []
        for _ in range(rng.randint(2, 4)):
            s = sentence(rng)
            k = rng.random()
            if k < 0.3:
                s.insert(rng.randrange(1, len(s)), place)
            elif k < 0.5:
                s.insert(rng.randrange(1, len(s)), partner)
            elif k < 0.65:
                s.insert(rng.randrange(1, len(s)), names[rng.randrange(3)])
            elif k < 0.8:
                s.insert(rng.randrange(1, len(s)), f"{rng.randint(2, 950)}")
            sents.append(" ".join(s) + ".")
            words += len(s)
        paras.append(" ".join(sents))
    title = f"{place} {' '.join(rng.choices(WORDS, k=6))} {partner}"
    return title, "\n\n".join(paras)


def edit(rng: random.Random, text: str, rate: float) -> str:
    """Replace, delete or insert about ``rate`` of the words (paragraphs kept)."""
    out = []
    for para in text.split("\n\n"):
        words = para.split(" ")
        new: list[str] = []
        for w in words:
            r = rng.random()
            if r < rate / 3:
                new.append(rng.choice(WORDS))
            elif r < 2 * rate / 3:
                continue
            elif r < rate:
                new += [w, rng.choice(WORDS)]
            else:
                new.append(w)
        out.append(" ".join(new))
    return "\n\n".join(out)


TEMPLATE = (
    "Ngày {d}/{m}, tại {place}, Chủ tịch UBND tỉnh {name} đã tiếp đoàn đại biểu {partner} do {guest} dẫn đầu. "
    "Phát biểu tại buổi tiếp, ông {name} cho biết trong năm {y} tỉnh đã thu hút {n1} dự án với tổng vốn {n2} triệu "
    "USD, trong đó nhiều dự án của doanh nghiệp {partner}. Hai bên thống nhất tăng cường hợp tác trong các lĩnh "
    "vực giáo dục, du lịch, nông nghiệp công nghệ cao và giao lưu nhân dân, tạo điều kiện cho doanh nghiệp tìm "
    "hiểu cơ hội đầu tư. Ông {guest} cảm ơn sự đón tiếp chu đáo và khẳng định sẽ thúc đẩy đường bay thẳng, dự "
    "kiến khai thác từ tháng {m2} năm {y2} với {n3} chuyến mỗi tuần.\n\n"
)


def template_article(rng: random.Random, base: random.Random, year: int) -> tuple[str, str, str]:
    """An article from one outlet's template: the template paragraphs come from ``base`` (the same
    for every use), the facts from ``rng``. Returns (title, text, published)."""
    facts = dict(d=rng.randint(1, 28), m=rng.randint(1, 12), place=rng.choice(PLACES), name=person(rng),
                 partner=rng.choice(PARTNERS), guest=person(rng), y=year - 1, n1=rng.randint(5, 300),
                 n2=rng.randint(10, 5000), m2=rng.randint(1, 12), y2=year, n3=rng.randint(2, 14))
    tpl_state = base.getstate()
    filler = [" ".join(sentence(base)) + "." for _ in range(28)]
    base.setstate(tpl_state)
    paras = [TEMPLATE.format(**facts).strip()]
    for i in range(0, len(filler), 4):
        paras.append(" ".join(filler[i : i + 4]))
    published = date(year, facts["m"], facts["d"]).isoformat() + "T08:00:00+07:00"
    title = f"{facts['place']} tiếp đoàn {facts['partner']} {' '.join(rng.choices(WORDS, k=4))}"
    return title, "\n\n".join(paras), published


# -- build -------------------------------------------------------------------------------------
def build(db_path: Path, n: int, originals: int, rng: random.Random) -> list[tuple[int, str, str, str]]:
    cfg = load_config()
    b, r = cfg.bands
    db = open_db(db_path)
    db.execute("PRAGMA synchronous = OFF")
    db.execute("INSERT INTO sites (key, name) VALUES ('s0', 's0'), ('s1', 's1'), ('s2', 's2'), ('farm', 'farm')")
    stored: list[tuple[int, str, str, str]] = []
    start = date(2025, 1, 1)
    t0 = time.perf_counter()
    for i in range(originals):
        title, text = article(rng)
        pub = (start + timedelta(days=rng.randrange(365))).isoformat() + "T08:00:00+07:00"
        a = Article(url=f"https://s0.vn/o-{i}.html", title=title, text=text, site="s0", published=pub)
        a.dedup = analyse(db, a, cfg)
        aid = store_article(db, a, b"")
        assert aid is not None
        stored.append((aid, title, text, pub))
    t_real = time.perf_counter() - t0
    # fillers: random signatures, bands and entity keys, inserted in bulk (sorted by key, secondary
    # indexes rebuilt afterwards: sequential B-tree appends instead of random page writes)
    t0 = time.perf_counter()
    fill = n - originals
    np_rng = np.random.default_rng(7)
    key_pool = np.array([f"k{j} x{j % 97}" for j in range(60_000)])
    db.execute("DROP INDEX minhash_bands_article")
    db.execute("DROP INDEX story_keys_article")
    with db.atomic():
        first = db.execute("SELECT coalesce(max(id), 0) FROM articles").fetchone()[0] + 1
        ids = np.arange(first, first + fill, dtype=np.int64)
        days = [(start + timedelta(days=int(d))).isoformat() for d in np_rng.integers(365, size=fill)]
        all_h, all_band, all_id = [], [], []
        for lo in range(0, fill, 20_000):
            hi = min(fill, lo + 20_000)
            sigs = np_rng.integers(0, 2**32, size=(hi - lo, cfg.num_perm), dtype=np.uint32)
            db.conn.executemany(
                "INSERT INTO articles (id, url, site, title, published, text, content_hash, fetched_at, "
                "story_id) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                ((int(ids[j]), f"https://s1.vn/f-{j}.html", "s1", f"Tin {j}", days[j] + "T08:00:00+07:00",
                  f"filler {j}", f"h{j}", days[j], int(ids[j]))
                 for j in range(lo, hi)))
            db.conn.executemany(
                "INSERT INTO article_minhash (article_id, minhash) VALUES (?, ?)",
                ((int(ids[j]), signature_bytes(sigs[j - lo])) for j in range(lo, hi)))
            bh = band_hashes_batch(sigs, b, r)
            all_h.append(bh.ravel())
            all_band.append(np.tile(np.arange(b, dtype=np.int64), hi - lo))
            all_id.append(np.repeat(ids[lo:hi], b))
        h, band, aid = np.concatenate(all_h), np.concatenate(all_band), np.concatenate(all_id)
        order = np.argsort(h, kind="stable")
        for lo in range(0, len(order), 500_000):
            sel = order[lo : lo + 500_000]
            db.conn.executemany("INSERT OR IGNORE INTO minhash_bands (hash, band, article_id) VALUES (?, ?, ?)",
                                zip(h[sel].tolist(), band[sel].tolist(), aid[sel].tolist(), strict=True))
        del h, band, aid, order, all_h, all_band, all_id
        kidx = np_rng.integers(len(key_pool), size=(fill, 20))
        kid = np.repeat(np.arange(fill), 20)
        flat = kidx.ravel()
        order = np.lexsort((kid, flat))
        for lo in range(0, len(order), 500_000):
            sel = order[lo : lo + 500_000]
            db.conn.executemany("INSERT OR IGNORE INTO story_keys (key, day, article_id) VALUES (?, ?, ?)",
                                ((key_pool[flat[x]], days[kid[x]], int(ids[kid[x]])) for x in sel.tolist()))
    db.execute("CREATE INDEX minhash_bands_article ON minhash_bands(article_id)")
    db.execute("CREATE INDEX story_keys_article ON story_keys(article_id)")
    t_fill = time.perf_counter() - t0
    db.execute("ANALYZE")
    db.close()
    print(f"built {n:,} stored articles: {originals:,} through the real path in {t_real:.1f}s, "
          f"{fill:,} bulk in {t_fill:.1f}s ({b} bands x {r} rows)")
    return stored


# -- timing ------------------------------------------------------------------------------------
def time_checks(db_path: Path, stored: list[tuple[int, str, str, str]], m: int, rng: random.Random) -> None:
    cfg = load_config()
    t0 = time.perf_counter()
    db = open_db(db_path)  # a restart: nothing is loaded, the LSH index is the minhash_bands table
    aid, title, text, pub = stored[0]
    first = analyse(db, Article(url="https://s2.vn/first.html", title=title, text=edit(rng, text, 0.05), site="s2",
                                published=pub), cfg)
    print(f"restart: open the database and check a first article: {(time.perf_counter() - t0) * 1000:.1f} ms "
          f"(copy found: {first.duplicate_of == aid})")
    times, cpu, found = [], [], 0
    for i in range(m):
        if i % 2 == 0:  # an edited copy of a stored article
            aid, title, text, pub = rng.choice(stored)
            a = Article(url=f"https://s2.vn/c-{i}.html", title="(TTXVN) " + title, text=edit(rng, text, 0.07),
                        site="s2", published=pub)
        else:
            title, text = article(rng)
            aid, a = -1, Article(url=f"https://s2.vn/n-{i}.html", title=title, text=text, site="s2",
                                 published="2025-06-01T08:00:00+07:00")
        t0, c0 = time.perf_counter(), time.thread_time()
        out = analyse(db, a, cfg, fetched_at="2025-06-01T08:00:00+00:00")
        times.append(time.perf_counter() - t0)
        cpu.append(time.thread_time() - c0)
        found += out.duplicate_of == aid
    db.close()
    times.sort()
    print(f"near-copy check per new article (analyse: signature + band lookup + story lookup), {m} articles: "
          f"median {statistics.median(times) * 1000:.2f} ms, p95 {times[int(len(times) * 0.95)] * 1000:.2f} ms, "
          f"max {times[-1] * 1000:.2f} ms (CPU time: median {statistics.median(cpu) * 1000:.2f} ms); "
          f"copies found {found}/{(m + 1) // 2}")


def memory_of_checks(db_path: Path, stored: list[tuple[int, str, str, str]], m: int, rng: random.Random) -> None:
    cfg = load_config()
    db = open_db(db_path)
    tracemalloc.start()
    for i in range(m):
        aid, title, text, pub = rng.choice(stored)
        analyse(db, Article(url=f"https://s2.vn/t-{i}.html", title=title, text=edit(rng, text, 0.05), site="s2",
                            published=pub), cfg)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    db.close()
    print(f"Python heap peak during {m} checks (tracemalloc): {peak / 2**20:.1f} MB")


# -- pair precision / recall -------------------------------------------------------------------
def pairs(db_path: Path, k: int, rng: random.Random) -> None:
    """Labelled pairs: copies (5-10% edits, byline prefixes, other titles, other outlets) are
    positives; an outlet's template re-used a year later for another event and unrelated articles
    of the same day are negatives."""
    cfg = load_config()
    db = open_db(db_path)
    db.execute("INSERT INTO sites (key, name) VALUES ('a', 'a'), ('b', 'b'), ('c', 'c')")
    prefixes = ["", "(Dân trí) - ", "(TTXVN) - ", "TPO - ", "(PLO)- "]
    tp = fp = fn = tn = 0
    base_rngs = [random.Random(1000 + t) for t in range(max(4, k // 25))]
    for i in range(k):
        kind = ("copy", "template", "unrelated")[i % 3]
        if kind == "template":
            base = base_rngs[i % len(base_rngs)]
            title, text, pub = template_article(rng, base, 2025)
        else:
            title, text = article(rng)
            pub = f"2025-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}T08:00:00+07:00"
        orig = Article(url=f"https://a.vn/{i}.html", title=title, text=text, site="a", published=pub)
        orig.dedup = analyse(db, orig, cfg)
        oid = store_article(db, orig, b"")
        if kind == "copy":
            rate = rng.uniform(0.05, 0.10)
            other = Article(url=f"https://b.vn/{i}.html", title=" ".join(rng.choices(WORDS, k=8)),
                            text=rng.choice(prefixes) + edit(rng, text, rate), site=rng.choice(["b", "c"]),
                            published=pub[:11] + "15:00:00+07:00")
        elif kind == "template":
            t2, x2, p2 = template_article(rng, base, 2026)
            other = Article(url=f"https://a.vn/{i}-next.html", title=t2, text=edit(rng, x2, 0.03), site="a",
                            published=p2)
        else:
            t2, x2 = article(rng)
            other = Article(url=f"https://c.vn/{i}.html", title=t2, text=x2, site="c", published=pub)
        out = analyse(db, other, cfg)
        said = out.duplicate_of == oid or out.supersedes == oid
        store_article(db, other, b"")  # later pairs are checked against everything stored so far
        if kind == "copy":
            tp, fn = tp + said, fn + (not said)
        else:
            fp, tn = fp + said, tn + (not said)
    db.close()
    prec = tp / (tp + fp) if tp + fp else 1.0
    rec = tp / (tp + fn) if tp + fn else 1.0
    print(f"pairs: {tp + fn} copies (5-10% edits), {fp + tn} non-copies ({k // 3} template re-uses a year "
          f"apart, the rest unrelated): precision {prec:.3f}, recall {rec:.3f} (tp {tp}, fp {fp}, fn {fn})")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--n", type=int, default=100_000, help="stored articles (default 100,000)")
    ap.add_argument("--originals", type=int, default=2_000, help="of which generated through the real path")
    ap.add_argument("--checks", type=int, default=1_000, help="new articles timed")
    ap.add_argument("--pairs", type=int, default=600, help="labelled pairs")
    ap.add_argument("--db", default=None, help="keep the benchmark database here (default: a temporary file)")
    args = ap.parse_args()
    sys.stdout.reconfigure(line_buffering=True)  # type: ignore[attr-defined]
    rng = random.Random(42)
    started = time.perf_counter()
    with tempfile.TemporaryDirectory() as tmp:
        db_path = Path(args.db) if args.db else Path(tmp) / "bench.db"
        if db_path.exists():
            sys.exit(f"{db_path} exists: give a new path")
        stored = build(db_path, args.n, min(args.originals, args.n), rng)
        print(f"database file: {db_path.stat().st_size / 2**20:.0f} MB")
        time_checks(db_path, stored, args.checks, rng)
        memory_of_checks(db_path, stored, min(200, args.checks), rng)
        pairs(Path(tmp) / "pairs.db", args.pairs, rng)
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    total = time.perf_counter() - started
    print(f"peak resident memory of the whole run (getrusage): {peak:.0f} MB; total {total:.0f}s")


if __name__ == "__main__":
    main()
