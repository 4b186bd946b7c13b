/* dcc.Dropdown (Dash 4) puts the keyboard's tab stop on a hidden proxy <input> marked
 * aria-hidden="true", which only passes focus on to the dropdown's real button (axe:
 * aria-hidden-focus, a screen reader user tabs onto something it is told does not exist).
 * Make the labelled button itself the tab stop and take the proxy out of the tab order;
 * the button opens the list and handles the keys as before. */
(function () {
  "use strict";

  function scan() {
    var proxies = document.querySelectorAll(".dash-dropdown-focus-target:not([data-fixed])");
    for (var i = 0; i < proxies.length; i += 1) {
      var proxy = proxies[i];
      var button = proxy.parentElement && proxy.parentElement.querySelector("button.dash-dropdown");
      if (!button) {
        continue;
      }
      proxy.setAttribute("data-fixed", "1");
      proxy.tabIndex = -1;
      if (!button.disabled) {
        button.tabIndex = 0;
      }
    }
  }

  new MutationObserver(scan).observe(document.documentElement, {
    childList: true,
    subtree: true,
  });
  document.addEventListener("DOMContentLoaded", scan);
})();
