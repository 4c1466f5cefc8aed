/* Admin pages only (templates/admin/base_site.html). Django 5.2's two-box selector
   (SelectFilter2.js, e.g. a group's permissions) puts aria-label on a plain <span>, which
   ARIA does not allow (axe: aria-prohibited-attr, serious): the label of the filter box
   was never announced. The span is the magnifier icon; as role="img" its aria-label names
   the filter box. Runs after SelectFilter2's own "load" handler has built the boxes. */
(function () {
  "use strict";
  window.addEventListener("load", () => {
    document.querySelectorAll(".selector span.search-label-icon[aria-label]:not([role])")
      .forEach((icon) => icon.setAttribute("role", "img"));
  });
})();
