# syncwave Makefile. Run `make help` for the targets.
#
# Tools and the Kubernetes test binaries are built from the Go module proxy
# into a cache outside the clone, so a fresh clone needs nothing but Go.

SHELL := /usr/bin/env bash -o pipefail
.SHELLFLAGS := -ec

CACHE_DIR ?= $(or $(XDG_CACHE_HOME),$(HOME)/.cache)/syncwave
TOOLS_DIR ?= $(CACHE_DIR)/tools
K8S_VERSION ?= 1.37.2
K8S_DIR ?= $(CACHE_DIR)/k8s/v$(K8S_VERSION)

CONTROLLER_GEN_VERSION ?= v0.23.0
GOLANGCI_LINT_VERSION ?= v2.15.0
HELM_VERSION ?= v3.22.0
CONTROLLER_GEN ?= $(TOOLS_DIR)/controller-gen-$(CONTROLLER_GEN_VERSION)
GOLANGCI_LINT ?= $(TOOLS_DIR)/golangci-lint-$(GOLANGCI_LINT_VERSION)
HELM ?= $(TOOLS_DIR)/helm-$(HELM_VERSION)

# The controller's version: the chart's appVersion, which is also the
# chart's default image tag.
APP_VERSION ?= $(shell sed -n 's/^appVersion: *"\{0,1\}\([^"]*\)"\{0,1\} *$$/\1/p' charts/syncwave/Chart.yaml)
IMG ?= syncwave/controller:$(APP_VERSION)
# make image: where it writes, and the architecture of the image.
IMAGE_DIR ?= bin/image
IMAGE_ARCH ?= $(shell go env GOARCH)
GO_TEST_FLAGS ?= -count=1
# The test binaries for envtest and the simulated cluster.
export SYNCWAVE_K8S_ASSETS := $(K8S_DIR)
export KUBEBUILDER_ASSETS := $(K8S_DIR)
# The Helm CLI for the chart tests.
export SYNCWAVE_HELM := $(HELM)

.PHONY: all
all: build

##@ General

.PHONY: help
help: ## Show this help.
	@awk 'BEGIN {FS = ":.*##"; printf "Usage: make <target>\n"} /^[a-zA-Z_0-9-]+:.*?##/ { printf "  %-18s %s\n", $$1, $$2 } /^##@/ { printf "\n%s\n", substr($$0, 5) } ' $(MAKEFILE_LIST)

##@ Development

.PHONY: manifests
manifests: $(CONTROLLER_GEN) ## Generate the CRD and RBAC manifests.
	$(CONTROLLER_GEN) rbac:roleName=manager-role crd paths="./..." output:crd:artifacts:config=config/crd/bases output:rbac:artifacts:config=config/rbac
	cp config/crd/bases/*.yaml charts/syncwave/crds/
	cp config/prometheus/rules.yaml charts/syncwave/files/prometheus-rules.yaml

.PHONY: generate
generate: $(CONTROLLER_GEN) ## Generate DeepCopy methods.
	$(CONTROLLER_GEN) object:headerFile="hack/boilerplate.go.txt" paths="./api/..."

.PHONY: verify-gen
verify-gen: manifests generate ## Fail when generated files are stale.
	@git diff --exit-code -- api config charts || { echo "generated files are stale: run 'make manifests generate' and commit"; exit 1; }

.PHONY: fmt
fmt: ## Run go fmt.
	go fmt ./...

.PHONY: vet
vet: ## Run go vet.
	go vet ./...

.PHONY: lint
lint: $(GOLANGCI_LINT) ## Run golangci-lint.
	$(GOLANGCI_LINT) run ./...

.PHONY: lint-fix
lint-fix: $(GOLANGCI_LINT) ## Run golangci-lint and fix what it can.
	$(GOLANGCI_LINT) run --fix ./...

.PHONY: k8s-binaries
k8s-binaries: ## Build kube-apiserver, etcd, kube-controller-manager, kube-scheduler, kubectl and kwok into the cache.
	hack/k8s-binaries.sh "$(K8S_DIR)"

.PHONY: test
test: verify-gen vet lint helm-lint k8s-binaries ## Run every test (unit, envtest, simulated cluster, chart).
	go test $(GO_TEST_FLAGS) -timeout 30m ./...

.PHONY: test-unit
test-unit: ## Run the pure unit tests (no control plane).
	go test $(GO_TEST_FLAGS) ./api/... ./internal/plan/... ./internal/manifest/... ./internal/health/... ./internal/operation/... ./internal/metrics/...

# Every fuzz target, as package:Target; `make fuzz` runs each for FUZZTIME,
# one at a time. `make test` runs their seed corpora (testdata/fuzz) only.
FUZZTIME ?= 60s
FUZZ_TARGETS := \
	./api/v1alpha1:FuzzParseSyncOptions \
	./internal/manifest:FuzzParse \
	./internal/manifest:FuzzLoad \
	./internal/plan:FuzzBuild \
	./internal/plan:FuzzAnnotations \
	./internal/plan:FuzzPlanDeterministic \
	./internal/plan:FuzzUnmarshal \
	./internal/snapshot:FuzzDecode \
	./internal/operation:FuzzCompactRoundTrip \
	./internal/health/lua:FuzzShippedScripts \
	./internal/health/lua:FuzzScript \
	./internal/health/cel:FuzzExpressions

.PHONY: fuzz
fuzz: ## Run every fuzz target for FUZZTIME (default 60s) each; a crash is written to the package's testdata/fuzz.
	@for t in $(FUZZ_TARGETS); do \
		pkg=$${t%%:*}; name=$${t##*:}; \
		echo "== $$name ($$pkg, $(FUZZTIME))"; \
		go test -run '^$$' -fuzz "^$$name\$$" -fuzztime $(FUZZTIME) $$pkg 2>&1 | grep -v 'gathering baseline' || exit 1; \
	done

.PHONY: chaos
chaos: k8s-binaries ## Run the chaos suite: 50 runs of an operation whose managers are SIGKILLed and fail over (CHAOS_RUNS, default 50).
	SYNCWAVE_CHAOS=1 go test -tags chaos -count=1 -timeout 90m -run Chaos -v ./test/chaos/ 2>&1 | grep -v '^=== \(RUN\|PAUSE\|CONT\)'

.PHONY: bench
KAPP_VERSION ?= v0.64.0
KAPP ?= $(TOOLS_DIR)/kapp-$(KAPP_VERSION)

.PHONY: kapp
kapp: $(KAPP) ## Build kapp for the W1 benchmark's comparison (optional: make bench goes on without it).
$(KAPP):
	hack/kapp.sh $@ $(KAPP_VERSION)

bench: k8s-binaries ## Run the benchmarks: Go micro-benchmarks (5 runs), the engine on a simulated cluster (medians of 5 operations), 1 vs 3 sharded replicas.
	go test -run '^$$' -bench . -benchmem -count 5 ./internal/...
	-$(MAKE) kapp
	go test -p 1 -run '^$$' -bench . -benchtime 5x -timeout 60m ./test/bench/ ./test/scale/
	go test -run '^$$' -bench Start -benchtime 5x ./test/cluster/
	SYNCWAVE_BENCH=1 go test -count=1 -run 'TestShardScale|TestShardMemory' -timeout 30m -v ./test/e2e/ 2>&1 | grep -E 'replica|^(ok|FAIL|---)'

.PHONY: demo
demo: k8s-binaries build ## Start a local simulated cluster, run the controller and the guide's example.
	go run ./hack/demo

.PHONY: helm
helm: $(HELM) ## Build the Helm CLI into the cache.

.PHONY: helm-lint
helm-lint: $(HELM) ## Lint the chart (strict) and render it with every feature on.
	$(HELM) lint --strict charts/syncwave
	$(HELM) lint --strict charts/syncwave -f test/chart/testdata/all-features.yaml
	$(HELM) template syncwave charts/syncwave --kube-version $(K8S_VERSION) -f test/chart/testdata/all-features.yaml >/dev/null

##@ Build

.PHONY: build
build: ## Build the manager and the kubectl plugin into ./bin.
	go build -o bin/manager ./cmd/manager
	go build -o bin/kubectl-syncwave ./cmd/kubectl-syncwave

.PHONY: run
run: ## Run the manager against the current kubeconfig.
	go run ./cmd/manager --metrics-secure=false

.PHONY: image
image: ## Build the controller image without a container engine: an OCI layout in $(IMAGE_DIR)/oci and $(IMAGE_DIR)/image.tar (docker load -i).
	CGO_ENABLED=0 GOOS=linux GOARCH=$(IMAGE_ARCH) go build -trimpath -ldflags '-s -w -X main.version=$(APP_VERSION)' -o $(IMAGE_DIR)/manager ./cmd/manager
	go run ./hack/image --binary $(IMAGE_DIR)/manager --arch $(IMAGE_ARCH) --image $(IMG) --version $(APP_VERSION) \
		--layout $(IMAGE_DIR)/oci --tarball $(IMAGE_DIR)/image.tar

.PHONY: image-name
image-name: ## Print the name and tag that make image and make docker-build give the image.
	@echo $(IMG)

.PHONY: docker-build
docker-build: ## Build the container image (needs a container engine).
	docker build --build-arg VERSION=$(APP_VERSION) -t $(IMG) .

.PHONY: docker-push
docker-push: ## Push the container image.
	docker push $(IMG)

##@ Deployment

.PHONY: install
install: manifests ## Install the CRD into the cluster of the current kubeconfig.
	kubectl apply --server-side -f config/crd/bases

.PHONY: uninstall
uninstall: ## Remove the CRD.
	kubectl delete --ignore-not-found -f config/crd/bases

##@ Tools

$(CONTROLLER_GEN):
	hack/go-install.sh "$@" sigs.k8s.io/controller-tools/cmd/controller-gen $(CONTROLLER_GEN_VERSION)

$(GOLANGCI_LINT):
	hack/go-install.sh "$@" github.com/golangci/golangci-lint/v2/cmd/golangci-lint $(GOLANGCI_LINT_VERSION)

$(HELM):
	hack/go-install.sh "$@" helm.sh/helm/v3/cmd/helm $(HELM_VERSION)
