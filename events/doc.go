// Package events is Borderdesk's event catalog: every event that crosses the bus, its
// detail-type, its typed data, a golden JSON example per event (testdata/), and the topology —
// which function emits what, which consumes what through which queue. The local runtime
// (infra/local) and the cloud stack (infra/cdk) are both built from Topology, never from
// string literals of their own.
package events
