"""Check one writer's heldout-7 part file: python3 /work/wt/check_part.py <worktree> <letter>.
Checks only format and bookkeeping (YAML parses, schema, quotes verbatim, flag ids exist, ids new,
word counts, plans <-> entries). It runs no scorer."""
import sys, json, re, pathlib, yaml, jsonschema, csv
wt = pathlib.Path(sys.argv[1]); letter = sys.argv[2]
cal = wt / "benchmarks/calibration"; h7 = cal / "heldout-7"
part = h7 / f"expected-{letter}.yaml"
problems = []
try:
    doc = yaml.safe_load(part.read_text())
except Exception as e:
    sys.exit(f"{part}: does not parse as YAML: {e}\nHint: quote any value holding ': ' or starting with a special character; use `reason: \"...\"`.")
try:
    jsonschema.validate(doc, json.loads((cal / "expected.schema.json").read_text()))
except jsonschema.ValidationError as e:
    problems.append(f"schema: {e.message} at {list(e.absolute_path)}")
flags = {f["id"] for f in yaml.safe_load((cal / "flags.yaml").read_text())["flags"]} if isinstance(yaml.safe_load((cal / "flags.yaml").read_text()), dict) else set()
used = {r["id"] for r in csv.DictReader(open("/work/wt/used.tsv"), delimiter="\t")}
seen = set()
for p in doc.get("plans", []):
    pid = p.get("id")
    if pid in seen: problems.append(f"{pid}: id repeated")
    seen.add(pid)
    if pid in used: problems.append(f"{pid}: id already used by an earlier set")
    md = h7 / "plans" / f"{pid}.md"
    if not md.exists(): problems.append(f"{pid}: no plan file {md}"); continue
    text = md.read_text(); words = len(text.split())
    if not 300 <= words <= 700: problems.append(f"{pid}: {words} words (300-700)")
    r = {x.get("flag") for x in p.get("must_raise", [])}; n = {x.get("flag") for x in p.get("must_not_raise", [])}
    if r & n: problems.append(f"{pid}: in both lists: {sorted(r & n)}")
    for x in p.get("must_raise", []) + p.get("must_not_raise", []):
        if flags and x.get("flag") not in flags: problems.append(f"{pid}: unknown flag {x.get('flag')}")
        if x.get("quote") and x["quote"] not in text: problems.append(f"{pid}: quote not verbatim in plan: {x['quote'][:70]!r}")
    gids = {g.get("id") for g in p.get("groups", [])}
    for x in p.get("must_raise", []):
        if x.get("group") and x["group"] not in gids: problems.append(f"{pid}: group {x['group']} not declared")
mine = {f.stem for f in (h7 / "plans").glob("*.md")} - {l.split('\t')[0] for l in open('/work/wt/used.tsv')}
for stem in sorted(mine - seen): problems.append(f"{stem}: plan file with no entry (fine only if it is another writer's)")
print(f"{part}: {len(seen)} entries")
print("\n".join(problems) if problems else "all checks pass")
