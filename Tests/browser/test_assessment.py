"""The leader's big screen and the assessment pages, in a real browser."""
from selenium.webdriver.common.by import By

from conftest import shot
from test_loop import sign_in, no_horizontal_scroll


def test_the_big_screen_fills_1920_by_1080_without_scrolling(server, browsers):
    screen = browsers("screen")
    sign_in(screen, server["base"], "leader")
    screen.get(server["base"] + "/dashboard")
    # The page sizes itself to the screen: nothing spills past 1920×1080.
    width, height = screen.execute_script("return [document.documentElement.scrollWidth, document.documentElement.scrollHeight]")
    assert width <= 1920 and height <= 1080, (width, height)
    for css in [".dash-map svg", ".dash-trend svg", ".dash-categories svg", ".dash-boards", ".dash-hot"]:
        box = screen.find_element(By.CSS_SELECTOR, css).rect
        assert box["width"] > 100 and box["height"] > 50, (css, box)
        assert box["x"] + box["width"] <= 1920 and box["y"] + box["height"] <= 1080, (css, box)
    assert screen.find_element(By.CSS_SELECTOR, "meta[http-equiv=refresh]").get_attribute("content") == "60"
    shot(screen, "11-dashboard")


def test_rankings_index_and_report_pages(server, browsers):
    driver = browsers("desktop")
    sign_in(driver, server["base"], "leader")
    driver.get(server["base"] + "/assessment")
    assert "红榜" in driver.page_source and "黑榜" in driver.page_source
    rows = driver.find_elements(By.CSS_SELECTOR, "table.rates tbody tr")
    assert len(rows) == 7, "the seven rates, each explained"
    assert no_horizontal_scroll(driver)
    shot(driver, "12-assessment")
    driver.get(server["base"] + "/assessment/index")
    assert driver.find_elements(By.CSS_SELECTOR, "table.index-tree tbody tr")
    shot(driver, "13-index")
    driver.get(server["base"] + "/reports")
    links = [a.get_attribute("href") for a in driver.find_elements(By.CSS_SELECTOR, "a[download]")]
    assert any(link.endswith(".xlsx") or "export.xlsx" in link for link in links), links
    assert sum("export.csv" in link for link in links) == 4, links
    shot(driver, "14-report")
