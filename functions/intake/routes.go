package intake

import "github.com/borderdesk/borderdesk/shared/httpjson"

func (h *Handler) routes() {
	h.mux.HandleFunc("POST /webhooks/{merchantId}/{provider}", h.webhook)
	h.mux.HandleFunc("POST /inbound/{merchantId}/messages", h.message)
	h.mux.HandleFunc("OPTIONS /inbound/{merchantId}/messages", h.messagePreflight)
	// Anything else answers JSON, as every refusal of intake does: 405 with Allow, else 404.
	h.mux.Handle("/", httpjson.NoRoute(h.mux, h.cfg.Log))
}
