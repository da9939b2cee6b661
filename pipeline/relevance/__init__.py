"""Relevance to local foreign affairs (đối ngoại địa phương): a score, a verdict, and why.

Pure and deterministic: lexicons are data in ``config/`` (relevance.toml, gazetteer.toml,
countries.toml), read once with ``tomllib`` and compiled into a few regular expressions.

How an article is scored (weights and scales are in config/relevance.toml):

1. Title, lead (the description, else the first sentences of the text) and body are
   normalised with ``pipeline.normalize`` and cut into sentences.
2. Every sentence collects hits: Vietnamese local actors (UBND tỉnh, Thành ủy, Sở Ngoại vụ,
   a province of the gazetteer), foreign partners (a country, an international
   organisation, a foreign province, an ambassador, overseas Vietnamese), foreign-affairs
   actions (tiếp xã giao, ký kết, kết nghĩa, xúc tiến đầu tư), national-only actors
   (Thủ tướng, Bộ Ngoại giao) and distractors (tourism, sport, markets, traffic). A hit
   weighs its lexicon weight times its position weight (title > lead > body). Longer
   phrases win over shorter ones at the same place ("Lào Cai" the province, not "Lào").
3. Three channels (local, foreign, action) saturate as 1 - exp(-sum/scale); their product
   (to the power core_power, 1/3 = geometric mean) is the "core": all three are needed.
   Sentences holding a local actor together with a concrete foreign counterpart and an
   action ("triples"), or with one of them ("pairs"), make the co-occurrence channel; a
   local institution and a foreign counterpart (ambassador, delegation) in one sentence
   imply an encounter. raw = share * core + (1 - share) * co-occurrence.
   Roles from neighbouring words (``matching._roles``): an actor or national term followed
   by a foreign place is that place's institution ("Thành ủy Đông Hưng", "Chủ tịch nước
   Lào": ``foreign_actor``/``foreign_national``, a counterpart); a province after "tại"/"ở"
   is a ``venue``; a local actor after "phối hợp với" behind a national body is a
   ``co_organiser``. Vague local words ("các địa phương") are not institutions that act.
4. Penalties multiply raw: national actors dominating the local ones, distractors
   outweighing the actions, no foreign counterpart or action in the title or lead (a
   passing mention), a title naming a national actor and no local one, no Vietnamese
   locality acting (only venues, co-organisers or vague mentions), a locality's internal
   foreign-affairs work (training, review meetings) with no foreign partner in the title or
   lead. Each penalty is listed in the evidence (kind "penalty"), as are the best
   co-occurring sentences. Every rule looks at the title, the lead and the sentence it is
   in, never at later paragraphs, so a ~900-character excerpt is judged like the article.

Names: the gazetteer and the country list match in their own spelling; in another case
("tỉnh khánh hòa", "KHÁNH HÒA") only after a cue word of gazetteer.toml [guards].case_cues,
in capitals or with every word capitalised ("hòa bình" the word stays peace).

Provinces: ``provinces`` holds the names as the article uses them, in the gazetteer's
spelling (pre-merger names stay pre-merger: "Bình Dương"); ``units_2025`` holds the
provincial units in force since 1 July 2025 they belong to ("Thành phố Hồ Chí Minh").
``to_dict()`` gives exactly score, relevant, provinces, countries, evidence.

Modules: ``lexicon`` (TOML loading and regex building), ``matching`` (sentences and hits),
``scoring`` (``score``), ``classify`` (JSON lines). ``Relevance`` is defined in pipeline.article.
"""

from __future__ import annotations

from pipeline.article import Relevance
from pipeline.relevance.classify import classify_jsonl
from pipeline.relevance.lexicon import KINDS, Lexicon, load_lexicon
from pipeline.relevance.scoring import score

__all__ = ["Relevance", "Lexicon", "score", "classify_jsonl", "load_lexicon", "KINDS"]
