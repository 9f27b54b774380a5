# Borderdesk. `make dev` runs everything locally; `make test` runs every test.
SHELL := /bin/bash
GO ?= go
# One directory per function; a test holds them equal to events.Topology.
FUNCTIONS := $(notdir $(wildcard functions/*))
BUILD_DIR ?= build
export JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION=20

.PHONY: dev demo test test-go test-cdk test-console console build functions synth deploy bench lint

dev: ## Run the whole system and the console on http://localhost:8080, mail in on smtp://127.0.0.1:2525 (embedded DynamoDB and S3, in-process bus and queues)
	@$(MAKE) --no-print-directory console || echo "!! console not built (npm unavailable?): the API runs, / says so"
	$(GO) run ./infra/local/cmd/dev

demo: ## Send signed sample webhooks, customer messages and an email conversation (SMTP in, /dev/outbox out) to the running `make dev`
	$(GO) run ./infra/local/cmd/demo

test: test-go test-cdk test-console ## Every test: Go (unit, store, end-to-end), the CDK stack and the console

test-go:
	$(GO) vet ./...
	$(GO) test -race -count=1 -timeout 15m $$($(GO) list ./... | grep -v /infra/cdk)

# The pinned CDK CLI and cdk-nag (infra/cdk/package.json).
infra/cdk/node_modules: infra/cdk/package-lock.json
	cd infra/cdk && npm ci --no-audit --no-fund
	@touch $@

# The stack's template tests, `cdk synth` through the pinned CLI as `make deploy` runs it, and
# cdk-nag over the template. Without -race: jsii-runtime-go's own process shutdown races
# (Cmd.Wait from two goroutines), which is not ours to fix.
test-cdk: infra/cdk/node_modules
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

# The CDK CLI runs the app (cdk.json: `go run .`) in infra/cdk, so relative paths it passes
# are from there.
CDK_BUILD_DIR := $(if $(filter /%,$(BUILD_DIR)),$(BUILD_DIR),../../$(BUILD_DIR))
CDK := cd infra/cdk && BORDERDESK_BUILD_DIR=$(CDK_BUILD_DIR) BORDERDESK_CONSOLE_DIR=../../console/dist npx cdk

synth: functions console infra/cdk/node_modules ## Write the CloudFormation template to infra/cdk/cdk.out/ and cdk-nag it (offline, no AWS credentials)
	$(CDK) synth --quiet
	cd infra/cdk && node nag/nag.mjs cdk.out/Borderdesk.template.json --warnings

deploy: build infra/cdk/node_modules ## Deploy to the AWS account in your environment
	$(CDK) deploy

bench: ## Benchmarks: webhooks/s end to end, ack latency, DynamoDB requests per webhook, language detection accuracy
	$(GO) test -run '^$$' -bench . -count 1 ./infra/local/bench/
	$(GO) test -run '^$$' -bench . -count 1 -v ./shared/langdetect/

lint:
	gofmt -l $$(git ls-files --cached --others --exclude-standard '*.go') | (! grep .)
	$(GO) vet ./...
	$(GO) run honnef.co/go/tools/cmd/staticcheck@v0.8.2 ./...
