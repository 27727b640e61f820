"""``searchkit serve`` as a real uvicorn process on a free loopback port: the API answers what the command line's
``--json`` prints, writes need the token, every limit is a 4xx with a message, ids are looked up and never used as
paths, document text is escaped in the page, and schemathesis finds no 5xx over ``/openapi.json``."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from searchkit.server.config import ServerConfig
from searchkit.server.run import warnings
from tests.conftest import SEED_ID, run_cli
from tests.serving import Server

TOKEN = "s3cret-token"
AUTH = {"Authorization": f"Bearer {TOKEN}"}


def without_time(data: dict) -> dict:
    return {key: value for key, value in data.items() if key != "seconds"}


@pytest.fixture(scope="module")
def reader(corpus_index_path: Path) -> Iterator[Server]:
    """A server with no token over the session's corpus index (only read)."""
    server = Server(corpus_index_path)
    yield server
    assert server.stop(), server.log()


@pytest.fixture(scope="module")
def writable(tmp_path_factory: pytest.TempPathFactory, corpus_index_path: Path, corpus_dir: Path) -> Iterator[Server]:
    """A server with a token over a copy of the corpus index, allowed to sync a copy of the corpus folder."""
    base = tmp_path_factory.mktemp("served")
    shutil.copytree(corpus_index_path, base / "index")
    shutil.copytree(corpus_dir, base / "corpus")
    server = Server(base / "index", "--root", str(base / "corpus"), env={"SEARCHKIT_TOKEN": TOKEN})
    yield server
    assert server.stop(), server.log()


# --- the API is the command line's --json --------------------------------------------------------------------

@pytest.mark.parametrize("query, options", [
    ("Анкоридж", []), ("встреча Путина и Трампа", ["--limit", "3", "--offset", "2"]), ("Genby", []),
    ("Genby", ["--no-correct"]), ("стали", []), ("date:2025-08 Анкоридж", []),
    ("встреча path:news", ["--sort", "newest", "--facets"]), ("КНДР", ["--no-synonyms"]), ("КНДР", []),
])
def test_search_answers_what_the_cli_prints(reader: Server, corpus_index_path: Path, query: str,
                                            options: list[str]) -> None:
    status, out, _ = run_cli("search", "--json", "--index", str(corpus_index_path), *options, query)
    assert status == 0
    params: dict[str, str] = {"q": query}
    for flag, name in (("--limit", "limit"), ("--offset", "offset")):
        if flag in options:
            params[name] = options[options.index(flag) + 1]
    if "--no-correct" in options:
        params["correct"] = "false"
    if "--sort" in options:
        params["sort"] = options[options.index("--sort") + 1]
    if "--facets" in options:
        params["facets"] = "true"
    if "--no-synonyms" in options:
        params["synonyms"] = "false"
    answer = reader.client.get("/api/search", params=params)
    assert answer.status_code == 200
    assert answer.headers["content-type"].startswith("application/json")
    assert without_time(answer.json()) == without_time(json.loads(out))


def test_a_correction_and_homonyms_travel_in_the_plan(reader: Server) -> None:
    corrected = reader.client.get("/api/search", params={"q": "Genby"}).json()
    assert corrected["query"] == "Путин" and corrected["plan"]["correction"]["kind"] == "layout"
    homonyms = reader.client.get("/api/search", params={"q": "стали"}).json()["plan"]["homonyms"]
    assert {r["lemma"] for r in homonyms[0]["readings"]} >= {"стать", "сталь"}


def test_a_malformed_query_is_a_400_with_the_cli_message_and_position(reader: Server, corpus_index_path: Path) -> None:
    status, _, err = run_cli("search", "--index", str(corpus_index_path), "title:(Аляска")
    assert status == 2
    answer = reader.client.get("/api/search", params={"q": "title:(Аляска"})
    assert answer.status_code == 400
    body = answer.json()
    message, pointer = err.split("\n", 1)
    assert f"searchkit: error: {body['error']}" == message
    assert body["position"] == 6 and body["pointer"] == pointer.rstrip("\n")


def test_explain_analyze_stats_answer_what_the_cli_prints(reader: Server, corpus_index_path: Path) -> None:
    index = ["--index", str(corpus_index_path)]
    _, out, _ = run_cli("explain", "--json", *index, "встреча Путина", SEED_ID)
    assert reader.client.get("/api/explain", params={"q": "встреча Путина", "id": SEED_ID}).json() == json.loads(out)
    _, out, _ = run_cli("analyze", "--json", *index, "Стали ли сталь прочнее?")
    assert reader.client.get("/api/analyze", params={"text": "Стали ли сталь прочнее?"}).json() == json.loads(out)
    _, out, _ = run_cli("stats", "--json", *index)
    assert reader.client.get("/api/stats").json() == json.loads(out)


def test_every_hit_streamed_as_json_lines(reader: Server) -> None:
    page = reader.client.get("/api/search", params={"q": "встреча", "limit": 100}).json()
    with reader.client.stream("GET", "/api/search.jsonl", params={"q": "встреча"}) as answer:
        assert answer.status_code == 200 and answer.headers["content-type"].startswith("application/x-ndjson")
        lines = [json.loads(line) for line in answer.iter_lines() if line]
    assert len(lines) == page["total"] > 10
    assert lines == page["hits"]


def test_the_document_with_its_matches_marked(reader: Server, seed_body: str) -> None:
    document = reader.client.get("/api/document", params={"id": SEED_ID, "q": "встреча"}).json()
    assert document["id"] == SEED_ID and document["text"] == seed_body
    forms = {document["text"][h["start"]:h["end"]] for h in document["highlights"]}
    assert forms >= {"встречей", "встреча"} and all(f.lower().startswith("встреч") for f in forms)


def test_completion_offers_index_words_with_counts(reader: Server) -> None:
    words = reader.client.get("/api/complete", params={"prefix": "встр", "limit": 5}).json()
    assert words and all(w["word"].startswith("встр") and w["documents"] > 0 for w in words)
    assert "встреча" in [w["word"] for w in words]
    assert [w["documents"] for w in words] == sorted((w["documents"] for w in words), reverse=True)


def test_health_and_openapi(reader: Server) -> None:
    health = reader.client.get("/health").json()
    assert health["status"] == "ok" and health["documents"] > 20 and health["writes"] is False
    paths = reader.client.get("/openapi.json").json()["paths"]
    assert {"/api/search", "/api/search.jsonl", "/api/document", "/api/explain", "/api/analyze", "/api/complete",
            "/api/stats", "/health", "/api/documents", "/api/index", "/api/jobs/{job_id}"} <= set(paths)
    limit = next(p for p in paths["/api/search"]["get"]["parameters"] if p["name"] == "limit")
    assert limit["schema"]["maximum"] == 100


def test_an_access_log_line_per_request(reader: Server) -> None:
    reader.client.get("/api/stats", params={"x": "1"})
    time.sleep(0.2)
    assert '127.0.0.1 "GET /api/stats?x=1" 200' in reader.log()


# --- safe by default -----------------------------------------------------------------------------------------

def test_writes_are_off_without_a_token(reader: Server) -> None:
    for method, path in (("POST", "/api/documents"), ("DELETE", "/api/document?id=x"), ("POST", "/api/index")):
        answer = reader.client.request(method, path, headers=AUTH, content=b"[]")
        assert answer.status_code == 403 and "writes are off" in answer.json()["error"]


def test_writes_need_the_right_token(writable: Server) -> None:
    record = [{"id": "t1", "title": "Пробная заметка", "text": "В Сыктывкаре открылась пельменная."}]
    missing = writable.client.post("/api/documents", json=record)
    assert missing.status_code == 401 and missing.headers["www-authenticate"].startswith("Bearer")
    wrong = writable.client.post("/api/documents", json=record, headers={"Authorization": "Bearer nope"})
    assert wrong.status_code == 403 and "token" in wrong.json()["error"]
    assert writable.client.get("/api/search", params={"q": "пельменная", "correct": "false"}).json()["total"] == 0
    right = writable.client.post("/api/documents", json=record, headers=AUTH)
    assert right.status_code == 200 and right.json()["written"] == 1
    hits = writable.client.get("/api/search", params={"q": "пельменной"}).json()["hits"]
    assert [hit["id"] for hit in hits] == ["t1"]


def test_ids_with_slash_and_hash_added_read_and_deleted(writable: Server) -> None:
    doc_id = "archive/2025/mail.mbox#12/report.docx"
    record = [{"id": doc_id, "title": "Отчёт", "date": "2025-08-15", "text": "Отчёт о встрече в Анкоридже."}]
    assert writable.client.post("/api/documents", json=record, headers=AUTH).status_code == 200
    document = writable.client.get("/api/document", params={"id": doc_id, "q": "встреча"}).json()
    assert document["id"] == doc_id and document["date"] == "2025-08-15"
    assert [document["text"][h["start"]:h["end"]] for h in document["highlights"]] == ["встрече"]
    deleted = writable.client.delete("/api/document", params={"id": doc_id}, headers=AUTH)
    assert deleted.status_code == 200 and deleted.json()["deleted"] == 1
    assert writable.client.get("/api/document", params={"id": doc_id}).status_code == 404
    again = writable.client.delete("/api/document", params={"id": doc_id}, headers=AUTH)
    assert again.status_code == 404 and doc_id in again.json()["error"]


def test_a_bad_record_is_a_400_and_nothing_is_written(writable: Server) -> None:
    records = [{"id": "ok1", "text": "Совещание металлургов."}, {"id": "bad", "title": "без текста"}]
    answer = writable.client.post("/api/documents", json=records, headers=AUTH)
    assert answer.status_code == 400 and "'bad'" in answer.json()["error"] and "text" in answer.json()["error"]
    assert writable.client.get("/api/document", params={"id": "ok1"}).status_code == 404
    for body in (b"{not json", b'{"id": "x"}', b"[1, 2]"):
        bad = writable.client.post("/api/documents", content=body, headers=AUTH)
        assert bad.status_code == 400 and bad.json()["error"]


def test_a_folder_sync_is_a_job_while_readers_keep_answering(writable: Server) -> None:
    corpus = writable.root
    assert corpus is not None
    (corpus / "2025-09-01-hockey.txt").write_text("Хоккеисты «Трактора» обыграли «Авангард» в овертайме.\n",
                                                  encoding="utf-8")
    for name in range(40):  # enough files for the sync to take a while
        (corpus / f"filler-{name}.txt").write_text(f"Заметка номер {name} о погоде в Челябинске.\n" * 200,
                                                   encoding="utf-8")
    started = writable.client.post("/api/index", headers=AUTH)
    assert started.status_code == 202
    job = started.json()
    assert job["state"] in ("queued", "running") and started.headers["location"] == f"/api/jobs/{job['id']}"
    answers = []
    deadline = time.monotonic() + 120
    while job["state"] in ("queued", "running") and time.monotonic() < deadline:
        answers.append(writable.client.get("/api/search", params={"q": "встреча"}).status_code)
        job = writable.client.get(f"/api/jobs/{job['id']}", headers=AUTH).json()
    assert job["state"] == "done", job
    assert job["report"]["added"] == 41 and job["progress"]["files_done"] == job["progress"]["files_total"]
    assert answers and set(answers) == {200}
    hits = writable.client.get("/api/search", params={"q": "хоккеисты Трактора"}).json()["hits"]
    assert hits[0]["id"].endswith("2025-09-01-hockey.txt")
    assert writable.client.get(f"/api/jobs/{job['id']}").status_code == 401


@pytest.mark.parametrize("folder", ["/etc", "..", "../corpus", "corpus/../..", "/work"])
def test_a_sync_never_takes_a_path_from_the_request(writable: Server, folder: str) -> None:
    answer = writable.client.post("/api/index", params={"folder": folder}, headers=AUTH)
    assert answer.status_code == 400 and "folder: one of corpus" in answer.json()["error"]


@pytest.mark.parametrize("params, message", [
    ({"q": "x" * 1001}, "q: at most 1,000 characters on this server, not 1,001"),
    ({}, "q: required"),
    ({"q": ""}, "q: required, and not blank"),
    ({"q": "   "}, "q: required, and not blank"),
    ({"q": "встреча", "limit": "0"}, "limit: at least 1, not 0"),
    ({"q": "встреча", "limit": "101"}, "limit: at most 100 on this server, not 101"),
    ({"q": "встреча", "offset": "10001"}, "offset: at most 10000 on this server, not 10001"),
    ({"q": "встреча", "limit": "ten"}, "limit: a whole number, not 'ten'"),
    ({"q": "встреча", "correct": "maybe"}, "correct: true or false, not 'maybe'"),
    ({"q": "встреча", "sort": "latest"}, "sort: one of relevance, newest, oldest, not 'latest'"),
])
def test_limits_are_4xx_with_a_message(reader: Server, params: dict[str, str], message: str) -> None:
    answer = reader.client.get("/api/search", params=params)
    assert answer.status_code == 400 and answer.json() == {"error": message}


def test_a_body_over_the_limit_is_a_413(writable: Server) -> None:
    big = json.dumps([{"id": "big", "text": "слово " * (2 * 2**20)}]).encode()
    answer = writable.client.post("/api/documents", content=big, headers=AUTH)
    assert answer.status_code == 413 and "10,485,760" in answer.json()["error"]

    def chunks() -> Iterator[bytes]:  # no Content-Length: counted as it arrives
        for _ in range(12):
            yield b" " * 2**20
    streamed = writable.client.post("/api/documents", content=chunks(), headers=AUTH)
    assert streamed.status_code == 413


@pytest.mark.parametrize("doc_id", ["../../../../etc/passwd", "/etc/passwd", "corpus/../pyproject.toml",
                                    "..%2F..%2Fetc%2Fpasswd", "corpus/2025-08-12-putin-kim.txt/../../README.md"])
def test_ids_are_looked_up_never_read_as_paths(reader: Server, doc_id: str) -> None:
    for path in ("/api/document", "/document"):
        answer = reader.client.get(path, params={"id": doc_id})
        assert answer.status_code == 404
        assert "root:" not in answer.text and "[project]" not in answer.text and "# searchkit" not in answer.text
    assert reader.client.get("/api/explain", params={"id": doc_id, "q": "встреча"}).status_code == 404


def test_static_files_stay_in_their_folder(reader: Server) -> None:
    assert reader.client.get("/static/page.css").status_code == 200
    for path in ("/static/../app.py", "/static/%2e%2e/app.py", "/static/..%2f..%2f..%2fpyproject.toml"):
        answer = reader.client.get(path)
        assert answer.status_code == 404 and "Starlette" not in answer.text


def test_document_text_is_escaped_in_the_page(writable: Server) -> None:
    hostile = "<script>alert('x')</script>"
    record = [{"id": "xss<img src=x onerror=alert(1)>", "title": f"Заголовок {hostile}",
               "text": f"Совещание шахтёров {hostile} <b>жирный</b> прошло в Кемерове."}]
    assert writable.client.post("/api/documents", json=record, headers=AUTH).status_code == 200
    page = writable.client.get("/", params={"q": "шахтёры"}).text
    assert "<mark>шахтёров</mark>" in page
    assert "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;" in page
    assert "<script>alert" not in page and "<b>жирный" not in page and "<img src=x" not in page
    document = writable.client.get("/document", params={"id": record[0]["id"], "q": "шахтёры"}).text
    assert "<script>alert" not in document and "&lt;b&gt;жирный&lt;/b&gt;" in document
    reflected = writable.client.get("/", params={"q": hostile}).text
    assert "<script>alert" not in reflected and "&lt;script&gt;" in reflected


def test_no_cross_origin_access_unless_asked(reader: Server, corpus_index_path: Path) -> None:
    answer = reader.client.get("/api/stats", headers={"Origin": "https://elsewhere.example"})
    assert "access-control-allow-origin" not in answer.headers
    allowed = Server(corpus_index_path, "--cors", "https://intranet.example")
    try:
        yes = allowed.client.get("/api/stats", headers={"Origin": "https://intranet.example"})
        assert yes.headers["access-control-allow-origin"] == "https://intranet.example"
        no = allowed.client.get("/api/stats", headers={"Origin": "https://elsewhere.example"})
        assert "access-control-allow-origin" not in no.headers
    finally:
        assert allowed.stop()


def test_a_search_past_its_budget_is_stopped_and_answered(corpus_index_path: Path) -> None:
    server = Server(corpus_index_path, "--budget", "0.001", "--threads", "2")
    try:
        slow = "=стали OR встреч* OR Путин OR Трамп* OR саммит*"  # over a millisecond even when warm
        for _ in range(6):
            answer = server.client.get("/api/search", params={"q": slow})
            assert answer.status_code == 422
            assert "budget of 0.001 s" in answer.json()["error"]
        page = server.client.get("/", params={"q": slow})
        assert page.status_code == 422 and "budget" in page.text
        time.sleep(1)
        assert server.client.get("/health").json()["search_threads"] == 2
    finally:
        assert server.stop()
        assert "Traceback" not in server.log()


def test_another_host_warns_without_a_token(tmp_path: Path) -> None:
    assert warnings(ServerConfig(tmp_path, host="0.0.0.0", port=8730))
    assert not warnings(ServerConfig(tmp_path, host="0.0.0.0", port=8730, token="t"))
    assert not warnings(ServerConfig(tmp_path, host="127.0.0.1", port=8730))
    assert not warnings(ServerConfig(tmp_path, host="::1", port=8730))


def test_no_index_is_one_line_before_listening(tmp_path: Path) -> None:
    done = subprocess.run([sys.executable, "-m", "searchkit", "serve", "--index", str(tmp_path / "none")],
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 2 and done.stderr.startswith("searchkit: error: ") and "Traceback" not in done.stderr


def test_the_library_and_the_cli_do_not_import_the_server_stack() -> None:
    code = "import sys, searchkit, searchkit.cli; print(sorted({'starlette', 'uvicorn', 'jinja2'} & set(sys.modules)))"
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert done.stdout.strip() == "[]", done.stderr


# --- the page without JavaScript -----------------------------------------------------------------------------

def test_the_page_searches_and_pages_without_javascript(reader: Server) -> None:
    first = reader.client.get("/", params={"q": "встреча Путина и Трампа"})
    assert first.status_code == 200 and first.headers["content-type"].startswith("text/html")
    html = first.text
    assert html.count('<li class="hit">') == 10 and "<mark>" in html and 'rel="next"' in html
    assert 'lang="ru"' in html and "показаны 1–10" in html
    second = reader.client.get("/", params={"q": "встреча Путина и Трампа", "page": "2"}).text
    assert "показаны 11–" in second and 'rel="prev"' in second


def test_the_page_shows_the_correction_and_homonym_links(reader: Server) -> None:
    corrected = reader.client.get("/", params={"q": "Genby"}).text
    assert "Показаны результаты для «Путин»" in corrected and "correct=0" in corrected
    homonyms = reader.client.get("/", params={"q": "стали"}).text
    assert "q=%D1%81%D1%82%D0%B0%D0%BB%D0%B8%3A%D1%81%D1%82%D0%B0%D0%BB%D1%8C" in homonyms  # стали:сталь


def test_the_page_filters_by_date(reader: Server) -> None:
    every = reader.client.get("/api/search", params={"q": "Анкоридж"}).json()["total"]
    august = reader.client.get("/api/search", params={"q": "Анкоридж date:2025-08-14"}).json()["total"]
    assert every > august > 0
    page = reader.client.get("/", params={"q": "Анкоридж", "date": "2025-08-14"}).text
    assert page.count('<li class="hit">') == august
    bad = reader.client.get("/", params={"q": "Анкоридж", "date": "<b>"})
    assert bad.status_code == 400 and "&lt;b&gt;" in bad.text


# --- no request yields a 5xx ---------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def fuzzed(tmp_path_factory: pytest.TempPathFactory, corpus_index_path: Path) -> Iterator[Server]:
    base = tmp_path_factory.mktemp("fuzzed")
    shutil.copytree(corpus_index_path, base / "index")
    server = Server(base / "index", env={"SEARCHKIT_TOKEN": TOKEN})
    yield server
    assert server.stop()


def test_schemathesis_finds_no_server_error(fuzzed: Server) -> None:
    import schemathesis
    from hypothesis import HealthCheck, given, settings

    schema = schemathesis.openapi.from_url(fuzzed.url + "/openapi.json")
    failures, calls = [], []
    for operation in schema.get_all_operations():
        api_operation = operation.ok()

        @settings(max_examples=25, deadline=None, database=None,
                  suppress_health_check=list(HealthCheck))
        @given(case=api_operation.as_strategy())
        def run(case: object) -> None:
            for headers in ({}, AUTH):
                response = case.call(base_url=fuzzed.url, headers=headers)  # type: ignore[attr-defined]
                calls.append(response.status_code)
                if response.status_code >= 500 or "Traceback" in response.text:
                    failures.append((case.method, case.formatted_path, case.query,  # type: ignore[attr-defined]
                                     response.status_code, response.text[:200]))
        run()
    assert not failures, failures[:5]
    assert len(calls) > 200 and {200, 400, 401} <= set(calls)
    assert "Traceback" not in fuzzed.log()


def test_sigterm_during_a_sync_stops_it_and_keeps_the_last_commit(tmp_path: Path, corpus_index_path: Path) -> None:
    shutil.copytree(corpus_index_path, tmp_path / "index")
    incoming = tmp_path / "incoming"
    incoming.mkdir()
    for name in range(400):
        (incoming / f"note-{name:03}.txt").write_text(f"Заметка {name} о погоде в Челябинске. " * 300, encoding="utf-8")
    server = Server(tmp_path / "index", "--root", str(incoming), env={"SEARCHKIT_TOKEN": TOKEN})
    job = server.client.post("/api/index", headers=AUTH).json()
    deadline = time.monotonic() + 60
    while job["state"] != "running" and time.monotonic() < deadline:
        time.sleep(0.05)
        job = server.client.get(f"/api/jobs/{job['id']}", headers=AUTH).json()
    assert job["state"] == "running"
    assert server.stop(), server.log()
    leftover = subprocess.run(["pgrep", "-f", f"sync_process {tmp_path / 'index'}"], capture_output=True, text=True)
    assert leftover.stdout == ""
    status, out, _ = run_cli("check", "--index", str(tmp_path / "index"))
    assert status == 0 and out.startswith("index OK")


def test_the_page_counts_every_hit_by_year_and_by_month_within_the_year_chosen(reader: Server) -> None:
    facets = reader.client.get("/api/search", params={"q": "встреча", "facets": "true"}).json()["facets"]
    page = reader.client.get("/", params={"q": "встреча"}).text
    assert facets["year"] and all(f'{year} <span class="count">{count}</span>' in page
                                  for year, count in facets["year"].items())
    year = max(facets["year"])
    months = reader.client.get("/api/search", params={"q": f"встреча date:{year}", "facets": "true"}).json()
    within = reader.client.get("/", params={"q": "встреча", "date": year}).text
    assert all(f'{month} <span class="count">{count}</span>' in within
               for month, count in months["facets"]["month"].items())
    assert sum(months["facets"]["month"].values()) == facets["year"][year]
