package local

import (
	"log/slog"
	"net/http"

	"github.com/borderdesk/borderdesk/shared/auth"
	"github.com/borderdesk/borderdesk/shared/dynamo"
	"github.com/borderdesk/borderdesk/shared/errs"
	"github.com/borderdesk/borderdesk/shared/httpjson"
)

// devLogin is POST /dev/login: {"email": "<seeded agent>"} → {"token": "<JWT>", "agent_id",
// "merchant_id"}. The email only picks the agent; the token's sub is the agent's id, as
// Cognito's is in the cloud. It exists only in the local runtime; no cloud build contains
// this package.
func devLogin(store *dynamo.Store, issuer *auth.HMAC, log *slog.Logger) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var req struct {
			Email string `json:"email"`
		}
		if err := httpjson.Decode(http.MaxBytesReader(w, r.Body, 4096), &req); err != nil {
			httpjson.Fail(w, r, log, err)
			return
		}
		a, err := store.FindAgent(r.Context(), req.Email)
		if errs.Is(err, errs.NotFound) {
			err = errs.E(errs.Unauthorized, "no seeded agent with that email")
		}
		if err != nil {
			httpjson.Fail(w, r, log, err)
			return
		}
		tok, err := issuer.Issue(a)
		if err != nil {
			httpjson.Fail(w, r, log, errs.Wrap(errs.Internal, err, "issue token"))
			return
		}
		httpjson.Write(w, http.StatusOK, map[string]string{"token": tok, "agent_id": a.ID, "merchant_id": a.MerchantID})
	})
}
