"""What the browser tests share besides fixtures: the running site with its sent e-mails,
the accessibility check, and logging staff in."""

import email
import email.policy
import re
import subprocess
import sys
import time
from base64 import b32decode

from django_otp.oath import TOTP

from tests.site_process import BASE_DIR, RunningSite
from tests.waiting import wait_for

AXE = BASE_DIR / "node_modules" / "axe-core" / "axe.min.js"
MAIL_SEPARATOR = re.compile(rb"\n-{79}\n")
DEMO_STAFF_PASSWORD = "backcare-staff"  # the README's demo accounts (zero set-up mode)


class Site(RunningSite):
    def mails(self) -> list[email.message.EmailMessage]:
        """Every e-mail the site has sent so far (the file backend's folder), oldest first."""
        folder = self.var_dir / "mail"
        files = sorted(folder.glob("*"), key=lambda f: f.stat().st_mtime) if folder.exists() else []
        return [
            email.message_from_bytes(raw.strip(b"\n"), policy=email.policy.default)
            for file in files
            for raw in MAIL_SEPARATOR.split(file.read_bytes())
            if raw.strip()
        ]

    def shell(self, script: str) -> str:
        """Run `script` in `manage.py shell` against the running site's database (the site
        runs on the real clock: a test moves a call's time or an invitation's due date this
        way); returns the last line it printed."""
        done = subprocess.run(  # noqa: S603 (the test's own Python and the site's manage.py)
            [sys.executable, "manage.py", "shell", "-c", script],
            cwd=BASE_DIR,
            env=self.env,
            capture_output=True,
            text=True,
            timeout=120,
        )
        lines = done.stdout.strip().splitlines()
        assert lines, done.stdout + done.stderr
        return lines[-1]

    def wait_for_mail(self, *, to: str, subject: str = "", timeout: float = 60):
        """The first e-mail to `to` whose subject contains `subject`, once the worker sent it."""

        def sent():
            return next(
                (
                    m
                    for m in self.mails()
                    if to in m["To"] and subject.lower() in m["Subject"].lower()
                ),
                None,
            )

        sent.__name__ = f"an e-mail to {to} about {subject!r}"
        return wait_for(sent, timeout=timeout, interval=0.25)


def assert_accessible(page, what: str = "", *, known: frozenset[str] = frozenset()) -> None:
    """axe-core on the page as it is now: no serious or critical violation of WCAG 2.1 A/AA.
    `known` names violations recorded as someone else's (a library's markup we do not
    override): they are allowed, and listed where they are recorded.

    It waits for the page's load event first: a heading can be in the DOM while the
    stylesheets are still arriving, and axe would then judge colours the page never shows
    (CI once failed the basket's header that way on a busy machine)."""
    page.wait_for_load_state("load")
    if not page.evaluate("() => typeof window.axe !== 'undefined'"):
        # evaluated by the driver, which the page's Content-Security-Policy does not govern:
        # a <script> tag added to the page would be blocked by it, as it should be
        page.evaluate(AXE.read_text())
    result = page.evaluate(
        """() => axe.run(document, {runOnly: {type: 'tag',
            values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']}})"""
    )
    serious = [
        v
        for v in result["violations"]
        if v["impact"] in ("serious", "critical") and v["id"] not in known
    ]
    assert not serious, f"{what or page.url}: " + "; ".join(
        f"{v['id']} ({v['impact']}): {v['help']} at "
        + ", ".join(" ".join(n["target"]) for n in v["nodes"][:5])
        for v in serious
    )


class Phone:
    """What a staff member keeps for the second step: the key their authenticator app was
    given at set-up, and the backup codes printed then. Codes are computed as the app does
    (RFC 6238); one 30-second code opens one sign-in, so a second sign-in within the same
    30 seconds uses a backup code, as a person who has just used the code would."""

    def __init__(self, key_text: str):
        key = key_text.replace(" ", "")
        self.key = b32decode(key + "=" * (-len(key) % 8))
        self.backup_codes: list[str] = []
        self.last_step = -1

    def code(self) -> str:
        totp = TOTP(self.key)
        totp.time = time.time()
        if totp.t() > self.last_step:
            self.last_step = totp.t()
            return f"{totp.token():06d}"
        return self.backup_codes.pop()


PHONES: dict[str, Phone] = {}  # e-mail address -> that staff member's phone


def log_in(context, email_address: str, password: str = DEMO_STAFF_PASSWORD):
    """A staff member logged in through the dashboard's login form and the second step (at
    the account's first sign-in, setting up the app from the page's key and keeping the
    backup codes); returns their page, on the dashboard."""
    page = context.new_page()
    page.goto("/dashboard/login/")
    page.get_by_label("Email address").fill(email_address)
    page.get_by_label("Password").fill(password)
    with page.expect_navigation():
        page.get_by_label("Password").press("Enter")
    if "/dashboard/two-factor/setup/" in page.url:
        assert_accessible(page, "setting up the second factor")
        phone = PHONES[email_address] = Phone(page.locator("#two_factor_key").inner_text())
        _enter_code(page, "Code from the app", phone.code())
        assert_accessible(page, "the backup codes")
        phone.backup_codes = [
            code.replace(" ", "") for code in page.locator("#backup_codes code").all_inner_texts()
        ]
        with page.expect_navigation():
            page.get_by_role("link", name="Continue to the dashboard").click()
    elif "/dashboard/two-factor/" in page.url:
        _enter_code(page, "Code", PHONES[email_address].code())
    return page


def _enter_code(page, label: str, code: str):
    field = page.get_by_label(label, exact=True)
    field.fill(code)
    with page.expect_navigation():
        field.press("Enter")
