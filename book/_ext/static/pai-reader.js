// The site as readers meet it (book/_ext/pai_reader.py): an output that scrolls sideways
// inside the content column can be reached and scrolled with the keyboard, and is named.
(function () {
  var SELECTOR = ".bd-article .cell_output .output, .bd-article .pai-vega-chart";
  var count = 0;
  function mark() {
    document.querySelectorAll(SELECTOR).forEach(function (el) {
      var scrolls = el.scrollWidth > el.clientWidth + 1;
      if (scrolls && !el.hasAttribute("data-pai-scroll")) {
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
  }
  function later() { window.setTimeout(mark, 400); }
  if (document.readyState === "loading") { document.addEventListener("DOMContentLoaded", later); } else { later(); }
  window.addEventListener("load", later);
  window.addEventListener("resize", later);
})();
