"""Join finished heldout-7 part files into main (lead's tool, kept as the record of how the set was joined; paths are the lead's machine).
python3 /work/wt/join7.py corpus7a1 corpus7b2 ...  -- copies each branch's committed plans that have an
entry in its committed part file, appends the entries unchanged, then rewrites the README's counts."""
import sys, subprocess, json, re, pathlib, yaml, jsonschema, collections
MAIN = pathlib.Path("/work/main"); CAL = MAIN / "benchmarks/calibration"; H7 = CAL / "heldout-7"
A12 = ["community-led-imperfect","collaborative-council-or-coop","consultation-done-well","honest-inform-only","participation-washing","proxies-only","piece-rate-labelling","community-red-teaming","binding-deliberation","synthetic-panel","mixed-participant-groups","strong-with-minor-weakness"]
BANDS = ["non-participation","tokenism","consultation","involvement","collaboration","community-led"]
IAP2 = ["none","inform","consult","involve","collaborate","empower"]
PLANNED = 108
def show(branch, path):
    return subprocess.run(["git","-C",str(MAIN),"show",f"{branch}:{path}"],capture_output=True,text=True,check=True).stdout
doc = yaml.safe_load((H7/"expected.yaml").read_text())
have = {p["id"] for p in doc["plans"]}
joined = []
for branch in sys.argv[1:]:
    k = branch.removeprefix("corpus7")
    part = yaml.safe_load(show(branch, f"benchmarks/calibration/heldout-7/expected-{k}.yaml"))
    n = 0
    for p in part["plans"]:
        try:
            text = show(branch, f"benchmarks/calibration/heldout-7/plans/{p['id']}.md")
        except subprocess.CalledProcessError:
            print(f"{branch}: {p['id']} has no committed plan; left out"); continue
        assert p["id"] not in have, p["id"]
        for c in p.get("must_raise", []) + p.get("must_not_raise", []):
            assert c["quote"] in text, (p["id"], c["quote"])
        (H7/"plans"/f"{p['id']}.md").write_text(text, encoding="utf-8")
        doc["plans"].append(p); have.add(p["id"]); n += 1
    joined.append((k, n)); print(branch, n, "plans joined")
jsonschema.validate(doc, json.loads((CAL/"expected.schema.json").read_text()))
(H7/"expected.yaml").write_text(yaml.safe_dump(doc, sort_keys=False, allow_unicode=True, width=110), encoding="utf-8")
# README counts
P = doc["plans"]; N = len(P)
arch = collections.Counter(p["archetype"] for p in P)
kinds = collections.Counter(p["model_kind"] for p in P)
bands = collections.Counter(p["band"]["expected"] for p in P); iap = collections.Counter(p["iap2"]["expected"] for p in P)
words = [len((H7/"plans"/f"{p['id']}.md").read_text(encoding="utf-8").split()) for p in P]
rows = [
 ("Plans (every one complete with expected answers)", N),
 ("Archetypes (plans): " + ", ".join(f"{a} {arch[a]}" for a in A12 if arch[a]), len(arch)),
 ("Settings (states, provinces, regions, territories or nations within a state), one per plan, none used by an earlier set", len({p["country"] for p in P})),
 ("Model kinds: " + ", ".join(f"{k} {kinds[k]}" for k in sorted(kinds)), len(kinds)),
 ("Participant groups declared", sum(len(p.get("groups", [])) for p in P)),
 ("Flags that must be raised", sum(len(p.get("must_raise", [])) for p in P)),
 ("Flags that must not be raised", sum(len(p.get("must_not_raise", [])) for p in P)),
 ("Expected bands: " + ", ".join(f"{b} {bands[b]}" for b in BANDS if bands[b]), N),
 ("Expected IAP2 levels: " + ", ".join(f"{b} {iap[b]}" for b in IAP2 if iap[b]), N),
 ("Plan length in words (range)", f"{min(words)}-{max(words)}"),
]
table = "| What | Count |\n|---|---|\n" + "\n".join(f"| {a} | {b} |" for a, b in rows) + "\n"
readme = (H7/"README.md").read_text(encoding="utf-8")
readme = re.sub(r"\| What \| Count \|\n(\|.*\|\n)+", table, readme)
readme = re.sub(r"This set holds \d+ plans and covers \d+ of the twelve archetypes\.", f"This set holds {N} plans and covers {len(arch)} of the twelve archetypes.", readme)
readme = re.sub(r"\*\*Being written: \d+ of", f"**Being written: {N} of", readme)
(H7/"README.md").write_text(readme, encoding="utf-8")
print("total", N, dict(arch))
