// Package langdetect will own how Borderdesk tells which language a customer wrote in (issue
// 9): short messages, scored against the customer's country as a prior that the text
// overrides when it is clear.
//
// For now it holds what any detector here is measured against: testdata/messages.tsv, a
// labelled set of short customer-service messages in the 33 languages the issue names
// (testdata/README.md says how it was made), a test that keeps the set well formed, and
// BenchmarkAccuracyWhatlanggo, the baseline a detector has to beat (≥ 97% is the target;
// infra/local/bench/BENCHMARKS.md records the figures). A detector plugs into the same
// harness as one more func(text, country string) string.
package langdetect
