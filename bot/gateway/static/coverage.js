// Renders /api/coverage as a table; text is inserted as text only.
(function () {
  "use strict";
  function cell(row, content, className) {
    var td = document.createElement("td");
    td.textContent = content;
    if (className) { td.className = className; }
    row.appendChild(td);
  }
  function mark(ok) { return ok === null ? "" : ok ? " ✓" : " ✗"; }
  fetch("/api/coverage").then(function (r) { return r.json(); }).then(function (data) {
    var t = data.targets;
    document.getElementById("targets").textContent =
      "目标 Targets（" + t.source + "）：每千人 " + t.places_per_1000_residents + " 个托位，普惠占比不低于 " +
      Math.round(t.inclusive_share * 100) + "%。";
    document.getElementById("source").textContent = "人口来源 Population: " + data.population_source;
    var body = document.getElementById("rows");
    data.districts.forEach(function (d) {
      var tr = document.createElement("tr");
      var th = document.createElement("th");
      th.scope = "row";
      th.textContent = d.district;
      tr.appendChild(th);
      cell(tr, d.population === null ? "—" : d.population.toLocaleString(), "num");
      cell(tr, d.places.toLocaleString(), "num");
      cell(tr, d.places_per_1000 === null ? "—" : d.places_per_1000 + mark(d.meets_places_target),
        "num " + (d.meets_places_target ? "ok" : "short"));
      cell(tr, d.inclusive_share === null ? "—" : Math.round(d.inclusive_share * 100) + "%" + mark(d.meets_inclusive_target),
        "num " + (d.meets_inclusive_target ? "ok" : "short"));
      var without = d.subdistricts_without_inclusive;
      cell(tr, without.length ? without.length + "：" + without.slice(0, 12).join("、") + (without.length > 12 ? "…" : "") : "—");
      body.appendChild(tr);
    });
    document.getElementById("sample-note").hidden = !data.sample;
  });
})();
