// The site as readers meet it (book/_ext/pai_reader.py): an output that scrolls sideways
// inside the content column can be reached and scrolled with the keyboard, and is named; a chart
// wider than the column says so above it, since its cut edge alone does not tell that it scrolls.
(function () {
  var SELECTOR = ".bd-article .cell_output .output, .bd-article .pai-vega-chart";
  var CUE = "Scroll sideways to see the whole chart.";
  var count = 0;
  var cues = 0;
  function scrolls(el) { return el.scrollWidth > el.clientWidth + 1; }
  function mark() {
    document.querySelectorAll(SELECTOR).forEach(function (el) {
      if (scrolls(el) && !el.hasAttribute("data-pai-scroll")) {
        el.setAttribute("data-pai-scroll", "");
        el.setAttribute("tabindex", "0");
        if (!el.hasAttribute("role")) {
          el.setAttribute("role", "region");
          count += 1;
          var kind = el.querySelector("table") ? "table" : el.querySelector("svg, canvas") ? "chart" : "output";
          el.setAttribute("aria-label", "Wide " + kind + " " + count + ": scroll sideways to see all of it");
        }
      }
    });
    document.querySelectorAll(".bd-article .pai-vega-chart").forEach(cue);
  }
  // The cue sits just above the chart's box, shown only while the box is narrower than the chart
  // (a phone, a narrow window), and describes the box to a screen reader while it is shown.
  function cue(chart) {
    var drawn = !!chart.querySelector("svg, canvas");
    var note = chart.previousElementSibling;
    if (!note || !note.classList.contains("pai-scroll-cue")) {
      if (!drawn) return;
      cues += 1;
      note = document.createElement("p");
      note.className = "pai-scroll-cue";
      note.id = "pai-scroll-cue-" + cues;
      note.textContent = CUE;
      chart.parentNode.insertBefore(note, chart);
    }
    var wide = drawn && scrolls(chart);
    note.hidden = !wide;
    var described = (chart.getAttribute("aria-describedby") || "").split(" ").filter(function (id) { return id && id !== note.id; });
    if (wide) described.push(note.id);
    if (described.length) { chart.setAttribute("aria-describedby", described.join(" ")); } else { chart.removeAttribute("aria-describedby"); }
  }
  function later() { window.setTimeout(mark, 400); }
  // A chart draws after the page has loaded (Vega), and its box changes size when it does or when
  // the window does: check again each time.
  function watch() {
    if (!window.ResizeObserver) return;
    var observer = new ResizeObserver(function () { mark(); });
    document.querySelectorAll(".bd-article .pai-vega-chart").forEach(function (chart) { observer.observe(chart); });
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", function () { watch(); later(); });
  } else { watch(); later(); }
  window.addEventListener("load", later);
  window.addEventListener("resize", later);
})();
