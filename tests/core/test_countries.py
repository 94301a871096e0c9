from __future__ import annotations

import pytest

from casebook.core.countries import clean_country, country_name, country_name_ru


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        # codes
        ("RU", "RU"),
        ("ru", "RU"),
        (" DE ", "DE"),
        ("RUS", "RU"),
        ("chn", "CN"),
        ("643", "RU"),
        (643, "RU"),
        (156.0, "CN"),
        ("36", "AU"),
        ("036", "AU"),
        ("UK", "GB"),
        ("EL", "GR"),
        ("XK", "XK"),
        # English
        ("Russian Federation (Russia)", "RU"),
        ("Russian Federation", "RU"),
        ("Russia", "RU"),
        ("RUSSIA", "RU"),
        ("Türkiye", "TR"),
        ("Turkiye", "TR"),
        ("Turkey", "TR"),
        ("Korea, Republic of", "KR"),
        ("Republic of Korea", "KR"),
        ("South Korea", "KR"),
        ("Korea, Democratic People's Republic of", "KP"),
        ("Hong Kong", "HK"),
        ("China, Hong Kong SAR", "HK"),
        ("Taiwan", "TW"),
        ("Taiwan, Province of China", "TW"),
        ("UAE", "AE"),
        ("United Arab Emirates", "AE"),
        ("Viet Nam", "VN"),
        ("Vietnam", "VN"),
        ("Czechia", "CZ"),
        ("Czech Republic", "CZ"),
        ("Kazakhstan", "KZ"),
        ("Kyrgyzstan", "KG"),
        ("United States", "US"),
        ("USA", "US"),
        ("United Kingdom", "GB"),
        ("Iran (Islamic Republic of)", "IR"),
        ("Bolivia (Plurinational State of)", "BO"),
        ("Côte d'Ivoire", "CI"),
        ("cote d ivoire", "CI"),
        ("  china  ", "CN"),
        # Eurostat labels with notes
        (
            "France (incl. Saint Barthélemy 'BL' -> 2012; incl. French Guiana 'GF', "
            "Guadeloupe 'GP', Martinique 'MQ', Réunion 'RE' from 1997; incl. Mayotte 'YT' from 2014)",
            "FR",
        ),
        ("France (incl. Saint Barthélemy 'BL' -> 2012; incl. French Guiana…", "FR"),
        ("Germany (incl. German Democratic Republic 'DD' from 1991)", "DE"),
        ("Kosovo (under United Nations Security Council Resolution 1244/99)", "XK"),
        ("European Union - 27 countries (from 2020)", "EU"),
        # Russian OKSM short names and variants
        ("КИТАЙ", "CN"),
        ("Китай", "CN"),
        ("ТАЙВАНЬ (КИТАЙ)", "TW"),
        ("ГОНКОНГ", "HK"),
        ("КОРЕЯ, РЕСПУБЛИКА", "KR"),
        ("корея, республика", "KR"),
        ("КОРЕЯ РЕСПУБЛИКА", "KR"),
        ("КОРЕЯ, НАРОДНО-ДЕМОКРАТИЧЕСКАЯ РЕСПУБЛИКА", "KP"),
        ("ТУРЦИЯ", "TR"),
        ("КАЗАХСТАН", "KZ"),
        ("ОБЪЕДИНЕННЫЕ АРАБСКИЕ ЭМИРАТЫ", "AE"),
        ("Объединённые Арабские Эмираты", "AE"),
        ("ГЕРМАНИЯ", "DE"),
        ("ЯПОНИЯ", "JP"),
        ("ИТАЛИЯ", "IT"),
        ("РОССИЯ", "RU"),
        ("Российская Федерация", "RU"),
        ("БЕЛАРУСЬ", "BY"),
        ("АРМЕНИЯ", "AM"),
        ("КИРГИЗИЯ", "KG"),
        ("УЗБЕКИСТАН", "UZ"),
        ("ИНДИЯ", "IN"),
        ("ШВЕЙЦАРИЯ", "CH"),
        ("СОЕДИНЕННЫЕ ШТАТЫ", "US"),
        ("СОЕДИНЕННОЕ КОРОЛЕВСТВО", "GB"),
        ("ИРАН, ИСЛАМСКАЯ РЕСПУБЛИКА", "IR"),
        ("ВЬЕТНАМ", "VN"),
        ("ЧЕХИЯ", "CZ"),
        ("ГРУЗИЯ", "GE"),
        ("СЕРБИЯ", "RS"),
        ("ИЗРАИЛЬ", "IL"),
        ("МАЛАЙЗИЯ", "MY"),
        ("ТАИЛАНД", "TH"),
        ("СИНГАПУР", "SG"),
        ("НИДЕРЛАНДЫ", "NL"),
        ("ПОЛЬША", "PL"),
        ("ФРАНЦИЯ", "FR"),
        ("ИСПАНИЯ", "ES"),
        ("ФИНЛЯНДИЯ", "FI"),
        ("МОНГОЛИЯ", "MN"),
        ("АЗЕРБАЙДЖАН", "AZ"),
        ("ТАДЖИКИСТАН", "TJ"),
        ("ТУРКМЕНИСТАН", "TM"),
        ("БРАЗИЛИЯ", "BR"),
        # Chinese
        ("中国", "CN"),
        ("中华人民共和国", "CN"),
        ("香港", "HK"),
        ("中国香港", "HK"),
        ("台湾", "TW"),
        ("中国台湾", "TW"),
        ("臺灣", "TW"),
        ("俄罗斯", "RU"),
        ("俄羅斯", "RU"),
        ("日本", "JP"),
        ("德国", "DE"),
        ("土耳其", "TR"),
        ("哈萨克斯坦", "KZ"),
        ("阿联酋", "AE"),
        ("韩国", "KR"),
        ("美国", "US"),
        ("意大利", "IT"),
        ("越南", "VN"),
        ("吉尔吉斯斯坦", "KG"),
        # EU and unknown
        ("EU", "EU"),
        ("eu", "EU"),
        ("European Union", "EU"),
        ("ЕВРОСОЮЗ", "EU"),
        ("欧盟", "EU"),
        ("XX", "XX"),
        ("unknown", "XX"),
        ("Unknown", "XX"),
        ("НЕИЗВЕСТНА", "XX"),
    ],
)
def test_clean_country_recognises(value, expected):
    assert clean_country(value) == expected


@pytest.mark.parametrize(
    "value",
    [
        None,
        "",
        "   ",
        "ZZ",
        "QQQ",
        "999",
        999,
        -1,
        1000,
        12.5,
        float("nan"),
        True,
        "Korea",
        "Atlantis",
        "Russia Turkey",
        "Франция и Германия",
        "Russia" * 100,
        "КИТАЙ" * 1000,
        ["RU"],
        b"RU",
    ],
)
def test_clean_country_rejects(value):
    assert clean_country(value) is None


@pytest.mark.parametrize(
    ("code", "name"),
    [
        ("RU", "Russia"),
        ("CN", "China"),
        ("TW", "Taiwan"),
        ("KR", "South Korea"),
        ("TR", "Türkiye"),
        ("AE", "United Arab Emirates"),
        ("DE", "Germany"),
        ("VN", "Vietnam"),
        ("EU", "European Union"),
        ("XX", "Unknown"),
        ("ZZ", "ZZ"),
        ("", ""),
        (None, ""),
    ],
)
def test_country_name(code, name):
    assert country_name(code) == name


@pytest.mark.parametrize(
    ("code", "name"),
    [("RU", "Россия"), ("CN", "Китай"), ("TW", "Тайвань"), ("XX", "Неизвестна"), ("ZZ", "ZZ")],
)
def test_country_name_ru(code, name):
    assert country_name_ru(code) == name


@pytest.mark.parametrize("code", ["RU", "CN", "HK", "TW", "KR", "TR", "AE", "KZ", "EU", "XX"])
def test_names_round_trip(code):
    assert clean_country(country_name(code)) == code
    assert clean_country(country_name_ru(code)) == code
