package local

import (
	"log/slog"
	"maps"
	"net/http"
	"slices"

	"github.com/borderdesk/borderdesk/infra/local/queue"
	"github.com/borderdesk/borderdesk/shared/errs"
	"github.com/borderdesk/borderdesk/shared/httpjson"
)

// QueueState is one queue as GET /dev/queues shows it.
type QueueState struct {
	Name     string          `json:"name"`
	Visible  int             `json:"visible"`
	InFlight int             `json:"in_flight"`
	DLQ      []queue.Message `json:"dlq"`
}

// opsRoutes are the local stand-ins for what an on-call engineer does in the SQS console:
// look at queue depths and DLQs, and redrive a DLQ once its cause is fixed.
func opsRoutes(mux *http.ServeMux, queues map[string]*queue.Queue, log *slog.Logger) {
	mux.HandleFunc("GET /dev/queues", func(w http.ResponseWriter, r *http.Request) {
		out := []QueueState{}
		for _, name := range slices.Sorted(maps.Keys(queues)) {
			q := queues[name]
			st := q.Stats()
			dlq := q.DLQ()
			if dlq == nil {
				dlq = []queue.Message{}
			}
			out = append(out, QueueState{Name: name, Visible: st.Visible, InFlight: st.InFlight, DLQ: dlq})
		}
		httpjson.Write(w, http.StatusOK, out)
	})
	mux.HandleFunc("POST /dev/queues/{name}/redrive", func(w http.ResponseWriter, r *http.Request) {
		q, ok := queues[r.PathValue("name")]
		if !ok {
			httpjson.Fail(w, r, log, errs.E(errs.NotFound, "no queue %q", r.PathValue("name")))
			return
		}
		n := q.Redrive()
		log.Info("dlq redriven", "queue", q.Name(), "messages", n)
		httpjson.Write(w, http.StatusOK, map[string]int{"redriven": n})
	})
}
