"""Small groups from a roster (widgets._groups): balance where a perfect one exists, the best
possible where it does not (checked against an exhaustive search), reproducibility, roster errors."""

from __future__ import annotations

import itertools
import random

import pytest

from widgets._groups import Person, RosterError, balance_problems, form_groups, group_sizes, imbalance, read_roster


def partitions(people, sizes):
    """Every split of ``people`` into groups of the given sizes (groups of equal size unordered)."""
    if not sizes:
        yield []
        return
    first, rest = people[0], people[1:]
    for others in itertools.combinations(range(len(rest)), sizes[0] - 1):
        group = [first] + [rest[i] for i in others]
        left = [p for i, p in enumerate(rest) if i not in others]
        for tail in partitions(left, sizes[1:]):
            yield [group] + tail


def best_possible(people, size):
    sizes = group_sizes(len(people), size)
    best = min(partitions(people, sizes), key=imbalance)
    return imbalance(best), not balance_problems(best)


def test_group_sizes_for_rooms_of_8_to_40():
    for n in range(8, 41):
        for size in (3, 4, 5, 6):
            sizes = group_sizes(n, size)
            assert sum(sizes) == n and max(sizes) <= size and max(sizes) - min(sizes) <= 1
    assert group_sizes(8, 5) == [4, 4] and group_sizes(23, 5) == [5, 5, 5, 4, 4]
    with pytest.raises(ValueError):
        group_sizes(10, 1)


def test_perfect_balance_found_where_it_exists():
    # 20 people, groups of 4: 4 roles x 5, 5 organisations x 4, 2 viewpoints x 10. A perfect split
    # exists (person i: role i % 4, organisation i // 4, viewpoint (i // 2) % 2 would put one of
    # each organisation ... ); the roster is shuffled so the order gives nothing away.
    people = [Person(f"P{i:02d}", f"role-{i % 4}", f"org-{i // 4}", f"view-{(i % 4) // 2}") for i in range(20)]
    random.Random(5).shuffle(people)
    result = form_groups(people, 4, seed=1)
    assert result.perfect, result.problems
    assert [len(g) for g in result.groups] == [4] * 5
    for counts in result.counts("organisation"):
        assert max(counts.values()) == 1  # four organisations in each group of four
    for counts in result.counts("role"):
        assert sorted(counts.values()) == [1, 1, 1, 1]
    for counts in result.counts("viewpoint"):
        assert sorted(counts.values()) == [2, 2]
    assert sorted(p.name for g in result.groups for p in g) == sorted(p.name for p in people)


def test_no_perfect_balance_reports_where_and_is_the_best_possible():
    # Two groups of two. Splitting roles parts p1 from p2, organisations p1 from p3, viewpoints
    # p1 from p4: p1 has no partner, so no split is perfect.
    people = [Person("p1", "A", "X", "u"), Person("p2", "A", "Y", "v"), Person("p3", "B", "X", "v"),
              Person("p4", "B", "Y", "u")]
    result = form_groups(people, 2, seed=0)
    assert not result.perfect and result.problems
    assert all(("group 1" in p or "group 2" in p) and "fair share is 1" in p for p in result.problems)
    assert result.imbalance == best_possible(people, 2)[0]


def test_one_organisation_dominating_the_room():
    people = [Person(f"a{i}", "engineer" if i % 2 else "researcher", "BigCo") for i in range(9)]
    people += [Person("b0", "engineer", "Small"), Person("c0", "policy", "Civic")]
    result = form_groups(people, 4, seed=3)
    # 3 groups (4, 4, 3): BigCo fills 9 of 11 places; the two others go to different groups, and
    # no group is BigCo alone and all of one role.
    orgs = result.counts("organisation")
    assert sum(1 for c in orgs if "Small" in c and "Civic" in c) == 0
    assert all(len(c) >= 2 for c in result.counts("role"))
    assert result.perfect
    assert result.imbalance == best_possible(people, 4)[0]


@pytest.mark.parametrize("seed", range(12))
def test_matches_exhaustive_search_on_random_small_rosters(seed):
    rng = random.Random(100 + seed)
    n = rng.randint(6, 10)
    size = rng.choice((2, 3, 4))
    roles, orgs, views = rng.randint(2, 4), rng.randint(2, 5), rng.choice((0, 2, 3))
    people = [Person(f"p{i}", f"r{rng.randrange(roles)}", f"o{rng.randrange(orgs)}",
                     f"v{rng.randrange(views)}" if views else "") for i in range(n)]
    result = form_groups(people, size, seed=seed)
    best, perfect_exists = best_possible(people, size)
    assert result.imbalance == best
    if perfect_exists:
        assert result.perfect


def test_same_seed_same_groups_and_every_person_once():
    people = [Person(f"P{i}", f"r{i % 3}", f"o{i % 5}", f"v{i % 2}") for i in range(31)]
    a = form_groups(people, 5, seed=42)
    b = form_groups(people, 5, seed=42)
    assert [[p.name for p in g] for g in a.groups] == [[p.name for p in g] for g in b.groups]
    assert sorted(p.name for g in a.groups for p in g) == sorted(p.name for p in people)


def test_read_roster_and_its_errors(tmp_path):
    path = tmp_path / "room.csv"
    path.write_text("Name,Role,Organization,Viewpoint\nAda, engineer ,Acme,sceptic\n\nBea,designer,Civic,\n",
                    encoding="utf-8")
    people = read_roster(path)
    assert people == [Person("Ada", "engineer", "Acme", "sceptic"), Person("Bea", "designer", "Civic", "")]
    with pytest.raises(RosterError, match="missing column"):
        read_roster("name,role\nAda,engineer\n")
    with pytest.raises(RosterError, match="line 3.*already on line 2"):
        read_roster("name,role,organisation\nAda,e,A\nAda,d,B\n")
    with pytest.raises(RosterError, match="line 2: role is empty"):
        read_roster("name,role,organisation\nAda,,A\n")
    with pytest.raises(RosterError, match="no such file"):
        read_roster(tmp_path / "missing.csv")


def test_exports_are_safe():
    people = [Person("=HYPERLINK(1)", "<b>r</b>", "o1"), Person("Bea", "r2", "o2"), Person("Cy", "r1", "o1")]
    g = form_groups(people, 3)
    assert "'=HYPERLINK" in g.to_csv() and "<b>" not in g.to_markdown()


# --------------------------------------------------------------------------- the page's twin

import json  # noqa: E402
import shutil  # noqa: E402
import subprocess  # noqa: E402
from pathlib import Path  # noqa: E402

STATIC = Path(__file__).resolve().parents[1] / "widgets" / "static"
NODE = shutil.which("node") or "/usr/bin/node"
GROUPS_JS = f"""
import {{ readRoster, formGroups, groupsCsv, groupsMarkdown }} from {json.dumps((STATIC / 'groups.js').as_uri())};
let text = ""; for await (const chunk of process.stdin) text += chunk;
const out = JSON.parse(text).map(({{ csv, size, seed }}) => {{
  const {{ people, problems }} = readRoster(csv);
  if (problems.length) return {{ problems }};
  const r = formGroups(people, size, seed);
  return {{ groups: r.groups.map((g) => g.map((p) => p.name)), imbalance: r.imbalance, problems: r.problems,
           csv: groupsCsv(r), md: groupsMarkdown(r) }};
}});
process.stdout.write(JSON.stringify(out));
"""


@pytest.mark.skipif(not Path(NODE).exists(), reason="Node.js is not installed (runs groups.js)")
def test_page_forms_the_same_groups_as_python():
    from widgets._groups import read_roster

    rng = random.Random(9)
    cases = []
    for k in range(8):
        n = rng.randint(8, 40)
        lines = ["name,role,organisation,viewpoint"]
        for i in range(n):
            view = rng.choice(["", "enthusiast", "sceptic", "it's complicated"])
            lines.append(f'"P{i}, {rng.choice("ABC")}",{rng.choice(["eng", "design", "policy"])},'
                         f'org{rng.randrange(6)},"{view}"')
        cases.append({"csv": "\n".join(lines) + "\n", "size": rng.choice((3, 4, 5, 6)), "seed": rng.randrange(10**6)})
    cases.append({"csv": "name,role\nAda,eng\n", "size": 3, "seed": 0})
    proc = subprocess.run([NODE, "--input-type=module", "-e", GROUPS_JS], input=json.dumps(cases), capture_output=True,
                          text=True, cwd=STATIC, timeout=300)
    assert proc.returncode == 0, proc.stderr
    out = json.loads(proc.stdout)
    for case, got in zip(cases[:-1], out):
        g = form_groups(read_roster(case["csv"]), case["size"], seed=case["seed"])
        assert got["groups"] == [[p.name for p in grp] for grp in g.groups]
        assert got["imbalance"] == g.imbalance and got["problems"] == g.problems
        assert got["csv"] == g.to_csv() and got["md"] == g.to_markdown()
    assert "missing column(s) organisation" in out[-1]["problems"][0]
