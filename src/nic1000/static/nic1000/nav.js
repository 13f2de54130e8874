/* The main menu folds behind one button on phones (app.css); the page marks itself as having JavaScript so
   that without it the menu simply stays open. A static file: the Content-Security-Policy allows no inline
   script. */
(function () {
  "use strict";
  document.documentElement.classList.add("nic-js");
  function init() {
    var nav = document.querySelector(".nic-gnb");
    var button = nav && nav.querySelector(".nic-gnb-toggle");
    if (!button) return;
    button.addEventListener("click", function () {
      var open = nav.classList.toggle("open");
      button.setAttribute("aria-expanded", open ? "true" : "false");
    });
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", init);
  else init();
})();
