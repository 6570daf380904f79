/* The article form's live preview: as the editor types, the form is posted (400 ms after the
   last key) to the preview endpoint, which renders it as the public page would, and the pane
   shows the answer. Without this file the "Preview" button shows the same on a new page. */
(function () {
    "use strict";
    var form = document.querySelector("form[data-preview-url]");
    if (!form || !window.fetch || !window.FormData) { return; }
    var pane = document.getElementById("article-preview");
    var status = document.getElementById("article-preview-status");
    var timer = null;
    var latest = 0;

    function update() {
        var request = ++latest;
        var data = new FormData(form);
        data.delete("featured_image");  // the preview does not show it; do not upload it
        pane.setAttribute("aria-busy", "true");
        fetch(form.dataset.previewUrl, {
            method: "POST",
            body: data,
            credentials: "same-origin",
            redirect: "error"  // signed out: the login page must not land in the pane
        })
            .then(function (r) {
                if (!r.ok) { throw new Error(r.status); }
                return r.text();
            })
            .then(function (html) {
                if (request !== latest) { return; }  // an older answer arriving late
                pane.innerHTML = html;
                status.textContent = "";
            })
            .catch(function () {
                if (request === latest) {
                    status.textContent = "The preview could not be updated: check that you are " +
                        "still signed in, then try again.";
                }
            })
            .finally(function () {
                if (request === latest) { pane.removeAttribute("aria-busy"); }
            });
    }

    function later() {
        window.clearTimeout(timer);
        timer = window.setTimeout(update, 400);
    }

    ["title", "standfirst", "body"].forEach(function (name) {
        form.elements[name].addEventListener("input", later);
    });
    form.querySelector("button[name=preview]").addEventListener("click", function (event) {
        event.preventDefault();
        window.clearTimeout(timer);
        update();
    });
})();
