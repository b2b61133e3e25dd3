"""An administrator finds people on the users page, in a real browser."""
import re

from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import Select, WebDriverWait

from conftest import shot
from test_loop import sign_in, no_horizontal_scroll


def test_an_admin_finds_grid_workers_of_one_township(server, browsers):
    driver = browsers("desktop")
    sign_in(driver, server["base"], "admin")
    driver.get(server["base"] + "/admin/users")
    everyone = int(re.search(r"符合条件的用户:(\d+)", driver.find_element(By.ID, "users-total").text).group(1))

    driver.find_element(By.ID, "q").send_keys("网格员")
    Select(driver.find_element(By.ID, "roleFilter")).select_by_value("grid_worker")
    Select(driver.find_element(By.ID, "unitFilter")).select_by_value("330110001")
    driver.find_element(By.CSS_SELECTOR, "form.filters button[type=submit]").click()
    WebDriverWait(driver, 10).until(lambda d: "within=330110001" in d.current_url)

    found = int(re.search(r"符合条件的用户:(\d+)", driver.find_element(By.ID, "users-total").text).group(1))
    rows = driver.find_elements(By.CSS_SELECTOR, "section.scroll-x table tbody tr")
    assert 0 < found < everyone, (found, everyone)
    assert len(rows) == found
    for row in rows:
        cells = [c.text for c in row.find_elements(By.TAG_NAME, "td")]
        assert "网格员" in cells[1] and cells[2] == "网格员", cells
    # The form keeps what was asked, so the next search starts from it.
    assert driver.find_element(By.ID, "q").get_attribute("value") == "网格员"
    assert Select(driver.find_element(By.ID, "unitFilter")).first_selected_option.get_attribute("value") == "330110001"
    assert no_horizontal_scroll(driver)
    shot(driver, "12-admin-users")
