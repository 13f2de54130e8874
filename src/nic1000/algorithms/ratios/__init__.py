"""Vectorised financial-ratio engine (pure: numpy/pandas only, no Django).

Computes, for many companies and fiscal years at once:

* the 64 ratios ``X1`` .. ``X64`` exactly as defined by the authors of the Polish bankruptcy data set
  (Zieba, Tomczak & Tomczak 2016; UCI data set 365, CC BY 4.0), so that the early-warning model trained on
  that data can score our companies;
* Altman's Z'' score (``altman_z2``), the emerging-market / non-manufacturer variant::

      Z'' = 6.56·X1' + 3.26·X2' + 6.72·X3' + 1.05·X4'

      X1' = working capital / total assets            (working capital = current_assets − short_term_liabilities)
      X2' = retained earnings / total assets
      X3' = EBIT / total assets                       (EBIT = gross_profit + interest_expense)
      X4' = book value of equity / total liabilities

  Zones (see :func:`altman_zone`): safe if Z'' > 2.60, grey if 1.10 ≤ Z'' ≤ 2.60, distress if Z'' < 1.10;
* cash runway in months (``cash_runway_months``) = cash / monthly burn, where
  monthly burn = max(0, −(net_profit + depreciation)) / 12, and the flag ``burning_cash``
  (net_profit + depreciation < 0). A company that is not burning cash gets NaN with the reason
  "not burning cash" (never +inf). A burning company with cash ≤ 0 has a runway of 0 months.

Input: a DataFrame with ``company_id``, ``fiscal_year`` and the statement items named in
``docs/statement-items.md`` (see :data:`ITEMS`). Several years per company may be given; ratios that need
earlier statements (X21, X24) look for the same company's statement of fiscal_year − 1 (and − 2 for X24).

Every value that cannot be computed — division by zero, a missing (NaN / absent / non-numeric) item,
logarithm of a non-positive number, a missing previous year, a non-finite result — is NaN, and the
matching cell of :attr:`RatioResult.reasons` holds a short English reason. Nothing ever returns ±inf and
nothing raises for bad numbers.

Notes on the authors' definitions, kept on purpose so the values match the data set:

* X29 is the base-10 logarithm of total assets (that is what the data holds: Attr29 = log10(TA)).
* X32 and X52 have the same published definition (short-term liabilities · 365 / cost of products sold).
* X48 and X49 call "EBITDA" profit on operating activities **minus** depreciation, as the authors wrote it.
* X43 = X44 + X20 = (receivables + inventory) · 365 / sales.

Layout: ``specs.py`` (the plain ratios as a table), ``measures.py`` (X21, X24, X29, X55, Altman Z'', runway),
``statements.py`` (items as arrays, missing reasons, earlier years), ``compute.py`` (the loop),
``labels.py`` (English and Korean words).
"""

from nic1000.algorithms.ratios.compute import RatioResult, SingleRatioResult, compute_ratios, compute_single
from nic1000.algorithms.ratios.labels import ITEM_LABELS, ITEMS, RATIO_LABELS
from nic1000.algorithms.ratios.measures import (
    ALTMAN_DISTRESS_BELOW,
    ALTMAN_SAFE_ABOVE,
    MEASURES,
    R_NEEDS_3_YEARS,
    R_NEEDS_PREVIOUS,
    R_NOT_BURNING,
    altman_zone,
    altman_zones,
)
from nic1000.algorithms.ratios.specs import (
    EXTRA_COLUMNS,
    ID_COLUMNS,
    OUTPUT_COLUMNS,
    RATIO_COLUMNS,
    RATIO_SPECS,
    RatioSpec,
)
from nic1000.algorithms.ratios.statements import R_NON_FINITE

__all__ = [
    "ALTMAN_DISTRESS_BELOW",
    "ALTMAN_SAFE_ABOVE",
    "EXTRA_COLUMNS",
    "ID_COLUMNS",
    "ITEMS",
    "ITEM_LABELS",
    "MEASURES",
    "OUTPUT_COLUMNS",
    "RATIO_COLUMNS",
    "RATIO_LABELS",
    "RATIO_SPECS",
    "R_NEEDS_3_YEARS",
    "R_NEEDS_PREVIOUS",
    "R_NON_FINITE",
    "R_NOT_BURNING",
    "RatioResult",
    "RatioSpec",
    "SingleRatioResult",
    "altman_zone",
    "altman_zones",
    "compute_ratios",
    "compute_single",
]
