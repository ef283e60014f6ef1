"""Text that cannot be encoded (a lone surrogate sent as a JSON escape) is refused per request with a 422 naming
where it is; a failure inside a shared batch fails only the request that caused it."""

import asyncio

import pytest
from serve_helpers import RecordingBackend, client_for, settings

from emstd.infer.standardizer import Standardizer
from emstd.serve.app import create_app

pytestmark = pytest.mark.anyio

JSON = {"content-type": "application/json"}


async def post_raw(app, path, body: bytes):
    async with client_for(app) as c:
        return await c.post(path, content=body, headers=JSON)


async def test_lone_surrogate_in_values_is_422_naming_the_index(rules_app):
    r = await post_raw(rules_app, "/v1/standardize", b'{"task": "vehicle", "values": ["ok", null, "a\\udc80b"]}')
    assert r.status_code == 422, r.text
    detail = r.json()["detail"]
    assert detail.startswith("values[2]: ") and "U+DC80" in detail and "UTF-8" in detail


@pytest.mark.parametrize("body, where", [
    (b'{"headers": ["time", "\\ud800"]}', "headers[1]: "),
    (b'{"headers": ["time"], "samples": {"time": ["1", "\\udfff"]}}', "samples['time'][1]: "),
])
async def test_lone_surrogate_in_headers_and_samples_is_422(rules_app, body, where):
    r = await post_raw(rules_app, "/v1/map-columns", body)
    assert r.status_code == 422, r.text
    assert r.json()["detail"].startswith(where) and "surrogate" in r.json()["detail"]


async def test_paired_surrogates_are_ordinary_text(rules_app):
    r = await post_raw(rules_app, "/v1/standardize", b'{"task": "vehicle", "values": ["\\ud83d\\ude9a"]}')
    assert r.status_code == 200 and r.json()["results"][0]["input"] == "\U0001F69A"


async def test_a_request_the_model_cannot_take_fails_alone_and_the_batch_is_answered():
    """The poisoned request shares a batch with seven others: they get their answers, it gets a 422 naming the
    value, and the fallback answers each request on its own after the shared call failed."""
    backend = RecordingBackend(poison="POISON")
    app = create_app(Standardizer(backend), settings(batch_window_ms=200))
    requests = [[f"v{i}"] for i in range(7)] + [["fine", "POISON"]]
    async with client_for(app) as c:
        rs = await asyncio.gather(*(c.post("/v1/standardize", json={"task": "vehicle", "values": vs})
                                    for vs in requests))
    for vs, r in zip(requests[:7], rs):
        assert r.status_code == 200, r.text
        assert [x["standard"] for x in r.json()["results"]] == [v.upper() for v in vs]
    assert rs[7].status_code == 422
    assert rs[7].json()["detail"].startswith("values[1]: ") and "cannot be standardized" in rs[7].json()["detail"]
    assert len(backend.calls[0][1]) == 9  # the shared call came first
    assert backend.max_active == 1


async def test_a_backend_failing_for_everyone_is_not_blamed_on_a_value():
    from emstd.errors import EmstdError

    backend = RecordingBackend()

    def broken(values, task):
        raise RuntimeError("CUDA error: device-side assert triggered")

    backend.standardize_values = broken
    app = create_app(Standardizer(backend), settings(batch_window_ms=200))
    async with client_for(app) as c:
        rs = await asyncio.gather(*(c.post("/v1/standardize", json={"task": "vehicle", "values": [f"v{i}", "w"]})
                                    for i in range(3)))
    # every request was tried on its own and failed too: the backend is broken, no value is to blame
    assert [r.status_code for r in rs] == [500, 500, 500]
    assert all(r.json()["error_id"] for r in rs)
    assert not issubclass(RuntimeError, EmstdError)


async def test_surrogates_encoded_in_a_csv_are_refused_or_replaced_never_a_500(rules_app):
    """Table content cannot carry a lone surrogate into the service: CSV text is decoded strictly (an encoded
    surrogate makes the file undecodable: a 400 naming the file, and the line past the head), CSV columns are
    Arrow strings (which cannot hold one), and an XLSX sheet is XML (next test)."""
    surrogate = "\udc80".encode("utf-8", "surrogatepass")
    head = "时间(s),车型\n".encode() + b"0," + surrogate + b"\n"
    filler = "".join(f"{i},小轿车\n" for i in range(70_000)).encode()  # past the 1 MiB head
    body = "时间(s),车型\n".encode() + filler + b"1," + surrogate + b"\n"
    async with client_for(rules_app) as c:
        in_head = await c.post("/v1/tables", files={"file": ("head.csv", head)})
        in_body = await c.post("/v1/tables", files={"file": ("body.csv", body)})
    assert in_head.status_code == 400 and in_head.json()["detail"].startswith("file 'head.csv': cannot decode")
    assert in_body.status_code == 400
    assert in_body.json()["detail"].startswith("file 'body.csv', line 70002: the text is not utf-8 there")


async def test_xlsx_with_an_invalid_character_is_400_naming_the_upload(rules_app, tmp_path):
    """A character reference to a surrogate is not well-formed XML: the sheet cannot be read (was a 500)."""
    import io
    import zipfile

    import pandas as pd

    plain = tmp_path / "t.xlsx"
    pd.DataFrame({"车型": ["MARKER", "小轿车"], "time": ["1", "2"]}).to_excel(plain, index=False)
    out = io.BytesIO()
    with zipfile.ZipFile(plain) as src, zipfile.ZipFile(out, "w") as dst:
        for member in src.infolist():
            dst.writestr(member, src.read(member).replace(b"MARKER", b"&#xDC80;"))
    async with client_for(rules_app) as c:
        r = await c.post("/v1/tables", files={"file": ("cars.xlsx", out.getvalue())})
    assert r.status_code == 400, r.text
    assert r.json()["detail"].startswith("file 'cars.xlsx' (sheet 'Sheet1'): not a readable .xlsx file")
    assert "/tmp" not in r.json()["detail"]
