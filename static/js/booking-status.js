/* While a booking waits in the queue, ask the server every two seconds; once the worker has
   placed it, fetch this page again and put its new state in place, without reloading: the
   customer keeps their place on the page and the live region announces the change. Without
   JavaScript the page refreshes itself (<noscript> in the template). */
(function () {
    "use strict";
    var box = document.querySelector(".booking-status");
    if (!box || box.dataset.status !== "queued" || !window.fetch || !window.DOMParser) { return; }
    var tries = 0;

    function later(delay) {
        if (++tries < 300) { window.setTimeout(poll, delay); }
    }

    function poll() {
        fetch(box.dataset.statusUrl, { headers: { "Accept": "application/json" } })
            .then(function (r) { return r.json(); })
            .then(function (data) {
                if (data.status !== "queued") { return refresh(); }
                var position = box.querySelector("[data-queue-position]");
                if (position && data.position) { position.textContent = "number " + data.position; }
                later(2000);
            })
            .catch(function () { later(5000); });
    }

    /* This page as the server now renders it: its status box and the section for changing
       the call replace the ones shown. */
    function refresh() {
        return fetch(window.location.pathname, { headers: { "Accept": "text/html" } })
            .then(function (r) {
                if (!r.ok) { throw new Error("booking page answered " + r.status); }
                return r.text();
            })
            .then(function (html) {
                var fresh = new DOMParser().parseFromString(html, "text/html");
                var freshBox = fresh.querySelector(".booking-status");
                if (!freshBox) { throw new Error("no booking status in the page"); }
                box.innerHTML = freshBox.innerHTML;
                box.dataset.status = freshBox.dataset.status;
                var change = document.querySelector(".booking-change");
                var freshChange = fresh.querySelector(".booking-change");
                if (change) { change.remove(); }
                if (freshChange) { box.after(document.importNode(freshChange, true)); }
                if (box.dataset.status === "queued") { later(2000); }
            })
            .catch(function () { later(5000); });
    }

    window.setTimeout(poll, 1000);
})();
