// covmerge HTML report: sorting and filtering the index, one group's view
// and keyboard moves on file pages. The pages are complete without it.
"use strict";
(function () {
  function onIndex() {
    var table = document.getElementById("files");
    if (!table) return;
    var body = table.tBodies[0];
    var heads = table.tHead.rows[0].cells;
    Array.prototype.forEach.call(heads, function (th, col) {
      th.setAttribute("aria-sort", "none");
      th.addEventListener("click", function () {
        var down = th.getAttribute("aria-sort") === "ascending";
        Array.prototype.forEach.call(heads, function (h) { h.setAttribute("aria-sort", "none"); });
        th.setAttribute("aria-sort", down ? "descending" : "ascending");
        var text = th.getAttribute("data-type") === "s";
        var rows = Array.prototype.slice.call(body.rows);
        rows.sort(function (a, b) {
          var x = a.cells[col], y = b.cells[col], r;
          if (text) r = x.textContent.localeCompare(y.textContent);
          else r = parseFloat(x.getAttribute("data-v")) - parseFloat(y.getAttribute("data-v"));
          return down ? -r : r;
        });
        rows.forEach(function (row) { body.appendChild(row); });
      });
    });
    var filter = document.getElementById("filter");
    filter.parentNode.hidden = false;
    filter.addEventListener("input", function () {
      var want = filter.value.toLowerCase();
      Array.prototype.forEach.call(body.rows, function (row) {
        row.hidden = want !== "" && row.cells[0].textContent.toLowerCase().indexOf(want) < 0;
      });
    });
    document.addEventListener("keydown", function (e) {
      if (e.key === "/" && document.activeElement !== filter) { e.preventDefault(); filter.focus(); }
    });
  }

  function onFile() {
    var view = document.getElementById("view");
    if (view) {
      view.parentNode.hidden = false;
      view.addEventListener("change", function () {
        var g = view.value;
        var rows = document.querySelectorAll("tr.run, tr.par");
        Array.prototype.forEach.call(rows, function (row) {
          var by = row.getAttribute("data-g");
          var ran = g === "" || by === null || by.split(" ").indexOf(g) >= 0;
          var part = row.getAttribute("data-gp");
          row.classList.toggle("gmis", !ran);
          row.classList.toggle("gpar", g !== "" && part !== null && part.split(" ").indexOf(g) >= 0);
        });
      });
      // `page.html#view=N` opens with group N's view (links can share it).
      var m = /^#view=(\d+)$/.exec(window.location.hash);
      if (m && view.querySelector('option[value="' + m[1] + '"]')) {
        view.value = m[1];
        view.dispatchEvent(new Event("change"));
      }
    }
    var current = -1;
    function marked() {
      return document.querySelectorAll("tr.mis, tr.par, tr.some, tr.somebr, tr.gmis, tr.gpar");
    }
    function go(step) {
      var rows = marked();
      if (!rows.length) return;
      if (current >= 0 && rows[current]) rows[current].classList.remove("cur");
      current = (current + step + rows.length) % rows.length;
      rows[current].classList.add("cur");
      rows[current].scrollIntoView({ block: "center" });
    }
    function follow(id) {
      var a = document.getElementById(id);
      if (a) window.location.href = a.getAttribute("href");
    }
    document.addEventListener("keydown", function (e) {
      if (e.ctrlKey || e.metaKey || e.altKey || /^(INPUT|SELECT)$/.test(e.target.tagName)) return;
      if (e.key === "j") go(1);
      else if (e.key === "k") go(-1);
      else if (e.key === "]") follow("next");
      else if (e.key === "[") follow("prev");
      else if (e.key === "u") follow("up");
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    if (document.body.classList.contains("index")) onIndex();
    else onFile();
  });
})();
