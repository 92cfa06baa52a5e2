"""The dashboard as a person sees it: tabs, tables, forms found by their labels, buttons by their names."""

from __future__ import annotations

import json
from typing import Any, Callable

from selenium.common.exceptions import StaleElementReferenceException, TimeoutException
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import Select, WebDriverWait

# Reads a table in one go, so a refresh drawing it anew never leaves half a reading: {header: text} per
# row, the empty-table message and the opened JSON rows left out; null while the table is not shown.
READ_TABLE = """
const table = document.querySelector(`table[aria-label="${arguments[0]}"]`);
if (!table || table.closest("[hidden]")) return null;
const heads = [...table.tHead.rows[0].cells].map((c) => c.textContent);
return [...table.tBodies[0].rows]
  .filter((r) => !r.classList.contains("detail") && !r.querySelector("td.empty"))
  .map((r) => Object.fromEntries([...r.cells].filter((c, i) => heads[i]).map((c, i) => [heads[i], c.textContent])));
"""
READ_RECORD = """
const table = document.querySelector(`table[aria-label="${arguments[0]}"]`);
if (!table || table.closest("[hidden]")) return null;
return Object.fromEntries([...table.tBodies[0].rows].map((r) => [r.cells[0].textContent, r.cells[1].textContent]));
"""


class Page:
    def __init__(self, driver, url: str):
        self.driver, self.url = driver, url

    def open(self, view: str = "") -> "Page":
        self.driver.get(f"{self.url}/_emulator/ui{'#' + view if view else ''}")
        self.until(lambda: self.driver.find_elements(By.CSS_SELECTOR, "nav a[aria-current=page]"))
        return self

    def until(self, read: Callable[[], Any], check: Callable[[Any], Any] = bool, timeout: float = 10) -> Any:
        """Waits until what ``read`` sees passes ``check``, and returns it; fails saying what was seen last."""
        seen: list = [None]

        def probe(_):
            seen[0] = read()
            return check(seen[0])

        try:
            WebDriverWait(self.driver, timeout, poll_frequency=0.05,
                          ignored_exceptions=(StaleElementReferenceException,)).until(probe)
        except TimeoutException:
            raise AssertionError(f"the page never showed it; last seen: {seen[0]!r}") from None
        return seen[0]

    def until_equal(self, read: Callable[[], Any], expected: Any, timeout: float = 10) -> Any:
        return self.until(read, lambda seen: seen == expected, timeout)

    # ---- what it shows -------------------------------------------------------------------------------

    def table(self, title: str) -> list[dict] | None:
        return self.driver.execute_script(READ_TABLE, title)

    def column(self, title: str, header: str) -> list[str] | None:
        rows = self.table(title)
        return None if rows is None else [row[header] for row in rows]

    def record(self, title: str) -> dict | None:
        return self.driver.execute_script(READ_RECORD, title)

    def answer(self, form: str) -> str:
        """What the form's output says after it was sent."""
        return self.form(form).find_element(By.TAG_NAME, "output").text

    def answer_json(self, form: str) -> dict:
        return json.loads(self.form(form).find_element(By.CSS_SELECTOR, "output pre").text)

    def count(self, title: str) -> str:
        """What a panel's heading says of its rows: "3", or "51–55 of 55" for a paged one."""
        heading = self.driver.find_element(By.XPATH, f'//section[@class="panel"]/h2[starts-with(., "{title} ")]')
        return heading.find_element(By.CLASS_NAME, "count").text

    def chosen(self, label: str) -> str:
        """The option shown in the page's menu labelled ``label`` (the Account menu)."""
        menu = self.driver.find_element(By.XPATH, f'//label[normalize-space(text())="{label}"]/select')
        return Select(menu).first_selected_option.text if menu.get_attribute("value") else ""

    def current_tab(self) -> str:
        return self.driver.find_element(By.CSS_SELECTOR, "nav a[aria-current=page]").text

    # ---- what a person does --------------------------------------------------------------------------

    def tab(self, title: str) -> None:
        self.driver.find_element(By.LINK_TEXT, title).click()
        self.until(lambda: self.current_tab() == title)

    def form(self, title: str):
        return self.driver.find_element(By.CSS_SELECTOR, f'form[aria-label="{title}"]')

    def field(self, form: str, label: str):
        """The input a form's label names, as a person finds it."""
        found = self.form(form).find_element(By.XPATH, f'.//label[normalize-space()="{label}"]')
        return self.driver.find_element(By.ID, found.get_attribute("for"))

    def type(self, form: str, label: str, text: str) -> None:
        field = self.field(form, label)
        field.clear()
        field.send_keys(text)

    def choose(self, label: str, option: str, form: str | None = None) -> None:
        """Picks ``option`` in a menu: a form's field, or (no form) a menu of the page labelled ``label``."""
        if form is None:
            menu = self.driver.find_element(By.XPATH, f'//label[normalize-space(text())="{label}"]/select')
        else:
            menu = self.field(form, label)
        Select(menu).select_by_visible_text(option)

    def send(self, form: str) -> str:
        """Clicks the form's button (it bears the action's name) and returns its answer once there."""
        self.form(form).find_element(By.XPATH, f'.//button[normalize-space()="{form}"]').click()
        return self.until(lambda: self.answer(form), lambda text: text and text != "Sending…")

    def press(self, name: str) -> None:
        """Clicks the button with that accessible name (a row's "Remove <id>")."""
        def click():
            # the open tab's: a hidden tab may hold a button of the same name (a callback and a request
            # can both be "JSON of 12")
            by_name = f'//button[@aria-label="{name}" or normalize-space()="{name}"]'
            buttons = self.driver.find_elements(By.XPATH, by_name)
            shown = [b for b in buttons if b.is_displayed()]
            if not shown:
                return False
            shown[0].click()
            return True

        self.until(click)
