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
      id = "web-" + Math.random().toString(36).slice(2) + Date.now().toString(36);
      try { window.localStorage.setItem(key, id); } catch (e) { /* private mode */ }
    }
    return id;
  }
  var sender = senderId();

  function addMessage(who, text, buttons) {
    var item = document.createElement("li");
    item.className = who;
    var bubble = document.createElement("div");
    bubble.className = "bubble";
    bubble.textContent = text;
    item.appendChild(bubble);
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

  function post(message, shown) {
    addMessage("user", shown || message);
    send.disabled = true;
    statusLine.textContent = "";
    fetch("/api/chat", {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ sender_id: sender, message: message })
    }).then(function (response) {
      return response.json().then(function (body) { return { status: response.status, body: body }; });
    }).then(function (result) {
      var replies = (result.body && result.body.replies) || [];
      replies.forEach(function (r) { addMessage("bot", r.text || "", r.buttons || []); });
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
    { title: "When can my baby start solids?", payload: "When can my baby start solid food?" }
  ];
  addMessage("bot", "您好！我是托育助手，可以回答 0–3 岁养育和托育政策问题，回答都注明来源。\n" +
    "Hello! Ask me about caring for children under 3 and Beijing childcare policy.", examples);

  // /?q=... asks a question straight away, so other sites can link to an answer.
  var asked = new URLSearchParams(window.location.search).get("q");
  if (asked && asked.trim()) { post(asked.trim().slice(0, 2000)); }

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
