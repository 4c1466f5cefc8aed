/* Signing a hand-over document with ЭЦП (Rules §14, Law 370-II Art. 7).
   The key never leaves the signer's computer: NCALayer (static/vendor/ncalayer) makes a
   detached CMS over the document's exact bytes; the server checks it with NCANode.
   Markup: a button [data-sign] in templates/exports/_documents.html carrying the
   document's download and signing addresses. No inline script: works under a strict CSP. */
(function () {
  "use strict";

  function csrfToken() {
    // The page's token, as htmx sends it (base.html: <body hx-headers=…>).
    try { return JSON.parse(document.body.getAttribute("hx-headers"))["X-CSRFToken"] || ""; }
    catch (e) { return ""; }
  }

  function say(button, text, isError) {
    const out = button.closest("td").querySelector("[data-sign-status]");
    out.textContent = text;
    out.classList.toggle("field-error", Boolean(isError));
  }

  async function sign(button) {
    const d = button.dataset;
    button.disabled = true;
    try {
      say(button, d.msgConnecting, false);
      const client = new window.NCALayerClient();
      try {
        await client.connect();
      } catch (e) {
        say(button, d.msgNoLayer, true);
        return;
      }
      const file = await fetch(d.download, { credentials: "same-origin" });
      if (!file.ok) { say(button, d.msgFailed + " (" + file.status + ")", true); return; }
      const bytes = await file.arrayBuffer();
      say(button, d.msgChoose, false);
      let cms;
      try {
        cms = await client.basicsSignCMS(
          window.NCALayerClient.basicsStorageAll,
          bytes,
          window.NCALayerClient.basicsCMSParamsDetached,
          window.NCALayerClient.basicsSignerSignAny,
          document.documentElement.lang === "kk" ? "kk" : (document.documentElement.lang === "en" ? "en" : "ru")
        );
      } catch (e) {
        say(button, e && e.canceledByUser ? d.msgCancelled : d.msgFailed + " " + (e && e.message || ""), true);
        return;
      }
      say(button, d.msgChecking, false);
      const body = new URLSearchParams({ cms: cms });
      const answer = await fetch(d.action, {
        method: "POST",
        credentials: "same-origin",
        headers: { "X-CSRFToken": csrfToken(), "Content-Type": "application/x-www-form-urlencoded" },
        body: body,
      });
      let json = {};
      try { json = await answer.json(); } catch (e) { /* not JSON */ }
      if (answer.ok) {
        window.location.reload();
        return;
      }
      say(button, (json.errors || [d.msgFailed]).join(" "), true);
    } finally {
      button.disabled = false;
    }
  }

  document.addEventListener("click", function (event) {
    const button = event.target.closest("[data-sign]");
    if (!button) return;
    event.preventDefault();
    sign(button);
  });
})();
