/* The lesson editor's live preview: as the author types, the server renders the Markdown exactly as learners will
   get it (POST to the form's data-preview-url, JSON back) and it is shown beside the text. Without JavaScript the
   form's Preview button does the same with a full page. No libraries, no external URLs. */
(function () {
  "use strict";
  var form = document.querySelector("form[data-preview-url]");
  if (!form || !window.fetch) { return; }
  var url = form.getAttribute("data-preview-url");
  var tokenInput = form.querySelector("input[name=csrf_token]");
  var DELAY = 400;

  function render(textarea, target) {
    var sent = textarea.value;
    target.setAttribute("aria-busy", "true");
    fetch(url, {
      method: "POST",
      credentials: "same-origin",
      headers: {"Content-Type": "application/json", "X-CSRFToken": tokenInput ? tokenInput.value : ""},
      body: JSON.stringify({source: sent})
    }).then(function (response) {
      return response.json().then(function (data) { return {ok: response.ok, data: data}; });
    }).then(function (reply) {
      if (textarea.value !== sent) { return; }  // a newer request is on its way
      if (reply.ok) {
        target.innerHTML = reply.data.html;  // sanitised on the server, like every published lesson
      } else {
        target.textContent = reply.data.error || "";
      }
    }).catch(function () {
      /* Offline or the server is down: the Preview button still works once it is back. */
    }).then(function () { target.removeAttribute("aria-busy"); });
  }

  Array.prototype.forEach.call(form.querySelectorAll("[data-preview-for]"), function (target) {
    var textarea = document.getElementById(target.getAttribute("data-preview-for"));
    if (!textarea) { return; }
    var timer = null;
    textarea.addEventListener("input", function () {
      window.clearTimeout(timer);
      timer = window.setTimeout(function () { render(textarea, target); }, DELAY);
    });
    if (textarea.value.trim()) { render(textarea, target); }
  });
}());
