// Page behaviour that plain HTML lacks. Loaded with defer; no inline scripts (CSP).
(function () {
  // Send the page's anti-CSRF token with every htmx request.
  document.addEventListener('htmx:config:request', function (evt) {
    var meta = document.querySelector('meta[name="csrf-token"]');
    if (meta && evt.detail && evt.detail.ctx && evt.detail.ctx.request) {
      evt.detail.ctx.request.headers['X-CSRF-Token'] = meta.getAttribute('content');
    }
  });
})();
