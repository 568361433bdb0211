# The backchannel API (no model inside: it talks to a model server over BACKCHANNEL_BASE_URL).
FROM python:3.11-slim
WORKDIR /app
COPY pyproject.toml constraints.txt README.md ./
COPY service ./service
COPY prompts ./prompts
RUN pip install --no-cache-dir -c constraints.txt .
ENV BACKCHANNEL_CACHE_DIR=/data/cache \
    BACKCHANNEL_PROMPTS_DIR=/app/prompts
EXPOSE 8000
CMD ["backchannel", "serve", "--host", "0.0.0.0", "--port", "8000"]
