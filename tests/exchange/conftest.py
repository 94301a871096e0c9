"""A case with everything a bundle carries: imported shipments, firms with identifiers,
evidence in the vault linked to a firm, a shipment and a finding, a relationship, findings."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pytest

INN_A, INN_B = "7707083893", "7736050003"
HEADER = (
    "Номер ДТ;Дата ДТ;Номер товара;Отправитель;Получатель;ИНН получателя;Страна отправления;"
    "Страна происхождения;Код ТН ВЭД;Описание товара;Статистическая стоимость, USD"
)
ROWS = [
    f'10702070/100122/0000001;10.01.2022;1;SHANDONG JINMA CO., LTD;ООО "Техностанок";{INN_A};'
    "КИТАЙ;КИТАЙ;8458 11 000 0;СТАНОК ТОКАРНЫЙ С ЧПУ;1234567,89",
    f"10702070/100122/0000001;10.01.2022;2;SHANDONG JINMA CO., LTD;OOO TEHNOSTANOK;{INN_A};"
    "КИТАЙ;ЯПОНИЯ;8537 10 100 0;СИСТЕМА ЧПУ;10000,50",
    f"10702070/030222/0000003;03.02.2022;1;Shandong Jinma Co Ltd;ООО Стройтех;{INN_B};"
    'КИТАЙ;КИТАЙ;8459 61 100 0;=HYPERLINK("http://x");999,99',
]
REF = "CB-X-1"


def write_customs_csv(path: Path, rows=ROWS) -> Path:
    path.write_bytes(("\r\n".join([HEADER, *rows]) + "\r\n").encode("cp1251"))
    return path


@dataclass
class Filled:
    ref: str
    dataset_uid: str
    evidence_sha: str
    firm_uids: list[str]


def fill_case(book, folder: Path, *, ref: str = REF) -> Filled:
    """Create and fill a case through the facade (every change audited)."""
    book.create_case(title="CNC lathes via Kyrgyzstan", ref=ref)
    result = book.import_file(write_customs_csv(folder / f"dt-{ref}.csv"), case_ref=ref)
    firms = book.list_firms(case_ref=ref)
    uids = [f["uid"] for f in firms]
    doc = folder / f"registry-{ref}.txt"
    doc.write_text(f"Registry extract for {ref}: ИНН {INN_A}", encoding="utf-8")
    added = book.add_evidence(
        doc,
        case_ref=ref,
        grade="B2",
        links=[("firm", uids[0]), ("shipment", f"{result['dataset_uid']}:2")],
    )
    book.add_relationship(
        case_ref=ref,
        from_uid=uids[0],
        to_uid=uids[1],
        kind="ownership",
        share=51,
        evidence=[added.evidence["uid"]],
    )
    book.add_finding(
        case_ref=ref,
        text="The lathes likely reached the end user through the importer.",
        likelihood="likely",
        confidence="moderate",
        evidence=[added.evidence["id"]],
    )
    return Filled(ref, result["dataset_uid"], added.evidence["sha256"], uids)


@pytest.fixture
def filled(book, tmp_path) -> Filled:
    return fill_case(book, tmp_path)


@pytest.fixture
def fill():
    """``fill(book, folder, ref=…)``: fill a case in any open store."""
    return fill_case


COMTRADE_HEADER = "period,reporterISO,reporterDesc,partnerISO,flowCode,cmdCode,primaryValue"
COMTRADE_ROWS = [
    "202201,CHN,China,RUS,X,845811,6500000",
    "202201,CHN,China,KGZ,X,845811,120000.5",
    "202202,CHN,China,RUS,X,845811,7100000",
    "202202,CHN,China,W00,X,845811,9999999",  # the World aggregate: left out
    "202307,CHN,China,RUS,X,845961,68000000",
]


def write_comtrade_csv(path: Path, rows=COMTRADE_ROWS) -> Path:
    """A small UN Comtrade download: four flows (and one World row that is left out)."""
    path.write_text("\n".join([COMTRADE_HEADER, *rows]) + "\n", encoding="utf-8")
    return path


@pytest.fixture
def comtrade_csv(tmp_path) -> Path:
    return write_comtrade_csv(tmp_path / "comtrade_cn_exports_8458.csv")
