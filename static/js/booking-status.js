/* While a booking waits in the queue, ask the server every two seconds and reload the page
   once its status changes, so the customer sees the confirmation without doing anything. */
(function () {
    "use strict";
    var box = document.querySelector(".booking-status");
    if (!box || box.dataset.status !== "queued" || !window.fetch) { return; }
    var tries = 0;
    function poll() {
        fetch(box.dataset.statusUrl, { headers: { "Accept": "application/json" } })
            .then(function (r) { return r.json(); })
            .then(function (data) {
                if (data.status !== "queued") { window.location.reload(); return; }
                if (++tries < 300) { window.setTimeout(poll, 2000); }
            })
            .catch(function () { window.setTimeout(poll, 5000); });
    }
    window.setTimeout(poll, 1000);
})();
