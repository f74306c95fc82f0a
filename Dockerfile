# Tagline API image. `docker compose up` runs it against JanusGraph (see deploy/README.md).
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1

WORKDIR /app

# Only what the package and the demo need; the wildcard keeps the build working without a README.
COPY pyproject.toml requirements.lock README* ./
COPY tagline ./tagline
COPY api ./api
COPY graph ./graph
COPY ingest ./ingest
COPY governance ./governance
COPY examples ./examples

RUN pip install -r requirements.lock \
    && pip install --no-deps . \
    && useradd --system --create-home --home-dir /home/tagline tagline \
    && mkdir -p /app/data \
    && chown tagline:tagline /app/data

USER tagline
EXPOSE 8000

CMD ["tagline", "serve", "--create", "--host", "0.0.0.0", "--port", "8000"]
