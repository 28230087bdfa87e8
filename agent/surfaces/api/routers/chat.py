"""Questions about spend, answered by the chat graph from stored data."""

from __future__ import annotations

import uuid

from fastapi import APIRouter

from agent.graphs.runner import ask
from agent.surfaces.api.deps import AuthDep, SettingsDep
from agent.surfaces.api.problems import responses
from agent.surfaces.api.schemas import ChatRequest, ChatResponse

# 400: a body that is not JSON text at all (FastAPI cannot decode it); 422: JSON that is not a question.
router = APIRouter(prefix="/api/v1", tags=["chat"], dependencies=[AuthDep],
                   responses=responses(400, 401, 422, 503))


@router.post("/chat", response_model=ChatResponse)
def chat(body: ChatRequest, settings: SettingsDep) -> ChatResponse:
    """One answer; pass the returned `thread_id` back to continue the conversation."""
    thread_id = body.thread_id or uuid.uuid4().hex
    answer = ask(body.question, thread_id, settings)
    if isinstance(answer, str):
        return ChatResponse(answer=answer, thread_id=thread_id)
    run_cost = getattr(answer, "run_cost", None)  # its parts reached Prometheus as they were billed
    return ChatResponse(answer=answer.answer, thread_id=answer.thread_id or thread_id,
                        sources=list(getattr(answer, "sources", [])), mode=getattr(answer, "mode", ""),
                        run_cost=run_cost.model_dump(by_alias=True) if run_cost is not None else None)
