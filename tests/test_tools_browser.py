"""Kernel-free supply-chain tools: JS/Python parity (Node) and the tools on the built site (Chromium).

The parity tests run the site's ES modules under Node on the same cases as the Python modules,
so the two implementations cannot drift. The browser tests need the site built (see
tests/conftest.py; override the folder with PAI_SITE_DIR) and skip with the reason otherwise.
"""

from __future__ import annotations

import json
import random
import shutil
import subprocess
from pathlib import Path

import pytest
from conftest import serve_folder

from widgets import _paycalc as pc

ROOT = Path(__file__).resolve().parents[1]
TOOLS = ROOT / "widgets" / "static" / "tools"
NODE = shutil.which("node")

needs_node = pytest.mark.skipif(NODE is None, reason="Node.js is not installed (needed to run the ES modules)")

RESULT_FIELDS = [
    "total_pay", "task_hours", "total_hours", "unpaid_hours", "nominal_hourly", "effective_hourly",
    "living_wage_per_hour", "meets_living_wage", "living_wage_gap", "shortfall_total", "rate_needed",
]


def run_js(module: str, script: str, payload) -> object:
    """Run ``script`` (an async function body with ``m`` = the module and ``input``) under Node."""
    program = (
        f"const m = await import({json.dumps((TOOLS / module).as_uri())});\n"
        "const input = JSON.parse(require('fs').readFileSync(0, 'utf8'));\n"
        "const out = await (async () => {" + script + "})();\n"
        "process.stdout.write(JSON.stringify(out));\n"
    )
    # CommonJS wrapper so `require` exists; dynamic import loads the ES module.
    wrapped = "(async () => {" + program.replace("await import", "await import") + "})().catch(e => { console.error(e); process.exit(1); });"
    done = subprocess.run([NODE, "-e", wrapped], input=json.dumps(payload), capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


def hand_cases() -> list[dict]:
    return [
        dict(currency="EUR", living_wage_per_hour=12.0, pay_model="per_task", rate=0.50, task_minutes=2, tasks=600,
             training_minutes=60, onboarding_minutes=30, side_work_minutes_per_task=0.5),
        dict(currency="EUR", living_wage_per_hour=12.0, pay_model="per_task", rate=0.53, task_minutes=2, tasks=600,
             training_minutes=60, onboarding_minutes=30, side_work_minutes_per_task=0.5),
        dict(currency="KES", living_wage_per_hour=9.0, pay_model="per_hour", rate=10.0, task_minutes=3, tasks=200,
             training_minutes=120, onboarding_minutes=60, side_work_minutes_per_task=0.3, paid_extras=["training"]),
        dict(currency="INR", living_wage_per_hour=150, pay_model="per_hour", rate=160, task_minutes=5, tasks=40,
             paid_extras=["side_work", "training", "onboarding"], other_payments=25, label="<b>x</b>"),
    ]


def random_cases(n: int = 60) -> list[dict]:
    rng = random.Random(20261124)
    cases = []
    for _ in range(n):
        model = rng.choice(pc.PAY_MODELS)
        cases.append(dict(
            currency=rng.choice(["USD", "KES", "PHP"]),
            living_wage_per_hour=round(rng.uniform(1, 40), 2),
            pay_model=model,
            rate=round(rng.uniform(0.01, 3), 3) if model == "per_task" else round(rng.uniform(1, 40), 2),
            task_minutes=round(rng.uniform(0.1, 30), 2),
            tasks=rng.randint(1, 3000),
            training_minutes=rng.choice([0, 30, 90.5]),
            onboarding_minutes=rng.choice([0, 15, 60]),
            side_work_minutes_per_task=rng.choice([0, 0.25, 1.5]),
            paid_extras=rng.sample(list(pc.EXTRA_TIME), rng.randint(0, 3)),
            other_payments=rng.choice([0, 0, 10]),
        ))
    return cases


@needs_node
def test_pay_arithmetic_matches_python():
    cases = hand_cases() + random_cases()
    js = run_js(
        "paycalc.js",
        "return input.map(raw => { const s = m.makeScenario(raw); return {r: m.calculate(s), be: m.breakEvenTaskMinutes(s),"
        " sweep: m.taskTimeSweep(s).map(p => [p.effective_hourly, p.meets_living_wage])}; });",
        cases,
    )
    for raw, out in zip(cases, js):
        s = pc.PayScenario(**raw)
        r = pc.calculate_pay(s)
        for name in RESULT_FIELDS:
            expected = getattr(r, name)
            if isinstance(expected, bool):
                assert out["r"][name] is expected, (name, raw)
            else:
                assert out["r"][name] == pytest.approx(expected, rel=1e-12, abs=1e-12), (name, raw)
        be = pc.break_even_task_minutes(s)
        assert (out["be"] is None) == (be is None)
        if be is not None:
            assert out["be"] == pytest.approx(be, rel=1e-12)
        sweep = pc.task_time_sweep(s)
        assert [bool(m) for _, m in out["sweep"]] == [row["meets_living_wage"] for row in sweep]
        assert [p for p, _ in out["sweep"]] == pytest.approx([row["effective_hourly"] for row in sweep], rel=1e-12)


@needs_node
def test_pay_bad_input_fails_on_both_sides():
    bad = [
        ("currency", ""), ("currency", "€"), ("task_minutes", 0), ("task_minutes", -2), ("training_minutes", -1),
        ("living_wage_per_hour", None), ("rate", "abc"), ("tasks", 2.5), ("pay_model", "piecework"),
        ("paid_extras", ["lunch"]),
    ]
    cases = []
    for field, value in bad:
        raw = dict(hand_cases()[0])
        raw[field] = value
        cases.append(raw)
    js = run_js("paycalc.js", "return input.map(raw => { try { m.makeScenario(raw); return null; } catch (e) { return e.message; } });", cases)
    for raw, message in zip(cases, js):
        with pytest.raises(pc.PayInputError) as info:
            pc.PayScenario(**raw)
        assert message is not None, raw
        # Same field named first, same kind of fix suggested.
        assert message.replace('"', "'").split(" ")[:2] == str(info.value).split(" ")[:2], (message, str(info.value))


@needs_node
def test_pay_files_move_between_site_and_python():
    scenarios = [pc.PayScenario(**raw) for raw in hand_cases()]
    py_text = pc.save_pay_scenarios(scenarios)
    js_text = run_js("paycalc.js", "return m.saveFile(m.loadFile(input));", py_text)
    assert pc.load_pay_scenarios(js_text) == scenarios  # site file read by Python, nothing lost
    assert json.loads(js_text).keys() == json.loads(py_text).keys()
    errors = run_js(
        "paycalc.js",
        "return input.map(t => { try { m.loadFile(t); return null; } catch (e) { return e.message; } });",
        ["nope", "[]", '{"format": "pai-paycalc", "format_version": 9, "scenarios": []}',
         '{"format": "pai-paycalc", "format_version": 1, "scenarios": [{"evil": 1}]}'],
    )
    assert "not valid JSON" in errors[0]
    assert "not a pay-calculator file" in errors[1]
    assert "newer than this calculator" in errors[2]
    assert "unknown fields" in errors[3]


# --- in Chromium, on the real static host -----------------------------------------------------
#
# A harness page holds each tool in the same container the `pai-widget` directive writes, served
# with the site's own static-host.js (localStorage model), so these tests run without a book
# build. When the built site (PAI_SITE_DIR or _build/html) has the tools on its pages, the
# same checks also run there.


import yaml
from playwright.sync_api import expect

STATIC = ROOT / "widgets" / "static"
DATA = ROOT / "widgets" / "data"
TOOL_PAGES = {
    # page: (module, data file stem, data key, persisted key)
    "paycalc": ("tools/paycalc.js", "living-wage-sources", "sources", "paycalc_form"),
    "vendor": ("tools/vendor.js", "vendor-questions", "questions", "vendor_checklist"),
    "transparency": ("tools/transparency.js", "transparency-template", "template", "transparency_report"),
}
SITE_PAGES = {
    "paycalc": "book/supplychain/03-living-wage-pay.html",
    "vendor": "book/supplychain/04-vendor-engagement.html",
    "transparency": "book/supplychain/05-transparency-report.html",
}


@pytest.fixture(scope="module")
def harness_url(tmp_path_factory):
    """Serve a harness: static-host.js, our tools and their data, one page per tool."""
    if not (STATIC / "static-host.js").exists():
        pytest.skip("widgets/static/static-host.js (the kernel-free host) is not there")
    root = tmp_path_factory.mktemp("tools-site")
    served = root / "_static" / "widgets"
    (served / "tools").mkdir(parents=True)
    (served / "data").mkdir()
    shutil.copy2(STATIC / "static-host.js", served / "static-host.js")
    for js in TOOLS.glob("*.js"):
        shutil.copy2(js, served / "tools" / js.name)
    # The shared modules the tools import, served beside them as on the site.
    shutil.copytree(STATIC / "lib", served / "lib")
    for module, stem, key, persist in TOOL_PAGES.values():
        data = yaml.safe_load((DATA / f"{stem}.yaml").read_text(encoding="utf-8"))
        (served / "data" / f"{stem}.json").write_text(json.dumps(data), encoding="utf-8")
    for page, (module, stem, key, persist) in TOOL_PAGES.items():
        (root / f"{page}.html").write_text(
            '<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>' + page + "</title>"
            '<script type="module" src="_static/widgets/static-host.js"></script></head><body><main>'
            f'<div class="pai-widget" id="pai-widget-1" role="region" aria-label="{page}" data-module="{module}"'
            f' data-storage-key="pai:test:{page}" data-persist="{persist}" data-options="{{}}"'
            f' data-data="data/{stem}.json" data-data-key="{key}"><p>needs JavaScript</p></div>'
            "</main></body></html>",
            encoding="utf-8",
        )
    with serve_folder(root) as url:
        yield url


def _open(new_page, url):
    page = new_page(accept_downloads=True)
    page.goto(url)
    page.wait_for_selector(".pai-widget[data-pai-mounted=ready]", timeout=15000)
    return page


def _site_url(request, tool):
    """URL of the tool on the built site, or skip if this build does not have it there."""
    built_site = request.getfixturevalue("built_site")
    path = SITE_PAGES[tool]
    html_file = built_site / path
    if not html_file.exists() or 'data-module="tools/' not in html_file.read_text(encoding="utf-8"):
        pytest.skip(f"The built site has no kernel-free {tool} tool on {path} yet")
    return request.getfixturevalue("server_url") + path


def _download(page, button, path):
    with page.expect_download() as info:
        button.click()
    info.value.save_as(path)
    return path.read_text(encoding="utf-8")


def _check_clean(page):
    assert page.pai_external_requests == [], page.pai_external_requests
    assert page.pai_page_errors == [], page.pai_page_errors
    assert page.evaluate("window.__pwned") is None


PWN = '<img src=x onerror="window.__pwned=1"><script>window.__pwned=2</script>'


@pytest.fixture(params=["harness", "site"])
def where(request):
    return request.param


def _url(request, where, harness_url, tool):
    return harness_url + f"{tool}.html" if where == "harness" else _site_url(request, tool)


@pytest.mark.browser
def test_pay_calculator_in_the_browser(request, where, harness_url, new_page, tmp_path):
    page = _open(new_page, _url(request, where, harness_url, "paycalc"))
    tool = page.locator(".pai-paycalc")
    fill = {"Pay per task or per hour": "0.5", "Real minutes per task": "2", "Number of tasks per worker": "600",
            "Training (minutes, once)": "60", "Onboarding (minutes, once)": "30", "Side work per task (minutes)": "0.5",
            "Currency code": "eur", "Living wage per hour where the worker lives": "12",
            "Name of this job (optional)": PWN}
    for label, value in fill.items():
        tool.get_by_label(label, exact=True).fill(value)
    verdict = tool.locator(".pai-verdict").inner_text()
    assert "Below the living wage by 0.68 EUR per hour" in verdict and "0.5300 EUR per task" in verdict
    assert tool.locator("svg[role=img]").get_attribute("aria-label").startswith("Line chart of effective hourly pay")
    assert tool.locator("img").count() == 0
    # Bad input: a clear message naming the field, nothing typed is lost.
    tool.get_by_label("Real minutes per task").fill("-2")
    assert "Minutes per task must be greater than zero" in tool.locator(".pai-paycalc-result").inner_text()
    tool.get_by_label("Real minutes per task").fill("2")
    # Keyboard: the pay model select is reachable and works without a mouse.
    tool.get_by_label("Pay model").focus()
    page.keyboard.press("ArrowDown")
    assert tool.get_by_label("Pay model").input_value() == "per_hour"
    assert tool.get_by_label("Training", exact=True).is_visible()
    tool.get_by_label("Pay model").select_option("per_task")
    # Autosave: a reload keeps everything typed.
    page.reload()
    page.wait_for_selector(".pai-widget[data-pai-mounted=ready]")
    assert tool.get_by_label("Name of this job (optional)").input_value() == PWN
    assert "Below the living wage" in tool.locator(".pai-verdict").inner_text()
    # Download: the Python format.
    text = _download(page, tool.get_by_role("button", name="Download scenario (JSON)"), tmp_path / "s.json")
    (loaded,) = pc.load_pay_scenarios(text)
    assert loaded == pc.PayScenario(**{**hand_cases()[0], "label": PWN})
    # Upload a file saved by Python; then a bad file: clear error, form kept.
    other = pc.PayScenario(currency="KES", living_wage_per_hour=9, pay_model="per_hour", rate=10, task_minutes=3,
                           tasks=200, paid_extras=("training",))
    (tmp_path / "good.json").write_text(pc.save_pay_scenarios(other))
    tool.locator("input[type=file]").set_input_files(str(tmp_path / "good.json"))
    expect(tool.get_by_label("Currency code")).to_have_value("KES")
    expect(tool.get_by_label("Training", exact=True)).to_be_checked()
    (tmp_path / "bad.json").write_text('{"format": "pai-paycalc", "format_version": 99, "scenarios": []}')
    tool.locator("input[type=file]").set_input_files(str(tmp_path / "bad.json"))
    expect(tool.get_by_role("alert")).to_contain_text("newer than this calculator")
    assert tool.get_by_label("Currency code").input_value() == "KES"
    _check_clean(page)


@pytest.mark.browser
def test_vendor_checklist_in_the_browser(request, where, harness_url, new_page, tmp_path):
    from widgets import _vendor as vd

    page = _open(new_page, _url(request, where, harness_url, "vendor"))
    tool = page.locator(".pai-vendor")
    for name in ["Vendor A", PWN]:
        tool.get_by_label("New vendor name").fill(name)
        tool.get_by_label("New vendor name").press("Enter")  # keyboard only
    tool.get_by_label("Answers for vendor").select_option("Vendor A")
    first = vd.questions()[0]
    group = tool.locator("fieldset.pai-question").first
    group.get_by_label("Yes", exact=True).check()
    assert "no evidence" in tool.locator(".pai-summary").inner_text() or "gaps" in tool.locator(".pai-summary").inner_text()
    group.get_by_label("Evidence offered").fill("Pay data by location " + PWN)
    group.get_by_label("Note").fill(PWN)
    summary = tool.locator(".pai-summary").inner_text()
    assert summary.startswith("Vendor A: 1 of")
    assert tool.locator("table td").filter(has_text="Yes").count() == 1
    assert "with evidence (no evidence)" not in tool.locator("table").inner_text()
    assert tool.locator("img").count() == 0
    page.reload()
    page.wait_for_selector(".pai-widget[data-pai-mounted=ready]")
    assert tool.locator("fieldset.pai-question").first.get_by_label("Evidence offered").input_value().startswith("Pay data")
    text = _download(page, tool.get_by_role("button", name="Download checklist (JSON)"), tmp_path / "c.json")
    c = vd.load_vendor_checklist(text)
    assert c.answer("Vendor A", first["id"])["note"] == PWN and PWN in c.vendors
    md = _download(page, tool.get_by_role("button", name="Download record (Markdown)"), tmp_path / "c.md")
    assert md == c.to_markdown()
    csv_text = _download(page, tool.get_by_role("button", name="Download table (CSV)"), tmp_path / "c.csv")
    assert csv_text == c.to_csv()
    (tmp_path / "bad.json").write_text('{"format": "pai-vendor-checklist", "format_version": 1, "vendors": [{"name": ""}]}')
    tool.locator("input[type=file]").set_input_files(str(tmp_path / "bad.json"))
    expect(tool.get_by_role("alert")).to_contain_text("has no name")
    assert tool.locator(".pai-summary").inner_text().startswith("Vendor A: 1 of")
    _check_clean(page)


@pytest.mark.browser
def test_transparency_builder_in_the_browser(request, where, harness_url, new_page, tmp_path):
    from widgets import _transparency as tr

    page = _open(new_page, _url(request, where, harness_url, "transparency"))
    tool = page.locator(".pai-transparency")
    template = tr.load_transparency_template()
    first = template["sections"][0]["fields"][0]
    tool.get_by_label("Organisation", exact=True).fill(PWN)
    tool.get_by_label(first["label"] + " (required)").fill("Labelling\n\n" + PWN)
    status = tool.locator(".pai-completeness").inner_text()
    assert status.startswith("Completeness: 1 of 12 required fields (8%).")
    tool.get_by_label("Number of vendors used in the period (required)").fill("three")
    assert "is not a number" in tool.get_by_role("alert").inner_text()
    page.reload()
    page.wait_for_selector(".pai-widget[data-pai-mounted=ready]")
    assert tool.get_by_label("Organisation", exact=True).input_value() == PWN
    text = _download(page, tool.get_by_role("button", name="Download record (JSON)"), tmp_path / "r.json")
    r = tr.load_transparency_report(text)
    assert r.organisation == PWN and r.get("vendors.vendor-count") == "three"  # kept as typed
    html_text = _download(page, tool.get_by_role("button", name="Download report (HTML)"), tmp_path / "r.html")
    assert html_text == r.to_html() and "<img" not in html_text and "<script>" not in html_text
    md = _download(page, tool.get_by_role("button", name="Download report (Markdown)"), tmp_path / "r.md")
    assert md == r.to_markdown()
    good = tr.TransparencyReport("Python Org", "2026")
    good.set("governance.owner", "Head of data")
    (tmp_path / "good.json").write_text(good.save_json())
    tool.locator("input[type=file]").set_input_files(str(tmp_path / "good.json"))
    expect(tool.get_by_label("Organisation", exact=True)).to_have_value("Python Org")
    (tmp_path / "bad.json").write_text("not json")
    tool.locator("input[type=file]").set_input_files(str(tmp_path / "bad.json"))
    expect(tool.get_by_role("alert")).to_contain_text("not valid JSON")
    assert tool.get_by_label("Organisation", exact=True).input_value() == "Python Org"
    _check_clean(page)


# --- vendor checklist parity ------------------------------------------------------------------

HOSTILE = '<script>alert("x")</script> [l](javascript:1) **b** =HYPERLINK("e") ü\n2nd, "q"'


def vendor_fixture():
    from widgets._vendor import VendorChecklist, questions

    c = VendorChecklist(title="Parity <check>")
    for i, q in enumerate(questions()):
        status = ["yes", "partly", "no", "unknown", "yes"][i % 5]
        c.record("Vendor A", q["id"], status, evidence="" if i % 3 == 0 else f"evidence {i}", note=HOSTILE if i % 4 == 0 else "")
    c.record(HOSTILE, "vet-living-wage", "yes", evidence=HOSTILE)
    c.add_vendor("Empty vendor")
    data = json.loads(c.save_json())
    data["vendors"][0]["answers"]["retired-question"] = {"status": "no", "evidence": "old", "note": ""}
    return data


@needs_node
def test_vendor_exports_match_python_exactly():
    from widgets import _vendor as vd

    data = vendor_fixture()
    c = vd.load_vendor_checklist(json.dumps(data))
    qs = vd.load_vendor_questions()
    js = run_js(
        "vendor.js",
        "const c = m.loadFile(input.text, input.qs);"
        " return {md: m.toMarkdown(c, input.qs), mdA: m.toMarkdown(c, input.qs, 'Vendor A'), csv: m.toCsv(c, input.qs),"
        " summaries: c.vendors.map(v => m.summary(c, input.qs, v.name)), saved: m.saveFile(c),"
        " gaps: m.gaps(c, input.qs, 'Vendor A').map(g => [g.question_id, g.kind, g.critical])};",
        {"text": json.dumps(data), "qs": qs},
    )
    assert js["md"] == c.to_markdown()
    assert js["mdA"] == c.to_markdown("Vendor A")
    assert js["csv"] == c.to_csv()
    assert js["summaries"] == [c.summary(name) for name in c.vendors]
    assert js["gaps"] == [[g.question_id, g.kind, g.critical] for g in c.gaps("Vendor A")]
    # A file saved on the site reads back in Python unchanged.
    assert vd.load_vendor_checklist(js["saved"]).vendors == c.vendors


@needs_node
def test_vendor_bad_files_fail_on_both_sides():
    from widgets import _vendor as vd

    qs = vd.load_vendor_questions()
    bad = [
        "{",
        '{"format": "pai-paycalc", "format_version": 1}',
        '{"format": "pai-vendor-checklist", "format_version": 7, "vendors": []}',
        '{"format": "pai-vendor-checklist", "format_version": 1}',
        '{"format": "pai-vendor-checklist", "format_version": 1, "vendors": [{"name": ""}]}',
        '{"format": "pai-vendor-checklist", "format_version": 1, "vendors": [{"name": "A", "answers": {"x": {"status": "perhaps"}}}]}',
        '{"format": "pai-vendor-checklist", "format_version": 1, "vendors": [{"name": "A", "answers": {"x": {"evidence": 3}}}]}',
    ]
    js = run_js("vendor.js", "return input.bad.map(t => { try { m.loadFile(t, input.qs); return null; } catch (e) { return e.message; } });",
                {"bad": bad, "qs": qs})
    for text, message in zip(bad, js):
        with pytest.raises(vd.ToolFileError) as info:
            vd.load_vendor_checklist(text)
        assert message is not None
        if "JSON" not in message:
            assert message == str(info.value)


# --- transparency report parity ---------------------------------------------------------------


def report_fixtures():
    from widgets._transparency import TransparencyReport, field_keys

    empty = TransparencyReport()
    full = TransparencyReport(HOSTILE, "Jan–Jun 2026 <b>")
    for i, key in enumerate(field_keys()):
        full.set(key, "3" if key == "vendors.vendor-count" else f"{HOSTILE}\n\npara {i}\r\nline two\n")
    part = TransparencyReport("Org", "")
    part.set("policies.scope", "  \n")  # blank: not filled
    part.set("governance.owner", "Head of data")
    part.values["old.field"] = "kept"
    return [empty, full, part]


@needs_node
def test_transparency_exports_match_python_exactly():
    from widgets import _transparency as tr

    reports = report_fixtures()
    template = tr.load_transparency_template()
    js = run_js(
        "transparency.js",
        "return input.files.map(t => { const r = m.loadFile(t, input.template); const c = m.completeness(r, input.template);"
        " return {md: m.toMarkdown(r, input.template), html: m.toHtml(r, input.template), c, saved: m.saveFile(r, input.template)}; });",
        {"files": [r.save_json() for r in reports], "template": template},
    )
    for r, out in zip(reports, js):
        assert out["md"] == r.to_markdown()
        assert out["html"] == r.to_html()
        assert out["c"] == r.completeness()
        again = tr.load_transparency_report(out["saved"])
        assert (again.organisation, again.period, again.values) == (r.organisation, r.period, r.values)
        assert json.loads(out["saved"]) == json.loads(r.save_json())


@needs_node
def test_transparency_bad_files_fail_on_both_sides():
    from widgets import _transparency as tr

    bad = [
        "nope",
        '{"format": "pai-vendor-checklist", "format_version": 1}',
        '{"format": "pai-transparency-report", "format_version": 2}',
        '{"format": "pai-transparency-report"}',
        '{"format": "pai-transparency-report", "format_version": 1, "values": {"a": 1}}',
        '{"format": "pai-transparency-report", "format_version": 1, "organisation": 5}',
    ]
    js = run_js("transparency.js", "return input.bad.map(t => { try { m.loadFile(t, input.template); return null; } catch (e) { return e.message; } });",
                {"bad": bad, "template": tr.load_transparency_template()})
    for text, message in zip(bad, js):
        with pytest.raises(tr.ToolFileError) as info:
            tr.load_transparency_report(text)
        assert message is not None
        if "JSON" not in message:
            assert message == str(info.value)


# --- accessibility and small screens ----------------------------------------------------------

AXE = ROOT / "node_modules" / "axe-core" / "axe.min.js"


@pytest.mark.browser
@pytest.mark.parametrize("tool", list(TOOL_PAGES))
def test_tools_have_no_serious_accessibility_violations(request, where, harness_url, new_page, tool):
    if not AXE.exists():
        pytest.skip("axe-core is not installed (npm ci)")
    page = _open(new_page, _url(request, where, harness_url, tool))
    if tool == "vendor":  # show the per-vendor questions too
        page.get_by_label("New vendor name").fill("Vendor A")
        page.get_by_label("New vendor name").press("Enter")
    if tool == "paycalc":
        for label, value in [("Pay per task or per hour", "0.5"), ("Real minutes per task", "2"),
                             ("Number of tasks per worker", "600"), ("Currency code", "EUR"),
                             ("Living wage per hour where the worker lives", "12")]:
            page.get_by_label(label, exact=True).fill(value)
    page.add_script_tag(path=str(AXE))
    result = page.evaluate("async () => await axe.run(document.querySelector('.pai-widget'), {resultTypes: ['violations']})")
    bad = [(v["id"], v["impact"], v["nodes"][0]["html"][:120]) for v in result["violations"] if v["impact"] in ("serious", "critical")]
    assert bad == []
    _check_clean(page)


@pytest.mark.browser
@pytest.mark.parametrize("tool", list(TOOL_PAGES))
def test_tools_fit_a_phone_screen(harness_url, new_page, tool):
    page = new_page(viewport={"width": 360, "height": 740})
    page.goto(harness_url + f"{tool}.html")
    page.wait_for_selector(".pai-widget[data-pai-mounted=ready]")
    if tool == "vendor":
        page.get_by_label("New vendor name").fill("Vendor A")
        page.get_by_label("New vendor name").press("Enter")
    overflow = page.evaluate(
        "() => [...document.querySelectorAll('.pai-tool, .pai-tool fieldset')]"
        ".filter(e => e.scrollWidth > e.clientWidth + 1).map(e => e.className || e.tagName)"
    )
    assert overflow == []
