// backchannel's only script: a meeting's row and its marks in the text light up together.
// Rows carry data-meeting="m0" (or "a0g1 a0p0" in the eval report); text pieces carry
// data-meetings="m0 m2". Nothing else is done, and the page works without it.
(function () {
  "use strict";
  // A row may stand for several meetings (a gold meeting and its match, in the eval report).
  function marksOf(ids) {
    return document.querySelectorAll(ids.split(" ").map(function (id) {
      return '.hl[data-meetings~="' + CSS.escape(id) + '"]';
    }).join(","));
  }
  function light(row, on) {
    row.classList.toggle("on", on);
    var marks = marksOf(row.getAttribute("data-meeting"));
    for (var i = 0; i < marks.length; i++) marks[i].classList.toggle("on", on);
    if (on && marks.length && row.matches(":focus")) {
      marks[0].scrollIntoView({ block: "nearest" });
    }
  }
  var rows = document.querySelectorAll("tr[data-meeting]");
  for (var i = 0; i < rows.length; i++) {
    (function (row) {
      row.addEventListener("mouseenter", function () { light(row, true); });
      row.addEventListener("mouseleave", function () { light(row, false); });
      row.addEventListener("focus", function () { light(row, true); });
      row.addEventListener("blur", function () { light(row, false); });
    })(rows[i]);
  }
  // A mark clicked (or Enter on it) takes the reader to its meeting's row.
  document.addEventListener("click", function (ev) {
    var mark = ev.target.closest && ev.target.closest(".hl[data-meetings]");
    if (!mark) return;
    var first = mark.getAttribute("data-meetings").split(" ")[0];
    var row = document.querySelector('tr[data-meeting~="' + CSS.escape(first) + '"]');
    if (row) row.focus();
  });
})();
