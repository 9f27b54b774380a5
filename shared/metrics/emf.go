package metrics

import (
	"encoding/json"
	"io"
	"math"
	"sync"
	"time"
)

// EMF writes records in CloudWatch Embedded Metric Format: one JSON object a line, whose
// "_aws" member tells CloudWatch Logs which of its members are metrics (with their units) and
// which are dimensions; everything else stays a searchable field of the log event.
type EMF struct {
	mu        sync.Mutex
	w         io.Writer
	now       func() time.Time
	namespace string
}

// NewEMF returns an EMF recorder writing to w (a Lambda's stdout) in Namespace, stamping each
// record with now.
func NewEMF(w io.Writer, now func() time.Time) *EMF {
	return &EMF{w: w, now: now, namespace: Namespace}
}

// EMF's own limits: a dimension set holds at most 30 dimensions and a directive at most 100
// metrics; CloudWatch Logs drops the metrics (keeping the log event) of a record over them.
const (
	maxDimensions = 30
	maxMetrics    = 100
)

type emfMetadata struct {
	Timestamp         int64          `json:"Timestamp"` // milliseconds since the epoch
	CloudWatchMetrics []emfDirective `json:"CloudWatchMetrics"`
}

type emfDirective struct {
	Namespace  string          `json:"Namespace"`
	Dimensions [][]string      `json:"Dimensions"`
	Metrics    []emfDefinition `json:"Metrics"`
}

type emfDefinition struct {
	Name string `json:"Name"`
	Unit Unit   `json:"Unit,omitempty"`
}

// Record writes r as one line. A record that EMF could not carry — no values, too many
// dimensions or values, a value that is not a finite number, a name used twice — is
// written without what breaks it, so what it does carry still counts.
func (e *EMF) Record(r Record) {
	doc := map[string]any{}
	dims := make([]string, 0, len(r.Dimensions))
	for _, d := range r.Dimensions {
		if len(dims) == maxDimensions || d.Name == "" || d.Name == "_aws" || doc[d.Name] != nil {
			continue
		}
		doc[d.Name] = d.Value
		dims = append(dims, d.Name)
	}
	defs := make([]emfDefinition, 0, len(r.Values))
	for _, v := range r.Values {
		if len(defs) == maxMetrics || v.Name == "" || v.Name == "_aws" || doc[v.Name] != nil ||
			math.IsNaN(v.Value) || math.IsInf(v.Value, 0) {
			continue
		}
		doc[v.Name] = v.Value
		defs = append(defs, emfDefinition{Name: v.Name, Unit: v.Unit})
	}
	if len(defs) == 0 {
		return
	}
	for k, v := range r.Properties {
		if k != "" && k != "_aws" && doc[k] == nil {
			doc[k] = v
		}
	}
	doc["_aws"] = emfMetadata{
		Timestamp: e.now().UnixMilli(),
		CloudWatchMetrics: []emfDirective{{
			Namespace: e.namespace, Dimensions: [][]string{dims}, Metrics: defs,
		}},
	}
	line, err := json.Marshal(doc)
	if err != nil {
		return // only strings and finite numbers are in doc
	}
	line = append(line, '\n')
	e.mu.Lock()
	defer e.mu.Unlock()
	// One write per record: lines from the function's logger and from here never interleave.
	_, _ = e.w.Write(line)
}
