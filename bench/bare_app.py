"""The reference for every HTTP figure: a bare FastAPI endpoint on the same uvicorn, flags and
machine as the services (`uvicorn bench.bare_app:app`)."""

from fastapi import FastAPI

app = FastAPI()


@app.get("/ping")
async def ping() -> dict[str, str]:
    return {"status": "ok"}
