#!/bin/sh
# Build a reader's own tree: the project at main's HEAD with no history, the calibration folder cut to
# heldout-7's plans and README (no expected answers, no fills, no log or results, no flag catalogue).
set -e
name=$1; dst=/work/rd/$name
rm -rf "$dst"; mkdir -p "$dst"
git -C /work/main archive HEAD | tar -x -C "$dst"
cd "$dst"
keep=$(mktemp -d)
cp -r benchmarks/calibration/heldout-7/plans "$keep/plans"; cp benchmarks/calibration/heldout-7/README.md "$keep/README-h7.md"
sed -n '/^## Filling a plan as an assessment/,/^## Scoring the benchmark/p' benchmarks/calibration/README.md | sed '$d' > "$keep/FILLING-corpus.md"
rm -rf benchmarks review CHANGELOG.md
mkdir -p benchmarks/calibration/heldout-7 benchmarks/calibration/fills/$name
mv "$keep/plans" benchmarks/calibration/heldout-7/plans; mv "$keep/README-h7.md" benchmarks/calibration/heldout-7/README.md
mv "$keep/FILLING-corpus.md" benchmarks/calibration/README.md
git init -q && git add -A && git -c user.name=lead -c user.email=lead@example.org commit -q -m "reader tree for $name"
echo "$dst: $(ls benchmarks/calibration/heldout-7/plans | wc -l) plans"
