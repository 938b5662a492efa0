"""Words for the values of dimensions and classifications (gettext msgids, translated where shown).

The dashboard's tables, charts and downloads name a profession, a contact channel, a
patient's language, a period kind or a control-funnel position with these msgids; the
web layer only translates them (``gettext(lang, PROFESSION_LABELS[code])``), so every
interface that shows such a value shows it in the same words.
"""

from __future__ import annotations

from valvomo.services.i18n import N_

PROFESSION_LABELS: dict[str, str] = {
    "physician": N_("Physician"),
    "nurse": N_("Nurse"),
    "public_health_nurse": N_("Public health nurse"),
    "practical_nurse": N_("Practical nurse"),
    "physiotherapist": N_("Physiotherapist"),
    "occupational_therapist": N_("Occupational therapist"),
    "psychologist": N_("Psychologist"),
    "mental_health_nurse": N_("Mental health nurse"),
    "social_worker": N_("Social worker"),
    "social_counsellor": N_("Social counsellor"),
    "dentist": N_("Dentist"),
    "dental_hygienist": N_("Dental hygienist"),
    "other": N_("Other"),
}
CHANNEL_LABELS: dict[str, str] = {"physical": N_("Physical contact"), "remote": N_("Remote contact")}
LANGUAGE_VALUE_LABELS: dict[str, str] = {"fi": N_("Finnish"), "sv": N_("Swedish"), "other": N_("Other language")}
PERIOD_KIND_LABELS: dict[str, str] = {"quarter": N_("Quarter"), "year": N_("Year"), "month": N_("Month")}
# A station's position in the control funnel of the station comparison (charts.funnel_positions).
FUNNEL_LABELS: dict[str, str] = {
    "above_998": N_("Above the 99.8 % limit"),
    "above_95": N_("Above the 95 % limit"),
    "within": N_("Within the limits"),
    "below_95": N_("Below the 95 % limit"),
    "below_998": N_("Below the 99.8 % limit"),
    "unknown": N_("Not placed"),
}
