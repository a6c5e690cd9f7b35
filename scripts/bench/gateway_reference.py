"""The submit endpoint of the design kinfer answers: FastAPI on uvicorn, jobs on a Redis list.

`kinfer-bench gateway` runs this as its reference (issue #17), one uvicorn worker process:

    uvicorn --app-dir scripts/bench gateway_reference:app --host 127.0.0.1 --port PORT \
        --workers 1 --loop uvloop --http httptools --no-access-log

with KINFER_BENCH_REDIS_URL pointing at a redis-server the bench started. It is written the way a competent
Python team would ship that design, not a strawman: pydantic validates the body (the digits model's 64 features,
or the simulated model's any), the job ID is a UUID4, the job goes onto the list with RPUSH and its status key with
SETEX in one pipelined round trip (redis-py's asyncio client with hiredis, a pipeline in MULTI/EXEC, redis-py's
default, so a worker never pops a job whose status is missing), and the answer is 202 with
{"job_id", "status": "pending"}, serialised by orjson. No access log (a per-request log line costs more than the
handler here). Only loopback: the bench passes 127.0.0.1 for both the server and Redis.
"""

from __future__ import annotations

import os
import uuid
from contextlib import asynccontextmanager
from datetime import datetime, timezone
from typing import Optional

import orjson
import redis.asyncio as redis
from fastapi import FastAPI, HTTPException
from fastapi.responses import ORJSONResponse
from pydantic import BaseModel, Field

REDIS_URL = os.environ.get("KINFER_BENCH_REDIS_URL", "redis://127.0.0.1:6379/0")
QUEUE = "inference:jobs"
STATUS_TTL_SECONDS = 24 * 3600
# What the workers serve, and each model's feature count (None: any), as kinfer's gateway is configured.
MODELS = {"digits": 64, "simulated": None}


class Inputs(BaseModel):
    features: list[float] = Field(min_length=1, max_length=4096)


class JobRequest(BaseModel):
    model: str = "digits"
    inputs: Inputs
    timeout_ms: Optional[int] = Field(default=None, gt=0)


class JobAccepted(BaseModel):
    job_id: str
    status: str


@asynccontextmanager
async def lifespan(app: FastAPI):
    # One pool per worker process, made on its event loop.
    app.state.redis = redis.Redis.from_url(REDIS_URL)
    try:
        yield
    finally:
        await app.state.redis.aclose()


app = FastAPI(lifespan=lifespan, default_response_class=ORJSONResponse)


@app.post("/v1/jobs", status_code=202, response_model=JobAccepted)
async def submit(job: JobRequest) -> dict:
    width = MODELS.get(job.model, -1)
    if width == -1:
        raise HTTPException(status_code=422, detail=f"model '{job.model}' is not served")
    if width is not None and len(job.inputs.features) != width:
        raise HTTPException(status_code=422, detail=f"inputs.features: {width} features expected")
    job_id = str(uuid.uuid4())
    payload = orjson.dumps(
        {
            "job_id": job_id,
            "model": job.model,
            "inputs": {"features": job.inputs.features},
            "timeout_ms": job.timeout_ms,
            "submitted_at": datetime.now(timezone.utc),
        }
    )
    async with app.state.redis.pipeline() as pipe:
        pipe.setex(f"job:{job_id}:status", STATUS_TTL_SECONDS, "pending")
        pipe.rpush(QUEUE, payload)
        await pipe.execute()
    return {"job_id": job_id, "status": "pending"}
