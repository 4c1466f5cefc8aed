/* Small behaviours every page shares (no inline script: the CSP forbids it).
   - data-confirm on a form or its submit button: ask before an irreversible step; the
     text (in the reader's language) says what will happen. htmx buttons use hx-confirm.
   - Unsaved-changes guard: a post form the user has typed in warns before the page is
     left (another section, the language switch, a link) until it is submitted.
   - A counter under every field with a maxlength once three quarters are used, a rich-text
     part's included (under its editor box; it counts the HTML the form posts, which is
     what the server measures against the limit).
   - [data-toggle=ID] buttons open and close the phone menus. */
(function () {
  "use strict";
  document.documentElement.classList.add("js");
  const dirty = new Set();

  document.addEventListener("submit", (e) => {
    const form = e.target;
    const ask = (e.submitter && e.submitter.dataset.confirm) || form.dataset.confirm;
    if (ask && !window.confirm(ask)) { e.preventDefault(); e.stopImmediatePropagation(); return; }
    dirty.delete(form);
  }, true);

  function watched(el) {
    const form = el.form || (el.closest && el.closest("form"));
    if (!form || (form.method || "").toLowerCase() !== "post" || form.hasAttribute("data-no-guard")) return null;
    return form;
  }
  document.addEventListener("input", (e) => {
    const form = watched(e.target);
    if (form) dirty.add(form);
    const field = e.target.maxLength > 0 ? e.target : richArea(e.target);
    if (field) count(field);
  });
  // An htmx save replaces or resets the form: it is no longer unsaved.
  document.addEventListener("htmx:afterRequest", (e) => {
    const form = e.target.closest && e.target.closest("form");
    if (form && e.detail.successful) dirty.delete(form);
  });
  window.addEventListener("beforeunload", (e) => {
    for (const form of dirty) {
      if (!form.isConnected) { dirty.delete(form); continue; }
      e.preventDefault(); e.returnValue = ""; return "";
    }
  });

  // The textarea behind a rich-text editor box (static/js/richtext.js puts the box right
  // after it and keeps the textarea's value in step before this listener runs).
  function richArea(el) {
    const box = el.closest && el.closest(".rt");
    const area = box && box.previousElementSibling;
    return area && area.tagName === "TEXTAREA" && area.maxLength > 0 ? area : null;
  }

  function count(field) {
    const max = field.maxLength, used = field.value.length;
    const shown = field.hidden && field.nextElementSibling && field.nextElementSibling.classList.contains("rt")
      ? field.nextElementSibling : field;
    let out = shown.nextElementSibling && shown.nextElementSibling.classList.contains("counter") ? shown.nextElementSibling : null;
    if (used < max * 0.75) { if (out) out.hidden = true; return; }
    if (!out) {
      out = document.createElement("small");
      out.className = "counter"; out.setAttribute("aria-live", "polite");
      shown.after(out);
    }
    out.hidden = false;
    out.textContent = (document.body.dataset.counter || "{used} / {max}")
      .replace("{used}", used).replace("{max}", max);
    out.classList.toggle("full", used >= max);
  }

  // A box that scrolls sideways must be reachable by keyboard (WCAG 2.1.1): give it a
  // tab stop when it really scrolls and holds nothing focusable itself.
  const SCROLLERS = ".t1-section, .sqf-document, .scroll, .table-scroll, table.data, table.fmap, pre";
  function focusableScrollers(root) {
    root.querySelectorAll(SCROLLERS).forEach((box) => {
      if (box.hasAttribute("tabindex") || box.scrollWidth <= box.clientWidth + 1) return;
      const style = getComputedStyle(box).overflowX;
      if (style !== "auto" && style !== "scroll") return;
      if (box.querySelector("a[href], button, input, select, textarea, [tabindex]")) return;
      box.tabIndex = 0;
    });
  }
  document.addEventListener("DOMContentLoaded", () => focusableScrollers(document));
  // A text already near its limit shows its counter on arrival, not at the first key.
  function countAll(root) {
    root.querySelectorAll("input[maxlength], textarea[maxlength]").forEach((f) => {
      if (f.maxLength > 0 && f.value.length >= f.maxLength * 0.75) count(f);
    });
  }
  document.addEventListener("DOMContentLoaded", () => countAll(document));
  document.addEventListener("htmx:load", (e) => countAll(e.target.parentElement || document));
  document.addEventListener("htmx:load", (e) => focusableScrollers(e.target.parentElement || document));
  window.addEventListener("resize", () => focusableScrollers(document));

  // The comment form: only the columns of the table whose row is chosen ("" = whole row).
  function columnsFor(anchor) {
    const form = anchor.form, column = form && form.elements.column;
    if (!column || !column.options) return;
    const table = (anchor.value.match(/^(table[13]):/) || [])[1] || "";
    for (const option of column.options) {
      const fits = !option.dataset.table || option.dataset.table === table;
      option.hidden = !fits; option.disabled = !fits;
    }
    for (const group of column.querySelectorAll("optgroup")) {
      group.hidden = ![...group.children].some((o) => !o.hidden);
    }
    if (column.selectedOptions[0] && column.selectedOptions[0].disabled) column.value = "";
  }
  document.addEventListener("change", (e) => { if (e.target.name === "anchor") columnsFor(e.target); });
  document.addEventListener("DOMContentLoaded", () => {
    document.querySelectorAll("select[name=anchor]").forEach(columnsFor);
  });

  document.addEventListener("click", (e) => {
    const b = e.target.closest && e.target.closest("[data-toggle]");
    if (!b) return;
    const box = document.getElementById(b.dataset.toggle);
    if (!box) return;
    const open = !box.classList.contains("open");
    box.classList.toggle("open", open);
    b.setAttribute("aria-expanded", String(open));
  });
})();
