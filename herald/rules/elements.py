"""Required content elements: the ids obligations list in ``required_content``.

This is the single place where an element id is defined. Rendering maps each id to a
checkable marker in a draft, so a draft that lacks a required element can be flagged before
anyone approves it. Add an id here before any regime uses it; `tests/unit/rules` checks
that every id a regime emits is described here.
"""

from __future__ import annotations

ELEMENTS: dict[str, str] = {
    # --- GDPR Art. 33(3) and 34(2) -----------------------------------------------------
    "nature_of_breach": (
        "A description of the nature of the personal data breach: what happened, when, "
        "and which systems and kinds of data were involved."
    ),
    "categories_and_numbers": (
        "The categories and approximate number of data subjects concerned and of personal "
        "data records concerned."
    ),
    "dpo_contact": (
        "The name and contact details of the data protection officer or other contact point "
        "where more information can be obtained."
    ),
    "likely_consequences": "The likely consequences of the breach for the people affected.",
    "measures_taken": (
        "The measures taken or proposed to address the breach, including measures to "
        "mitigate its possible adverse effects."
    ),
    "delay_reasons": (
        "The reasons for the delay, when the authority is notified more than 72 hours after "
        "awareness (Art. 33(1)); added when a report is filed late, not by the rules."
    ),
    # --- California Civ. Code 1798.82(d): the mandated notice form --------------------------
    "ca_title": 'The title "Notice of Data Breach", clearly and conspicuously displayed.',
    "what_happened": (
        'A section headed "What Happened" with a general description of the breach incident.'
    ),
    "what_information": (
        'A section headed "What Information Was Involved" listing the types of personal '
        "information that were or are reasonably believed to have been acquired."
    ),
    "what_we_are_doing": (
        'A section headed "What We Are Doing" describing the business\'s response.'
    ),
    "what_you_can_do": (
        'A section headed "What You Can Do" telling recipients how to protect themselves.'
    ),
    "for_more_information": (
        'A section headed "For More Information" saying where to get further details.'
    ),
    "breach_date": (
        "The date, estimated date or date range of the breach, if it can be determined."
    ),
    "contact_info": "The name and contact information of the business giving the notice.",
    "cra_contacts": (
        "The toll-free telephone numbers and addresses of the major credit reporting "
        "agencies (required when a Social Security, driver's licence or state ID number was "
        "exposed)."
    ),
    # --- California Attorney General sample submission -------------------------------------
    "sample_notice": (
        "A single sample copy of the notice sent to residents, with all personal "
        "information removed."
    ),
    "affected_count": "The number of residents notified.",
}
