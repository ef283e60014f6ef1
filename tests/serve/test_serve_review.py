"""The review page's server side: the page and its files (public), /v1/review/options, corrections on
/v1/tables (method user), and /v1/review/overlay (the corrections as a catalog overlay)."""

import base64
import io
import json

import pandas as pd
import pytest
import yaml
from serve_helpers import KEY, client_for, settings

from emstd.infer.standardizer import Standardizer
from emstd.serve.app import create_app

pytestmark = pytest.mark.anyio

TABLE = "时间(s),车速(km/h),车型,污染物\n0,10,大货车,NOx\n1,20,QXV-9,氮氧\n2,30,QXV-9,CO2\n3,40,巡逻车,烟度\n"


async def post_table(app, **form):
    async with client_for(app) as c:
        return await c.post("/v1/tables", files={"file": ("fleet.csv", TABLE.encode())}, data=form)


async def test_the_page_and_its_files_need_no_key_and_load_nothing_from_elsewhere():
    app = create_app(Standardizer(), settings(api_key=KEY))
    async with client_for(app) as c:
        page = await c.get("/")
        assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
        assert 'src="/static/review.js"' in page.text and "http" not in page.text.replace("http-equiv", "")
        for path, media in (("/static/review.js", "text/javascript"), ("/static/review.css", "text/css"),
                            ("/static/review.text.json", "application/json")):
            r = await c.get(path)
            assert r.status_code == 200 and r.headers["content-type"].startswith(media)
            assert "http://" not in r.text and "https://" not in r.text  # works offline: no CDN
        assert (await c.get("/v1/review/options")).status_code == 401  # the data still needs the key
        ok = await c.get("/v1/review/options", headers={"X-API-Key": KEY})
        assert ok.status_code == 200


async def test_every_word_of_the_page_is_there_in_english_and_chinese():
    """The page's words live in review.text.json: both languages name the same messages, and every message the
    page or its script asks for (data-t="...", t("...") and setStatus(["..."])) is one of them."""
    import re
    from importlib import resources

    static = resources.files("emstd.serve").joinpath("static")
    text = json.loads(static.joinpath("review.text.json").read_text(encoding="utf-8"))
    assert set(text) == {"en", "zh"} and set(text["en"]) == set(text["zh"])
    assert all(text[lang][name].strip() for lang in text for name in text[lang])
    asked = set(re.findall(r'data-t="(\w+)"', static.joinpath("review.html").read_text(encoding="utf-8")))
    script = static.joinpath("review.js").read_text(encoding="utf-8")
    asked |= set(re.findall(r'\bt\("(\w+)"', script)) | set(re.findall(r'\["(\w+)",', script))
    assert asked and asked - set(text["en"]) == set()


async def test_options_list_the_standard_values_with_chinese_names(rules_app):
    async with client_for(rules_app) as c:
        body = (await c.get("/v1/review/options")).json()
    assert body["vehicle"][1] == {"value": "Passenger Car", "zh": body["vehicle"][1]["zh"], "task": None}
    assert all(choice["zh"] for task in ("vehicle", "pollutant", "column") for choice in body[task])
    assert [c["value"] for c in body["pollutant"]] == ["CO2", "CO", "NOx", "PM2.5", "PM10", "THC", "SO2"]
    assert {c["task"] for c in body["column"]} == {"micro", "macro"}
    assert body["not_standard"] == "not a standard value" and body["max_upload_bytes"] == 20 * 1024 * 1024
    assert body["review_below"] == 0.9


async def test_review_lists_every_answer_with_alternatives(rules_app):
    r = await post_table(rules_app, review="true")
    assert r.status_code == 200, r.text
    rows = {(row["task"], row["value"]): row for row in r.json()["report"]["review"]["rows"]}
    assert rows[("vehicle", "大货车")]["answer"] == "Single Unit Short-haul Truck"  # confident ones too
    assert rows[("vehicle", "QXV-9")]["count"] == 2 and rows[("vehicle", "QXV-9")]["answer"] is None
    assert len(rows[("vehicle", "QXV-9")]["alternatives"]) == 3
    assert {row["task"] for row in rows.values()} == {"column", "vehicle", "pollutant"}
    plain = await post_table(rules_app)
    assert "review" not in plain.json()["report"]


async def test_corrections_are_applied_to_the_table_as_method_user(rules_app):
    fixes = [{"task": "vehicle", "value": "QXV-9", "answer": "Combination Long-haul Truck"},
             {"task": "vehicle", "value": "大货车", "answer": "not a standard value"},
             {"task": "pollutant", "value": "烟度", "answer": "PM2.5"}]
    r = await post_table(rules_app, review="true", corrections=json.dumps(fixes))
    assert r.status_code == 200, r.text
    table = pd.read_csv(io.BytesIO(base64.b64decode(r.json()["content_base64"])), dtype=str, encoding="utf-8-sig")
    assert table["source_type"].tolist()[1:3] == ["Combination Long-haul Truck"] * 2
    assert pd.isna(table["source_type"].iloc[0]) and table["pollutant"].iloc[3] == "PM2.5"
    rows = {(row["task"], row["value"]): row for row in r.json()["report"]["review"]["rows"]}
    assert rows[("vehicle", "QXV-9")]["method"] == "user" and rows[("vehicle", "QXV-9")]["confidence"] == 1.0


@pytest.mark.parametrize("corrections, message", [
    ("[{", "corrections: not valid JSON"),
    ('{"task": "vehicle"}', "give a JSON list"),
    ('[{"task": "vehicle", "value": "QXV-9", "answer": "Pasenger Car"}]', "did you mean 'Passenger Car'?"),
    ('[{"task": "ship", "value": "x", "answer": null}]', "task must be one of vehicle, pollutant, column"),
])
async def test_bad_corrections_are_a_400_naming_the_problem(rules_app, corrections, message):
    r = await post_table(rules_app, corrections=corrections)
    assert r.status_code == 400 and message in r.json()["detail"]


async def test_the_corrections_as_an_overlay(rules_app):
    fixes = [{"task": "vehicle", "value": "QXV-9", "answer": "Combination Long-haul Truck"},
             {"task": "vehicle", "value": "小型客车", "answer": "Passenger Truck"},
             {"task": "pollutant", "value": "烟度", "answer": None},
             {"task": "column", "value": "车速值", "answer": "speed_kph"}]
    async with client_for(rules_app) as c:
        r = await c.post("/v1/review/overlay", json={"corrections": fixes})
    assert r.status_code == 200, r.text
    body = r.json()
    overlay = yaml.safe_load(body["overlay"])
    assert overlay["source_types"] == [{"label": "Combination Long-haul Truck", "aliases": {"review": ["QXV-9"]}}]
    assert overlay["fields"] == [{"name": "speed_kph", "aliases": {"review": ["车速值"]}}]
    assert overlay["decisions"][0]["alias"] == "小型客车" and overlay["decisions"][0]["label"] == "Passenger Truck"
    assert "negatives" not in overlay  # 烟度 is already not a standard value
    assert len(body["added"]) == 3 and len(body["unchanged"]) == 1 and body["filename"] == "emstd-overlay.yaml"
