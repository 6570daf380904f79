/* Size finder and variant picker on a product page, without a page load.
   The page works without this file: the finder form submits ?waist=... and the server answers
   with the same rule (shop/sizing.py): neighbouring sizes share their boundary, and a
   measurement on a boundary or outside every size gets an offer of a fitting call. */
(function () {
    "use strict";
    var form = document.querySelector("[data-size-finder]");
    var select = document.querySelector("[data-variant-select]");
    var table = document.querySelector("[data-size-guide]");
    if (!form || !select || !table) { return; }
    var input = form.querySelector("input[name=waist]");
    var result = document.getElementById("size-finder-result");
    var price = document.querySelector("[data-variant-price]");
    var stock = document.querySelector("[data-variant-stock]");
    var rows = Array.prototype.map.call(table.querySelectorAll("tbody tr"), function (tr) {
        return { size: tr.dataset.size, min: Number(tr.dataset.min), max: Number(tr.dataset.max) };
    });

    function showVariant() {
        var option = select.options[select.selectedIndex];
        if (!option) { return; }
        price.textContent = option.dataset.price;
        stock.textContent = option.dataset.stock;
    }

    function selectSize(size) {
        var options = Array.prototype.filter.call(select.options, function (o) { return o.dataset.size === size; });
        var pick = options.filter(function (o) { return !o.disabled; })[0];
        if (pick) { select.value = pick.value; showVariant(); }
        return pick;
    }

    form.addEventListener("submit", function (event) {
        var text = input.value.trim().toLowerCase().replace(/cm$/, "").trim().replace(",", ".");
        var cm = Number(text);
        if (!text || !isFinite(cm) || cm < 10 || cm > 300) {
            return; /* let the server explain what it expects */
        }
        event.preventDefault();
        var fitting = rows.filter(function (r) { return r.min <= cm && cm <= r.max; });
        input.removeAttribute("aria-invalid");
        if (fitting.length === 1) {
            var pick = selectSize(fitting[0].size);
            result.textContent = cm + " cm: size " + fitting[0].size + (pick
                ? " fits you. We've selected it below."
                : " fits you, but it is out of stock in every colour. Get an email when it's back below.");
        } else {
            /* Between two sizes, or outside them all: the server's answer has the fitting-call link. */
            form.submit();
        }
    });

    select.addEventListener("change", showVariant);
})();
