"""The credit each case-study data set asks for: licence statements and team acknowledgements.

:func:`attribution` returns the text a chapter prints under a figure or table built
from registered files (``casestudies/registry.csv``). Polis open data carries the
CC BY 4.0 statement its publishers ask for, with a link per conversation.
"""

from __future__ import annotations

import re

from casestudies.datasets import registry_entry

__all__ = ["attribution"]

# Conversations with a case-study page of their own on compdemocracy.org; the others
# link to their folder in compdemocracy/openData at the registry's pinned commit.
_POLIS_CASE_STUDY_URLS = {
    "15-per-hour-seattle": "https://compdemocracy.org/case-studies/2014-seattle-15-per-hour",
    "american-assembly.bowling-green": "https://compdemocracy.org/case-studies/2018-kentucky",
    "brexit-consensus": "https://compdemocracy.org/case-studies/2017-brexit-consensus",
    "london.youth.policing": "https://compdemocracy.org/case-studies/2022-london-youth-policing",
    "scoop-hivemind.ubi": "https://compdemocracy.org/case-studies/2017-scoop-hivemind-ubi",
    "vtaiwan.uberx": "https://compdemocracy.org/case-studies/2015-vtaiwan-uberx",
}

_POLIS_STATEMENT = (
    "Data was gathered using the Polis software (compdemocracy.org/polis) and is sub-licensed "
    "under CC BY 4.0 with Attribution to The Computational Democracy Project. The data and more "
    "information about how the data was collected can be found at the following link(s):"
)

_TEAM_CREDITS = {
    "collective-dialogues": (
        "Collective Dialogues for Democratic Input (Konya, Schirch, Irwin and Ovadya; Remesh), "
        "published openly in openai/democratic-inputs without a licence file"
    ),
    "generative-social-choice": (
        "Generative Social Choice (Fish, Gölz, Parkes, Procaccia, Rusak, Shapira and Wüthrich), "
        "published openly by the generative-social-choice project"
    ),
    "moral-graph": (
        "Democratic Fine-Tuning / Moral Graph (Meaning Alignment Institute), published openly in "
        "openai/democratic-inputs without a licence file"
    ),
    "polis-math-fixtures": (
        "Polis API exports used as test fixtures by red-dwarf (polis-community/red-dwarf, MPL-2.0)"
    ),
}


def attribution(*relpaths: str) -> str:
    """Return the licence/attribution statement for one or more registered files.

    Polis open data gets the CC BY 4.0 statement its publishers require, with each
    conversation's case-study link (several conversations share one statement).
    Other sets name the team, the source URL and the licence status.
    """
    if not relpaths:
        raise ValueError("attribution() needs at least one registered path.")
    polis_links: list[str] = []
    others: list[str] = []
    for rel in relpaths:
        entry = registry_entry(rel)
        dataset = entry.path.split("/")[0]
        if dataset == "polis-opendata":
            conv = entry.path.split("/")[1] if entry.path.count("/") >= 2 else None
            link = _POLIS_CASE_STUDY_URLS.get(conv or "") or _opendata_folder(entry.source_url)
            if link not in polis_links:
                polis_links.append(link)
        else:
            credit = _TEAM_CREDITS.get(dataset, dataset)
            text = f"{credit}. Source: {entry.source_url} (licence: {entry.licence})."
            if text not in others:
                others.append(text)
    parts = []
    if polis_links:
        parts.append(_POLIS_STATEMENT + "\n" + "\n".join(polis_links))
    parts.extend(others)
    return "\n\n".join(parts)


def _opendata_folder(source_url: str) -> str:
    m = re.match(r"https://raw\.githubusercontent\.com/compdemocracy/openData/([0-9a-f]{40})/([^/]+)/", source_url)
    return f"https://github.com/compdemocracy/openData/tree/{m.group(1)}/{m.group(2)}" if m else "https://github.com/compdemocracy/openData"
