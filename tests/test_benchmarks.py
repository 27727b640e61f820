"""The benchmark scripts run and report sane figures: ``quality.py`` on a slice of the shared XQuAD-ru data
(skipped when the data is absent), also with its indexes on a cluster (marker ``opensearch``), ``lemma_gold.py`` on
a few CoNLL-U lines written here."""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import uuid
from pathlib import Path

import pytest

BENCHMARKS = Path(__file__).resolve().parent.parent / "benchmarks"
sys.path.insert(0, str(BENCHMARKS))

import common  # noqa: E402  (a sibling module of the scripts, not a package)
import lemma_gold  # noqa: E402
import quality  # noqa: E402


def run_quality(tmp_path: Path, *options: str) -> dict:
    """``quality.py`` on the first 20 paragraph questions, searchkit's default engine only; its printed JSON."""
    data = common.shared_dir(None) / "data" / "xquad-ru" / "paragraphs"
    if not (data / "corpus.jsonl").is_file():
        pytest.skip(f"shared evaluation data not found in {data} (set {common.ENV_SHARED} or put it in ../shared)")
    output = tmp_path / "quality.json"
    completed = subprocess.run(
        [sys.executable, str(BENCHMARKS / "quality.py"), "--sets", "paragraphs", "--limit-queries", "20",
         "--variants", "weighted-lemmas", "--no-cache", "--processes", "1", "--json", "--output", str(output),
         *options],
        capture_output=True, text=True, timeout=300, check=True,
        env=dict(os.environ, PYTHONPATH=str(BENCHMARKS.parent)))  # this checkout's searchkit, not an installed one
    printed = json.loads(completed.stdout)
    assert printed == json.loads(output.read_text(encoding="utf-8"))
    return printed


def test_quality_on_twenty_paragraph_questions(tmp_path: Path) -> None:
    printed = run_quality(tmp_path, "--no-peers")
    result = printed["sets"]["xquad-ru/paragraphs"]
    assert (result["documents"], result["queries"]) == (240, 20)
    [(name, figures)] = result["engines"].items()
    assert name.startswith("searchkit weighted-lemmas")
    assert figures["errors"] == []
    for measure in ("nDCG@10", "MRR@10", "Recall@100"):
        assert 0.0 <= figures[measure] <= 1.0
    assert figures["nDCG@10"] >= 0.7


def test_the_opensearch_peer_is_skipped_with_the_reason_without_a_cluster() -> None:
    args = argparse.Namespace(variants=[], processes=1, synonyms=["on"], synonym_weight=None, index=None,
                              peers=["opensearch-russian"])
    engines, skipped = quality.engines_for(args, "source")
    assert [engine.name for engine in engines] == ["searchkit weighted-lemmas (default)"]
    assert skipped == {"opensearch-russian": "no cluster given (--index opensearch://HOST:PORT/PREFIX)"}


@pytest.mark.opensearch
def test_quality_with_the_indexes_on_a_cluster_beside_the_embedded_ones(tmp_path: Path) -> None:
    url = os.environ.get("SEARCHKIT_TEST_OPENSEARCH")
    if not url:
        pytest.skip("no test cluster: start one with scripts/opensearch-cluster start and set "
                    "SEARCHKIT_TEST_OPENSEARCH to the URL it prints")
    cluster = url.rstrip("/").replace("https://", "opensearchs://").replace("http://", "opensearch://")
    prefix = f"searchkit-test-{uuid.uuid4().hex[:8]}"
    try:
        printed = run_quality(tmp_path, "--peers", "opensearch-russian", "--index", f"{cluster}/{prefix}")
    finally:
        from searchkit.backends.opensearch.client import client_for
        from searchkit.backends.opensearch.location import ClusterLocation

        client_for(ClusterLocation.parse(f"{cluster}/{prefix}")).indices.delete(index=f"{prefix}*", ignore=[404])
    engines = printed["sets"]["xquad-ru/paragraphs"]["engines"]
    assert list(engines) == ["searchkit weighted-lemmas (default)", "searchkit weighted-lemmas (default) on OpenSearch",
                             "OpenSearch russian"]
    assert all(figures["errors"] == [] and figures["nDCG@10"] >= 0.7 for figures in engines.values())
    [(name, differences)] = printed["cluster_differences"]["xquad-ru/paragraphs"].items()
    assert name == "searchkit weighted-lemmas (default)"
    assert differences == {key: round(engines[name + " on OpenSearch"][key] - engines[name][key], 4)
                           for key in ("nDCG@10", "MRR@10", "Recall@100")}
    assert abs(differences["nDCG@10"]) <= 0.02


CONLLU = """\
# sent_id = 1
# text = Кошки, сидели на окнах 2024-го года.
1\tКошки\tкошка\tNOUN\t_\tAnimacy=Anim|Case=Nom|Gender=Fem|Number=Plur\t2\tnsubj\t_\tSpaceAfter=No
2\t,\t,\tPUNCT\t_\t_\t1\tpunct\t_\t_
3\tсидели\tсидеть\tVERB\t_\tAspect=Imp|Mood=Ind|Number=Plur|Tense=Past|VerbForm=Fin\t0\troot\t_\t_
4-5\tна окнах\t_\t_\t_\t_\t_\t_\t_\t_
4\tна\tна\tADP\t_\t_\t5\tcase\t_\t_
5\tокнах\tокно\tNOUN\t_\tAnimacy=Inan|Case=Loc|Gender=Neut|Number=Plur\t3\tobl\t_\t_
5.1\tсидели\tсидеть\tVERB\t_\t_\t_\t_\t_\t_
6\t2024-го\t2024-й\tADJ\t_\t_\t7\tamod\t_\t_
7\tгода\tгод\tNOUN\t_\tAnimacy=Inan|Case=Gen|Gender=Masc|Number=Sing\t5\tnmod\t_\t_
8\tЁЛКИ\tёлка\tNOUN\t_\tCase=Nom|Number=Plur\t3\tobj\t_\t_
9\tучтены\tучесть\tVERB\t_\tAspect=Perf|Number=Plur|Variant=Short|VerbForm=Part\t3\tconj\t_\t_
10\t1812\t1812\tNUM\t_\t_\t7\tnummod\t_\t_
11\t«?»\t«?»\tSYM\t_\t_\t7\tpunct\t_\t_
12\t#Сочи\t#сочи\tX\t_\t_\t7\tdep\t_\t_

"""


def test_lemma_gold_scores_word_tokens_only(tmp_path: Path) -> None:
    path = tmp_path / "mini.conllu"
    path.write_text(CONLLU, encoding="utf-8")
    tokens = list(lemma_gold.read_conllu(path))
    # no punctuation, multiword range "4-5", empty node "5.1", or tokens without letters ("1812", "«?»")
    assert [t.form for t in tokens] == ["Кошки", "сидели", "на", "окнах", "2024-го", "года", "ЁЛКИ", "учтены",
                                        "#Сочи"]
    result = lemma_gold.score_tokens(tokens)
    assert result["tokens"] == 9
    # all right (ЁЛКИ → ёлка with case and ё folded; #Сочи and its lemma split as the tokenizer splits them,
    # to сочи) but the ordinal, which pymorphy3 keeps as it is
    assert result["top1"] == result["indexed"] == result["indexed_all_lemmas"] == round(8 / 9, 4)
    [miss] = result["misses"]
    assert (miss["category"], miss["count"], miss["not_indexed"]) == ("ADJ", 1, 1)
    assert miss["examples"] == ["2024-го → 2024-го (2024-й)"]


@pytest.mark.opensearch
def test_opensearch_speed_on_a_small_slice(tmp_path: Path) -> None:
    """The speed benchmark starts a cluster of its own (beside the test cluster, which says that Java and the
    jars are here), indexes 100 paragraphs twice and searches them, and stops the cluster."""
    if not os.environ.get("SEARCHKIT_TEST_OPENSEARCH"):
        pytest.skip("no test cluster: start one with scripts/opensearch-cluster start and set "
                    "SEARCHKIT_TEST_OPENSEARCH to the URL it prints")
    if not (common.shared_dir(None) / "data" / "corpus-large" / "ruslit_paragraphs.jsonl").is_file():
        pytest.skip("shared evaluation data not found")
    output = tmp_path / "speed.json"
    subprocess.run([sys.executable, str(BENCHMARKS / "opensearch_speed.py"), "--nodes", "1", "--limit", "100",
                    "--runs", "1", "--queries", "5", "--small", "--processes", "1", "--state", str(tmp_path / "state"),
                    "--json", str(output)],
                   capture_output=True, text=True, timeout=600, check=True,
                   env=dict(os.environ, PYTHONPATH=str(BENCHMARKS.parent)))
    [(name, figures)] = json.loads(output.read_text(encoding="utf-8"))["sessions"].items()
    assert name == "1 node, replicas 0"
    for engine in ("embedded", "cluster"):
        assert figures["engines"][engine]["indexing"]["mb_per_s"] > 0
        latency = figures["engines"][engine]["latency"]
        assert 0 < latency["warm_p50_ms"] <= latency["warm_p95_ms"]
    assert figures["engines"]["cluster"]["indexing"]["cluster_cpu_seconds"] > 0
    assert not (tmp_path / "state" / "pid").exists()  # the cluster was stopped
