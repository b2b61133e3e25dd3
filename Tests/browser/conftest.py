"""Starts Wangge on a temporary database with the demo county, and gives tests a Chromium driver."""
import base64
import os
import shutil
import socket
import subprocess
import tempfile
import time
import urllib.request

import pytest
from selenium import webdriver
from selenium.webdriver.chrome.service import Service

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
SHOTS = os.environ.get("WANGGE_SCREENSHOTS", os.path.join(ROOT, "screenshots"))
TINY_PNG = base64.b64decode("iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==")


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="session")
def server():
    binary = os.environ.get("WANGGE_BIN", os.path.join(ROOT, ".build", "debug", "wangge"))
    data = tempfile.mkdtemp(prefix="wangge-browser-")
    port = free_port()
    env = dict(os.environ, WANGGE_BCRYPT_COST="4", WANGGE_SWEEP_SECONDS="0")
    env.pop("DATABASE_URL", None)
    log = open(os.path.join(data, "server.log"), "w")
    proc = subprocess.Popen([binary, "serve", "--data-dir", data, "--port", str(port)], stdout=log, stderr=subprocess.STDOUT, env=env)
    base = f"http://127.0.0.1:{port}"
    for _ in range(300):
        try:
            if urllib.request.urlopen(base + "/healthz", timeout=1).status == 200:
                break
        except Exception:
            time.sleep(0.2)
    else:
        proc.kill()
        raise RuntimeError("Wangge did not start: " + open(os.path.join(data, "server.log")).read()[-2000:])
    yield {"base": base, "data": data}
    proc.terminate()
    try:
        proc.wait(timeout=10)
    except subprocess.TimeoutExpired:
        proc.kill()
    shutil.rmtree(data, ignore_errors=True)


def make_driver(width, height):
    options = webdriver.ChromeOptions()
    for arg in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu", f"--window-size={width},{height}",
                "--lang=zh-CN", "--force-device-scale-factor=1"):
        options.add_argument(arg)
    binary = shutil.which("chromium") or shutil.which("chromium-browser")
    if binary:
        options.binary_location = binary
    service = Service(shutil.which("chromedriver") or "/usr/bin/chromedriver")
    driver = webdriver.Chrome(service=service, options=options)
    driver.set_window_size(width, height)
    driver.implicitly_wait(3)
    return driver


@pytest.fixture
def browsers():
    """Opens drivers on demand (desktop or phone sized) and closes them all afterwards."""
    opened = []

    def open_browser(kind="desktop"):
        size = {"desktop": (1366, 900), "phone": (360, 780), "screen": (1920, 1080)}[kind]
        driver = make_driver(*size)
        opened.append(driver)
        return driver

    yield open_browser
    for driver in opened:
        driver.quit()


@pytest.fixture(scope="session")
def photo_file():
    path = os.path.join(tempfile.mkdtemp(prefix="wangge-photo-"), "photo.png")
    with open(path, "wb") as f:
        f.write(TINY_PNG)
    return path


def shot(driver, name):
    os.makedirs(SHOTS, exist_ok=True)
    driver.save_screenshot(os.path.join(SHOTS, name + ".png"))
