"""The baseline for bench/ingest.py: FastAPI under the same uvicorn, answering 202 only."""

from __future__ import annotations

import sys

import uvicorn
from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse

app = FastAPI()


@app.get("/healthz")
async def healthz() -> dict[str, str]:
    return {"status": "ok"}


@app.post("/github/webhook", status_code=202)
async def webhook(request: Request) -> JSONResponse:
    await request.body()
    return JSONResponse({"message": "accepted"}, status_code=202)


if __name__ == "__main__":
    uvicorn.run(app, host="127.0.0.1", port=int(sys.argv[1]), log_level="warning", access_log=False)
