package intake

func (h *Handler) routes() {
	h.mux.HandleFunc("POST /webhooks/{merchantId}/{provider}", h.webhook)
	h.mux.HandleFunc("POST /inbound/{merchantId}/messages", h.message)
	h.mux.HandleFunc("OPTIONS /inbound/{merchantId}/messages", h.messagePreflight)
}
