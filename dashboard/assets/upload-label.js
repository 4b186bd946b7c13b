/* dcc.Upload renders a transparent file <input> with no accessible name (axe: 'label').
 * For every wrapper with data-upload-label, name the input after the wrapper, and show
 * the usual focus outline on the drop zone while the (invisible) input has focus, so a
 * keyboard user can see where they are; Enter or Space on the input opens the chooser. */
(function () {
  "use strict";

  function enhance(wrapper) {
    var text = wrapper.getAttribute("data-upload-label");
    var input = wrapper.querySelector("input[type=file]");
    if (!input || input.getAttribute("data-upload-enhanced")) {
      return;
    }
    input.setAttribute("data-upload-enhanced", "1");
    input.setAttribute("aria-label", text);
    var zone = input.parentElement;
    input.addEventListener("focus", function () {
      zone.style.outline = "3px solid #ffdd00";
      zone.style.boxShadow = "0 0 0 5px #0b0c0c";
    });
    input.addEventListener("blur", function () {
      zone.style.outline = "";
      zone.style.boxShadow = "";
    });
  }

  function scan() {
    var wrappers = document.querySelectorAll("[data-upload-label]");
    for (var i = 0; i < wrappers.length; i += 1) {
      enhance(wrappers[i]);
    }
  }

  new MutationObserver(scan).observe(document.documentElement, {
    childList: true,
    subtree: true,
  });
  document.addEventListener("DOMContentLoaded", scan);
})();
