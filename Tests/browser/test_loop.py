"""The whole loop through the pages, as the people at a centre would play it."""
import re

from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import WebDriverWait

from conftest import shot


def sign_in(driver, base, username):
    driver.get(base + "/login")
    driver.find_element(By.ID, "username").send_keys(username)
    driver.find_element(By.ID, "password").send_keys("demo12345")
    driver.find_element(By.CSS_SELECTOR, "form[action='/login'] button[type=submit]").click()
    WebDriverWait(driver, 10).until(lambda d: "/login" not in d.current_url)


def wait_for_text(driver, text, timeout=10):
    """Waits for the next page after a submit; the text proves the server answered as expected."""
    try:
        WebDriverWait(driver, timeout).until(lambda d: text in d.page_source)
    except Exception:
        raise AssertionError(f"{text!r} not on the page: " + driver.find_element(By.TAG_NAME, "main").text[:800])


def act(driver, action):
    form = driver.find_element(By.ID, "form-" + action)
    form.find_element(By.CSS_SELECTOR, "button[type=submit]").click()
    wait_for_text(driver, "操作成功")


def no_horizontal_scroll(driver):
    return driver.execute_script("return document.documentElement.scrollWidth <= document.documentElement.clientWidth + 1")


def test_the_whole_loop(server, browsers, photo_file):
    base = server["base"]

    # 1. A citizen on a phone reports a missing manhole cover with a photo, picking the place on the map.
    citizen = browsers("phone")
    citizen.get(base + "/report")
    assert no_horizontal_scroll(citizen)
    citizen.find_element(By.ID, "description").send_keys("湖滨路口井盖缺失,夜间行人容易踩空")
    citizen.find_element(By.CSS_SELECTOR, "#categoryCode option[value='0101']").click()
    first_grid = citizen.find_element(By.CSS_SELECTOR, "svg.pick-map path.grid")
    citizen.execute_script("arguments[0].scrollIntoView({block: 'center'})", first_grid)
    first_grid.click()
    assert citizen.find_element(By.ID, "lat").get_attribute("value"), "a click on the map fills the location"
    citizen.find_element(By.ID, "photos").send_keys(photo_file)
    citizen.find_element(By.ID, "reporterPhone").send_keys("13912345678")
    shot(citizen, "01-citizen-report")
    citizen.find_element(By.ID, "submit-report").click()
    wait_for_text(citizen, "已收到您反映的问题")
    case_code = citizen.find_element(By.ID, "case-code").text
    query_code = citizen.find_element(By.ID, "query-code").text
    assert re.fullmatch(r"330110-\d{8}-\d{5}", case_code), case_code
    assert len(query_code) == 10
    assert no_horizontal_scroll(citizen)
    shot(citizen, "02-citizen-confirmation")

    # 2. The dispatcher registers and dispatches it to the suggested department.
    dispatcher = browsers("desktop")
    sign_in(dispatcher, base, "dispatcher")
    dispatcher.get(base + "/work")
    assert case_code in dispatcher.page_source
    shot(dispatcher, "03-dispatcher-queue")
    dispatcher.find_element(By.LINK_TEXT, case_code).click()
    act(dispatcher, "register")
    selected = dispatcher.find_element(By.CSS_SELECTOR, "#dispatch-department option:checked").get_attribute("value")
    assert selected == "330110-CG", "the category suggests 城管局"
    shot(dispatcher, "04-dispatch-dialog")
    act(dispatcher, "dispatch")

    # 3. The department accepts and records the result with a photo.
    handler = browsers("desktop")
    sign_in(handler, base, "handler-cg")
    handler.get(base + "/work")
    handler.find_element(By.LINK_TEXT, case_code).click()
    act(handler, "accept")
    handler.find_element(By.ID, "submit_result-result").send_keys("已补装新井盖并设置警示")
    handler.find_element(By.ID, "submit_result-photos").send_keys(photo_file)
    shot(handler, "05-handler-result")
    act(handler, "submit_result")

    # 4. The grid worker verifies on site, on a phone.
    worker = browsers("phone")
    sign_in(worker, base, "grid1")
    worker.get(base + "/grid")
    assert no_horizontal_scroll(worker)
    shot(worker, "06-grid-worker-home")
    worker.find_element(By.CSS_SELECTOR, "#verification-tasks a").click()
    assert no_horizontal_scroll(worker)
    act(worker, "verify_pass")
    shot(worker, "07-grid-worker-verified")

    # 5. The citizen rates the result with the query code.
    citizen.get(base + "/track")
    citizen.find_element(By.ID, "code").send_keys(query_code.lower())
    citizen.find_element(By.CSS_SELECTOR, "form[action='/track'] button").click()
    wait_for_text(citizen, "track-reply")
    assert "已补装新井盖" in citizen.find_element(By.ID, "track-reply").text
    assert "13912345678" not in citizen.page_source
    citizen.find_element(By.ID, "rate-satisfied").click()
    shot(citizen, "08-citizen-rating")
    citizen.find_element(By.ID, "rate-submit").click()
    wait_for_text(citizen, "感谢您的评价")
    assert citizen.find_element(By.ID, "track-rating").text == "satisfied"

    # 6. The dispatcher closes it; the leader sees it counted as closed.
    dispatcher.get(base + "/cases/" + case_code)
    act(dispatcher, "close")
    leader = browsers("desktop")
    sign_in(leader, base, "leader")
    leader.get(base + "/overview")
    figures = {li.text.split(" ", 1)[1]: int(li.text.split(" ", 1)[0]) for li in leader.find_elements(By.CSS_SELECTOR, ".figures li")}
    assert figures.get("已结案") == 1, figures
    shot(leader, "09-leader-overview")


def test_bad_input_shows_the_chinese_error_next_to_the_field(server, browsers):
    driver = browsers("phone")
    driver.get(server["base"] + "/report")
    description = driver.find_element(By.ID, "description")
    driver.execute_script("arguments[0].removeAttribute('minlength'); arguments[0].removeAttribute('required')", description)
    description.send_keys("短")
    driver.find_element(By.ID, "submit-report").click()
    wait_for_text(driver, "description-error")
    error = driver.find_element(By.ID, "description-error")
    assert "问题描述须为 5–2000 个字" in error.text
    assert driver.find_element(By.ID, "description").get_attribute("aria-describedby") == "description-error"
    assert no_horizontal_scroll(driver)
    shot(driver, "10-form-error")


def test_pages_fit_a_360_pixel_phone(server, browsers):
    driver = browsers("phone")
    for path in ["/", "/report", "/track", "/login"]:
        driver.get(server["base"] + path)
        assert no_horizontal_scroll(driver), path
    sign_in(driver, server["base"], "grid2")
    for path in ["/grid", "/work", "/inbox", "/report"]:
        driver.get(server["base"] + path)
        assert no_horizontal_scroll(driver), path
