/* Click a column heading to sort a table; total rows ("All ...", "Total") stay at the bottom.
   Inline and optional: the tables read the same without JavaScript. */
document.querySelectorAll("table.csp-table").forEach(function (table) {
  var body = table.tBodies[0];
  if (!body) { return; }
  table.querySelectorAll("thead th").forEach(function (heading, column) {
    heading.classList.add("csp-sortable");
    heading.title = "Sort by this column";
    heading.addEventListener("click", function () {
      var ascending = heading.dataset.sort !== "asc";
      heading.dataset.sort = ascending ? "asc" : "desc";
      var isTotal = function (row) { return /^(All |Total)/.test(row.cells[0].textContent.trim()); };
      var key = function (row) {
        var text = row.cells[column].textContent.trim();
        var number = parseFloat(text.replace(/[£,%+\s]/g, ""));
        return isNaN(number) ? text.toLowerCase() : number;
      };
      var rows = Array.from(body.rows);
      var totals = rows.filter(isTotal);
      var others = rows.filter(function (row) { return !isTotal(row); });
      others.sort(function (a, b) {
        var x = key(a), y = key(b);
        if (typeof x !== typeof y) { return typeof x === "number" ? -1 : 1; }
        return (x < y ? -1 : x > y ? 1 : 0) * (ascending ? 1 : -1);
      });
      others.concat(totals).forEach(function (row) { body.appendChild(row); });
    });
  });
});
