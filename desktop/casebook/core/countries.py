"""Countries as ISO 3166-1 alpha-2 codes, from codes and English, Russian or Chinese names."""

from __future__ import annotations

import re
import unicodedata

import pycountry

from casebook.core._country_names import RU_ISO, ZH_ISO

EU = "EU"
UNKNOWN = "XX"

# Short English names for display where ISO's own name is long or formal.
_SHORT_NAMES = {
    "BO": "Bolivia",
    "BN": "Brunei",
    "CD": "DR Congo",
    "FM": "Micronesia",
    "GB": "United Kingdom",
    "IR": "Iran",
    "KP": "North Korea",
    "KR": "South Korea",
    "LA": "Laos",
    "MD": "Moldova",
    "PS": "Palestine",
    "RU": "Russia",
    "SY": "Syria",
    "TW": "Taiwan",
    "TZ": "Tanzania",
    "VE": "Venezuela",
    "VN": "Vietnam",
    "XK": "Kosovo",
    EU: "European Union",
    UNKNOWN: "Unknown",
}

_SHORT_NAMES_RU = {
    "GB": "Великобритания",
    "KR": "Южная Корея",
    "RU": "Россия",
    "TW": "Тайвань",
    "US": "США",
    "XK": "Косово",
    EU: "Евросоюз",
    UNKNOWN: "Неизвестна",
}

# Names and spellings seen in trade data that ISO does not list.
_EN_VARIANTS = {
    "AE": "UAE; U.A.E.; Emirates; United Arab Emirates (UAE)",
    "BA": "Bosnia; Bosnia-Herzegovina",
    "BY": "Belorussia; Byelorussia; White Russia",
    "CD": "DR Congo; DRC; Congo, Dem. Rep.; Dem. Rep. of the Congo; Congo (Kinshasa)",
    "CG": "Congo, Rep.; Congo (Brazzaville); Republic of the Congo",
    "CI": "Ivory Coast; Cote d'Ivoire",
    "CN": "PRC; P.R. China; PR China; People's Republic of China; China, PRC; Mainland China",
    "CV": "Cape Verde",
    "CZ": "Czech Republic",
    "DE": "Federal Republic of Germany",
    "GB": "UK; U.K.; Great Britain; Britain; England; United Kingdom of Great Britain",
    "HK": "Hong Kong SAR; Hong Kong, China; China, Hong Kong SAR; Hongkong; Hong Kong (China)",
    "IR": "Iran; Iran, Islamic Rep.; Islamic Republic of Iran; Persia",
    "KG": "Kyrgyzstan; Kirghizia; Kirgizia; Kyrgyz Republic",
    "KP": "North Korea; Korea, North; Korea, DPR; DPRK; Dem. People's Rep. of Korea; Korea, Dem. Rep.",
    "KR": "South Korea; Korea, South; Korea, Rep.; Rep. of Korea; Republic of Korea; Korea (South)",
    "LA": "Laos; Lao PDR",
    "MD": "Moldova; Moldavia; Rep. of Moldova",
    "MK": "Macedonia; FYROM; Former Yugoslav Republic of Macedonia; North Macedonia",
    "MM": "Burma",
    "MO": "Macau; Macao SAR; China, Macao SAR; Macau, China",
    "NL": "Holland; The Netherlands",
    "PS": "Palestine; Palestinian Territories",
    "RU": "Russia; Russian Federation; RF; Russian Fed.",
    "SK": "Slovak Republic",
    "SY": "Syria",
    "SZ": "Swaziland",
    "TR": "Turkey; Turkiye; Republic of Turkey",
    "TW": "Taiwan; Taiwan, China; Chinese Taipei; Republic of China; Other Asia, nes; Taiwan (China)",
    "TZ": "Tanzania; United Rep. of Tanzania",
    "US": "USA; U.S.A.; U.S.; United States of America; America",
    "VA": "Vatican; Holy See; Vatican City",
    "VE": "Venezuela",
    "VN": "Vietnam",
    "XK": "Kosovo",
    EU: "European Union; EU; EU27; EU-27; EU28; European Union - 27 countries; "
    "European Union - 28 countries; European Union (27)",
    UNKNOWN: "unknown; not known; not specified; unspecified",
}

# OKSM (ОКСМ) short names as printed in Russian customs extracts, and colloquial forms.
_RU_VARIANTS = {
    "AE": "ОБЪЕДИНЕННЫЕ АРАБСКИЕ ЭМИРАТЫ; ОАЭ; ЭМИРАТЫ",
    "AF": "АФГАНИСТАН",
    "AL": "АЛБАНИЯ",
    "AM": "АРМЕНИЯ",
    "AR": "АРГЕНТИНА",
    "AT": "АВСТРИЯ",
    "AU": "АВСТРАЛИЯ",
    "AZ": "АЗЕРБАЙДЖАН",
    "BA": "БОСНИЯ И ГЕРЦЕГОВИНА",
    "BD": "БАНГЛАДЕШ",
    "BE": "БЕЛЬГИЯ",
    "BG": "БОЛГАРИЯ",
    "BH": "БАХРЕЙН",
    "BR": "БРАЗИЛИЯ",
    "BY": "БЕЛАРУСЬ; БЕЛОРУССИЯ; РЕСПУБЛИКА БЕЛАРУСЬ",
    "CA": "КАНАДА",
    "CH": "ШВЕЙЦАРИЯ",
    "CL": "ЧИЛИ",
    "CN": "КИТАЙ; КНР",
    "CO": "КОЛУМБИЯ",
    "CU": "КУБА",
    "CY": "КИПР",
    "CZ": "ЧЕХИЯ; ЧЕШСКАЯ РЕСПУБЛИКА",
    "DE": "ГЕРМАНИЯ",
    "DK": "ДАНИЯ",
    "DZ": "АЛЖИР",
    "EC": "ЭКВАДОР",
    "EE": "ЭСТОНИЯ",
    "EG": "ЕГИПЕТ",
    "ES": "ИСПАНИЯ",
    "ET": "ЭФИОПИЯ",
    "FI": "ФИНЛЯНДИЯ",
    "FR": "ФРАНЦИЯ",
    "GB": "СОЕДИНЕННОЕ КОРОЛЕВСТВО; ВЕЛИКОБРИТАНИЯ; АНГЛИЯ",
    "GE": "ГРУЗИЯ",
    "GR": "ГРЕЦИЯ",
    "HK": "ГОНКОНГ; СЯНГАН",
    "HR": "ХОРВАТИЯ",
    "HU": "ВЕНГРИЯ",
    "ID": "ИНДОНЕЗИЯ",
    "IE": "ИРЛАНДИЯ",
    "IL": "ИЗРАИЛЬ",
    "IN": "ИНДИЯ",
    "IQ": "ИРАК",
    "IR": "ИРАН, ИСЛАМСКАЯ РЕСПУБЛИКА; ИРАН",
    "IS": "ИСЛАНДИЯ",
    "IT": "ИТАЛИЯ",
    "JO": "ИОРДАНИЯ",
    "JP": "ЯПОНИЯ",
    "KG": "КИРГИЗИЯ; КЫРГЫЗСТАН; КИРГИЗСТАН; КЫРГЫЗСКАЯ РЕСПУБЛИКА",
    "KH": "КАМБОДЖА",
    "KP": "КОРЕЯ, НАРОДНО-ДЕМОКРАТИЧЕСКАЯ РЕСПУБЛИКА; КНДР; СЕВЕРНАЯ КОРЕЯ",
    "KR": "КОРЕЯ, РЕСПУБЛИКА; РЕСПУБЛИКА КОРЕЯ; ЮЖНАЯ КОРЕЯ",
    "KW": "КУВЕЙТ",
    "KZ": "КАЗАХСТАН; РЕСПУБЛИКА КАЗАХСТАН",
    "LB": "ЛИВАН",
    "LI": "ЛИХТЕНШТЕЙН",
    "LK": "ШРИ-ЛАНКА",
    "LT": "ЛИТВА",
    "LU": "ЛЮКСЕМБУРГ",
    "LV": "ЛАТВИЯ",
    "LY": "ЛИВИЯ",
    "MA": "МАРОККО",
    "MD": "МОЛДОВА, РЕСПУБЛИКА; МОЛДОВА; МОЛДАВИЯ",
    "ME": "ЧЕРНОГОРИЯ",
    "MK": "СЕВЕРНАЯ МАКЕДОНИЯ; РЕСПУБЛИКА МАКЕДОНИЯ; МАКЕДОНИЯ",
    "MM": "МЬЯНМА; МЬЯНМАР",
    "MN": "МОНГОЛИЯ",
    "MO": "МАКАО; АОМЫНЬ",
    "MT": "МАЛЬТА",
    "MX": "МЕКСИКА",
    "MY": "МАЛАЙЗИЯ",
    "NG": "НИГЕРИЯ",
    "NL": "НИДЕРЛАНДЫ; ГОЛЛАНДИЯ",
    "NO": "НОРВЕГИЯ",
    "NZ": "НОВАЯ ЗЕЛАНДИЯ",
    "OM": "ОМАН",
    "PA": "ПАНАМА",
    "PE": "ПЕРУ",
    "PH": "ФИЛИППИНЫ",
    "PK": "ПАКИСТАН",
    "PL": "ПОЛЬША",
    "PT": "ПОРТУГАЛИЯ",
    "QA": "КАТАР",
    "RO": "РУМЫНИЯ",
    "RS": "СЕРБИЯ",
    "RU": "РОССИЯ; РФ; РОССИЙСКАЯ ФЕДЕРАЦИЯ",
    "SA": "САУДОВСКАЯ АРАВИЯ",
    "SC": "СЕЙШЕЛЫ",
    "SE": "ШВЕЦИЯ",
    "SG": "СИНГАПУР",
    "SI": "СЛОВЕНИЯ",
    "SK": "СЛОВАКИЯ",
    "SY": "СИРИЙСКАЯ АРАБСКАЯ РЕСПУБЛИКА; СИРИЯ",
    "TH": "ТАИЛАНД",
    "TJ": "ТАДЖИКИСТАН",
    "TM": "ТУРКМЕНИСТАН; ТУРКМЕНИЯ",
    "TN": "ТУНИС",
    "TR": "ТУРЦИЯ; ТУРЕЦКАЯ РЕСПУБЛИКА",
    "TW": "ТАЙВАНЬ (КИТАЙ); ТАЙВАНЬ",
    "UA": "УКРАИНА",
    "US": "СОЕДИНЕННЫЕ ШТАТЫ; США; СОЕДИНЕННЫЕ ШТАТЫ АМЕРИКИ",
    "UZ": "УЗБЕКИСТАН",
    "VE": "ВЕНЕСУЭЛА (БОЛИВАРИАНСКАЯ РЕСПУБЛИКА); ВЕНЕСУЭЛА",
    "VG": "ВИРГИНСКИЕ ОСТРОВА, БРИТАНСКИЕ",
    "VN": "ВЬЕТНАМ",
    "ZA": "ЮЖНАЯ АФРИКА; ЮАР",
    EU: "ЕВРОСОЮЗ; ЕВРОПЕЙСКИЙ СОЮЗ; ЕС",
    UNKNOWN: "НЕИЗВЕСТНА; НЕИЗВЕСТНО; НЕИЗВЕСТНАЯ СТРАНА; НЕ ОПРЕДЕЛЕНА; НЕ УКАЗАНА",
}

# Common Chinese short names (simplified and traditional) beyond the ISO translations.
_ZH_VARIANTS = {
    "AE": "阿联酋; 阿拉伯联合酋长国; 阿聯酋",
    "AM": "亚美尼亚",
    "BY": "白俄罗斯; 白俄羅斯",
    "CN": "中国; 中华人民共和国; 中国大陆; 中國大陸",
    "DE": "德国; 德國",
    "GB": "英国; 英國",
    "HK": "香港; 中国香港; 中國香港",
    "IN": "印度",
    "JP": "日本",
    "KG": "吉尔吉斯斯坦; 吉尔吉斯",
    "KP": "朝鲜; 北韩",
    "KR": "韩国; 南韩; 韓國",
    "KZ": "哈萨克斯坦; 哈薩克",
    "MO": "澳门; 中国澳门; 澳門; 中國澳門",
    "RU": "俄罗斯; 俄罗斯联邦; 俄國; 俄羅斯",
    "TR": "土耳其",
    "TW": "台湾; 中国台湾; 台灣; 臺灣; 中國台灣; 中华台北",
    "US": "美国; 美國",
    "UZ": "乌兹别克斯坦",
    "VN": "越南",
    EU: "欧盟; 歐盟",
    UNKNOWN: "未知",
}

# Codes used by Eurostat and others for ISO countries.
_CODE_ALIASES = {"UK": "GB", "EL": "GR", "XK": "XK", EU: EU, UNKNOWN: UNKNOWN}

_NON_WORD = re.compile(r"[^\w]+|_")
_BRACKETED = re.compile(r"\s*\([^()]*\)")
_SPACES = re.compile(r"\s+")


def _key(text: str) -> str:
    """Lookup key: case-folded, accents and punctuation dropped, spaces collapsed."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    bare = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return _NON_WORD.sub(" ", bare).strip()


def _build_codes() -> dict[str, str]:
    codes = dict(_CODE_ALIASES)
    for country in pycountry.countries:
        codes[country.alpha_2] = country.alpha_2
        codes[country.alpha_3] = country.alpha_2
        codes[country.numeric] = country.alpha_2
    codes["XKX"] = "XK"
    return codes


def _build_names() -> dict[str, str]:
    names: dict[str, str] = {}
    for country in pycountry.countries:
        for attr in ("name", "official_name", "common_name"):
            label = getattr(country, attr, None)
            if label:
                names[_key(label)] = country.alpha_2
    for table in (RU_ISO, ZH_ISO):
        for code, labels in table.items():
            names.update((_key(label), code) for label in labels)
    for table in (_EN_VARIANTS, _RU_VARIANTS, _ZH_VARIANTS):
        for code, labels in table.items():
            names.update((_key(label), code) for label in labels.split("; "))
    names.pop("", None)
    return names


_CODES = _build_codes()
_NAMES = _build_names()


def clean_country(value: object) -> str | None:
    """ISO 3166-1 alpha-2 (or ``EU``/``XX``) from a code or a name, else None."""
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, int | float):
        return _from_number(value)
    if not isinstance(value, str):
        return None
    text = value.strip()
    if not text or len(text) > 300:
        return None
    if len(text) <= 3:
        code = _CODES.get(text.upper()) or _CODES.get(text.zfill(3))
        if code:
            return code
    return _from_name(text)


def _from_number(value: float) -> str | None:
    if value != value or value < 0 or value >= 1000 or value != int(value):
        return None
    return _CODES.get(str(int(value)).zfill(3))


def _from_name(text: str) -> str | None:
    key = _key(text)
    if key in _NAMES:
        return _NAMES[key]
    # Eurostat-style notes: "France (incl. Saint Barthélemy 'BL' -> 2012; ...)".
    stripped = text
    while "(" in stripped:
        shorter = _BRACKETED.sub("", stripped)
        if shorter == stripped:
            shorter = stripped.split("(", 1)[0]  # an unclosed or truncated note
        stripped = shorter
    if stripped != text:
        return _NAMES.get(_key(stripped))
    return None


def country_name(code: str | None) -> str:
    """English short name of a clean code; the input itself when it is not a known code."""
    if not code:
        return ""
    if code in _SHORT_NAMES:
        return _SHORT_NAMES[code]
    country = pycountry.countries.get(alpha_2=code) if len(code) == 2 else None
    if country is None:
        return code
    return getattr(country, "common_name", None) or country.name


def country_name_ru(code: str | None) -> str:
    """Russian short name, else the English name."""
    if not code:
        return ""
    if code in _SHORT_NAMES_RU:
        return _SHORT_NAMES_RU[code]
    if code in RU_ISO:
        return RU_ISO[code][0]
    return country_name(code)
