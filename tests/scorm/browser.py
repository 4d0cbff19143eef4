"""Opens one page of an exported SCORM zip in Chromium under a stand-in LMS API, and prints what it reported.

Run as ``python -m tests.scorm.browser SPEC.json`` by tests/scorm/test_export.py. It runs in its own process
because Playwright's sync API allows one instance per thread, and tests/e2e keeps its own open for the session.
SPEC: {"zip": path, "version": "2004" | "1.2", "page": path in the zip, "state": {element: value},
"check": [labels to tick], "submit": bool}. Prints {"cmi": {...}, "calls": [...], "summary": text or null}.
"""

from __future__ import annotations

import json
import mimetypes
import sys
import zipfile

from playwright.sync_api import sync_playwright

CHROMIUM = "/usr/bin/chromium"
ORIGIN = "http://scorm.test/"

# A stand-in LMS: both APIs over one flat store of values, recording each call.
HOST_PAGE = """<!DOCTYPE html><html><head><script>
window.cmi = %(state)s;
window.calls = [];
function count(prefix) {
  var seen = {};
  Object.keys(window.cmi).forEach(function (key) {
    if (key.indexOf(prefix) === 0) { seen[key.slice(prefix.length).split(".")[0]] = true; }
  });
  return String(Object.keys(seen).length);
}
function get(key) {
  if (key === "cmi.interactions._count") { return count("cmi.interactions."); }
  return key in window.cmi ? window.cmi[key] : "";
}
function set(key, value) { window.cmi[key] = String(value); return "true"; }
function call(name, result) { return function () { window.calls.push(name); return result; }; }
window.API_1484_11 = {Initialize: call("Initialize", "true"), Terminate: call("Terminate", "true"),
  Commit: call("Commit", "true"), GetValue: get, SetValue: set, GetLastError: call("GetLastError", "0"),
  GetErrorString: call("GetErrorString", ""), GetDiagnostic: call("GetDiagnostic", "")};
window.API = {LMSInitialize: call("LMSInitialize", "true"), LMSFinish: call("LMSFinish", "true"),
  LMSCommit: call("LMSCommit", "true"), LMSGetValue: get, LMSSetValue: set,
  LMSGetLastError: call("LMSGetLastError", "0"), LMSGetErrorString: call("LMSGetErrorString", ""),
  LMSGetDiagnostic: call("LMSGetDiagnostic", "")};
if (%(only12)s) { delete window.API_1484_11; }
</script></head><body><iframe id="sco" src="/%(page)s" style="width:100%%;height:700px"></iframe></body></html>"""


def run(spec: dict) -> dict:
    with zipfile.ZipFile(spec["zip"]) as archive:
        files = {name: archive.read(name) for name in archive.namelist()}
    host = HOST_PAGE % {"state": json.dumps(spec["state"]), "only12": json.dumps(spec["version"] == "1.2"),
                        "page": spec["page"]}

    def serve(route):
        path = route.request.url.removeprefix(ORIGIN).split("?", 1)[0]
        if path == "host.html":
            route.fulfill(body=host, content_type="text/html")
        elif path in files:
            route.fulfill(body=files[path], content_type=mimetypes.guess_type(path)[0] or "text/plain")
        else:
            route.fulfill(status=404, body="")

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True,
                                             args=["--no-sandbox", "--disable-gpu", "--no-first-run"])
        try:
            page = browser.new_page(viewport={"width": 390, "height": 844})
            page.set_default_timeout(15_000)
            page.route(ORIGIN + "**", serve)
            page.goto(ORIGIN + "host.html")
            frame = page.frame_locator("#sco")
            frame.locator("h1").wait_for()
            for label in spec.get("check", []):
                frame.get_by_label(label).check()
            summary = None
            if spec.get("submit"):
                frame.locator("button[type=submit]").click()
                frame.locator("#quiz-result").wait_for()
                summary = frame.locator("#quiz-result").inner_text()
            page.frames[1].evaluate("window.scormExport.finish()")
            reported = page.evaluate("({cmi: window.cmi, calls: window.calls})")
        finally:
            browser.close()
    return {**reported, "summary": summary}


if __name__ == "__main__":
    with open(sys.argv[1], encoding="utf-8") as source:
        print(json.dumps(run(json.load(source))))
