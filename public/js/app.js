// Page behaviour that plain HTML lacks. Loaded in <head> after htmx, not deferred (see views/layout.tsx); no inline scripts (CSP).
(function () {
  // The session's anti-CSRF token. htmx 4 swaps only <body> on boosted navigation and drops the
  // response's <head>, so a <meta> can be stale; the hidden _csrf field in the top bar (inside body)
  // is always the current page's. The meta tag is the fallback.
  function csrfToken() {
    var field = document.querySelector('header input[name="_csrf"]');
    if (field && field.value) return field.value;
    var meta = document.querySelector('meta[name="csrf-token"]');
    return meta ? meta.getAttribute('content') : null;
  }
  // htmx 4 fires htmx:config:request with detail = { ctx }, and ctx.request.headers is the plain
  // object handed to fetch() (htmx.js #handleTriggerEvent), so setting a key there sends the header.
  document.addEventListener('htmx:config:request', function (evt) {
    var token = csrfToken();
    var ctx = evt.detail && evt.detail.ctx;
    if (token && ctx && ctx.request && ctx.request.headers) {
      ctx.request.headers['X-CSRF-Token'] = token;
    }
  });
})();

// Scheduler: <time data-countdown datetime=ISO> counts down to the next run, once a second.
(function () {
  function tick() {
    var now = Date.now();
    document.querySelectorAll('time[data-countdown]').forEach(function (el) {
      var at = Date.parse(el.getAttribute('datetime'));
      if (isNaN(at)) return;
      var s = Math.max(0, Math.round((at - now) / 1000));
      var text;
      if (s < 120) text = 'in ' + s + ' s';
      else if (s < 7200) text = 'in ' + Math.floor(s / 60) + ' min ' + (s % 60) + ' s';
      else if (s < 172800) text = 'in ' + Math.floor(s / 3600) + ' h ' + Math.floor((s % 3600) / 60) + ' min';
      else text = 'in ' + Math.floor(s / 86400) + ' days';
      if (el.textContent !== text) el.textContent = text;
    });
  }
  setInterval(tick, 1000);
  document.addEventListener('DOMContentLoaded', tick);
})();

// Backtests and strategies (additive block).
(function () {
  // The create form's stock search: picking a suggestion appends its code to the codes box.
  document.addEventListener('change', function (evt) {
    var input = evt.target;
    if (!input || !input.getAttribute || !input.getAttribute('data-append-to')) return;
    var code = (input.value || '').split(' ')[0].trim().toUpperCase();
    if (!/^\d{6}\.(SH|SZ|BJ)$/.test(code)) return;
    var box = document.getElementById(input.getAttribute('data-append-to'));
    if (!box) return;
    var codes = box.value.split(/[\s,;]+/).filter(Boolean);
    if (codes.indexOf(code) < 0) codes.push(code);
    box.value = codes.join(', ');
    input.value = '';
    var radio = document.querySelector('input[name="universe"][value="codes"]');
    if (radio) radio.checked = true;
  });

  // Code editor: Tab indents (two spaces), Shift+Tab outdents, the gutter shows line numbers.
  function gutterFor(area) {
    var id = area.getAttribute('data-gutter');
    return id ? document.getElementById(id) : null;
  }
  function renumber(area) {
    var gutter = gutterFor(area);
    if (!gutter) return;
    var lines = area.value.split('\n').length;
    var bad = Number(area.getAttribute('data-error-line') || 0);
    if (gutter.childNodes.length === lines && gutter.getAttribute('data-bad') === String(bad)) return;
    var frag = document.createDocumentFragment();
    for (var i = 1; i <= lines; i++) {
      var div = document.createElement('div');
      div.textContent = String(i);
      if (i === bad) div.className = 'bad';
      frag.appendChild(div);
    }
    gutter.replaceChildren(frag);
    gutter.setAttribute('data-bad', String(bad));
  }
  document.addEventListener('keydown', function (evt) {
    var area = evt.target;
    if (evt.key !== 'Tab' || !area || !area.classList || !area.classList.contains('code-editor')) return;
    evt.preventDefault();
    var start = area.selectionStart, end = area.selectionEnd, v = area.value;
    var lineStart = v.lastIndexOf('\n', start - 1) + 1;
    if (start === end && !evt.shiftKey) {
      area.setRangeText('  ', start, end, 'end');
    } else {
      var block = v.slice(lineStart, end);
      var changed = evt.shiftKey ? block.replace(/^ {1,2}/gm, '') : block.replace(/^/gm, '  ');
      area.setRangeText(changed, lineStart, end, 'select');
    }
    renumber(area);
  });
  document.addEventListener('input', function (evt) {
    var area = evt.target;
    if (area && area.classList && area.classList.contains('code-editor')) renumber(area);
  });
  document.addEventListener('scroll', function (evt) {
    var area = evt.target;
    if (area && area.classList && area.classList.contains('code-editor')) {
      var gutter = gutterFor(area);
      if (gutter) gutter.scrollTop = area.scrollTop;
    }
  }, true);
  function init() {
    document.querySelectorAll('textarea.code-editor').forEach(renumber);
    document.querySelectorAll('[data-insert-snippet]').forEach(function (b) { b.hidden = false; });
  }
  document.addEventListener('DOMContentLoaded', init);
  document.addEventListener('htmx:after:swap', init);
  document.addEventListener('htmx:afterSwap', init);
  // "Use the framework template": fills the editor from the <template> element on the page.
  document.addEventListener('click', function (evt) {
    var btn = evt.target && evt.target.closest ? evt.target.closest('[data-fill-template]') : null;
    if (!btn) return;
    var tpl = document.getElementById(btn.getAttribute('data-fill-template'));
    var area = document.getElementById(btn.getAttribute('data-target'));
    if (!tpl || !area) return;
    if (area.value.trim() && !window.confirm('Replace the code in the editor with the template?')) return;
    area.value = tpl.content ? tpl.content.textContent : tpl.textContent;
    renumber(area);
    area.focus();
  });
  // Times on pages are shown in the browser's zone: the server reads it from this cookie (without
  // JavaScript, or on the very first page, they are in Asia/Shanghai, and the page says which zone).
  try {
    var zone = Intl.DateTimeFormat().resolvedOptions().timeZone;
    if (zone && document.cookie.indexOf('tz=' + encodeURIComponent(zone)) < 0) document.cookie = 'tz=' + encodeURIComponent(zone) + '; path=/; max-age=31536000; samesite=lax';
  } catch (e) { /* no Intl zone: the server's default stays */ }
  // The ctx reference's "Insert at cursor": the example's text into the editor where the cursor is
  // (the buttons are hidden until init shows them: without JavaScript the example is there to copy).
  document.addEventListener('click', function (evt) {
    var btn = evt.target && evt.target.closest ? evt.target.closest('[data-insert-snippet]') : null;
    if (!btn) return;
    var src = document.getElementById(btn.getAttribute('data-insert-snippet'));
    var area = document.getElementById(btn.getAttribute('data-target'));
    if (!src || !area) return;
    area.setRangeText(src.textContent + '\n', area.selectionStart, area.selectionEnd, 'end');
    renumber(area);
    area.focus();
  });
  // Helpers that fill form fields ("After the close" on the task form): data-fill-fields maps field
  // ids to values; then the field data-fill-trigger names gets an input event, so its hx-trigger asks for the preview.
  document.addEventListener('click', function (evt) {
    var btn = evt.target && evt.target.closest ? evt.target.closest('[data-fill-fields]') : null;
    if (!btn) return;
    var values = JSON.parse(btn.getAttribute('data-fill-fields'));
    var ids = Object.keys(values);
    ids.forEach(function (id) {
      var el = document.getElementById(id);
      if (el) el.value = values[id];
    });
    var trigger = document.getElementById(btn.getAttribute('data-fill-trigger') || ids[0]);
    if (trigger) trigger.dispatchEvent(new Event('input', { bubbles: true }));
  });
})();

// Live updates (hx-sse): a stream whose session or token stopped being valid ends with
// `event: access_ended` (src/http/sse.ts), which hx-sse dispatches on the connecting element.
// Reconnecting would only meet the sign-in page, so the element goes (hx-sse stops with it) and
// the page says why, once.
(function () {
  document.addEventListener('access_ended', function (evt) {
    var el = evt.target;
    if (!el || !el.getAttribute || !el.hasAttribute('hx-sse:connect')) return;
    el.remove();
    if (document.getElementById('access-ended')) return;
    var box = document.createElement('section');
    box.id = 'access-ended';
    box.className = 'error-box';
    box.setAttribute('role', 'alert');
    box.textContent = 'Live updates stopped: you were signed out or your access changed. Reload the page to sign in again.';
    var main = document.querySelector('main') || document.body;
    main.insertBefore(box, main.firstChild);
  });
})();
