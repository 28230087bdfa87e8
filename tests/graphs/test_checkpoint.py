"""Threads persist outside the server: SQLite under the data directory by default, PostgreSQL with DATABASE_URL.
Each turn compiles a new graph over a new checkpointer connection; the conversation survives between them."""

from __future__ import annotations

import uuid

from chat_data import seed

from agent.graphs.chat.graph import build_chat_graph
from agent.graphs.chat.tools import today
from agent.graphs.checkpoint import open_checkpointer, sqlite_path
from agent.graphs.runner import ask
from tools.settings import load_settings


def _conversation(settings, thread_id: str) -> list[tuple[str, str]]:
    with open_checkpointer(settings) as saver:
        graph = build_chat_graph().compile(checkpointer=saver)
        state = graph.get_state({"configurable": {"thread_id": thread_id}})
    return [(m.type, str(m.content).splitlines()[0][:40]) for m in state.values.get("messages", [])]


def _two_turns(settings) -> tuple[str, list[tuple[str, str]]]:
    thread = f"thread-{uuid.uuid4().hex}"
    ask("What are the biggest savings opportunities?", thread, settings)
    ask("Which resources are idle?", thread, settings)
    return thread, _conversation(settings, thread)


def test_sqlite_keeps_a_thread_across_graphs(storage_env, small_report) -> None:
    seed(storage_env, small_report, today())
    settings = load_settings(bedrock_model_id="none")
    _, messages = _two_turns(settings)
    assert messages == [("human", "What are the biggest savings opportuniti"),
                        ("ai", "Biggest savings opportunities [Source: l"),
                        ("human", "Which resources are idle?"),
                        ("ai", "11 resources are idle or unused (idle_re")]
    assert sqlite_path(settings) == settings.data_dir / "threads.sqlite"
    assert sqlite_path(settings).is_file()


def test_postgres_keeps_a_thread_across_graphs(storage_env, small_report, postgres_url) -> None:
    seed(storage_env, small_report, today())
    settings = load_settings(bedrock_model_id="none", database_url=postgres_url)
    thread, messages = _two_turns(settings)
    assert [m[0] for m in messages] == ["human", "ai", "human", "ai"]
    if sqlite_path(settings).exists():  # another test's SQLite store may exist; this thread is not in it
        assert _conversation(load_settings(bedrock_model_id="none"), thread) == []
    import psycopg

    with psycopg.connect(postgres_url) as conn:
        count = conn.execute("SELECT count(*) FROM checkpoints WHERE thread_id = %s", (thread,)).fetchone()[0]
    assert count >= 4  # input and node checkpoints of two turns
