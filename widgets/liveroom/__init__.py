"""The live workshop room: a small web server a facilitator runs on their own computer.

Participants join with a room code and fill in the self-assessment on their own devices (the same
front-end as the site and the notebooks, over :mod:`widgets/static/server-host.js`); every change is
saved in an embedded SQLite database (:mod:`widgets.liveroom.storage`) and the facilitator's
dashboard shows the room view as it happens. Start it with ``python -m widgets room``; the
Workshops part of the book walks through a session.
"""

__all__ = ["create_app"]


def __getattr__(name):
    # Lazily, so that the other commands of ``python -m widgets`` do not load the web stack.
    if name == "create_app":
        from .app import create_app

        return create_app
    raise AttributeError(name)
