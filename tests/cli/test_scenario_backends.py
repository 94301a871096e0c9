"""One analyst's day on the demo case, on each backend (issue 17's acceptance scenario).

With ``--backends sqlite,postgresql`` this runs once per backend; on PostgreSQL every figure is
also compared with the same commands run on a SQLite store in the same test: import, stats,
flags, screening, search and briefing figures agree (uids apart), and the bundle and verify
work."""

from __future__ import annotations

import re
import zipfile

from casebook.book.demo import DEMO_REF

NBSP = "\u00a0"
EXTRACT = (
    "Номер ДТ;Дата ДТ;Номер товара;Отправитель;Получатель;ИНН получателя;Страна отправления;"
    "Страна происхождения;Код ТН ВЭД;Описание товара;Статистическая стоимость, USD\r\n"
    '10702070/100122/0000001;10.01.2022;1;SHANDONG JINMA CO., LTD;ООО "Техностанок";'
    f"7707083893;КИТАЙ;КИТАЙ;8458 11 000 0;СТАНОК ТОКАРНЫЙ С ЧПУ;1{NBSP}234{NBSP}567,89\r\n"
    "10702070/100122/0000001;10.01.2022;2;SHANDONG JINMA CO., LTD;OOO TEHNOSTANOK;7707083893;"
    "КИТАЙ;ЯПОНИЯ;8537 10 100 0;СИСТЕМА ЧПУ;10 000,50\r\n"
)
UIDS = re.compile(r"\b[0-9a-f]{32}(:\d+)?\b")


def _day(run, tmp_path, reference_dir) -> dict:
    """The scenario's JSON answers (uids blanked), for comparison across backends."""
    out: dict = {}
    demo = run("demo", "--json")
    assert demo.code == 0, demo.err
    out["demo"] = demo.json
    extract = tmp_path / "extract.csv"
    extract.write_bytes(EXTRACT.encode("cp1251"))
    imported = run("import", str(extract), "--case", DEMO_REF, "--json")
    assert imported.code == 0, imported.err
    out["import"] = {k: v for k, v in imported.json.items() if k not in ("seconds", "rejects_file")}
    loaded = run("lists", "load", str(reference_dir / "ofac_sdn_2024-05-03_subset.csv"), "--json")
    assert loaded.code == 0, loaded.err
    for name, args in {
        "stats": ["stats", "--case", DEMO_REF, "--by", "month,origin"],
        "stats_text": ["stats", "--case", DEMO_REF, "--by", "exporter", "--text", "станок"],
        "flags": ["flags", "--case", DEMO_REF],
        "screen": ["screen", "--case", DEMO_REF],
        "search": ["search", "ЧПУ"],
        "shipments": ["shipments", "--case", DEMO_REF, "--sort", "value", "--limit", "20"],
        "firms": ["firms", "list", "--case", DEMO_REF],
    }.items():
        result = run(*args, "--json")
        assert result.code == 0, f"{name}: {result.err}"
        out[name] = result.json
    # rows grouped by exporter come sorted by its uid, which differs between stores
    out["stats_text"]["rows"].sort(key=lambda r: r["exporter_name"])
    brief = run("brief", "--case", DEMO_REF, "--out", str(tmp_path / "brief.pdf"), "--json")
    assert brief.code == 0, brief.err
    out["brief_pages"] = brief.json["pages"]
    out["brief_table"] = (tmp_path / "brief.shipments.csv").read_text(encoding="utf-8")
    bundle = run("export", "--case", DEMO_REF, "--out", str(tmp_path / "demo.casebook"), "--json")
    assert bundle.code == 0, bundle.err
    with zipfile.ZipFile(tmp_path / "demo.casebook") as zf:
        out["bundle_blobs"] = sorted(n for n in zf.namelist() if n.startswith("blobs/"))
    verified = run("verify", "--json")
    assert verified.code == 0, verified.err
    out["verify"] = verified.json["checked"]
    return out


def _blank(data):
    if isinstance(data, dict):
        return {k: _blank(v) for k, v in data.items() if k not in ("id", "seconds")}
    if isinstance(data, list):
        return [_blank(v) for v in data]
    if isinstance(data, str):
        return UIDS.sub("UID", data)
    return data


def test_the_demo_day_gives_the_published_figures_on_each_backend(
    run_cli, tmp_path, reference_dir, store_backend
):
    (tmp_path / "here").mkdir()
    day = _day(run_cli, tmp_path / "here", reference_dir)
    china = {(r["month"], r["origin"]): r for r in day["stats"]["rows"]}
    assert china[("2022-02", "CN")]["value_usd"] == 6_500_000
    assert round(china[("2022-02", "CN")]["share"], 2) == 0.12
    assert china[("2023-07", "CN")]["value_usd"] == 68_000_000
    assert day["import"]["rows_imported"] == 2
    assert any(r["kind"] == "shipment" for r in day["search"]["results"])
    assert day["verify"]["blobs"] == day["demo"]["evidence"] == len(day["bundle_blobs"])
    if store_backend == "postgresql":  # the same day on SQLite gives the same answers
        (tmp_path / "local").mkdir()
        local = _day(
            lambda *a: run_cli(*a, db=tmp_path / "local" / "cases.db"),
            tmp_path / "local",
            reference_dir,
        )
        for key in day:
            assert _blank(day[key]) == _blank(local[key]), key
