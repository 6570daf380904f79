/* Buttons that act on the browser rather than the site, without inline onclick handlers
   (the Content-Security-Policy refuses those): data-action="print" prints the page,
   data-action="back" goes back a page; without JavaScript, a "back" link simply follows its
   href. */
(function () {
    "use strict";
    document.addEventListener("click", function (event) {
        var target = event.target.closest ? event.target.closest("[data-action]") : null;
        if (!target) { return; }
        var action = target.getAttribute("data-action");
        if (action === "print") {
            event.preventDefault();
            window.print();
        } else if (action === "back" && window.history.length > 1) {
            event.preventDefault();
            window.history.back();
        }
    });
})();
