"""The review page in a real browser (headless Chromium from Debian's chromium and chromium-driver):
enter the API key, upload a table, change one answer, apply, download the table, the report and the overlay,
and check that the downloads carry the correction; the overlay then answers it with method `user`.

Screenshots of each step go to a temporary directory (printed); docs/img/review.png is one of them.
"""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pandas as pd
import pytest
import yaml

INSTALL = "apt-get install -y chromium chromium-driver (as root; scripts/setup.sh does it when it can)"
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
DRIVER = shutil.which("chromedriver")
KEY = "review-page-key-0123"
TABLE = """时间(s),车速(km/h),加速度(m/s2),车型,车牌
0,12.5,0.4,大货车,京A1
1,14.0,0.3,小轿车,京B2
2,15.2,0.2,QXV-9,京C3
3,15.0,-0.1,QXV-9,京C3
4,9.8,-0.8,巡逻车,京D4
5,20.1,0.5,公交车,京E5
6,22.4,0.6,网约车,京F6
7,3.0,0.1,自行车,-
"""

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(not (CHROMIUM and DRIVER), reason=f"no headless Chromium here; install it: {INSTALL}"),
]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def server(tmp_path):
    """`emstd serve --backend rules` with an API key, as a user starts it."""
    port = free_port()
    env = {**os.environ, "EMSTD_API_KEY": KEY, "EMSTD_CATALOG": ""}
    log = open(tmp_path / "serve.log", "w")
    proc = subprocess.Popen([sys.executable, "-m", "emstd.cli", "serve", "--backend", "rules", "--port", str(port)],
                            env=env, stdout=log, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    try:
        for _ in range(300):
            try:
                if httpx.get(url + "/health", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            time.sleep(0.2)
        else:
            pytest.fail("the server did not start: " + (tmp_path / "serve.log").read_text())
        yield url
    finally:
        proc.terminate()
        proc.wait(timeout=30)
        log.close()


@pytest.fixture
def browser(tmp_path):
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for arg in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                "--disable-background-networking", "--disable-component-update", "--disable-sync",
                "--no-first-run", f"--user-data-dir={tmp_path / 'profile'}", "--window-size=1280,1400",
                "--lang=en-US"):
        options.add_argument(arg)
    downloads = tmp_path / "downloads"
    downloads.mkdir()
    options.add_experimental_option("prefs", {"download.default_directory": str(downloads),
                                              "download.prompt_for_download": False,
                                              "intl.accept_languages": "en-US,en"})
    driver = webdriver.Chrome(service=Service(DRIVER), options=options)
    driver.downloads = downloads
    try:
        yield driver
    finally:
        driver.quit()


def wait_for(check, timeout=60.0, what="the page"):
    end = time.time() + timeout
    while time.time() < end:
        try:
            result = check()
            if result:
                return result
        except Exception:  # noqa: BLE001 - the element may not exist yet
            pass
        time.sleep(0.2)
    raise AssertionError(f"timed out waiting for {what}")


def screenshot(driver, path: Path) -> None:
    driver.execute_script("window.scrollTo(0, 0)")
    driver.save_screenshot(str(path))


def downloaded(folder: Path, name: str) -> Path:
    path = folder / name
    wait_for(lambda: path.exists() and not list(folder.glob("*.crdownload")), what=f"the download {name}")
    return path


def test_review_page_upload_correct_download(server, browser, tmp_path, capsys):
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import Select

    shots = tmp_path / "screenshots"
    shots.mkdir()
    table = tmp_path / "fleet_trips.csv"
    table.write_text(TABLE, encoding="utf-8")
    find = browser.find_element

    browser.get(server + "/")
    wait_for(lambda: find(By.ID, "key-panel").is_displayed(), what="the API key prompt")
    screenshot(browser, shots / "1-key.png")
    find(By.ID, "api-key").send_keys(KEY)
    find(By.ID, "key-submit").click()
    wait_for(lambda: find(By.ID, "run").is_enabled(), what="the options (the key accepted)")

    find(By.ID, "file").send_keys(str(table))
    find(By.ID, "run").click()
    wait_for(lambda: find(By.ID, "result").is_displayed(), what="the answers")
    select = wait_for(lambda: find(By.CSS_SELECTOR, 'select.answer[data-task="vehicle"][data-value="QXV-9"]'))
    assert Select(select).first_selected_option.get_attribute("value") == ""  # emstd: not a standard value
    screenshot(browser, shots / "2-answers.png")

    Select(select).select_by_value("Combination Long-haul Truck")
    assert "correction" in find(By.ID, "changes").text
    screenshot(browser, shots / "3-corrected.png")
    find(By.ID, "apply").click()
    wait_for(lambda: "disabled" not in find(By.ID, "download-overlay").get_attribute("class"), what="the overlay")
    method = find(By.XPATH, '//select[@data-value="QXV-9"]/ancestor::tr/td[6]').text
    assert method == "user"
    screenshot(browser, shots / "4-applied.png")

    find(By.ID, "download-table").click()
    find(By.ID, "download-report").click()
    find(By.ID, "download-overlay").click()
    out = pd.read_csv(downloaded(browser.downloads, "fleet_trips.standardized.csv"), dtype=str, encoding="utf-8-sig")
    assert out.loc[out["车型"] == "QXV-9", "source_type"].tolist() == ["Combination Long-haul Truck"] * 2
    assert out.loc[out["车型"] == "大货车", "source_type"].tolist() == ["Single Unit Short-haul Truck"]
    report = json.loads(downloaded(browser.downloads, "fleet_trips.standardized.report.json").read_text("utf-8"))
    assert report["rows"] == 8
    overlay_file = downloaded(browser.downloads, "emstd-overlay.yaml")
    overlay = yaml.safe_load(overlay_file.read_text(encoding="utf-8"))
    assert overlay["source_types"] == [{"label": "Combination Long-haul Truck", "aliases": {"review": ["QXV-9"]}}]

    find(By.ID, "lang").click()  # the same page in Chinese: headings and the standard values' Chinese names
    assert find(By.TAG_NAME, "h1").text.startswith("审核表格")
    assert "已应用 1 处更正" in find(By.ID, "status").text
    shown = Select(find(By.CSS_SELECTOR, 'select.answer[data-value="QXV-9"]')).first_selected_option.text
    zh = {c["value"]: c["zh"] for c in httpx.get(server + "/v1/review/options", headers={"X-API-Key": KEY}).json()["vehicle"]}
    assert shown == f"{zh['Combination Long-haul Truck']} · Combination Long-haul Truck"
    screenshot(browser, shots / "5-chinese.png")

    answer = subprocess.run([sys.executable, "-m", "emstd.cli", "standardize", "vehicle", "QXV-9", "--json",
                             "--catalog", str(overlay_file)], capture_output=True, text=True, timeout=120)
    assert json.loads(answer.stdout)["method"] == "user", answer.stderr
    with capsys.disabled():
        print(f"\n[review page] screenshots in {shots}")
    if os.environ.get("EMSTD_SCREENSHOTS"):  # keep them (docs/img/review.png is 4-applied.png)
        shutil.copytree(shots, os.environ["EMSTD_SCREENSHOTS"], dirs_exist_ok=True)
