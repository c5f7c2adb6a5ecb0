"""The letter journey over HTTP against the running stack (tests/stack/run.py):
the drafter drafts and submits, the leader and the seal keeper approve, a
worker stamps the PDF and delivers it to every tenant, SIGNERS tenants sign
with their password, and the receipts ZIP is prepared by a worker, downloaded
and checked. Staff log in with a TOTP code computed from the secret the seed
gave them.

Requests alternate between the two web processes. The stack runs the
production settings behind no TLS proxy: each request says it came over
HTTPS (X-Forwarded-Proto, as the proxy would) and the cookie jar sends the
Secure cookies over the loopback anyway. Each person also has an address of
their own in X-Forwarded-For, as the proxy would append it (the stack trusts
one proxy): the login rate limits count each tenant apart, and a receipt
records the signer's address, not the proxy's."""

import base64
import hashlib
import hmac
import io
import itertools
import json
import re
import struct
import time
import zipfile
from html.parser import HTMLParser

import requests

TITLE = "关于全栈演练的通知"
BODY = "定于本周五下午三点进行消防演练，请各商户安排人员参加。"


class _Forms(HTMLParser):
    """Every form's fields with the values a browser would send untouched."""

    def __init__(self):
        super().__init__()
        self.forms, self._select, self._textarea = [], None, None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "form":
            self.forms.append({"action": a.get("action", ""), "fields": []})
        elif not self.forms:
            return
        elif tag == "input" and a.get("name") and a.get("type") not in {"submit", "button", "file"}:
            if a.get("type") not in {"checkbox", "radio"} or "checked" in a:
                self.forms[-1]["fields"].append((a["name"], a.get("value") or ""))
        elif tag == "select":
            self._select = a.get("name")
        elif tag == "option" and self._select and "selected" in a:
            self.forms[-1]["fields"].append((self._select, a.get("value") or ""))
        elif tag == "textarea" and a.get("name"):
            self._textarea = a["name"]
            self.forms[-1]["fields"].append((a["name"], ""))

    def handle_endtag(self, tag):
        if tag == "select":
            self._select = None
        elif tag == "textarea":
            self._textarea = None

    def handle_data(self, data):
        if self._textarea and self.forms:
            name, value = self.forms[-1]["fields"][-1]
            self.forms[-1]["fields"][-1] = (name, value + data)


def forms_of(html: str) -> list[dict]:
    parser = _Forms()
    parser.feed(html)
    return parser.forms


def totp(secret: str, at: float | None = None) -> str:
    counter = int((at or time.time()) // 30)
    digest = hmac.new(base64.b32decode(secret, casefold=True), struct.pack(">Q", counter), hashlib.sha1).digest()
    offset = digest[-1] & 0x0F
    return f"{(struct.unpack('>I', digest[offset:offset + 4])[0] & 0x7FFFFFFF) % 1_000_000:06d}"


class Person:
    """One browser: a session whose requests alternate between the web processes."""

    _addresses = itertools.count(1)

    def __init__(self, urls: list[str]):
        self.http = requests.Session()
        self._urls = itertools.cycle(urls)
        n = next(self._addresses)
        self.address = f"10.20.{n // 250}.{n % 250 + 1}"

    def send(self, method: str, path: str, **kwargs) -> requests.Response:
        base = next(self._urls)
        host = base.split("//", 1)[1]
        # The Secure cookies, which requests keeps but sends over HTTPS only.
        cookie = "; ".join(f"{c.name}={c.value}" for c in self.http.cookies)
        headers = {"X-Forwarded-Proto": "https", "X-Forwarded-For": self.address, "Origin": f"https://{host}", "Referer": f"https://{host}{path}",
                   **({"Cookie": cookie} if cookie else {}), **kwargs.pop("headers", {})}
        if method == "POST":
            kwargs.setdefault("data", {})
            kwargs["data"] = [*_pairs(kwargs["data"]), ("csrfmiddlewaretoken", self.http.cookies.get("csrftoken", ""))]
        response = self.http.request(method, base + path, headers=headers, timeout=120, allow_redirects=False, **kwargs)
        while response.is_redirect:  # follow on the next process, as the proxy would send it anywhere
            location = response.headers["Location"]
            location = re.sub(r"^https?://[^/]+", "", location)
            response = self.send("GET", location)
        if response.status_code >= 400:
            raise AssertionError(f"{method} {path}: {response.status_code}\n{response.text[:2000]}")
        return response

    def get(self, path: str, **kwargs) -> requests.Response:
        return self.send("GET", path, **kwargs)

    def post(self, path: str, data, **kwargs) -> requests.Response:
        return self.send("POST", path, data=data, **kwargs)

    def login(self, email: str, password: str, totp_secret: str | None = None) -> None:
        self.get("/accounts/login/")
        page = self.post("/accounts/login/", {"login": email, "password": password})
        if totp_secret:
            assert "/2fa/" in page.url or 'name="code"' in page.text, page.url
            page = self.post(re.sub(r"^https?://[^/]+", "", page.url), {"code": totp(totp_secret)})
        assert "/accounts/login/" not in page.url, f"{email} could not log in: {page.url}"


def _pairs(data) -> list[tuple[str, str]]:
    return list(data.items()) if isinstance(data, dict) else list(data)


def _draftail(text: str) -> str:
    return json.dumps({"blocks": [{"key": "a1b2c", "text": text, "type": "unstyled", "depth": 0,
                                   "inlineStyleRanges": [], "entityRanges": [], "data": {}}], "entityMap": {}})


def draft_and_submit(person: Person, centre: int) -> int:
    page = person.get("/admin/snippets/notices/letter/add/")
    form = next(f for f in forms_of(page.text) if any(n == "title" for n, _ in f["fields"]))
    values = {"title": TITLE, "body": _draftail(BODY), "recipient_mode": "tier", "centre": str(centre),
              "department": "safety", "requires_receipt": "on"}
    fields = [(n, v) for n, v in form["fields"] if n not in {*values, "recipient_tiers", "csrfmiddlewaretoken"}]
    fields += [*values.items(), ("recipient_tiers", "1"), ("action-submit", "1")]
    page = person.post("/admin/snippets/notices/letter/add/", fields)
    # Wagtail goes back to the listing: the newest letter there is this one.
    found = [int(pk) for pk in re.findall(r"/admin/(?:snippets/notices/letter/edit|letters)/(\d+)/", page.text)]
    assert found and TITLE in page.text, f"the letter was not created: {page.url}\n{page.text[:3000]}"
    return max(found)


def decide(person: Person, letter: int) -> None:
    page = person.post(f"/admin/letters/{letter}/decide/", {"decision": "approve", "comment": "同意"})
    assert "Approved" in page.text or "已批准" in page.text or "已同意" in page.text or page.status_code == 200


def wait_for(what: str, probe, *, timeout: float, check_alive) -> object:
    deadline = time.monotonic() + timeout
    while True:
        value = probe()
        if value:
            return value
        dead = check_alive()
        assert not dead, f"{', '.join(dead)} stopped while waiting for {what}"
        assert time.monotonic() < deadline, f"{what}: not within {timeout:.0f} s"
        time.sleep(1)


def sign(person: Person) -> None:
    inbox = person.get("/my/letters/").text
    delivery = re.search(r"/my/letters/(\d+)/", inbox).group(1)
    page = person.get(f"/my/letters/{delivery}/").text
    sha = re.search(r'name="pdf_sha256" value="([0-9a-f]{64})"', page).group(1)
    return person.post(f"/my/letters/{delivery}/sign/", {"pdf_sha256": sha, "password": person.password})


def receipts_zip(person: Person, letter: int, *, check_alive) -> zipfile.ZipFile:
    """Press "prepare", watch the job's page until a worker has packed the
    ZIP (it refreshes itself in a browser), then download it."""
    page = person.post(f"/admin/letters/{letter}/receipts-zip/", {})
    job = re.sub(r"^https?://[^/]+", "", page.url)

    def packed():
        text = person.get(job).text
        assert 'data-testid="receipts-zip-failed"' not in text, f"the receipts ZIP failed: {job}"
        found = re.search(r'href="([^"]+/receipts\.zip)"', text)
        return found.group(1) if found else None

    link = wait_for("the receipts ZIP packed by a worker", packed, timeout=300, check_alive=check_alive)
    return zipfile.ZipFile(io.BytesIO(person.get(link).content))


def journey(urls: list[str], world: dict, *, check_alive) -> None:
    began = time.monotonic()
    staff = {}
    for role, facts in world["staff"].items():
        staff[role] = Person(urls)
        staff[role].login(facts["email"], world["password"], facts["totp_secret"])
    letter = draft_and_submit(staff["drafter"], world["centre"])
    decide(staff["leader"], letter)
    decide(staff["seal"], letter)
    print(f"drive: letter {letter} drafted and approved twice in {time.monotonic() - began:.0f} s")

    def stamped_and_delivered():
        page = staff["seal"].get(f"/admin/letters/{letter}/").text
        return 'data-testid="doc-number"' in page and _delivered(staff["seal"], letter) == world["tenants"]

    wait_for(f"the letter stamped and delivered to {world['tenants']} tenants", stamped_and_delivered, timeout=600,
             check_alive=check_alive)
    print(f"drive: stamped and delivered to {world['tenants']} tenants after {time.monotonic() - began:.0f} s")
    signed_from = set()
    for email in world["signers"]:
        tenant = Person(urls)
        tenant.password = world["password"]
        tenant.login(email, world["password"])
        sign(tenant)
        signed_from.add(tenant.address)
    print(f"drive: {len(world['signers'])} tenants signed after {time.monotonic() - began:.0f} s")
    recorded = _signed_addresses(staff["seal"], letter)
    assert recorded == signed_from, f"receipts record {sorted(recorded)[:5]}…, tenants signed from {sorted(signed_from)[:5]}…"

    def all_certificates():
        page = staff["seal"].get(f"/admin/letters/{letter}/?show=signed").text
        return len(set(re.findall(r"/admin/letters/receipts/\d+/certificate/", page))) == len(world["signers"])

    wait_for("every receipt certificate sealed", all_certificates, timeout=300, check_alive=check_alive)
    archive = receipts_zip(staff["seal"], letter, check_alive=check_alive)
    assert len([n for n in archive.namelist() if n.endswith("-receipt.pdf")]) == len(world["signers"])
    manifest = json.loads(archive.read("manifest.json"))
    for entry in manifest["files"]:
        assert hashlib.sha256(archive.read(entry["file"])).hexdigest() == entry["sha256"], entry["file"]
    assert sum(e["kind"] == "letter" for e in manifest["files"]) == 1
    assert archive.read(f"{manifest['letter']}.pdf").startswith(b"%PDF")
    print(f"drive: receipts ZIP with {len(world['signers'])} certificates checked after {time.monotonic() - began:.0f} s")


def _export_rows(person: Person, letter: int) -> list[tuple]:
    """The deliveries listed in the staff's XLSX export of the letter."""
    from openpyxl import load_workbook

    book = load_workbook(io.BytesIO(person.get(f"/admin/letters/{letter}/deliveries.xlsx").content), read_only=True)
    # Below the letter's number and the column titles: one row per tenant (codes S0000…).
    return [row for row in book.active.iter_rows(min_row=3, values_only=True)
            if re.fullmatch(r"S\d{4}", str(row[0] or ""))]


def _delivered(person: Person, letter: int) -> int:
    return len(_export_rows(person, letter))


def _signed_addresses(person: Person, letter: int) -> set[str]:
    # Column 9 of the export: the address the receipt recorded.
    return {row[8] for row in _export_rows(person, letter) if row[8]}
