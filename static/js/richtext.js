/* A small rich-text editor over a <textarea class="richtext">: paragraphs, bold, italic,
   lists. The textarea keeps the HTML and is what the form posts; the server sanitises it
   (nh3), so nothing typed or pasted here can carry script. */
(function () {
  "use strict";
  // The tooltips come from base.html's <body data-rt-…> in the reader's language.
  const COMMANDS = [
    ["bold", "B", "rtBold"], ["italic", "I", "rtItalic"],
    ["insertUnorderedList", "•", "rtBullets"], ["insertOrderedList", "1.", "rtNumbers"],
  ];

  function init(area) {
    if (area.dataset.ready || area.readOnly) return;
    area.dataset.ready = "1";
    const box = document.createElement("div");
    box.className = "rt";
    const bar = document.createElement("div");
    bar.className = "rt-bar"; bar.setAttribute("role", "toolbar");
    const editor = document.createElement("div");
    editor.className = "rt-body prose"; editor.contentEditable = "true";
    editor.setAttribute("role", "textbox"); editor.setAttribute("aria-multiline", "true");
    editor.lang = area.lang;
    if (area.labels && area.labels[0]) editor.setAttribute("aria-label", area.labels[0].textContent.trim());
    editor.innerHTML = area.value || "<p><br></p>";
    COMMANDS.forEach(([cmd, label, key]) => {
      const b = document.createElement("button");
      const name = document.body.dataset[key] || label;
      b.type = "button"; b.textContent = label; b.title = name; b.className = "rt-btn";
      b.setAttribute("aria-label", name);
      b.addEventListener("mousedown", (e) => { e.preventDefault(); document.execCommand(cmd); sync(); });
      bar.append(b);
    });
    function sync() { area.value = editor.innerHTML; }
    editor.addEventListener("input", sync);
    editor.addEventListener("paste", (e) => {
      // Paste as plain text: Word's markup is not the document's.
      e.preventDefault();
      const text = (e.clipboardData || window.clipboardData).getData("text/plain");
      document.execCommand("insertText", false, text);
    });
    document.execCommand("defaultParagraphSeparator", false, "p");
    area.hidden = true;
    area.after(box);
    box.append(bar, editor);
  }

  function initAll(root) { (root || document).querySelectorAll("textarea.richtext").forEach(init); }
  document.addEventListener("DOMContentLoaded", () => initAll(document));
  document.addEventListener("htmx:load", (e) => initAll(e.target));
})();
