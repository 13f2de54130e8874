"""Sector keys and the labels people read.

A candidacy's sector (a quota family) is a key: one of the programme's fields below, or — when a nomination
names none — the company's KSIC section letter. Pages, exports and quota names show `sector_label(key)`,
never the key; a key outside both tables (configured by hand) is shown as it is.
"""

from __future__ import annotations

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

# The programme's fields (BIG3 and the other fields of the announcements).
PROGRAMME_SECTORS: dict[str, Promise] = {
    "semiconductor": _("System semiconductors"),
    "future_car": _("Future cars"),
    "biohealth": _("Biohealth"),
    "ict_software": _("ICT and software"),
    "materials_parts": _("Materials, parts and equipment"),
    "environment_energy": _("Environment and energy"),
    "content": _("Content"),
    "oceans": _("Oceans and fisheries"),
    "machinery": _("Machinery and robotics"),
    "defence": _("Defence and aerospace"),
    "smart_city": _("Smart cities and construction"),
}

# KSIC (10th revision) sections, the fallback sector of a nomination without one.
KSIC_SECTIONS: dict[str, Promise] = {
    "A": _("Agriculture, forestry and fishing"),
    "B": _("Mining and quarrying"),
    "C": _("Manufacturing"),
    "D": _("Electricity, gas, steam and air conditioning supply"),
    "E": _("Water supply, sewage, waste management and remediation"),
    "F": _("Construction"),
    "G": _("Wholesale and retail trade"),
    "H": _("Transportation and storage"),
    "I": _("Accommodation and food service activities"),
    "J": _("Information and communication"),
    "K": _("Financial and insurance activities"),
    "L": _("Real estate activities"),
    "M": _("Professional, scientific and technical activities"),
    "N": _("Business facilities management, business support and rental services"),
    "O": _("Public administration and defence; compulsory social security"),
    "P": _("Education"),
    "Q": _("Human health and social work activities"),
    "R": _("Arts, sports and recreation related services"),
    "S": _("Membership organisations, repair and other personal services"),
    "T": _("Activities of households as employers"),
    "U": _("Activities of extraterritorial organisations and bodies"),
}


def sector_label(key: str) -> str:
    """The label of a sector key in the active language ("" stays "")."""
    if key in PROGRAMME_SECTORS:
        return str(PROGRAMME_SECTORS[key])
    if key in KSIC_SECTIONS:
        return str(KSIC_SECTIONS[key])
    return key
