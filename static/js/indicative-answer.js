/* The indicative answer on the health-fund form, as soon as fund, cover level and support are
   chosen. Without this file the form still works: the answer is shown after sending. */
(function () {
    "use strict";
    var form = document.querySelector("form[data-indicative-url]");
    if (!form || !window.fetch) { return; }
    var out = document.getElementById("indicative-answer");
    var fields = ["fund", "cover_level", "product"].map(function (n) { return form.elements[n]; });

    function text(tag, content, cls) {
        var el = document.createElement(tag);
        el.textContent = content;
        if (cls) { el.className = cls; }
        return el;
    }

    function show(a) {
        out.textContent = "";
        var card = document.createElement("div");
        card.className = "card card-body indicative-card";
        card.appendChild(text("h2", "Indicative answer for " + a.fund, "h5"));
        if (a.known) {
            var cover = a.cover_ok === false ? " Your level of cover may not include it."
                : a.cover_ok ? " Your level of cover usually includes it." : "";
            card.appendChild(text("p", a.claimable_label + " for " + a.category.toLowerCase() +
                " supports, on " + a.minimum_cover_label.toLowerCase() + " or higher." + cover));
            var list = document.createElement("ul");
            list.appendChild(text("li", a.referral_required
                ? "A referral from a GP, physiotherapist or podiatrist is usually needed."
                : "A referral is not usually needed."));
            list.appendChild(text("li", "Usual waiting period: " + a.waiting_period_months + " months."));
            if (a.rebate_max_percent) {
                list.appendChild(text("li", "Typical rebate: " + a.rebate_min_percent + "–" +
                    a.rebate_max_percent + "% of the price" +
                    (a.annual_limit_aud ? ", up to $" + a.annual_limit_aud + " a year." : ".")));
            }
            card.appendChild(list);
            if (a.notes) { card.appendChild(text("p", a.notes)); }
        } else {
            card.appendChild(text("p", "We don't have " + a.fund + "'s rules for this support in our table yet. Our team will check with the fund and tell you."));
        }
        card.appendChild(text("p", "This is an indication from our own table of what funds usually pay, not a promise: only your fund can confirm what you can claim.", "small text-muted mb-0"));
        out.appendChild(card);
    }

    function update() {
        if (fields.some(function (f) { return !f || !f.value; })) { out.textContent = ""; return; }
        var params = new URLSearchParams({ fund: fields[0].value, cover_level: fields[1].value, product: fields[2].value });
        fetch(form.dataset.indicativeUrl + "?" + params, { headers: { "Accept": "application/json" } })
            .then(function (r) { return r.ok ? r.json() : null; })
            .then(function (a) { if (a) { show(a); } })
            .catch(function () { /* the answer still comes after sending */ });
    }

    fields.forEach(function (f) { if (f) { f.addEventListener("change", update); } });
    update();
})();
