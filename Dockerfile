# syncwave controller image: `make docker-build IMG=<registry>/syncwave/controller:<tag>`
# (or `docker build --build-arg VERSION=<version> -t <image> .`). A static
# binary on distroless, as the non-root user 65532; the Helm chart runs it
# with a read-only root filesystem. `make image` builds the same kind of
# image without a container engine (hack/image, internal/image).

# The builder runs on the build machine's platform and cross-compiles, so a
# multi-platform build (docker buildx build --platform linux/amd64,linux/arm64)
# needs no emulation.
FROM --platform=$BUILDPLATFORM golang:1.26 AS builder
ARG TARGETOS=linux
ARG TARGETARCH
# VERSION is what `manager --version` prints; make docker-build passes the
# chart's appVersion.
ARG VERSION=dev
WORKDIR /src

# Dependencies first: this layer is reused until go.mod or go.sum change.
COPY go.mod go.sum ./
RUN --mount=type=cache,target=/go/pkg/mod go mod download

COPY api/ api/
COPY cmd/ cmd/
COPY config/ config/
COPY internal/ internal/
RUN --mount=type=cache,target=/go/pkg/mod --mount=type=cache,target=/root/.cache/go-build \
    CGO_ENABLED=0 GOOS=$TARGETOS GOARCH=$TARGETARCH \
    go build -trimpath -ldflags="-s -w -X main.version=${VERSION}" -o /out/manager ./cmd/manager

FROM gcr.io/distroless/static:nonroot
ARG VERSION=dev
LABEL org.opencontainers.image.title="syncwave" \
      org.opencontainers.image.version="${VERSION}" \
      org.opencontainers.image.description="Ordered, health-gated syncs of Kubernetes manifests" \
      org.opencontainers.image.source="https://github.com/syncwave/syncwave" \
      org.opencontainers.image.licenses="Apache-2.0"
WORKDIR /
COPY --from=builder /out/manager /manager
USER 65532:65532
ENTRYPOINT ["/manager"]
