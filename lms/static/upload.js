/* Uploading a content package (SCORM, cmi5, Tin Can) with a progress bar (XMLHttpRequest upload events), for the
   form marked data-upload. The server answers JSON: where to go when the package was imported, or the errors to
   show beside their fields. Without JavaScript the form posts as usual and the page comes back with the same
   errors. The page gives the texts in a JSON script element with the id "upload-texts". */
(function () {
  "use strict";

  var form = document.querySelector("form[data-upload]");
  if (!form || !window.FormData || !window.XMLHttpRequest) { return; }
  var texts = JSON.parse(document.getElementById("upload-texts").textContent);
  var box = document.getElementById(form.id + "-progress");
  var bar = box.querySelector("progress");
  var status = box.querySelector("[role=status]");

  function clearErrors() {
    Array.prototype.forEach.call(form.querySelectorAll("ul.errors"), function (list) {
      var field = list.parentNode;
      field.classList.remove("has-error");
      var input = field.querySelector("input, select");
      if (input) { input.removeAttribute("aria-invalid"); input.removeAttribute("aria-describedby"); }
      list.remove();
    });
  }

  function showErrors(errors) {
    Object.keys(errors).forEach(function (name) {
      var input = form.elements[name];
      var field = input && input.closest ? input.closest(".field") : null;
      if (!field) { return; }
      var list = document.createElement("ul");
      list.className = "errors";
      list.id = name + "-upload-errors";
      errors[name].forEach(function (message) {
        var item = document.createElement("li");
        var strong = document.createElement("strong");
        strong.textContent = texts.error + " ";
        item.appendChild(strong);
        item.appendChild(document.createTextNode(message));
        list.appendChild(item);
      });
      field.classList.add("has-error");
      field.appendChild(list);
      input.setAttribute("aria-invalid", "true");
      input.setAttribute("aria-describedby", list.id);
    });
    var first = form.querySelector("[aria-invalid=true]");
    if (first) { first.focus(); }
  }

  form.addEventListener("submit", function (event) {
    event.preventDefault();
    clearErrors();
    var button = form.querySelector("[type=submit]");
    var request = new XMLHttpRequest();
    request.open("POST", form.action || window.location.href);
    request.setRequestHeader("X-Requested-With", "XMLHttpRequest");
    request.upload.addEventListener("progress", function (progress) {
      if (!progress.lengthComputable) { return; }
      var percent = Math.round(100 * progress.loaded / progress.total);
      bar.value = percent;
      status.textContent = percent < 100 ? texts.uploading.replace("{percent}", percent) : texts.checking;
    });
    request.addEventListener("load", function () {
      var answer = null;
      try { answer = JSON.parse(request.responseText); } catch (error) { answer = null; }
      if (answer && answer.ok) { window.location.assign(answer.redirect); return; }
      button.disabled = false;
      if (answer && answer.errors) {
        box.hidden = true;
        showErrors(answer.errors);
      } else {
        status.textContent = texts.failed;
      }
    });
    request.addEventListener("error", function () {
      button.disabled = false;
      status.textContent = texts.failed;
    });
    bar.value = 0;
    status.textContent = texts.uploading.replace("{percent}", 0);
    box.hidden = false;
    button.disabled = true;
    request.send(new FormData(form));
  });
}());
