// A plain page for chatting with Tuoyu through /api/chat. Text is always inserted as text,
// never as HTML, so nothing a reply contains can run in the page.
(function () {
  "use strict";
  var log = document.getElementById("log");
  var form = document.getElementById("composer");
  var input = document.getElementById("message");
  var send = document.getElementById("send");
  var statusLine = document.getElementById("status");

  function senderId() {
    var key = "tuoyu-sender-id";
    var id = null;
    try { id = window.localStorage.getItem(key); } catch (e) { id = null; }
    if (!id) {
      // 128 random bits: the id keeps a parent's conversation, and the buttons signed for
      // it, apart from everyone else's, so nobody may guess it.
      var bytes = new Uint8Array(16);
      window.crypto.getRandomValues(bytes);
      id = "web-" + Array.prototype.map.call(bytes, function (b) {
        return ("0" + b.toString(16)).slice(-2);
      }).join("");
      try { window.localStorage.setItem(key, id); } catch (e) { /* private mode */ }
    }
    return id;
  }
  var sender = senderId();

  function addMessage(who, text, buttons, extras, feedback) {
    var item = document.createElement("li");
    item.className = who;
    if (text) {
      var bubble = document.createElement("div");
      bubble.className = "bubble";
      bubble.textContent = text;
      item.appendChild(bubble);
    }
    (extras || []).forEach(function (extra) {
      // Only links to the e-map on this site or to http(s) addresses become links.
      if (extra && extra.type === "link" && /^(https?:\/\/|\/map\?)/.test(String(extra.url))) {
        var link = document.createElement("a");
        link.className = "link-button";
        link.href = extra.url;
        link.target = "_blank";
        link.rel = "noopener";
        link.textContent = extra.title || extra.url;
        item.appendChild(link);
      } else if (extra && extra.type === "request_location") {
        item.appendChild(locationButton());
      }
    });
    if (typeof feedback === "string" && feedback) { item.appendChild(ratingRow(feedback)); }
    if (!item.childNodes.length && !(buttons && buttons.length)) { return; }
    if (buttons && buttons.length) {
      var row = document.createElement("div");
      row.className = "buttons";
      buttons.forEach(function (b) {
        var button = document.createElement("button");
        button.type = "button";
        button.textContent = b.title;
        button.addEventListener("click", function () { post(b.payload, b.title); });
        row.appendChild(button);
      });
      item.appendChild(row);
    }
    log.appendChild(item);
    item.scrollIntoView({ block: "end" });
  }

  // 👍/👎 under an answer from the knowledge base. The token came with the answer and only
  // this sender can use it; a second press changes the rating.
  function ratingRow(token) {
    var group = document.createElement("div");
    group.className = "rating";
    group.setAttribute("role", "group");
    group.setAttribute("aria-label", "这条回答有帮助吗？ Was this answer helpful?");
    var note = document.createElement("span");
    note.className = "rating-note";
    [["up", "👍", "有帮助 Helpful"], ["down", "👎", "没帮助 Not helpful"]].forEach(function (choice) {
      var button = document.createElement("button");
      button.type = "button";
      button.className = "rate";
      button.textContent = choice[1];
      button.setAttribute("aria-label", choice[2]);
      button.setAttribute("aria-pressed", "false");
      button.addEventListener("click", function () { rate(token, choice[0], group, note); });
      group.appendChild(button);
    });
    group.appendChild(note);
    return group;
  }

  function rate(token, rating, group, note) {
    fetch("/api/feedback", {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ sender_id: sender, token: token, rating: rating })
    }).then(function (response) {
      return response.json().then(function (body) { return { ok: response.ok, body: body }; });
    }).then(function (result) {
      if (!result.ok) {
        var expired = result.body && result.body.error && result.body.error.code === "token_expired";
        note.textContent = expired ? "这条回答已经不能评价了。 This answer can no longer be rated."
          : "没能记录评价，请稍后再试。 Could not record that; please try again.";
        return;
      }
      Array.prototype.forEach.call(group.querySelectorAll("button"), function (button, n) {
        button.setAttribute("aria-pressed", String((n === 0) === (rating === "up")));
      });
      note.textContent = rating === "down" ? "谢谢，工作人员会查看这条回答。 Thanks: staff will look at this answer."
        : "谢谢反馈！ Thanks for your feedback!";
    }).catch(function () {
      note.textContent = "网络连接失败，请稍后再试。 Connection failed, please try again.";
    });
  }

  function locationButton() {
    var button = document.createElement("button");
    button.type = "button";
    button.className = "location";
    button.textContent = "📍 发送我的位置 Share my location";
    button.addEventListener("click", shareLocation);
    return button;
  }

  function shareLocation() {
    if (!navigator.geolocation) {
      statusLine.textContent = "这个浏览器不能提供位置，请输入区或街道名。 Location is not available; type a district instead.";
      return;
    }
    statusLine.textContent = "正在获取位置… Getting your location…";
    navigator.geolocation.getCurrentPosition(function (position) {
      statusLine.textContent = "";
      post(null, "📍 我的位置 My location", {
        latitude: position.coords.latitude,
        longitude: position.coords.longitude
      });
    }, function () {
      statusLine.textContent = "没能获取位置，请输入区或街道名。 Could not get your location; type a district instead.";
    }, { timeout: 15000, maximumAge: 600000 });
  }

  function post(message, shown, location) {
    addMessage("user", shown || message);
    send.disabled = true;
    statusLine.textContent = "";
    var body = { sender_id: sender };
    if (message) { body.message = message; }
    if (location) { body.location = location; }
    fetch("/api/chat", {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify(body)
    }).then(function (response) {
      return response.json().then(function (body) { return { status: response.status, body: body }; });
    }).then(function (result) {
      var replies = (result.body && result.body.replies) || [];
      replies.forEach(function (r) {
        addMessage("bot", r.text || "", r.buttons || [], (r.extras || []).concat(r.custom ? [r.custom] : []), r.feedback);
      });
      if (result.status >= 400 && !replies.length) {
        statusLine.textContent = (result.body.error && result.body.error.message) || "出错了 Error";
      }
    }).catch(function () {
      statusLine.textContent = "网络连接失败，请稍后再试。 Connection failed, please try again.";
    }).finally(function () {
      send.disabled = false;
      input.focus();
    });
  }

  // A welcome written into the page, not sent to the bot: nothing is stored until the
  // parent asks something.
  var examples = [
    { title: "宝宝几个月可以加辅食？", payload: "宝宝几个月可以加辅食？" },
    { title: "育儿补贴怎么领？", payload: "国家育儿补贴怎么申请？" },
    { title: "找附近的普惠托育", payload: "帮我找附近的普惠托育机构" },
    { title: "查机构是否备案", payload: "帮我查一下托育机构有没有备案" },
    { title: "When can my baby start solids?", payload: "When can my baby start solid food?" }
  ];
  addMessage("bot", "您好！我是托育助手，可以回答 0–3 岁养育和托育政策问题（回答都注明来源），帮您找附近的备案托育机构、查机构是否备案。\n" +
    "Hello! Ask me about caring for children under 3 and Beijing childcare policy, or find filed childcare near you.", examples);

  // /?q=... only fills in the box: a link must never send a message (or a command) in the
  // parent's name; the parent reads it and presses send.
  var asked = new URLSearchParams(window.location.search).get("q");
  if (asked && asked.trim()) { input.value = asked.trim().slice(0, 2000); }

  // Delete my data: the server erases this sender's conversation and review-queue questions,
  // then the page starts a new conversation under a new id.
  document.getElementById("forget").addEventListener("click", function () {
    if (!window.confirm("删除与您有关的全部对话和记录？ Erase the conversation and everything kept about you?")) {
      return;
    }
    fetch("/api/forget", {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ sender_id: sender })
    }).then(function (response) {
      if (!response.ok) { throw new Error(String(response.status)); }
      try { window.localStorage.removeItem("tuoyu-sender-id"); } catch (e) { /* private mode */ }
      sender = senderId();
      while (log.firstChild) { log.removeChild(log.firstChild); }
      statusLine.textContent = "已删除。 Erased.";
    }).catch(function () {
      statusLine.textContent = "现在无法删除，没有删除任何内容，请稍后再试。 Nothing was erased; please try again shortly.";
    });
  });

  form.addEventListener("submit", function (event) {
    event.preventDefault();
    var text = input.value.trim();
    if (!text) { return; }
    input.value = "";
    post(text);
  });
  input.addEventListener("keydown", function (event) {
    if (event.key === "Enter" && !event.shiftKey && !event.isComposing) {
      event.preventDefault();
      form.requestSubmit();
    }
  });
})();
