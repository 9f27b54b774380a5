# Borderdesk. `make dev` runs everything locally; `make test` runs every test.
SHELL := /bin/bash
GO ?= go
# One directory per function; a test holds them equal to events.Topology.
FUNCTIONS := $(notdir $(wildcard functions/*))
BUILD_DIR ?= build
export JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION=20

.PHONY: dev demo test test-go test-console console build functions synth deploy bench lint

dev: ## Run the whole system and the console on http://localhost:8080 (embedded DynamoDB, in-process bus and queues)
	@$(MAKE) --no-print-directory console || echo "!! console not built (npm unavailable?): the API runs, / says so"
	$(GO) run ./infra/local/cmd/dev

demo: ## Send signed sample webhooks and customer messages to the running `make dev`
	$(GO) run ./infra/local/cmd/demo

test: test-go test-console ## Every test: Go (unit, store, end-to-end, CDK template) and the console

# The CDK tests run without -race: jsii-runtime-go's own process shutdown races (Cmd.Wait
# from two goroutines), which is not ours to fix.
test-go:
	$(GO) vet ./...
	$(GO) test -race -count=1 -timeout 15m $$($(GO) list ./... | grep -v /infra/cdk)
	$(GO) test -count=1 -timeout 10m ./infra/cdk/

console/node_modules: console/package-lock.json
	cd console && npm ci --no-audit --no-fund
	@touch $@

# Component tests (Vitest), then browser tests: playwright-core drives Debian's Chromium
# against a real `make dev` runtime. Without Chromium they skip loudly; with CI=true they fail.
test-console: console/node_modules
	cd console && npm test
	cd console && npm run e2e

console: console/node_modules ## Build the agent console into console/dist
	cd console && npm run build

build: functions console ## Everything the cloud stack deploys

functions: ## Lambda binaries for provided.al2023 arm64, one directory per function
	@for fn in $(FUNCTIONS); do \
		echo "build $$fn"; \
		GOOS=linux GOARCH=arm64 CGO_ENABLED=0 $(GO) build -tags lambda.norpc -trimpath -ldflags='-s -w' \
			-o $(BUILD_DIR)/$$fn/bootstrap ./functions/$$fn/cmd || exit 1; \
	done

synth: functions console ## Write the CloudFormation template to cdk.out/ (offline, no AWS credentials)
	BORDERDESK_BUILD_DIR=$(BUILD_DIR) $(GO) run ./infra/cdk
	@ls cdk.out/*.template.json

deploy: build ## Deploy to the AWS account in your environment
	cd infra/cdk && BORDERDESK_BUILD_DIR=../../$(BUILD_DIR) npx --yes aws-cdk@2 deploy

bench: ## Benchmarks: webhooks/s end to end, ack latency, DynamoDB requests per webhook
	$(GO) test -run '^$$' -bench . -count 1 ./infra/local/bench/

lint:
	gofmt -l . | (! grep .)
	$(GO) vet ./...
	$(GO) run honnef.co/go/tools/cmd/staticcheck@v0.8.2 ./...
