"""The demo case: Chinese CNC machine tools supplied to Russia, told with fictional firms.

The monthly aggregates follow the published figures (China: $6.5 m and a 12% share of Russia's
CNC imports in February 2022; $68 m and 57% in July 2023). Everything goes through the real
paths: a customs CSV written to a temporary folder and imported with ``import_file``, evidence
files added to the vault, a demo sanctions list loaded with ``load_list`` and screened.

Running it again returns the existing demo case (``created: false``) instead of a second copy.
"""

from __future__ import annotations

import csv
import random
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from casebook import resources
from casebook.book.cases import find_case
from casebook.core.errors import Cancelled, NotFound
from casebook.store import firms as firm_store

DEMO_REF = "DEMO-CNC-RU"
DEMO_TITLE = "Chinese CNC machine tools to Russia (demo)"
DEMO_SUMMARY = (
    "ILLUSTRATIVE DATA — FICTIONAL FIRMS. This demo case retells a published story with invented "
    "companies: after February 2022 Chinese suppliers replaced Japanese, German and Taiwanese "
    "makers of CNC machine tools in Russia's imports. China supplied $6.5 million in February "
    "2022 (12% of the month's imports in this data) and $68 million in July 2023 (57%). Some "
    "Chinese machines carry Japanese, German and Taiwanese control systems; some goods reach "
    "Russia via Türkiye, Kazakhstan and Hong Kong. No statement here is about a real firm."
)
DEMO_LIST = "Casebook demo list (illustrative)"
ILLUSTRATIVE = "ILLUSTRATIVE — generated for the Casebook demo; fictional firms and facts."

HEADER = [
    "Declaration No",
    "Item No",
    "Date",
    "Direction",
    "Exporter",
    "Exporter ID",
    "Exporter Country",
    "Importer",
    "Importer ID",
    "Importer Country",
    "Country of Origin",
    "Country of Dispatch",
    "Country of Destination",
    "HS Code",
    "Goods Description",
    "Brand",
    "Quantity",
    "Unit",
    "Net Weight (kg)",
    "Value USD",
]


@dataclass(frozen=True)
class Party:
    name: str
    country: str
    ident: str = ""


# Exporters by country of dispatch (fictional, except the two names the issue requires).
JINGDIAO = Party("北京精雕科技集团有限公司", "CN", "91110000MA0012345C")
HUARUI = Party("宁波华锐数控机床有限公司", "CN", "91330200MA2AB1234Y")
QIHANG = Party("深圳市启航精密机械有限公司", "CN", "91440300MA5DC56785")
HUAXIN = Party("Huaxin Precision Machinery Ltd", "HK")
AB_TRADING = Party("A&B <Trading> Ltd", "HK")
ANATOLIA = Party("Anatolia Makine Dış Ticaret A.Ş.", "TR")
STEPPE = Party("Steppe Machinery Trading LLP", "KZ")
KANSAI = Party("Kansai Machine Works Co., Ltd.", "JP")
RHEINWERK = Party("Rheinwerk Werkzeugmaschinen GmbH", "DE")
TAICHUNG = Party("Taichung Precision Tools Co., Ltd.", "TW")
LOMBARDA = Party("Officine Lombarde Utensili S.p.A.", "IT")
HANSEONG = Party("Hanseong Machinery Co., Ltd.", "KR")

TEKHNOSTANOK = Party("ООО «Техностанок»", "RU", "7709123453")
PROMTEKH = Party("ООО «Промтехснаб»", "RU", "7715987652")
URALSTANKO = Party("АО «Уралстанкомаш»", "RU", "6658123450")
STANKOIMPORT = Party("ООО «СтанкоИмпорт-М»", "RU", "5027123457")
MAKERS = [JINGDIAO, HUARUI, QIHANG, KANSAI, RHEINWERK, TAICHUNG, LOMBARDA, HANSEONG]
ROLES = (
    {p: "manufacturer" for p in MAKERS}
    | {p: "intermediary" for p in (HUAXIN, AB_TRADING, ANATOLIA, STEPPE)}
    | {p: "importer" for p in (TEKHNOSTANOK, PROMTEKH, URALSTANKO, STANKOIMPORT)}
)
IMPORTERS = [TEKHNOSTANOK, TEKHNOSTANOK, PROMTEKH, URALSTANKO, STANKOIMPORT]

OTHER_ORIGINS = {"JP": 0.38, "DE": 0.27, "TW": 0.17, "IT": 0.10, "KR": 0.08}
HOME_EXPORTER = {
    "JP": KANSAI,
    "DE": RHEINWERK,
    "TW": TAICHUNG,
    "IT": LOMBARDA,
    "KR": HANSEONG,
}
MACHINES = [
    ("8457101000", "ЦЕНТР ОБРАБАТЫВАЮЩИЙ ВЕРТИКАЛЬНЫЙ С ЧПУ", 5200),
    ("8458110000", "СТАНОК ТОКАРНЫЙ ГОРИЗОНТАЛЬНЫЙ С ЧПУ", 4100),
    ("8459610000", "СТАНОК ФРЕЗЕРНЫЙ С ЧПУ", 3600),
    ("8460121000", "СТАНОК ПЛОСКОШЛИФОВАЛЬНЫЙ С ЧПУ", 3900),
    ("8456110000", "СТАНОК ЛАЗЕРНЫЙ ДЛЯ РЕЗКИ МЕТАЛЛА С ЧПУ", 2800),
]
FOREIGN_CONTROLS = ["FANUC 0i-MF", "SINUMERIK 828D", "HEIDENHAIN TNC 640", "SYNTEC 22MA"]
CHINESE_CONTROLS = ["GSK 980TDi", "HNC-818D"]
CN_BRANDS = {JINGDIAO: "JINGDIAO", HUARUI: "HUARUI", QIHANG: "QIHANG"}


def month_plan() -> list[tuple[str, int, float]]:
    """(month, China's value in cents, China's share) from 2022-02 to 2023-12."""
    plan = []
    for i in range(23):
        year, month = 2022 + (i + 1) // 12, (i + 1) % 12 + 1
        if i <= 17:  # Feb 2022 -> Jul 2023: geometric value growth, linear share growth
            value = 6_500_000 * (68_000_000 / 6_500_000) ** (i / 17)
            share = 0.12 + (0.57 - 0.12) * i / 17
        else:  # a plateau with some noise after July 2023
            value = 68_000_000 * (1 - 0.03 * (i - 17)) * (1 + 0.02 * (-1) ** i)
            share = 0.57 - 0.006 * (i - 17)
        plan.append((f"{year}-{month:02d}", round(value) * 100, share))
    return plan


def _split(total: int, n: int, rng: random.Random) -> list[int]:
    """``total`` cents in ``n`` uneven parts that add up exactly."""
    weights = [rng.uniform(0.5, 1.5) for _ in range(n)]
    parts = [int(total * w / sum(weights)) for w in weights]
    parts[-1] += total - sum(parts)
    return parts


def _china_route(i: int, k: int, rng: random.Random) -> tuple[Party, str]:
    """The exporter and dispatch country of China's k-th shipment in month i."""
    if i >= 4 and rng.random() < 0.08 + 0.012 * i:
        exporter = rng.choice([HUAXIN, HUAXIN, AB_TRADING, ANATOLIA, STEPPE])
        return exporter, exporter.country
    return [JINGDIAO, HUARUI, QIHANG, JINGDIAO][k % 4], "CN"


def shipment_rows(seed: int = 2022) -> list[list[str]]:
    """The demo's customs rows (one item per declaration)."""
    rng = random.Random(seed)
    rows: list[list[str]] = []
    for i, (month, china, share) in enumerate(month_plan()):
        others = round(china / share) - china
        n_cn = 3 + round(i * 0.6)
        for k, cents in enumerate(_split(china, n_cn, rng)):
            exporter, dispatch = _china_route(i, k, rng)
            rows.append(_row(rng, month, exporter, dispatch, "CN", cents, chinese=True))
        for origin, part in OTHER_ORIGINS.items():
            n = 2 if origin in ("JP", "DE") else 1
            for cents in _split(round(others * part), n, rng):
                exporter = HOME_EXPORTER[origin]
                dispatch = origin
                if origin in ("JP", "DE") and i >= 6 and rng.random() < 0.25:
                    exporter, dispatch = rng.choice([(ANATOLIA, "TR"), (STEPPE, "KZ")])
                rows.append(_row(rng, month, exporter, dispatch, origin, cents, chinese=False))
    # The last row absorbs rounding of the "others" parts: fine, shares are recomputed by stats.
    for number, row in enumerate(rows, start=1):
        row[0] = f"10702030/{row[2].replace('-', '')[2:]}/{number:07d}"
    return rows


def _row(rng, month, exporter, dispatch, origin, cents, *, chinese) -> list[str]:
    hs, text, kg_each = rng.choice(MACHINES)
    if chinese:
        control = rng.choice(FOREIGN_CONTROLS if rng.random() < 0.45 else CHINESE_CONTROLS)
        brand = CN_BRANDS.get(exporter, rng.choice(list(CN_BRANDS.values())))
    else:
        control = {"JP": "FANUC 31i-B", "DE": "SINUMERIK 840D sl", "TW": "SYNTEC 220MA"}.get(
            origin, "FANUC 0i-TF"
        )
        brand = exporter.name.split()[0].upper()
    quantity = max(1, round(cents / 100 / rng.uniform(90_000, 260_000)))
    importer = rng.choice(IMPORTERS)
    day = rng.randint(1, 28)
    return [
        "",
        "1",
        f"{month}-{day:02d}",
        "import",
        exporter.name,
        exporter.ident,
        exporter.country,
        importer.name,
        importer.ident,
        "RU",
        origin,
        dispatch,
        "RU",
        hs,
        f"{text}, СИСТЕМА УПРАВЛЕНИЯ {control}, МОДЕЛЬ {brand[:3]}-{rng.randint(100, 999)}",
        brand,
        str(quantity),
        "шт",
        str(quantity * kg_each),
        f"{cents / 100:.2f}",
    ]


def write_customs_csv(path: Path) -> int:
    """Write the demo customs extract; returns the number of rows."""
    rows = shipment_rows()
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(HEADER)
        writer.writerows(rows)
    return len(rows)


# --- evidence files ------------------------------------------------------------------------------

EVIDENCE = [
    {
        "key": "registry",
        "file": "registry-extract-tekhnostanok.txt",
        "title": "Registry extract: ООО «Техностанок»",
        "kind": "registry extract",
        "grade": "B2",
        "publisher": "Demo company registry (illustrative)",
        "captured": "2023-08-14T10:20:00+00:00",
        "text": (
            "Company: ООО «Техностанок»\nINN: 7709123453\nRegistered: 2014-03-11, Moscow\n"
            "Activity (OKVED 46.62): wholesale of machine tools\n"
            "Director: I. I. Ivanov (fictional)\n"
        ),
    },
    {
        "key": "article",
        "file": "trade-press-cnc-imports.txt",
        "title": "Trade-press article: China's CNC machine-tool exports to Russia",
        "kind": "document",
        "grade": "C3",
        "publisher": "Demo trade press (illustrative)",
        "captured": "2023-10-02T08:00:00+00:00",
        "text": (
            "China's exports of CNC machine tools to Russia rose from about $6.5 million in\n"
            "February 2022 to $68 million in July 2023; China's share of Russia's imports of\n"
            "such machines rose from 12% to 57% over the same period.\n"
        ),
    },
    {
        "key": "website",
        "file": "web-capture-ab-trading.txt",
        "title": "Web capture: A&B <Trading> Ltd website",
        "kind": "web capture",
        "grade": "B3",
        "publisher": "ab-trading.example (illustrative)",
        "captured": "2023-09-21T15:42:00+00:00",
        "text": (
            "A&B <Trading> Ltd — Hong Kong\nWe deliver Chinese and European CNC machines to\n"
            "customers in Russia and Central Asia. Office: Unit 1203, 88 Example Road, Kowloon.\n"
        ),
    },
    {
        "key": "declaration",
        "file": "customs-declaration-summary.pdf",
        "title": "Customs declaration summary: machining centres with FANUC controls",
        "kind": "customs record",
        "grade": "A2",
        "publisher": "Demo customs extract (illustrative)",
        "captured": "2023-07-28T09:00:00+00:00",
        "text": (
            "Declaration 10702030/230715/0000312\nImporter: ООО «Техностанок»\n"
            "Exporter: 北京精雕科技集团有限公司\nGoods: vertical machining centre with CNC,\n"
            "control system FANUC 0i-MF; origin CN; dispatch CN.\n"
        ),
    },
    {
        "key": "address",
        "file": "analyst-note-shared-address.txt",
        "title": "Analyst note: A&B <Trading> Ltd and Huaxin share an office",
        "kind": "note",
        "grade": "B2",
        "publisher": "Casebook demo analyst",
        "captured": "2023-09-22T11:00:00+00:00",
        "text": (
            "Both A&B <Trading> Ltd and Huaxin Precision Machinery Ltd give Unit 1203,\n"
            "88 Example Road, Kowloon as their office address in shipping records and on\n"
            "their websites.\n"
        ),
    },
]


def write_evidence_file(folder: Path, item: dict) -> Path:
    """Write one illustrative evidence file (text, or a one-page PDF)."""
    path = folder / item["file"]
    body = f"{ILLUSTRATIVE}\n\n{item['title']}\n\n{item['text']}"
    if path.suffix == ".pdf":
        _write_pdf(path, body)
    else:
        path.write_bytes(body.encode("utf-8"))
    return path


def _write_pdf(path: Path, body: str) -> None:
    from reportlab import rl_config
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.ttfonts import TTFont
    from reportlab.pdfgen import canvas

    rl_config.invariant = 1
    font = "CasebookDemoCJK"
    if font not in pdfmetrics.getRegisteredFontNames():
        pdfmetrics.registerFont(
            TTFont(font, str(resources.path("fonts", "wqy-microhei.ttc")), subfontIndex=0)
        )
    pdf = canvas.Canvas(str(path), invariant=1)
    pdf.setTitle("Illustrative customs declaration summary")
    pdf.setFont(font, 11)
    y = 800
    for line in body.splitlines():
        pdf.drawString(56, y, line)
        y -= 16
    pdf.save()


# --- the builder ---------------------------------------------------------------------------------

FINDINGS = [
    (
        "China's share of Russia's CNC machine-tool imports in this data rose from 12% in "
        "February 2022 to 57% in July 2023, while Japanese, German and Taiwanese supplies fell.",
        "almost certain",
        "high",
        ["article"],
    ),
    (
        "ООО «Техностанок» very likely receives Chinese machining centres fitted with Japanese "
        "and German control systems, which carry controlled Western technology into Russia.",
        "very likely",
        "moderate",
        ["declaration", "registry"],
    ),
    (
        "A&B <Trading> Ltd and Huaxin Precision Machinery Ltd are likely under common control "
        "and act as one Hong Kong re-export channel for Chinese machines.",
        "likely",
        "moderate",
        ["website", "address"],
    ),
    (
        "Shipments dispatched from Türkiye and Kazakhstan of Japanese and German machines are a "
        "roughly even chance of being diversion rather than normal regional distribution.",
        "roughly even chance",
        "low",
        [],
    ),
]


class DemoSection:
    """``casebook demo``: build (or find) the demo case."""

    def build_demo(
        self,
        *,
        progress: Callable[[int, int], None] | None = None,
        cancelled: Callable[[], bool] | None = None,
    ) -> dict:
        """Build the demo case; returns ``{case_ref, shipments, firms, evidence, findings,
        created}``. When the demo case exists already it is returned unchanged."""
        try:
            self.get_case(DEMO_REF)
        except NotFound:
            pass
        else:
            return self._demo_json(created=False)
        steps = 6

        def step(n: int) -> None:
            if cancelled is not None and cancelled():
                raise Cancelled("demo cancelled")
            if progress is not None:
                progress(n, steps)

        step(0)
        self.create_case(
            title=DEMO_TITLE,
            ref=DEMO_REF,
            summary=DEMO_SUMMARY,
            marking="TLP:GREEN",
            priority="high",
            status="active",
        )
        with tempfile.TemporaryDirectory(prefix="casebook-demo-") as tmp:
            folder = Path(tmp)
            csv_path = folder / "demo-customs-ru-cnc-2022-2023.csv"
            write_customs_csv(csv_path)
            self.import_file(csv_path, case_ref=DEMO_REF, preset="generic-en")
            step(2)
            firms = {f["name"]: f["uid"] for f in self.list_firms(case_ref=DEMO_REF)}
            self._demo_roles(firms)
            rels = self._demo_relationships(firms)
            self._demo_people(firms)
            step(3)
            evidence = self._demo_evidence(folder, firms, rels)
        step(4)
        for text, likelihood, confidence, keys in FINDINGS:
            self.add_finding(
                case_ref=DEMO_REF,
                text=text,
                likelihood=likelihood,
                confidence=confidence,
                evidence=[evidence[k] for k in keys],
            )
        step(5)
        self._demo_screening()
        step(6)
        return self._demo_json(created=True)

    def _demo_roles(self, firms: dict[str, str]) -> None:
        """Makers, intermediaries and importers, so the layered network reads left to right."""
        roles = {firms[p.name]: role for p, role in ROLES.items() if p.name in firms}
        with self._write() as session:
            case = find_case(session, DEMO_REF)
            changed = firm_store.set_case_roles(session, case_id=case.id, roles=roles)
            after = {"roles": changed}
            self._audit(
                session, "demo.roles", "case", target_uid=case.uid, case_id=case.id, after=after
            )

    def _demo_relationships(self, firms: dict[str, str]) -> dict[str, str]:
        def add(key, a, b, kind, **extra):
            made = self.add_relationship(
                case_ref=DEMO_REF, from_uid=firms[a.name], to_uid=firms[b.name], kind=kind, **extra
            )
            return key, made["uid"]

        return dict(
            [
                add("owner", AB_TRADING, HUAXIN, "ownership", share=60, start="2021-06-01"),
                add("address", AB_TRADING, HUAXIN, "shared address", notes="Unit 1203, Kowloon"),
                add("supplier", JINGDIAO, HUAXIN, "supplier", start="2022-05-01"),
                add("customer", TEKHNOSTANOK, AB_TRADING, "customer", start="2022-08-01"),
                add("agent", STEPPE, STANKOIMPORT, "distributor", start="2022-09-01"),
            ]
        )

    def _demo_people(self, firms: dict[str, str]) -> None:
        """Two people: one director of two intermediaries (Hong Kong and Kazakhstan), and the
        owner of the importer (fictional)."""
        lin = self.add_person(case_ref=DEMO_REF, name="Lin Haoran", native_name="林浩然",
                              birth_date="1979-04-12", nationality="HK",
                              notes=ILLUSTRATIVE)  # fmt: skip
        volkov = self.add_person(case_ref=DEMO_REF, name="Sergei Volkov",
                                 native_name="Волков Сергей Петрович", birth_date="1968",
                                 nationality="RU", notes=ILLUSTRATIVE)  # fmt: skip
        for person, firm, kind, extra in (
            (lin, HUAXIN, "director", {"start": "2021-06-01"}),
            (lin, STEPPE, "director", {"start": "2022-09-01"}),
            (volkov, TEKHNOSTANOK, "beneficial owner", {"share": 75, "start": "2020-03-01"}),
            (volkov, TEKHNOSTANOK, "director", {"start": "2020-03-01", "end": "2022-12-31"}),
        ):
            self.add_relationship(case_ref=DEMO_REF, from_uid=person["uid"],
                                  to_uid=firms[firm.name], kind=kind, **extra)  # fmt: skip

    def _demo_evidence(self, folder: Path, firms: dict, rels: dict) -> dict[str, str]:
        targets = {
            "registry": [("firm", firms[TEKHNOSTANOK.name], "registration and activity")],
            "article": [("case", DEMO_REF, "published figures the case follows")],
            "website": [("firm", firms[AB_TRADING.name], "states deliveries to Russia")],
            "declaration": [
                ("firm", firms[TEKHNOSTANOK.name], "importer of record"),
                ("firm", firms[JINGDIAO.name], "exporter of record"),
            ],
            "address": [("relationship", rels["address"], "shared office address")],
        }
        numbers = {}
        for item in EVIDENCE:
            added = self.add_evidence(
                write_evidence_file(folder, item),
                case_ref=DEMO_REF,
                title=item["title"],
                kind=item["kind"],
                grade=item["grade"],
                publisher=item["publisher"],
                captured=item["captured"],
                excerpt=item["text"].splitlines()[0],
                notes=ILLUSTRATIVE,
                links=targets[item["key"]],
            )
            numbers[item["key"]] = added.evidence["id"]
        return numbers

    def _demo_screening(self) -> None:
        loaded = {lst["name"] for lst in self.list_lists()}
        if DEMO_LIST not in loaded:
            self.load_list(
                resources.path("demo", "demo-sanctions.ftm.jsonl"),
                fmt="ftm",
                name=DEMO_LIST,
                published="2024-01-15",
            )
        hits = self.screen(case_ref=DEMO_REF, list_name=DEMO_LIST)
        for hit in hits:
            if hit["listed_name"] == "ООО «Техностанок»":
                note = "Same INN 7709123453 and name (illustrative)."
                self.review_hit(hit["id"], status="confirmed", note=note)
            elif hit["status"] == "unreviewed" and hit["subject_kind"] == "firm":
                note = "Different firm: other city, other business, no shared identifier."
                self.review_hit(hit["id"], status="dismissed", note=note)

    def _demo_json(self, *, created: bool) -> dict:
        counts = self.case_counts(DEMO_REF)
        return {
            "case_ref": DEMO_REF,
            "shipments": counts["shipments"],
            "firms": counts["firms"],
            "evidence": counts["evidence"],
            "findings": counts["findings"],
            "persons": len(self.list_persons(case_ref=DEMO_REF)),
            "created": created,
        }


def is_demo(case_ref: str) -> bool:
    """Whether a case is the demo (its briefing says "Illustrative data" on every page)."""
    return case_ref == DEMO_REF
