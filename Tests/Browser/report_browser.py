#!/usr/bin/env python3
"""Drives headless Chromium over the DevTools protocol (--remote-debugging-pipe, stdlib only)
to check and measure an HTML report of deepfake-scan.

  report_browser.py REPORT.html [--screenshot OUT.png] [--scenario] [--eval EXPR …] [--chromium PATH]

Loads the report, collects console errors and uncaught exceptions, reads first paint and
first contentful paint from the page's Performance timeline, and with --scenario clicks the
table's headers, types into the filters and picks a verdict with real mouse and keyboard
events, recording the table after each step. Prints one JSON object on stdout.
"""
import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time


class Browser:
    def __init__(self, chromium, width, height):
        self.profile = tempfile.mkdtemp(prefix="report-browser-")
        to_chrome_r, self.to_chrome = os.pipe()
        self.from_chrome, from_chrome_w = os.pipe()

        def wire_pipes():  # Chromium reads commands from fd 3 and writes replies to fd 4.
            # Duplicated away first, so that neither dup2 overwrites the other's source.
            reads, writes = os.dup(to_chrome_r), os.dup(from_chrome_w)
            os.dup2(reads, 3)
            os.dup2(writes, 4)

        args = [chromium, "--headless", "--remote-debugging-pipe", "--no-first-run", "--no-default-browser-check",
                "--disable-gpu", "--disable-extensions", "--disable-background-networking", "--mute-audio",
                f"--user-data-dir={self.profile}", f"--window-size={width},{height}", "about:blank"]
        if os.geteuid() == 0:
            args.insert(1, "--no-sandbox")  # Chromium refuses to run as root with its sandbox
        self.process = subprocess.Popen(args, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                                        stderr=subprocess.DEVNULL, preexec_fn=wire_pipes, close_fds=False)
        os.close(to_chrome_r)
        os.close(from_chrome_w)
        self.buffer = b""
        self.next_id = 0
        self.events = []
        self.session = None

    def send(self, method, params=None, session=True):
        self.next_id += 1
        message = {"id": self.next_id, "method": method, "params": params or {}}
        if session and self.session:
            message["sessionId"] = self.session
        os.write(self.to_chrome, json.dumps(message).encode() + b"\0")
        while True:
            reply = self.read()
            if reply.get("id") == self.next_id:
                if "error" in reply:
                    raise RuntimeError(f"{method}: {reply['error']}")
                return reply.get("result", {})
            self.events.append(reply)

    def read(self):
        while b"\0" not in self.buffer:
            chunk = os.read(self.from_chrome, 1 << 20)
            if not chunk:
                raise RuntimeError("chromium closed the DevTools pipe")
            self.buffer += chunk
        message, self.buffer = self.buffer.split(b"\0", 1)
        return json.loads(message)

    def wait_for(self, method, timeout=20):
        deadline = time.time() + timeout
        while time.time() < deadline:
            for index, event in enumerate(self.events):
                if event.get("method") == method:
                    return self.events.pop(index)
            self.events.append(self.read())
        raise RuntimeError(f"no {method} within {timeout} s")

    def evaluate(self, expression):
        result = self.send("Runtime.evaluate", {"expression": expression, "returnByValue": True, "awaitPromise": True})
        if "exceptionDetails" in result:
            raise RuntimeError(f"{expression}: {result['exceptionDetails']}")
        return result["result"].get("value")

    def close(self):
        try:
            self.send("Browser.close", session=False)
        except Exception:
            pass
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
        shutil.rmtree(self.profile, ignore_errors=True)

    # Real input events at an element's centre.
    def click(self, selector):
        box = self.evaluate(f"(() => {{ const e = document.querySelector({json.dumps(selector)}); e.scrollIntoView({{block: 'center'}});"
                            " const r = e.getBoundingClientRect(); return [r.x + r.width / 2, r.y + r.height / 2]; })()")
        for kind in ("mousePressed", "mouseReleased"):
            self.send("Input.dispatchMouseEvent", {"type": kind, "x": box[0], "y": box[1], "button": "left", "clickCount": 1})

    def type_text(self, text):
        self.send("Input.insertText", {"text": text})

    def key(self, key, code, key_code):
        for kind in ("keyDown", "keyUp"):
            self.send("Input.dispatchKeyEvent", {"type": kind, "key": key, "code": code, "windowsVirtualKeyCode": key_code})


def console_errors(events):
    errors = []
    for event in events:
        method, params = event.get("method"), event.get("params", {})
        if method == "Runtime.consoleAPICalled" and params.get("type") in ("error", "assert"):
            errors.append(" ".join(str(a.get("value", a.get("description", ""))) for a in params.get("args", [])))
        elif method == "Runtime.exceptionThrown":
            details = params.get("exceptionDetails", {})
            errors.append(details.get("exception", {}).get("description") or details.get("text", "exception"))
        elif method == "Log.entryAdded" and params.get("entry", {}).get("level") == "error":
            errors.append(params["entry"].get("text", "log error"))
    return errors


def lifecycle_paints(browser, timeout=20):
    """Milliseconds from the navigation's start ("init") to its first paint and first
    contentful paint, from the page's lifecycle events (headless Chromium leaves the Paint
    Timing entries of the page empty)."""
    times = {}
    deadline = time.time() + timeout
    while "firstContentfulPaint" not in times and time.time() < deadline:
        for event in list(browser.events):
            if event.get("method") == "Page.lifecycleEvent":
                params = event["params"]
                if params["name"] == "init":
                    times = {"init": params["timestamp"]}
                elif "init" in times:
                    times[params["name"]] = params["timestamp"]
        browser.events = [e for e in browser.events if e.get("method") != "Page.lifecycleEvent"]
        if "firstContentfulPaint" not in times:
            browser.events.append(browser.read())
    start = times.get("init")
    return {name: round((stamp - start) * 1000, 1) for name, stamp in times.items() if name != "init" and start is not None}


TABLE = "Array.from(document.querySelectorAll('#videos tbody tr')).map(tr => tr.querySelector('a.path').textContent)"


def table(browser):
    return {"paths": browser.evaluate(TABLE), "count": browser.evaluate("document.getElementById('count').textContent")}


def scenario(browser):
    steps = {"initial": table(browser)}
    browser.click("th button[data-key=path]")
    steps["path_ascending"] = table(browser)
    browser.click("th button[data-key=path]")
    steps["path_descending"] = table(browser)
    browser.click("th button[data-key=p]")
    browser.click("th button[data-key=p]")
    steps["p_ascending"] = table(browser)
    browser.click("#f-path")
    browser.type_text("blended")
    steps["path_filter"] = table(browser)
    browser.click("#f-reset")
    steps["reset"] = table(browser)
    browser.click("#f-min")
    browser.type_text("0.5")
    steps["p_from_half"] = table(browser)
    browser.click("#f-reset")
    # The verdict list by keyboard after a click on it (any, fake, real, unknown): two steps down.
    browser.click("#f-verdict")
    browser.key("Escape", "Escape", 27)
    browser.key("ArrowDown", "ArrowDown", 40)
    browser.key("ArrowDown", "ArrowDown", 40)
    steps["verdict"] = dict(table(browser), value=browser.evaluate("document.getElementById('f-verdict').value"))
    browser.click("#f-reset")
    # The first row's link opens its card.
    browser.click("#videos tbody tr a.path")
    steps["card_target"] = browser.evaluate("location.hash")
    browser.evaluate("window.scrollTo(0, 0)")
    return steps


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("report")
    parser.add_argument("--screenshot")
    parser.add_argument("--scenario", action="store_true")
    parser.add_argument("--eval", action="append", default=[], help="a JavaScript expression whose value to report")
    parser.add_argument("--chromium", default=shutil.which("chromium") or "chromium")
    parser.add_argument("--width", type=int, default=1280)
    parser.add_argument("--height", type=int, default=1600)
    options = parser.parse_args()

    browser = Browser(options.chromium, options.width, options.height)
    try:
        target = browser.send("Target.createTarget", {"url": "about:blank"}, session=False)["targetId"]
        browser.session = browser.send("Target.attachToTarget", {"targetId": target, "flatten": True}, session=False)["sessionId"]
        for domain in ("Page", "Runtime", "Log"):
            browser.send(f"{domain}.enable")
        browser.send("Emulation.setDeviceMetricsOverride",
                     {"width": options.width, "height": options.height, "deviceScaleFactor": 1, "mobile": False})
        browser.send("Page.setLifecycleEventsEnabled", {"enabled": True})
        url = "file://" + os.path.abspath(options.report)
        started = time.monotonic()
        browser.send("Page.navigate", {"url": url})
        browser.wait_for("Page.loadEventFired", timeout=120)
        load_seconds = time.monotonic() - started
        paints = lifecycle_paints(browser)
        navigation = browser.evaluate("(() => { const n = performance.getEntriesByType('navigation')[0];"
                                      " return {domInteractive: n.domInteractive, domContentLoaded: n.domContentLoadedEventEnd,"
                                      " load: n.loadEventEnd}; })()")
        result = {"url": url, "bytes": os.path.getsize(options.report), "paint_ms": paints, "navigation_ms": navigation,
                  "load_wall_s": round(load_seconds, 3),
                  "rows": browser.evaluate("document.querySelectorAll('#videos tbody tr').length"),
                  "cards": browser.evaluate("document.querySelectorAll('article.card').length"),
                  "images": browser.evaluate("Array.from(document.images).filter(i => i.complete && i.naturalWidth > 0).length"),
                  "broken_images": browser.evaluate("Array.from(document.images).filter(i => !i.complete || i.naturalWidth === 0).length")}
        # Filtering and sorting the whole table, timed in the page (the handlers run synchronously).
        has_table = browser.evaluate("document.getElementById('f-path') !== null")
        result["filter_ms"] = None if not has_table else browser.evaluate(
            "(() => { const f = document.getElementById('f-path'); const t = performance.now(); f.value = 'a';"
            " f.dispatchEvent(new Event('input')); const d = performance.now() - t; f.value = '';"
            " f.dispatchEvent(new Event('input')); return d; })()")
        result["sort_ms"] = None if not has_table else browser.evaluate(
            "(() => { const b = document.querySelector('th button[data-key=path]'); const t = performance.now(); b.click();"
            " const d = performance.now() - t; document.querySelector('th button[data-key=rank]').click(); return d; })()")
        result["eval"] = [browser.evaluate(expression) for expression in options.eval]
        if options.scenario:
            result["steps"] = scenario(browser)
        if options.screenshot:
            import base64
            shot = browser.send("Page.captureScreenshot", {"format": "png"})
            with open(options.screenshot, "wb") as file:
                file.write(base64.b64decode(shot["data"]))
        result["console_errors"] = console_errors(browser.events)
        json.dump(result, sys.stdout, indent=1)
        print()
    finally:
        browser.close()


if __name__ == "__main__":
    main()
