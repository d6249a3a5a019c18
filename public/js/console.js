// The console's own browser code: small, no framework, nothing inline (the CSP forbids it).
// Times in the browser's zone, the copy button, "/" to search, and live tail pause/resume.
(function () {
  'use strict';

  /** <time datetime> elements show the browser's local time; the title keeps UTC. */
  function localizeTimes(root) {
    root.querySelectorAll('time[datetime]').forEach(function (el) {
      if (el.dataset.localized) return;
      var date = new Date(el.getAttribute('datetime'));
      if (isNaN(date.getTime())) return;
      el.textContent = date.toLocaleString(undefined, {
        year: 'numeric',
        month: '2-digit',
        day: '2-digit',
        hour: '2-digit',
        minute: '2-digit',
        second: '2-digit',
        hour12: false,
      });
      el.dataset.localized = 'true';
    });
  }

  function copyText(text) {
    if (navigator.clipboard && window.isSecureContext) return navigator.clipboard.writeText(text);
    // Plain-HTTP installs are not a secure context: fall back to a selected textarea.
    var area = document.createElement('textarea');
    area.value = text;
    area.setAttribute('readonly', '');
    area.className = 'fixed -left-[9999px]';
    document.body.appendChild(area);
    area.select();
    var ok = document.execCommand('copy');
    area.remove();
    return ok ? Promise.resolve() : Promise.reject(new Error('copy refused'));
  }

  function onCopyClick(event) {
    var button = event.target.closest('[data-copy-target]');
    if (!button) return;
    var source = document.getElementById(button.dataset.copyTarget);
    if (!source) return;
    copyText(source.textContent).then(
      function () {
        button.textContent = 'Copied';
        button.dataset.copied = 'true';
      },
      function () {
        button.textContent = 'Select and copy by hand';
      },
    );
  }

  function onKey(event) {
    if (event.key !== '/' || event.ctrlKey || event.metaKey || event.altKey) return;
    var target = event.target;
    if (target.closest('input, textarea, select, [contenteditable]')) return;
    var search = document.getElementById('search');
    if (!search) return;
    event.preventDefault();
    search.focus();
    search.select();
  }

  /** Live tail: connect (htmx-ext-sse), pause (buffer rows), resume (show them). */
  function setUpLiveTail() {
    var box = document.getElementById('live-tail');
    var button = document.getElementById('live-toggle');
    var status = document.getElementById('live-status');
    var rows = document.getElementById('event-rows');
    if (!box || !button || !rows || !window.htmx) return;
    var state = 'off';
    var buffered = [];

    function show(text, label, pressed) {
      status.textContent = text;
      button.textContent = label;
      button.setAttribute('aria-pressed', pressed ? 'true' : 'false');
    }

    function connect() {
      var source = document.createElement('div');
      source.id = 'live-source';
      source.setAttribute('hx-ext', 'sse');
      source.setAttribute('sse-connect', box.dataset.src);
      source.setAttribute('sse-swap', 'row');
      source.setAttribute('hx-target', '#event-rows');
      source.setAttribute('hx-swap', 'afterbegin');
      box.appendChild(source);
      window.htmx.process(source);
      source.addEventListener('htmx:sseBeforeMessage', function (event) {
        if (state !== 'paused') return;
        event.preventDefault();
        buffered.push(event.detail.data);
        show('paused · ' + buffered.length + ' new', 'Resume', false);
      });
      source.addEventListener('htmx:sseOpen', function () {
        if (state === 'live') show('live', 'Pause', true);
      });
      source.addEventListener('htmx:sseError', function () {
        if (state === 'live') show('reconnecting…', 'Pause', true);
      });
    }

    button.addEventListener('click', function () {
      if (state === 'off') {
        state = 'live';
        show('connecting…', 'Pause', true);
        connect();
      } else if (state === 'live') {
        state = 'paused';
        show('paused · 0 new', 'Resume', false);
      } else {
        state = 'live';
        // Buffered rows arrived oldest first; each goes on top, as it would have live.
        buffered.forEach(function (html) {
          rows.insertAdjacentHTML('afterbegin', html);
        });
        buffered = [];
        localizeTimes(rows);
        show('live', 'Pause', true);
      }
    });
  }

  /** Unfilled inputs of the filter form stay out of the URL (`?user=alice`, not `&name=&...`). */
  function dropEmptyFields(event) {
    var entries = Array.from(event.formData.entries());
    entries.forEach(function (entry) {
      event.formData.delete(entry[0]);
    });
    entries.forEach(function (entry) {
      if (String(entry[1]).trim() !== '') event.formData.append(entry[0], entry[1]);
    });
  }

  /** A next page that failed to load says so instead of "Loading…" forever. */
  function onLoadFailed(event) {
    var row = event.detail.elt;
    if (!row || row.id !== 'more-rows') return;
    var status =
      event.detail.xhr && event.detail.xhr.status ? ' (HTTP ' + event.detail.xhr.status + ')' : '';
    row.querySelector('td').textContent =
      'Could not load older events' + status + '. Reload the page to try again.';
  }

  document.addEventListener('DOMContentLoaded', function () {
    localizeTimes(document);
    var filters = document.getElementById('filters');
    if (filters) filters.addEventListener('formdata', dropEmptyFields);
    setUpLiveTail();
    document.addEventListener('click', onCopyClick);
    document.addEventListener('keydown', onKey);
    document.body.addEventListener('htmx:responseError', onLoadFailed);
    document.body.addEventListener('htmx:sendError', onLoadFailed);
    // Rows added by infinite scroll or live tail carry UTC text until localized.
    document.body.addEventListener('htmx:afterSettle', function () {
      localizeTimes(document);
    });
  });
})();
