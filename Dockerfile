# syntax=docker/dockerfile:1
#
# targetwatch in a container. SQLite (mattn/go-sqlite3) needs cgo, so the
# binary is built with gcc against glibc and runs on a glibc base image.
#
#   docker build -t targetwatch .
#   docker run -p 8080:8080 -v targetwatch-data:/data targetwatch

FROM golang:1.26-bookworm AS build
WORKDIR /src
# Modules first, so code changes do not refetch them.
COPY go.mod go.sum ./
RUN go mod download
COPY . .
# The build context has no .git, so the go tool cannot stamp the revision:
# name the build with build arguments (empty ones leave "dev", unknown):
#   docker build --build-arg VERSION=$(git describe --tags --always --dirty) \
#     --build-arg REVISION=$(git rev-parse HEAD) \
#     --build-arg REVISION_TIME=$(git log -1 --format=%cI) -t targetwatch .
ARG VERSION=
ARG REVISION=
ARG REVISION_TIME=
RUN CGO_ENABLED=1 go build -trimpath \
      -ldflags "-s -w -X main.version=${VERSION} -X main.revision=${REVISION} -X main.revisionTime=${REVISION_TIME}" \
      -o /out/targetwatch ./cmd/targetwatch

FROM debian:bookworm-slim
# ca-certificates for outgoing TLS, tzdata for Asia/Shanghai (the binary
# also embeds it), curl for the healthcheck.
RUN apt-get update \
 && apt-get install -y --no-install-recommends ca-certificates tzdata curl \
 && rm -rf /var/lib/apt/lists/* \
 && useradd --system --uid 10001 --home-dir /data --shell /usr/sbin/nologin targetwatch \
 && mkdir -p /data \
 && chown targetwatch /data
COPY --from=build /out/targetwatch /usr/local/bin/targetwatch
# The plan and the document its quotes are checked against; targets.yaml
# names the document relative to itself.
WORKDIR /etc/targetwatch
COPY targets.yaml ./
COPY seeds/ ./seeds/
USER targetwatch
VOLUME /data
EXPOSE 8080
HEALTHCHECK --interval=30s --timeout=5s --start-period=10s --retries=3 \
  CMD curl -fsS -o /dev/null http://localhost:8080/readyz || exit 1
ENTRYPOINT ["targetwatch"]
CMD ["serve", "--listen", ":8080", "--db", "/data/targetwatch.db"]
