// Renders /api/coverage as a district map and a table; every name and figure is inserted as
// text only. The outlines (/api/coverage/map) are SVG paths computed on the server from the
// vendored boundary file; colour classes come with the figures, colours from coverage.css.
(function () {
  "use strict";
  var SVG = "http://www.w3.org/2000/svg";
  var CLASSES = 5;

  function cell(row, content, className) {
    var td = document.createElement("td");
    td.textContent = content;
    if (className) { td.className = className; }
    row.appendChild(td);
  }
  function mark(ok) { return ok === null ? "" : ok ? " ✓" : " ✗"; }
  function number(value) { return value === null ? "—" : value.toLocaleString("zh-CN"); }
  function percent(share) { return share === null ? "—" : Math.round(share * 100) + "%"; }
  function fetchJson(url) {
    return fetch(url).then(function (r) {
      if (!r.ok) { throw new Error(url + ": HTTP " + r.status); }
      return r.json();
    });
  }

  function renderTable(data) {
    var body = document.getElementById("rows");
    data.districts.forEach(function (d) {
      var tr = document.createElement("tr");
      var th = document.createElement("th");
      th.scope = "row";
      th.textContent = d.district + (d.district_en ? " " + d.district_en : "");
      tr.appendChild(th);
      cell(tr, number(d.population), "num");
      cell(tr, d.places.toLocaleString("zh-CN"), "num");
      cell(tr, d.places_per_1000 === null ? "—" : d.places_per_1000 + mark(d.meets_places_target),
        "num " + (d.meets_places_target ? "ok" : "short"));
      cell(tr, d.inclusive_share === null ? "—" : percent(d.inclusive_share) + mark(d.meets_inclusive_target),
        "num " + (d.meets_inclusive_target ? "ok" : "short"));
      var without = d.subdistricts_without_inclusive;
      cell(tr, without.length ? without.length + "：" + without.slice(0, 12).join("、") + (without.length > 12 ? "…" : "") : "—");
      body.appendChild(tr);
    });
  }

  // "1.5–3.0" for each class, from the breaks the server uses.
  function classRanges(breaks) {
    var ranges = [];
    for (var i = 0; i < CLASSES; i++) {
      var low = i === 0 ? null : breaks[i - 1];
      var high = i < breaks.length ? breaks[i] : null;
      ranges.push(low === null ? "< " + high.toFixed(1)
        : high === null ? "≥ " + low.toFixed(1)
        : low.toFixed(1) + "–" + high.toFixed(1));
    }
    return ranges;
  }

  function renderLegend(data) {
    var legend = document.getElementById("legend");
    var target = data.targets.places_per_1000_residents;
    classRanges(data.scale.places_per_1000_breaks).forEach(function (range, i) {
      var low = i === 0 ? 0 : data.scale.places_per_1000_breaks[i - 1];
      legend.appendChild(legendItem("c" + i, range + (low >= target ? "（达到目标 meets the target）" : "")));
    });
    legend.appendChild(legendItem("no-data", "无人口数字 No population figure"));
  }

  function legendItem(className, text) {
    var li = document.createElement("li");
    var swatch = document.createElement("span");
    swatch.className = "swatch " + className;
    swatch.setAttribute("aria-hidden", "true");
    li.appendChild(swatch);
    li.appendChild(document.createTextNode(text));
    return li;
  }

  function describe(outline, figures) {
    var name = outline.district + " " + outline.district_en;
    if (!figures || figures.places_per_1000 === null) {
      return name + "：无人口数字 no population figure";
    }
    return name + "：每千人 " + figures.places_per_1000 + " 个托位 places per 1,000 residents";
  }

  function showInfo(outline, figures) {
    var info = document.getElementById("map-info");
    info.textContent = "";
    var title = document.createElement("p");
    title.className = "info-title";
    title.textContent = outline.district + " " + outline.district_en;
    info.appendChild(title);
    if (!figures) { return; }
    var list = document.createElement("dl");
    [
      ["每千人托位 Places per 1,000", figures.places_per_1000 === null ? "—" : String(figures.places_per_1000) + mark(figures.meets_places_target)],
      ["托位 Places", number(figures.places)],
      ["常住人口 Residents", number(figures.population)],
      ["普惠占比 Inclusive share", percent(figures.inclusive_share) + mark(figures.meets_inclusive_target)]
    ].forEach(function (pair) {
      var dt = document.createElement("dt");
      dt.textContent = pair[0];
      var dd = document.createElement("dd");
      dd.textContent = pair[1];
      list.appendChild(dt);
      list.appendChild(dd);
    });
    info.appendChild(list);
  }

  function renderMap(outlines, data) {
    var figures = {};
    data.districts.forEach(function (d) { figures[d.district] = d; });
    var svg = document.createElementNS(SVG, "svg");
    svg.setAttribute("viewBox", outlines.view_box);
    svg.setAttribute("role", "group");
    svg.setAttribute("aria-labelledby", "map-title");
    var labels = document.createElementNS(SVG, "g");
    labels.setAttribute("class", "labels");
    labels.setAttribute("aria-hidden", "true");
    // The chosen district's outline, drawn over its neighbours' borders. A copy rather than
    // the path itself moved to the end: moving a focused element would lose the focus and
    // change the Tab order.
    var highlight = document.createElementNS(SVG, "path");
    highlight.setAttribute("class", "highlight");
    highlight.setAttribute("aria-hidden", "true");
    outlines.districts.forEach(function (outline) {
      var d = figures[outline.district];
      var colour = d && d.places_class !== null ? "c" + d.places_class : "no-data";
      var path = document.createElementNS(SVG, "path");
      path.setAttribute("d", outline.path);
      path.setAttribute("class", "district " + colour);
      path.setAttribute("tabindex", "0");
      path.setAttribute("role", "img");
      path.setAttribute("aria-label", describe(outline, d));
      var tip = document.createElementNS(SVG, "title");
      tip.textContent = describe(outline, d);
      path.appendChild(tip);
      function select() {
        highlight.setAttribute("d", outline.path);
        showInfo(outline, d);
      }
      path.addEventListener("mouseenter", select);
      path.addEventListener("focus", select);
      svg.appendChild(path);
      if (outline.label) {
        var text = document.createElementNS(SVG, "text");
        text.setAttribute("x", outline.label[0]);
        text.setAttribute("y", outline.label[1]);
        text.setAttribute("class", "label" + (d && d.places_class >= 3 ? " on-dark" : ""));
        text.textContent = outline.district.replace(/区$/, "");
        labels.appendChild(text);
      }
    });
    svg.appendChild(highlight);
    svg.appendChild(labels);
    document.getElementById("map").appendChild(svg);
    var s = outlines.source;
    document.getElementById("map-source").textContent =
      "区界 Boundaries: npm " + s["package"] + " " + s.version + " (" + s.file + ", " + s.licence +
      ")，仅供示意，不作为法定界线 for display only, not legal boundaries.";
  }

  fetchJson("/api/coverage").then(function (data) {
    var t = data.targets;
    document.getElementById("targets").textContent =
      "目标 Targets（" + t.source + "）：每千人 " + t.places_per_1000_residents + " 个托位，普惠占比不低于 " +
      Math.round(t.inclusive_share * 100) + "%。";
    document.getElementById("source").textContent = "人口来源 Population: " + data.population_source;
    renderTable(data);
    renderLegend(data);
    document.getElementById("sample-note").hidden = !data.sample;
    // The table already says everything; a map that cannot load only says so.
    return fetchJson("/api/coverage/map").then(function (outlines) {
      renderMap(outlines, data);
    }, function () {
      document.getElementById("map").textContent =
        "地图暂时无法显示，请看下表。 The map could not be loaded; the table below has every figure.";
    });
  });
})();
