/* Classifier picker: an accessible combobox over /classifiers/search.json.
   Markup: templates/sbsh/_picker.html. Chosen nodes are hidden inputs named after the
   picker, so a plain form post carries them. No inline script: works under a strict CSP. */
(function () {
  "use strict";

  function debounce(fn, ms) {
    let t;
    return function (...args) { clearTimeout(t); t = setTimeout(() => fn.apply(this, args), ms); };
  }

  function chip(picker, node) {
    const li = document.createElement("li");
    li.className = "chip";
    const input = document.createElement("input");
    input.type = "hidden"; input.name = picker.dataset.name; input.value = node.id;
    const code = document.createElement("code"); code.textContent = node.code;
    const remove = document.createElement("button");
    remove.type = "button"; remove.className = "chip-remove"; remove.textContent = "×";
    remove.setAttribute("aria-label", (picker.dataset.removeLabel || "Remove") + " " + node.code);
    li.append(input, code, " " + node.title + " ", remove);
    return li;
  }

  function init(picker) {
    if (picker.dataset.ready) return;
    picker.dataset.ready = "1";
    const input = picker.querySelector(".picker-input");
    const list = picker.querySelector(".picker-options");
    const chips = picker.querySelector(".chips");
    const multiple = picker.hasAttribute("data-multiple");
    let options = [];
    let active = -1;

    function close() { list.hidden = true; input.setAttribute("aria-expanded", "false"); active = -1; }

    function choose(node) {
      if (!multiple) chips.innerHTML = "";
      const exists = chips.querySelector('input[value="' + node.id + '"]');
      if (!exists) chips.append(chip(picker, node));
      input.value = "";
      close();
      input.dispatchEvent(new CustomEvent("picker:change", { bubbles: true }));
    }

    function render() {
      list.innerHTML = "";
      options.forEach((node, i) => {
        const li = document.createElement("li");
        li.setAttribute("role", "option");
        li.id = picker.dataset.name + "-opt-" + node.id;
        li.dataset.index = i;
        const code = document.createElement("code"); code.textContent = node.code;
        li.append(code, " " + node.title);
        if (i === active) { li.setAttribute("aria-selected", "true"); input.setAttribute("aria-activedescendant", li.id); }
        li.addEventListener("mousedown", (e) => { e.preventDefault(); choose(node); });
        list.append(li);
      });
      if (!options.length) {
        const li = document.createElement("li");
        li.className = "none"; li.textContent = picker.dataset.noneLabel || "—";
        list.append(li);
      }
      list.hidden = false;
      input.setAttribute("aria-expanded", "true");
    }

    const search = debounce(async function () {
      const q = input.value.trim();
      if (!q) { close(); return; }
      const url = new URL(picker.dataset.search, window.location.origin);
      url.searchParams.set("classifier", picker.dataset.classifier);
      url.searchParams.set("q", q);
      url.searchParams.set("limit", "15");
      if (picker.dataset.level) url.searchParams.set("level", picker.dataset.level);
      try {
        const response = await fetch(url, { headers: { Accept: "application/json" }, credentials: "same-origin" });
        if (!response.ok) return;
        const data = await response.json();
        if (input.value.trim() !== q) return;  // a newer keystroke won
        options = data.results || [];
        active = options.length ? 0 : -1;
        render();
      } catch (e) { /* offline: leave the list as it is */ }
    }, 150);

    input.addEventListener("input", search);
    input.addEventListener("keydown", (e) => {
      if (list.hidden) return;
      if (e.key === "ArrowDown") { active = Math.min(active + 1, options.length - 1); render(); e.preventDefault(); }
      else if (e.key === "ArrowUp") { active = Math.max(active - 1, 0); render(); e.preventDefault(); }
      else if (e.key === "Enter") { if (active >= 0) { choose(options[active]); } e.preventDefault(); }
      else if (e.key === "Escape") { close(); }
    });
    input.addEventListener("blur", () => setTimeout(close, 150));
    chips.addEventListener("click", (e) => {
      if (e.target.classList.contains("chip-remove")) {
        e.target.closest(".chip").remove();
        input.dispatchEvent(new CustomEvent("picker:change", { bubbles: true }));
      }
    });
  }

  function initAll(root) { (root || document).querySelectorAll(".picker").forEach(init); }
  document.addEventListener("DOMContentLoaded", () => initAll(document));
  document.addEventListener("htmx:load", (e) => initAll(e.target));
})();
