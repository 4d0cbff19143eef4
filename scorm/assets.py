"""The files every exported package shares: the run-time script, the quiz script and the stylesheet.

Kept as Python strings (not data files) so that they travel with the code in any install.
The script works with either run-time API: it looks for SCORM 2004's ``API_1484_11`` first, then 1.2's ``API``,
in the parent frames and then the opener, as both specifications describe.
"""

RUNTIME_JS = r"""/* Finds the LMS's SCORM run-time API and reports this page's progress through it. */
(function () {
  "use strict";

  function findIn(win, name) {
    for (var depth = 0; win && depth < 10; depth += 1) {
      try {
        if (win[name]) { return win[name]; }
      } catch (e) { /* a frame from another site: keep climbing */ }
      if (!win.parent || win.parent === win) { break; }
      win = win.parent;
    }
    return null;
  }

  function find(name) {
    var api = findIn(window, name);
    if (!api && window.opener) {
      try { api = findIn(window.opener, name); } catch (e) { api = null; }
    }
    return api;
  }

  var api2004 = find("API_1484_11");
  var api12 = api2004 ? null : find("API");
  var startedAt = new Date();
  var running = false;

  function pad(number, width) {
    var text = String(number);
    while (text.length < width) { text = "0" + text; }
    return text;
  }

  function sessionTime() {
    var centiseconds = Math.round((new Date() - startedAt) / 10);
    var hours = Math.floor(centiseconds / 360000);
    var minutes = Math.floor(centiseconds % 360000 / 6000);
    var seconds = (centiseconds % 6000) / 100;
    if (api2004) { return "PT" + hours + "H" + minutes + "M" + seconds.toFixed(2) + "S"; }
    return pad(Math.min(hours, 9999), 4) + ":" + pad(minutes, 2) + ":" + pad(seconds.toFixed(2), 5);
  }

  function get(name) {
    if (api2004) { return String(api2004.GetValue(name)); }
    if (api12) { return String(api12.LMSGetValue(name)); }
    return "";
  }

  function set(name, value) {
    if (api2004) { return api2004.SetValue(name, String(value)); }
    if (api12) { return api12.LMSSetValue(name, String(value)); }
    return "false";
  }

  function commit() {
    if (api2004) { api2004.Commit(""); } else if (api12) { api12.LMSCommit(""); }
  }

  var scorm = {
    version: api2004 ? "2004" : (api12 ? "1.2" : null),
    get: get,
    set: set,
    commit: commit,

    start: function () {
      if (running || !scorm.version) { return; }
      running = String(api2004 ? api2004.Initialize("") : api12.LMSInitialize("")) === "true";
      if (running && api12 && get("cmi.core.lesson_status") === "not attempted") {
        set("cmi.core.lesson_status", "incomplete");
      }
    },

    complete: function () {
      if (!running) { return; }
      if (api2004) {
        set("cmi.completion_status", "completed");
      } else if (get("cmi.core.lesson_status") !== "passed" && get("cmi.core.lesson_status") !== "failed") {
        set("cmi.core.lesson_status", "completed");
      }
      commit();
    },

    /* result: {scaled: 0..1, passed: bool, answers: [{id, type, response, pattern, correct}]}
       where response and pattern are lists of option ids. */
    report: function (result) {
      if (!running) { return; }
      var first = parseInt(get("cmi.interactions._count"), 10) || 0;
      var list = api2004 ? "[,]" : ",";
      result.answers.forEach(function (answer, offset) {
        var prefix = "cmi.interactions." + (first + offset) + ".";
        var words = answer.response, pattern = answer.pattern;
        if (answer.type === "true-false" && api12) {
          words = words.map(function (word) { return word.charAt(0); });
          pattern = pattern.map(function (word) { return word.charAt(0); });
        }
        set(prefix + "id", answer.id);
        set(prefix + "type", answer.type);
        set(prefix + "correct_responses.0.pattern", pattern.join(list));
        if (words.length) {  /* an unanswered question has no response (true-false allows no empty one) */
          set(prefix + (api2004 ? "learner_response" : "student_response"), words.join(list));
        }
        set(prefix + "result", answer.correct ? "correct" : (api2004 ? "incorrect" : "wrong"));
      });
      var percent = Math.round(result.scaled * 100);
      if (api2004) {
        set("cmi.score.scaled", result.scaled.toFixed(4));
        set("cmi.score.raw", percent);
        set("cmi.score.min", 0);
        set("cmi.score.max", 100);
        set("cmi.success_status", result.passed ? "passed" : "failed");
        set("cmi.completion_status", "completed");
      } else {
        set("cmi.core.score.raw", percent);
        set("cmi.core.score.min", 0);
        set("cmi.core.score.max", 100);
        set("cmi.core.lesson_status", result.passed ? "passed" : "failed");
      }
      commit();
    },

    finish: function () {
      if (!running) { return; }
      running = false;
      if (api2004) {
        set("cmi.session_time", sessionTime());
        set("cmi.exit", "normal");
        api2004.Terminate("");
      } else {
        set("cmi.core.session_time", sessionTime());
        set("cmi.core.exit", "");
        api12.LMSFinish("");
      }
    }
  };

  window.scormExport = scorm;
  window.addEventListener("pagehide", scorm.finish);
  window.addEventListener("beforeunload", scorm.finish);
  document.addEventListener("DOMContentLoaded", function () {
    scorm.start();
    var status = document.getElementById("scorm-status");
    if (status && !scorm.version) { status.hidden = false; }
    if (document.body.getAttribute("data-kind") === "lesson") { scorm.complete(); }
  });
}());
"""

QUIZ_JS = r"""/* Grades the quiz in the browser and reports score, success and each answer through the SCORM API. */
(function () {
  "use strict";

  function chosen(form, question) {
    var inputs = form.querySelectorAll("input[name='" + question.id + "']");
    return Array.prototype.filter.call(inputs, function (input) { return input.checked; })
      .map(function (input) { return input.value; });
  }

  function sameSet(left, right) {
    return left.length === right.length && left.every(function (value) { return right.indexOf(value) >= 0; });
  }

  document.addEventListener("DOMContentLoaded", function () {
    var key = JSON.parse(document.getElementById("quiz-key").textContent);
    var form = document.getElementById("quiz");
    var summary = document.getElementById("quiz-result");
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      var answers = key.questions.map(function (question) {
        var response = chosen(form, question);
        return {id: question.id, type: question.type, response: response, pattern: question.correct,
                correct: sameSet(response, question.correct)};
      });
      var right = answers.filter(function (answer) { return answer.correct; }).length;
      var scaled = answers.length ? right / answers.length : 0;
      var passed = scaled >= key.pass;
      answers.forEach(function (answer) {
        var box = form.querySelector("[data-question='" + answer.id + "']");
        var verdict = box.querySelector(".verdict");
        verdict.textContent = answer.correct ? key.labels.correct : key.labels.incorrect;
        verdict.hidden = false;
        box.classList.add(answer.correct ? "is-correct" : "is-incorrect");
        var feedback = box.querySelector(".feedback");
        if (feedback) { feedback.hidden = false; }
      });
      Array.prototype.forEach.call(form.querySelectorAll("input, button"), function (control) {
        control.disabled = true;
      });
      summary.textContent = key.labels.score + " " + Math.round(scaled * 100) + "% (" + right + "/" +
        answers.length + "). " + (passed ? key.labels.passed : key.labels.failed);
      summary.hidden = false;
      if (window.scormExport) { window.scormExport.report({scaled: scaled, passed: passed, answers: answers}); }
    });
  });
}());
"""

STYLE_CSS = """/* Readable on a phone and a desktop; states are written in words, never shown by colour alone. */
body { font: 1rem/1.6 system-ui, -apple-system, "Segoe UI", "Noto Sans", "PingFang SC", sans-serif;
       margin: 0; color: #1d2330; background: #fff; }
main { max-width: 46rem; margin: 0 auto; padding: 1rem 1.25rem 3rem; }
h1 { font-size: 1.6rem; line-height: 1.3; }
img, video { max-width: 100%; height: auto; }
table { border-collapse: collapse; display: block; overflow-x: auto; }
td, th { border: 1px solid #c8ccd4; padding: .35rem .6rem; }
.question { border: 1px solid #c8ccd4; border-radius: .5rem; margin: 0 0 1rem; padding: .75rem 1rem; }
.question legend { font-weight: 600; padding: 0 .25rem; }
.question label { display: flex; gap: .6rem; align-items: flex-start; padding: .35rem 0; min-height: 2.75rem; }
.question input { width: 1.25rem; height: 1.25rem; margin-top: .2rem; flex: none; }
.question.is-correct { border-color: #1b7a3d; border-width: 2px; }
.question.is-incorrect { border-color: #b3261e; border-width: 2px; }
.verdict { font-weight: 600; }
.feedback { background: #f3f4f7; padding: .5rem .75rem; border-radius: .35rem; }
button { font: inherit; padding: .6rem 1.2rem; min-height: 2.75rem; border-radius: .4rem; border: 1px solid #1d4ed8;
         background: #1d4ed8; color: #fff; }
button:disabled { opacity: .6; }
#quiz-result { font-weight: 600; font-size: 1.1rem; }
.notice { background: #fff6d6; padding: .5rem .75rem; border-radius: .35rem; }
"""
