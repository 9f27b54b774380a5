// Package bench holds Borderdesk's end-to-end benchmarks: webhook throughput, ack latency
// under a steady load and DynamoDB requests per accepted webhook, measured over real HTTP on
// loopback against the local runtime. Run them with
//
//	go test -run '^$' -bench . ./infra/local/bench/
//
// BENCHMARKS.md records the figures and the targets they are held to.
package bench
