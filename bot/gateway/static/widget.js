/*! Tuoyu (托育助手) chat widget for community centres' own sites. docs/widget.md
 *
 *   <script src="https://HOST/widget.js" data-lang="zh" data-open="false"
 *           data-district="朝阳区" data-title="…" data-color="#0b6bcb"></script>
 *
 * Hand-written, no dependencies, no build step. Everything lives in a shadow root on one
 * <tuoyu-widget> element so the host page's CSS cannot reach in and ours cannot leak out;
 * the only global is window.TuoyuWidget. Every piece of text (the parent's and the bot's) is
 * inserted with textContent, never as HTML.
 */
(function () {
  "use strict";

  // Loaded twice (two tags, or a site template and a plugin both adding it): the first copy
  // keeps the page and the second does nothing.
  if (window.TuoyuWidget) { return; }
  var api = { version: "1", ready: false, readyAt: null, open: null, close: null };
  window.TuoyuWidget = api;

  var script = document.currentScript || findOwnScript();
  if (!script || !script.src) { return; }
  var SCRIPT_URL = script.src;
  var CHAT_URL = new URL("api/chat", SCRIPT_URL).href;
  var FORGET_URL = new URL("api/forget", SCRIPT_URL).href;
  var FEEDBACK_URL = new URL("api/feedback", SCRIPT_URL).href;
  // localStorage belongs to the host site; the key names us and the gateway we talk to.
  var STORE_KEY = "tuoyu-widget:v1:" + new URL(SCRIPT_URL).origin;
  var MAX_KEPT = 80; // rendered messages kept for a reload; older ones drop off
  var MAX_MESSAGE = 2000; // the chat API's limit

  function findOwnScript() {
    var all = document.getElementsByTagName("script");
    for (var i = all.length - 1; i >= 0; i--) {
      if (/\/widget\.js(?:[?#]|$)/.test(all[i].src)) { return all[i]; }
    }
    return null;
  }

  // ---- settings from the tag's data- attributes ------------------------------------------

  function attr(name, maxLength) {
    var raw = script.getAttribute("data-" + name);
    if (raw == null) { return ""; }
    // Control characters never belong in a title or a place name.
    return String(raw).replace(/[\u0000-\u001f\u007f]/g, " ").trim().slice(0, maxLength);
  }

  var LANG = /^en/i.test(attr("lang", 10)) ? "en" : "zh";
  var START_OPEN = attr("open", 5).toLowerCase() === "true";
  var DISTRICT = attr("district", 20);
  var COLOR = parseColor(attr("color", 7)) || [11, 107, 203]; // #0b6bcb, the web chat's blue

  var STRINGS = {
    zh: {
      title: "托育助手",
      subtitle: "0–3 岁育儿与托育政策问答，回答注明来源。紧急情况请拨打 120。",
      region: "托育助手聊天窗口",
      close: "关闭聊天窗口",
      clear: "清除对话",
      confirm: "清除这段对话？本机保存的记录和服务器上的对话都会删除。",
      confirmYes: "确认清除",
      confirmNo: "取消",
      cleared: "对话已清除。",
      clearedHere: "本机记录已清除；服务器上的对话暂时没能删除，下次打开时会再试。",
      log: "对话记录",
      you: "您：",
      bot: "托育助手：",
      input: "输入问题",
      placeholder: "输入您的问题…",
      send: "发送",
      typing: "托育助手正在回复…",
      busy: "上一条还在回复中，请稍候。",
      offline: "网络连接失败，请稍后再试。",
      retry: "请 {n} 秒后再试。",
      failed: "出错了，请稍后再试。",
      newTab: "（在新窗口打开）",
      rate: "这条回答有帮助吗？",
      rateUp: "有帮助",
      rateDown: "没帮助",
      ratedUp: "谢谢反馈！",
      ratedDown: "谢谢，工作人员会查看这条回答。",
      rateFailed: "没能记录评价，请稍后再试。",
      rateExpired: "这条回答已经不能评价了。",
      useLocation: "📍 使用我的位置",
      myLocation: "📍 我的位置",
      inDistrict: "在{d}找",
      locating: "正在获取位置…",
      noLocation: "这个浏览器不能提供位置，请输入区或街道名。",
      locationFailed: "没能获取位置，请输入区或街道名。",
      welcome: "您好！我可以回答 0–3 岁养育和托育政策问题（回答都注明来源），帮您找附近的备案托育机构、查机构是否备案。",
      examples: [
        ["宝宝几个月可以加辅食？", "宝宝几个月可以加辅食？"],
        ["育儿补贴怎么领？", "国家育儿补贴怎么申请？"],
        ["找附近的普惠托育", "帮我找附近的普惠托育机构"],
        ["查机构是否备案", "帮我查一下托育机构有没有备案"]
      ],
      districtExample: ["找{d}的普惠托育", "帮我找{d}的普惠托育机构"]
    },
    en: {
      title: "Tuoyu childcare assistant",
      subtitle: "Parenting (0–3) and childcare policy, every answer with its source. In an emergency call 120.",
      region: "Tuoyu chat",
      close: "Close the chat",
      clear: "Clear chat",
      confirm: "Clear this conversation? It is deleted from this device and from the server.",
      confirmYes: "Clear",
      confirmNo: "Cancel",
      cleared: "Conversation cleared.",
      clearedHere: "Cleared on this device; the server copy could not be deleted yet and will be retried next time.",
      log: "Conversation",
      you: "You: ",
      bot: "Tuoyu: ",
      input: "Your question",
      placeholder: "Type your question…",
      send: "Send",
      typing: "Tuoyu is replying…",
      busy: "Still answering your last message, one moment.",
      offline: "Connection failed, please try again.",
      retry: "Please try again in {n} s.",
      failed: "Something went wrong, please try again.",
      newTab: " (opens in a new tab)",
      rate: "Was this answer helpful?",
      rateUp: "Helpful",
      rateDown: "Not helpful",
      ratedUp: "Thanks for your feedback!",
      ratedDown: "Thanks: staff will look at this answer.",
      rateFailed: "Could not record that; please try again.",
      rateExpired: "This answer can no longer be rated.",
      useLocation: "📍 Use my location",
      myLocation: "📍 My location",
      inDistrict: "Search in {d}",
      locating: "Getting your location…",
      noLocation: "This browser cannot share a location; type a district or street instead.",
      locationFailed: "Could not get your location; type a district or street instead.",
      welcome: "Hello! Ask me about caring for children under 3 and Beijing childcare policy (every answer names its source), find filed childcare near you, or check whether a provider is registered.",
      examples: [
        ["When can my baby start solids?", "When can my baby start solid food?"],
        ["Childcare subsidy", "How do I apply for the childcare subsidy?"],
        ["Find inclusive childcare nearby", "Find inclusive childcare near me"],
        ["Is a provider registered?", "I want to check if a daycare is registered"]
      ],
      districtExample: ["Inclusive childcare in {d}", "Find inclusive childcare in {d}"]
    }
  };
  var T = STRINGS[LANG];
  var TITLE = attr("title", 40) || T.title;

  // ---- colour: the site's own, with text that stays readable (WCAG AA) -------------------

  function parseColor(value) {
    var m = /^#([0-9a-f]{3}|[0-9a-f]{6})$/i.exec(value);
    if (!m) { return null; }
    var hex = m[1].length === 3 ? m[1].replace(/(.)/g, "$1$1") : m[1];
    return [0, 2, 4].map(function (i) { return parseInt(hex.slice(i, i + 2), 16); });
  }
  function luminance(rgb) {
    var c = rgb.map(function (v) {
      v /= 255;
      return v <= 0.04045 ? v / 12.92 : Math.pow((v + 0.055) / 1.055, 2.4);
    });
    return 0.2126 * c[0] + 0.7152 * c[1] + 0.0722 * c[2];
  }
  function contrast(a, b) {
    var la = luminance(a), lb = luminance(b);
    return (Math.max(la, lb) + 0.05) / (Math.min(la, lb) + 0.05);
  }
  function css(rgb) { return "rgb(" + rgb.map(Math.round).join(",") + ")"; }
  var WHITE = [255, 255, 255], BLACK = [0, 0, 0];
  // On the coloured header, launcher and the parent's bubbles: black or white, whichever
  // contrasts more; one of them always reaches 4.5:1 whatever the colour.
  var ON_ACCENT = contrast(COLOR, WHITE) >= contrast(COLOR, BLACK) ? WHITE : BLACK;
  // As text on white (button labels, links) a pale colour is darkened until it reads at
  // 4.5:1, keeping its hue; 5:1 leaves room for the light hover background.
  var INK = COLOR.slice();
  while (contrast(INK, WHITE) < 5) { INK = INK.map(function (v) { return v * 0.9; }); }

  // ---- storage: sender id and rendered history survive a reload ---------------------------

  function newSenderId() {
    // 128 random bits: the id keeps this parent's conversation, and the buttons signed for
    // it, apart from everyone else's, so nobody can guess it.
    var bytes = new Uint8Array(16);
    window.crypto.getRandomValues(bytes);
    return "widget-" + Array.prototype.map.call(bytes, function (b) {
      return ("0" + b.toString(16)).slice(-2);
    }).join("");
  }
  function load() {
    var state = null;
    try { state = JSON.parse(window.localStorage.getItem(STORE_KEY) || "null"); } catch (e) { state = null; }
    if (!state || typeof state !== "object") { state = {}; }
    return {
      sender: /^widget-[0-9a-f]{32}$/.test(state.sender) ? state.sender : newSenderId(),
      items: Array.isArray(state.items) ? state.items.slice(-MAX_KEPT) : [],
      open: typeof state.open === "boolean" ? state.open : null,
      forget: Array.isArray(state.forget) ? state.forget.slice(-5) : []
    };
  }
  var state = load();
  function save() {
    state.items = state.items.slice(-MAX_KEPT);
    try { window.localStorage.setItem(STORE_KEY, JSON.stringify(state)); } catch (e) { /* private mode or full: the chat still works */ }
  }
  save();

  // ---- the stylesheet (inside the shadow root only) ---------------------------------------

  var STYLE = [
    // The host page's rules still reach this element itself (a "* {…}" or "body > *" rule);
    // important declarations in the shadow win over the page's, so they are reset here.
    ":host{all:initial!important;display:block!important;position:static!important;visibility:visible!important;opacity:1!important;transform:none!important;filter:none!important;contain:none!important}",
    "[hidden]{display:none!important}",
    "*,*::before,*::after{box-sizing:border-box}",
    ".root{font:15px/1.5 system-ui,-apple-system,'PingFang SC','Hiragino Sans GB','Microsoft YaHei','Noto Sans CJK SC',sans-serif;color:#1d2733;direction:ltr;text-align:left;-webkit-text-size-adjust:100%}",
    "button,textarea{font:inherit;letter-spacing:normal;text-transform:none;margin:0}",
    ".launcher{position:fixed;right:20px;bottom:20px;z-index:2147483000;display:inline-flex;align-items:center;gap:8px;max-width:min(320px,calc(100vw - 40px));min-height:48px;padding:10px 18px;border:0;border-radius:24px;background:var(--accent);color:var(--on-accent);font-weight:600;cursor:pointer;box-shadow:0 4px 14px rgba(0,0,0,.3)}",
    ".launcher .label{overflow:hidden;text-overflow:ellipsis;white-space:nowrap}",
    ".panel{position:fixed;right:20px;bottom:20px;z-index:2147483001;display:flex;flex-direction:column;width:380px;max-width:calc(100vw - 40px);height:600px;max-height:calc(100vh - 40px);background:#fff;color:#1d2733;border-radius:14px;box-shadow:0 8px 30px rgba(0,0,0,.35);overflow:hidden}",
    ".head{display:flex;align-items:flex-start;gap:8px;padding:12px 12px 10px 16px;background:var(--accent);color:var(--on-accent)}",
    ".titles{flex:1;min-width:0}",
    "h2{margin:0;font-size:17px;font-weight:700;line-height:1.3;overflow-wrap:anywhere}",
    ".subtitle{margin:2px 0 0;font-size:13px;line-height:1.4}",
    ".tool{flex:none;min-width:40px;min-height:40px;padding:6px 10px;border:1px solid currentColor;border-radius:8px;background:transparent;color:inherit;font-size:13px;cursor:pointer}",
    ".close{font-size:22px;line-height:1;padding:0 8px}",
    ".confirm{padding:10px 16px;background:#fff4d6;color:#1d2733;border-bottom:1px solid #d9c48f;font-size:14px}",
    ".confirm p{margin:0 0 8px}",
    ".confirm .row{display:flex;gap:8px;flex-wrap:wrap}",
    ".log{flex:1;overflow-y:auto;padding:14px 14px 4px;overscroll-behavior:contain}",
    ".msg{display:flex;flex-direction:column;margin:0 0 12px}",
    ".bubble{max-width:88%;padding:9px 13px;border-radius:14px;white-space:pre-wrap;overflow-wrap:anywhere}",
    ".user{align-items:flex-end}",
    ".user .bubble{background:var(--accent);color:var(--on-accent);border-bottom-right-radius:4px}",
    ".bot{align-items:flex-start}",
    ".bot .bubble{background:#eef2f6;color:#1d2733;border-bottom-left-radius:4px}",
    ".choices{display:flex;flex-wrap:wrap;gap:6px;margin-top:6px;max-width:100%}",
    ".choice,.link{display:inline-flex;align-items:center;min-height:36px;padding:6px 12px;border:1px solid var(--ink);border-radius:18px;background:#fff;color:var(--ink);font-size:14px;line-height:1.35;text-align:left;text-decoration:none;cursor:pointer}",
    ".link{text-decoration:underline}",
    ".choice:hover,.link:hover{background:#f3f6f9}",
    ".confirm .choice{border-radius:8px}",
    ".rating{display:flex;flex-wrap:wrap;align-items:center;gap:6px;margin-top:6px}",
    ".rate{min-width:44px;min-height:36px;padding:4px 10px;border:1px solid var(--ink);border-radius:18px;background:#fff;color:var(--ink);font-size:16px;line-height:1;cursor:pointer}",
    ".rate[aria-pressed=true]{background:var(--accent);color:var(--on-accent);border-color:var(--accent)}",
    ".rated{font-size:13px;color:#4a5868}",
    ".typing{display:flex;align-items:center;gap:4px;width:max-content;margin:0 14px 8px;padding:10px 14px;border-radius:14px;background:#eef2f6}",
    ".dot{width:7px;height:7px;border-radius:50%;background:#4a5868;animation:tuoyu-blink 1.2s infinite ease-in-out both}",
    ".dot:nth-child(2){animation-delay:.2s}.dot:nth-child(3){animation-delay:.4s}",
    "@keyframes tuoyu-blink{0%,80%,100%{opacity:.25}40%{opacity:1}}",
    ".status{margin:0;padding:0 14px;font-size:13px;color:#a1261d}",
    ".status:empty{display:none}",
    ".composer{display:flex;gap:8px;align-items:flex-end;padding:10px 12px 12px;border-top:1px solid #d5dde5;background:#fff}",
    "textarea{flex:1;min-width:0;min-height:44px;max-height:120px;resize:none;padding:10px 12px;border:1px solid #6b7684;border-radius:10px;background:#fff;color:#1d2733;line-height:1.4}",
    "textarea::placeholder{color:#5f6b78;opacity:1}",
    ".send{flex:none;min-height:44px;padding:0 16px;border:0;border-radius:10px;background:var(--accent);color:var(--on-accent);font-weight:600;cursor:pointer}",
    ".send[aria-disabled=true]{cursor:progress}",
    ":focus{outline:none}",
    // A dark ring with a white gap reads against any background, white or coloured.
    ":focus-visible{outline:3px solid #1d2733;outline-offset:2px;box-shadow:0 0 0 2px #fff}",
    ".head :focus-visible{outline-color:var(--on-accent);box-shadow:none}",
    ".launcher:focus-visible{outline:3px solid #fff;outline-offset:0;box-shadow:0 0 0 6px #1d2733}",
    "textarea:focus-visible{outline-offset:0}",
    ".vh{position:absolute!important;width:1px;height:1px;margin:-1px;padding:0;overflow:hidden;clip:rect(0 0 0 0);white-space:nowrap;border:0}",
    // Phones: the panel takes the whole screen (a 360-px-wide screen has no room beside it).
    "@media (max-width:520px){.panel{top:0;left:0;right:0;bottom:0;width:100%;max-width:none;height:100%;max-height:none;border-radius:0}.launcher{right:12px;bottom:12px;max-width:calc(100vw - 24px)}}",
    "@media (prefers-reduced-motion:reduce){.dot{animation:none;opacity:.7}}",
    "@media (forced-colors:active){.launcher,.send,.choice,.link,.tool{border:1px solid ButtonText}}"
  ].join("\n");

  // ---- building the DOM -------------------------------------------------------------------

  function el(tag, className, text) {
    var node = document.createElement(tag);
    if (className) { node.className = className; }
    if (text != null) { node.textContent = String(text); }
    return node;
  }
  function button(className, text) {
    var b = el("button", className, text);
    b.type = "button";
    return b;
  }
  function fill(template, values) {
    return template.replace(/\{(\w)\}/g, function (_, k) { return values[k]; });
  }

  var host, shadow, root, launcher, panel, log, typing, statusLine, form, input, send;
  var clearButton, closeButton, confirmBox, confirmYes, confirmNo;
  var pending = false;

  function mount() {
    if (document.querySelector("tuoyu-widget")) { return; }
    host = document.createElement("tuoyu-widget");
    shadow = host.attachShadow({ mode: "open" });
    if (window.CSSStyleSheet && "adoptedStyleSheets" in shadow && "replaceSync" in CSSStyleSheet.prototype) {
      // A constructed sheet is not an inline <style>, so a host page whose
      // Content-Security-Policy forbids inline styles still shows the widget styled.
      var sheet = new CSSStyleSheet();
      sheet.replaceSync(STYLE);
      shadow.adoptedStyleSheets = [sheet];
    } else {
      shadow.appendChild(el("style", null, STYLE));
    }

    root = el("aside", "root");
    root.setAttribute("aria-label", T.region);
    root.lang = LANG === "zh" ? "zh-CN" : "en";
    root.style.setProperty("--accent", css(COLOR));
    root.style.setProperty("--on-accent", css(ON_ACCENT));
    root.style.setProperty("--ink", css(INK));
    root.appendChild(buildLauncher());
    root.appendChild(buildPanel());
    shadow.appendChild(root);
    (document.body || document.documentElement).appendChild(host);
    listen();

    render();
    // data-open is for computers and tablets: on a phone the open panel would cover the
    // whole of the centre's page before the parent has seen it. A parent who left the panel
    // open keeps it open, on any screen.
    var phone = window.matchMedia && window.matchMedia("(max-width: 520px)").matches;
    if (state.open === true || (state.open === null && START_OPEN && !phone)) { openPanel(false); }
    retryForget();

    host.setAttribute("data-ready", "true");
    api.ready = true;
    api.readyAt = window.performance ? performance.now() : null;
    api.open = function () { openPanel(true); };
    api.close = function () { closePanel(false); };
    try { window.dispatchEvent(new CustomEvent("tuoyu-widget-ready")); } catch (e) { /* very old browser */ }
  }

  function buildLauncher() {
    launcher = button("launcher");
    launcher.setAttribute("aria-expanded", "false");
    launcher.setAttribute("aria-controls", "tuoyu-panel");
    var icon = el("span", null, "💬");
    icon.setAttribute("aria-hidden", "true");
    launcher.appendChild(icon);
    launcher.appendChild(el("span", "label", TITLE));
    return launcher;
  }

  function buildPanel() {
    panel = el("section", "panel");
    panel.id = "tuoyu-panel";
    panel.hidden = true;
    panel.setAttribute("role", "dialog");
    panel.setAttribute("aria-modal", "false");
    panel.setAttribute("aria-labelledby", "tuoyu-title");
    panel.appendChild(buildHeader());
    panel.appendChild(buildConfirm());

    log = el("div", "log");
    log.setAttribute("role", "log");
    log.setAttribute("aria-live", "polite");
    log.setAttribute("aria-label", T.log);
    log.tabIndex = 0; // scrollable with the keyboard too
    panel.appendChild(log);

    typing = el("div", "typing");
    typing.hidden = true;
    typing.setAttribute("role", "status");
    for (var i = 0; i < 3; i++) {
      var dot = el("span", "dot");
      dot.setAttribute("aria-hidden", "true");
      typing.appendChild(dot);
    }
    typing.appendChild(el("span", "vh", T.typing));
    panel.appendChild(typing);

    statusLine = el("p", "status");
    statusLine.setAttribute("role", "status");
    panel.appendChild(statusLine);
    panel.appendChild(buildComposer());
    return panel;
  }

  function buildHeader() {
    var head = el("div", "head");
    var titles = el("div", "titles");
    var h2 = el("h2", null, TITLE);
    h2.id = "tuoyu-title";
    titles.appendChild(h2);
    titles.appendChild(el("p", "subtitle", T.subtitle));
    clearButton = button("tool clear", T.clear);
    // The name comes from hidden text, not aria-label: "×" is a symbol, not a label.
    closeButton = button("tool close");
    var cross = el("span", null, "×");
    cross.setAttribute("aria-hidden", "true");
    closeButton.appendChild(cross);
    closeButton.appendChild(el("span", "vh", T.close));
    head.appendChild(titles);
    head.appendChild(clearButton);
    head.appendChild(closeButton);
    return head;
  }

  function buildConfirm() {
    confirmBox = el("div", "confirm");
    confirmBox.hidden = true;
    confirmBox.setAttribute("role", "group");
    confirmBox.setAttribute("aria-labelledby", "tuoyu-confirm-text");
    var text = el("p", null, T.confirm);
    text.id = "tuoyu-confirm-text";
    var row = el("div", "row");
    confirmYes = button("choice confirm-yes", T.confirmYes);
    confirmNo = button("choice confirm-no", T.confirmNo);
    row.appendChild(confirmYes);
    row.appendChild(confirmNo);
    confirmBox.appendChild(text);
    confirmBox.appendChild(row);
    return confirmBox;
  }

  function buildComposer() {
    form = el("form", "composer");
    form.setAttribute("novalidate", "");
    var label = el("label", "vh", T.input);
    label.htmlFor = "tuoyu-input";
    input = el("textarea");
    input.id = "tuoyu-input";
    input.rows = 1;
    input.maxLength = MAX_MESSAGE;
    input.placeholder = T.placeholder;
    input.setAttribute("autocomplete", "off");
    send = el("button", "send", T.send);
    send.type = "submit";
    form.appendChild(label);
    form.appendChild(input);
    form.appendChild(send);
    return form;
  }

  function listen() {
    launcher.addEventListener("click", function () { openPanel(true); });
    closeButton.addEventListener("click", function () { closePanel(true); });
    clearButton.addEventListener("click", function () {
      confirmBox.hidden = false;
      confirmYes.focus();
    });
    confirmNo.addEventListener("click", function () {
      confirmBox.hidden = true;
      clearButton.focus();
    });
    confirmYes.addEventListener("click", function () {
      confirmBox.hidden = true;
      clearConversation();
      input.focus();
    });
    panel.addEventListener("keydown", function (event) {
      if (event.key !== "Escape" && event.key !== "Esc") { return; }
      event.stopPropagation();
      if (!confirmBox.hidden) {
        confirmBox.hidden = true;
        clearButton.focus();
      } else {
        closePanel(true);
      }
    });
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      var text = input.value.trim();
      if (!text) { return; }
      if (ask({ sender_id: state.sender, message: text }, text)) {
        input.value = "";
        grow();
      }
    });
    input.addEventListener("keydown", function (event) {
      // Enter sends, Shift+Enter starts a new line; never while an IME is composing (pinyin).
      if (event.key === "Enter" && !event.shiftKey && !event.isComposing && event.keyCode !== 229) {
        event.preventDefault();
        form.requestSubmit ? form.requestSubmit(send) : send.click();
      }
    });
    input.addEventListener("input", grow);
  }

  function grow() {
    input.style.height = "auto";
    input.style.height = Math.min(input.scrollHeight + 2, 120) + "px";
  }

  function focusWithin() { return shadow.activeElement != null; }

  function openPanel(byParent) {
    panel.hidden = false;
    launcher.hidden = true;
    launcher.setAttribute("aria-expanded", "true");
    scrollToEnd();
    // Opened by the tag (data-open) it must not pull focus away from the host page.
    if (byParent) { input.focus(); }
    if (byParent) { state.open = true; save(); }
  }

  function closePanel(byParent) {
    var hadFocus = focusWithin();
    panel.hidden = true;
    confirmBox.hidden = true;
    launcher.hidden = false;
    launcher.setAttribute("aria-expanded", "false");
    if (hadFocus || byParent) { launcher.focus(); }
    state.open = false;
    save();
  }

  function scrollToEnd() {
    // Never scrollIntoView: it would scroll the host page too.
    log.scrollTop = log.scrollHeight;
  }

  // ---- messages -----------------------------------------------------------------------------

  function render() {
    while (log.firstChild) { log.removeChild(log.firstChild); }
    // The welcome is written into the widget, not sent: nothing reaches the server until
    // the parent asks something.
    var examples = T.examples.map(function (e) { return { title: e[0], message: e[1] }; });
    if (DISTRICT) {
      examples.splice(2, 1, {
        title: fill(T.districtExample[0], { d: DISTRICT }),
        message: fill(T.districtExample[1], { d: DISTRICT })
      });
    }
    show({ who: "bot", text: T.welcome, buttons: examples, welcome: true });
    state.items.forEach(show);
    scrollToEnd();
  }

  function remember(item) {
    state.items.push(item);
    save();
    show(item);
    scrollToEnd();
  }

  function show(item) {
    if (!item || (item.who !== "user" && item.who !== "bot")) { return; }
    var node = el("div", "msg " + item.who);
    var text = item.text == null ? "" : String(item.text);
    if (text) {
      var bubble = el("div", "bubble");
      bubble.appendChild(el("span", "vh", item.who === "user" ? T.you : T.bot));
      bubble.appendChild(document.createTextNode(text));
      if (item.lang === "en" || item.lang === "zh") { bubble.lang = item.lang === "zh" ? "zh-CN" : "en"; }
      node.appendChild(bubble);
    }
    var choices = el("div", "choices");
    (Array.isArray(item.extras) ? item.extras : []).forEach(function (extra) {
      if (!extra || typeof extra !== "object") { return; }
      if (extra.type === "link") {
        var href = safeLink(extra.url);
        if (!href) { return; }
        var a = el("a", "link", extra.title || href);
        a.href = href;
        a.target = "_blank";
        a.rel = "noopener";
        a.appendChild(el("span", "vh", T.newTab));
        choices.appendChild(a);
      } else if (extra.type === "request_location") {
        var here = button("choice location", T.useLocation);
        here.addEventListener("click", shareLocation);
        choices.appendChild(here);
        if (DISTRICT) {
          // The centre's own district, one tap away: most of its parents live there.
          var there = button("choice district", fill(T.inDistrict, { d: DISTRICT }));
          there.addEventListener("click", function () {
            ask({ sender_id: state.sender, message: DISTRICT }, DISTRICT);
          });
          choices.appendChild(there);
        }
      }
    });
    (Array.isArray(item.buttons) ? item.buttons : []).forEach(function (b) {
      if (!b || typeof b !== "object") { return; }
      var title = String(b.title || "");
      var message = item.welcome ? String(b.message || "") : String(b.payload || "");
      if (!title || !message) { return; }
      var choice = button("choice", title);
      choice.addEventListener("click", function () {
        // A bot button's payload is signed for this sender; it goes back exactly as issued.
        ask({ sender_id: state.sender, message: message }, title);
      });
      choices.appendChild(choice);
    });
    if (choices.childNodes.length) { node.appendChild(choices); }
    if (item.who === "bot" && typeof item.feedback === "string" && item.feedback) {
      node.appendChild(ratingRow(item));
    }
    if (node.childNodes.length) { log.appendChild(node); }
  }

  // 👍/👎 under an answer from the knowledge base: the token came with it and works only for
  // this conversation. The choice is kept with the message (it survives a reload) and can be
  // changed by pressing the other button.
  function ratingRow(item) {
    var group = el("div", "rating");
    group.setAttribute("role", "group");
    group.setAttribute("aria-label", T.rate);
    var note = el("span", "rated", item.rated === "up" ? T.ratedUp : item.rated === "down" ? T.ratedDown : "");
    var buttons = [["up", "👍", T.rateUp], ["down", "👎", T.rateDown]].map(function (choice) {
      var b = button("rate", choice[1]);
      b.setAttribute("aria-label", choice[2]);
      b.setAttribute("aria-pressed", String(item.rated === choice[0]));
      b.addEventListener("click", function () {
        var sender = state.sender;
        postJson(FEEDBACK_URL, { sender_id: sender, token: item.feedback, rating: choice[0] }).then(function (response) {
          return response.json().catch(function () { return {}; }).then(function (data) {
            if (sender !== state.sender) { return; } // cleared meanwhile
            if (!response.ok) {
              note.textContent = data && data.error && data.error.code === "token_expired" ? T.rateExpired : T.rateFailed;
              return;
            }
            item.rated = choice[0];
            save();
            buttons.forEach(function (other, n) { other.setAttribute("aria-pressed", String(n === (choice[0] === "up" ? 0 : 1))); });
            note.textContent = choice[0] === "up" ? T.ratedUp : T.ratedDown;
          });
        }, function () { note.textContent = T.rateFailed; });
      });
      group.appendChild(b);
      return b;
    });
    group.appendChild(note);
    return group;
  }

  function safeLink(url) {
    // Only http(s) addresses, or the gateway's own e-map (/map?...) made absolute; never
    // javascript:, data: or anything else a reply might carry.
    if (typeof url !== "string" || !/^(https?:\/\/|\/map\?)/i.test(url)) { return null; }
    try {
      var resolved = new URL(url, SCRIPT_URL);
      return resolved.protocol === "http:" || resolved.protocol === "https:" ? resolved.href : null;
    } catch (e) {
      return null;
    }
  }

  function setStatus(text) { statusLine.textContent = text || ""; }

  // ---- talking to the gateway -------------------------------------------------------------

  function postJson(url, body) {
    return window.fetch(url, {
      method: "POST",
      mode: "cors",
      credentials: "omit", // the API needs none; no cookie of the gateway's ever travels
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify(body)
    });
  }

  function ask(body, shown) {
    if (pending) {
      setStatus(T.busy);
      return false;
    }
    var sender = state.sender;
    var keepFocus = shadow.activeElement === input || shadow.activeElement === send;
    pending = true;
    // The staff dashboard counts the widget's conversations apart from the web page's.
    body.channel = "widget";
    setStatus("");
    remember({ who: "user", text: shown });
    typing.hidden = false;
    send.setAttribute("aria-disabled", "true");
    postJson(CHAT_URL, body).then(function (response) {
      return response.json().catch(function () { return {}; }).then(function (data) {
        return { status: response.status, data: data || {}, retry: response.headers.get("Retry-After") };
      });
    }).then(function (result) {
      // Cleared while waiting: this answer belongs to the conversation that was deleted.
      if (sender !== state.sender) { return; }
      var replies = Array.isArray(result.data.replies) ? result.data.replies : [];
      replies.forEach(function (r) {
        if (!r || typeof r !== "object") { return; }
        var extras = Array.isArray(r.extras) ? r.extras.slice() : [];
        if (r.custom && typeof r.custom === "object") { extras.push(r.custom); }
        remember({
          who: "bot",
          text: r.text == null ? "" : String(r.text),
          buttons: Array.isArray(r.buttons) ? r.buttons.map(function (b) {
            return b && typeof b === "object" ? { title: String(b.title || ""), payload: String(b.payload || "") } : null;
          }) : [],
          extras: extras,
          feedback: typeof r.feedback === "string" ? r.feedback : undefined,
          lang: result.data.language
        });
      });
      if (result.status >= 400) {
        var error = result.data.error && result.data.error.message;
        var seconds = parseInt(result.retry, 10);
        if (!replies.length) { setStatus(error || T.failed); }
        else if (seconds > 0) { setStatus(fill(T.retry, { n: seconds })); }
      }
    }).catch(function () {
      if (sender === state.sender) { setStatus(T.offline); }
    }).then(function () {
      pending = false;
      typing.hidden = true;
      send.removeAttribute("aria-disabled");
      if (keepFocus && !panel.hidden) { input.focus(); }
    });
    return true;
  }

  function shareLocation() {
    if (!navigator.geolocation || window.isSecureContext === false) {
      setStatus(T.noLocation);
      return;
    }
    setStatus(T.locating);
    navigator.geolocation.getCurrentPosition(function (position) {
      setStatus("");
      ask({
        sender_id: state.sender,
        location: { latitude: position.coords.latitude, longitude: position.coords.longitude }
      }, T.myLocation);
    }, function () {
      setStatus(T.locationFailed);
    }, { timeout: 15000, maximumAge: 600000 });
  }

  function clearConversation() {
    // This device first, at once (a shared computer in a community centre), then the
    // server; an id the server could not erase yet is kept and tried again later.
    state.forget.push(state.sender);
    state.sender = newSenderId();
    state.items = [];
    save();
    render();
    pending = false;
    typing.hidden = true;
    send.removeAttribute("aria-disabled");
    retryForget().then(function (allDone) {
      setStatus(allDone ? T.cleared : T.clearedHere);
    });
  }

  function retryForget() {
    var ids = state.forget.slice();
    return Promise.all(ids.map(function (id) {
      return postJson(FORGET_URL, { sender_id: id }).then(function (response) {
        // 2xx: erased. 4xx: this gateway cannot erase it (an older one without /api/forget,
        // or an id it never knew), so asking again would not help. 5xx: try later.
        return response.status < 500;
      }, function () { return false; }).then(function (done) {
        if (done) { state.forget = state.forget.filter(function (x) { return x !== id; }); }
        return done;
      });
    })).then(function (results) {
      save();
      return results.every(Boolean);
    });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", mount);
  } else {
    mount();
  }
})();
