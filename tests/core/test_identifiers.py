from __future__ import annotations

import pytest

from casebook.core.identifiers import SCHEMES, clean_identifier, detect_scheme

# Check digits are computed here from the published algorithms, independently of stdnum.


def inn10(first9: str) -> str:
    weights = (2, 4, 10, 3, 5, 9, 4, 6, 8)
    return first9 + str(sum(int(d) * w for d, w in zip(first9, weights, strict=True)) % 11 % 10)


def inn12(first10: str) -> str:
    def digit(digits: str, weights: tuple[int, ...]) -> str:
        return str(sum(int(d) * w for d, w in zip(digits, weights, strict=True)) % 11 % 10)

    eleven = first10 + digit(first10, (7, 2, 4, 10, 3, 5, 9, 4, 6, 8))
    return eleven + digit(eleven, (3, 7, 2, 4, 10, 3, 5, 9, 4, 6, 8))


def ogrn13(first12: str) -> str:
    return first12 + str(int(first12) % 11 % 10)


def ogrnip15(first14: str) -> str:
    return first14 + str(int(first14) % 13 % 10)


def lei20(first18: str) -> str:
    number = int("".join(str(int(ch, 36)) for ch in first18 + "00"))
    return f"{first18}{98 - number % 97:02d}"


SBERBANK_INN = "7707083893"  # published on sberbank.ru
SBERBANK_OGRN = "1027700132195"
SBERBANK_KPP = "773601001"
USCC = "91110000600037341L"  # example from python-stdnum's documentation
LEI = "213800D1EI4B9WTWWD28"  # example from python-stdnum's documentation
INN_10 = inn10("770123456")
INN_12 = inn12("5001234567")
INN_LEADING_ZERO = inn10("010500000")
OGRN = ogrn13("102770013219")
OGRNIP = ogrnip15("30450011160004")
LEI_COMPUTED = lei20("5493001KJTIIGC8Y1R")


def test_independent_check_digits_agree_with_published_numbers():
    assert inn10(SBERBANK_INN[:9]) == SBERBANK_INN
    assert ogrn13(SBERBANK_OGRN[:12]) == SBERBANK_OGRN
    assert lei20(LEI[:18]) == LEI


@pytest.mark.parametrize(
    ("scheme", "value", "expected"),
    [
        ("ru_inn", SBERBANK_INN, SBERBANK_INN),
        ("ru_inn", INN_10, INN_10),
        ("ru_inn", INN_12, INN_12),
        ("ru_inn", f" {SBERBANK_INN} ", SBERBANK_INN),
        ("ru_inn", "7707 083 893", SBERBANK_INN),
        ("ru_inn", f"ИНН {SBERBANK_INN}", SBERBANK_INN),
        ("ru_inn", f"INN: {SBERBANK_INN}", SBERBANK_INN),
        ("ru_inn", int(SBERBANK_INN), SBERBANK_INN),
        ("ru_inn", float(SBERBANK_INN), SBERBANK_INN),
        ("ru_inn", f"{SBERBANK_INN}.0", SBERBANK_INN),
        ("ru_inn", float(INN_12), INN_12),
        ("ru_inn", INN_LEADING_ZERO, INN_LEADING_ZERO),
        ("ru_inn", int(INN_LEADING_ZERO), INN_LEADING_ZERO),
        ("ru_inn", float(INN_LEADING_ZERO), INN_LEADING_ZERO),
        ("ru_ogrn", SBERBANK_OGRN, SBERBANK_OGRN),
        ("ru_ogrn", OGRN, OGRN),
        ("ru_ogrn", OGRNIP, OGRNIP),
        ("ru_ogrn", float(SBERBANK_OGRN), SBERBANK_OGRN),
        ("ru_ogrn", f"ОГРН {SBERBANK_OGRN}", SBERBANK_OGRN),
        ("ru_kpp", SBERBANK_KPP, SBERBANK_KPP),
        ("ru_kpp", "7736AB001", "7736AB001"),
        ("ru_kpp", 10501001, "010501001"),
        ("cn_uscc", USCC, USCC),
        ("cn_uscc", USCC.lower(), USCC),
        ("lei", LEI, LEI),
        ("lei", LEI.lower(), LEI),
        ("lei", LEI_COMPUTED, LEI_COMPUTED),
        ("lei", f"LEI: {LEI}", LEI),
        ("tr_vkn", "4540536920", "4540536920"),
        ("by_unp", "200988541", "200988541"),
        ("ua_edrpou", "32855961", "32855961"),
        ("imo", "IMO 9319466", "9319466"),
        ("tax_id", " 12-34.5 ", "12345"),
        ("tax_id", "ab 123", "AB123"),
        ("registration", "HRB 12345", "HRB12345"),
        ("registration", 123456, "123456"),
    ],
)
def test_clean_identifier_accepts(scheme, value, expected):
    assert clean_identifier(scheme, value) == expected


@pytest.mark.parametrize(
    ("scheme", "value"),
    [
        ("ru_inn", SBERBANK_INN[:-1] + str((int(SBERBANK_INN[-1]) + 1) % 10)),
        ("ru_inn", INN_12[:-1] + str((int(INN_12[-1]) + 1) % 10)),
        ("ru_inn", "12345"),
        ("ru_inn", "77070838930"),
        ("ru_inn", "77O7083893"),
        ("ru_inn", float(SBERBANK_INN) + 0.5),
        ("ru_inn", -7707083893),
        ("ru_inn", float("nan")),
        ("ru_ogrn", SBERBANK_OGRN[:-1] + str((int(SBERBANK_OGRN[-1]) + 1) % 10)),
        ("ru_ogrn", SBERBANK_INN),
        ("ru_kpp", "77360100"),
        ("ru_kpp", "7736010011"),
        ("ru_kpp", "77360100X"),
        ("cn_uscc", USCC[:-1] + "M"),
        ("cn_uscc", "12345"),
        ("lei", LEI[:-2] + "29"),
        ("lei", LEI[:-1]),
        ("tr_vkn", "4540536921"),
        ("tax_id", "  "),
        ("tax_id", "---"),
        ("tax_id", "X" * 200),
        ("nonsense", SBERBANK_INN),
        ("", SBERBANK_INN),
        ("ru_inn", None),
        ("ru_inn", ""),
        ("ru_inn", True),
        ("ru_inn", [SBERBANK_INN]),
        ("ru_inn", "7" * 10_000),
    ],
)
def test_clean_identifier_rejects(scheme, value):
    assert clean_identifier(scheme, value) is None


def test_schemes_have_labels():
    assert SCHEMES["ru_inn"] == "INN (Russia)"
    assert SCHEMES["ru_ogrn"] == "OGRN (Russia)"
    assert SCHEMES["cn_uscc"] == "Unified Social Credit Code (China)"
    assert SCHEMES["lei"] == "LEI"
    assert {"tax_id", "registration", "ru_kpp"} <= SCHEMES.keys()


@pytest.mark.parametrize("scheme", sorted(SCHEMES))
def test_every_scheme_rejects_garbage(scheme):
    assert clean_identifier(scheme, "!!!") is None


@pytest.mark.parametrize(
    ("value", "country", "expected"),
    [
        (SBERBANK_INN, None, "ru_inn"),
        (INN_12, None, "ru_inn"),
        (SBERBANK_INN, "RU", "ru_inn"),
        (int(SBERBANK_INN), None, "ru_inn"),
        (SBERBANK_OGRN, None, "ru_ogrn"),
        (OGRNIP, "RU", "ru_ogrn"),
        (USCC, None, "cn_uscc"),
        (USCC, "CN", "cn_uscc"),
        (LEI, None, "lei"),
        (LEI, "DE", "lei"),
        (LEI, "RU", "lei"),
        (SBERBANK_INN, "CN", None),
        (USCC, "RU", None),
        ("4540536920", "TR", "tr_vkn"),
        (SBERBANK_INN[:-1] + "0", None, None),
        ("12345", None, None),
        ("", None, None),
        (None, None, None),
    ],
)
def test_detect_scheme(value, country, expected):
    assert detect_scheme(value, country=country) == expected
