"""Methods behind the Democratic Inputs to AI case studies (importable, tested).

The public surface is the modules in ``__all__``, one per method, plus the data layer
(``casestudies.datasets``: fetch, verify and cache each data set) and ``casestudies.credits``
(the attribution each data set's licence asks for). Each format's reader sits beside its method
(the Polis export reader is ``casestudies.polis.export``). Import
the module a notebook needs, for example ``from casestudies import datasets, polis``.
"""

__all__ = [
    "bridging",
    "collective_dialogues",
    "credits",
    "datasets",
    "display",
    "moral_graph",
    "opinions_over_time",
    "polis",
    "reweighting",
    "social_choice",
    "voting",
]
