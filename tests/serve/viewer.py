"""The execution viewer in a real browser (headless Chromium): the page
`aslc run --report` writes and the page `aslc serve` serves at
/viewer?executionArn=, read back as the browser built it (scripts run).
A failed execution: its caught state is orange, its failed state red, the
states after it grey, and the failed state's error is shown; an address
with #state=NAME shows that state's runs.

Usage: viewer.py ASLC CHROMIUM SCRATCH_DIR"""
import json, os, subprocess, sys, urllib.error, urllib.request
from html.parser import HTMLParser

from harness import Server, check, finished

aslc, chromium, scratch = sys.argv[1:4]
definition = "tests/fixtures/testing/order.json"
mock = "tests/fixtures/testing/order.mock.json"

CAUGHT, FAILED, NOT_REACHED = "#ffd8a8", "#f4a6a6", "#e9ecef"


def dom(url):
    """The DOM once the page's scripts ran, as Chromium serialises it."""
    profile = os.path.join(scratch, "chromium-profile")
    out = subprocess.run(
        [chromium, "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync",
         "--user-data-dir=" + profile, "--virtual-time-budget=3000", "--dump-dom", url],
        capture_output=True, text=True, timeout=120,
    )
    check(out.returncode == 0 and "<html" in out.stdout, f"chromium failed: {out.stderr[-2000:]}")
    return out.stdout


class Page(HTMLParser):
    """The states drawn (name → fill, classes), and the details panel's text."""

    def __init__(self, html):
        super().__init__()
        self.states, self.details, self.errors, self.depth = {}, None, [], 0
        self.in_error = False
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "g" and "state" in a.get("class", "").split():
            self.states[a["data-state"]] = (a.get("data-fill"), a.get("class"))
        if a.get("id") == "details":
            self.details = a.get("data-state")
        self.in_error = tag == "li" and a.get("class") == "error"

    def handle_data(self, data):
        if self.in_error:
            self.errors.append(data)
            self.in_error = False


def check_failed_order(html, where):
    page = Page(html)
    check(set(page.states) == {"Price", "Expensive?", "Approve", "Done", "Unpriced"}, f"{where}: {page.states}")
    check(page.states["Price"][0] == CAUGHT, f"{where}: Price was caught: {page.states}")
    check(page.states["Unpriced"][0] == FAILED, f"{where}: Unpriced failed: {page.states}")
    check(all(page.states[s][0] == NOT_REACHED for s in ("Expensive?", "Approve", "Done")), f"{where}: {page.states}")
    # The failed state is selected at once, with the execution's error.
    check(page.details == "Unpriced", f"{where}: selected {page.details}")
    check("selected" in page.states["Unpriced"][1], f"{where}: {page.states['Unpriced']}")
    check(page.errors == ["Unpriced: no price"], f"{where}: {page.errors}")
    check('id="status" class="status FAILED"' in html, f"{where}: the status is shown")


# `aslc run --report`
report = os.path.join(scratch, "run.html")
run = subprocess.run(
    [aslc, "run", definition, "--input", '{"sku": "A"}', "--mock-config", mock, "--test-case", "PricingDown",
     "--fast-forward", "--report", report],
    capture_output=True, text=True,
)
check(run.returncode == 1 and "Unpriced" in run.stderr, run.stderr)
check_failed_order(dom("file://" + os.path.abspath(report)), "aslc run --report")
# Selecting another state (as a click does) shows its runs, with the error its catcher took.
price = Page(dom("file://" + os.path.abspath(report) + "#state=Price"))
check(price.details == "Price" and "selected" in price.states["Price"][1], price.details)
check(price.errors == ["Lambda.ServiceException: down"], price.errors)
print("aslc run --report: the page shows the caught, failed and unreached states, and each state's errors")

# `aslc serve`
server = Server([aslc, "serve", definition, "--data", os.path.join(scratch, "data"), "--mock-config", mock,
                 "--test-case", "PricingDown"])
sfn = server.client()
machine = sfn.list_state_machines()["stateMachines"][0]["stateMachineArn"]
arn = sfn.start_execution(stateMachineArn=machine, name="first", input='{"sku": "A"}')["executionArn"]
check(finished(sfn, arn)["status"] == "FAILED", "the execution fails")
url = server.url + "/viewer?" + urllib.parse.urlencode({"executionArn": arn})
with urllib.request.urlopen(url) as r:
    check(r.status == 200 and r.headers["content-type"].startswith("text/html"), r.headers)
check_failed_order(dom(url), "aslc serve")
for query, status in [("executionArn=" + arn.replace("first", "none"), 400), ("", 400)]:
    try:
        urllib.request.urlopen(server.url + "/viewer?" + query)
        check(False, f"{query} has no page")
    except urllib.error.HTTPError as e:
        check(e.code in (status, 404), f"{query}: {e.code}")
print("aslc serve: /viewer?executionArn= serves the same page; an unknown execution gets an error")
