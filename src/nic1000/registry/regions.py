from django.db import models
from django.utils.translation import gettext_lazy as _


class Region(models.TextChoices):
    """The 17 시·도 (first-level administrative divisions)."""

    SEOUL = "11", _("Seoul")
    BUSAN = "26", _("Busan")
    DAEGU = "27", _("Daegu")
    INCHEON = "28", _("Incheon")
    GWANGJU = "29", _("Gwangju")
    DAEJEON = "30", _("Daejeon")
    ULSAN = "31", _("Ulsan")
    SEJONG = "36", _("Sejong")
    GYEONGGI = "41", _("Gyeonggi")
    GANGWON = "51", _("Gangwon")
    CHUNGBUK = "43", _("Chungbuk")
    CHUNGNAM = "44", _("Chungnam")
    JEONBUK = "52", _("Jeonbuk")
    JEONNAM = "46", _("Jeonnam")
    GYEONGBUK = "47", _("Gyeongbuk")
    GYEONGNAM = "48", _("Gyeongnam")
    JEJU = "50", _("Jeju")


# Korean names, used by imports (users type 서울 or 서울특별시) and the Korean UI.
REGION_KO = {
    "11": "서울특별시",
    "26": "부산광역시",
    "27": "대구광역시",
    "28": "인천광역시",
    "29": "광주광역시",
    "30": "대전광역시",
    "31": "울산광역시",
    "36": "세종특별자치시",
    "41": "경기도",
    "51": "강원특별자치도",
    "43": "충청북도",
    "44": "충청남도",
    "52": "전북특별자치도",
    "46": "전라남도",
    "47": "경상북도",
    "48": "경상남도",
    "50": "제주특별자치도",
}
REGION_SHORT_KO = {
    "11": "서울", "26": "부산", "27": "대구", "28": "인천", "29": "광주", "30": "대전", "31": "울산",
    "36": "세종", "41": "경기", "51": "강원", "43": "충북", "44": "충남", "52": "전북", "46": "전남",
    "47": "경북", "48": "경남", "50": "제주",
}  # fmt: skip


def region_parse(value: str) -> str | None:
    """Accept a code (11), an English name (Seoul), a Korean full or short name (서울특별시, 서울)."""
    raw = str(value or "").strip()
    if not raw:
        return None
    if raw in REGION_KO:
        return raw
    low = raw.lower()
    for code, label in Region.choices:
        if str(label).lower() == low or Region(code).name.lower() == low:
            return code
    for code, name in REGION_KO.items():
        if raw == name or raw == REGION_SHORT_KO[code] or name.startswith(raw):
            return code
    # Former names still common in data: 강원도, 전라북도.
    legacy = {"강원도": "51", "전라북도": "52", "제주도": "50"}
    return legacy.get(raw)
