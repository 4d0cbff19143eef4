/* The SCORM player's glue (lms/launch/scorm_views.py): scorm-again provides the SCORM 1.2 `API` or 2004
   `API_1484_11` object; this script loads the attempt's CMI values into it before the content starts, sends its
   commits to the LMS, and acts on the end of a session (Terminate, a 2004 navigation request, the player's own
   buttons, leaving the page).

   Commits are synchronous JSON POSTs, so content learns whether they were saved. The last commit of a page that is
   going away cannot wait for an answer: it goes by navigator.sendBeacon, as text/plain. When the learner leaves
   with the player's own buttons, the content is closed first and its last commit is saved before the next page
   loads, so that page already shows what this one recorded (a part just finished unlocks the next). */
(function () {
  "use strict";

  var config = JSON.parse(document.getElementById("scorm-launch").textContent);
  var texts = config.texts;
  var is2004 = config.version === "2004";
  var failure = is2004 ? 391 : 101;
  var statusLine = document.getElementById("scorm-status");
  var stage = document.getElementById("scorm-stage");
  var frame = document.getElementById("scorm-frame");
  var ended = document.getElementById("scorm-ended");
  var nav = config.nav;
  var state = {initialized: false, terminated: false, leaving: false, closing: false, dismissing: false,
               navRequest: "", pending: []};

  function say(message) {
    if (statusLine && !config.isReview) { statusLine.textContent = message; }
  }

  /* One POST that waits for its answer (null when there is none: the network failed). */
  function post(url, body) {
    var request = new XMLHttpRequest();
    try {
      request.open("POST", url, false);
      request.setRequestHeader("Content-Type", "application/json");
      request.setRequestHeader("X-Requested-With", "XMLHttpRequest");
      request.send(body);
    } catch (error) {
      return null;
    }
    try { return JSON.parse(request.responseText); } catch (error) { return null; }
  }

  function beacon(url, body) {
    if (!navigator.sendBeacon) { return false; }
    try {
      return navigator.sendBeacon(url, new Blob([body], {type: "text/plain;charset=UTF-8"}));
    } catch (error) {
      return false;
    }
  }

  function answered(answer) {
    if (!answer || answer.result !== "true") {
      say(answer && answer.error ? answer.error : texts.failed);
      return false;
    }
    if (answer.refused && Object.keys(answer.refused).length && window.console) {
      window.console.warn("The LMS did not store these SCORM values:", answer.refused);
    }
    say(texts.saved);
    if (answer.nav) { showNavigation(answer.nav); }
    return true;
  }

  /* An asynchronous POST, for the moments a synchronous one is refused: while the content's page is being
     unloaded (browsers forbid synchronous requests from unload handlers). The player waits for these before it
     moves on (see leaveTo). */
  function postLater(url, body) {
    var request = window.fetch(url, {
      method: "POST", body: body, credentials: "same-origin", keepalive: body.length < 60000,
      headers: {"Content-Type": "application/json", "X-Requested-With": "XMLHttpRequest"}
    }).then(function (response) { return response.json(); }).then(answered, function () { say(texts.failed); });
    state.pending.push(request);
  }

  /* scorm-again's HTTP service, replaced: commits go to the LMS as JSON and content gets the LMS's answer; while
     the content is being closed they go without waiting, and once the page itself is being left they go by
     beacon (nothing can be awaited then). */
  var transport = {
    reportsRequestCompletion: false,
    processHttpRequest: function (url, params) {
      var body = JSON.stringify(params);
      if (state.dismissing && beacon(url, body)) {
        return {result: "true", errorCode: 0};
      }
      if (state.closing || state.dismissing) {
        postLater(url, body);
        return {result: "true", errorCode: 0};
      }
      say(texts.saving);
      var ok = answered(post(url, body));
      return {result: ok ? "true" : "false", errorCode: ok ? 0 : failure};
    },
    updateSettings: function () {}
  };

  var settings = {
    lmsCommitUrl: config.commitUrl,
    dataCommitFormat: "flattened",
    autocommit: true,
    autocommitSeconds: 20,
    sendFullCommit: true,
    terminateCommitPayloadField: "terminate",
    autoCompleteLessonStatus: true,
    logLevel: 4,
    httpService: transport
  };
  var api = is2004 ? new window.Scorm2004API(settings) : new window.Scorm12API(settings);
  api.loadFromFlattenedJSON(config.cmi, "");

  api.on(is2004 ? "Initialize" : "LMSInitialize", function () {
    state.initialized = true;
    answered(post(config.initializeUrl, "{}"));
  });
  api.on(is2004 ? "Terminate" : "LMSFinish", function () {
    state.terminated = true;
    if (!state.closing && !state.dismissing) { window.setTimeout(afterSession, 0); }
  });
  if (is2004) {
    api.on("SetValue.adl.nav.request", function (element, value) { state.navRequest = String(value || ""); });
  }
  if (is2004) { window.API_1484_11 = api; } else { window.API = api; }

  /* --- navigation ---------------------------------------------------------------------------------------- */

  function link(id, url) {
    var element = document.getElementById(id);
    if (!element) { return; }
    element.hidden = !url;
    element.setAttribute("href", url || "#");
  }

  function showNavigation(next) {
    nav = next;
    link("scorm-previous", nav.previous);
    link("scorm-next", nav.next);
    link("scorm-course-next", nav.next ? null : nav.courseNext);
    var locked = document.getElementById("scorm-next-locked");
    if (locked) { locked.hidden = !nav.nextLocked; }
    Array.prototype.forEach.call(document.querySelectorAll(".scorm-leaf"), function (leaf) {
      var status = nav.statuses[leaf.getAttribute("data-slug")];
      var badge = leaf.querySelector(".status");
      if (!status || !badge) { return; }
      badge.className = "status " + status;
      badge.textContent = status === "done" ? "✔ " + texts.done : status === "locked" ? "⊘ " + texts.lockedWord :
        "○ " + texts.todo;
      var title = leaf.querySelector(".scorm-title");
      if (!title) { return; }  /* the current item */
      var open = status !== "locked" && leaf.getAttribute("data-choosable") === "true";
      if (open && title.tagName !== "A") {
        var anchor = document.createElement("a");
        anchor.className = "scorm-title";
        anchor.href = leaf.getAttribute("data-href");
        anchor.textContent = title.textContent;
        anchor.addEventListener("click", onLeave);
        title.replaceWith(anchor);
      }
    });
  }

  /* Close the content: its page is navigated away, so its own beforeunload and unload handlers run as when a
     learner leaves (most save and terminate there); then terminate for content that does not. Resolves once the
     last commits are answered (or after a few seconds, whatever happened to them). */
  function closeContent() {
    state.closing = true;
    var unloaded = new Promise(function (resolve) {
      if (!frame) { resolve(); return; }
      var timer = window.setTimeout(resolve, 4000);
      frame.addEventListener("load", function () { window.clearTimeout(timer); resolve(); }, {once: true});
      frame.src = "about:blank";
    });
    return unloaded.then(function () {
      if (state.initialized && !state.terminated) {
        if (is2004) { api.Terminate(""); } else { api.LMSFinish(""); }
      }
      var timeout = new Promise(function (resolve) { window.setTimeout(resolve, 5000); });
      return Promise.race([Promise.all(state.pending), timeout]);
    });
  }

  function leaveTo(url) {
    if (state.leaving) { return; }
    state.leaving = true;
    closeContent().then(function () { window.location.assign(url); });
  }

  function onLeave(event) {
    var target = event.currentTarget.getAttribute("href");
    if (!target || target === "#") { return; }
    event.preventDefault();
    leaveTo(target);
  }

  function showEnded(message) {
    closeContent();
    if (stage) { stage.hidden = true; }
    if (ended) {
      ended.hidden = false;
      document.getElementById("scorm-ended-text").textContent = message || texts.ended;
      ended.focus();
    }
  }

  /* After content terminated on its own: follow its 2004 navigation request, else offer the way on. */
  function afterSession() {
    var request = state.navRequest;
    var choice = /^\{target=([^}]+)\}(choice|jump)$/.exec(request);
    if (request === "continue" && nav.next) { leaveTo(nav.next); return; }
    if (request === "previous" && nav.previous) { leaveTo(nav.previous); return; }
    if (choice && nav.targets[choice[1]]) { leaveTo(nav.targets[choice[1]]); return; }
    if (/^(exitAll|suspendAll|abandonAll)$/.test(request)) { leaveTo(config.exitUrl); return; }
    showEnded();
  }

  ["scorm-previous", "scorm-next", "scorm-exit", "scorm-course-next"].forEach(function (id) {
    var element = document.getElementById(id);
    if (element) { element.addEventListener("click", onLeave); }
  });
  Array.prototype.forEach.call(document.querySelectorAll(".scorm-leaf a.scorm-title"), function (anchor) {
    anchor.addEventListener("click", onLeave);
  });

  /* Leaving the page another way (a header link, the browser's back button, closing the tab): whatever content
     commits from now on goes by beacon, and a session content leaves open is terminated. */
  window.addEventListener("beforeunload", function () { state.dismissing = true; });
  window.addEventListener("pagehide", function () {
    state.dismissing = true;
    if (state.initialized && !state.terminated) {  /* content left its session open: end it, by beacon */
      if (is2004) { api.Terminate(""); } else { api.LMSFinish(""); }
    }
  });

  /* --- the time limit ------------------------------------------------------------------------------------ */

  if (config.timeLimit && !config.isReview) {
    var action = config.timeLimit.action;
    window.setTimeout(function () {
      if (state.terminated || state.leaving) { return; }
      if (action.indexOf("exit") === 0) {
        showEnded(action.indexOf("no message") >= 0 ? texts.ended : texts.timeUpExit);
      } else if (action.indexOf("no message") < 0) {
        say(texts.timeUp);
      }
    }, Math.max(0, config.timeLimit.seconds) * 1000);
  }

  frame.src = config.contentUrl;
}());
