package intake

import (
	"net/http"
	"strconv"

	"github.com/borderdesk/borderdesk/events"
	"github.com/borderdesk/borderdesk/shared/httpjson"
	"github.com/borderdesk/borderdesk/shared/metrics"
	"github.com/borderdesk/borderdesk/shared/xray"
)

// unknownProvider stands for any provider name intake does not speak: the name comes from
// the path, and a dimension value per made-up name would be a metric per made-up name.
const unknownProvider = "unknown"

// tally counts what became of one webhook or customer message: WebhooksAccepted by outcome
// once accepted is called, else WebhooksRefused by the status answered.
type tally struct {
	http.ResponseWriter
	rec      metrics.Recorder
	provider string
	status   int
	outcome  string
	props    map[string]string
}

// tally wraps w for one request to provider. Call record when the request is answered.
func (h *Handler) tally(w http.ResponseWriter, r *http.Request, provider string) *tally {
	if _, ok := h.providers[provider]; !ok && provider != InboundProvider {
		provider = unknownProvider
	}
	props := map[string]string{"request_id": httpjson.RequestID(r), "merchant_id": r.PathValue("merchantId")}
	if id := xray.TraceID(xray.Header(r.Context())); id != "" {
		props["trace_id"] = id
	}
	return &tally{ResponseWriter: w, rec: h.cfg.Metrics, provider: provider, props: props}
}

func (t *tally) WriteHeader(status int) {
	if t.status == 0 {
		t.status = status
	}
	t.ResponseWriter.WriteHeader(status)
}

// Unwrap lets http.ResponseController reach the writer underneath.
func (t *tally) Unwrap() http.ResponseWriter { return t.ResponseWriter }

// accepted marks the request as accepted with a.Status.
func (t *tally) accepted(a Answer) { t.outcome = a.Status }

func (t *tally) record() {
	if t.outcome != "" {
		t.rec.Record(metrics.Record{
			Dimensions: []metrics.Dimension{metrics.Dim(metrics.Provider, t.provider), metrics.Dim(metrics.Outcome, t.outcome)},
			Values:     []metrics.Value{metrics.Count(metrics.WebhooksAccepted, 1)},
			Properties: t.props,
		})
		return
	}
	status := t.status
	if status == 0 {
		status = http.StatusOK
	}
	t.rec.Record(metrics.Record{
		Dimensions: []metrics.Dimension{metrics.Dim(metrics.Provider, t.provider), metrics.Dim(metrics.Status, strconv.Itoa(status))},
		Values:     []metrics.Value{metrics.Count(metrics.WebhooksRefused, 1)},
		Properties: t.props,
	})
}

// published counts events intake put on the bus.
func (h *Handler) published(n int) {
	h.cfg.Metrics.Record(metrics.Record{
		Dimensions: []metrics.Dimension{metrics.Dim(metrics.Function, events.Intake)},
		Values:     []metrics.Value{metrics.Count(metrics.EventsPublished, n)},
	})
}
