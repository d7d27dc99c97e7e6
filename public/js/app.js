// Page behaviour that plain HTML lacks. Loaded with defer; no inline scripts (CSP).
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
