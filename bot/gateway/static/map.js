// The e-map of filed institutions. Results come from /api/facilities/nearby; every text is
// inserted as text. Works with no tile server: the markers and list still show.
(function () {
  "use strict";
  var body = document.body;
  var params = new URLSearchParams(window.location.search);
  var centre = [39.9042, 116.4074];
  var map = L.map("map", { keyboard: true }).setView(centre, 12);
  var tiles = body.getAttribute("data-tiles");
  if (tiles && tiles.indexOf("{{") !== 0) {
    L.tileLayer(tiles, { attribution: body.getAttribute("data-attribution") || "", maxZoom: 18 }).addTo(map);
  }
  var layer = L.layerGroup().addTo(map);
  var list = document.getElementById("results");
  var details = document.getElementById("details");
  var statusLine = document.getElementById("status");
  var fields = { q: "place", age_months: "age", inclusive: "inclusive", has_vacancy: "vacancy", max_fee: "max-fee" };

  // A chat result links here with the exact point searched (a shared location has no name).
  var point = null;
  if (params.get("lat") && params.get("lon")) {
    point = { lat: params.get("lat"), lon: params.get("lon"), label: params.get("label") || "" };
    document.getElementById("place").value = point.label;
  }
  var passThrough = {};
  ["care_mode", "provider_type"].forEach(function (key) {
    if (params.get(key)) { passThrough[key] = params.get(key); }
  });

  Object.keys(fields).forEach(function (key) {
    var input = document.getElementById(fields[key]);
    var value = params.get(key);
    if (value === null) { return; }
    if (input.type === "checkbox") { input.checked = value === "1" || value === "true"; } else { input.value = value; }
  });

  function text(tag, content, className) {
    var node = document.createElement(tag);
    node.textContent = content;
    if (className) { node.className = className; }
    return node;
  }

  function show(item, button) {
    details.replaceChildren(
      text("h2", item.name),
      text("p", item.address),
      text("p", (item.inclusive ? "普惠 Inclusive · " : "") + item.provider_type),
      text("p", "月龄 Ages " + item.min_age_months + "–" + item.max_age_months + " · " + item.care_modes.join("、")),
      text("p", "月收费 Fee: " + (item.monthly_fee_yuan === null ? "—" : "¥" + item.monthly_fee_yuan)),
      text("p", "空余托位 Vacancies: " + (item.vacancies === null ? "—" : item.vacancies)),
      text("p", "距离 Distance: " + item.distance_km + " km"),
      text("p", "备案编号 Registration no.: " + item.registration_no),
      text("p", item.phone ? "电话 Phone: " + item.phone : "")
    );
    Array.prototype.forEach.call(list.querySelectorAll("button"), function (b) { b.setAttribute("aria-pressed", "false"); });
    if (button) { button.setAttribute("aria-pressed", "true"); }
    map.panTo([item.latitude, item.longitude]);
  }

  function render(data) {
    layer.clearLayers();
    list.replaceChildren();
    var sample = false;
    data.results.forEach(function (item, index) {
      sample = sample || item.name.indexOf("示例") === 0;
      var li = document.createElement("li");
      var button = document.createElement("button");
      button.type = "button";
      button.setAttribute("aria-pressed", "false");
      button.appendChild(text("strong", (index + 1) + ". " + item.name));
      button.appendChild(document.createElement("br"));
      button.appendChild(text("span", item.distance_km + " km · " + (item.monthly_fee_yuan === null ? "—" : "¥" + item.monthly_fee_yuan)));
      if (item.inclusive) { button.appendChild(text("span", " 普惠", "tag")); }
      button.addEventListener("click", function () { show(item, button); });
      li.appendChild(button);
      list.appendChild(li);
      L.marker([item.latitude, item.longitude], { title: item.name, keyboard: true })
        .addTo(layer).on("click", function () { show(item, button); button.focus(); });
    });
    document.getElementById("sample-note").hidden = !sample;
    if (data.results.length) {
      var points = data.results.map(function (item) { return [item.latitude, item.longitude]; });
      map.fitBounds(L.latLngBounds(points), { padding: [30, 30], maxZoom: 15 });
    }
    statusLine.textContent = data.results.length ? "找到 " + data.results.length + " 家（" + data.radius_km + " km 内）" : "没有符合条件的机构 No matches";
  }

  function search(event) {
    if (event) { event.preventDefault(); }
    var query = new URLSearchParams();
    var place = document.getElementById("place").value.trim();
    if (point && place === point.label) {
      query.set("lat", point.lat);
      query.set("lon", point.lon);
      if (place) { query.set("q", place); }
    } else if (place) {
      query.set("q", place);
    }
    Object.keys(passThrough).forEach(function (key) { query.set(key, passThrough[key]); });
    ["age", "max-fee"].forEach(function (id) {
      var value = document.getElementById(id).value;
      if (value !== "") { query.set(id === "age" ? "age_months" : "max_fee", value); }
    });
    if (document.getElementById("inclusive").checked) { query.set("inclusive", "true"); }
    if (document.getElementById("vacancy").checked) { query.set("has_vacancy", "true"); }
    query.set("limit", "20");
    statusLine.textContent = "查找中… Searching…";
    fetch("/api/map/search?" + query.toString()).then(function (response) {
      return response.json().then(function (data) { return { ok: response.ok, data: data }; });
    }).then(function (result) {
      if (!result.ok) { statusLine.textContent = result.data.error.message; return; }
      render(result.data);
    }).catch(function () { statusLine.textContent = "网络错误 Network error"; });
  }

  document.getElementById("filters").addEventListener("submit", search);
  search();
})();
