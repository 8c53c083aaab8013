# mianshi: one static binary for every role (api, worker, temporal setup).
#
#   docker build -t mianshi .
#   docker run --rm mianshi help
#
# Build stage: the Go toolchain the project pins (go.mod), no cgo, so the
# binary runs on any Linux base.
FROM golang:1.26.8-bookworm AS build
WORKDIR /src
COPY go.mod go.sum ./
RUN --mount=type=cache,target=/root/go/pkg/mod go mod download
COPY . .
RUN --mount=type=cache,target=/root/go/pkg/mod --mount=type=cache,target=/root/.cache/go-build \
    CGO_ENABLED=0 go build -trimpath -ldflags="-s -w" -tags nodev -o /out/ ./cmd/mianshi ./cmd/mianshi-sandbox

# Run stage: Alpine for busybox wget (health checks), a non-root user, and
# the runtimes the worker's judge runs coding-round programs with (Go,
# Python 3, Node.js; decisions 0045 and 0053). The judge's sandbox also
# needs user, mount, PID and network namespaces: Docker's default seccomp
# profile refuses unshare(2) to an unprivileged container, so a worker that
# judges runs with `security_opt: [seccomp=unconfined]` (or a profile that
# allows unshare) -- see docs/operations.md. Without either, coding-round
# programs fail with the sandbox's error; spoken rounds are unaffected.
FROM alpine:3.22
RUN apk add --no-cache go python3 nodejs \
    && addgroup -S -g 10001 mianshi && adduser -S -D -H -u 10001 -G mianshi mianshi \
    && mkdir -p /var/lib/mianshi && chown mianshi:mianshi /var/lib/mianshi
COPY --from=build /out/mianshi /out/mianshi-sandbox /usr/local/bin/
USER 10001:10001
ENV MIANSHI_HTTP_ADDR=0.0.0.0:8080 \
    MIANSHI_METRICS_ADDR=0.0.0.0:9090 \
    MIANSHI_DATA_DIR=/var/lib/mianshi
EXPOSE 8080 9090
ENTRYPOINT ["/usr/local/bin/mianshi"]
CMD ["api"]
