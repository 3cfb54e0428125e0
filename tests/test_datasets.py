"""The case-study data layer: verified fetches, clear errors, and Polis export loading."""

from __future__ import annotations

import hashlib
import http.server
import os
import pathlib
import threading

import pandas as pd
import pytest

from casestudies import credits, datasets, polis
from casestudies.datasets import RegistryEntry

SHARED = os.environ.get(datasets.CACHE_ENV, "")
needs_cache = pytest.mark.skipif(
    not SHARED or not pathlib.Path(SHARED).is_dir(),
    reason=f"{datasets.CACHE_ENV} is not set to the shared data folder (the Makefile sets it to ../shared/data)",
)


def _sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


@pytest.fixture
def fake_registry(monkeypatch):
    """Replace the registry with entries the test controls."""
    entries: dict[str, RegistryEntry] = {}
    monkeypatch.setattr(datasets, "registry", lambda: entries)
    datasets._VERIFIED.clear()
    return entries


@pytest.fixture
def served(tmp_path):
    """Serve a folder over HTTP on localhost, so downloads are tested without the internet."""
    root = tmp_path / "served"
    root.mkdir()

    class Quiet(http.server.SimpleHTTPRequestHandler):
        def __init__(self, *a, **kw):
            super().__init__(*a, directory=str(root), **kw)

        def log_message(self, *a):  # keep pytest output clean
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Quiet)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield root, f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()


def test_registry_mirrors_manifest_fields():
    reg = datasets.registry()
    assert "polis-opendata/vtaiwan.uberx/votes.csv" in reg
    for entry in reg.values():
        assert len(entry.sha256) == 64 and entry.source_url.startswith("https://")
        assert entry.licence


def test_unknown_path_names_the_known_files():
    with pytest.raises(KeyError, match="vtaiwan.uberx/votes.csv"):
        datasets.fetch("polis-opendata/vtaiwan.uberx/vote.csv")


def test_download_verifies_and_caches(fake_registry, served, tmp_path, monkeypatch):
    root, base = served
    data = b"timestamp,datetime,comment-id,voter-id,vote\n1,x,0,0,1\n"
    (root / "votes.csv").write_bytes(data)
    fake_registry["demo/votes.csv"] = RegistryEntry("demo/votes.csv", len(data), _sha(data), f"{base}/votes.csv", "CC0")
    cache = tmp_path / "cache"
    monkeypatch.setenv(datasets.CACHE_ENV, str(cache))
    path = datasets.fetch("demo/votes.csv", progressbar=False)
    assert path == cache / "demo" / "votes.csv"
    assert path.read_bytes() == data
    # Second call: served file gone, cached copy used.
    (root / "votes.csv").unlink()
    assert datasets.fetch("demo/votes.csv") == path


def test_download_with_wrong_hash_is_reported(fake_registry, served, tmp_path, monkeypatch):
    root, base = served
    (root / "f.csv").write_bytes(b"tampered")
    expected = _sha(b"original")
    fake_registry["demo/f.csv"] = RegistryEntry("demo/f.csv", 8, expected, f"{base}/f.csv", "CC0")
    monkeypatch.setenv(datasets.CACHE_ENV, str(tmp_path / "cache"))
    with pytest.raises(datasets.DataCorrupt) as err:
        datasets.fetch("demo/f.csv", progressbar=False)
    assert expected in str(err.value)
    assert "registry.csv" in str(err.value)


def test_cached_file_with_wrong_hash_names_both_hashes_and_the_fix(fake_registry, tmp_path, monkeypatch):
    cache = tmp_path / "cache"
    (cache / "demo").mkdir(parents=True)
    (cache / "demo" / "f.csv").write_bytes(b"corrupt")
    expected = _sha(b"good")
    fake_registry["demo/f.csv"] = RegistryEntry("demo/f.csv", 4, expected, "https://example.invalid/f.csv", "CC0")
    monkeypatch.setenv(datasets.CACHE_ENV, str(cache))
    with pytest.raises(datasets.DataCorrupt) as err:
        datasets.fetch("demo/f.csv")
    msg = str(err.value)
    assert expected in msg and _sha(b"corrupt") in msg
    assert "delete" in msg and str(cache / "demo" / "f.csv") in msg
    # The user's file is left alone.
    assert (cache / "demo" / "f.csv").read_bytes() == b"corrupt"


def test_a_folder_in_place_of_a_cached_file_is_reported_as_such(fake_registry, tmp_path, monkeypatch):
    cache = tmp_path / "cache"
    (cache / "demo" / "f.csv").mkdir(parents=True)
    fake_registry["demo/f.csv"] = RegistryEntry("demo/f.csv", 4, _sha(b"good"), "http://127.0.0.1:9/f.csv", "CC0")
    monkeypatch.setenv(datasets.CACHE_ENV, str(cache))
    with pytest.raises(datasets.DataCorrupt) as err:
        datasets.fetch("demo/f.csv", progressbar=False)
    msg = str(err.value)
    assert "a folder" in msg and str(cache / "demo" / "f.csv") in msg and "remove" in msg
    assert "internet" not in msg


def test_an_edit_that_keeps_size_and_mtime_is_noticed_in_the_same_process(fake_registry, tmp_path, monkeypatch):
    import os

    cache = tmp_path / "cache"
    (cache / "demo").mkdir(parents=True)
    target = cache / "demo" / "f.csv"
    target.write_bytes(b"good")
    fake_registry["demo/f.csv"] = RegistryEntry("demo/f.csv", 4, _sha(b"good"), "http://127.0.0.1:9/f.csv", "CC0")
    monkeypatch.setenv(datasets.CACHE_ENV, str(cache))
    assert datasets.fetch("demo/f.csv") == target  # verified once, remembered
    st = target.stat()
    target.write_bytes(b"evil")  # same size
    os.utime(target, ns=(st.st_atime_ns, st.st_mtime_ns))  # same mtime
    assert target.stat().st_size == st.st_size and target.stat().st_mtime_ns == st.st_mtime_ns
    with pytest.raises(datasets.DataCorrupt, match=_sha(b"evil")):
        datasets.fetch("demo/f.csv")


def test_offline_and_uncached_names_file_url_cache_and_fix(fake_registry, tmp_path, monkeypatch):
    # Port 9 (discard) on localhost refuses connections: an offline stand-in with no real network use.
    url = "http://127.0.0.1:9/data/f.csv"
    fake_registry["demo/f.csv"] = RegistryEntry("demo/f.csv", 4, _sha(b"good"), url, "CC0")
    cache = tmp_path / "cache"
    monkeypatch.setenv(datasets.CACHE_ENV, str(cache))
    with pytest.raises(datasets.DataNotAvailable) as err:
        datasets.fetch("demo/f.csv", progressbar=False)
    msg = str(err.value)
    assert "demo/f.csv" in msg and url in msg and str(cache) in msg
    assert datasets.CACHE_ENV in msg and "Fix" in msg


def test_cache_dir_defaults_to_user_cache(monkeypatch):
    monkeypatch.delenv(datasets.CACHE_ENV, raising=False)
    assert "participatory-ai-in-practice" in str(datasets.cache_dir())


@needs_cache
def test_real_cache_is_used_without_writing():
    cache = pathlib.Path(SHARED).resolve()
    before = sorted(p.relative_to(cache) for p in cache.rglob("*"))
    path = datasets.fetch("polis-opendata/vtaiwan.uberx/votes.csv")
    assert path == cache / "polis-opendata" / "vtaiwan.uberx" / "votes.csv"
    assert sorted(p.relative_to(cache) for p in cache.rglob("*")) == before


@needs_cache
def test_every_registered_file_is_in_the_shared_cache_and_verifies():
    for rel in datasets.registry():
        assert datasets.fetch(rel).is_file()


def test_polis_attribution_carries_the_required_statement():
    text = credits.attribution("polis-opendata/vtaiwan.uberx/votes.csv", "polis-opendata/vtaiwan.uberx/comments.csv")
    assert "sub-licensed under CC BY 4.0 with Attribution to The Computational Democracy Project" in text
    assert text.count("https://compdemocracy.org/case-studies/2015-vtaiwan-uberx") == 1
    other = credits.attribution("collective-dialogues/CD3_vax.csv")
    assert "no licence file" in other and "raw.githubusercontent.com" in other


# --- a team's own Polis export ------------------------------------------------------


def _write_export(folder: pathlib.Path, *, votes=True, wide=True):
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "comments.csv").write_text(
        "timestamp,datetime,comment-id,author-id,agrees,disagrees,moderated,comment-body\n"
        "1,x,0,0,2,0,1,Buses should run later\n"
        "2,x,1,1,0,1,0,\"Parking, not buses\"\n"
        "3,x,2,1,0,0,-1,spam\n",
        encoding="utf-8",
    )
    if votes:
        (folder / "votes.csv").write_text(
            "timestamp,datetime,comment-id,voter-id,vote\n"
            "10,x,0,0,-1\n"
            "20,x,0,0,1\n"  # re-vote: the later one counts
            "11,x,1,0,-1\n"
            "12,x,0,1,1\n",
            encoding="utf-8",
        )
    if wide:
        (folder / "participants-votes.csv").write_text(
            "participant,group-id,n-comments,n-votes,n-agree,n-disagree,0,1,2\n"
            "0,1,0,2,1,1,1,-1,\n"
            "1,,2,1,1,0,1,,\n",
            encoding="utf-8",
        )


def test_user_export_loads_latest_votes_and_groups(tmp_path):
    _write_export(tmp_path / "my-conv")
    conv = polis.load_polis_conversation(tmp_path / "my-conv")
    assert conv.name == "my-conv"
    m = conv.vote_matrix()
    assert m.loc[0, 0] == 1 and m.loc[0, 1] == -1 and m.loc[1, 0] == 1
    assert len(conv.votes) == 3
    assert conv.groups.loc[0] == 1 and conv.groups.isna().loc[1]
    assert conv.moderated_out == [2]
    assert conv.comments.loc[conv.comments["comment-id"] == 1, "comment-body"].item() == "Parking, not buses"
    recs = conv.vote_records()
    assert {"participant_id", "statement_id", "vote", "modified"} <= set(recs[0])
    assert conv.has_vote_times  # votes.csv keeps the history


def test_user_export_without_votes_csv_uses_the_wide_matrix(tmp_path):
    _write_export(tmp_path / "c", votes=False)
    conv = polis.load_polis_conversation(tmp_path / "c")
    assert sorted(map(tuple, conv.votes[["participant", "comment-id", "vote"]].to_numpy())) == [(0, 0, 1), (0, 1, -1), (1, 0, 1)]
    assert not conv.has_vote_times  # the wide matrix has no vote times to replay


def test_has_vote_times_needs_more_than_one_time():
    assert not polis.has_vote_times(pd.DataFrame({"participant": [0, 1], "vote": [1, -1]}))
    assert not polis.has_vote_times(pd.DataFrame({"timestamp": [5, 5], "vote": [1, -1]}))
    assert not polis.has_vote_times(pd.DataFrame({"timestamp": [], "vote": []}))
    assert polis.has_vote_times(pd.DataFrame({"timestamp": [5, 6], "vote": [1, -1]}))


def test_user_export_errors_are_clear(tmp_path):
    with pytest.raises(polis.PolisExportError, match="neither an open-data conversation"):
        polis.load_polis_conversation(tmp_path / "nope")
    _write_export(tmp_path / "novotes", votes=False, wide=False)
    with pytest.raises(polis.PolisExportError, match="No votes"):
        polis.load_polis_conversation(tmp_path / "novotes")
    _write_export(tmp_path / "bad")
    (tmp_path / "bad" / "votes.csv").write_text("timestamp,comment-id,voter-id,vote\n1,0,0,7\n", encoding="utf-8")
    with pytest.raises(polis.PolisExportError, match="line 2"):
        polis.load_polis_conversation(tmp_path / "bad")
    _write_export(tmp_path / "cols")
    (tmp_path / "cols" / "comments.csv").write_text("id,text\n0,hi\n", encoding="utf-8")
    with pytest.raises(polis.PolisExportError, match="comment-body"):
        polis.load_polis_conversation(tmp_path / "cols")


@needs_cache
def test_open_conversation_matches_published_counts():
    conv = polis.load_polis_conversation("vtaiwan.uberx")
    assert len(conv.votes) == 49_443  # unique (voter, comment) pairs after re-votes
    counts = conv.groups.value_counts(dropna=False)
    assert counts.loc[1.0] == 889 and counts.loc[0.0] == 330 and conv.groups.isna().sum() == 702
    assert conv.summary["groups"] == "2"


@needs_cache
def test_polis_fixture_loads():
    fx = polis.load_polis_fixture("below-100-ptpts")
    assert {"votes", "comments", "math", "conversation"} == set(fx)
    assert "group-clusters" in fx["math"] and "pca" in fx["math"]


def test_attribution_links_conversations_without_a_case_study_page_to_their_pinned_folder():
    text = credits.attribution("polis-opendata/scoop-hivemind.taxes/votes.csv", "polis-opendata/vtaiwan.uberx/votes.csv")
    assert "sub-licensed under CC BY 4.0" in text and text.count("CC BY 4.0") == 1
    assert "https://compdemocracy.org/case-studies/2015-vtaiwan-uberx" in text
    assert "https://github.com/compdemocracy/openData/tree/0bc2ce0f32c673f68da20b57bce15c457aa787b5/scoop-hivemind.taxes" in text


def test_every_open_conversation_in_the_registry_is_listed_once():
    assert len(polis.POLIS_OPEN_CONVERSATIONS) == 13
    assert set(polis.DEVELOPMENT_CONVERSATIONS) | set(polis.CHECK_CONVERSATIONS) == set(polis.POLIS_OPEN_CONVERSATIONS)
    assert not set(polis.DEVELOPMENT_CONVERSATIONS) & set(polis.CHECK_CONVERSATIONS)
