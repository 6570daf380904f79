"""Journey 4: each demo staff role logs in through the dashboard's login page and opens every
page its navigation offers, read from the menu as that person sees it (behind the menu button
on a phone). None answers an error, each shows its heading, and axe finds nothing serious on
our pages; Oscar's own pages are held to the same, less the violations recorded below."""

import re

import pytest
from playwright.sync_api import expect

from tests.browser.support import DEMO_STAFF_PASSWORD, assert_accessible, log_in

ROLES = {
    # account: (password, the navigation's top-level entries that must be there)
    "shop@example.com": (
        DEMO_STAFF_PASSWORD,
        {"Catalogue", "Fulfilment", "Customers", "Offers", "Content", "Reports", "Returns"},
    ),
    # Customers: the customer page, whose enquiries only officers read (issue 17)
    "officer@example.com": (DEMO_STAFF_PASSWORD, {"Health funds", "Customers"}),
    "lead@example.com": (DEMO_STAFF_PASSWORD, {"Consultations"}),
    "editor@example.com": (DEMO_STAFF_PASSWORD, {"Articles", "Content"}),
    "anna.expert@example.com": (DEMO_STAFF_PASSWORD, {"Consultations"}),
    "admin@example.com": (
        "backcare-admin",
        {"Catalogue", "Fulfilment", "Customers", "Offers", "Content", "Reports", "Returns"}
        | {"Health funds", "Consultations", "Articles"},
    ),
}
# Every top-level entry a role's navigation may show; a role sees its own and no other.
SECTIONS = {
    "Catalogue", "Fulfilment", "Customers", "Offers", "Content", "Reports",
    "Health funds", "Consultations", "Articles", "Returns",
}  # fmt: skip

# Serious axe violations in django-oscar 4.2.1's own dashboard markup, which this project does
# not override: the bulk-action tables (django-tables2 columns defined in Oscar's Python,
# oscar/apps/dashboard/{catalogue,users}/tables.py, with the row templates
# oscar/dashboard/catalogue/*_row_checkbox.html and oscar/dashboard/users/user_row_checkbox.html)
# give the "select all" and per-row checkboxes no label, and make the checkbox column's header
# a sort link with no text; the order list (once there are orders) gives its row checkboxes
# and the "select all" box its JavaScript adds no label either. Recorded here and reported,
# not hidden: the check fails if any other violation appears on these pages.
OSCAR_VIOLATIONS = {
    "/dashboard/orders/": frozenset({"label"}),
    "/dashboard/catalogue/": frozenset({"label", "link-name"}),  # products
    "/dashboard/catalogue/categories/": frozenset({"label", "link-name"}),
    "/dashboard/users/": frozenset({"label", "link-name"}),  # customers
    # once there are reviews (oscar/dashboard/reviews/review_list.html: the row checkboxes)
    "/dashboard/reviews/": frozenset({"label"}),
}


# Every role on a desktop; on a phone, where only the menu differs (behind its button, sections
# opened by tapping), the superuser: their menu offers every page any other role's does, so
# each page is opened, and each of our pages checked by axe, on the phone's screen as well.
# Which sections and pages a role sees does not depend on the screen.
@pytest.mark.parametrize(
    "device, email",
    [("desktop", email) for email in ROLES] + [("phone", "admin@example.com")],
    indirect=["device"],
)
def test_each_role_opens_every_page_of_its_navigation_without_an_error(new_context, device, email):
    password, own_sections = ROLES[email]
    context = new_context()
    login = context.new_page()
    login.goto("/dashboard/login/")
    assert_accessible(login, "the dashboard's login page")
    login.close()

    page = log_in(context, email, password)
    expect(page).to_have_url(re.compile(r"/dashboard/$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Dashboard")
    assert_accessible(page, f"the dashboard's front page for {email}")

    menu = _open_menu(page, device)
    sections = _top_level_entries(menu)
    assert own_sections <= sections, f"{email} misses {own_sections - sections}"
    assert not (sections & SECTIONS) - own_sections, f"{email} sees {sections - own_sections}"
    links = _menu_links(menu)
    assert links, f"{email} has nothing in the navigation"

    # The menu works as a user uses it: one section's first page, opened by tapping.
    _follow_from_menu(menu, *next(link for link in links if link[0]))

    for _, label, url in links:
        response = page.goto(url)
        assert response.status == 200, f"{email}: {label} ({url}) answered {response.status}"
        heading = page.get_by_role("heading", level=1)
        expect(heading).to_be_visible()
        assert heading.inner_text().strip(), f"{email}: {label} ({url}) has an empty heading"
        _assert_accessible_but_recorded(page, device, f"{label} ({url}) for {email}")
    assert page.errors == [], page.errors


@pytest.mark.parametrize("device", ["desktop"], indirect=True)  # the menu on a phone: above
def test_an_editor_typing_the_health_fund_address_gets_the_403_page(new_context, device):
    page = log_in(new_context(), "editor@example.com")
    menu = _open_menu(page, device)
    assert "Health funds" not in _top_level_entries(menu)
    assert not [url for *_, url in _menu_links(menu) if "/health-funds/" in url]

    response = page.goto("/dashboard/health-funds/")

    assert response.status == 403
    expect(page.get_by_role("heading", level=1)).to_have_text("Permission denied!")
    expect(page.get_by_text("you are not permitted to access this page")).to_be_visible()
    assert "enquir" not in page.locator("main").inner_text().lower()
    assert_accessible(page, "the 403 page")
    assert page.errors == [], page.errors


def _open_menu(page, device):
    """The dashboard's navigation as its user sees it: on a phone, behind the menu button."""
    menu = page.get_by_role("navigation", name="Dashboard")
    toggle = menu.get_by_role("button", name="Dashboard menu")
    if device == "phone":
        expect(menu.get_by_role("link", name="Dashboard")).to_be_hidden()
        toggle.click()
        expect(toggle).to_have_attribute("aria-expanded", "true")
        expect(menu.get_by_role("link", name="Dashboard")).to_be_visible()
    else:
        expect(toggle).to_be_hidden()
    return menu


def _top_level_entries(menu) -> set[str]:
    """The sections (the entries that open a menu) and the plain links at the top level."""
    sections = [b.inner_text().strip() for b in _section_buttons(menu)]
    return set(sections) | {link.inner_text().strip() for link in _visible_links(menu)}


def _section_buttons(menu):
    return [b for b in menu.get_by_role("button").all() if b.get_attribute("aria-haspopup")]


def _visible_links(menu):
    return [link for link in menu.get_by_role("link").all() if link.is_visible()]


def _menu_links(menu) -> list[tuple[str, str, str]]:
    """(section, label, address) of every page the menu offers, once each, each section
    opened in turn as a user would and read from what it then shows."""
    found = [
        ("", link.inner_text().strip(), link.get_attribute("href")) for link in _visible_links(menu)
    ]
    for section in _section_buttons(menu):
        section.click()
        expect(section).to_have_attribute("aria-expanded", "true")
        items = menu.page.locator(f"[aria-labelledby='{section.get_attribute('id')}']")
        expect(items).to_be_visible()
        name = section.inner_text().strip()
        found += [
            (name, link.inner_text().strip(), link.get_attribute("href"))
            for link in items.get_by_role("link").all()
        ]
        section.press("Escape")
        expect(items).to_be_hidden()
    seen, links = set(), []
    for section, label, url in found:
        if url not in seen:
            seen.add(url)
            links.append((section, label, url))
    return links


def _follow_from_menu(menu, section, label, url):
    """Open the page from the (open) menu by tapping, as a user does, and come back."""
    page = menu.page
    if section:
        menu.get_by_role("button", name=section, exact=True).click()
    with page.expect_navigation():
        menu.get_by_role("link", name=label, exact=True).click()
    expect(page).to_have_url(re.compile(re.escape(url) + "$"))
    page.go_back()


def _assert_accessible_but_recorded(page, device: str, what: str) -> None:
    """axe on each dashboard page; Oscar's own pages once per run (the same markup on every
    screen and for every role), our pages on each device."""
    path = re.sub(r"^https?://[^/]+", "", page.url).split("?")[0]
    ours = path == "/dashboard/" or path.startswith(OUR_SECTIONS)
    if (path, device if ours else "") in _CHECKED:
        return
    _CHECKED.add((path, device if ours else ""))
    assert_accessible(page, what, known=OSCAR_VIOLATIONS.get(path, frozenset()))


OUR_SECTIONS = (
    "/dashboard/health-funds/", "/dashboard/consultations/", "/dashboard/articles/",
    "/dashboard/returns/",
)  # fmt: skip
_CHECKED: set[tuple[str, str]] = set()
