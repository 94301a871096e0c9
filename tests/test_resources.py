"""Resources are found installed (wheel, bundle) and in a checkout (editable install)."""

from __future__ import annotations

from casebook import resources


def test_shipped_fonts_cover_latin_cyrillic_and_chinese():
    names = {p.name for p in resources.fonts()}
    assert "DejaVuSans.ttf" in names and "wqy-microhei.ttc" in names


def _fake_tree(base, *, installed: bool):
    pkg = base / "site" / "casebook"
    pkg.mkdir(parents=True)
    if installed:
        (pkg / "_resources" / "fonts").mkdir(parents=True)
    else:
        (base / "resources" / "fonts").mkdir(parents=True)
    return pkg


def test_installed_copy_is_preferred(tmp_path, monkeypatch):
    pkg = _fake_tree(tmp_path, installed=True)
    monkeypatch.delenv("CASEBOOK_RESOURCES", raising=False)
    monkeypatch.setattr(resources, "_HERE", pkg)
    resources.root.cache_clear()
    try:
        assert resources.root() == pkg / "_resources"
    finally:
        resources.root.cache_clear()


def test_editable_install_falls_back_to_the_checkout(tmp_path, monkeypatch):
    pkg = _fake_tree(tmp_path, installed=False)
    monkeypatch.delenv("CASEBOOK_RESOURCES", raising=False)
    monkeypatch.setattr(resources, "_HERE", pkg)
    resources.root.cache_clear()
    try:
        assert resources.root() == tmp_path / "resources"
    finally:
        resources.root.cache_clear()
