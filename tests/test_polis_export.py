"""The Polis export reader on small hand-built exports: every layout it must read, every input it must refuse.

Each refusal names the file, the column (where there is one), the line and a fix;
none of them may be a raw pandas or Python exception, and no value may be changed
on the way in.
"""

from __future__ import annotations

import pathlib

import numpy as np
import pytest

from casestudies import polis

COMMENTS = (
    "timestamp,datetime,comment-id,author-id,agrees,disagrees,moderated,comment-body\n"
    "1,x,0,0,2,0,1,Buses should run later\n"
    "2,x,1,1,0,1,0,\"Parking, not buses\"\n"
    "3,x,2,1,0,0,-1,spam\n"
)
VOTES = "timestamp,datetime,comment-id,voter-id,vote\n10,x,0,0,1\n11,x,1,0,-1\n12,x,0,1,1\n13,x,2,1,0\n"
WIDE = (
    "participant,group-id,n-comments,n-votes,n-agree,n-disagree,0,1,2\n"
    "0,0,0,2,1,1,1,-1,\n"
    "1,1,2,2,1,0,1,,0\n"
)
WIDE_XID = (
    "participant,xid,group-id,n-comments,n-votes,n-agree,n-disagree,0,1,2\n"
    "0,ab-12,0,0,2,1,1,1,-1,\n"
    "1,,1,2,2,1,0,1,,0\n"
)


def _export(folder: pathlib.Path, **files) -> pathlib.Path:
    """Write an export; ``files`` maps a file name (dots as underscores) to its text, or None to leave it out."""
    folder.mkdir(parents=True, exist_ok=True)
    layout = {"comments_csv": COMMENTS, "votes_csv": VOTES, "participants_votes_csv": WIDE, "summary_csv": "topic,Buses\ngroups,2\n"}
    layout.update(files)
    for key, text in layout.items():
        if text is None:
            continue
        name = key.replace("participants_votes", "participants-votes").replace("_csv", ".csv")
        data = text if isinstance(text, bytes) else text.encode("utf-8")
        (folder / name).write_bytes(data)
    return folder


def _votes(conv) -> list[tuple]:
    return sorted(map(tuple, conv.votes[["participant", "comment-id", "vote"]].to_numpy().tolist()))


EXPECTED = [(0, 0, 1), (0, 1, -1), (1, 0, 1), (1, 2, 0)]


# --- layouts the reader must read ---------------------------------------------------------


@pytest.mark.parametrize(
    "files",
    [
        {},  # the full standard export
        {"votes_csv": None},  # no vote history
        {"participants_votes_csv": WIDE_XID},  # the current layout, with xid
        {"votes_csv": None, "participants_votes_csv": WIDE_XID},  # current layout, no votes.csv
        {"participants_votes_csv": None},  # votes.csv only (no Polis groups)
        {"summary_csv": None},
        {"summary_csv": ""},  # an empty summary
    ],
    ids=["standard", "no-votes-csv", "xid", "xid-no-votes-csv", "no-wide-matrix", "no-summary", "empty-summary"],
)
def test_every_standard_layout_reads_the_same_votes(tmp_path, files):
    conv = polis.load_polis_conversation(_export(tmp_path / "c", **files))
    assert _votes(conv) == EXPECTED
    assert conv.moderated_out == [2]
    if files.get("participants_votes_csv", WIDE) is not None:
        assert conv.groups.to_dict() == {0: 0.0, 1: 1.0}


def test_xid_column_is_kept_not_read_as_a_statement(tmp_path):
    conv = polis.load_polis_conversation(_export(tmp_path / "c", votes_csv=None, participants_votes_csv=WIDE_XID))
    assert conv.xids.loc[0] == "ab-12"
    assert set(conv.votes["comment-id"]) == {0, 1, 2}


def test_meta_statements_stay_in_comments_and_leave_the_math(tmp_path):
    comments = COMMENTS.replace("moderated,comment-body", "moderated,comment-body,is-seed,is-meta")
    comments = comments.replace("later\n", "later,true,false\n").replace('buses"\n', 'buses",false,true\n').replace("spam\n", "spam,false,false\n")
    conv = polis.load_polis_conversation(_export(tmp_path / "c", comments_csv=comments))
    assert conv.moderated_out == [1, 2]  # 1 is meta, 2 is moderated out
    assert conv.comments["is-meta"].tolist() == [False, True, False]
    assert conv.comments["moderated"].tolist() == [1, 0, -1]  # the moderation itself is not rewritten
    res = polis.run(conv, use_history=False)
    assert res.comments.loc[1, "moderated_out"]


def test_extra_and_importance_columns_are_ignored(tmp_path):
    comments = COMMENTS.replace("moderated,comment-body", "moderated,importance,comment-body,notes")
    comments = comments.replace(",1,Buses should run later", ",1,0,Buses should run later,a").replace(',0,"Parking', ',0,3,"Parking')
    comments = comments.replace('buses"\n', 'buses",b\n').replace(",-1,spam", ",-1,0,spam,c")
    wide = WIDE.replace("n-disagree,0,1,2", "n-disagree,notes,0,1,2").replace("0,2,1,1,1,-1,", "0,2,1,1,hi,1,-1,").replace("2,2,1,0,1,,0", "2,2,1,0,,1,,0")
    votes = "timestamp,datetime,comment-id,voter-id,vote,important\n10,x,0,0,1,1\n11,x,1,0,-1,0\n12,x,0,1,1,0\n13,x,2,1,0,1\n"
    conv = polis.load_polis_conversation(_export(tmp_path / "c", comments_csv=comments, participants_votes_csv=wide, votes_csv=votes))
    assert _votes(conv) == EXPECTED
    assert conv.comments.loc[0, "notes"] == "a"


def test_statements_nobody_voted_on_are_kept(tmp_path):
    comments = COMMENTS + "4,x,3,0,0,0,0,never shown\n"
    conv = polis.load_polis_conversation(_export(tmp_path / "c", comments_csv=comments))
    assert 3 in set(conv.comments["comment-id"]) and _votes(conv) == EXPECTED


def test_latin1_summary_and_bom_are_handled(tmp_path):
    folder = _export(tmp_path / "bom", comments_csv="\ufeff" + COMMENTS)
    assert _votes(polis.load_polis_conversation(folder)) == EXPECTED
    folder = _export(tmp_path / "latin", summary_csv="topic,Caf\xe9\n".encode("latin-1"))
    with pytest.raises(polis.PolisExportError, match=r"summary\.csv: is not UTF-8.*Fix: save summary\.csv as UTF-8"):
        polis.load_polis_conversation(folder)


# --- inputs the reader must refuse (each was once silently changed) ------------------------


REFUSALS = [
    # (file to replace, its text, fragments the message must hold)
    ("votes_csv", VOTES.replace("12,x,0,1,1", "12,x,0,1.5,1"), ["votes.csv", "'voter-id'", "line 4", "'1.5'"]),
    ("votes_csv", VOTES.replace("12,x,0,1,1", "12,x,0,1e20,1"), ["votes.csv", "'voter-id'", "line 4"]),
    ("votes_csv", VOTES.replace("12,x,0,1,1", "12,x,0,100000000000000000000,1"), ["votes.csv", "'voter-id'", "line 4"]),
    ("votes_csv", VOTES.replace("12,x,0,1,1", "12,x,0,-3,1"), ["votes.csv", "'voter-id'"]),
    ("votes_csv", VOTES.replace("11,x,1,0,-1", "11,x,2.7,0,-1"), ["votes.csv", "'comment-id'", "line 3", "'2.7'"]),
    ("votes_csv", VOTES.replace("11,x,1,0,-1", "11,x,1,0,agree"), ["votes.csv", "'vote'", "line 3", "'agree'"]),
    ("votes_csv", VOTES.replace("11,x,1,0,-1", "11,x,1,0,0.5"), ["votes.csv", "'vote'", "'0.5'"]),
    ("votes_csv", VOTES.replace("11,x,1,0,-1", "11,x,1,0,"), ["votes.csv", "'vote'", "line 3"]),
    ("votes_csv", VOTES.replace("11,x,1,0,-1", "soon,x,1,0,-1"), ["votes.csv", "'timestamp'", "line 3"]),
    ("votes_csv", VOTES.replace("11,x,1,0,-1", "11,x,9,0,-1"), ["votes.csv", "'comment-id'", "not in comments.csv", "first: 9"]),
    ("votes_csv", "timestamp,datetime,comment-id,voter-id,vote\n", ["votes.csv", "header but no rows"]),
    ("votes_csv", "", ["votes.csv", "is empty"]),
    ("votes_csv", "timestamp,comment-id,voter-id,vote,vote\n1,0,0,1,1\n", ["votes.csv", "'vote'", "twice"]),
    ("votes_csv", VOTES.replace("11,x,1,0,-1", "11,x,1,0,-1,7"), ["votes.csv", "line 3", "6 fields but the header has 5"]),
    ("participants_votes_csv", WIDE.replace("1,1,2,2,1,0,1,,0", "1,1,2,2,1,0,1,,0,1"), ["participants-votes.csv", "line 3", "fields"]),
    ("participants_votes_csv", WIDE.replace("1,-1,\n", "agree,-1,\n"), ["participants-votes.csv", "column '0'", "line 2", "'agree'"]),
    ("participants_votes_csv", WIDE.replace("1,-1,\n", "0.5,-1,\n"), ["participants-votes.csv", "column '0'", "'0.5'"]),
    ("participants_votes_csv", WIDE.replace("1,-1,\n", "5,-1,\n"), ["participants-votes.csv", "column '0'", "'5'"]),
    ("participants_votes_csv", WIDE.replace("1,-1,\n", "1,-7,\n"), ["participants-votes.csv", "column '1'", "'-7'"]),
    ("participants_votes_csv", WIDE + "1,1,2,2,1,0,1,,0\n", ["participants-votes.csv", "'participant'", "line 4", "more than one row"]),
    ("participants_votes_csv", WIDE.replace("n-disagree,0,1,2", "n-disagree,0,1,1"), ["participants-votes.csv", "'1'", "twice"]),
    ("participants_votes_csv", WIDE.replace("n-disagree,0,1,2", "n-disagree,0,1,2.5"), ["participants-votes.csv", "'2.5'", "whole-number"]),
    ("participants_votes_csv", WIDE.replace("n-disagree,0,1,2", "n-disagree,0,1,7"), ["participants-votes.csv", "not in comments.csv", "first: 7"]),
    ("participants_votes_csv", WIDE.replace("\n0,0,", "\n0,zero,"), ["participants-votes.csv", "'group-id'", "line 2", "'zero'"]),
    ("participants_votes_csv", "participant,group-id\n", ["participants-votes.csv", "header but no rows"]),
    ("comments_csv", COMMENTS.replace("\n2,x,1,", "\n2,x,0,"), ["comments.csv", "'comment-id'", "line 3", "more than one row"]),
    ("comments_csv", COMMENTS.replace("\n2,x,1,", "\n2,x,2.7,"), ["comments.csv", "'comment-id'", "line 3", "'2.7'"]),
    ("comments_csv", COMMENTS.replace(",-1,spam", ",out,spam"), ["comments.csv", "'moderated'", "line 4", "'out'"]),
    ("comments_csv", COMMENTS.replace(",0,2,0,1,", ",0,two,0,1,"), ["comments.csv", "'agrees'", "line 2", "'two'"]),
    ("comments_csv", COMMENTS.replace("moderated,comment-body", "moderated,comment-body,is-meta").replace("later\n", "later,maybe\n")
     .replace('buses"\n', 'buses",false\n').replace("spam\n", "spam,false\n"), ["comments.csv", "'is-meta'", "line 2", "'maybe'"]),
    ("comments_csv", "comment-id,comment-body\n", ["votes.csv", "not in comments.csv"]),
    ("comments_csv", "id,text\n0,hi\n", ["comments.csv", "comment-body"]),
    ("comments_csv", COMMENTS.encode("utf-8").replace(b"Buses", b"Bus\xe9s"), ["comments.csv", "not UTF-8"]),
]


@pytest.mark.parametrize("file,text,fragments", REFUSALS, ids=[f"{f}-{i}" for i, (f, _, _) in enumerate(REFUSALS)])
def test_bad_input_is_refused_with_file_column_line_and_fix(tmp_path, file, text, fragments):
    folder = _export(tmp_path / "c", **{file: text})
    with pytest.raises(polis.PolisExportError) as err:
        polis.load_polis_conversation(folder)
    message = str(err.value)
    for fragment in fragments:
        assert fragment in message, message
    assert "Fix:" in message


def test_wide_matrix_only_refusals_name_the_wide_file(tmp_path):
    folder = _export(tmp_path / "c", votes_csv=None, participants_votes_csv=WIDE.replace("1,-1,\n", "1,-1,1.5\n"))
    with pytest.raises(polis.PolisExportError, match=r"participants-votes\.csv, column '2', line 2.*'1\.5'"):
        polis.load_polis_conversation(folder)


def test_revotes_keep_the_latest_and_nothing_else_changes(tmp_path):
    votes = VOTES + "20,x,0,0,-1\n"  # participant 0 changes their mind on statement 0
    conv = polis.load_polis_conversation(_export(tmp_path / "c", votes_csv=votes))
    m = conv.vote_matrix()
    assert m.loc[0, 0] == -1 and m.loc[0, 1] == -1 and m.loc[1, 2] == 0
    assert np.isnan(m.loc[0, 2])
